/*
** walk.c: the tree walk of indaga_writer_sync() (contract in walk.h).
**
** Depth first, with an explicit stack (a deep tree never deepens the C
** stack). Each directory is listed whole through its descriptor, its names
** sorted, and each name examined with fstatat (links not followed): files
** are pushed, subdirectories remembered in the directory's frame. Going
** down opens the subdirectory with O_NOFOLLOW from its parent and checks it
** is the directory that was examined (device, inode); the parent is then
** closed, and going back up reopens it through ".." (or, when that is not
** the same directory any more, from the root along its link-free path), so
** the walk holds two descriptors plus the root's however deep the tree is.
**
** With WALK_FOLLOW_LINKS a link is resolved here, one component at a time
** under the root (resolve_link): a target that leaves the root, through
** ".." or an absolute path outside it, is refused. A link to a file becomes
** an entry opened later along the target's link-free path; a link to a
** directory is queued and walked after the main pass, so every directory
** reachable without links is walked under its own name first, and a link to
** a directory already walked (an ancestor: a loop; or a second name) is
** reported and not followed.
**
** The result is sorted by id at the end, so the order does not depend on
** the order readdir() returns.
*/
#include <stdlib.h>
#include <strings.h>
#include "common/common.h"
#include "common/os.h"
#include "indexer/walk.h"

#define MAX_LINK_HOPS 40     /* as the kernel's own limit of links in one path */
#define WALK_BLOCK ((size_t)64 << 10)  /* entries' strings lie in blocks of 64 KiB (block_room) */

typedef struct dev_ino { uint64_t dev, ino; } dev_ino;

typedef struct sub {         /* a subdirectory met in a listing */
  char *name;
  uint64_t dev, ino;
} sub;

typedef struct frame {       /* a directory on the way down */
  char *id;                  /* id prefix of its documents ("" at an unprefixed root) */
  char *canon;               /* its path under the root without links ("" for the root) */
  char *path;                /* as the user sees it, for messages */
  uint64_t dev, ino;
  sub *subs;
  size_t nsub, capsub, next; /* next: the subdirectory to walk next */
} frame;

typedef struct dlink {       /* a link to a directory, walked after the main pass */
  char *id, *canon, *path;
  uint64_t dev, ino;
} dlink;

typedef struct walker {
  walk_list *out;
  unsigned flags;
  const char *root;          /* as given (trailing slashes removed); owned by out->roots */
  char *realroot;            /* realpath of the root, for absolute link targets */
  int rootfd;
  dev_ino *seen;             /* directories walked: open addressing, capseen a power of two */
  size_t nseen, capseen;
  dlink *links;
  size_t nlinks, caplinks;
  frame *st;                 /* the stack */
  size_t nst, capst;
  char **names;              /* the listing being read */
  size_t nnames, capnames;
  walk_warn_fn warn;
  void *ctx;
  int rc;                    /* sticky INDAGA_ENOMEM */
} walker;

/**************************************************************************
** Lists
*/
void walk_list_free(walk_list *l) {
  for (size_t i = 0; i < l->nblocks; i++) indaga__free(l->blocks[i]);
  indaga__free(l->blocks);
  for (size_t i = 0; i < l->nroots; i++) indaga__free(l->roots[i]);
  for (size_t i = 0; i < l->nkept; i++) indaga__free(l->kept[i]);
  indaga__free(l->v);
  indaga__free(l->roots);
  indaga__free(l->kept);
  indaga__free(l->first_kept);
  memset(l, 0, sizeof *l);
}

/* Grow array *@v (capacity *@cap) to hold @need elements of @elem bytes. */
static int reserve(void **v, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return INDAGA_OK;
  void *nv = indaga__realloc(*v, need * elem);
  if (!nv) return INDAGA_ENOMEM;
  *v = nv;
  *cap = need;
  return INDAGA_OK;
}

