/*
** suggest.h: corrections of misspelled query words from the index's own
** vocabulary (DESIGN.md, "Queries": "A word the index does not know gets a
** suggestion from the vocabulary"). suggest.c says how.
*/
#ifndef INDAGA_SUGGEST_H
#define INDAGA_SUGGEST_H

#include <stddef.h>
#include "query/query.h"

/*
** The query @q[0..n) (parsed as @tree) with each searched word the index
** does not hold, or holds far less often than a close word, replaced by
** that word's key (accents folded), a capital first letter kept. *out is a
** NUL-terminated string in @a, or NULL when no word needs a correction;
** *unknown is 1 when a corrected word is held by no paragraph at all (the
** query as typed then finds nothing with it: the correction is the better
** query), else 0.
** Words under NOT, filter values, prefixes, numbers, stopwords and words
** of fewer than 4 letters are left alone. Work is bounded per word (see
** suggest.c). Returns INDAGA_OK, INDAGA_ENOMEM or INDAGA_ECORRUPT (with
** *err set, caller frees).
*/
int qs_suggest(qa_arena *a, analyzer *an, const ix_snapshot *s, const qnode *tree,
               const char *q, size_t n, char **out, int *unknown, char **err);

/*
** The Spanish-aware edit distance of suggest.c between two words' keys, in
** tenths of an edit (for tests). Stops counting at @max (returns max + 1).
*/
unsigned qs_distance(const char *x, size_t nx, const char *y, size_t ny, unsigned max);

#endif /* INDAGA_SUGGEST_H */
