/*
** cmd_check.c: `indaga check [--index DIR] [--json]`: verify every
** checksum and structure of every generation on disk (indaga_check). Prints
** what was checked, or what is wrong and in which file, and exits 0 or 2.
*/
#include <string.h>
#include "cli/cli.h"

static const cli_option opts[] = {
  CLI_ROW_INDEX,
  CLI_ROW_JSON("one JSON line {\"type\":\"check\",\"ok\":true|false,...}; errors as JSON lines too"),
  CLI_ROW_HELP,
};

static const cli_command check_cmd = {
  "check",
  "usage: indaga check [--index DIR] [--json]\n",
  "Verify every manifest, segment and deletion file of the index: checksums,\n"
  "structure, and cross-references between them.\n",
  opts, CLI_NOPTS(opts),
  "exit status: 0 the index is sound, 2 it is not (or another error)\n",
  0,
};

static void json_fail(const char *msg) {
  fputs("{\"type\":\"check\",\"ok\":false,\"error\":", stdout);
  json_text(stdout, msg, strlen(msg), CLI_MESSAGE_MAX);
  fputs("}\n", stdout);
}

int cmd_check(int argc, char **argv) {
  cli_common a = { 0 };
  int ex = cli_parse_common(&check_cmd, argc, argv, &a);
  if (ex >= 0) return ex;
  const char *dir = cli_index_dir(a.index);
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
      if (a.json) json_fail("no index");
      ex = cli_no_index(dir);
    } else {
      const char *m = err ? err : indaga_strerror(rc);
      if (a.json) json_fail(m);
      ex = cli_fail(cli_status(rc), dir, "check failed: %s", m);
    }
    indaga_free(err);
    return ex;
  }
  indaga_stats st;
  indaga_index_stats(idx, &st);
  if (a.json) {
    printf("{\"type\":\"check\",\"ok\":true,\"generation\":%llu,\"documents\":%llu,"
           "\"paragraphs\":%llu,\"segments\":%llu,\"bytes\":%llu}\n",
           (unsigned long long)st.generation, (unsigned long long)st.documents,
           (unsigned long long)st.paragraphs, (unsigned long long)st.segments,
           (unsigned long long)st.bytes);
  } else {
    out_str(stdout, dir, CLI_NAME_MAX);
    printf(": ok (generation %llu, %llu documents, %llu paragraphs, %llu segments)\n",
           (unsigned long long)st.generation, (unsigned long long)st.documents,
           (unsigned long long)st.paragraphs, (unsigned long long)st.segments);
  }
  indaga_index_close(idx);
  return EXIT_OK;
}
