/*
** budget.h: the work budget of one search (budget.c; README.md "Work
** budget"; include/indaga.h, indaga_search_options).
**
** A search may spend at most so much wall-clock time and so much memory,
** and may be cancelled from another thread. The budget is one small struct
** the search carries (the arenas point to it), checked where work is done:
**   - memory: every arena block is charged before it is allocated
**     (arena.c); a block past the limit is refused, the arena's sticky
**     error becomes INDAGA_ELIMIT;
**   - time and cancellation: the evaluation and expansion loops call
**     qb_step(b, n) once per step, n being the step's work in units of
**     about one posting or cursor visited (a step of the evaluation loop
**     over a tree of 300 cursors is 300 units, a decoded block 128, a
**     dictionary lookup 64). It subtracts n from a counter and, once
**     QB_UNITS units are done, reads the monotonic clock and the caller's
**     cancel flag: a check costs a subtraction and a branch, and the clock
**     is read every few tens of microseconds of work, so a search stops
**     within about a millisecond of its limit or of a cancellation;
**   - expansions: the terms a prefix (or any other expansion) adds to the
**     query are counted against qb_expand(): at most one term per
**     QB_EXPANSION_BYTES of the memory budget over the whole query, shared
**     by all its expansions, instead of a fixed count per segment.
** The first limit reached is sticky: every later check returns the same
** status, so loops that test their own error code stop at once.
*/
#ifndef INDAGA_QUERY_BUDGET_H
#define INDAGA_QUERY_BUDGET_H

#include <stddef.h>
#include <stdint.h>

#define QB_UNITS 8192                  /* units of work between two clock reads */
#define QB_EXPANSION_BYTES 4096u       /* memory budget per expansion term allowed */
#define QB_EXPANSIONS_UNLIMITED 1048576u /* expansion terms when memory is not limited */

typedef enum qb_kind { QB_NONE = 0, QB_TIME, QB_MEMORY, QB_CANCEL } qb_kind;

typedef struct qb_budget {
  uint64_t start_ns;          /* CLOCK_MONOTONIC at qb_init */
  uint64_t deadline_ns;       /* start + time limit; 0: no time limit */
  uint64_t time_ms;           /* the time limit as given (for messages) */
  size_t mem_limit;           /* bytes; 0: no memory limit */
  size_t mem_used;            /* bytes charged (arena blocks) */
  size_t mem_peak;            /* largest mem_used seen */
  uint32_t max_expansions;    /* expansion terms allowed over the whole query */
  uint32_t expansions;        /* expansion terms taken */
  const volatile int *cancel; /* nonzero *cancel: stop (may be NULL) */
  int64_t countdown;          /* units left before the next clock read */
  int no_time;                /* 1: the clock is no longer checked (partial hits being built) */
  int rc;                     /* INDAGA_OK, INDAGA_ELIMIT or INDAGA_ECANCELED (sticky) */
  qb_kind kind;               /* what ran out */
  const char *phase;          /* what the search was doing ("evaluating", ...) */
  const char *ran_out_in;     /* the phase when the limit was reached */
} qb_budget;

/*
** Start a budget: @time_ms of wall-clock time from now (0: none), @mem
** bytes (0: none), cancel flag @cancel (may be NULL). Never fails.
*/
void qb_init(qb_budget *b, uint64_t time_ms, size_t mem, const volatile int *cancel);

/* Read the clock and the cancel flag now. Returns b->rc. */
int qb_check(qb_budget *b);

/*
** A step of @units units of work. Returns INDAGA_OK, or the sticky status
** once the time is up or the search was cancelled. Accepts NULL (no budget).
*/
static inline int qb_step(qb_budget *b, size_t units) {
  if (!b) return 0;
  b->countdown -= units < QB_UNITS ? (int64_t)units : QB_UNITS;
  if (b->countdown > 0) return b->rc;
  return qb_check(b);
}

/*
** Charge @n bytes about to be allocated. Returns INDAGA_OK, or
** INDAGA_ELIMIT (sticky, nothing charged) when they would pass the limit.
** Accepts NULL.
*/
int qb_charge(qb_budget *b, size_t n);
/* Give back @n bytes charged before (freed memory). Accepts NULL. */
void qb_uncharge(qb_budget *b, size_t n);

/*
** One more expansion term. Returns 0 when it fits, 1 when the query's
** expansions are used up (the caller stops expanding and says so; this is
** not an error). Accepts NULL (no limit).
*/
int qb_expand(qb_budget *b);

/*
** The message for a budget that ran out ("query over its work budget: ..."
** or "query cancelled ..."), malloc'd with indaga__malloc (caller frees),
** or NULL when b->rc is INDAGA_OK or out of memory.
*/
char *qb_message(const qb_budget *b);

#endif /* INDAGA_QUERY_BUDGET_H */
