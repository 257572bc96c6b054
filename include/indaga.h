/*
** indaga.h: the one stable public interface of libindaga, full-text search
** for Spanish documents (UN letters, reports, resolutions; legislation).
**
** If a function, type or constant is not declared in this file it is not
** part of the published API and may change without notice.
**
** ------------------------------------------------------------------------
** THREADING
**
**   - An indaga_index is an immutable snapshot of one generation of an
**     index. It may be shared by any number of threads, which may call
**     indaga_search() on it at the same time. Each call returns its own
**     indaga_results, owned by the caller and used by one thread at a time.
**   - An indaga_writer belongs to one thread. There is at most one writer
**     per index directory, across processes: a second one gets INDAGA_EBUSY
**     (or waits, with INDAGA_WRITER_WAIT).
**   - A writer's commit never disturbs open snapshots: they keep reading
**     the generation they opened. indaga_index_refresh() moves to the newest.
**   - The library has no global setting except the allocator set by
**     indaga_config_allocator(), which must be called before any other call.
**     It changes no setting of the process, malloc's included: with the
**     default allocator it maps each block of 512 KiB or more itself (mmap,
**     mremap to grow it, munmap to free it), so that the writer's large
**     buffers leave the process when freed and its memory budget holds
**     whatever malloc does with its own.
**
** OWNERSHIP
**
**   Every pointer returned by an accessor (strings, arrays, hit structs) is
**   owned by the handle it came from and stays valid until that handle is
**   freed. Strings are NUL-terminated UTF-8 unless a length is returned too.
**   Every destructor accepts NULL.
**
** ERRORS
**
**   Functions that can fail return an int status: INDAGA_OK (0) or one of
**   the negative INDAGA_E* codes. indaga_strerror() names a code; the handle
**   involved carries a message naming the file and what went wrong
**   (indaga_writer_errmsg(), indaga_results_errmsg(), ...). Functions that
**   open a handle store a message in *errmsg when errmsg is not NULL; the
**   caller frees it with indaga_free().
*/
#ifndef INDAGA_H
#define INDAGA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(INDAGA_BUILDING) && defined(__GNUC__)
#  define INDAGA_API extern __attribute__((visibility("default")))
#else
#  define INDAGA_API extern
#endif

/* ------------------------------------------------------------------------
** Version
*/
#define INDAGA_VERSION_MAJOR 0
#define INDAGA_VERSION_MINOR 1
#define INDAGA_VERSION_PATCH 0
#define INDAGA_VERSION_STRING "0.1.0"
#define INDAGA_VERSION_NUMBER \
  (INDAGA_VERSION_MAJOR * 1000000 + INDAGA_VERSION_MINOR * 1000 + INDAGA_VERSION_PATCH)

/** @return INDAGA_VERSION_NUMBER of the library actually linked. */
INDAGA_API int indaga_libversion_number(void);
/** @return INDAGA_VERSION_STRING of the library actually linked (static storage). */
INDAGA_API const char *indaga_libversion(void);

/* ------------------------------------------------------------------------
** Status codes
*/
#define INDAGA_OK         0
#define INDAGA_ERROR     (-1)  /**< generic failure (see the handle's message) */
#define INDAGA_ENOMEM    (-2)  /**< an allocation failed; nothing was changed */
#define INDAGA_EIO       (-3)  /**< a read, write, fsync or rename failed */
#define INDAGA_ENOSPC    (-4)  /**< the disk is full; the last good index is intact */
#define INDAGA_ECORRUPT  (-5)  /**< an index file fails its checksum or structure */
#define INDAGA_EBUSY     (-6)  /**< another writer holds the index lock */
#define INDAGA_EMISUSE   (-7)  /**< invalid argument or call sequence */
#define INDAGA_ENOINDEX  (-8)  /**< no index at the given path */
#define INDAGA_ENOTFOUND (-9)  /**< the named document, part or paragraph does not exist */
#define INDAGA_EVERSION  (-10) /**< the index was written by an incompatible version */
#define INDAGA_EINPUT    (-11) /**< a document cannot be read as text (binary, unreadable) */
#define INDAGA_EREFUSED  (-12) /**< refused: the PATHs of a sync differ from the index's roots
                                    (INDAGA_WRITER_PRUNE, INDAGA_WRITER_ADD); nothing was changed */
#define INDAGA_ELIMIT    (-13) /**< a search went over its work budget (time or memory) */
#define INDAGA_ECANCELED (-14) /**< a search was cancelled through its cancel flag */

/** @return a static English description of status code @p rc. */
INDAGA_API const char *indaga_strerror(int rc);

/** Free a string returned through an errmsg out-parameter. Accepts NULL. */
INDAGA_API void indaga_free(void *p);

/* ------------------------------------------------------------------------
** Allocator. Optional; must be set before any other call, once.
*/
typedef struct indaga_allocator {
  void *(*malloc_fn)(size_t n, void *ctx);
  void *(*realloc_fn)(void *p, size_t n, void *ctx);
  void (*free_fn)(void *p, void *ctx);
  void *ctx;
} indaga_allocator;

/**
** Replace the allocator used for every allocation of the library, large
** blocks included.
** @param[in] a  the allocator, copied; NULL restores the default:
**               malloc/realloc/free, and pages of the library's own for
**               blocks of 512 KiB or more.
** @return INDAGA_OK, or INDAGA_EMISUSE when one of its functions is NULL.
*/
INDAGA_API int indaga_config_allocator(const indaga_allocator *a);

