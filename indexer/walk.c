/*
** walk.c: the tree walk of indaga_writer_sync() (contract in walk.h).
**
** Depth-first over os_listdir(); each entry is stat()ed (following links)
** and directories are remembered by (device, inode) in a small array, so a
** link back to an ancestor, or two links to one directory, are entered once.
** The result is sorted by id at the end, so the order does not depend on the
** order readdir() returns.
*/
#include <stdlib.h>
#include <strings.h>
#include "common/common.h"
#include "common/os.h"
#include "indexer/walk.h"

typedef struct dev_ino { uint64_t dev, ino; } dev_ino;

typedef struct walker {
  walk_list *out;
  dev_ino *seen;                 /* directories entered */
  size_t nseen, capseen;
  void (*warn)(void *, const char *, const char *);
  void *ctx;
  const char *dir;               /* directory being listed */
  const char *rel;               /* its id prefix ("" at the root) */
  int rc;                        /* sticky failure */
  char **subdirs;                /* subdirectory names of the current listing */
  size_t nsub, capsub;
} walker;

void walk_list_free(walk_list *l) {
  for (size_t i = 0; i < l->n; i++) {
    indaga__free(l->v[i].id);
    indaga__free(l->v[i].path);
  }
  indaga__free(l->v);
  memset(l, 0, sizeof *l);
}

static int has_doc_ext(const char *name) {
  size_t n = strlen(name);
  static const char *const ext[] = {".txt", ".md", ".pdf", ".docx", ".odt", ".html", ".htm"};
  for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
    size_t k = strlen(ext[i]);
    if (n > k && !strcasecmp(name + n - k, ext[i])) return 1;
  }
  return 0;
}

/* Append an entry taking ownership of @id and @path (freed on failure). */
static int push(walk_list *l, char *id, char *path, const os_stat_info *st) {
  if (!id || !path) { indaga__free(id); indaga__free(path); return INDAGA_ENOMEM; }
  if (l->n == l->cap) {
    walk_entry *v = indaga__grow(l->v, &l->cap, sizeof *v, 64);
    if (!v) { indaga__free(id); indaga__free(path); return INDAGA_ENOMEM; }
    l->v = v;
  }
  walk_entry *e = &l->v[l->n++];
  e->id = id;
  e->path = path;
  e->size = st->size;
  e->mtime_ns = st->mtime_ns;
  return INDAGA_OK;
}

/* 1 when directory @st was entered before; else remember it. <0 on ENOMEM. */
static int seen_before(walker *w, const os_stat_info *st) {
  for (size_t i = 0; i < w->nseen; i++)
    if (w->seen[i].dev == st->dev && w->seen[i].ino == st->ino) return 1;
  if (w->nseen == w->capseen) {
    dev_ino *v = indaga__grow(w->seen, &w->capseen, sizeof *v, 32);
    if (!v) return INDAGA_ENOMEM;
    w->seen = v;
  }
  w->seen[w->nseen].dev = st->dev;
  w->seen[w->nseen].ino = st->ino;
  w->nseen++;
  return 0;
}

static void warn(walker *w, const char *path, const char *msg) {
  if (w->warn) w->warn(w->ctx, path, msg);
}

/* os_listdir callback: files are pushed, subdirectories queued for later. */
static int on_entry(void *ctx, const char *name) {
  walker *w = ctx;
  if (name[0] == '.') return 0;
  char *path = indaga__sprintf("%s/%s", w->dir, name);
  if (!path) { w->rc = INDAGA_ENOMEM; return 1; }
  os_stat_info st;
  char *msg = NULL;
  int rc = os_stat(path, &st, &msg);
  if (rc == INDAGA_ENOMEM) { indaga__free(path); indaga__free(msg); w->rc = rc; return 1; }
  if (rc) {
    warn(w, path, msg ? msg : "cannot stat");
    indaga__free(msg);
    indaga__free(path);
    return 0;
  }
  if (st.is_dir) {
    indaga__free(path);
    if (w->nsub == w->capsub) {
      char **v = indaga__grow(w->subdirs, &w->capsub, sizeof *v, 16);
      if (!v) { w->rc = INDAGA_ENOMEM; return 1; }
      w->subdirs = v;
    }
    w->subdirs[w->nsub] = indaga__strdup(name);
    if (!w->subdirs[w->nsub]) { w->rc = INDAGA_ENOMEM; return 1; }
    w->nsub++;
    return 0;
  }
  if (!st.is_reg || !has_doc_ext(name)) { indaga__free(path); return 0; }
  char *id = *w->rel ? indaga__sprintf("%s/%s", w->rel, name) : indaga__strdup(name);
  rc = push(w->out, id, path, &st);
  if (rc) { w->rc = rc; return 1; }
  return 0;
}

