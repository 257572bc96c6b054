/*
** api_multi.c: several index directories searched as one
** (indaga_index_open_many and the calls that name its members).
**
** Users who outgrow one index split their collection into several index
** directories (by collection, by year). A handle over several of them holds
** one plain handle per directory (its member: its own snapshot, deletions,
** refresh and document lookups) and one union snapshot (snapshot.c,
** ix_snapshot_union) that borrows every member's segments in the order the
** directories were given. The query engine sees only the union, so every
** statistic it takes (live paragraphs, total length, each term's df summed
** over segments, the block bounds of each segment) is that of all the
** indexes together: scores equal those of one index over the union of the
** collections. Ties between equal scores break by document id (query/tie.c),
** not by segment order, so the order is that one index's too.
**
** Each member has a label, what a hit says it came from: given by the
** caller, or the last component of the directory's path. Two members with
** one label, or one index given twice (two members with the same index id:
** the same directory under two names, or a backup copy of another member),
** are refused with INDAGA_EMISUSE, since hits could not tell them apart or
** every statistic would count the same documents twice.
**
** Refresh reopens every member and keeps the old handle when no member's
** generation moved; otherwise the caller's handle is replaced as a whole
** (results of searches on the old one stay valid, as for one index).
*/
#include <string.h>
#include "common/common.h"
#include "common/os.h"
#include "indexer/index.h"
#include "indexer/manifest.h"
#include "indexer/segment.h"

#define LABEL_MAX 255   /* bytes of a label */

char *ix_default_label(const char *path) {
  size_t n = strlen(path);
  while (n > 1 && path[n - 1] == '/') n--;
  size_t b = n;
  while (b > 0 && path[b - 1] != '/') b--;
  const char *base = path + b;
  size_t nb = n - b;
  if (nb && !(nb == 1 && base[0] == '.') && !(nb == 2 && base[0] == '.' && base[1] == '.') &&
      !(nb == 1 && base[0] == '/'))
    return indaga__strndup(base, nb);
  char *canon = NULL, *label = NULL;
  if (os_realpath(path, &canon, NULL) != INDAGA_OK) label = indaga__strdup(path);   /* opening it will say why */
  else if (strcmp(canon, "/")) label = ix_default_label(canon);
  else label = indaga__strdup("/");
  indaga__free(canon);
  return label;
}

/* NULL when @label can name a member, else why not (a static string). */
static const char *bad_label(const char *label) {
  size_t n = strlen(label);
  if (n == 0) return "is empty";
  if (n > LABEL_MAX) return "is longer than 255 bytes";
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)label[i] < 0x20 || label[i] == 0x7f) return "holds a control character";
  return NULL;
}

/* Replace *errmsg by @z (a fresh message, or NULL when out of memory). */
static void set_msg(char **errmsg, char *z) {
  if (!errmsg) { indaga__free(z); return; }
  indaga__free(*errmsg);
  *errmsg = z;
}

/* The members' notes, each after its label, "; "-separated, into u->note. INDAGA_OK or ENOMEM. */
static int join_notes(indaga_index *u) {
  ia_buf b = { 0 };
  for (size_t i = 0; i < u->nmembers; i++) {
    const char *note = indaga_index_note(u->members[i]);
    if (!note) continue;
    if (b.n) buf_puts(&b, "; ");
    buf_puts(&b, u->members[i]->label);
    buf_puts(&b, ": ");
    buf_puts(&b, note);
  }
  int rc = b.err ? INDAGA_ENOMEM : INDAGA_OK;
  if (!rc && b.n && !(u->note = indaga__strndup((const char *)b.p, b.n))) rc = INDAGA_ENOMEM;
  buf_free(&b);
  return rc;
}

/*
** Refuse members that hits or statistics could not tell apart: the same
** label, or the same index id. INDAGA_OK or INDAGA_EMISUSE with *errmsg.
*/
static int check_distinct(indaga_index *const *m, const char *const *paths, size_t n, char **errmsg) {
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < i; j++) {
      uint64_t a = ix_snapshot_manifest(m[i]->snap)->index_id, b = ix_snapshot_manifest(m[j]->snap)->index_id;
      if (a == b) {
        set_msg(errmsg, indaga__sprintf("%s and %s are the same index (index id %016llx): a directory "
                                        "given twice, or a copy of another; give each index once",
                                        paths[j], paths[i], (unsigned long long)a));
        return INDAGA_EMISUSE;
      }
      if (!strcmp(m[i]->label, m[j]->label)) {
        set_msg(errmsg, indaga__sprintf("%s and %s have the same label '%s' (hits name their index by "
                                        "it): give them labels that differ (the default label is the "
                                        "directory's name, so a symbolic link of another name gives "
                                        "another)", paths[j], paths[i], m[i]->label));
        return INDAGA_EMISUSE;
      }
    }
  }
  return INDAGA_OK;
}

/* Open member @path as @label (NULL: the default). Errors as indaga_index_open, or EMISUSE for the label. */
static int open_member(indaga_index **out, const char *path, const char *label, const indaga_open_options *opts,
                       char **errmsg) {
  const char *why = label ? bad_label(label) : NULL;
  if (why) {
    set_msg(errmsg, indaga__sprintf("%s: the label given to it %s", path, why));
    return INDAGA_EMISUSE;
  }
  int rc = indaga_index_open(out, path, opts, errmsg);
  if (rc || !label) return rc;
  char *l = indaga__strdup(label);
  if (!l) { indaga_index_close(*out); *out = NULL; return INDAGA_ENOMEM; }
  indaga__free((*out)->label);
  (*out)->label = l;
  return INDAGA_OK;
}