int walk_list_take(walk_list *out, walk_list *l) {
  /* Room first, then the moves: a failure moves nothing. */
  if (reserve((void **)&out->v, &out->cap, out->n + l->n, sizeof *l->v) ||
      reserve((void **)&out->roots, &out->caproots, out->nroots + l->nroots, sizeof *l->roots) ||
      reserve((void **)&out->kept, &out->capkept, out->nkept + l->nkept, sizeof *l->kept) ||
      reserve((void **)&out->blocks, &out->capblocks, out->nblocks + l->nblocks, sizeof *l->blocks))
    return INDAGA_ENOMEM;
  if (l->n) memcpy(out->v + out->n, l->v, l->n * sizeof *l->v);
  if (l->nblocks) memcpy(out->blocks + out->nblocks, l->blocks, l->nblocks * sizeof *l->blocks);
  out->nblocks += l->nblocks;
  out->blocks_mem += l->blocks_mem;
  out->next = NULL;   /* the last block may be @l's: a push after this starts a new one */
  out->room = 0;
  if (l->nroots) memcpy(out->roots + out->nroots, l->roots, l->nroots * sizeof *l->roots);
  if (l->nkept) memcpy(out->kept + out->nkept, l->kept, l->nkept * sizeof *l->kept);
  out->n += l->n;
  out->nroots += l->nroots;
  out->nkept += l->nkept;
  out->root_is_dir |= l->root_is_dir;
  out->warnings += l->warnings;
  if (!out->first_kept) { out->first_kept = l->first_kept; l->first_kept = NULL; }
  indaga__free(l->v);
  indaga__free(l->blocks);
  indaga__free(l->roots);
  indaga__free(l->kept);
  indaga__free(l->first_kept);
  memset(l, 0, sizeof *l);
  return INDAGA_OK;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

void walk_kept_sort(walk_list *l) {
  if (l->nkept > 1) qsort(l->kept, l->nkept, sizeof *l->kept, cmp_str);
}

/* 1 when the first @n bytes of @id are a kept string (bsearch in the sorted list). */
static int kept_has(const walk_list *l, const char *id, size_t n) {
  size_t lo = 0, hi = l->nkept;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const char *k = l->kept[mid];
    int c = strncmp(k, id, n);
    if (c == 0) c = k[n] ? 1 : 0;
    if (c == 0) return 1;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return 0;
}

int walk_is_kept(const walk_list *l, const char *id, size_t n) {
  if (!l->nkept) return 0;
  if (kept_has(l, id, n) || kept_has(l, id, 0)) return 1;
  for (size_t i = 0; i < n; i++)
    if (id[i] == '/' && kept_has(l, id, i + 1)) return 1;
  return 0;
}

/**************************************************************************
** The walker's small pieces
*/
static int has_doc_ext(const char *name) {
  size_t n = strlen(name);
  static const char *const ext[] = {".txt", ".md", ".pdf", ".docx", ".odt", ".html", ".htm"};
  for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
    size_t k = strlen(ext[i]);
    if (n > k && !strcasecmp(name + n - k, ext[i])) return 1;
  }
  return 0;
}

/* @a "/" @b, or @b when @a is empty. NULL on ENOMEM. */
static char *join(const char *a, const char *b) {
  return *a ? indaga__sprintf("%s/%s", a, b) : indaga__strdup(b);
}

static void nomem(walker *w) { w->rc = INDAGA_ENOMEM; }

/* Report @msg about @path (a message of common/os.c starts with the path: not twice). */
static void warn(walker *w, const char *path, const char *msg) {
  size_t n = strlen(path);
  w->out->warnings++;
  if (!strncmp(msg, path, n) && msg[n] == ':' && msg[n + 1] == ' ') msg += n + 2;
  if (w->warn) w->warn(w->ctx, path, msg);
}

