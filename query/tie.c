/*
** tie.c: the order of hits that rank the same (query.h, qx_tie_cmp).
**
** Hits of equal tier and score are ordered by what they are, never by where
** they happen to be stored: by document id (bytewise), then the label of
** the index they come from (a search over several indexes may meet the same
** id in two of them), then the piece of a file indexed in pieces, then the
** paragraph's place in its document. Segment and paragraph numbers depend on
** how documents were spread over segments (flushes, merges, the indexes a
** collection was split into), so an order by them would differ between one
** index over a collection and several indexes over its parts; this one does
** not.
**
** It is asked only for hits whose scores are exactly equal, but a common
** word holds many paragraphs of one score, so it must be cheap. When the
** snapshot's documents lie in that order already (ix_snapshot_ordered: a
** fresh index of a sorted walk), it is the order of their places (segment,
** paragraph), and the evaluator may skip what ties (eval.c, qx_ties_by_place).
** Otherwise two hits of one segment compare the places of their documents
** in the segment's (id, piece) order (ix_para_place: a bisection and a load,
** no string); only hits of two segments read their document records.
*/
#include <string.h>
#include "query/query.h"

/*
** Document order (segment, paragraph): for records that cannot be read (the
** hit's own reads report them) or order tables that cannot be allocated.
*/
static int by_place(const qx_hit *x, const qx_hit *y) {
  if (x->seg != y->seg) return x->seg < y->seg ? -1 : 1;
  return x->pid < y->pid ? -1 : x->pid > y->pid;
}

int qx_tie_cmp(const ix_snapshot *s, const qx_hit *x, const qx_hit *y) {
  if ((x->seg == y->seg && x->pid == y->pid) || ix_snapshot_ordered(s)) return by_place(x, y);
  uint32_t da, db, ra, rb;
  if (ix_para_place(s, x->seg, x->pid, &da, &ra) || ix_para_place(s, y->seg, y->pid, &db, &rb)) return by_place(x, y);
  if (x->seg == y->seg) {
    if (ra != rb) return ra < rb ? -1 : 1;   /* (id, piece) order within the segment */
    return x->pid < y->pid ? -1 : 1;         /* one document: its order */
  }
  seg_doc a, b;
  if (seg_doc_get(ix_seg(s, x->seg), da, &a) || seg_doc_get(ix_seg(s, y->seg), db, &b)) return by_place(x, y);
  size_t n = a.nid < b.nid ? a.nid : b.nid;
  int c = n ? memcmp(a.id, b.id, n) : 0;
  if (c) return c < 0 ? -1 : 1;
  if (a.nid != b.nid) return a.nid < b.nid ? -1 : 1;
  const char *la = ix_seg_label(s, x->seg), *lb = ix_seg_label(s, y->seg);
  if (la && lb && (c = strcmp(la, lb)) != 0) return c < 0 ? -1 : 1;
  if (a.piece != b.piece) return a.piece < b.piece ? -1 : 1;
  uint32_t pa = x->pid - a.first_para, pb = y->pid - b.first_para;
  if (pa != pb) return pa < pb ? -1 : 1;
  return by_place(x, y);
}
