/*
** snapshot.c: the index as requests see it (server.h).
**
** A commit by `indaga index` writes new files into the index directory and
** renames the new manifest into place, so the directory's modification
** time changes. Each request asks for the current snapshot; when
** refresh_ms have passed since the last look, that request stats the
** directory (one system call) and, only when its mtime or ctime moved,
** opens the newest generation (indaga_index_open) and makes it current if
** it is another one (newer; or lower, for an index rebuilt from scratch). The stat is taken before the open, so a commit that lands
** during the open is seen at the next look. indaga_index_refresh() is not
** used because it closes the old handle, which requests in flight may
** still be reading: here each snapshot is reference-counted, every request
** holds one from its start to its end (so it answers from one complete
** generation), and a replaced snapshot is closed by whoever releases it
** last. The mutex covers the pointer swap and the counts; searches run
** outside it, on the shared handle (thread-safe, indaga.h).
**
** Several index directories (`serve --index A --index B`) are watched
** together: a change in any of them reopens them all as one handle
** (indaga_index_open_many), made current when any index's generation
** moved; the snapshot's generation is then the sum of theirs, which grows
** with every commit to any of them.
**
** When there is no index yet, or it cannot be opened, requests get NULL
** and the reason (answered 503), and the next look tries again. A
** generation read with a note (indaga_index_note: it may not be the newest
** committed) is served, and the note goes to stderr and /healthz.
*/
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "server/server.h"

struct srv_snap {
  indaga_index *idx;
  uint64_t generation;     /* one index's; several: the sum of theirs */
  uint64_t *gens;          /* each index's generation (ndirs of the owner) */
  unsigned refs;           /* requests holding it, +1 while it is current */
  srv_index *owner;
};

struct srv_index {
  pthread_mutex_t mu;
  char **dirs;             /* the index directories */
  size_t ndirs;
  unsigned refresh_ms;
  srv_snap *cur;           /* NULL until an index could be opened */
  uint64_t looks;          /* looks at the directory so far: each one's ticket */
  uint64_t cur_look;       /* the look whose open made cur current */
  uint64_t last_look_ms;   /* when the directory was last looked at (0: never) */
  struct timespec *mtime, *ctime; /* each directory's, at the last look */
  int seen;                /* mtime/ctime hold a stat of every directory */
  unsigned live;           /* snapshots not yet closed */
  char why[512];           /* why there is no snapshot */
};

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Free @si's own memory (not its snapshots). */
static void free_dirs(srv_index *si) {
  for (size_t i = 0; si->dirs && i < si->ndirs; i++) free(si->dirs[i]);
  free(si->dirs);
  free(si->mtime);
  free(si->ctime);
  free(si);
}

srv_index *srv_index_new(const char *const *dirs, size_t n, unsigned refresh_ms) {
  srv_index *si = calloc(1, sizeof *si);
  if (!si) return NULL;
  si->dirs = calloc(n, sizeof *si->dirs);
  si->mtime = calloc(n, sizeof *si->mtime);
  si->ctime = calloc(n, sizeof *si->ctime);
  int ok = si->dirs && si->mtime && si->ctime;
  for (size_t i = 0; ok && i < n; i++, si->ndirs++) ok = (si->dirs[i] = strdup(dirs[i])) != NULL;
  if (!ok || pthread_mutex_init(&si->mu, NULL)) {
    free_dirs(si);
    return NULL;
  }
  si->refresh_ms = refresh_ms;
  snprintf(si->why, sizeof si->why, "the index has not been opened yet");
  return si;
}

/* Drop one reference of @s; the caller holds si->mu. Returns @s when it is to be closed. */
static srv_snap *unref_locked(srv_snap *s) {
  if (--s->refs) return NULL;
  s->owner->live--;
  return s;
}

static void snap_close(srv_snap *s) {
  if (!s) return;
  indaga_index_close(s->idx);
  free(s->gens);
  free(s);
}

void srv_index_free(srv_index *si) {
  if (!si) return;
  srv_snap *old = si->cur ? unref_locked(si->cur) : NULL;
  snap_close(old);
  pthread_mutex_destroy(&si->mu);
  free_dirs(si);
}

/* 1 when a directory changed since the last look (or was never seen); records the new times. */
static int dir_changed(srv_index *si) {
  int changed = !si->seen;
  for (size_t i = 0; i < si->ndirs; i++) {
    struct stat st;
    if (stat(si->dirs[i], &st) != 0) { si->seen = 0; return 1; }
    changed |= st.st_mtim.tv_sec != si->mtime[i].tv_sec || st.st_mtim.tv_nsec != si->mtime[i].tv_nsec ||
               st.st_ctim.tv_sec != si->ctime[i].tv_sec || st.st_ctim.tv_nsec != si->ctime[i].tv_nsec;
    si->mtime[i] = st.st_mtim;
    si->ctime[i] = st.st_ctim;
  }
  si->seen = 1;
  return changed;
}