/* Record id @id (a directory: @dir, everything under it) as kept; @path names it. */
static void add_kept(walker *w, const char *id, int dir, const char *path) {
  walk_list *l = w->out;
  if (l->nkept + 2 > l->capkept) {
    char **v = indaga__grow(l->kept, &l->capkept, sizeof *v, 16);
    if (!v) { nomem(w); return; }
    l->kept = v;
  }
  char *k = dir && *id ? indaga__sprintf("%s/", id) : indaga__strdup(id);
  if (!k) { nomem(w); return; }
  l->kept[l->nkept++] = k;
  if (!l->first_kept && !(l->first_kept = indaga__strdup(path))) nomem(w);
}

/* Keep what the index has under id @id (a directory: @dir) and report @path. */
static void keep(walker *w, const char *id, int dir, const char *path, const char *msg) {
  warn(w, path, msg);
  add_kept(w, id, dir, path);
}

/*
** Room for @n bytes of strings in @l's blocks (WALK_BLOCK bytes each, or
** one of its own for longer), or NULL on ENOMEM: no allocation, header or
** rounding per entry (a tree of 176,720 files held 21 MB of strings as one
** allocation an entry).
*/
static char *block_room(walk_list *l, size_t n) {
  if (n > l->room) {
    if (l->nblocks == l->capblocks) {
      char **v = indaga__grow(l->blocks, &l->capblocks, sizeof *v, 16);
      if (!v) return NULL;
      l->blocks = v;
    }
    size_t size = n > WALK_BLOCK ? n : WALK_BLOCK;
    char *b = indaga__malloc(size);
    if (!b) return NULL;
    l->blocks[l->nblocks++] = b;
    l->blocks_mem += size;
    l->next = b;
    l->room = size;
  }
  char *z = l->next;
  l->next += n;
  l->room -= n;
  return z;
}

/* 1 when @s (@n bytes) ends @path (@npath bytes). */
static int ends(const char *path, size_t npath, const char *s, size_t n) {
  return n <= npath && !memcmp(path + npath - n, s, n);
}

/*
** Append an entry: a copy of its path in the list's blocks, then copies of
** its id and rel unless they end the path (they do in a tree with no prefix
** and no link: the copy of the path serves all three).
*/
static void push(walker *w, const char *id, const char *path, const char *canon, const os_stat_info *st) {
  walk_list *l = w->out;
  if (l->n == l->cap) {
    walk_entry *v = indaga__grow(l->v, &l->cap, sizeof *v, 64);
    if (!v) { nomem(w); return; }
    l->v = v;
  }
  size_t nid = strlen(id), npath = strlen(path), nrel = strlen(canon);
  int id_in = ends(path, npath, id, nid), rel_in = ends(path, npath, canon, nrel);
  char *z = block_room(l, npath + 1 + (id_in ? 0 : nid + 1) + (rel_in ? 0 : nrel + 1));
  if (!z) { nomem(w); return; }
  walk_entry *e = &l->v[l->n];
  e->path = memcpy(z, path, npath + 1);
  z += npath + 1;
  if (id_in) {
    e->id = e->path + npath - nid;
  } else {
    e->id = memcpy(z, id, nid + 1);
    z += nid + 1;
  }
  e->rel = rel_in ? e->path + npath - nrel : memcpy(z, canon, nrel + 1);
  e->root = w->root;
  e->size = st->size;
  e->mtime_ns = st->mtime_ns;
  l->n++;
}

static size_t hash_di(uint64_t dev, uint64_t ino) {
  uint64_t h = (dev * 0x9E3779B97F4A7C15u) ^ (ino * 0xC2B2AE3D27D4EB4Fu);
  return (size_t)(h ^ (h >> 29));
}

