/*
** os.c: file-system calls, with a fault-injection hook (see os.h).
*/
#ifdef __linux__
#define _GNU_SOURCE   /* mremap */
#endif
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "common/common.h"
#include "common/os.h"

static _Atomic unsigned g_kinds;
static _Atomic uint64_t g_at, g_count;
static _Atomic int g_err, g_sticky;

uint64_t os__fail_at(unsigned kinds, uint64_t n, int err, int sticky) {
  uint64_t c = atomic_exchange(&g_count, 0);
  atomic_store(&g_err, err);
  atomic_store(&g_sticky, sticky);
  atomic_store(&g_at, n);
  atomic_store(&g_kinds, n ? kinds : 0u);
  return c;
}

/* Return 1 (and set errno) when this call of kind @kind must fail. */
static int inject(unsigned kind) {
  if (!(atomic_load(&g_kinds) & kind)) return 0;
  uint64_t c = atomic_fetch_add(&g_count, 1) + 1;
  uint64_t at = atomic_load(&g_at);
  if (c == at || (c > at && atomic_load(&g_sticky))) {
    errno = atomic_load(&g_err);
    return 1;
  }
  return 0;
}

static int fail(char **errmsg, const char *what, const char *path, int e) {
  if (errmsg) *errmsg = indaga__sprintf("%s: %s: %s", path, what, strerror(e));
  return indaga__errno_status(e);
}

/* fail(), but a missing path (ENOENT, ENOTDIR) is INDAGA_ENOTFOUND "<path>: no such <thing>". */
static int fail_lookup(char **errmsg, const char *what, const char *path, int e, const char *thing) {
  if (e != ENOENT && e != ENOTDIR) return fail(errmsg, what, path, e);
  if (errmsg) *errmsg = indaga__sprintf("%s: no such %s", path, thing);
  return INDAGA_ENOTFOUND;
}

/*
** Open @path for reading and fstat it into *st. O_NONBLOCK: a FIFO put in a
** file's place must not block the open. Returns INDAGA_OK with *fd open, or
** INDAGA_ENOTFOUND, INDAGA_EINPUT (not a regular file) or an errno status,
** with *errmsg naming the path.
*/
static int open_beneath(const char *root, const char *rel, const char *path, int dflags,
                        int *fd_out, char **errmsg);

static int open_regular_at(const char *root, const char *rel, const char *path, int *fd_out,
                           struct stat *st, char **errmsg) {
  int fd = -1;
  *fd_out = -1;
  if (inject(OS_FAIL_OPEN)) return fail_lookup(errmsg, "cannot open", path, errno, "file");
  if (root) {
    int rc = open_beneath(root, rel, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, &fd, errmsg);
    if (rc) return rc;
  } else {
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return fail_lookup(errmsg, "cannot open", path, errno, "file");
  }
  if (fstat(fd, st) != 0) { int e = errno; close(fd); return fail(errmsg, "cannot stat", path, e); }
  if (!S_ISREG(st->st_mode)) {
    close(fd);
    if (errmsg) *errmsg = indaga__sprintf("%s: not a regular file", path);
    return INDAGA_EINPUT;
  }
  *fd_out = fd;
  return INDAGA_OK;
}

static int open_regular(const char *path, int *fd_out, struct stat *st, char **errmsg) {
  return open_regular_at(NULL, NULL, path, fd_out, st, errmsg);
}

int os_map_file(const char *path, os_map *out, char **errmsg) {
  out->p = NULL;
  out->n = 0;
  int fd;
  struct stat st;
  int orc = open_regular(path, &fd, &st, errmsg);
  if (orc) return orc;
  if (st.st_size > 0) {
    void *p = inject(OS_FAIL_MMAP) ? MAP_FAILED
              : mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) { int e = errno; close(fd); return fail(errmsg, "cannot map", path, e); }
    out->p = p;
    out->n = (size_t)st.st_size;
  }
  close(fd);
  return INDAGA_OK;
}

