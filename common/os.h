/*
** os.h: the only code in libindaga that calls the file system (open, read,
** write, fsync, rename, unlink, mmap, flock, opendir). Keeping it in one place
** lets the failure tests inject ENOSPC/EIO into every write, fsync, rename and
** mmap in turn (os__fail_at), and keeps durability rules in one file.
**
** Every function returns INDAGA_OK or a negative status, and on failure sets
** *errmsg (when errmsg is not NULL) to a message naming the path and the
** system error; the caller frees it with indaga__free().
*/
#ifndef INDAGA_OS_H
#define INDAGA_OS_H

#include <stdint.h>
#include <stddef.h>

/* A read-only mapping of a whole file. An empty file maps to p == NULL, n == 0. */
typedef struct os_map {
  const unsigned char *p;
  size_t n;
} os_map;

int  os_map_file(const char *path, os_map *out, char **errmsg);
void os_unmap(os_map *m);

typedef struct os_stat_info {
  uint64_t size;
  int64_t mtime_ns;   /* modification time, nanoseconds since the epoch */
  int is_dir;
  int is_reg;
  uint64_t dev;       /* device and inode: identify a directory already visited */
  uint64_t ino;
  int kind;           /* OS_KIND_*: what the path is (a link itself for os_statat) */
} os_stat_info;

enum { OS_KIND_OTHER, OS_KIND_REG, OS_KIND_DIR, OS_KIND_LINK, OS_KIND_FIFO, OS_KIND_SOCK,
       OS_KIND_CHR, OS_KIND_BLK };

/* stat (follows symlinks). INDAGA_ENOTFOUND when the path does not exist. */
int os_stat(const char *path, os_stat_info *out, char **errmsg);
/* realpath: the absolute path without links, "." or "..", in *out (free with
** indaga__free). INDAGA_ENOTFOUND, INDAGA_EIO or INDAGA_ENOMEM, *errmsg naming @path. */
int os_realpath(const char *path, char **out, char **errmsg);
/* A random nonzero 64-bit number (getrandom), for ids that must differ between indexes. */
uint64_t os_random_id(void);

/*
** A file written under a temporary name and published atomically:
** os_wfile_open creates "<path>.tmp"; os_wfile_commit fsyncs it (unless
** os_wfile_sync already did: a caller may overlap that fsync with another),
** closes it and renames it to <path>; os_wfile_abort closes and removes it.
** os_wfile_rename publishes without any fsync, for a file whose name alone
** counts and whose bytes a crash may leave short. The caller fsyncs the
** directory (os_fsync_dir) once after its renames.
*/
typedef struct os_wfile {
  int fd;
  char *path;       /* final name */
  char *tmp;        /* temporary name */
  uint64_t size;    /* bytes written so far */
  int synced;       /* fsynced since the last write (os_wfile_sync) */
} os_wfile;

int  os_wfile_open(os_wfile *f, const char *path, char **errmsg);
int  os_wfile_write(os_wfile *f, const void *p, size_t n, char **errmsg);
int  os_wfile_sync(os_wfile *f, char **errmsg);
int  os_wfile_commit(os_wfile *f, char **errmsg);
int  os_wfile_rename(os_wfile *f, char **errmsg);
void os_wfile_abort(os_wfile *f);

/*
** A scratch file for bytes that do not fit in memory (indexer/spool.c):
** os_tfile_open creates @path (replacing a file left there by a crash)
** and unlinks it at once, so it goes away with its descriptor whatever
** happens; @path names it in messages. os_tfile_write appends;
** os_tfile_read reads exactly @n bytes at @off (a short read is
** INDAGA_EIO). Opens and writes fail by injection like a wfile's.
*/
typedef struct os_tfile {
  int fd;           /* -1: not open */
  char *path;
  uint64_t size;    /* bytes written */
} os_tfile;

int  os_tfile_open(os_tfile *f, const char *path, char **errmsg);
int  os_tfile_write(os_tfile *f, const void *p, size_t n, char **errmsg);
int  os_tfile_read(const os_tfile *f, uint64_t off, void *p, size_t n, char **errmsg);
void os_tfile_close(os_tfile *f);