/* ------------------------------------------------------------------------
** Opaque handles
*/
typedef struct indaga_index indaga_index;         /**< read snapshot, thread-safe */
typedef struct indaga_results indaga_results;     /**< one search's results */
typedef struct indaga_writer indaga_writer;       /**< the single writer */
typedef struct indaga_analysis indaga_analysis;   /**< tokens of one text */
typedef struct indaga_document indaga_document;   /**< one indexed document */

/* ------------------------------------------------------------------------
** Reading: open a snapshot
*/
typedef struct indaga_open_options {
  unsigned version;   /**< INDAGA_OPEN_OPTIONS_VERSION */
  unsigned flags;     /**< reserved, 0 */
} indaga_open_options;
#define INDAGA_OPEN_OPTIONS_VERSION 1
#define INDAGA_OPEN_OPTIONS_INIT { INDAGA_OPEN_OPTIONS_VERSION, 0 }

/**
** Open the newest valid generation of the index in directory @p path.
** @param[out] out    the snapshot; NULL on failure.
** @param[in]  path   the index directory.
** @param[in]  opts   options, or NULL for defaults.
** @param[out] errmsg on failure, a message naming the file and the problem
**                    (free with indaga_free()); may be NULL.
** @return INDAGA_OK, INDAGA_ENOINDEX, INDAGA_ECORRUPT, INDAGA_EVERSION,
**         INDAGA_EIO or INDAGA_ENOMEM.
*/
INDAGA_API int indaga_index_open(indaga_index **out, const char *path,
                                 const indaga_open_options *opts, char **errmsg);

/**
** Replace *@p idx by a snapshot of the newest generation if there is a newer
** one. On failure *@p idx is left as it was.
*/
INDAGA_API int indaga_index_refresh(indaga_index **idx, char **errmsg);

/** Close a snapshot. Accepts NULL. Results taken from it stay valid. */
INDAGA_API void indaga_index_close(indaga_index *idx);

typedef struct indaga_stats {
  uint64_t generation;   /**< the snapshot's generation (0: empty index) */
  uint64_t documents;    /**< live documents */
  uint64_t paragraphs;   /**< live paragraphs */
  uint64_t terms;        /**< distinct terms, summed over segments */
  uint64_t segments;     /**< segment count */
  uint64_t bytes;        /**< bytes on disk of the snapshot's files */
} indaga_stats;

/** Fill @p out with the snapshot's figures. @return INDAGA_OK or INDAGA_EMISUSE. */
INDAGA_API int indaga_index_stats(const indaga_index *idx, indaga_stats *out);

/**
** What opening the snapshot noticed about the index that does not stop it
** from being read, or NULL when nothing: the newest manifest is damaged and
** an older generation is read instead, or a newer generation's manifest is
** missing (its predecessor, which it kept, is gone), so the snapshot may
** not be the newest generation committed. A program should show it: the
** results may be older than the index's last commit. `indaga check` reports
** the same as an error. Owned by @p idx (valid until indaga_index_close).
*/
INDAGA_API const char *indaga_index_note(const indaga_index *idx);

/*
** Several indexes as one. A collection split into several index
** directories (by collection, by year) is searched as one:
** indaga_index_open_many() opens the newest generation of each and returns
** one handle that every reading call takes (indaga_search, indaga_complete,
** indaga_document_get, indaga_index_stats, ...). Searches over it use the
** global statistics of all its indexes together (live paragraphs and their
** lengths, each word's document frequency, the bounds that pruning uses),
** so scores, order and counts are those of one index built over the union
** of the collections (ties between equal scores break by document id,
** never by how documents are spread over segments or indexes). Document ids
** stay those of their own index; each hit says which index it came from
** (indaga_hit_index(): its label). Statistics that sampling estimates
** (indaga_results_total_exact() 0) sample each segment, so an estimate may
** differ from one index's whose segments differ.
*/
#define INDAGA_OPEN_MANY_MAX 256   /**< index directories in one handle, at most */

/**
** Open the indexes in directories @p paths[0..@p n) as one snapshot.
** Each is labelled by @p labels[i] (1 to 255 bytes, no control
** characters), or, when @p labels is NULL, by the last component of its
** path as given ("/srv/idx/un2015/" gives "un2015"; "." the name of the
** current directory). Two indexes with the same label, and the same index
** twice (the same directory under two paths, or a copy of another one:
** the same index id), are refused with INDAGA_EMISUSE, the message naming
** both paths. With @p n 1 the handle is a plain one, labelled as said.
** indaga_index_refresh() on the handle reopens every index and moves to a
** new handle when any of them has a newer generation; indaga_index_close()
** closes them all. indaga_index_stats() sums the indexes' figures (its
** generation is 0: see each member's); indaga_index_note() joins the
** members' notes, each after its label; indaga_index_root_count() is 0.
** indaga_document_get() finds the document in whichever index holds it
** (INDAGA_EMISUSE, naming them, when several hold that id: ask one of
** them through indaga_index_member()).
** @param[out] out    the handle; NULL on failure.
** @param[in]  paths  the index directories, 1 to INDAGA_OPEN_MANY_MAX.
** @param[in]  labels their labels, or NULL for the default ones.
** @param[in]  n      number of paths (and labels).
** @param[in]  opts   options for each index, or NULL for defaults.
** @param[out] errmsg on failure, a message naming the directory (or file
**                    in it) and the problem (free with indaga_free()); may be NULL.
** @return INDAGA_OK; the status of the first index that cannot be opened
**         (INDAGA_ENOINDEX, INDAGA_ECORRUPT, INDAGA_EVERSION, INDAGA_EIO,
**         INDAGA_ENOMEM), its message naming it; INDAGA_EMISUSE (no path,
**         more than INDAGA_OPEN_MANY_MAX, a bad or repeated label, the same
**         index twice).
*/
INDAGA_API int indaga_index_open_many(indaga_index **out, const char *const *paths,
                                      const char *const *labels, size_t n,
                                      const indaga_open_options *opts, char **errmsg);