void os_unmap(os_map *m) {
  if (m->p) munmap((void *)(uintptr_t)m->p, m->n);
  m->p = NULL;
  m->n = 0;
}

static void fill_stat(const struct stat *st, os_stat_info *out) {
  out->size = (uint64_t)st->st_size;
  out->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
  out->is_dir = S_ISDIR(st->st_mode);
  out->is_reg = S_ISREG(st->st_mode);
  out->dev = (uint64_t)st->st_dev;
  out->ino = (uint64_t)st->st_ino;
  out->kind = S_ISREG(st->st_mode) ? OS_KIND_REG : S_ISDIR(st->st_mode) ? OS_KIND_DIR
            : S_ISLNK(st->st_mode) ? OS_KIND_LINK : S_ISFIFO(st->st_mode) ? OS_KIND_FIFO
            : S_ISSOCK(st->st_mode) ? OS_KIND_SOCK : S_ISCHR(st->st_mode) ? OS_KIND_CHR
            : S_ISBLK(st->st_mode) ? OS_KIND_BLK : OS_KIND_OTHER;
}

int os_stat(const char *path, os_stat_info *out, char **errmsg) {
  struct stat st;
  if (stat(path, &st) != 0) return fail_lookup(errmsg, "cannot stat", path, errno, "file or directory");
  fill_stat(&st, out);
  return INDAGA_OK;
}

int os_realpath(const char *path, char **out, char **errmsg) {
  *out = NULL;
  char *r = realpath(path, NULL);
  if (!r) return fail_lookup(errmsg, "cannot resolve", path, errno, "file or directory");
  *out = indaga__strdup(r);
  free(r);
  return *out ? INDAGA_OK : INDAGA_ENOMEM;
}

uint64_t os_random_id(void) {
  uint64_t v = 0;
  unsigned char *p = (unsigned char *)&v;
  size_t got = 0;
  while (got < sizeof v) {
    ssize_t n = getrandom(p + got, sizeof v - got, 0);
    if (n > 0) got += (size_t)n;
    else if (n < 0 && errno != EINTR) break;
  }
  if (got < sizeof v) {   /* no getrandom (old kernel): time, address and pid */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    v ^= (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t)ts.tv_sec << 20 ^
         (uint64_t)(uintptr_t)&v ^ (uint64_t)getpid() << 40;
  }
  return v ? v : 1;
}

int os_wfile_open(os_wfile *f, const char *path, char **errmsg) {
  memset(f, 0, sizeof *f);
  f->fd = -1;
  f->path = indaga__strdup(path);
  f->tmp = indaga__sprintf("%s.tmp", path);
  if (!f->path || !f->tmp) { os_wfile_abort(f); return INDAGA_ENOMEM; }
  f->fd = inject(OS_FAIL_OPEN) ? -1 : open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (f->fd < 0) {
    int rc = fail(errmsg, "cannot create", f->tmp, errno);
    os_wfile_abort(f);
    return rc;
  }
  return INDAGA_OK;
}

/*
** A file's pages enter the page cache in folios as large as the write()
** that made them (Linux 6.x file systems with large folios), and a fault
** on a mapped page maps its whole folio: a segment written 1 MiB at a time
** made each sparse read of it (a dictionary or postings cursor of a merge
** over 69 segments, a search's term lookups) add 1 MiB to the reader's
** resident size, not 64 KiB, and compact of a fresh 16x index peaked at
** 343 MB instead of 160. So writes go down at most WRITE_PIECE at a time.
*/
#define WRITE_PIECE ((size_t)64 << 10)

int os_wfile_write(os_wfile *f, const void *p, size_t n, char **errmsg) {
  const unsigned char *c = p;
  while (n > 0) {
    ssize_t w = inject(OS_FAIL_WRITE) ? -1 : write(f->fd, c, n < WRITE_PIECE ? n : WRITE_PIECE);
    if (w < 0) {
      if (errno == EINTR) continue;
      return fail(errmsg, "cannot write", f->tmp, errno);
    }
    c += w;
    n -= (size_t)w;
    f->size += (uint64_t)w;
    f->synced = 0;
  }
  return INDAGA_OK;
}

