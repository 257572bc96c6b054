/*
** lines.h: reading a stream line by line in bounded memory (search --batch).
**
** A line is held in a buffer of a fixed size chosen at the start; a longer
** line is reported as too long and the rest of it is skipped a byte at a
** time, never buffered, up to a bound after which the reader gives up on
** the stream (an endless line, such as /dev/zero, ends the reading).
*/
#ifndef INDAGA_CLI_LINES_H
#define INDAGA_CLI_LINES_H

#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cli_lines {
  FILE *f;
  char *buf;          /* the line, NUL-terminated, without its "\n" or "\r\n" */
  size_t len;         /* its length (it may hold NUL bytes: see nul) */
  size_t max;         /* longest line held */
  int nul;            /* the line holds a NUL byte (binary) */
  uint64_t lineno;    /* 1-based number of the line just read */
} cli_lines;

#define CLI_LINE_OK    0  /* a line in buf */
#define CLI_LINE_LONG  1  /* a line longer than max: buf holds its first max bytes; call cli_lines_skip */
#define CLI_LINE_EOF   2  /* no more lines */
#define CLI_LINE_ERROR 3  /* a read error (errno set) */

/* Start reading @f with lines of at most @max bytes. Returns 0 or -1 (no memory). */
int cli_lines_init(cli_lines *l, FILE *f, size_t max);
void cli_lines_free(cli_lines *l);

/* Read the next line. */
int cli_lines_next(cli_lines *l);

/*
** After CLI_LINE_LONG: read and drop the rest of the line, at most @limit
** bytes. Returns CLI_LINE_OK (the line ended), CLI_LINE_LONG (still no end
** after @limit bytes: stop reading the stream) or CLI_LINE_ERROR.
*/
int cli_lines_skip(cli_lines *l, uint64_t limit);

#endif /* INDAGA_CLI_LINES_H */
