/*
** test_parse.c: the query language parser (query/parse.c): every construct,
** and every degenerate input (unbalanced quotes and parentheses, stray
** operators, '*' alone, exclusions only, huge and deeply nested input)
** yields a tree or an empty query with a note, never an error.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "common/common.h"
#include "query/query.h"

/* Parse @q and return its printed tree ("()" when empty) in a static buffer; notes in *notes_out. */
static char printed[1 << 16];
static char noted[4096];
static const char *parse(const char *q) {
  qa_arena a = { 0 };
  ia_buf out = { 0 }, notes = { 0 };
  qnode *t = NULL;
  assert_int_equal(qp_parse(&a, q, strlen(q), &t, &notes), INDAGA_OK);
  qp_print(t, &out);
  assert_int_equal(out.err, 0);
  snprintf(printed, sizeof printed, "%s", out.n ? (char *)out.p : "");
  snprintf(noted, sizeof noted, "%s", notes.n ? (char *)notes.p : "");
  buf_free(&out);
  buf_free(&notes);
  qa_free(&a);
  return printed;
}

static void test_parse__words_are_anded(void **state) {
  (void)state;
  assert_string_equal(parse("combatientes terroristas extranjeros"),
                      "(AND combatientes terroristas extranjeros)");
  assert_string_equal(noted, "");
  assert_string_equal(parse("  información  "), "información");
  /* AND makes both its operands required; + makes what follows required */
  assert_string_equal(parse("a AND b"), "(AND +a +b)");
  assert_string_equal(parse("a b AND c d"), "(AND a +b +c d)");
  assert_string_equal(parse("(a b) AND c"), "(AND +a +b +c)");
  assert_string_equal(parse("a AND (b OR c)"), "(AND +a +(OR b c))");
  assert_string_equal(parse("+a b"), "(AND +a b)");
  assert_string_equal(parse("+\"a b\" -c"), "(AND +\"a b\" (NOT c))");
  assert_string_equal(parse("a + b"), "(AND a b)");   /* a lone '+' is a stray operator */
  assert_string_equal(parse("+-a b"), "(AND (NOT a) b)");
}

static void test_parse__phrases(void **state) {
  (void)state;
  assert_string_equal(parse("\"Consejo de Seguridad\" resolución"),
                      "(AND \"Consejo de Seguridad\" resolución)");
  assert_string_equal(parse("“Consejo de Seguridad”"), "\"Consejo de Seguridad\"");
  assert_string_equal(parse("«derechos humanos»"), "\"derechos humanos\"");
  assert_string_equal(noted, "");
}

static void test_parse__or_binds_tighter_than_and(void **state) {
  (void)state;
  assert_string_equal(parse("informacion OR datos terrorismo"),
                      "(AND (OR informacion datos) terrorismo)");
  assert_string_equal(parse("a OR b OR c"), "(OR a b c)");
  assert_string_equal(parse("(a OR b) OR c"), "(OR a b c)");
  assert_string_equal(parse("a or b"), "(AND a or b)");   /* lower case: a word */
}

static void test_parse__not_and_minus(void **state) {
  (void)state;
  assert_string_equal(parse("terrorismo -financiación"), "(AND terrorismo (NOT financiación))");
  assert_string_equal(parse("terrorismo NOT financiación"), "(AND terrorismo (NOT financiación))");
  assert_string_equal(parse("a NOT NOT b"), "(AND a b)");
  assert_string_equal(parse("a -\"b c\""), "(AND a (NOT \"b c\"))");
  assert_string_equal(parse("a -(b OR c)"), "(AND a (NOT (OR b c)))");
  assert_string_equal(parse("a (-b)"), "(AND a (NOT b))");
  assert_string_equal(parse("fin-de-semana"), "fin-de-semana");   /* '-' inside a word */
}

static void test_parse__parentheses(void **state) {
  (void)state;
  assert_string_equal(parse("(a b) c"), "(AND a b c)");
  assert_string_equal(parse("a (b OR (c d))"), "(AND a (OR b (AND c d)))");
  assert_string_equal(parse("()"), "()");
}

