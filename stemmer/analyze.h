/*
** analyze.h: the one analysis pipeline of indaga (DESIGN.md, "One analysis
** pipeline for text and queries"). The indexer and the query parser both
** call analyzer_run(), so a query word is normalised exactly as the text.
**
**   bytes -> UTF-8 decode (invalid bytes -> U+FFFD, counted; NUL separates)
**         -> tokens: runs of letters (L*), digits (Nd) and marks, each with
**            its position and byte range; numbers, ordinals (16ª, 72º) and
**            UN symbols (A/72/565, S/RES/2354 (2017), A/69/102/Add.2) as
**            whole tokens and as their parts
**         -> lowercase (utf8proc), Snowball Spanish stem of the *accented*
**            lowercase word (libstemmer), then accents folded out of the stem
**            (ñ stays ñ, ü -> u): the term
**         -> key: the lowercase word with accents folded (ñ kept)
**         -> stopword flag (Snowball's Spanish list)
**
** Decisions (tokenize.c and word.c say more):
**   - Separators: everything that is not a letter, digit or mark, so Markdown
**     markup, quotes, apostrophes ("l'Eau" -> l, eau) and hyphens ("costo-
**     beneficio" -> costo, beneficio) never make tokens.
**   - Numbers: ASCII digits go on over '.' or ',' followed by a digit, so
**     "24.042.875" and "0,75" are one TOK_NUMBER token whose term is the
**     number as written. A number is not stemmed, and neither is any word
**     with a digit in it ("G77" -> "g77").
**   - Ordinals: "16ª"/"72º"/"1.º" give the term "16ª"/"72º"/"1º" (TOK_NUMBER)
**     and then the plain number as a TOK_PART token at the same position.
**   - Symbols: see match_symbol() in tokenize.c; term "s/res/2354 (2017)".
**   - Numbering abbreviations: "Nº", "N°", "N.º", "N.°", "Nro.", "Núm.",
**     "Num." and "No."/"no." before a number (and their plurals: "Nºs.",
**     "Nros.", "Nos.") are one token, the number sign: term and key "nº"
**     whatever the spelling, not the word "número" (a query joins the two
**     before a number only); the number that follows is its own token. See
**     match_numero() in tokenize.c.
**   - Stopwords: a token is TOK_STOP when its folded key is a folded entry
**     of the list, so "esta"/"está", "si"/"sí", "el"/"él" are all stopwords.
**     Words with digits never are.
**   - HTML entities (&iacute;, &#237;) are the letters they name.
**   - Tokens are at most IA_MAX_WORD bytes: a longer run is cut.
**   - Snowball 3.0's rule for -acion/-ucion without accent is applied on top
**     of Debian's libstemmer 2.2 (word.c), so "informacion" -> "inform".
**
** Positions: each word token takes the next position. A whole symbol token
** takes the position of its first part, and its parts take consecutive
** positions, so phrases spanning a symbol still line up. An ordinal and its
** plain number share one position.
**
** Threading: an analyzer belongs to one thread (it owns an sb_stemmer and a
** word cache of at most 11 MiB, tags for analyzer_run_ids included). Create
** one per thread. There is no global state.
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
  uint64_t wid;          /* nonzero: names this (term, key) within its analyzer, see below */
} ia_token;
/* term/key point into the analyzer or into the input (plain numbers); valid only during the callback.
** wid lets a caller memoise per-token work without hashing the strings: two
** tokens from one analyzer with the same nonzero wid have the same term and
** key (it names the analyzer's cache entry and changes when the cache is
** rebuilt). 0 means no such name (numbers, symbols, uncached words). */

typedef struct analyzer analyzer;

/* An analyzer's memory at most (word cache and arena, stemmer, scratch), for budgets. */
#define ANALYZER_MAX_MEM ((size_t)13 << 20)

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
** The indexer's entry point: analyse p[0..n) exactly as analyzer_run would,
** but reduce each token to one number, (id << 32 | position), appended to
** @out in token order (out->v grows with indaga__realloc; the caller frees
** it). The id of a token is what @fn returned for it, or for an earlier
** token of the same word in the current scope (analyzer_ids_scope): @fn
** is called for the first token of each word of a scope, for every
** number, symbol and ordinal, and again after the word cache was emptied,
** so it must give one id to tokens of equal term and key within a scope
** (an interning table does). @fn returns 0 and sets *id (IA_ID_SKIP: no
** number is appended for the token), or nonzero to stop. Ids from 2^24 - 1
** up are not remembered (@fn is then asked each time). A repeated word
** thus costs no call and no string hashing: its cache entry's tag holds
** its id. Returns INDAGA_OK, INDAGA_ENOMEM, or @fn's nonzero return.
*/
typedef struct ia_occs {
  uint64_t *v;
  size_t n, cap;
} ia_occs;

#define IA_ID_SKIP UINT32_MAX
typedef int (*ia_id_fn)(void *ctx, const ia_token *tok, uint32_t *id);

int analyzer_run_ids(analyzer *a, const char *p, size_t n, ia_id_fn fn, void *ctx, ia_occs *out,
                     size_t *n_invalid);

/* Start a new scope of ids for analyzer_run_ids: every id given before is forgotten. */
void analyzer_ids_scope(analyzer *a);

/*
** Normalise one word (already a single token's bytes) to its term and key,
** as analyzer_run would for a token with exactly these bytes. Invalid UTF-8
** becomes U+FFFD. It does not split or detect symbols: give it one token.
** The returned pointers (any of the out-parameters may be NULL) are valid
** until the next call on @a, and may point into p itself (plain numbers).
** Returns INDAGA_OK or INDAGA_ENOMEM. Used by the query parser for prefix
** queries and by tests.
*/
int analyzer_word(analyzer *a, const char *p, size_t n,
                  const char **term, size_t *nterm, const char **key, size_t *nkey, int *is_stop);

/*
** Fold accents out of UTF-8 p[0..n), appending to out: canonical
** decomposition with combining marks dropped, except ñ/Ñ (also written
** n + U+0303), which stay; ü -> u, á -> a, ç -> c. Case is kept. Invalid
** UTF-8 becomes U+FFFD. Returns INDAGA_OK or INDAGA_ENOMEM (out->err set).
*/
int fold_accents(const char *p, size_t n, ia_buf *out);

#endif /* INDAGA_ANALYZE_H */