int os_wfile_sync(os_wfile *f, char **errmsg) {
  if (inject(OS_FAIL_FSYNC) || fsync(f->fd) != 0) return fail(errmsg, "cannot fsync", f->tmp, errno);
  f->synced = 1;
  return INDAGA_OK;
}

int os_wfile_commit(os_wfile *f, char **errmsg) {
  if (!f->synced) {
    int rc = os_wfile_sync(f, errmsg);
    if (rc) return rc;
  }
  return os_wfile_rename(f, errmsg);
}

int os_wfile_rename(os_wfile *f, char **errmsg) {
  int fd = f->fd;
  f->fd = -1;
  if (close(fd) != 0) return fail(errmsg, "cannot close", f->tmp, errno);
  if (inject(OS_FAIL_RENAME) || rename(f->tmp, f->path) != 0)
    return fail(errmsg, "cannot rename into place", f->tmp, errno);
  indaga__free(f->path);
  indaga__free(f->tmp);
  f->path = f->tmp = NULL;
  return INDAGA_OK;
}

void os_wfile_abort(os_wfile *f) {
  if (f->fd >= 0) close(f->fd);
  if (f->tmp) unlink(f->tmp);
  indaga__free(f->path);
  indaga__free(f->tmp);
  f->fd = -1;
  f->path = f->tmp = NULL;
}

int os_fsync_dir(const char *dir, char **errmsg) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return fail(errmsg, "cannot open directory", dir, errno);
  int rc = INDAGA_OK;
  if (inject(OS_FAIL_FSYNC) || fsync(fd) != 0) rc = fail(errmsg, "cannot fsync directory", dir, errno);
  close(fd);
  return rc;
}

int os_mkdir_p(const char *dir, char **errmsg) {
  char *z = indaga__strdup(dir);
  if (!z) return INDAGA_ENOMEM;
  int rc = INDAGA_OK;
  for (char *s = z + 1;; s++) {
    if (*s == '/' || *s == 0) {
      char c = *s;
      *s = 0;
      if (mkdir(z, 0755) != 0 && errno != EEXIST) { rc = fail(errmsg, "cannot create directory", z, errno); break; }
      *s = c;
      if (c == 0) break;
    }
  }
  indaga__free(z);
  return rc;
}

int os_remove(const char *path, char **errmsg) {
  if (unlink(path) != 0 && errno != ENOENT) return fail(errmsg, "cannot remove", path, errno);
  return INDAGA_OK;
}

int os_mkdir(const char *dir, char **errmsg) {
  if (mkdir(dir, 0755) != 0) return fail(errmsg, "cannot create directory", dir, errno);
  return INDAGA_OK;
}

int os_rmdir(const char *dir, char **errmsg) {
  if (rmdir(dir) != 0 && errno != ENOENT) return fail(errmsg, "cannot remove directory", dir, errno);
  return INDAGA_OK;
}

int os_link(const char *from, const char *to, char **errmsg) {
  if (link(from, to) == 0) return INDAGA_OK;
  int e = errno;
  if (e == EXDEV || e == EPERM || e == EMLINK || e == ENOTSUP || e == EOPNOTSUPP) return OS_LINK_CROSS;
  return fail_lookup(errmsg, "cannot link", e == ENOENT ? from : to, e, "file");
}

int os_rename(const char *from, const char *to, char **errmsg) {
  if (inject(OS_FAIL_RENAME) || rename(from, to) != 0) {
    int e = errno;
    if (errmsg) *errmsg = indaga__sprintf("%s: cannot rename to %s: %s", from, to, strerror(e));
    return indaga__errno_status(e);
  }
  return INDAGA_OK;
}

