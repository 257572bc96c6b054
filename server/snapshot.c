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
  uint64_t generation;
  unsigned refs;           /* requests holding it, +1 while it is current */
  srv_index *owner;
};

struct srv_index {
  pthread_mutex_t mu;
  char *dir;
  unsigned refresh_ms;
  srv_snap *cur;           /* NULL until an index could be opened */
  uint64_t looks;          /* looks at the directory so far: each one's ticket */
  uint64_t cur_look;       /* the look whose open made cur current */
  uint64_t last_look_ms;   /* when the directory was last looked at (0: never) */
  struct timespec mtime, ctime;
  int seen;                /* mtime/ctime hold a stat */
  unsigned live;           /* snapshots not yet closed */
  char why[512];           /* why there is no snapshot */
};

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

srv_index *srv_index_new(const char *dir, unsigned refresh_ms) {
  srv_index *si = calloc(1, sizeof *si);
  if (!si) return NULL;
  si->dir = strdup(dir);
  if (!si->dir || pthread_mutex_init(&si->mu, NULL)) {
    free(si->dir);
    free(si);
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
  free(s);
}

void srv_index_free(srv_index *si) {
  if (!si) return;
  srv_snap *old = si->cur ? unref_locked(si->cur) : NULL;
  snap_close(old);
  pthread_mutex_destroy(&si->mu);
  free(si->dir);
  free(si);
}

/* 1 when the directory changed since the last look (or was never seen); records the new times. */
static int dir_changed(srv_index *si) {
  struct stat st;
  if (stat(si->dir, &st) != 0) { si->seen = 0; return 1; }
  int changed = !si->seen || st.st_mtim.tv_sec != si->mtime.tv_sec ||
                st.st_mtim.tv_nsec != si->mtime.tv_nsec || st.st_ctim.tv_sec != si->ctime.tv_sec ||
                st.st_ctim.tv_nsec != si->ctime.tv_nsec;
  si->mtime = st.st_mtim;
  si->ctime = st.st_ctim;
  si->seen = 1;
  return changed;
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
  int rc = indaga_index_open(&idx, si->dir, NULL, &err);
  srv_snap *old = NULL;
  pthread_mutex_lock(&si->mu);
  if (rc) {
    snprintf(si->why, sizeof si->why, "%s", err ? err : indaga_strerror(rc));
    si->seen = 0;   /* look again next time */
  } else {
    indaga_stats st;
    indaga_index_stats(idx, &st);
    if (!si->cur || (look > si->cur_look && st.generation != si->cur->generation)) {
      srv_snap *s = calloc(1, sizeof *s);
      if (s) {
        s->idx = idx;
        s->generation = st.generation;
        s->refs = 1;
        s->owner = si;
        si->live++;
        if (si->cur) old = unref_locked(si->cur);
        si->cur = s;
        si->cur_look = look;
        const char *note = indaga_index_note(idx);
        if (note) fprintf(stderr, "indaga: warning: %s: %s\n", si->dir, note);
        idx = NULL;
      }
    }
  }
  pthread_mutex_unlock(&si->mu);
  indaga_free(err);
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
