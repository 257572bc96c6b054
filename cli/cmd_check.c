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
  for (int i = 1; i < argc; i++) {
    const char *s = argv[i];
    if (!strcmp(s, "--help") || !strcmp(s, "-h")) CLI_HELP_EXIT(usage);
    else if (!strcmp(s, "--json")) json = 1;
    else if (!strncmp(s, "--index=", 8)) index = s + 8;
    else if (!strcmp(s, "--index") && i + 1 < argc) index = argv[++i];
    else if (!strcmp(s, "--index")) return cli_error("check: --index needs a directory");
    else if (s[0] == '-') return cli_error("check: unknown option '%s' (try 'indaga check --help')", s);
    else return cli_error("check: unexpected argument '%s'", s);
  }
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
    int ex;
    if (rc == INDAGA_ENOINDEX) {
      if (json) json_fail("no index");
      ex = cli_error("no index at %s; run 'indaga index PATH' first", dir);
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