/*
** Read up to @n bytes at @off into @p, as many as the file has (*got):
** 0, or the errno of a failed read. Reads of os_rfile_read may fail by
** injection (@injectable, OS_FAIL_READ); os_load_file's may not, so that
** tests counting reads count only those of streamed files.
*/
static int read_full(int fd, void *p, size_t n, uint64_t off, int injectable, size_t *got) {
  size_t have = 0;
  while (have < n) {
    ssize_t r = injectable && inject(OS_FAIL_READ) ? -1 : pread(fd, (char *)p + have, n - have, (off_t)(off + have));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) { *got = have; return errno; }
    if (r == 0) break;
    have += (size_t)r;
  }
  *got = have;
  return 0;
}

int os_tfile_open(os_tfile *f, const char *path, char **errmsg) {
  memset(f, 0, sizeof *f);
  f->path = indaga__strdup(path);
  if (!f->path) { f->fd = -1; return INDAGA_ENOMEM; }
  f->fd = inject(OS_FAIL_OPEN) ? -1 : open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (f->fd < 0 || unlink(path) != 0) {
    int rc = fail(errmsg, f->fd < 0 ? "cannot create" : "cannot unlink", path, errno);
    os_tfile_close(f);
    return rc;
  }
  return INDAGA_OK;
}

int os_tfile_write(os_tfile *f, const void *p, size_t n, char **errmsg) {
  const unsigned char *c = p;
  while (n > 0) {
    ssize_t w = inject(OS_FAIL_WRITE) ? -1 : write(f->fd, c, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return fail(errmsg, "cannot write", f->path, errno);
    }
    c += w;
    n -= (size_t)w;
    f->size += (uint64_t)w;
  }
  return INDAGA_OK;
}

int os_tfile_read(const os_tfile *f, uint64_t off, void *p, size_t n, char **errmsg) {
  size_t got;
  int e = read_full(f->fd, p, n, off, 0, &got);
  if (e) return fail(errmsg, "cannot read", f->path, e);
  if (got != n) return fail(errmsg, "cannot read", f->path, EIO);
  return INDAGA_OK;
}

void os_tfile_close(os_tfile *f) {
  if (f->fd >= 0) close(f->fd);
  indaga__free(f->path);
  f->fd = -1;
  f->path = NULL;
}

/*
** read(), not mmap: a document may be truncated by another process while it
** is read, and touching a mapping past the new end of a file raises SIGBUS
** (ripgrep reads rather than maps walked files for the same reason). A file
** that shrinks gives what was there; one that grows gives its first
** st_size bytes (its new size and mtime make the next sync read it again).
*/
int os_load_file(const char *path, uint64_t max, char **out, size_t *n, char **errmsg) {
  return os_load_file_beneath(NULL, NULL, path, max, out, n, errmsg);
}

int os_load_file_beneath(const char *root, const char *rel, const char *path, uint64_t max,
                         char **out, size_t *n, char **errmsg) {
  *out = NULL;
  *n = 0;
  int fd;
  struct stat st;
  int orc = open_regular_at(root, rel, path, &fd, &st, errmsg);
  if (orc) return orc;
  if ((uint64_t)st.st_size > max || (uint64_t)st.st_size >= SIZE_MAX) {
    close(fd);
    if (errmsg)
      *errmsg = indaga__sprintf("%s: %.1f MB, larger than the %.1f MB a document may have: not indexed",
                                path, (double)st.st_size / 1048576.0, (double)max / 1048576.0);
    return INDAGA_EINPUT;
  }
  size_t want = (size_t)st.st_size, got = 0;
  char *p = indaga__malloc(want + 1);
  if (!p) { close(fd); return INDAGA_ENOMEM; }
  int e = read_full(fd, p, want, 0, 0, &got);   /* short when truncated since the fstat */
  close(fd);
  if (e) { indaga__free(p); return fail(errmsg, "cannot read", path, e); }
  p[got] = 0;
  *out = p;
  *n = got;
  return INDAGA_OK;
}

int os_rfile_open(os_rfile *f, const char *path, char **errmsg) {
  return os_rfile_open_beneath(f, NULL, NULL, path, errmsg);
}

