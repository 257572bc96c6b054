/*
** cli.h: shared pieces of the `indaga` command. The command is built on the
** public API (include/indaga.h) alone; nothing here includes internal headers.
** doc/CLI.md is the contract this implements: options, exit statuses, JSON
** Lines, and the bounds on what is echoed.
*/
#ifndef INDAGA_CLI_H
#define INDAGA_CLI_H

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include "indaga.h"
#include "cli/opt.h"

/* Exit statuses (doc/CLI.md), the same for every command. */
#define EXIT_OK       0   /* success */
#define EXIT_NOHITS   1   /* search found nothing */
#define EXIT_ERR      2   /* error: I/O, corrupt index, no index, a failed query */
#define EXIT_BUSY     3   /* another writer holds the index (without --wait) */
#define EXIT_REFUSED  4   /* the PATHs differ from the index's roots; nothing changed */
#define EXIT_WARNINGS 5   /* committed, but some files were skipped or kept at their previous version */
#define EXIT_USAGE    64  /* unknown option, bad value, missing argument (sysexits EX_USAGE) */

/*
** The exit status for a library status code: INDAGA_OK 0, INDAGA_EBUSY 3,
** INDAGA_EREFUSED 4, any other failure 2. The one place where library codes become statuses.
*/
int cli_status(int rc);

/* Bounds on what the command echoes (doc/CLI.md, "Limits"). */
#define CLI_QUERY_MAX   (1u << 20) /* longest query; the library reads no more (1 MiB) */
#define CLI_ECHO_MAX    1024u      /* the summary's "query" and "no hits for:" echo */
#define CLI_FIELD_MAX   1024u      /* a label, title, symbol, metadata key or value */
#define CLI_NAME_MAX    4096u      /* a document id or file name (PATH_MAX) */
#define CLI_MESSAGE_MAX 8192u      /* an error or warning message */
#define CLI_SKIP_MAX    (64u << 20) /* a --batch line longer than this ends the batch */
#define CLI_ANALYZE_MAX (64u << 20) /* analyze's standard input */

