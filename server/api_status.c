/*
** api_status.c: GET /api/stats (the `indaga stats --json` object without
** "type" and "roots": the paths the index was built from stay private) and GET /healthz ({"ok":true,"generation":N,"snapshots":K}, K
** the generations still open: the current one and those requests in
** flight still read; or 503 with the reason when there is no index).
*/
#include <string.h>
#include "cli/cli.h"
#include "server/server.h"

int api_stats(srv_req *rq) {
  srv_snap *s = srv_req_snap(rq);
  if (!s) return -1;
  indaga_stats st;
  indaga_index_stats(srv_snap_index(s), &st);
  FILE *f = srv_body(rq);
  if (!f) return srv_error(rq, 503, "out of memory");
  fputc('{', f);
  json_stats(f, &st);
  fputc('}', f);
  return srv_reply(rq, 200);
}

int api_healthz(srv_req *rq) {
  srv_snap *s = srv_req_snap(rq);
  if (!s) return -1;
  FILE *f = srv_body(rq);
  if (!f) return srv_error(rq, 503, "out of memory");
  const char *note = indaga_index_note(srv_snap_index(s));
  fprintf(f, "{\"ok\":true,\"generation\":%llu,\"snapshots\":%u,\"warning\":",
          (unsigned long long)srv_snap_generation(s), srv_index_live(srv_snap_owner(s)));
  json_text(f, note, note ? strlen(note) : 0, CLI_MESSAGE_MAX);
  fputc('}', f);
  return srv_reply(rq, 200);
}
