/*
** index.h: the public read handle (indaga_index) as the rest of the
** library sees it. An indaga_index is one ix_snapshot (segment.h) plus the
** directory it came from; api_index.c implements indaga_index_open, refresh,
** close and stats on it. A handle over several index directories
** (indaga_index_open_many, api_multi.c) holds one handle per directory, its
** members, and a union snapshot over their segments. The query engine
** reaches the snapshot through ix_index_snapshot() and never needs the
** struct's layout.
*/
#ifndef INDAGA_INDEX_H
#define INDAGA_INDEX_H

#include "indaga.h"
#include "indexer/segment.h"

struct indaga_index {
  ix_snapshot *snap;   /* the generation this handle reads (owned); a union over the members' */
  char *dir;           /* index directory, for refresh and messages (owned); NULL for several */
  char *label;         /* what hits say they come from (indaga_hit_index; owned) */
  indaga_index **members; /* several directories: a handle on each (owned), else NULL */
  size_t nmembers;
  char *note;          /* several: the members' notes, each after its label (owned), or NULL */
  /*
  ** Reusable search state of the query engine (analyzers with warm word
  ** caches; query/pool.c), created by the first search with an atomic
  ** compare-and-swap, since searches share the handle; NULL until then.
  ** indaga_index_close calls search_pool_free on it when set.
  */
  void *search_pool;
  void (*search_pool_free)(void *pool);
};

/* The snapshot of @idx (borrowed until indaga_index_close). Never fails. */
const ix_snapshot *ix_index_snapshot(const indaga_index *idx);
/* The label of the index segment @seg of @idx's snapshot comes from. Never fails. */
const char *ix_index_seg_label(const indaga_index *idx, size_t seg);
/*
** Label of the index at @path when none is given (indaga_index_open_many):
** the last component of @path, or of its canonical path when that is "." or
** ".." (@path itself when it cannot be resolved). A fresh string, or NULL
** when out of memory.
*/
char *ix_default_label(const char *path);
/*
** The member of @idx (over several directories) holding live document
** @doc. INDAGA_OK, INDAGA_ENOTFOUND (none), INDAGA_EMISUSE (several: the
** message names them), ECORRUPT or ENOMEM; *errmsg says which.
*/
int ix_index_member_of(const indaga_index *idx, const char *doc, const indaga_index **out, char **errmsg);
/* indaga_index_refresh of a handle over several directories (api_multi.c). */
int ix_index_refresh_many(indaga_index **pidx, char **errmsg);

#endif /* INDAGA_INDEX_H */