int indaga_index_open_many(indaga_index **out, const char *const *paths, const char *const *labels, size_t n,
                           const indaga_open_options *opts, char **errmsg) {
  if (errmsg) *errmsg = NULL;
  if (!out) return INDAGA_EMISUSE;
  *out = NULL;
  if (!paths || n == 0 || n > INDAGA_OPEN_MANY_MAX) {
    set_msg(errmsg, indaga__sprintf("indaga_index_open_many: between 1 and %d index directories",
                                    INDAGA_OPEN_MANY_MAX));
    return INDAGA_EMISUSE;
  }
  for (size_t i = 0; i < n; i++)
    if (!paths[i]) { set_msg(errmsg, indaga__strdup("indaga_index_open_many: a path is NULL")); return INDAGA_EMISUSE; }
  if (n == 1) return open_member(out, paths[0], labels ? labels[0] : NULL, opts, errmsg);
  indaga_index *u = indaga__calloc(1, sizeof *u);
  if (!u) return INDAGA_ENOMEM;
  u->members = indaga__calloc(n, sizeof *u->members);
  const char **names = indaga__calloc(n, sizeof *names);
  const ix_snapshot **snaps = indaga__calloc(n, sizeof *snaps);
  int rc = u->members && names && snaps ? INDAGA_OK : INDAGA_ENOMEM;
  for (size_t i = 0; i < n && !rc; i++) {
    rc = open_member(&u->members[i], paths[i], labels ? labels[i] : NULL, opts, errmsg);
    if (rc) break;
    u->nmembers++;
    names[i] = u->members[i]->label;
    snaps[i] = u->members[i]->snap;
  }
  if (!rc) rc = check_distinct(u->members, paths, n, errmsg);
  if (!rc) rc = ix_snapshot_union(&u->snap, snaps, names, n);
  if (!rc) rc = join_notes(u);
  indaga__free(names);
  indaga__free(snaps);
  if (rc) {
    if (rc == INDAGA_ENOMEM && errmsg && !*errmsg) *errmsg = indaga__strdup("out of memory opening the indexes");
    indaga_index_close(u);
    return rc;
  }
  *out = u;
  return INDAGA_OK;
}

int ix_index_refresh_many(indaga_index **pidx, char **errmsg) {
  indaga_index *old = *pidx, *nw = NULL;
  const char **paths = indaga__calloc(old->nmembers, sizeof *paths);
  const char **labels = indaga__calloc(old->nmembers, sizeof *labels);
  int rc = paths && labels ? INDAGA_OK : INDAGA_ENOMEM;
  for (size_t i = 0; i < old->nmembers && !rc; i++) {
    paths[i] = old->members[i]->dir;
    labels[i] = old->members[i]->label;
  }
  if (!rc) rc = indaga_index_open_many(&nw, paths, labels, old->nmembers, NULL, errmsg);
  indaga__free(paths);
  indaga__free(labels);
  if (rc) return rc;
  int moved = 0;
  for (size_t i = 0; i < old->nmembers; i++)
    moved |= ix_generation(nw->members[i]->snap) != ix_generation(old->members[i]->snap);
  if (!moved) {
    indaga_index_close(nw);
    return INDAGA_OK;
  }
  indaga_index_close(old);
  *pidx = nw;
  return INDAGA_OK;
}

size_t indaga_index_count(const indaga_index *idx) {
  if (!idx) return 0;
  return idx->members ? idx->nmembers : 1;
}

const indaga_index *indaga_index_member(const indaga_index *idx, size_t i) {
  if (!idx || i >= indaga_index_count(idx)) return NULL;
  return idx->members ? idx->members[i] : idx;
}

const char *indaga_index_label(const indaga_index *idx, size_t i) {
  const indaga_index *m = indaga_index_member(idx, i);
  return m ? m->label : NULL;
}

int ix_index_member_of(const indaga_index *idx, const char *doc, const indaga_index **out, char **errmsg) {
  ia_buf where = { 0 };
  size_t found = 0;
  int rc = INDAGA_OK;
  for (size_t i = 0; i < idx->nmembers && !rc; i++) {
    size_t seg;
    uint32_t did;
    rc = ix_find_doc(idx->members[i]->snap, doc, &seg, &did);
    if (rc == INDAGA_ENOTFOUND) { rc = INDAGA_OK; continue; }
    if (rc) {
      set_msg(errmsg, indaga__sprintf("%s: cannot look document %s up: %s", idx->members[i]->dir, doc,
                                      indaga_strerror(rc)));
      break;
    }
    if (found++) buf_puts(&where, ", ");
    buf_puts(&where, idx->members[i]->label);
    *out = idx->members[i];
  }
  if (!rc && where.err) rc = INDAGA_ENOMEM;
  if (!rc && found == 0) {
    rc = INDAGA_ENOTFOUND;
    set_msg(errmsg, indaga__sprintf("%s: no such document in any of the %zu indexes", doc, idx->nmembers));
  } else if (!rc && found > 1) {
    rc = INDAGA_EMISUSE;
    set_msg(errmsg, indaga__sprintf("%s: a document of that id is in %zu indexes (%.*s): ask one of them "
                                    "(indaga_index_member)", doc, found, (int)where.n, (const char *)where.p));
  }
  buf_free(&where);
  return rc;
}
