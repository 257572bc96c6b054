/*
** zipread.c: the entries of a DOCX or ODT, read from memory through
** libarchive's zip reader. The archive is walked once; every entry counts
** against lim->max_entries, and the bytes expanded from the wanted entries
** count against lim->max_expanded as they are read (a zip bomb stops at
** the limit, whatever its headers claim). Encrypted entries, a truncated or
** corrupt archive fail the extraction with libarchive's message.
*/
#include <string.h>
#include <archive.h>
#include <archive_entry.h>
#include "indexer/docmodel/extract.h"

static struct archive *open_zip(const char *p, size_t n) {
  struct archive *a = archive_read_new();
  if (!a) return NULL;
  if (archive_read_support_format_zip(a) != ARCHIVE_OK ||
      archive_read_open_memory(a, p, n) != ARCHIVE_OK) {
    archive_read_free(a);
    return NULL;
  }
  return a;
}

int ex_zip_has(const char *p, size_t n, const char *entry, size_t max_entries) {
  if (n < 4 || memcmp(p, "PK\3\4", 4)) return 0;
  struct archive *a = open_zip(p, n);
  struct archive_entry *e;
  int found = 0;
  for (size_t k = 0; a && !found && k < max_entries && archive_read_next_header(a, &e) == ARCHIVE_OK; k++) {
    const char *z = archive_entry_pathname(e);
    found = z && !strcmp(z, entry);
  }
  if (a) archive_read_free(a);
  return found;
}

/* Read the current entry's data into @w, counting into *total. */
static int read_entry(ex_out *o, struct archive *a, ex_zip_entry *w, size_t *total) {
  ia_buf b;
  memset(&b, 0, sizeof b);
  char chunk[16384];
  for (;;) {
    la_ssize_t got = archive_read_data(a, chunk, sizeof chunk);
    if (got == 0) break;
    if (got < 0) {
      ex_fail(o, "%s in the zip cannot be read: %s", w->name, archive_error_string(a));
      buf_free(&b);
      return -1;
    }
    *total += (size_t)got;
    if (*total > o->lim->max_expanded) {
      ex_fail(o, "its zip entries expand to more than %zu bytes (the limit for the memory budget)",
              o->lim->max_expanded);
      buf_free(&b);
      return -1;
    }
    buf_append(&b, chunk, (size_t)got);
  }
  buf_putc(&b, 0);
  if (b.err) { o->rc = INDAGA_ENOMEM; buf_free(&b); return -1; }
  w->n = b.n - 1;
  w->data = buf_detach(&b);
  return 0;
}

int ex_zip_read(ex_out *o, const char *p, size_t n, ex_zip_entry *want, size_t nwant) {
  struct archive *a = open_zip(p, n);
  if (!a) { ex_fail(o, "not a readable zip archive"); return o->rc; }
  struct archive_entry *e;
  size_t count = 0, total = 0;
  int r;
  while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    if (++count > o->lim->max_entries) {
      ex_fail(o, "its zip has more than %zu entries", o->lim->max_entries);
      break;
    }
    const char *z = archive_entry_pathname(e);
    for (size_t i = 0; z && i < nwant; i++) {
      if (want[i].data || strcmp(z, want[i].name)) continue;
      if (archive_entry_is_encrypted(e)) { ex_fail(o, "encrypted (%s)", z); break; }
      read_entry(o, a, &want[i], &total);
      break;
    }
    if (o->rc) break;
  }
  if (!o->rc && r != ARCHIVE_EOF)
    ex_fail(o, "corrupt or truncated zip: %s", archive_error_string(a) ? archive_error_string(a) : "bad header");
  archive_read_free(a);
  return o->rc;
}

void ex_zip_free(ex_zip_entry *want, size_t nwant) {
  for (size_t i = 0; i < nwant; i++) {
    indaga__free(want[i].data);
    want[i].data = NULL;
    want[i].n = 0;
  }
}
