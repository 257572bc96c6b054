/*
** cmd_backup.c: `indaga backup [--index DIR] [--json] DEST`: copy the
** newest committed generation of the index to a new directory DEST
** (indaga_backup: hard links on the same file system, else fsynced copies;
** built beside DEST and renamed into place), consistently while
** `indaga index` commits. Exit 0; 2 when there is no index, DEST exists and
** is not an empty directory, or another error; 64 for a usage error.
*/
#include <string.h>
#include "cli/cli.h"

static const cli_option opts[] = {
  CLI_ROW_INDEX,
  CLI_ROW_JSON("one JSON line {\"type\":\"backup\",...}; errors as JSON lines too"),
  CLI_ROW_HELP,
};

static const cli_command backup_cmd = {
  "backup",
  "usage: indaga backup [--index DIR] [--json] DEST\n",
  "Copy the newest committed generation of the index to DEST, a directory that\n"
  "must not exist or be empty: its manifest and exactly the segment and deletion\n"
  "files it names, hard-linked when DEST is on the same file system, else copied.\n"
  "The copy is consistent while 'indaga index' commits, and appears at DEST whole\n"
  "(it is built beside DEST and renamed into place), ready for rsync to read\n"
  "replicas running 'indaga serve' (doc/deploy.md). Takes no lock.\n",
  opts, CLI_NOPTS(opts),
  "exit status: 0 success, 2 error (no index; DEST exists and is not an empty\n"
  "directory; I/O), 64 usage\n",
  0,
};

int cmd_backup(int argc, char **argv) {
  const char *index = NULL, *dest = NULL;
  int json = 0;
  cli_parser p;
  cli_parser_init(&p, &backup_cmd, argc, argv);
  for (int o; (o = cli_next(&p)) != CLI_DONE;) {
    switch (o) {
    case CLI_EXIT: return p.status;
    case CLI_OPT_INDEX: index = p.arg; break;
    case CLI_OPT_JSON: json = 1; break;
    case CLI_OPERAND:
      if (dest) return cli_usage("backup", "one DEST only, not also '%.200s'", p.arg);
      dest = p.arg;
      break;
    default: return cli_usage("backup", "unexpected option");
    }
  }
  if (!dest || !*dest) return cli_usage("backup", "no DEST given");
  const char *dir = cli_index_dir(index);
  char *err = NULL;
  uint64_t gen = 0;
  int rc = indaga_backup(dir, dest, &gen, &err);
  if (rc) {
    int ex = rc == INDAGA_ENOINDEX ? cli_no_index(dir)
             : cli_fail(cli_status(rc), rc == INDAGA_EMISUSE ? dest : dir, "backup failed: %s",
                        err ? err : indaga_strerror(rc));
    indaga_free(err);
    return ex;
  }
  indaga_stats st = cli_stats_now(dest);
  if (json) {
    printf("{\"type\":\"backup\",\"generation\":%llu", (unsigned long long)gen);
    json_name(stdout, 1, "dest", dest);
    printf(",\"documents\":%llu,\"paragraphs\":%llu,\"bytes\":%llu}\n",
           (unsigned long long)st.documents, (unsigned long long)st.paragraphs,
           (unsigned long long)st.bytes);
  } else {
    out_str(stdout, dir, CLI_NAME_MAX);
    printf(": generation %llu copied to ", (unsigned long long)gen);
    out_str(stdout, dest, CLI_NAME_MAX);
    printf(" (%llu documents)\n", (unsigned long long)st.documents);
  }
  return EXIT_OK;
}
