/*
** testhook.h: knobs that tests turn from the environment, compiled into test
** builds only. A library that a program embeds must never act on a variable
** of that program's environment: in the library that is installed (and in
** the release command) test_knob() returns its default and reads nothing.
** The test build (the object compiled with -DINDAGA_TESTING, linked into
** the unit tests and the test copy of the command, see CMakeLists.txt) reads
** INDAGA_TEST_<NAME>, a decimal number, and returns the default when it is
** unset.
**
**   TEST_KILL_AT         the writer raises SIGKILL at its Nth durability
**                        step (indexer/writer.c; tests/cli/test_crash.sh)
**   TEST_FULL_CHECK_MAX  segments up to this many bytes are checksummed
**                        whole on open (indexer/segread.c), 0 forces the
**                        section-by-section path on small test segments
**   TEST_BACKUP_PAUSE_MS indaga_backup sleeps this long after opening a
**                        generation, before linking its files, so a test
**                        can commit meanwhile (indexer/backup.c;
**                        tests/cli/test_backup.sh)
**   TEST_TAIL_NEXT_MIN   bytes a builder must hold for the second early
**                        hand-over near the end of a sync (tail_due in
**                        indexer/writer.c), so a small test tree gets it
**   TEST_SPOOL_LIMIT     a merge holds this many bytes of each spooled
**                        section before spilling it (indexer/segmerge.c),
**                        so small test segments exercise the scratch files
**   TEST_STREAM_MIN      a merge streams terms of more postings than this
**                        block by block (indexer/segmerge.c; 0: every term)
*/
#ifndef INDAGA_TESTHOOK_H
#define INDAGA_TESTHOOK_H

#include <stdint.h>

typedef enum test_knob_id {
  TEST_KILL_AT,
  TEST_FULL_CHECK_MAX,
  TEST_BACKUP_PAUSE_MS,
  TEST_TAIL_NEXT_MIN,
  TEST_SPOOL_LIMIT,
  TEST_STREAM_MIN
} test_knob_id;

/* The knob's value in a test build, else @dflt. */
uint64_t test_knob(test_knob_id knob, uint64_t dflt);

#endif