/* 1 when directory (@dev, @ino) was walked before; else remember it (0). */
static int seen_before(walker *w, uint64_t dev, uint64_t ino) {
  if (w->nseen * 2 >= w->capseen) {
    size_t cap = w->capseen ? w->capseen * 2 : 64;
    dev_ino *v = indaga__calloc(cap, sizeof *v);
    if (!v) { nomem(w); return 1; }
    for (size_t i = 0; i < w->capseen; i++) {
      if (!w->seen[i].ino && !w->seen[i].dev) continue;
      size_t j = hash_di(w->seen[i].dev, w->seen[i].ino) & (cap - 1);
      while (v[j].ino || v[j].dev) j = (j + 1) & (cap - 1);
      v[j] = w->seen[i];
    }
    indaga__free(w->seen);
    w->seen = v;
    w->capseen = cap;
  }
  /* (0, 0) marks an empty slot: stored as (0, 0) never happens for a real
     directory (inode 0 is not used), so it is safe to test for it. */
  size_t j = hash_di(dev, ino) & (w->capseen - 1);
  while (w->seen[j].ino || w->seen[j].dev) {
    if (w->seen[j].dev == dev && w->seen[j].ino == ino) return 1;
    j = (j + 1) & (w->capseen - 1);
  }
  w->seen[j].dev = dev;
  w->seen[j].ino = ino;
  w->nseen++;
  return 0;
}

static void frame_free(frame *f) {
  for (size_t i = 0; i < f->nsub; i++) indaga__free(f->subs[i].name);
  indaga__free(f->subs);
  indaga__free(f->id);
  indaga__free(f->canon);
  indaga__free(f->path);
  memset(f, 0, sizeof *f);
}

/* Push a frame (taking @id, @canon, @path). NULL on ENOMEM (they are freed). */
static frame *push_frame(walker *w, char *id, char *canon, char *path, uint64_t dev, uint64_t ino) {
  frame *f = NULL;
  if (id && canon && path && w->nst == w->capst) {
    frame *v = indaga__grow(w->st, &w->capst, sizeof *v, 16);
    if (v) w->st = v;
  }
  if (id && canon && path && w->nst < w->capst) f = &w->st[w->nst++];
  if (!f) {
    indaga__free(id);
    indaga__free(canon);
    indaga__free(path);
    nomem(w);
    return NULL;
  }
  memset(f, 0, sizeof *f);
  f->id = id;
  f->canon = canon;
  f->path = path;
  f->dev = dev;
  f->ino = ino;
  return f;
}

/**************************************************************************
** Links (WALK_FOLLOW_LINKS)
*/
enum { R_OK, R_OUTSIDE, R_DANGLING, R_LOOP, R_ERR };

/* Drop the last component of canonical path @z in place. */
static void strip_last(char *z) {
  char *s = strrchr(z, '/');
  if (s) *s = 0;
  else *z = 0;
}

/*
** Resolve link @name in the directory at canonical path @dir, one component
** at a time under the root, into *canon (fresh) and *st. R_OK, or why not
** (R_ERR with *why). ENOMEM is recorded in @w (R_ERR, *why NULL).
*/
static int resolve_link(walker *w, const char *dir, const char *name, const char *path,
                        char **canon, os_stat_info *st, char **why) {
  char *cur = indaga__strdup(dir), *rest = indaga__strdup(name);
  int hops = 0, have_st = 0, r = R_OK;
  *canon = NULL;
  *why = NULL;
  while (r == R_OK && cur && rest && *rest) {
    char *slash = strchr(rest, '/');
    char *c = rest, *more = slash ? slash + 1 : rest + strlen(rest);
    if (slash) *slash = 0;
    have_st = 0;
    if (!*c || !strcmp(c, ".")) { memmove(rest, more, strlen(more) + 1); continue; }
    if (!strcmp(c, "..")) {
      if (!*cur) { r = R_OUTSIDE; break; }
      strip_last(cur);
      memmove(rest, more, strlen(more) + 1);
      continue;
    }
    int dfd = -1, rc = os_dir_open_beneath(w->rootfd, cur, path, &dfd, why);
    if (rc == INDAGA_OK) rc = os_statat(dfd, c, path, st, NULL);
    if (rc == INDAGA_ENOTFOUND) { r = R_DANGLING; os_close(dfd); break; }
    if (rc) {
      if (!*why) *why = indaga__sprintf("%s: cannot resolve the symbolic link: %s", path, indaga_strerror(rc));
      os_close(dfd);
      r = R_ERR;
      break;
    }
    if (st->kind == OS_KIND_LINK) {
      char *t = NULL;
      if (++hops > MAX_LINK_HOPS) { os_close(dfd); r = R_LOOP; break; }
      rc = os_readlinkat(dfd, c, path, &t, why);
      os_close(dfd);
      if (rc) { r = R_ERR; break; }
      const char *tz = t;
      if (t[0] == '/') {
        size_t nr = strlen(w->realroot);
        if (!strcmp(w->realroot, "/")) nr = 0;
        if (strncmp(t, w->realroot, nr) || (t[nr] && t[nr] != '/')) { indaga__free(t); r = R_OUTSIDE; break; }
        tz = t + nr;
        cur[0] = 0;
      }
      char *nrest = *more ? indaga__sprintf("%s/%s", tz, more) : indaga__strdup(tz);
      indaga__free(t);
      indaga__free(rest);
      rest = nrest;
      continue;
    }
    os_close(dfd);
    char *ncur = join(cur, c);
    indaga__free(cur);
    cur = ncur;
    if (*more && st->kind != OS_KIND_DIR) { r = R_DANGLING; break; }
    memmove(rest, more, strlen(more) + 1);
    have_st = 1;
  }
  if (r == R_OK && cur && rest && !have_st) {   /* ended on a directory: ".." or the root */
    int dfd = -1;
    int rc = os_dir_open_beneath(w->rootfd, cur, path, &dfd, why);
    if (rc == INDAGA_OK) rc = os_fstat(dfd, path, st, why);
    os_close(dfd);
    if (rc) r = R_ERR;
  }
  if (!cur || !rest) { nomem(w); r = R_ERR; }
  indaga__free(rest);
  if (r == R_OK) *canon = cur;
  else indaga__free(cur);
  return r;
}