int os_rfile_open_beneath(os_rfile *f, const char *root, const char *rel, const char *path,
                          char **errmsg) {
  struct stat st;
  f->fd = -1;
  f->size = 0;
  f->mtime_ns = 0;
  f->path = indaga__strdup(path);
  if (!f->path) return INDAGA_ENOMEM;
  int rc = open_regular_at(root, rel, path, &f->fd, &st, errmsg);
  if (rc) { indaga__free(f->path); f->path = NULL; return rc; }
  os_stat_info si;
  fill_stat(&st, &si);
  f->size = si.size;
  f->mtime_ns = si.mtime_ns;
  return INDAGA_OK;
}

int os_rfile_read(os_rfile *f, void *p, size_t n, uint64_t off, size_t *got, char **errmsg) {
  *got = 0;
  if (f->fd < 0) return INDAGA_EMISUSE;
  int e = read_full(f->fd, p, n, off, 1, got);
  return e ? fail(errmsg, "cannot read", f->path, e) : INDAGA_OK;
}

void os_rfile_close(os_rfile *f) {
  if (f->fd >= 0) close(f->fd);
  f->fd = -1;
  indaga__free(f->path);
  f->path = NULL;
}

int os_read_file(const char *path, char **out, size_t *n, char **errmsg) {
  os_map m;
  *out = NULL;
  *n = 0;
  int rc = os_map_file(path, &m, errmsg);
  if (rc) return rc;
  char *z = indaga__strndup(m.n ? (const char *)m.p : "", m.n);
  size_t len = m.n;
  os_unmap(&m);
  if (!z) return INDAGA_ENOMEM;
  *out = z;
  *n = len;
  return INDAGA_OK;
}

int os_copy_file(const char *from, const char *to, char **errmsg) {
  struct stat st;
  int in = -1;
  int rc = open_regular(from, &in, &st, errmsg);
  if (rc) return rc;
  int out = inject(OS_FAIL_OPEN) ? -1 : open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (out < 0) { rc = fail(errmsg, "cannot create", to, errno); close(in); return rc; }
  enum { CHUNK = 1 << 20 };
  char *b = indaga__malloc(CHUNK);
  uint64_t off = 0;
  if (!b) rc = INDAGA_ENOMEM;
  while (rc == INDAGA_OK) {
    size_t got = 0;
    int e = read_full(in, b, CHUNK, off, 0, &got);
    if (e) { rc = fail(errmsg, "cannot read", from, e); break; }
    for (size_t done = 0; done < got;) {
      ssize_t w = inject(OS_FAIL_WRITE) ? -1 : write(out, b + done, got - done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) { rc = fail(errmsg, "cannot write", to, errno); break; }
      done += (size_t)w;
    }
    off += got;
    if (got < CHUNK) break;
  }
  indaga__free(b);
  close(in);
  if (rc == INDAGA_OK && (inject(OS_FAIL_FSYNC) || fsync(out) != 0)) rc = fail(errmsg, "cannot fsync", to, errno);
  if (close(out) != 0 && rc == INDAGA_OK) rc = fail(errmsg, "cannot close", to, errno);
  if (rc) unlink(to);
  return rc;
}

int os_lock(const char *dir, int wait, int *fd_out, char **errmsg) {
  char *path = indaga__sprintf("%s/LOCK", dir);
  if (!path) return INDAGA_ENOMEM;
  int rc = INDAGA_OK;
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    rc = fail(errmsg, "cannot open lock file", path, errno);
  } else {
    while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
      if (errno == EINTR) continue;
      if (errno == EWOULDBLOCK) {
        if (errmsg) *errmsg = indaga__sprintf("%s: another indaga writer is running on this index", dir);
        rc = INDAGA_EBUSY;
      } else {
        rc = fail(errmsg, "cannot lock", path, errno);
      }
      close(fd);
      fd = -1;
      break;
    }
  }
  indaga__free(path);
  *fd_out = fd;
  return rc;
}