/** Number of indexes @p idx spans: 1 for indaga_index_open(), n for indaga_index_open_many(). */
INDAGA_API size_t indaga_index_count(const indaga_index *idx);
/** Label of index @p i of @p idx (what its hits' indaga_hit_index() says), or NULL out of range. Owned by @p idx. */
INDAGA_API const char *indaga_index_label(const indaga_index *idx, size_t i);
/**
** Index @p i of @p idx as a handle of its own (its stats, note, roots and
** documents; it can be searched alone), or NULL out of range. Owned by
** @p idx: valid until @p idx is closed or refreshed; never close it. A
** plain handle is its own index 0.
*/
INDAGA_API const indaga_index *indaga_index_member(const indaga_index *idx, size_t i);

/** Number of roots the snapshot's generation records (the PATHs it was indexed from). */
INDAGA_API size_t indaga_index_root_count(const indaga_index *idx);
/** Root @p i: an absolute, canonical path, or NULL out of range. Owned by @p idx. */
INDAGA_API const char *indaga_index_root(const indaga_index *idx, size_t i);

/* ------------------------------------------------------------------------
** Searching
*/
/*
** The work budget. Every search runs within a budget of wall-clock time and
** memory (defaults fit a server: INDAGA_SEARCH_TIME_MS_DEFAULT and
** INDAGA_SEARCH_MEMORY_DEFAULT) and may be cancelled from another thread:
**   - time: measured from the start of indaga_search(), checked every
**     thousand or so units of work (postings, candidates, expansion terms)
**     in parsing, expansion, evaluation and hit building, so a search stops
**     within a few milliseconds of its limit;
**   - memory: the search's work memory (parse tree, groups, term lists,
**     posting cursors, the heap of hits) and its results' memory (hits,
**     snippets, context paragraphs), together. Not counted: the per-index
**     search contexts (an analyzer and a stored-text reader, kept between
**     searches; about 12 MiB at most each) and the positions of the one
**     paragraph being checked;
**   - expansions: a prefix (`terror*`) takes terms from the vocabulary
**     until the query's expansions are used up: one term per 4 KiB of the
**     memory budget over the whole query, shared by all its prefixes
**     (16384 with the default budget; 1048576 without a memory limit). Past
**     that a prefix keeps the terms it has, and the results' note says so.
**   - duplicates cost nothing: repeated words, prefixes and subtrees
**     (`a* OR a* OR ...`) are merged before any work is done.
** When the time or memory runs out, indaga_search() returns INDAGA_ELIMIT
** with a message beginning "query over its work budget: " naming the limit
** and what the search was doing; with @partial set and the time running out
** while matches were being collected, it returns INDAGA_OK with the best
** hits found so far instead, and indaga_results_partial() is 1. When the
** flag *@cancel becomes nonzero, the search stops at its next check with
** INDAGA_ECANCELED ("query cancelled ..."); set it from any thread (an
** atomic store, or a plain store of an int read through the volatile
** pointer); the search never writes it.
*/
#define INDAGA_SEARCH_TIME_MS_DEFAULT 2000u                      /**< 2 s */
#define INDAGA_SEARCH_MEMORY_DEFAULT ((size_t)64 * 1024 * 1024)  /**< 64 MiB */

typedef struct indaga_search_options {
  unsigned version;        /**< INDAGA_SEARCH_OPTIONS_VERSION (1 is still accepted) */
  unsigned k;              /**< hits to return (default 10) */
  unsigned offset;         /**< hits to skip, for paging (default 0) */
  int group;               /**< nonzero: at most the best paragraph per document */
  unsigned context;        /**< paragraphs before and after each hit (default 0) */
  unsigned snippet_bytes;  /**< target snippet length in bytes (default 240; 0: whole paragraph) */
  double k1;               /**< BM25 k1 (default 1.2) */
  double b;                /**< BM25 b (default 0.75) */
  int snippets;            /**< nonzero: build snippets (default 1) */
  /* version 2: the work budget (see above); a version 1 caller gets the defaults */
  unsigned time_ms;        /**< wall-clock limit in ms (default 2000; 0: none) */
  size_t memory_bytes;     /**< memory limit in bytes (default 64 MiB; 0: none) */
  const volatile int *cancel; /**< nonzero *cancel stops the search (default NULL) */
  int partial;             /**< nonzero: out of time, return the hits so far, marked partial (default 0) */
  /* version 2: the match mode; a version 1 caller gets INDAGA_MATCH_BEST */
  int mode;                /**< INDAGA_MATCH_BEST (default) or INDAGA_MATCH_ALL */
  /* version 3 */
  int correct;             /**< nonzero (default): return the hits of the suggestion
                                (indaga_results_suggestion) when the query finds nothing or
                                has a word no paragraph holds (indaga_results_corrected);
                                0: the query as typed only */
  /* version 4: order and facets (README "Fields and dates"); an older caller gets the defaults */
  int sort;                /**< INDAGA_SORT_RELEVANCE (default), _DATE, _DATE_DESC or _DOC */
  const char *const *facets; /**< field names to count matches by ("year", "status", ...; default NULL) */
  size_t nfacets;          /**< entries of facets, at most INDAGA_FACETS_MAX */
} indaga_search_options;
#define INDAGA_SEARCH_OPTIONS_VERSION 4
#define INDAGA_SEARCH_OPTIONS_INIT \
  { INDAGA_SEARCH_OPTIONS_VERSION, 10, 0, 0, 0, 240, 1.2, 0.75, 1, \
    INDAGA_SEARCH_TIME_MS_DEFAULT, INDAGA_SEARCH_MEMORY_DEFAULT, NULL, 0, INDAGA_MATCH_BEST, 1, \
    INDAGA_SORT_RELEVANCE, NULL, 0 }