/* Each command: argv[0] is the command name. Returns the exit status. */
int cmd_index(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_compact(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_serve(int argc, char **argv);

/* The index directory: --index value if given, else $INDAGA_INDEX, else ./.indaga. */
const char *cli_index_dir(const char *flag);

/* Report "no index at DIR; run 'indaga index PATH' first" and return EXIT_ERR. */
int cli_no_index(const char *dir);

/*
** Open the index at @dir for a command. On failure report what every
** command reports (no index yet, or "<what>: <the library's message>"),
** set *status to the exit status when @status is not NULL, and return NULL.
** When the library notes that the generation opened may not be the newest
** (indaga_index_note), that is reported as a warning.
*/
indaga_index *cli_open_index(const char *dir, const char *what, int *status);
/*
** The same for the @n index directories @dirs searched as one
** (indaga_index_open_many; cli_open_index when @n is 1): a directory that
** cannot be opened is reported as cli_open_index reports it (naming it);
** the same index twice or two of one label is a usage error (EXIT_USAGE);
** each member's note is a warning naming its directory.
*/
indaga_index *cli_open_indexes(const char *const *dirs, size_t n, const char *what, int *status);

/*
** The writer of the existing index at @dir, for commands that change an
** index but never create one (compact, rollback); *generation (may be NULL)
** is the generation readers see before. On failure report it (no index,
** busy with the --wait hint, or the library's message), set *status and
** return NULL.
*/
indaga_writer *cli_open_writer(const char *dir, int wait, uint64_t *generation, int *status);
/* The figures of the newest generation of @dir now (all 0 when it cannot be opened). */
indaga_stats cli_stats_now(const char *dir);
/* Report the failure @rc of writer @w's last call ("... (the index is unchanged)"), close @w, return the status. */
int cli_writer_fail(indaga_writer *w, const char *dir, int rc);

/* ---- errors and warnings (report.c) ----
** An error or warning goes to stderr as "indaga: ..." and, once JSON output
** is on (--json), also to stdout as one JSON line:
**   {"type":"error","query_no":N,"status":S,"path":P,"message":M}
**   {"type":"warning","path":P,"message":M}
** ("query_no" only for a search query's error; "path" null when no file is
** concerned, with "path_bytes" beside it when the path is not UTF-8).
*/
void cli_set_json(int on);
int cli_json(void);

/* Report an error (path NULL: none) and return @status. */
int cli_fail(int status, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Report the error of search query @query_no and return @status. */
int cli_query_fail(long query_no, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* cli_fail(EXIT_ERR, NULL, ...). */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Report a warning about @path (or NULL). */
void cli_warning(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- colour ---- */
#define CLI_COLOR_AUTO   0
#define CLI_COLOR_ALWAYS 1
#define CLI_COLOR_NEVER  2
/* 1 when colour is to be used on @f: always; or auto and @f a terminal and NO_COLOR unset. */
int cli_color(FILE *f, int mode);

/* ---- text out (text.c) ---- */

/* 1 when p[0..n) is well-formed UTF-8. */
int cli_utf8_valid(const char *p, size_t n);

/*
** Write p[0..n) as a JSON string literal (with quotes); NULL prints null.
** Bytes that are not UTF-8 become U+FFFD, so every line stays JSON. At
** most @max bytes of the text are written, cut at a character boundary;
** returns 1 when it was cut, else 0.
*/
int json_text(FILE *f, const char *p, size_t n, size_t max);
/* json_text of a NUL-terminated string, whole. */
void json_str(FILE *f, const char *p, size_t n);
void json_strz(FILE *f, const char *z);

/*
** Write the member "@key":"z" (with a leading comma when @comma) for a
** name (document id, file path) at most CLI_NAME_MAX bytes long, and when
** @z is not UTF-8, also "@key_bytes": the name with each byte that is not
** part of a UTF-8 character written \xHH and each backslash \\ (reversible).
*/
void json_name(FILE *f, int comma, const char *key, const char *z);

/*
** Write p[0..n) for a person on a terminal: control characters (C0, DEL,
** C1), bidirectional overrides and bytes that are not UTF-8 are written as
** \xHH or \uHHHH escapes, never raw. At most @max bytes, cut at a character
** boundary with "..." after the cut.
*/
void out_text(FILE *f, const char *p, size_t n, size_t max);
/* out_text of a NUL-terminated string; NULL prints nothing. */
void out_str(FILE *f, const char *z, size_t max);
/* Document text (snippets, paragraphs) for a terminal: like out_text, whole, but newlines and tabs kept. */
void out_prose(FILE *f, const char *p, size_t n);

/* ---- JSON objects shared with `indaga serve` (json.c) ----
** Each writes the members of one object, the first without a leading
** comma; the caller writes the braces and its own members ("type", ...).
*/
/*
** A search hit: rank, score, doc, (index, with @several: the search spans
** several indexes), symbol, title, date, part, ..., snippet, highlights, before/after.
*/
void json_hit(FILE *f, const indaga_hit *h, int several);
/* A search summary: query (cut at CLI_ECHO_MAX), hits, total, took_us, note, partial. */
void json_summary(FILE *f, const indaga_results *r, const char *query, size_t len);
/* A facet count: field, value, paragraphs, documents. */
void json_facet(FILE *f, const indaga_facet *fc);
/* A document: doc, meta, parts (with their paragraph counts), paragraphs (the count). */
void json_document(FILE *f, const indaga_document *d);
/* One paragraph: part, paragraph, label, heading, byte_start, byte_end, text. */
void json_paragraph(FILE *f, const indaga_paragraph *p);
/* The stats object: generation, documents, paragraphs, terms, segments, bytes. */
void json_stats(FILE *f, const indaga_stats *st);
/* Paragraphs of part @part of @d. */
size_t json_part_size(const indaga_document *d, unsigned part);

/*
** Read a whole stream (stdin for analyze), at most @max bytes, into a
** malloc'd buffer. Returns 0, or -1 with errno set (EFBIG: longer than @max).
*/
int cli_read_stream(FILE *in, size_t max, char **out, size_t *n);

#endif /* INDAGA_CLI_H */