void os_unlock(int fd) {
  if (fd >= 0) close(fd);   /* closing releases the flock */
}

int os_listdir(const char *dir, int (*cb)(void *ctx, const char *name), void *ctx, char **errmsg) {
  DIR *d = opendir(dir);
  if (!d) return fail_lookup(errmsg, "cannot open directory", dir, errno, "directory");
  int rc = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    rc = cb(ctx, e->d_name);
    if (rc) break;
  }
  closedir(d);
  return rc;
}

/**************************************************************************
** Descriptors for the tree walk
*/
/* A failed open of a component: a symbolic link (refused by O_NOFOLLOW) says so. */
static int fail_open(char **errmsg, const char *path, int e) {
  if (e == ELOOP || e == EMLINK) {
    if (errmsg) *errmsg = indaga__sprintf("%s: is a symbolic link: not followed", path);
    return INDAGA_EINPUT;
  }
  return fail_lookup(errmsg, "cannot open", path, e, "file or directory");
}

/* Directories crossed on the way down need only search permission. */
#ifdef O_PATH
#define OS_SEARCH_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#else
#define OS_SEARCH_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#endif

/* Open @rel component by component under directory fd @dfd; the last with @last_flags. */
static int open_rel(int dfd, const char *rel, const char *path, int last_flags, int *fd_out,
                    char **errmsg) {
  int cur = dfd;
  const char *z = rel;
  *fd_out = -1;
  if (!*z) {   /* @dfd itself */
    int fd = openat(dfd, ".", last_flags | O_CLOEXEC);
    if (fd < 0) return fail_open(errmsg, path, errno);
    *fd_out = fd;
    return INDAGA_OK;
  }
  for (;;) {
    const char *slash = strchr(z, '/');
    size_t len = slash ? (size_t)(slash - z) : strlen(z);
    char name[256];
    if (len == 0 || len >= sizeof name || (len == 1 && z[0] == '.') || (len == 2 && z[0] == '.' && z[1] == '.')) {
      if (cur != dfd) close(cur);
      if (errmsg) *errmsg = indaga__sprintf("%s: not a plain path under the tree", path);
      return INDAGA_EINPUT;
    }
    memcpy(name, z, len);
    name[len] = 0;
    int fd = openat(cur, name, slash ? OS_SEARCH_FLAGS : (last_flags | O_NOFOLLOW | O_CLOEXEC));
    int e = errno;
    if (cur != dfd) close(cur);
    if (fd < 0) return fail_open(errmsg, path, e);
    if (!slash) { *fd_out = fd; return INDAGA_OK; }
    cur = fd;
    z = slash + 1;
  }
}

static int open_beneath(const char *root, const char *rel, const char *path, int flags,
                        int *fd_out, char **errmsg) {
  int rfd = open(root, OS_SEARCH_FLAGS & ~O_NOFOLLOW);   /* the root itself: as the user named it */
  *fd_out = -1;
  if (rfd < 0) return fail_lookup(errmsg, "cannot open directory", root, errno, "directory");
  int rc = open_rel(rfd, rel, path, flags, fd_out, errmsg);
  close(rfd);
  return rc;
}

int os_dir_open(const char *path, int *fd, char **errmsg) {
  *fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (*fd < 0) return fail_lookup(errmsg, "cannot open directory", path, errno, "directory");
  return INDAGA_OK;
}

int os_dir_openat(int dirfd, const char *name, const char *path, int *fd, char **errmsg) {
  *fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (*fd < 0) return fail_open(errmsg, path, errno);
  return INDAGA_OK;
}

int os_dir_open_beneath(int rootfd, const char *rel, const char *path, int *fd, char **errmsg) {
  return open_rel(rootfd, rel, path, O_RDONLY | O_DIRECTORY, fd, errmsg);
}

int os_statat(int dirfd, const char *name, const char *path, os_stat_info *out, char **errmsg) {
  struct stat st;
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return fail_lookup(errmsg, "cannot stat", path, errno, "file or directory");
  fill_stat(&st, out);
  return INDAGA_OK;
}