static void test_parse__prefix(void **state) {
  (void)state;
  assert_string_equal(parse("terroris*"), "terroris*");
  assert_string_equal(parse("terroris** financ*"), "(AND terroris* financ*)");
}

static void test_parse__near(void **state) {
  (void)state;
  assert_string_equal(parse("yihad NEAR/3 autónoma"), "(NEAR/3 yihad autónoma)");
  assert_string_equal(parse("a NEAR b"), "(NEAR/10 a b)");
  assert_string_equal(parse("a NEAR/5 b NEAR/2 c*"), "(NEAR/2 a b c*)");
  assert_string_equal(parse("x a NEAR/1 b y"), "(AND x (NEAR/1 a b) y)");
  /* NEAR over a phrase degrades to AND, with a note */
  assert_string_equal(parse("a NEAR/2 \"b c\""), "(AND a \"b c\")");
  assert_true(strstr(noted, "NEAR") != NULL);
  /* a malformed NEAR/x is a word */
  assert_string_equal(parse("a NEAR/x b"), "(AND a NEAR/x b)");
  /* a long distance is a distance, clamped past QP_NEAR_MAX (once read as words) */
  assert_string_equal(parse("a NEAR/12345 b"), "(NEAR/12345 a b)");
  assert_string_equal(parse("a NEAR/99999999999999 b"), "(NEAR/1000000 a b)");
}

static void test_parse__filters(void **state) {
  (void)state;
  assert_string_equal(parse("terrorismo symbol:S/2015/*"), "(AND terrorismo symbol:S/2015/*)");
  assert_string_equal(parse("doc:carta_*.txt annex:I year:2015"),
                      "(AND doc:carta_*.txt annex:I year:2015)");
  assert_string_equal(parse("Title:convención"), "title:convención");
  assert_string_equal(parse("title:\"Consejo de Seguridad\""), "title:Consejo de Seguridad");
  assert_string_equal(parse("symbol:S/RES/2196 (2015)"), "symbol:S/RES/2196 (2015)");
  /* an unknown name is a word */
  assert_string_equal(parse("hora:12"), "hora:12");
  /* a filter without a value is dropped with a note */
  assert_string_equal(parse("a year:"), "a");
  assert_true(strstr(noted, "filter") != NULL);
}

static void test_parse__symbols_keep_their_year(void **state) {
  (void)state;
  assert_string_equal(parse("S/RES/2196 (2015)"), "S/RES/2196 (2015)");
  assert_string_equal(parse("S/RES/2196(2015) sanciones"), "(AND S/RES/2196(2015) sanciones)");
  /* parentheses that are not a symbol's year stay grouping */
  assert_string_equal(parse("a (2015)"), "(AND a 2015)");
}

static void test_parse__unbalanced(void **state) {
  (void)state;
  assert_string_equal(parse("\"Consejo de Seguridad"), "\"Consejo de Seguridad\"");
  assert_true(strstr(noted, "quote") != NULL);
  assert_string_equal(parse("(a b"), "(AND a b)");
  assert_true(strstr(noted, "'('") != NULL);
  assert_string_equal(parse("a b)) c"), "(AND a b c)");
  assert_true(strstr(noted, "')'") != NULL);
  assert_string_equal(parse("\"\" a"), "a");
}

static void test_parse__stray_operators(void **state) {
  (void)state;
  assert_string_equal(parse("OR a"), "a");
  assert_string_equal(parse("a OR"), "a");
  assert_string_equal(parse("a OR OR b"), "(OR a b)");
  assert_string_equal(parse("NOT"), "()");
  assert_string_equal(parse("a NEAR/3"), "a");
  assert_string_equal(parse("- a"), "a");
  assert_true(strstr(noted, "operator") != NULL);
  assert_string_equal(parse("AND AND"), "()");
}

