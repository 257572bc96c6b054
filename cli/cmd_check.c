/*
** cmd_check.c: `indaga check [--index DIR] [--json]`: verify every
** checksum and structure of every generation on disk (indaga_check). Prints
** what was checked, or what is wrong and in which file, and exits 0 or 2.
*/
#include <string.h>
#include "cli/cli.h"

static const char usage[] =
  "usage: indaga check [--index DIR] [--json]\n"
  "\n"
  "Verify every manifest, segment and deletion file of the index: checksums,\n"
  "structure, and cross-references between them.\n"
  "\n"
  "options:\n"
  "  --index DIR    the index directory (default $INDAGA_INDEX, else ./.indaga)\n"
  "  --json         one JSON line {\"type\":\"check\",\"ok\":true|false,...}\n"
  "  --help         this text\n"
  "\n"
  "exit status: 0 the index is sound, 2 it is not (or another error)\n";

static void json_fail(const char *msg) {
  fputs("{\"type\":\"check\",\"ok\":false,\"error\":", stdout);
  json_strz(stdout, msg);
  fputs("}\n", stdout);
}

int cmd_check(int argc, char **argv) {
  const char *index = NULL;
  int json = 0;
  int ex = cli_index_options("check", usage, argc, argv, &index, &json);
  if (ex >= 0) return ex;
  const char *dir = cli_index_dir(index);
  char *err = NULL;
  int rc = indaga_check(dir, &err);
  indaga_index *idx = NULL;
  if (rc == INDAGA_OK) {
    indaga_free(err);
    err = NULL;
    rc = indaga_index_open(&idx, dir, NULL, &err);
  }
  if (rc) {
    if (rc == INDAGA_ENOINDEX) {
      if (json) json_fail("no index");
      ex = cli_no_index(dir);
    } else {
      const char *m = err ? err : indaga_strerror(rc);
      if (json) json_fail(m);
      ex = cli_error("check failed: %s", m);
    }
    indaga_free(err);
    return ex;
  }
  indaga_stats st;
  indaga_index_stats(idx, &st);
  if (json)
    printf("{\"type\":\"check\",\"ok\":true,\"generation\":%llu,\"documents\":%llu,"
           "\"paragraphs\":%llu,\"segments\":%llu,\"bytes\":%llu}\n",
           (unsigned long long)st.generation, (unsigned long long)st.documents,
           (unsigned long long)st.paragraphs, (unsigned long long)st.segments,
           (unsigned long long)st.bytes);
  else
    printf("%s: ok (generation %llu, %llu documents, %llu paragraphs, %llu segments)\n", dir,
           (unsigned long long)st.generation, (unsigned long long)st.documents,
           (unsigned long long)st.paragraphs, (unsigned long long)st.segments);
  indaga_index_close(idx);
  return EXIT_OK;
}