int os_fstat(int fd, const char *path, os_stat_info *out, char **errmsg) {
  struct stat st;
  if (fstat(fd, &st) != 0) return fail(errmsg, "cannot stat", path, errno);
  fill_stat(&st, out);
  return INDAGA_OK;
}

int os_readlinkat(int dirfd, const char *name, const char *path, char **out, char **errmsg) {
  char buf[4096];
  *out = NULL;
  ssize_t n = readlinkat(dirfd, name, buf, sizeof buf);
  if (n < 0) return fail_lookup(errmsg, "cannot read link", path, errno, "link");
  if ((size_t)n >= sizeof buf) {
    if (errmsg) *errmsg = indaga__sprintf("%s: link target longer than %zu bytes", path, sizeof buf - 1);
    return INDAGA_EINPUT;
  }
  *out = indaga__strndup(buf, (size_t)n);
  return *out ? INDAGA_OK : INDAGA_ENOMEM;
}

int os_listdir_fd(int fd, const char *path, int (*cb)(void *ctx, const char *name), void *ctx,
                  char **errmsg) {
  int dfd = dup(fd);
  DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
  if (!d) {
    int e = errno;
    if (dfd >= 0) close(dfd);
    return fail(errmsg, "cannot read directory", path, e);
  }
  rewinddir(d);
  int rc = 0;
  for (;;) {
    errno = 0;
    struct dirent *e = readdir(d);
    if (!e) {
      if (errno) rc = fail(errmsg, "cannot read directory", path, errno);
      break;
    }
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    rc = cb(ctx, e->d_name);
    if (rc) break;
  }
  closedir(d);
  return rc;
}

void os_close(int fd) {
  if (fd >= 0) close(fd);
}

#if defined(MADV_DONTNEED) || defined(MADV_WILLNEED)
/* madvise(@advice) over the pages holding bytes [off, off + len) of @m. */
static void advise_range(const os_map *m, uint64_t off, uint64_t len, int advice) {
  if (!m->p || off >= m->n || len == 0) return;
  if (len > m->n - off) len = m->n - off;
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), start = (uintptr_t)m->p + (uintptr_t)off;
  uintptr_t end = start + (uintptr_t)len;
  /* a mapping starts on a page, so this stays inside it; the kernel rounds the end up */
  start -= start % page;
  (void)madvise((void *)start, end - start, advice);
}
#endif

void os_map_drop_pages(const os_map *m) { os_map_drop_range(m, 0, m->n); }

void os_map_drop_range(const os_map *m, uint64_t off, uint64_t len) {
#ifdef MADV_DONTNEED
  advise_range(m, off, len, MADV_DONTNEED);
#else
  (void)m;
  (void)off;
  (void)len;
#endif
}

void os_map_will_need(const os_map *m, uint64_t off, uint64_t len) {
#ifdef MADV_WILLNEED
  advise_range(m, off, len, MADV_WILLNEED);
#else
  (void)m;
  (void)off;
  (void)len;
#endif
}

void os_advise_huge(void *p, size_t n) {
#ifdef MADV_HUGEPAGE
  (void)madvise(p, n, MADV_HUGEPAGE);
#else
  (void)p;
  (void)n;
#endif
}

#ifdef OS_HAVE_PAGES
size_t os_page_size(void) {
  static _Atomic size_t page;
  size_t n = atomic_load_explicit(&page, memory_order_relaxed);
  if (n == 0) {
    long v = sysconf(_SC_PAGESIZE);
    n = v > 0 ? (size_t)v : 4096;
    atomic_store_explicit(&page, n, memory_order_relaxed);
  }
  return n;
}

void *os_pages_map(size_t n) {
  void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

void *os_pages_resize(void *p, size_t old, size_t n) {
  void *q = mremap(p, old, n, MREMAP_MAYMOVE);
  return q == MAP_FAILED ? NULL : q;
}

void os_pages_unmap(void *p, size_t n) { (void)munmap(p, n); }
#endif