int os_fsync_dir(const char *dir, char **errmsg);
int os_mkdir_p(const char *dir, char **errmsg);
int os_remove(const char *path, char **errmsg);   /* ENOENT is not an error */

/*
** For indaga backup (indexer/backup.c). os_mkdir creates one directory
** (0755), failing when it exists; os_rmdir removes an empty one (ENOENT is
** not an error). os_link makes @to a hard link to @from: INDAGA_OK;
** INDAGA_ENOTFOUND when @from is gone; OS_LINK_CROSS when this file system
** or pair of them cannot link (EXDEV, EPERM, EMLINK, ENOTSUP: copy
** instead); else an errno status. os_copy_file copies regular file @from
** to a new file @to (created exclusively, 0644) and fsyncs it: INDAGA_OK,
** INDAGA_ENOTFOUND when @from is gone, an errno status (@to then removed).
** os_rename renames; the caller fsyncs the directories.
*/
#define OS_LINK_CROSS 1
int os_mkdir(const char *dir, char **errmsg);
int os_rmdir(const char *dir, char **errmsg);
int os_link(const char *from, const char *to, char **errmsg);
int os_copy_file(const char *from, const char *to, char **errmsg);
int os_rename(const char *from, const char *to, char **errmsg);

/* Read a whole small file into a fresh buffer (NUL-terminated). */
int os_read_file(const char *path, char **out, size_t *n, char **errmsg);
/*
** Read a document into a fresh buffer (NUL-terminated, caller frees with
** indaga__free) with read(), safe against the file changing meanwhile.
** INDAGA_EINPUT (message naming the file) when it is not a regular file or
** is larger than @max bytes; INDAGA_ENOTFOUND, INDAGA_EIO, INDAGA_ENOMEM.
*/
int os_load_file(const char *path, uint64_t max, char **out, size_t *n, char **errmsg);

/*
** A document read in windows (indexer/docmodel_stream.c: a file larger than a
** piece is never loaded whole). os_rfile_open opens a regular file for
** reading (INDAGA_EINPUT naming it when it is not one; INDAGA_ENOTFOUND;
** an errno status) and gives its size and mtime at the open.
** os_rfile_read reads up to @n bytes at offset @off into @p with pread,
** retrying short reads; *got < n only at the end of the file. Its failures
** are injected as OS_FAIL_READ. os_rfile_close accepts a closed file.
*/
typedef struct os_rfile {
  int fd;
  char *path;         /* for messages */
  uint64_t size;
  int64_t mtime_ns;
} os_rfile;

int  os_rfile_open(os_rfile *f, const char *path, char **errmsg);
int  os_rfile_read(os_rfile *f, void *p, size_t n, uint64_t off, size_t *got, char **errmsg);
void os_rfile_close(os_rfile *f);

/*
** Walking a tree without leaving it (indexer/walk.c). A directory is held
** as a descriptor; everything below it is reached with openat/fstatat and
** O_NOFOLLOW one component at a time, so no symbolic link is followed
** unless the caller resolves it itself, and a check made on a descriptor
** holds for what is then read through it. @path only names the entry in
** messages. os_dir_open opens a directory by path, following links (a root
** the user named); os_dir_openat opens @name in @dirfd, refusing a link
** (INDAGA_EINPUT, "is a symbolic link"); os_dir_open_beneath opens @rel
** ("a/b", no "." or "..", "" for @rootfd itself) component by component
** the same way. os_statat is fstatat without following a link; os_fstat
** fstat. os_readlinkat gives a link's target in a fresh string. os_listdir_fd
** lists @fd as os_listdir does and fails (errno status naming @path) when
** readdir fails partway: the names given before then stand.
** Descriptors are closed with os_close (accepts -1).
*/
int  os_dir_open(const char *path, int *fd, char **errmsg);
int  os_dir_openat(int dirfd, const char *name, const char *path, int *fd, char **errmsg);
int  os_dir_open_beneath(int rootfd, const char *rel, const char *path, int *fd, char **errmsg);
int  os_statat(int dirfd, const char *name, const char *path, os_stat_info *out, char **errmsg);
int  os_fstat(int fd, const char *path, os_stat_info *out, char **errmsg);
int  os_readlinkat(int dirfd, const char *name, const char *path, char **out, char **errmsg);
int  os_listdir_fd(int fd, const char *path, int (*cb)(void *ctx, const char *name), void *ctx,
                   char **errmsg);
