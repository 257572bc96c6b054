/*
** testhook.c: test_knob() (testhook.h). Compiled twice: without
** INDAGA_TESTING into the library that is installed, where every knob keeps
** its default and no variable name is even present, and with it into the
** test build, where INDAGA_TEST_<NAME> in the environment sets the knob.
*/
#include "common/testhook.h"

#ifdef INDAGA_TESTING
#include <stdlib.h>

static const char *const knob_names[] = {
  [TEST_KILL_AT] = "INDAGA_TEST_KILL_AT",
  [TEST_FULL_CHECK_MAX] = "INDAGA_TEST_FULL_CHECK_MAX",
  [TEST_BACKUP_PAUSE_MS] = "INDAGA_TEST_BACKUP_PAUSE_MS",
  [TEST_TAIL_NEXT_MIN] = "INDAGA_TEST_TAIL_NEXT_MIN",
  [TEST_SPOOL_LIMIT] = "INDAGA_TEST_SPOOL_LIMIT",
  [TEST_STREAM_MIN] = "INDAGA_TEST_STREAM_MIN",
};

uint64_t test_knob(test_knob_id knob, uint64_t dflt) {
  const char *z = getenv(knob_names[knob]);
  return z ? (uint64_t)strtoull(z, NULL, 10) : dflt;
}
#else
uint64_t test_knob(test_knob_id knob, uint64_t dflt) {
  (void)knob;
  return dflt;
}
#endif
