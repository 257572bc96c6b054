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
};

/* The snapshot of @idx (borrowed until indaga_index_close). Never fails. */
const ix_snapshot *ix_index_snapshot(const indaga_index *idx);

#endif /* INDAGA_INDEX_H */