/* Follow link @name (id @id, shown as @path) of directory frame @f. */
static void follow_link(walker *w, const frame *f, const char *name, const char *id, const char *path) {
  char *canon = NULL, *why = NULL;
  os_stat_info st;
  int r = resolve_link(w, f->canon, name, path, &canon, &st, &why);
  if (w->rc) { indaga__free(why); return; }
  switch (r) {
  case R_OUTSIDE: warn(w, path, "symbolic link to outside the indexed tree: not followed"); break;
  case R_DANGLING: warn(w, path, "dangling symbolic link: skipped"); break;
  case R_LOOP: warn(w, path, "too many levels of symbolic links: skipped"); break;
  case R_ERR: keep(w, id, 1, path, why ? why : "cannot resolve the symbolic link"); break;
  default:
    if (st.kind == OS_KIND_REG) {
      if (has_doc_ext(name)) push(w, id, path, canon, &st);
    } else if (st.kind == OS_KIND_DIR) {
      if (w->nlinks == w->caplinks) {
        dlink *v = indaga__grow(w->links, &w->caplinks, sizeof *v, 8);
        if (!v) { nomem(w); break; }
        w->links = v;
      }
      dlink *d = &w->links[w->nlinks];
      d->id = indaga__strdup(id);
      d->path = indaga__strdup(path);
      d->canon = canon;
      d->dev = st.dev;
      d->ino = st.ino;
      canon = NULL;
      if (!d->id || !d->path) { indaga__free(d->id); indaga__free(d->path); indaga__free(d->canon); nomem(w); break; }
      w->nlinks++;
    } else if (has_doc_ext(name)) {
      warn(w, path, "symbolic link to a special file (not a regular file): skipped");
    }
  }
  indaga__free(canon);
  indaga__free(why);
}

/**************************************************************************
** Directories
*/
static int on_name(void *ctx, const char *name) {
  walker *w = ctx;
  if (name[0] == '.') return 0;
  if (w->nnames == w->capnames) {
    char **v = indaga__grow(w->names, &w->capnames, sizeof *v, 64);
    if (!v) { nomem(w); return 1; }
    w->names = v;
  }
  if (!(w->names[w->nnames] = indaga__strdup(name))) { nomem(w); return 1; }
  w->nnames++;
  return 0;
}