/* Walk directory @dir whose id prefix is @rel. Sticky errors in w->rc. */
static void walk_dir(walker *w, const char *dir, const char *rel) {
  char **saved = w->subdirs;
  size_t saved_n = w->nsub, saved_cap = w->capsub;
  w->subdirs = NULL;
  w->nsub = w->capsub = 0;
  w->dir = dir;
  w->rel = rel;
  char *msg = NULL;
  int rc = os_listdir(dir, on_entry, w, &msg);
  if (rc < 0) {
    if (rc == INDAGA_ENOMEM) w->rc = rc;
    else warn(w, dir, msg ? msg : "cannot read directory");
  }
  indaga__free(msg);
  char **subs = w->subdirs;
  size_t nsub = w->nsub;
  for (size_t i = 0; i < nsub; i++) {
    char *path = indaga__sprintf("%s/%s", dir, subs[i]);
    char *id = *rel ? indaga__sprintf("%s/%s", rel, subs[i]) : indaga__strdup(subs[i]);
    os_stat_info st;
    int r = (path && id && w->rc == INDAGA_OK) ? os_stat(path, &st, NULL) : INDAGA_ENOMEM;
    if (r == INDAGA_OK) {
      r = seen_before(w, &st);
      if (r == 0) walk_dir(w, path, id);
      else if (r < 0) w->rc = r;
    } else if (r == INDAGA_ENOMEM && w->rc == INDAGA_OK) {
      w->rc = r;
    }
    indaga__free(path);
    indaga__free(id);
    indaga__free(subs[i]);
  }
  indaga__free(subs);
  w->subdirs = saved;
  w->nsub = saved_n;
  w->capsub = saved_cap;
}

static int cmp_entry(const void *a, const void *b) {
  return strcmp(((const walk_entry *)a)->id, ((const walk_entry *)b)->id);
}

/* Strip trailing slashes (keeping "/") into a fresh string. */
static char *clean_root(const char *root) {
  size_t n = strlen(root);
  while (n > 1 && root[n - 1] == '/') n--;
  return indaga__strndup(root, n);
}

int walk_tree(const char *root, const char *prefix, walk_list *out,
              void (*warnfn)(void *ctx, const char *path, const char *message), void *ctx,
              char **errmsg) {
  memset(out, 0, sizeof *out);
  char *r = clean_root(root);
  if (!r) return INDAGA_ENOMEM;
  os_stat_info st;
  int rc = os_stat(r, &st, errmsg);
  if (rc == INDAGA_OK && st.is_reg) {
    const char *base = strrchr(r, '/');
    base = base ? base + 1 : r;
    rc = push(out, indaga__strdup(base), indaga__strdup(r), &st);
  } else if (rc == INDAGA_OK && st.is_dir) {
    walker w = { 0 };
    w.out = out;
    w.warn = warnfn;
    w.ctx = ctx;
    out->root_is_dir = 1;
    rc = seen_before(&w, &st);
    if (rc == 0) walk_dir(&w, r, prefix ? prefix : "");
    rc = rc ? rc : w.rc;
    indaga__free(w.seen);
    if (rc == INDAGA_OK && out->n > 1) qsort(out->v, out->n, sizeof *out->v, cmp_entry);
  } else if (rc == INDAGA_OK) {
    if (errmsg) *errmsg = indaga__sprintf("%s: not a file or directory", r);
    rc = INDAGA_EINPUT;
  }
  indaga__free(r);
  if (rc) walk_list_free(out);
  return rc;
}

int walk_root_name(const char *root, char **name, char **errmsg) {
  char *r = clean_root(root);
  if (!r) return INDAGA_ENOMEM;
  const char *base = strrchr(r, '/');
  base = base ? base + 1 : r;
  int rc = INDAGA_OK;
  if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
    char *real = NULL;
    rc = os_realpath(r, &real, errmsg);
    if (rc == INDAGA_OK) {
      const char *b = strrchr(real, '/');
      *name = indaga__strdup(b && b[1] ? b + 1 : "root");
      indaga__free(real);
    }
  } else {
    *name = indaga__strdup(base);
  }
  indaga__free(r);
  if (rc == INDAGA_OK && !*name) rc = INDAGA_ENOMEM;
  return rc;
}