/**
** Orders of the hits (indaga_search_options.sort). With a date order the
** documents without a date come last, and hits of the same date rank by
** relevance; INDAGA_SORT_DOC is by document id, then paragraph order.
** Any order but relevance, and any facet, visits every match: the total is
** then exact.
*/
#define INDAGA_SORT_RELEVANCE 0
#define INDAGA_SORT_DATE      1   /**< oldest first */
#define INDAGA_SORT_DATE_DESC 2   /**< newest first */
#define INDAGA_SORT_DOC       3
#define INDAGA_FACETS_MAX     16

/**
** One facet count: over all the matches of the query (not only the hits
** returned), the paragraphs and documents whose document has @p value in
** field @p field. Documents without the field are not counted.
*/
typedef struct indaga_facet {
  const char *field;           /**< the field, as asked */
  const char *value;           /**< the value as first written in the index ("year": yyyy) */
  uint64_t paragraphs;         /**< matching paragraphs with that value */
  uint64_t documents;          /**< documents among them */
} indaga_facet;

/**
** Match modes. Best match: every paragraph holding any of the query's plain
** words is a candidate, and paragraphs holding all of them rank first, then
** those holding most of them (BM25 and proximity within each); +word, the
** operands of AND, phrases, NEAR, filters and whole symbols are required.
** All: every word is required (as if each were +word). Question words
** (qué, cuántos, dónde, ...) and stopwords never restrict, in either mode,
** unless written +qué.
*/
#define INDAGA_MATCH_BEST 0
#define INDAGA_MATCH_ALL  1

/** A byte range [start, end) within a snippet. */
typedef struct indaga_range {
  uint32_t start;
  uint32_t end;
} indaga_range;

/**
** One hit. Fields may be appended in later versions (never reordered or
** removed), which is why hits are only ever handed out by pointer.
*/
typedef struct indaga_hit {
  unsigned rank;               /**< 1-based rank in the whole result list */
  double score;                /**< BM25 + proximity; larger is better */
  const char *doc;             /**< document id: path relative to the indexed root */
  const char *symbol;          /**< UN symbol, or NULL */
  const char *title;           /**< document title, or NULL */
  unsigned part;               /**< 0 body, N the Nth annex */
  const char *part_label;      /**< annex heading as printed, NULL for the body */
  unsigned paragraph;          /**< 1-based ordinal within the part */
  const char *label;           /**< printed label ("3.", "a)"), or NULL */
  uint64_t byte_start;         /**< paragraph's byte range in the source file; for a PDF,
                                    DOCX, ODT or HTML file, in the text extracted from it
                                    (what the index stores and `indaga show` prints) */
  uint64_t byte_end;
  const char *snippet;         /**< display text around the matches */
  size_t snippet_len;
  const indaga_range *highlights; /**< matched words within snippet */
  size_t nhighlights;
  const char *const *before;   /**< up to context paragraph texts before, in order */
  size_t nbefore;
  const char *const *after;    /**< up to context paragraph texts after, in order */
  size_t nafter;
  const char *date;            /**< the document's date (ISO 8601, "2017-11-22"), or NULL (none, or a year only) */
  const char *index;           /**< the label of the index the hit comes from (indaga_hit_index()) */
} indaga_hit;

/**
** The label of the index hit @p h comes from (indaga_index_open_many(); for
** indaga_index_open(), the last component of the directory's path). Owned
** by the hit's results; NULL when @p h is NULL.
*/
INDAGA_API const char *indaga_hit_index(const indaga_hit *h);

/**
** Run @p query (the query language of README.md) on snapshot @p idx.
** Any string parses; what is not valid syntax is taken as words. A query
** with nothing to search for (empty, punctuation, exclusions only) returns
** INDAGA_EMISUSE with a message beginning "empty query".
** indaga_results_total() is exact, or an estimate when counting exactly
** would cost too much (indaga_results_total_exact() says which); it does
** not depend on k or the offset, so every page of a query reports the same.
** @param[out] out  the results, or NULL when even they could not be
**                  allocated (INDAGA_ENOMEM). On other failures *out is set
**                  and indaga_results_errmsg() says what went wrong.
** @return INDAGA_OK, INDAGA_ECORRUPT, INDAGA_EIO, INDAGA_ENOMEM, INDAGA_EMISUSE,
**         INDAGA_ELIMIT (over its work budget) or INDAGA_ECANCELED.
*/
INDAGA_API int indaga_search(indaga_results **out, const indaga_index *idx,
                             const char *query, const indaga_search_options *opts);