/* Each index's generation into @gens (si->ndirs), and their sum (one index: its generation). */
static uint64_t generations(const srv_index *si, const indaga_index *idx, uint64_t *gens) {
  uint64_t sum = 0;
  for (size_t i = 0; i < si->ndirs; i++) {
    indaga_stats st;
    memset(&st, 0, sizeof st);
    indaga_index_stats(indaga_index_member(idx, i), &st);
    gens[i] = st.generation;
    sum += st.generation;
  }
  return sum;
}

/* Does @s read other generations than @gens? */
static int moved(const srv_index *si, const srv_snap *s, const uint64_t *gens) {
  for (size_t i = 0; i < si->ndirs; i++)
    if (s->gens[i] != gens[i]) return 1;
  return 0;
}

/*
** Open the newest generation and make it current when it differs from the
** current one (a rebuilt index starts again from generation 1) and no
** later look has made its own open current already (opens may overlap;
** the later look saw the newer directory). Called without the mutex
** (opening reads the disk) with @look, the look's ticket; returns the
** snapshot that stopped being current, to close, or NULL.
*/
static srv_snap *reopen(srv_index *si, uint64_t look) {
  indaga_index *idx = NULL;
  char *err = NULL;
  int rc = si->ndirs == 1 ? indaga_index_open(&idx, si->dirs[0], NULL, &err)
                          : indaga_index_open_many(&idx, (const char *const *)si->dirs, NULL, si->ndirs, NULL, &err);
  uint64_t *gens = rc ? NULL : calloc(si->ndirs, sizeof *gens);
  uint64_t generation = gens ? generations(si, idx, gens) : 0;
  srv_snap *old = NULL;
  pthread_mutex_lock(&si->mu);
  if (rc) {
    snprintf(si->why, sizeof si->why, "%s", err ? err : indaga_strerror(rc));
    si->seen = 0;   /* look again next time */
  } else if (gens) {
    if (!si->cur || (look > si->cur_look && moved(si, si->cur, gens))) {
      srv_snap *s = calloc(1, sizeof *s);
      if (s) {
        s->idx = idx;
        s->generation = generation;
        s->gens = gens;
        gens = NULL;
        s->refs = 1;
        s->owner = si;
        si->live++;
        if (si->cur) old = unref_locked(si->cur);
        si->cur = s;
        si->cur_look = look;
        const char *note = indaga_index_note(idx);
        if (note) fprintf(stderr, "indaga: warning: %s: %s\n", si->ndirs == 1 ? si->dirs[0] : "indexes", note);
        idx = NULL;
      }
    }
  }
  pthread_mutex_unlock(&si->mu);
  indaga_free(err);
  free(gens);
  indaga_index_close(idx);   /* not newer (or no memory for it) */
  return old;
}

srv_snap *srv_snap_acquire(srv_index *si, char *why, size_t nwhy) {
  uint64_t now = now_ms();
  pthread_mutex_lock(&si->mu);
  int look = si->last_look_ms == 0 || now - si->last_look_ms >= si->refresh_ms;
  int changed = 0;
  uint64_t ticket = 0;
  if (look) {
    si->last_look_ms = now ? now : 1;
    changed = dir_changed(si) || !si->cur;
    ticket = ++si->looks;
  }
  pthread_mutex_unlock(&si->mu);
  if (changed) snap_close(reopen(si, ticket));
  pthread_mutex_lock(&si->mu);
  srv_snap *s = si->cur;
  if (s) s->refs++;
  else if (why && nwhy) snprintf(why, nwhy, "%s", si->why);
  pthread_mutex_unlock(&si->mu);
  return s;
}

void srv_snap_release(srv_snap *s) {
  if (!s) return;
  srv_index *si = s->owner;
  pthread_mutex_lock(&si->mu);
  srv_snap *dead = unref_locked(s);
  pthread_mutex_unlock(&si->mu);
  snap_close(dead);
}

const indaga_index *srv_snap_index(const srv_snap *s) { return s->idx; }

uint64_t srv_snap_generation(const srv_snap *s) { return s->generation; }

srv_index *srv_snap_owner(const srv_snap *s) { return s->owner; }

unsigned srv_index_live(srv_index *si) {
  pthread_mutex_lock(&si->mu);
  unsigned n = si->live;
  pthread_mutex_unlock(&si->mu);
  return n;
}