static const char *kind_name(int kind) {
  switch (kind) {
  case OS_KIND_FIFO: return "a FIFO (named pipe)";
  case OS_KIND_SOCK: return "a socket";
  case OS_KIND_CHR: return "a character device";
  case OS_KIND_BLK: return "a block device";
  default: return "not a regular file";
  }
}

/* Examine entry @name of directory frame @f (open as @fd). */
static void examine(walker *w, int fd, frame *f, const char *name) {
  char *id = join(f->id, name), *path = indaga__sprintf("%s/%s", f->path, name);
  char *canon = join(f->canon, name), *msg = NULL;
  os_stat_info st;
  int rc = id && path && canon ? os_statat(fd, name, path, &st, &msg) : INDAGA_ENOMEM;
  if (rc == INDAGA_ENOMEM) {
    nomem(w);
  } else if (rc == INDAGA_ENOTFOUND) {
    /* removed since the listing: gone */
  } else if (rc) {
    keep(w, id, 0, path, msg ? msg : "cannot stat");   /* a file, or a directory: */
    add_kept(w, id, 1, path);                          /* keep both */
  } else if (st.kind == OS_KIND_DIR) {
    if (f->nsub == f->capsub) {
      sub *v = indaga__grow(f->subs, &f->capsub, sizeof *v, 16);
      if (!v) { nomem(w); goto done; }
      f->subs = v;
    }
    if (!(f->subs[f->nsub].name = indaga__strdup(name))) { nomem(w); goto done; }
    f->subs[f->nsub].dev = st.dev;
    f->subs[f->nsub].ino = st.ino;
    f->nsub++;
  } else if (st.kind == OS_KIND_REG) {
    if (has_doc_ext(name)) push(w, id, path, canon, &st);
  } else if (st.kind == OS_KIND_LINK) {
    if (w->flags & WALK_FOLLOW_LINKS) follow_link(w, f, name, id, path);
  } else if (has_doc_ext(name)) {
    char *z = indaga__sprintf("%s, not a regular file: skipped", kind_name(st.kind));
    if (z) warn(w, path, z);
    else nomem(w);
    indaga__free(z);
  }
done:
  indaga__free(msg);
  indaga__free(id);
  indaga__free(path);
  indaga__free(canon);
}

/* List directory frame @f (open as @fd) and examine its entries in name order. */
static void list_dir(walker *w, int fd, frame *f) {
  char *msg = NULL;
  int rc = os_listdir_fd(fd, f->path, on_name, w, &msg);
  if (rc < 0 && rc != INDAGA_ENOMEM) keep(w, f->id, 1, f->path, msg ? msg : "cannot read directory");
  else if (rc < 0) nomem(w);
  indaga__free(msg);
  if (w->nnames > 1) qsort(w->names, w->nnames, sizeof *w->names, cmp_str);
  for (size_t i = 0; i < w->nnames; i++) {
    if (!w->rc) examine(w, fd, f, w->names[i]);
    indaga__free(w->names[i]);
  }
  w->nnames = 0;
}

/* Reopen directory frame @f from the root, checking it is still the same. -1 when not. */
static int reopen(walker *w, const frame *f) {
  int fd = -1;
  os_stat_info st;
  if (os_dir_open_beneath(w->rootfd, f->canon, f->path, &fd, NULL) != INDAGA_OK) return -1;
  if (os_fstat(fd, f->path, &st, NULL) != INDAGA_OK || st.dev != f->dev || st.ino != f->ino) {
    os_close(fd);
    return -1;
  }
  return fd;
}