/** Number of hits held (at most k). */
INDAGA_API size_t indaga_results_count(const indaga_results *r);
/**
** The number of matching paragraphs (documents, with group): exact, or an
** estimate rounded to two significant digits (see
** indaga_results_total_exact()). The same for every k and offset, except
** that an estimate is never below the number of hits found (k + offset at
** most).
*/
INDAGA_API uint64_t indaga_results_total(const indaga_results *r);
/** Nonzero when indaga_results_total() and indaga_results_all_words() are exact counts. */
INDAGA_API int indaga_results_total_exact(const indaga_results *r);
/**
** How many matching paragraphs (documents, with group) hold every query
** word (best match ranks them first); equals the total unless some words
** are optional. 0 means that no paragraph holds all the words (always
** exact): the hits then hold only some of them. An estimate when the total
** is one.
*/
INDAGA_API uint64_t indaga_results_all_words(const indaga_results *r);
/**
** 1 when the search ran out of time while collecting matches and, as
** asked by indaga_search_options.partial, returned the best hits found so
** far: other paragraphs may match and rank higher, and the total counts
** only the matches seen. Facets without a sort then count the matches
** their unscored pass had seen (none when the time ran out before it).
** 0 otherwise.
*/
INDAGA_API int indaga_results_partial(const indaga_results *r);
/** Microseconds the library spent on the query. */
INDAGA_API uint64_t indaga_results_took_us(const indaga_results *r);
/** Hit @p i (0-based), or NULL when out of range. Owned by @p r. */
INDAGA_API const indaga_hit *indaga_results_hit(const indaga_results *r, size_t i);
/** The error message of a failed search, or NULL. Owned by @p r. */
INDAGA_API const char *indaga_results_errmsg(const indaga_results *r);
/**
** How the query was read, when it was not taken literally: ignored
** operators, unbalanced quotes or parentheses, dropped exclusions, cut
** prefixes ("; "-separated), or NULL. Owned by @p r.
*/
INDAGA_API const char *indaga_results_note(const indaga_results *r);
/**
** Facet counts (indaga_search_options.facets): for each field asked, in
** that order, its values by decreasing paragraphs (then by value).
*/
INDAGA_API size_t indaga_results_facet_count(const indaga_results *r);
/** Facet count @p i (0-based), or NULL when out of range. Owned by @p r. */
INDAGA_API const indaga_facet *indaga_results_facet(const indaga_results *r, size_t i);
/**
** The query with its misspelled words corrected from the index's
** vocabulary, or NULL when no word looks misspelled. A word is corrected
** when the index holds it in no paragraph (or in very few, next to a close
** word held a hundred times as often); the correction is the closest
** indexed word under Spanish-aware edit costs (b/v, c/s/z, g/j, ll/y, h,
** doubled letters; accents cost nothing), written without accents.
** Owned by @p r. When indaga_results_corrected() is 1 the hits are this
** query's.
*/
INDAGA_API const char *indaga_results_suggestion(const indaga_results *r);
/**
** 1 when the results are the suggestion's (say so: "Mostrando resultados de
** ..."): the query as typed found nothing, or a word it corrects is held by
** no paragraph at all, and the suggestion found hits. 0 otherwise.
*/
INDAGA_API int indaga_results_corrected(const indaga_results *r);
/** Free results. Accepts NULL. */
INDAGA_API void indaga_results_free(indaga_results *r);

/* ------------------------------------------------------------------------
** Completions: indexed words that begin with what was typed (a search box)
*/
typedef struct indaga_completions indaga_completions; /**< one indaga_complete() answer */

/**
** The indexed words that begin with @p prefix, the heaviest first: those
** held by the most paragraphs (ties in byte order). @p prefix is the start
** of one word as typed; it is normalised as a query word is (lowercase,
** accents folded, ñ kept), and so are the words returned (the vocabulary's
** accent-free keys: "combatientes" for "Combatién"). At most 4096 words per
** segment are read, so the work is bounded however short the prefix; when
** a segment held more, indaga_completions_truncated() says so.
** Thread-safe on a shared @p idx, like indaga_search().
** @param[out] out    the words, owned by the caller (indaga_completions_free());
**                    NULL on failure.
** @param[in]  idx    the snapshot to read.
** @param[in]  prefix NUL-terminated UTF-8, not empty, at most 256 bytes, and
**                    at most 64 bytes once normalised.
** @param[in]  max    the most words to return, at least 1.
** @return INDAGA_OK (possibly with no words), INDAGA_EMISUSE (NULL arguments,
**         an empty or too long prefix, max 0), INDAGA_ECORRUPT, INDAGA_ENOMEM.
*/
INDAGA_API int indaga_complete(indaga_completions **out, const indaga_index *idx,
                               const char *prefix, size_t max);
/** Number of words held. */
INDAGA_API size_t indaga_completions_count(const indaga_completions *c);
/**
** Word @p i (0-based), or NULL when out of range; owned by @p c. When
** @p weight is not NULL it receives the word's weight: the paragraphs that
** hold one of its terms, summed over segments (an upper bound: deleted
** paragraphs and other words of the same stem count too).
*/
INDAGA_API const char *indaga_completions_word(const indaga_completions *c, size_t i,
                                               uint64_t *weight);
/** Nonzero when some segment held more matching words than were read. */
INDAGA_API int indaga_completions_truncated(const indaga_completions *c);
/** Free completions. Accepts NULL. */
INDAGA_API void indaga_completions_free(indaga_completions *c);

/* ------------------------------------------------------------------------
** Documents
*/
typedef struct indaga_paragraph {
  unsigned part;               /**< 0 body, N the Nth annex */
  unsigned ordinal;            /**< 1-based within the part */
  const char *label;           /**< printed label, or NULL */
  int heading;                 /**< nonzero for a heading line */
  uint64_t byte_start;         /**< range in the source file (PDF, DOCX, ODT, HTML: in
                                    its extracted text, as for indaga_hit) */
  uint64_t byte_end;
  const char *text;            /**< display text (markup removed) */
} indaga_paragraph;

