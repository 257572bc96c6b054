/*
** analyze.h: the one analysis pipeline of indaga (DESIGN.md, "One analysis
** pipeline for text and queries"). The indexer and the query parser both
** call analyzer_run(), so a query word is normalised exactly as the text.
**
**   bytes -> UTF-8 decode (invalid bytes -> U+FFFD, counted)
**         -> tokens: runs of letters and digits, each with its position and
**            byte range; numbers, ordinals (16ª, 72º) and UN symbols
**            (A/72/565, S/RES/2354 (2017), A/69/102/Add.2) as whole tokens
**            and as their parts
**         -> lowercase (utf8proc), Snowball Spanish stem of the *accented*
**            lowercase word (libstemmer), then accents folded out of the stem
**            (ñ stays ñ, ü -> u): the term
**         -> key: the lowercase word with accents folded (ñ kept)
**         -> stopword flag (Snowball's Spanish list)
**
** Positions: each word token takes the next position. A whole symbol token
** takes the position of its first part, and its parts take consecutive
** positions, so phrases spanning a symbol still line up.
**
** Threading: an analyzer belongs to one thread (it owns an sb_stemmer and a
** word cache). Create one per thread.
*/
#ifndef INDAGA_ANALYZE_H
#define INDAGA_ANALYZE_H

#include <stddef.h>
#include <stdint.h>
#include "common/common.h"

#define TOK_STOP    0x01u   /* a stopword (flagged, still indexed) */
#define TOK_SYMBOL  0x02u   /* a whole UN document symbol ("s/res/2354 (2017)") */
#define TOK_NUMBER  0x04u   /* digits, possibly an ordinal (16ª) */
#define TOK_PART    0x08u   /* a part of a symbol, also emitted as its own token */

/* Longest token in bytes; a longer run of letters is cut into several tokens. */
#define IA_MAX_WORD 255

typedef struct ia_token {
  uint32_t pos;          /* token position */
  uint32_t flags;        /* TOK_* */
  size_t start, end;     /* byte range in the input (the word as written) */
  const char *term;      /* what the index matches; not NUL-terminated */
  size_t nterm;
  const char *key;       /* lowercase, accents folded (ñ kept); not NUL-terminated */
  size_t nkey;
} ia_token;
/* term/key point into the analyzer's memory and are valid only during the callback. */

typedef struct analyzer analyzer;

/* Create an analyzer. Returns INDAGA_OK or INDAGA_ENOMEM. */
int analyzer_new(analyzer **out);
void analyzer_free(analyzer *a);   /* accepts NULL */

/*
** Callback for each token, in order of start offset. Return 0 to continue,
** nonzero to stop: analyzer_run then returns that value.
*/
typedef int (*token_fn)(void *ctx, const ia_token *tok);

/*
** Analyse p[0..n). Calls cb for each token. *n_invalid (may be NULL) receives
** the number of invalid UTF-8 sequences met. Returns INDAGA_OK, INDAGA_ENOMEM,
** or the callback's nonzero return.
*/
int analyzer_run(analyzer *a, const char *p, size_t n, token_fn cb, void *ctx, size_t *n_invalid);

/*
** Normalise one word (already a single token's bytes) to its term and key,
** as analyzer_run would. The returned pointers are valid until the next call
** on @a. Returns INDAGA_OK or INDAGA_ENOMEM. Used by the query parser for
** prefix queries and by tests.
*/
int analyzer_word(analyzer *a, const char *p, size_t n,
                  const char **term, size_t *nterm, const char **key, size_t *nkey, int *is_stop);

/* Fold accents out of lowercase UTF-8 p[0..n) into out (ñ kept, ü -> u). */
int fold_accents(const char *p, size_t n, ia_buf *out);

#endif /* INDAGA_ANALYZE_H */
