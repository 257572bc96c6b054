// search.cpp: examples/search.c as a C++ program, to check that an installed
// indaga serves C++ through find_package (tests/cli/test_install.sh). It
// prints what the C example prints, so the test compares the two.
//   search_shared INDEX_DIR QUERY
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <indaga.h>

namespace {
struct close_index {
  void operator()(indaga_index *idx) const { indaga_index_close(idx); }
};
struct free_results {
  void operator()(indaga_results *r) const { indaga_results_free(r); }
};
}  // namespace

int main(int argc, char **argv) {
  if (argc != 3) {
    std::cerr << "usage: " << argv[0] << " INDEX_DIR QUERY\n";
    return 2;
  }
  indaga_index *raw = nullptr;
  char *err = nullptr;
  int rc = indaga_index_open(&raw, argv[1], nullptr, &err);
  std::unique_ptr<indaga_index, close_index> idx(raw);
  if (rc != INDAGA_OK) {
    std::cerr << indaga_strerror(rc) << ": " << (err ? err : argv[1]) << "\n";
    indaga_free(err);
    return 2;
  }
  indaga_search_options opts = INDAGA_SEARCH_OPTIONS_INIT;
  opts.k = 5;
  indaga_results *rr = nullptr;
  rc = indaga_search(&rr, idx.get(), argv[2], &opts);
  std::unique_ptr<indaga_results, free_results> res(rr);
  if (rc != INDAGA_OK) {
    std::cerr << "search failed: " << (rr ? indaga_results_errmsg(rr) : indaga_strerror(rc)) << "\n";
    return 2;
  }
  for (size_t i = 0; i < indaga_results_count(rr); i++) {
    const indaga_hit *h = indaga_results_hit(rr, i);
    std::string line = std::to_string(h->rank) + ". " + (h->symbol ? h->symbol : h->doc);
    if (h->part_label) line += std::string(" · ") + h->part_label;
    line += h->label ? std::string(" · párr. ") + h->label : " · párr. " + std::to_string(h->paragraph);
    char score[32];
    std::snprintf(score, sizeof score, "  (%.2f)", h->score);
    std::cout << line << score << "\n   " << std::string(h->snippet, h->snippet_len) << "\n";
  }
  std::cout << indaga_results_count(rr) << " of about "
            << static_cast<unsigned long long>(indaga_results_total(rr)) << " matches\n";
  return 0;
}