/**
** Load document @p doc (its id) with its metadata and paragraphs.
** @return INDAGA_OK, INDAGA_ENOTFOUND, INDAGA_ECORRUPT, INDAGA_ENOMEM.
*/
INDAGA_API int indaga_document_get(indaga_document **out, const indaga_index *idx,
                                   const char *doc, char **errmsg);
/**
** Load document @p doc with its metadata and part labels, but of its
** paragraphs only those of part @p part with ordinals @p first to @p last
** (1-based, inclusive; none when the range holds none): their text alone
** is read, so showing one paragraph of a document of any size costs about
** that paragraph. indaga_document_paragraph() then walks the loaded ones
** and indaga_document_part_paragraphs() still counts every paragraph.
** @return as indaga_document_get().
*/
INDAGA_API int indaga_document_get_paragraphs(indaga_document **out, const indaga_index *idx,
                                              const char *doc, unsigned part, unsigned first,
                                              unsigned last, char **errmsg);
INDAGA_API const char *indaga_document_id(const indaga_document *d);
/** Number of metadata fields; field @p i as key and value (owned by @p d). */
INDAGA_API size_t indaga_document_meta_count(const indaga_document *d);
INDAGA_API int indaga_document_meta(const indaga_document *d, size_t i,
                                    const char **key, const char **value);
/** Value of metadata field @p key ("symbol", "title", "date", ...), or NULL. */
INDAGA_API const char *indaga_document_meta_get(const indaga_document *d, const char *key);
/** Number of parts (1 + annexes) and the label of part @p i (NULL for the body). */
INDAGA_API size_t indaga_document_part_count(const indaga_document *d);
INDAGA_API const char *indaga_document_part_label(const indaga_document *d, size_t i);
/** Paragraphs of part @p i in the document, loaded or not (0 past the last part). */
INDAGA_API uint64_t indaga_document_part_paragraphs(const indaga_document *d, size_t i);
/** Number of paragraphs loaded (all of them for indaga_document_get()), and loaded paragraph @p i in document order. */
INDAGA_API size_t indaga_document_paragraph_count(const indaga_document *d);
INDAGA_API const indaga_paragraph *indaga_document_paragraph(const indaga_document *d, size_t i);
INDAGA_API void indaga_document_free(indaga_document *d);

/* ------------------------------------------------------------------------
** Writing
*/
typedef void (*indaga_warning_fn)(void *ctx, const char *path, const char *message);
typedef void (*indaga_progress_fn)(void *ctx, uint64_t files_done, uint64_t files_total,
                                   uint64_t bytes_done, uint64_t bytes_total);

#define INDAGA_WRITER_WAIT 0x1u   /**< wait for the lock instead of INDAGA_EBUSY */
#define INDAGA_WRITER_FULL 0x2u   /**< start from an empty index (rebuild) */
/*
** The roots. Every generation records the roots of the index: the PATHs
** its syncs were given (indaga_writer_sync_many), as absolute canonical
** paths. A sync whose roots, canonicalised, are not the recorded ones (as a
** set) changes nothing and returns INDAGA_EREFUSED, its message naming both
** lists, unless one of these flags says what to do (options version 2):
*/
#define INDAGA_WRITER_PRUNE   0x4u  /**< the sync's roots replace the recorded ones; documents under none of them are removed */
#define INDAGA_WRITER_ADD     0x8u  /**< the sync's roots join the recorded ones; the sync covers them all */
/**
** Dry run: a sync reports what it would add, update and remove (report
** counts and on_change) and changes nothing; commit, compact and rollback
** commit nothing. Files are compared by size, mtime and content hash but
** not parsed, so a file the real run would skip (not text) counts as added.
*/
#define INDAGA_WRITER_DRY_RUN 0x10u

/** What a sync does to a document (indaga_change_fn). */
#define INDAGA_CHANGE_ADD    1   /**< a new document */
#define INDAGA_CHANGE_UPDATE 2   /**< a document whose file changed */
#define INDAGA_CHANGE_REMOVE 3   /**< a document under none of the roots, or whose file is gone */
/** Called in a dry run for each document the sync would change (@p change: INDAGA_CHANGE_*). */
typedef void (*indaga_change_fn)(void *ctx, int change, const char *doc);

/**
** Follow symbolic links below a synced directory when they resolve inside
** it (never out of it: such links, dangling ones and loops are skipped
** with a warning). Without this flag no link below the root is followed
** (options version 2).
*/
#define INDAGA_WRITER_FOLLOW_SYMLINKS 0x20u

typedef struct indaga_writer_options {
  unsigned version;            /**< INDAGA_WRITER_OPTIONS_VERSION */
  unsigned flags;              /**< INDAGA_WRITER_* */
  /**
  ** Memory the writer stays within, whatever the documents' shape and the
  ** thread count (default 256 MiB): a segment is flushed before the
  ** builder, its write, the compressing thread's ring and what lies
  ** outside the builder exceed it. The analysing threads get at most half
  ** of it, 16 MiB each (13 MiB for the thread's analyzer, 3 MiB of
  ** documents parsed ahead), so fewer threads than asked run under a
  ** small budget (one under 64 MiB). A budget under 32 MiB cannot hold
  ** even one analyzer: it bounds the builder alone.
  */
  size_t memory_budget;
  unsigned threads;            /**< analysis threads (0: one per core, at most 8; fewer when memory_budget cannot afford them) */
  indaga_warning_fn on_warning;   /**< skipped or repaired files; may be NULL */
  indaga_progress_fn on_progress; /**< long work; may be NULL */
  void *ctx;                   /**< passed to the callbacks */
  /* version 2 */
  indaga_change_fn on_change;  /**< dry run: each document that would change; may be NULL */
} indaga_writer_options;
/**
** Version 2 added on_change and the flags INDAGA_WRITER_PRUNE, _ADD and
** _DRY_RUN; a version 1 struct (without on_change) is still accepted, and
** then these flags are refused (INDAGA_EMISUSE).
*/
#define INDAGA_WRITER_OPTIONS_VERSION 2
#define INDAGA_WRITER_OPTIONS_INIT \
  { INDAGA_WRITER_OPTIONS_VERSION, 0, 0, 0, NULL, NULL, NULL, NULL }

