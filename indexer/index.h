/*
** index.h: the public read handle (indaga_index) as the rest of the
** library sees it. An indaga_index is one ix_snapshot (segment.h) plus the
** directory it came from; api_index.c implements indaga_index_open, refresh,
** close and stats on it. The query engine reaches the snapshot through
** ix_index_snapshot() and never needs the struct's layout.
*/
#ifndef INDAGA_INDEX_H
#define INDAGA_INDEX_H

#include "indaga.h"
#include "indexer/segment.h"

struct indaga_index {
  ix_snapshot *snap;   /* the generation this handle reads (owned) */
  char *dir;           /* index directory, for refresh and messages (owned) */
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

#endif /* INDAGA_INDEX_H */
