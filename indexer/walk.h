/*
** walk.h: listing the documents under a root for indaga_writer_sync().
**
** A directory root is walked recursively: regular files ending in .txt,
** .md, .pdf, .docx, .odt, .html or .htm (any case), skipping names that start with '.', following symbolic
** links but entering each directory (by device and inode) at most once, so
** link loops end. A file root is that one file, whatever its name. Entries
** come back sorted by their id (the path relative to the root, '/'
** separated; for a file root, its name), which is the document order of
** the indexing run.
*/
#ifndef INDAGA_WALK_H
#define INDAGA_WALK_H

#include <stddef.h>
#include <stdint.h>

typedef struct walk_entry {
  char *id;            /* path relative to the root (owned) */
  char *path;          /* path to open (owned) */
  uint64_t size;
  int64_t mtime_ns;
} walk_entry;

typedef struct walk_list {
  walk_entry *v;
  size_t n, cap;
  int root_is_dir;     /* the root was a directory */
} walk_list;

/*
** Fill @out with the documents under @root. A directory's ids start with
** "@prefix/" when @prefix is not empty (indaga_writer_sync_many names each
** of several directories so); a file root's id is its name. Entries that cannot be read
** (a directory without permission, a dangling link) are reported through
** @warn (may be NULL) and left out. Returns INDAGA_OK; INDAGA_ENOTFOUND when
** @root does not exist, INDAGA_EINPUT when it is neither a file nor a
** directory, INDAGA_EIO, INDAGA_ENOMEM; *errmsg names the path.
*/
int walk_tree(const char *root, const char *prefix, walk_list *out,
              void (*warn)(void *ctx, const char *path, const char *message), void *ctx,
              char **errmsg);
void walk_list_free(walk_list *l);

/*
** The last component of directory @root ("un" for "data/un/"), resolving
** ".", ".." and "/" to the real directory's name. INDAGA_OK with *name to
** free, or the errors of os_realpath.
*/
int walk_root_name(const char *root, char **name, char **errmsg);

#endif /* INDAGA_WALK_H */