/**
** Open the writer of the index in directory @p path, creating it if needed.
** An index whose newest manifest is damaged, or whose newest generation's
** manifest is missing (indaga_index_note), is INDAGA_ECORRUPT unless
** INDAGA_WRITER_FULL rebuilds it.
** @return INDAGA_OK, INDAGA_EBUSY (another writer), INDAGA_ECORRUPT, INDAGA_EIO,
**         INDAGA_ENOMEM, INDAGA_EVERSION, INDAGA_EMISUSE (bad options).
*/
INDAGA_API int indaga_writer_open(indaga_writer **out, const char *path,
                                  const indaga_writer_options *opts, char **errmsg);

/**
** Add (or replace) document @p doc from the file at @p path. A file of any
** size is indexed within the memory budget: one larger than a piece
** (memory_budget / 32, within 1 and 32 MiB) is read in windows and indexed
** in pieces, cited as if read whole (doc/format.md, "Large files").
** A PDF, DOCX, ODT or HTML file (found by its content, not its name) is
** read whole, within limits from the memory budget, and its text
** extracted first: the document's byte ranges then refer to that extracted
** text, which the index stores (doc/format.md, "Published formats"). A
** file its extractor refuses (encrypted, corrupt, truncated, over a limit,
** a PDF without a text layer) fails with INDAGA_EINPUT and a message
** naming it.
*/
INDAGA_API int indaga_writer_add_file(indaga_writer *w, const char *doc, const char *path);
/** Add (or replace) document @p doc from @p n bytes at @p text. */
INDAGA_API int indaga_writer_add_buffer(indaga_writer *w, const char *doc,
                                        const char *text, size_t n);
/** Delete document @p doc. @return INDAGA_OK or INDAGA_ENOTFOUND. */
INDAGA_API int indaga_writer_delete(indaga_writer *w, const char *doc);

typedef struct indaga_sync_report {
  uint64_t added, updated, removed, unchanged, skipped;
  uint64_t paragraphs;         /**< paragraphs indexed by this run */
  uint64_t bytes;              /**< bytes read by this run */
  /**
  ** Files and directories skipped or kept at their previous version (each
  ** also reported through on_warning): unreadable directories and files,
  ** special files and links not followed, files that are not text. Nonzero
  ** means the committed index does not mirror the tree exactly (`indaga
  ** index` exits 5). Repairs (invalid UTF-8 replaced, ...) are not counted.
  ** Appended in 0.1: a program built against an older header passes a
  ** shorter struct, so rebuild it.
  */
  uint64_t warnings;
} indaga_sync_report;

/**
** Bring the index in line with the tree under @p root (a directory or one
** file): add new files, replace changed ones (size, mtime, content hash),
** delete documents whose files are gone. Document ids are paths relative
** to @p root's parent for a file, to @p root for a directory. The same as
** indaga_writer_sync_many() with one root: the index's recorded roots
** apply (INDAGA_EREFUSED).
** The walk stays inside @p root: links below it are not followed (with
** INDAGA_WRITER_FOLLOW_SYMLINKS, only those resolving inside it), FIFOs,
** sockets and devices are skipped with a warning, never opened. What cannot
** be read is kept, not deleted: a file that cannot be opened keeps its
** previous version, a directory that cannot be opened or listed keeps every
** document the index had under it; each is a warning (report->warnings).
** A rebuild (INDAGA_WRITER_FULL) has no previous version to keep: there a
** file or directory that cannot be read fails the sync (INDAGA_EIO, the
** message naming it), so a rebuild never commits an index missing part of
** the tree.
*/
INDAGA_API int indaga_writer_sync(indaga_writer *w, const char *root, indaga_sync_report *report);

/**
** Bring the index in line with @p roots[0..@p nroots) together (directories
** and files, as `indaga index PATH...`): one walk over all of them, then
** every document that none of them yields is deleted, whether the roots are
** directories or files (so after a sync the index holds exactly the
** documents of its roots). With one directory, ids are as for
** indaga_writer_sync(). With two or more directories, each directory's ids
** start with its name ("un/carta.txt" for the directory "data/un"), so two
** directories of the same name, or two roots giving the same id, are
** INDAGA_EINPUT naming both. indaga_writer_sync(w, r, rep) is
** indaga_writer_sync_many(w, &r, 1, rep).
**
** The roots, canonicalised (a root that does not exist is an error, never
** an empty tree), are compared with the index's recorded roots as a set. An
** index with none recorded (new, or only written with add_file/add_buffer)
** takes them. Otherwise they must be the same, or INDAGA_WRITER_PRUNE makes
** them the new roots, or INDAGA_WRITER_ADD adds them (the sync then walks
** every recorded root too); else INDAGA_EREFUSED, nothing changed, and the
** message names both lists. The next commit records the roots. Documents
** added with add_file/add_buffer are under no root: the next sync removes
** them.
*/
INDAGA_API int indaga_writer_sync_many(indaga_writer *w, const char *const *roots, size_t nroots,
                                       indaga_sync_report *report);

