/*
** backup.c: indaga_backup(), a consistent copy of the newest committed
** generation while a writer may be committing (include/indaga.h).
**
** The copy is built in a temporary directory beside DEST, named
** "<DEST>.backup-<random>", and renamed to DEST at the end, so DEST is
** either absent (or the empty directory it was) or a complete index.
**
** One attempt opens the newest generation as a reader does (ix_snapshot_open:
** its manifest checked, every segment and deletion file it names checked
** against it), then hard-links each segment and deletion file it names into
** the temporary directory, or copies it (fsynced) when the file systems
** cannot link. Segments and deletion files are never rewritten under the
** same name (ids and generations only grow), so a link or copy of a name the
** manifest references is the very file the snapshot checked. The writer
** removes the files that neither of the two newest manifests names
** (writer.c): when one is gone before it was linked, the generation was
** superseded twice meanwhile; the attempt is undone and the next one takes
** the newer generation, at most BACKUP_TRIES times.
**
** The manifest is written anew (ix_manifest_write) with the same segments,
** roots and generation, but without IX_PREV_KEPT: the copy holds one
** generation, and a kept predecessor that is absent would read as a sign
** of a lost newer manifest (ix_gap_note).
*/
#include <string.h>
#include <time.h>
#include "common/common.h"
#include "common/os.h"
#include "common/testhook.h"
#include "indexer/manifest.h"
#include "indexer/segment.h"

#define BACKUP_TRIES 64

/* os_listdir callback: 1 at the first entry. */
static int any_entry(void *ctx, const char *name) {
  (void)ctx;
  (void)name;
  return 1;
}

typedef struct rm_ctx {
  const char *dir;
  int rc;
} rm_ctx;

static int rm_entry(void *ctx, const char *name) {
  rm_ctx *c = ctx;
  char *p = indaga__sprintf("%s/%s", c->dir, name);
  if (!p) { c->rc = INDAGA_ENOMEM; return 1; }
  int rc = os_remove(p, NULL);
  indaga__free(p);
  if (rc && !c->rc) c->rc = rc;
  return 0;
}

/* Remove every file in @dir (flat: backup makes no subdirectories). */
static int empty_dir(const char *dir) {
  rm_ctx c = { dir, INDAGA_OK };
  int rc = os_listdir(dir, rm_entry, &c, NULL);
  return rc ? rc : c.rc;
}

/*
** DEST must not exist, or be an empty directory. INDAGA_OK, or
** INDAGA_EMISUSE with a message naming it.
*/
static int check_dest(const char *dest, char **errmsg) {
  os_stat_info st;
  char *msg = NULL;
  int rc = os_stat(dest, &st, &msg);
  indaga__free(msg);
  if (rc == INDAGA_ENOTFOUND) return INDAGA_OK;
  if (rc) return os_stat(dest, &st, errmsg);
  if (!st.is_dir) {
    if (errmsg) *errmsg = indaga__sprintf("%s: exists and is not a directory; a backup goes to a "
                                          "new or empty directory", dest);
    return INDAGA_EMISUSE;
  }
  rc = os_listdir(dest, any_entry, NULL, errmsg);
  if (rc == 1) {
    if (errmsg) *errmsg = indaga__sprintf("%s: exists and is not empty; a backup goes to a new "
                                          "or empty directory", dest);
    return INDAGA_EMISUSE;
  }
  return rc;
}

/* Link @name from @src into @dst, or copy it. INDAGA_ENOTFOUND when it is gone. */
static int take_file(const char *src, const char *dst, const char *name, char **errmsg) {
  char *from = indaga__sprintf("%s/%s", src, name);
  char *to = indaga__sprintf("%s/%s", dst, name);
  int rc = INDAGA_ENOMEM;
  if (from && to) {
    rc = os_link(from, to, errmsg);
    if (rc == OS_LINK_CROSS) rc = os_copy_file(from, to, errmsg);
  }
  indaga__free(from);
  indaga__free(to);
  return rc;
}

/* The name of path @p within its directory (@p without a trailing '/'). */
static const char *base_name(const char *p) {
  const char *s = strrchr(p, '/');
  return s ? s + 1 : p;
}

