/*
** xapian_peer.cc: the Xapian 1.4 peer of bench/ (see bench/README.md).
**
**   xapian_peer build   DUMP DBDIR                 index a paragraph dump
**   xapian_peer latency DBDIR QUERIES SNIPPETS PASSES  time top-10 searches
**   xapian_peer topk    DBDIR QUERIES              print the top 10 of each query
**   xapian_peer topk-or DBDIR QUERIES              the same with the default operator OR
**
** Design. One Xapian document per paragraph of the dump: its text indexed by
** a TermGenerator with Xapian::Stem("spanish") and the default STEM_SOME
** strategy (unstemmed terms with positions, plus "Z"-prefixed stems), the
** display text as document data (for MSet::snippet) and "doc\tpart\tord" in
** value slot 0 (to name the hit without unpacking the data).
**
** Build: XAPIAN_FLUSH_THRESHOLD=10000 unless the environment already sets it
** (a flush every 10000 documents: measured on the legislation corpus to
** halve the build time and keep memory at tens of MB, not GB), one commit,
** then Database::compact() into DBDIR: the compacted copy is what is
** queried and measured. Build time covers indexing, commit and compaction; the
** uncompacted copy (DBDIR.tmp) is removed afterwards, untimed.
**
** Search: QueryParser with the Spanish stemmer, STEM_SOME, default operator
** AND (OR with topk-or: QueryParser's own default, for the question set),
** FLAG_PHRASE | FLAG_BOOLEAN | FLAG_WILDCARD | FLAG_LOVEHATE; BM25
** (Xapian's default weighting); top 10 from Enquire::get_mset; snippets with
** MSet::snippet(text, 240 bytes, stemmer) of each hit. Timed: parse, search,
** reading each hit's value, and the snippets when asked.
**
** Errors: any failure prints a message naming the file and exits 2; a query
** the parser rejects is counted and reported, not fatal.
*/
#include <xapian.h>

#include <dirent.h>
#include <ftw.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "peer_common.h"

namespace {

const unsigned SLOT_ID = 0;
const unsigned QP_FLAGS = Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_BOOLEAN |
                          Xapian::QueryParser::FLAG_WILDCARD | Xapian::QueryParser::FLAG_LOVEHATE;

int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw) {
  (void)sb; (void)type; (void)ftw;
  return remove(path);
}

/* Bytes of the regular files directly in @dir (a Xapian glass database). */
long long dir_bytes(const std::string &dir) {
  long long total = 0;
  DIR *d = opendir(dir.c_str());
  if (!d) return -1;
  while (struct dirent *e = readdir(d)) {
    struct stat sb;
    std::string p = dir + "/" + e->d_name;
    if (stat(p.c_str(), &sb) == 0 && S_ISREG(sb.st_mode)) total += (long long)sb.st_size;
  }
  closedir(d);
  return total;
}