static void test_parse__star_alone_and_empty(void **state) {
  (void)state;
  assert_string_equal(parse("*"), "()");
  assert_true(strstr(noted, "'*'") != NULL);
  assert_string_equal(parse(""), "()");
  assert_string_equal(parse("   \t\n"), "()");
  assert_string_equal(parse("-a"), "()");
  assert_true(strstr(noted, "exclusions only") != NULL);
  assert_string_equal(parse("-a -b"), "()");
  assert_string_equal(parse("a OR -b"), "a");
  assert_true(strstr(noted, "inside OR") != NULL);
}

static void test_parse__deep_nesting_is_bounded(void **state) {
  (void)state;
  size_t n = 200000;
  char *q = malloc(2 * n + 2);
  assert_non_null(q);
  memset(q, '(', n);
  q[n] = 'x';
  memset(q + n + 1, ')', n);
  q[2 * n + 1] = 0;
  assert_string_equal(parse(q), "x");
  assert_true(strstr(noted, "too deep") != NULL);
  free(q);
}

static void test_parse__many_terms_are_bounded(void **state) {
  (void)state;
  size_t nw = 10000;
  char *q = malloc(nw * 8 + 1);
  assert_non_null(q);
  size_t o = 0;
  for (size_t i = 0; i < nw; i++) o += (size_t)sprintf(q + o, "w%zu ", i % 100000);
  qa_arena a = { 0 };
  ia_buf notes = { 0 };
  qnode *t = NULL;
  assert_int_equal(qp_parse(&a, q, o, &t, &notes), INDAGA_OK);
  assert_non_null(t);
  assert_int_equal(t->kind, QN_AND);
  assert_int_equal(t->nkids, QP_MAX_LEAVES);
  assert_non_null(strstr((char *)notes.p, "1024"));
  buf_free(&notes);
  qa_free(&a);
  free(q);
}

static void test_parse__huge_text_is_cut(void **state) {
  (void)state;
  size_t n = 3u << 20;
  char *q = malloc(n + 1);
  assert_non_null(q);
  for (size_t i = 0; i < n; i++) q[i] = (i % 4 == 3) ? ' ' : 'a';
  q[n] = 0;
  qa_arena a = { 0 };
  ia_buf notes = { 0 };
  qnode *t = NULL;
  assert_int_equal(qp_parse(&a, q, n, &t, &notes), INDAGA_OK);
  assert_non_null(t);
  assert_non_null(strstr((char *)notes.p, "1 MiB"));
  buf_free(&notes);
  qa_free(&a);
  free(q);
}

static void test_parse__oom_is_reported(void **state) {
  (void)state;
  const char *q = "a (b OR c) \"d e\" -f g* year:2015 x NEAR/2 y";
  for (uint64_t k = 1; k < 200; k++) {
    qa_arena a = { 0 };
    qnode *t = NULL;
    indaga__alloc_fail_at(k, 1);
    int rc = qp_parse(&a, q, strlen(q), &t, NULL);
    indaga__alloc_fail_at(0, 0);
    qa_free(&a);
    if (rc == INDAGA_OK) { assert_non_null(t); break; }
    assert_int_equal(rc, INDAGA_ENOMEM);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parse__words_are_anded),
    cmocka_unit_test(test_parse__phrases),
    cmocka_unit_test(test_parse__or_binds_tighter_than_and),
    cmocka_unit_test(test_parse__not_and_minus),
    cmocka_unit_test(test_parse__parentheses),
    cmocka_unit_test(test_parse__prefix),
    cmocka_unit_test(test_parse__near),
    cmocka_unit_test(test_parse__filters),
    cmocka_unit_test(test_parse__symbols_keep_their_year),
    cmocka_unit_test(test_parse__unbalanced),
    cmocka_unit_test(test_parse__stray_operators),
    cmocka_unit_test(test_parse__star_alone_and_empty),
    cmocka_unit_test(test_parse__deep_nesting_is_bounded),
    cmocka_unit_test(test_parse__many_terms_are_bounded),
    cmocka_unit_test(test_parse__huge_text_is_cut),
    cmocka_unit_test(test_parse__oom_is_reported),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
