/*
** budget.c: the work budget of one search (budget.h).
*/
#include <time.h>
#include "common/common.h"
#include "query/budget.h"

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void qb_init(qb_budget *b, uint64_t time_ms, size_t mem, const volatile int *cancel) {
  memset(b, 0, sizeof *b);
  b->start_ns = now_ns();
  b->time_ms = time_ms;
  if (time_ms) {
    uint64_t ns = time_ms > UINT64_MAX / 2000000u ? UINT64_MAX / 2 : time_ms * 1000000u;
    b->deadline_ns = b->start_ns + ns;
  }
  b->mem_limit = mem;
  size_t exp = mem ? mem / QB_EXPANSION_BYTES : QB_EXPANSIONS_UNLIMITED;
  if (exp > QB_EXPANSIONS_UNLIMITED) exp = QB_EXPANSIONS_UNLIMITED;
  b->max_expansions = (uint32_t)(exp ? exp : 1);
  b->cancel = cancel;
  b->countdown = QB_UNITS;
  b->phase = "searching";
}

/* Record the first limit reached. Returns b->rc. */
static int ran_out(qb_budget *b, int rc, qb_kind kind) {
  if (b->rc) return b->rc;
  b->rc = rc;
  b->kind = kind;
  b->ran_out_in = b->phase;
  return rc;
}

int qb_check(qb_budget *b) {
  b->countdown = QB_UNITS;
  if (b->rc) return b->rc;
  if (b->cancel && __atomic_load_n(b->cancel, __ATOMIC_RELAXED))
    return ran_out(b, INDAGA_ECANCELED, QB_CANCEL);
  if (b->deadline_ns && !b->no_time && now_ns() >= b->deadline_ns)
    return ran_out(b, INDAGA_ELIMIT, QB_TIME);
  return INDAGA_OK;
}

int qb_charge(qb_budget *b, size_t n) {
  if (!b) return INDAGA_OK;
  if (b->rc) return b->rc;
  if (b->mem_limit && (n > b->mem_limit || b->mem_used > b->mem_limit - n))
    return ran_out(b, INDAGA_ELIMIT, QB_MEMORY);
  b->mem_used += n;
  if (b->mem_used > b->mem_peak) b->mem_peak = b->mem_used;
  return INDAGA_OK;
}

void qb_uncharge(qb_budget *b, size_t n) {
  if (!b) return;
  b->mem_used = n < b->mem_used ? b->mem_used - n : 0;
}

int qb_expand(qb_budget *b) {
  if (!b) return 0;
  if (b->expansions >= b->max_expansions) return 1;
  b->expansions++;
  return 0;
}

char *qb_message(const qb_budget *b) {
  const char *in = b->ran_out_in ? b->ran_out_in : "searching";
  switch (b->kind) {
  case QB_TIME:
    return indaga__sprintf("query over its work budget: the time limit of %llu ms ran out while %s",
                           (unsigned long long)b->time_ms, in);
  case QB_MEMORY:
    if (b->mem_limit % (1024 * 1024) == 0)
      return indaga__sprintf("query over its work budget: the memory limit of %zu MiB ran out while %s",
                             b->mem_limit / (1024 * 1024), in);
    return indaga__sprintf("query over its work budget: the memory limit of %zu KiB ran out while %s",
                           (b->mem_limit + 1023) / 1024, in);
  case QB_CANCEL:
    return indaga__sprintf("query cancelled by the caller while %s", in);
  case QB_NONE:
    break;
  }
  return NULL;
}