/**
** Make every change so far durable and visible as one new generation.
** Nothing changed: no new generation, *generation is the current one.
*/
INDAGA_API int indaga_writer_commit(indaga_writer *w, uint64_t *generation);

/**
** Merge all segments into one and commit. The previous generation is not
** kept (nor can `rollback` return to it): once the new generation is
** published its files are removed, so no second copy of the index stays on
** disk. Readers that opened it keep reading it (its files stay mapped until
** they close); readers opening meanwhile move to the new generation.
*/
INDAGA_API int indaga_writer_compact(indaga_writer *w, uint64_t *generation);

/**
** Make the previous generation the newest again: commit a new generation
** whose segments, deletions and roots are those of the previous one. The
** previous generation is kept on disk until the next successful commit
** after it (so rolling back twice returns to where it started); after a
** compact or a rebuild there is none. Uncommitted changes of the writer
** are discarded. With INDAGA_WRITER_DRY_RUN, nothing is committed and
** *@p generation is the previous generation, whose documents and roots
** would become the newest.
** @param[out] generation  the new generation (may be NULL).
** @return INDAGA_OK, INDAGA_ENOTFOUND (no previous generation kept; the
**         message says why), INDAGA_ECORRUPT (the previous generation is
**         damaged; nothing changed), INDAGA_EIO, INDAGA_ENOSPC, INDAGA_ENOMEM.
*/
INDAGA_API int indaga_writer_rollback(indaga_writer *w, uint64_t *generation);

/** The message of the writer's last failure, or NULL. Owned by @p w. */
INDAGA_API const char *indaga_writer_errmsg(const indaga_writer *w);

/** Close the writer, discarding uncommitted changes. Accepts NULL. */
INDAGA_API void indaga_writer_close(indaga_writer *w);

/* ------------------------------------------------------------------------
** Checking
*/
/**
** Verify every checksum and cross-reference of the index at @p path: every
** generation on disk, each segment's ties to its index and generation, and
** that the newest generation is the newest committed (no damaged or missing
** newer manifest).
** @param[out] errmsg on failure, what is wrong and in which file.
** @return INDAGA_OK or INDAGA_ECORRUPT (or ENOINDEX, EIO, ENOMEM).
*/
INDAGA_API int indaga_check(const char *path, char **errmsg);

/* ------------------------------------------------------------------------
** Backup
*/
/**
** Copy the newest committed generation of the index at @p index to a new
** directory @p dest, consistently while a writer commits: the copy is that
** generation's manifest (written anew, keeping no previous generation) and
** exactly the segment and deletion files it names, hard-linked when @p dest
** is on the same file system (the files are immutable), else copied and
** fsynced. The copy is made in a temporary directory beside @p dest
** ("DEST.backup-<random>") and renamed to @p dest at the end, so a crash
** never leaves a partial copy at @p dest. When a commit removes a file
** before it is linked, the copy starts again from the newer generation (a
** bounded number of times). The result is an index directory like any
** other: open it, check it, serve it, or publish it with rsync.
** @param dest       must not exist, or be an empty directory.
** @param[out] generation  the generation copied (may be NULL).
** @param[out] errmsg on failure, what is wrong and which path.
** @return INDAGA_OK, INDAGA_EMISUSE (@p dest exists and is not an empty
**         directory; an argument NULL or empty), INDAGA_ENOINDEX,
**         INDAGA_ECORRUPT, INDAGA_EVERSION, INDAGA_EIO (also when the index
**         changed under every attempt), INDAGA_ENOSPC, INDAGA_ENOMEM.
*/
INDAGA_API int indaga_backup(const char *index, const char *dest, uint64_t *generation,
                             char **errmsg);

/* ------------------------------------------------------------------------
** Analysis: how text becomes terms (what `indaga analyze` shows)
*/
typedef struct indaga_token {
  const char *token;  size_t token_len;  /**< the word as written */
  const char *term;   size_t term_len;   /**< what the index matches */
  const char *key;    size_t key_len;    /**< lowercase, accents folded */
  uint32_t pos;                          /**< token position */
  size_t start, end;                     /**< byte range in the text */
  int stop;                              /**< nonzero for a stopword */
  int symbol;                            /**< nonzero for a whole UN symbol */
  int number;                            /**< nonzero for a number or ordinal (16ª) */
  int part;                              /**< nonzero for a part of a symbol or ordinal,
                                              at the position of the whole or after it */
} indaga_token;

/**
** Analyse @p n bytes of @p text (UTF-8; invalid bytes are replaced and
** counted, NUL bytes separate words) exactly as the indexer and the query
** parser do. Tokens come in order of start offset; a whole UN symbol comes
** before its parts, an ordinal ("16ª") before its plain number.
** @param[out] out  the tokens, owned by the caller (indaga_analysis_free());
**                  NULL on failure.
** @return INDAGA_OK, INDAGA_ENOMEM, or INDAGA_EMISUSE (out NULL, or text
**         NULL with n > 0).
*/
INDAGA_API int indaga_analyze(indaga_analysis **out, const char *text, size_t n);
INDAGA_API size_t indaga_analysis_count(const indaga_analysis *a);
/** Token @p i, or NULL. Owned by @p a. */
INDAGA_API const indaga_token *indaga_analysis_token(const indaga_analysis *a, size_t i);
/** Number of invalid UTF-8 sequences replaced by U+FFFD. */
INDAGA_API size_t indaga_analysis_invalid(const indaga_analysis *a);
INDAGA_API void indaga_analysis_free(indaga_analysis *a);

#ifdef __cplusplus
}
#endif
#endif /* INDAGA_H */
