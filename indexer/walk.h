/*
** walk.h: listing the documents under a root for indaga_writer_sync().
**
** A directory root is walked recursively: regular files ending in .txt,
** .md, .pdf, .docx, .odt, .html or .htm (any case), skipping names that
** start with '.'. The walk never leaves the root: below it, symbolic links are not followed, and with
** WALK_FOLLOW_LINKS only those that resolve inside the root are (each
** directory, by device and inode, is walked at most once, so link loops
** end, and directories reached without a link are walked first). FIFOs,
** sockets and devices named like documents are skipped with a warning and
** never opened. A file root is that one file, whatever its name. The root
** itself is opened as named (a link there is the user's choice).
**
** Everything below the root is reached with openat/fstatat and O_NOFOLLOW
** (common/os.h), holding at most a handful of descriptors whatever the
** depth of the tree: one directory at a time (its parent is reopened
** through "..", checked by device and inode), plus the root.
**
** What cannot be read is kept, not lost: a directory that cannot be opened
** or listed (permissions, too many open files, I/O errors) and an entry
** that cannot be examined are reported through the warning callback and
** recorded in walk_list.kept, so the writer keeps what the index had under
** them instead of deleting it as gone.
**
** Entries come back sorted by their id (the path relative to the root, '/'
** separated; for a file root, its name), which is the document order of
** the indexing run.
*/
#ifndef INDAGA_WALK_H
#define INDAGA_WALK_H

#include <stddef.h>
#include <stdint.h>

#define WALK_FOLLOW_LINKS 0x1u   /* follow symbolic links that resolve inside the root */

typedef struct walk_entry {
  char *id;            /* path relative to the root (in the list's blocks; may end path's bytes) */
  char *path;          /* the path as the user sees it, for messages (in the list's blocks) */
  const char *root;    /* the directory root it lies under (owned by the list); NULL for a file root */
  char *rel;           /* its path under @root with no link in it (may end path's bytes); NULL for a file root */
  uint64_t size;
  int64_t mtime_ns;
} walk_entry;

typedef struct walk_list {
  walk_entry *v;
  size_t n, cap;
  char **blocks;       /* the entries' strings, end to end (owned) */
  size_t nblocks, capblocks;
  char *next;          /* free bytes at the end of the last block */
  size_t room;         /* how many */
  size_t blocks_mem;   /* bytes allocated for the blocks */
  int root_is_dir;     /* the root was a directory */
  char **roots;        /* the directory roots the entries point to (owned) */
  size_t nroots, caproots;
  char **kept;         /* ids ("a/b.txt") and id prefixes ("a/", "" for all) to keep: unreadable */
  size_t nkept, capkept;
  char *first_kept;    /* path of the first thing that could not be read, for messages */
  uint64_t warnings;   /* warnings reported (things skipped or kept) */
} walk_list;

typedef void (*walk_warn_fn)(void *ctx, const char *path, const char *message);

/*
** Fill @out with the documents under @root (@flags: WALK_*). A directory's
** ids start with "@prefix/" when @prefix is not empty (indaga_writer_sync_many
** names each of several directories so); a file root's id is its name.
** Entries that cannot be read, special files named like documents, and
** links not followed with WALK_FOLLOW_LINKS (out of the root, dangling,
** loops) are reported through @warn (may be NULL) and left out. Returns
** INDAGA_OK; INDAGA_ENOTFOUND when @root does not exist, INDAGA_EINPUT when
** it is neither a file nor a directory, INDAGA_ENOMEM; *errmsg names the
** path. Call walk_kept_sort before walk_is_kept.
*/
int walk_tree(const char *root, const char *prefix, unsigned flags, walk_list *out,
              walk_warn_fn warn, void *ctx, char **errmsg);
void walk_list_free(walk_list *l);

/*
** Move @l's entries, roots and kept ids into @out (@l is left empty).
** INDAGA_OK or INDAGA_ENOMEM (then @l keeps what was not moved).
*/
int walk_list_take(walk_list *out, walk_list *l);

/* Sort @l->kept for walk_is_kept. */
void walk_kept_sort(walk_list *l);

/* 1 when document @id (@n bytes) lies under something @l could not read. */
int walk_is_kept(const walk_list *l, const char *id, size_t n);

/*
** The last component of directory @root ("un" for "data/un/"), resolving
** ".", ".." and "/" to the real directory's name. INDAGA_OK with *name to
** free, or the errors of os_realpath.
*/
int walk_root_name(const char *root, char **name, char **errmsg);

#endif /* INDAGA_WALK_H */