/* Walk down into subdirectory @s of the top frame (open as @fd). The new fd, or @fd when not entered. */
static int enter(walker *w, int fd, sub *s) {
  frame *f = &w->st[w->nst - 1];
  char *id = join(f->id, s->name), *path = indaga__sprintf("%s/%s", f->path, s->name);
  char *canon = join(f->canon, s->name), *msg = NULL;
  int cfd = -1;
  os_stat_info st;
  if (!id || !path || !canon) {
    nomem(w);
  } else if (seen_before(w, s->dev, s->ino)) {
    /* a directory mounted twice: walked once */
  } else if (os_dir_openat(fd, s->name, path, &cfd, &msg) != INDAGA_OK) {
    if (msg && strstr(msg, "symbolic link")) {   /* replaced by a link since it was examined */
      if (w->flags & WALK_FOLLOW_LINKS) follow_link(w, f, s->name, id, path);
    } else if (!msg || !strstr(msg, "no such")) {
      keep(w, id, 1, path, msg ? msg : "cannot open directory");
    }
  } else if (os_fstat(cfd, path, &st, NULL) != INDAGA_OK || st.dev != s->dev || st.ino != s->ino) {
    keep(w, id, 1, path, "directory replaced while it was walked: kept as it was");
    os_close(cfd);
    cfd = -1;
  }
  indaga__free(msg);
  if (cfd < 0 || w->rc) {
    os_close(cfd);
    indaga__free(id);
    indaga__free(path);
    indaga__free(canon);
    return fd;
  }
  os_close(fd);
  frame *c = push_frame(w, id, canon, path, s->dev, s->ino);
  if (c) list_dir(w, cfd, c);
  return cfd;
}

/*
** Walk the directory open as @fd (taken) with id prefix @id, link-free path
** @canon and display path @path, all taken, down to its leaves.
*/
static void walk_from(walker *w, int fd, char *id, char *canon, char *path, uint64_t dev, uint64_t ino) {
  frame *f = push_frame(w, id, canon, path, dev, ino);
  if (!f) { os_close(fd); return; }
  list_dir(w, fd, f);
  while (w->nst > 0 && !w->rc) {
    frame *top = &w->st[w->nst - 1];
    if (top->next < top->nsub) {
      if (fd < 0 && (fd = reopen(w, top)) < 0) {   /* lost on the way back up */
        for (; top->next < top->nsub; top->next++) {
          char *sid = join(top->id, top->subs[top->next].name);
          char *sp = indaga__sprintf("%s/%s", top->path, top->subs[top->next].name);
          if (sid && sp) keep(w, sid, 1, sp, "directory moved while it was walked: kept as it was");
          else nomem(w);
          indaga__free(sid);
          indaga__free(sp);
        }
        continue;
      }
      fd = enter(w, fd, &top->subs[top->next++]);
      continue;
    }
    frame_free(top);
    w->nst--;
    if (w->nst == 0) break;
    frame *up = &w->st[w->nst - 1];
    int pfd = -1;
    os_stat_info st;
    if (fd >= 0 && os_dir_openat(fd, "..", up->path, &pfd, NULL) == INDAGA_OK &&
        (os_fstat(pfd, up->path, &st, NULL) != INDAGA_OK || st.dev != up->dev || st.ino != up->ino)) {
      os_close(pfd);
      pfd = -1;
    }
    os_close(fd);
    fd = pfd >= 0 ? pfd : up->next < up->nsub ? reopen(w, up) : -1;
  }
  os_close(fd);
  while (w->nst > 0) frame_free(&w->st[--w->nst]);
}

