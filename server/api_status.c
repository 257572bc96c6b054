/*
** api_status.c: GET /api/stats (the `indaga stats --json` object without
** "type") and GET /healthz ({"ok":true,"generation":N,"snapshots":K}, K
** the generations still open: the current one and those requests in
** flight still read; or 503 with the reason when there is no index).
*/
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
  fprintf(f, "{\"ok\":true,\"generation\":%llu,\"snapshots\":%u}",
          (unsigned long long)srv_snap_generation(s), srv_index_live(srv_snap_owner(s)));
  return srv_reply(rq, 200);
}