/*
** One attempt: the newest generation of @index into @tmp (empty). Sets
** *gen. INDAGA_ENOTFOUND when a file vanished under a newer commit.
*/
static int copy_newest(const char *index, const char *tmp, uint64_t *gen, char **errmsg) {
  ix_snapshot *s = NULL;
  int rc = ix_snapshot_open(&s, index, errmsg);
  if (rc) return rc;
  const ix_manifest *m = ix_snapshot_manifest(s);
  *gen = m->generation;
  uint64_t pause = test_knob(TEST_BACKUP_PAUSE_MS, 0);
  if (pause) {
    struct timespec ts = { (time_t)(pause / 1000), (long)(pause % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0) {}
  }
  for (size_t i = 0; rc == INDAGA_OK && i < m->nsegs; i++) {
    const ix_seg_entry *e = &m->segs[i];
    char *p = ix_seg_path(index, e->id);
    rc = p ? take_file(index, tmp, base_name(p), errmsg) : INDAGA_ENOMEM;
    indaga__free(p);
    if (rc == INDAGA_OK && e->del_gen) {
      p = ix_del_path(index, e->id, e->del_gen);
      rc = p ? take_file(index, tmp, base_name(p), errmsg) : INDAGA_ENOMEM;
      indaga__free(p);
    }
  }
  if (rc == INDAGA_OK) {
    ix_manifest copy;
    rc = ix_manifest_copy(&copy, m);
    if (rc == INDAGA_OK) {
      copy.flags &= ~IX_PREV_KEPT;
      rc = ix_manifest_write(&copy, tmp, errmsg);
      ix_manifest_clear(&copy);
    }
  }
  ix_snapshot_free(s);
  return rc;
}

int indaga_backup(const char *index, const char *dest, uint64_t *generation, char **errmsg) {
  if (errmsg) *errmsg = NULL;
  if (generation) *generation = 0;
  if (!index || !dest || !*index || !*dest) {
    if (errmsg) *errmsg = indaga__sprintf("indaga_backup: the index and DEST must be given");
    return INDAGA_EMISUSE;
  }
  int rc = check_dest(dest, errmsg);
  if (rc) return rc;
  /* DEST without trailing slashes, so that the temporary directory is its sibling. */
  size_t n = strlen(dest);
  while (n > 1 && dest[n - 1] == '/') n--;
  char *d = indaga__strndup(dest, n);
  char *tmp = d ? indaga__sprintf("%s.backup-%016llx", d, (unsigned long long)os_random_id()) : NULL;
  if (!tmp) { indaga__free(d); return INDAGA_ENOMEM; }
  rc = os_mkdir(tmp, errmsg);
  if (rc) { indaga__free(d); indaga__free(tmp); return rc; }
  uint64_t gen = 0;
  for (int tries = 1;; tries++) {
    char *msg = NULL;
    rc = copy_newest(index, tmp, &gen, &msg);
    if (rc != INDAGA_ENOTFOUND) {
      if (errmsg) *errmsg = msg;
      else indaga__free(msg);
      break;
    }
    /* A file of generation @gen vanished: a newer commit superseded it. Start over. */
    int erc = empty_dir(tmp);
    if (erc || tries == BACKUP_TRIES) {
      if (errmsg)
        *errmsg = erc ? indaga__sprintf("%s: cannot empty the temporary directory", tmp)
                      : indaga__sprintf("%s: the index changed under each of %d attempts to copy "
                                        "it (last: %s)", index, BACKUP_TRIES, msg ? msg : "a file vanished");
      indaga__free(msg);
      rc = erc ? erc : INDAGA_EIO;
      break;
    }
    indaga__free(msg);
  }
  if (rc == INDAGA_OK) rc = os_fsync_dir(tmp, errmsg);
  if (rc == INDAGA_OK) {
    rc = os_rename(tmp, d, errmsg);
    if (rc == INDAGA_OK) {
      const char *slash = strrchr(d, '/');
      char *parent = slash == d ? indaga__strdup("/")
                     : slash ? indaga__strndup(d, (size_t)(slash - d)) : indaga__strdup(".");
      rc = parent ? os_fsync_dir(parent, errmsg) : INDAGA_ENOMEM;
      indaga__free(parent);
      if (rc == INDAGA_OK && generation) *generation = gen;
    }
  }
  if (rc) {
    /* Nothing half-made stays behind (after the rename, only a failed fsync of the parent). */
    char *exists = NULL;
    os_stat_info st;
    if (os_stat(tmp, &st, &exists) == INDAGA_OK) {
      empty_dir(tmp);
      os_rmdir(tmp, NULL);
    }
    indaga__free(exists);
  }
  indaga__free(d);
  indaga__free(tmp);
  return rc;
}