/* Walk the queued directory links, in the order they were found (the queue grows meanwhile). */
static void walk_links(walker *w) {
  for (size_t i = 0; i < w->nlinks && !w->rc; i++) {
    dlink *d = &w->links[i];
    int fd = -1;
    os_stat_info st;
    if (seen_before(w, d->dev, d->ino)) {
      if (!w->rc) warn(w, d->path, "symbolic link to a directory already walked (a loop, or a second name): not followed");
      continue;
    }
    char *msg = NULL;
    if (os_dir_open_beneath(w->rootfd, d->canon, d->path, &fd, &msg) != INDAGA_OK ||
        os_fstat(fd, d->path, &st, NULL) != INDAGA_OK || st.dev != d->dev || st.ino != d->ino) {
      keep(w, d->id, 1, d->path, msg ? msg : "directory replaced while it was walked: kept as it was");
      indaga__free(msg);
      os_close(fd);
      continue;
    }
    /* walk_from takes the strings, and may grow w->links (d moves) */
    char *id = d->id, *canon = d->canon, *path = d->path;
    uint64_t dev = d->dev, ino = d->ino;
    d->id = d->canon = d->path = NULL;
    walk_from(w, fd, id, canon, path, dev, ino);
  }
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

/* Walk directory root @r (taken by out->roots) with dev/ino @st. */
static void walk_root_dir(walker *w, char *r, const char *prefix, const os_stat_info *st) {
  walk_list *out = w->out;
  char *msg = NULL;
  int fd = -1;
  w->root = r;
  char *id = indaga__strdup(prefix ? prefix : ""), *canon = indaga__strdup(""), *path = indaga__strdup(r);
  if (!id || !canon || !path) goto nomem;
  if (os_dir_open(r, &w->rootfd, &msg) != INDAGA_OK ||
      os_dir_open_beneath(w->rootfd, "", r, &fd, &msg) != INDAGA_OK) {
    keep(w, id, 1, r, msg ? msg : "cannot open directory");
    goto done;
  }
  if ((w->flags & WALK_FOLLOW_LINKS) && os_realpath(r, &w->realroot, NULL) != INDAGA_OK) {
    w->flags &= ~WALK_FOLLOW_LINKS;   /* cannot tell inside from outside: follow nothing */
    warn(w, r, "cannot resolve the root's real path: symbolic links are not followed");
  }
  seen_before(w, st->dev, st->ino);
  walk_from(w, fd, id, canon, path, st->dev, st->ino);
  id = canon = path = NULL;
  walk_links(w);
  if (out->n > 1) qsort(out->v, out->n, sizeof *out->v, cmp_entry);
  goto done;
nomem:
  nomem(w);
done:
  indaga__free(id);
  indaga__free(canon);
  indaga__free(path);
  indaga__free(msg);
  os_close(w->rootfd);
  w->rootfd = -1;
}

int walk_tree(const char *root, const char *prefix, unsigned flags, walk_list *out,
              walk_warn_fn warnfn, void *ctx, char **errmsg) {
  memset(out, 0, sizeof *out);
  char *r = clean_root(root);
  if (!r) return INDAGA_ENOMEM;
  os_stat_info st;
  int rc = os_stat(r, &st, errmsg);
  if (rc == INDAGA_OK && st.is_reg) {
    const char *base = strrchr(r, '/');
    base = base ? base + 1 : r;
    walker w = { 0 };
    w.out = out;
    push(&w, base, r, "", &st);
    if (out->n) {   /* a file root is opened by its path as given */
      out->v[0].root = NULL;
      out->v[0].rel = NULL;
    }
    rc = w.rc;
    indaga__free(r);
  } else if (rc == INDAGA_OK && st.is_dir) {
    walker w = { 0 };
    w.out = out;
    w.flags = flags;
    w.warn = warnfn;
    w.ctx = ctx;
    w.rootfd = -1;
    out->root_is_dir = 1;
    out->roots = indaga__malloc(sizeof *out->roots);
    if (!out->roots) { indaga__free(r); return INDAGA_ENOMEM; }
    out->roots[0] = r;
    out->nroots = out->caproots = 1;
    walk_root_dir(&w, r, prefix, &st);
    for (size_t i = 0; i < w.nlinks; i++) {
      indaga__free(w.links[i].id);
      indaga__free(w.links[i].canon);
      indaga__free(w.links[i].path);
    }
    for (size_t i = 0; i < w.nnames; i++) indaga__free(w.names[i]);
    indaga__free(w.names);
    indaga__free(w.links);
    indaga__free(w.seen);
    indaga__free(w.st);
    indaga__free(w.realroot);
    rc = w.rc;
  } else {
    if (rc == INDAGA_OK) {
      if (errmsg) *errmsg = indaga__sprintf("%s: not a file or directory", r);
      rc = INDAGA_EINPUT;
    }
    indaga__free(r);
  }
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