void os_close(int fd);

/*
** os_load_file and os_rfile_open for a document found by a walk: @rel
** ("a/b.txt", no link in it) under directory @root, opened component by
** component with O_NOFOLLOW, so a file or directory replaced by a symbolic
** link since the walk is refused (INDAGA_EINPUT naming @path) rather than
** followed out of the tree. With @root NULL, @path is opened as the plain
** calls do.
*/
int os_load_file_beneath(const char *root, const char *rel, const char *path, uint64_t max,
                         char **out, size_t *n, char **errmsg);
int os_rfile_open_beneath(os_rfile *f, const char *root, const char *rel, const char *path,
                          char **errmsg);

/*
** Take the exclusive writer lock <dir>/LOCK (flock). wait != 0 blocks until
** it is free; otherwise INDAGA_EBUSY at once when another process holds it.
*/
int  os_lock(const char *dir, int wait, int *fd_out, char **errmsg);
void os_unlock(int fd);

/*
** List the entries of directory @dir (not "." or ".."), calling cb with each
** name. cb returns 0 to go on, nonzero to stop (that value is returned).
*/
int os_listdir(const char *dir, int (*cb)(void *ctx, const char *name), void *ctx, char **errmsg);

/*
** Not the file system, but the kernel all the same: hint that [p, p + n), a
** large table read at random, be backed by huge pages (transparent huge
** pages, madvise mode), so its lookups do not each miss the TLB. Only the
** huge pages wholly inside the range are affected; p must be page aligned.
** A hint: it cannot fail, and does nothing where unsupported.
*/
void os_advise_huge(void *p, size_t n);
/*
** Another hint: the pages of mapping @m are not needed soon; they leave the
** process (its resident size) and stay in the page cache, to be read back
** from the file on the next touch. Does nothing where unsupported.
*/
void os_map_drop_pages(const os_map *m);
/* The same for the pages holding bytes [off, off + len) of @m. */
void os_map_drop_range(const os_map *m, uint64_t off, uint64_t len);
/*
** Another hint: bytes [off, off + len) of mapping @m will be read soon.
** The kernel starts reading exactly those pages, so that touching them
** does not fault in the megabytes around them that a fault would otherwise
** read ahead (the device's read_ahead_kb; 8 MB on some virtual disks).
** Out-of-range bytes are ignored; does nothing where unsupported.
*/
void os_map_will_need(const os_map *m, uint64_t off, uint64_t len);

/*
** Anonymous pages, the kernel's rather than malloc's, for the allocator's
** large blocks (common/alloc.c; Linux, where mremap is). os_page_size is
** the page size. os_pages_map gives @n zeroed read-write bytes on fresh
** pages (n a multiple of the page size), or NULL; os_pages_resize grows or
** shrinks such a mapping to @n bytes, in place or moved by the kernel (its
** pages change address, their bytes are not copied), or gives NULL and
** leaves it whole; os_pages_unmap returns it to the system. Their failures
** are not injected (OS_FAIL_MMAP): the allocation hook covers them.
*/
#ifdef __linux__
#define OS_HAVE_PAGES 1
size_t os_page_size(void);
void *os_pages_map(size_t n);
void *os_pages_resize(void *p, size_t old, size_t n);
void  os_pages_unmap(void *p, size_t n);
#endif

/* Fault injection for tests. */
#define OS_FAIL_WRITE  0x01u
#define OS_FAIL_FSYNC  0x02u
#define OS_FAIL_RENAME 0x04u
#define OS_FAIL_MMAP   0x08u
#define OS_FAIL_OPEN   0x10u
#define OS_FAIL_READ   0x20u   /* os_rfile_read only; not in OS_FAIL_ALL */
#define OS_FAIL_ALL    0x1fu
/*
** Make the Nth call (1 = next) of any kind in @kinds fail with errno @err
** (e.g. ENOSPC, EIO); every later one too if @sticky. n == 0 disables.
** Returns the number of matching calls since the previous arming.
*/
uint64_t os__fail_at(unsigned kinds, uint64_t n, int err, int sticky);

#endif /* INDAGA_OS_H */