int cmd_build(const char *dump_path, const std::string &out) {
  size_t rows = 0;
  peer_dump dump;
  std::string tmp = out + ".tmp";
  peer_rec r;
  double t0, t1, cpu;
  long rss;

  setenv("XAPIAN_FLUSH_THRESHOLD", "10000", 0);
  nftw(out.c_str(), rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  nftw(tmp.c_str(), rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  peer_dump_open(&dump, dump_path);
  t0 = peer_now();
  {
    Xapian::WritableDatabase db(tmp, Xapian::DB_CREATE_OR_OVERWRITE);
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("spanish"));
    tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
    while (peer_dump_next(&dump, &r)) {
      Xapian::Document doc;
      std::string text(r.text, r.ntext);
      std::string id(r.doc, r.ndoc);
      id += "\t" + std::to_string(r.part) + "\t" + std::to_string(r.ordinal);
      doc.set_data(text);
      doc.add_value(SLOT_ID, id);
      tg.set_document(doc);
      tg.index_text(text);
      db.add_document(doc);
      rows++;
    }
    db.commit();
    db.close();
  }
  {
    Xapian::Database src(tmp);
    src.compact(out);
  }
  t1 = peer_now();
  peer_rusage(&cpu, &rss);
  nftw(tmp.c_str(), rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  std::printf("build_s=%.3f cpu_s=%.3f rss_kb=%ld index_bytes=%lld paragraphs=%zu\n", t1 - t0,
              cpu, rss, dir_bytes(out), rows);
  peer_dump_close(&dump);
  return 0;
}

struct Searcher {
  Xapian::Database db;
  Xapian::Enquire enq;
  Xapian::Stem stem;
  Xapian::QueryParser qp;

  Searcher(const std::string &dir, bool any) : db(dir), enq(db), stem("spanish") {
    qp.set_database(db);
    qp.set_stemmer(stem);
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    qp.set_default_op(any ? Xapian::Query::OP_OR : Xapian::Query::OP_AND);
  }

  /* Top 10 of @q; with out != NULL print "qno\trank\tdoc\tpart\tord" lines.
  ** Returns the hit count, or -1 when the parser rejects the query. */
  int run(const std::string &q, bool snippets, FILE *out, size_t qno, bool report) {
    Xapian::Query query;
    try {
      query = qp.parse_query(q, QP_FLAGS);
    } catch (const Xapian::QueryParserError &e) {
      if (report)
        std::fprintf(stderr, "xapian_peer: query %zu [%s]: %s\n", qno + 1, q.c_str(),
                     e.get_msg().c_str());
      return -1;
    }
    enq.set_query(query);
    Xapian::MSet m = enq.get_mset(0, 10);
    int rank = 0;
    for (Xapian::MSetIterator it = m.begin(); it != m.end(); ++it) {
      Xapian::Document doc = it.get_document();
      std::string id = doc.get_value(SLOT_ID);
      rank++;
      if (snippets) {
        std::string s = m.snippet(doc.get_data(), 240, stem);
        if (s.empty() && report) std::fprintf(stderr, "xapian_peer: empty snippet\n");
      }
      if (out) std::fprintf(out, "%zu\t%d\t%s\n", qno, rank, id.c_str());
    }
    return rank;
  }
};

int cmd_search(const std::string &dir, const char *qpath, bool topk, bool snippets, int passes,
               bool any = false) {
  size_t n = 0, nq = 0;
  char *text = peer_slurp(qpath, &n);
  char **q = peer_lines(text, n, &nq);
  Searcher s(dir, any);
  if (topk) {
    for (size_t i = 0; i < nq; i++)
      if (q[i][0]) (void)s.run(q[i], false, stdout, i, true);
  } else {
    std::vector<double> lat;
    double total = 0;
    unsigned long long hits = 0;
    int errors = 0;
    for (size_t i = 0; i < nq; i++)                 /* warm-up pass, untimed */
      if (q[i][0] && s.run(q[i], snippets, nullptr, i, true) < 0) errors++;
    for (int p = 0; p < passes; p++) {
      for (size_t i = 0; i < nq; i++) {
        if (!q[i][0]) continue;
        double t0 = peer_now();
        int h = s.run(q[i], snippets, nullptr, i, false);
        double dt = peer_now() - t0;
        total += dt;
        lat.push_back(dt * 1e6);
        if (h > 0) hits += (unsigned long long)h;
      }
    }
    std::printf("errors=%d ", errors);
    peer_print_latency(lat.data(), lat.size(), total, hits);
  }
  std::free(q);
  std::free(text);
  return 0;
}

int usage() {
  std::fprintf(stderr, "usage: xapian_peer build DUMP DBDIR\n"
                       "       xapian_peer latency DBDIR QUERIES SNIPPETS(0|1) PASSES\n"
                       "       xapian_peer topk DBDIR QUERIES\n"
                       "       xapian_peer topk-or DBDIR QUERIES\n");
  return 2;
}

} // namespace

int main(int argc, char **argv) {
  try {
    if (argc == 4 && std::strcmp(argv[1], "build") == 0) return cmd_build(argv[2], argv[3]);
    if (argc == 4 && std::strcmp(argv[1], "topk") == 0)
      return cmd_search(argv[2], argv[3], true, false, 0);
    if (argc == 4 && std::strcmp(argv[1], "topk-or") == 0)
      return cmd_search(argv[2], argv[3], true, false, 0, true);
    if (argc == 6 && std::strcmp(argv[1], "latency") == 0) {
      int passes = std::atoi(argv[5]);
      if (passes < 1) return usage();
      return cmd_search(argv[2], argv[3], false, std::atoi(argv[4]) != 0, passes);
    }
  } catch (const Xapian::Error &e) {
    const char *where = std::strcmp(argv[1], "build") == 0 ? argv[3] : argv[2];
    std::fprintf(stderr, "xapian_peer: %s: %s\n", where, e.get_description().c_str());
    return 2;
  }
  return usage();
}
