/*
** test_stemmer.c: the analysis pipeline (stemmer/), on real text: Snowball's
** Spanish conformance vocabulary (tests/data/snowball, 28,378 words), a
** whole UN letter (tests/data/un/carta_krasnodar_2017.txt) and sentences
** quoted from other UN documents of ../shared/data/un (file named at
** each). Each test checks tokens, terms, keys, positions and byte ranges
** through the public indaga_analyze() or the internal analyzer_run().
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "common/common.h"
#include "common/os.h"
#include "stemmer/analyze.h"
#include "stemmer/analyzer_int.h"

#define DATA INDAGA_SOURCE_DIR "/tests/data"

/* ------------------------------------------------------------------------
** Helpers
*/
static indaga_analysis *analyze_z(const char *z) {
  indaga_analysis *an = NULL;
  assert_int_equal(indaga_analyze(&an, z, strlen(z)), INDAGA_OK);
  assert_non_null(an);
  return an;
}

static void print_tokens(const indaga_analysis *an) {
  for (size_t i = 0; i < indaga_analysis_count(an); i++) {
    const indaga_token *t = indaga_analysis_token(an, i);
    fprintf(stderr, "  [%zu] '%s' term '%s' key '%s' pos %u bytes %zu-%zu%s%s%s%s\n", i, t->token,
            t->term, t->key, t->pos, t->start, t->end, t->stop ? " stop" : "",
            t->symbol ? " symbol" : "", t->number ? " number" : "", t->part ? " part" : "");
  }
}

/*
** Check that the tokens of @an are exactly @spec: a string of lines
** "token|term|key|pos" separated by ';' (key "=" means same as term).
*/
static void expect_tokens(const indaga_analysis *an, const char *spec) {
  char buf[4096];
  size_t i = 0;
  assert_true(strlen(spec) < sizeof buf);
  strcpy(buf, spec);
  for (char *save = NULL, *item = strtok_r(buf, ";", &save); item;
       item = strtok_r(NULL, ";", &save), i++) {
    char tok[256], term[256], key[256];
    unsigned pos;
    if (sscanf(item, "%255[^|]|%255[^|]|%255[^|]|%u", tok, term, key, &pos) != 4) fail_msg("bad spec '%s'", item);
    if (!strcmp(key, "=")) strcpy(key, term);
    const indaga_token *t = indaga_analysis_token(an, i);
    if (!t || strcmp(t->token, tok) || strcmp(t->term, term) || strcmp(t->key, key) || t->pos != pos) {
      print_tokens(an);
      fail_msg("token %zu: want '%s' term '%s' key '%s' pos %u", i, tok, term, key, pos);
    }
  }
  if (indaga_analysis_count(an) != i) {
    print_tokens(an);
    fail_msg("want %zu tokens, got %zu", i, indaga_analysis_count(an));
  }
}

/* @z analyses to exactly the tokens @spec says (expect_tokens). */
static void expect_analysis(const char *z, const char *spec) {
  indaga_analysis *an = analyze_z(z);
  expect_tokens(an, spec);
  indaga_analysis_free(an);
}

/* The first token whose text is @z, or fail. */
static const indaga_token *find_token(const indaga_analysis *an, const char *z) {
  for (size_t i = 0; i < indaga_analysis_count(an); i++) {
    const indaga_token *t = indaga_analysis_token(an, i);
    if (!strcmp(t->token, z)) return t;
  }
  print_tokens(an);
  fail_msg("no token '%s'", z);
  return NULL;
}

static char *read_data(const char *path, size_t *n) {
  char *p = NULL, *err = NULL;
  if (os_read_file(path, &p, n, &err) != INDAGA_OK) fail_msg("%s", err ? err : path);
  return p;
}

typedef struct counter {
  size_t tokens, words, symbols, parts;
  uint32_t last_pos;
  size_t last_start;
  int order_ok;
} counter;

static int count_cb(void *ctx, const ia_token *t) {
  counter *c = ctx;
  if (c->tokens && (t->start < c->last_start || t->pos < c->last_pos)) c->order_ok = 0;
  c->last_start = t->start;
  c->last_pos = t->pos;
  c->tokens++;
  if (t->flags & TOK_SYMBOL) c->symbols++;
  else if (t->flags & TOK_PART) c->parts++;
  else c->words++;
  return 0;
}

/* ------------------------------------------------------------------------
** Snowball conformance: every reference word gives its folded reference stem.
*/
typedef struct one_term {
  size_t n;
  char term[512];
  char key[512];
} one_term;

static int one_term_cb(void *ctx, const ia_token *t) {
  one_term *o = ctx;
  if (o->n++ == 0 && t->nterm < sizeof o->term && t->nkey < sizeof o->key) {
    memcpy(o->term, t->term, t->nterm);
    o->term[t->nterm] = 0;
    memcpy(o->key, t->key, t->nkey);
    o->key[t->nkey] = 0;
  }
  return 0;
}

static void test_stemmer__snowball_vocabulary(void **state) {
  (void)state;
  size_t nv, no;
  char *voc = read_data(DATA "/snowball/voc.txt", &nv);
  char *out = read_data(DATA "/snowball/output.txt", &no);
  analyzer *a = NULL;
  assert_int_equal(analyzer_new(&a), INDAGA_OK);
  ia_buf want = { 0 };
  size_t words = 0, bad = 0;
  char *vs = NULL, *os = NULL;
  for (char *v = strtok_r(voc, "\n", &vs), *o = strtok_r(out, "\n", &os); v && o;
       v = strtok_r(NULL, "\n", &vs), o = strtok_r(NULL, "\n", &os)) {
    words++;
    buf_reset(&want);
    assert_int_equal(fold_accents(o, strlen(o), &want), INDAGA_OK);
    one_term got = { 0 };
    assert_int_equal(analyzer_run(a, v, strlen(v), one_term_cb, &got, NULL), INDAGA_OK);
    if (got.n != 1 || strcmp(got.term, (const char *)want.p)) {
      if (++bad <= 10)
        fprintf(stderr, "mismatch: '%s' -> '%s' (%zu tokens), reference '%s' folded '%s'\n", v,
                got.term, got.n, o, (const char *)want.p);
    }
    /* The same word through analyzer_word (the query parser's entry point). */
    const char *term;
    size_t nterm;
    assert_int_equal(analyzer_word(a, v, strlen(v), &term, &nterm, NULL, NULL, NULL), INDAGA_OK);
    if (nterm != want.n || memcmp(term, want.p, nterm)) {
      if (++bad <= 10) fprintf(stderr, "analyzer_word mismatch on '%s'\n", v);
    }
  }
  assert_int_equal(words, 28378);
  if (bad) fail_msg("%zu of %zu words do not give their reference stem", bad, words);
  buf_free(&want);
  analyzer_free(a);
  indaga__free(voc);
  indaga__free(out);
}

/* ------------------------------------------------------------------------
** Accents, ñ, ü, capitals
*/
static void test_stemmer__accents_meet_enye_stays(void **state) {
  (void)state;
  /* The public example of CLI.md. */
  indaga_analysis *an = analyze_z("Informaciones");
  expect_tokens(an, "Informaciones|inform|informaciones|0");
  const indaga_token *t = indaga_analysis_token(an, 0);
  assert_int_equal(t->start, 0);
  assert_int_equal(t->end, 13);
  assert_false(t->stop);
  indaga_analysis_free(an);

  expect_analysis("información informaciones informacion año ano Año AÑO",
                  "información|inform|informacion|0;informaciones|inform|informaciones|1;"
                  "informacion|inform|informacion|2;año|año|=|3;ano|ano|=|4;Año|año|=|5;AÑO|año|=|6");

  /* "Septuagésimo segundo año" (carta_krasnodar_2017.txt, line 19). */
  expect_analysis("Septuagésimo segundo año",
                  "Septuagésimo|septuagesim|septuagesimo|0;segundo|segund|segundo|1;año|año|=|2");

  /* Decomposed input (n + U+0303, e + U+0301) means the same as composed. */
  expect_analysis("an\xcc\x83o informacio\xcc\x81n",
                  "an\xcc\x83o|año|=|0;informacio\xcc\x81n|inform|informacion|1");

  ia_buf b = { 0 };
  assert_int_equal(fold_accents("ÁÉÍÓÚÜÑ áéíóúüñ çàê", strlen("ÁÉÍÓÚÜÑ áéíóúüñ çàê"), &b), INDAGA_OK);
  assert_string_equal((char *)b.p, "AEIOUUÑ aeiouuñ cae");
  buf_free(&b);
}

static void test_stemmer__dieresis_and_capitals(void **state) {
  (void)state;
  indaga_analysis *an = analyze_z("pingüino PINGÜINO");
  /* The term folds ü too: Snowball keeps it in "pingüin", fold_accents removes it. */
  expect_tokens(an, "pingüino|pinguin|pinguino|0;PINGÜINO|pinguin|pinguino|1");
  indaga_analysis_free(an);
  an = analyze_z("pingüino");
  const indaga_token *t = indaga_analysis_token(an, 0);
  assert_string_equal(t->key, "pinguino");
  indaga_analysis_free(an);

  /* "En la antigüedad, la obligación principal de la mujer ..." (e_cn_6_2015_ngo_168.txt) */
  an = analyze_z("En la antigüedad, la obligación principal de la mujer");
  t = find_token(an, "antigüedad");
  assert_string_equal(t->key, "antiguedad");
  assert_string_equal(t->term, "antigued");
  assert_true(find_token(an, "En")->stop);
  assert_false(find_token(an, "obligación")->stop);
  indaga_analysis_free(an);

  /* Capitals: "CAPÍTULO III: ÓRGANOS" (carta_naciones_unidas_cap1-3.txt) and ÁFRICA. */
  expect_analysis("CAPÍTULO III: ÓRGANOS ÁFRICA África africa",
                  "CAPÍTULO|capitul|capitulo|0;III|iii|=|1;ÓRGANOS|organ|organos|2;"
                  "ÁFRICA|afric|africa|3;África|afric|africa|4;africa|afric|africa|5");
}

/* ------------------------------------------------------------------------
** Punctuation: quotes, apostrophes, hyphens
*/
static void test_stemmer__quotes_apostrophes_hyphens(void **state) {
  (void)state;
  /* carta_krasnodar_2017.txt, line 50. */
  indaga_analysis *an = analyze_z("- La táctica de la “yihad autónoma”, utilizada");
  expect_tokens(an, "La|la|=|0;táctica|tactic|tactica|1;de|de|=|2;la|la|=|3;yihad|yih|yihad|4;"
                    "autónoma|autonom|autonoma|5;utilizada|utiliz|utilizada|6");
  const indaga_token *t = find_token(an, "yihad");
  assert_int_equal(t->start, strlen("- La táctica de la “"));
  indaga_analysis_free(an);

  expect_analysis("«Marco» ‘apoyo’ \"pleno\"",
                  "Marco|marc|marco|0;apoyo|apoy|apoyo|1;pleno|plen|pleno|2");
}

static void test_stemmer__apostrophes_and_hyphens(void **state) {
  (void)state;
  /* e_cn_6_2015_ngo_254.txt */
  indaga_analysis *an = analyze_z("Société Malienne de Gestion de l'Eau Potable (SOMAGEP-SA) l’Eau");
  expect_tokens(an, "Société|societ|societe|0;Malienne|malienn|malienne|1;de|de|=|2;Gestion|gestion|=|3;"
                    "de|de|=|4;l|l|=|5;Eau|eau|=|6;Potable|potabl|potable|7;SOMAGEP|somagep|=|8;"
                    "SA|sa|=|9;l|l|=|10;Eau|eau|=|11");
  indaga_analysis_free(an);

  /* a_69_781.txt and a_conf_222_12.txt */
  expect_analysis("la relación costo-beneficio y las alianzas público-privadas — ver",
                  "la|la|=|0;relación|relacion|relacion|1;costo|cost|costo|2;beneficio|benefici|beneficio|3;"
                  "y|y|=|4;las|las|=|5;alianzas|alianz|alianzas|6;público|public|publico|7;"
                  "privadas|priv|privadas|8;ver|ver|=|9");
}

/* «Marco» above: the guillemets must not be part of the token. */
static void test_stemmer__guillemets_not_in_token(void **state) {
  (void)state;
  indaga_analysis *an = analyze_z("«Marco»");
  const indaga_token *t = indaga_analysis_token(an, 0);
  assert_int_equal(indaga_analysis_count(an), 1);
  assert_string_equal(t->token, "Marco");
  assert_int_equal(t->start, 2);
  assert_int_equal(t->end, 7);
  indaga_analysis_free(an);
}

/* ------------------------------------------------------------------------
** Numbers and ordinals
*/
static void test_stemmer__numbers(void **state) {
  (void)state;
  /* a_69_691.txt and a_69_702.txt: thousands and decimal separators stay in one token. */
  indaga_analysis *an = analyze_z("la suma de 24.042.875 dólares (22.361.300 dólares), en el 0,75% de la estimación.");
  const indaga_token *t = find_token(an, "24.042.875");
  assert_string_equal(t->term, "24.042.875");
  assert_true(t->number);
  assert_false(t->stop);
  t = find_token(an, "22.361.300");
  assert_true(t->number);
  t = find_token(an, "0,75");
  assert_true(t->number);
  assert_int_equal(t->pos, 9);
  t = find_token(an, "estimación");
  assert_int_equal(t->pos, 12);
  indaga_analysis_free(an);

  /* A final dot or comma is punctuation, not a separator. */
  an = analyze_z("los días 4 y 5 de octubre de 2017, y 2018.");
  expect_tokens(an, "los|los|=|0;días|dias|=|1;4|4|=|2;y|y|=|3;5|5|=|4;de|de|=|5;octubre|octubr|octubre|6;"
                    "de|de|=|7;2017|2017|=|8;y|y|=|9;2018|2018|=|10");
  assert_true(find_token(an, "2017")->number);
  indaga_analysis_free(an);

  /* Words with digits are not stemmed and not numbers. */
  an = analyze_z("G77 COVID19");
  expect_tokens(an, "G77|g77|=|0;COVID19|covid19|=|1");
  assert_false(indaga_analysis_token(an, 0)->number);
  indaga_analysis_free(an);
}

static void test_stemmer__ordinals(void **state) {
  (void)state;
  /* carta_krasnodar_2017.txt, line 25. */
  indaga_analysis *an = analyze_z("el comunicado de la 16ª Reunión de Jefes");
  expect_tokens(an, "el|el|=|0;comunicado|comunic|comunicado|1;de|de|=|2;la|la|=|3;16ª|16ª|=|4;"
                    "16|16|=|4;Reunión|reunion|reunion|5;de|de|=|6;Jefes|jef|jefes|7");
  const indaga_token *t = indaga_analysis_token(an, 4);
  assert_true(t->number);
  assert_false(t->part);
  assert_int_equal(t->end - t->start, 4);
  t = indaga_analysis_token(an, 5);
  assert_true(t->number);
  assert_true(t->part);
  assert_int_equal(t->start, indaga_analysis_token(an, 4)->start);
  assert_int_equal(t->end - t->start, 2);
  indaga_analysis_free(an);

  /* "el 20º aniversario", "del 57º período" (UN documents of 2015), 1º, 1.º, 72º. */
  expect_analysis("el 20º aniversario, 1º y 1.º, 72º",
                  "el|el|=|0;20º|20º|=|1;20|20|=|1;aniversario|aniversari|aniversario|2;"
                  "1º|1º|=|3;1|1|=|3;y|y|=|4;1.º|1º|=|5;1|1|=|5;72º|72º|=|6;72|72|=|6");
}

/*
** Numbering abbreviations: every way the legislation corpus writes "número"
** before a number (counts over its 287 MB: Nº 164,269, N° 79,326, N.° 1,299,
** N.º 1,068, No. 661, Num. 239, núm. 330, Nro. 34, plurals Nºs., Nros., Nos.)
** is one token, the number sign "nº" (term and key), whatever the spelling;
** the number stays its own token. The word "número" stays a word: a query
** joins the two before a number only (query/compile.c).
*/
static void test_stemmer__numbering_abbreviations(void **state) {
  (void)state;
  /* DLEG-1062-2008.md writes "Decreto Legislativo Nº 1062"; others "N°". */
  indaga_analysis *an = analyze_z("Decreto Legislativo Nº 1326");
  expect_tokens(an, "Decreto|decret|decreto|0;Legislativo|legisl|legislativo|1;Nº|nº|=|2;1326|1326|=|3");
  indaga_analysis_free(an);
  const char *forms[] = { "N° 1326", "N.º 1326", "N.° 1326", "Nro. 1326", "NRO 1326", "Núm. 1326",
                          "NÚM. 1326", "Num. 1326", "núm. 1326", "No. 1326", "no. 1326", "NO. 1326",
                          "nº 1326", "n° 1326" };
  for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
    an = analyze_z(forms[i]);
    if (indaga_analysis_count(an) != 2) { print_tokens(an); fail_msg("'%s': want 2 tokens", forms[i]); }
    const indaga_token *t = indaga_analysis_token(an, 0);
    if (strcmp(t->term, "nº") || strcmp(t->key, "nº") || t->pos != 0 || t->stop || t->number) {
      print_tokens(an);
      fail_msg("'%s': want term and key nº", forms[i]);
    }
    /* the token is the abbreviation as written, its dot included */
    size_t len = strcspn(forms[i], " ");
    assert_int_equal(t->start, 0);
    assert_int_equal(t->end, len);
    t = indaga_analysis_token(an, 1);
    assert_string_equal(t->term, "1326");
    assert_int_equal(t->pos, 1);
    assert_true(t->number);
    indaga_analysis_free(an);
  }
  /* The word itself is the word, before a number too. */
  expect_analysis("número 1326, Número 1327, números 3",
                  "número|numer|numero|0;1326|1326|=|1;Número|numer|numero|2;1327|1327|=|3;"
                  "números|numer|numeros|4;3|3|=|5");
  /* Plurals: "los Decretos Supremos Nºs. 003-2019 y 004-2019", "Nos. 3 y 4". */
  expect_analysis("Nºs. 3, N°s 4, Nros. 5, Núms. 6, Nos. 7 y 8",
                  "Nºs.|nº|=|0;3|3|=|1;N°s|nº|=|2;4|4|=|3;Nros.|nº|=|4;"
                  "5|5|=|5;Núms.|nº|=|6;6|6|=|7;Nos.|nº|=|8;7|7|=|9;y|y|=|10;8|8|=|11");
  /* Glued to the number; at the end of a sentence "no." stays the word "no". */
  expect_analysis("Nº1326 y N°1327; dijo que no. 3 no, nos. ",
                  "Nº|nº|=|0;1326|1326|=|1;y|y|=|2;N°|nº|=|3;1327|1327|=|4;dijo|dij|dijo|5;"
                  "que|que|=|6;no.|nº|=|7;3|3|=|8;no|no|=|9;nos|nos|=|10");
  /* Not abbreviations: longer words, "No" without a dot, "Num" without a dot, a lone "N". */
  expect_analysis("Nrosa normas Nombre No 5 Num 6 N 7 Nºx",
                  "Nrosa|nros|nrosa|0;normas|norm|normas|1;Nombre|nombr|nombre|2;No|no|=|3;5|5|=|4;"
                  "Num|num|=|5;6|6|=|6;N|n|=|7;7|7|=|8;Nºx|nºx|=|9");
  /* Inside a UN symbol the letters are parts as usual. */
  an = analyze_z("A/NO.5/2");
  assert_true(indaga_analysis_token(an, 0)->symbol);
  indaga_analysis_free(an);
}

/* ------------------------------------------------------------------------
** UN symbols
*/
static void expect_symbol(const char *text, const char *term, const char *parts) {
  indaga_analysis *an = analyze_z(text);
  const indaga_token *t = indaga_analysis_token(an, 0);
  if (!t || !t->symbol || strcmp(t->term, term)) {
    print_tokens(an);
    fail_msg("'%s': want symbol '%s'", text, term);
  }
  assert_string_equal(t->key, term);
  assert_int_equal(t->pos, 0);
  assert_false(t->stop);
  /* The parts: every later token, flagged part, at consecutive positions from 0. */
  char got[512] = "";
  size_t n = indaga_analysis_count(an);
  for (size_t i = 1; i < n; i++) {
    const indaga_token *p = indaga_analysis_token(an, i);
    assert_true(p->part);
    assert_false(p->symbol);
    assert_int_equal(p->pos, i - 1);
    assert_true(p->start >= t->start && p->end <= t->end);
    if (i > 1) strcat(got, " ");
    strcat(got, p->term);
  }
  if (strcmp(got, parts)) {
    print_tokens(an);
    fail_msg("'%s': want parts '%s', got '%s'", text, parts, got);
  }
  indaga_analysis_free(an);
}

static void test_stemmer__symbols(void **state) {
  (void)state;
  expect_symbol("A/72/565", "a/72/565", "a 72 565");
  expect_symbol("S/2017/968", "s/2017/968", "s 2017 968");
  expect_symbol("S/RES/2354 (2017)", "s/res/2354 (2017)", "s res 2354 2017");
  expect_symbol("S/RES/2354(2017)", "s/res/2354 (2017)", "s res 2354 2017");
  expect_symbol("S/RES/2354  ( 2017 )", "s/res/2354 (2017)", "s res 2354 2017");
  expect_symbol("S/RES/2354 \\(2017\\)", "s/res/2354 (2017)", "s res 2354 2017");
  expect_symbol("A/69/102/Add.2", "a/69/102/add.2", "a 69 102 add 2");
  expect_symbol("E/CN.6/2015/NGO/164", "e/cn.6/2015/ngo/164", "e cn 6 2015 ngo 164");
  expect_symbol("A/AC.109/2015/10", "a/ac.109/2015/10", "a ac 109 2015 10");
  expect_symbol("CEDAW/C/ESP/CO/7", "cedaw/c/esp/co/7", "cedaw c esp co 7");
  expect_symbol("A/HRC/29/L.1", "a/hrc/29/l.1", "a hrc 29 l 1");
  expect_symbol("UNEP/EA.1/10", "unep/ea.1/10", "unep ea 1 10");

  /* In a sentence: the symbol ends before the final dot, positions line up. */
  indaga_analysis *an = analyze_z("véase el documento A/69/102/Add.2. Fin");
  expect_tokens(an, "véase|veas|vease|0;el|el|=|1;documento|document|documento|2;"
                    "A/69/102/Add.2|a/69/102/add.2|=|3;A|a|=|3;69|69|=|4;102|102|=|5;Add|add|=|6;"
                    "2|2|=|7;Fin|fin|=|8");
  indaga_analysis_free(an);

  an = analyze_z("la resolución S/RES/2354 (2017) del Consejo");
  const indaga_token *t = find_token(an, "S/RES/2354 (2017)");
  assert_true(t->symbol);
  assert_int_equal(t->pos, 2);
  assert_int_equal(find_token(an, "2017")->pos, 5);
  assert_true(find_token(an, "2017")->part);
  assert_int_equal(find_token(an, "del")->pos, 6);
  indaga_analysis_free(an);
}

static void test_stemmer__not_symbols(void **state) {
  (void)state;
  static const char *const prose[] = {
    "y/o", "4/5", "el 4/5/2017", "A/b", "km/h", "A/", "/72/565", "a/72/565", "S /2017/968",
  };
  for (size_t i = 0; i < ARRAY_SIZE(prose); i++) {
    indaga_analysis *an = analyze_z(prose[i]);
    for (size_t k = 0; k < indaga_analysis_count(an); k++) {
      const indaga_token *t = indaga_analysis_token(an, k);
      if (t->symbol || t->part) {
        print_tokens(an);
        fail_msg("'%s' must not make a symbol", prose[i]);
      }
    }
    indaga_analysis_free(an);
  }
  indaga_analysis *an = analyze_z("servicios y/o bienes");
  expect_tokens(an, "servicios|servici|servicios|0;y|y|=|1;o|o|=|2;bienes|bien|bienes|3");
  indaga_analysis_free(an);
}

/* ------------------------------------------------------------------------
** Markdown
*/
static void test_stemmer__markdown(void **state) {
  (void)state;
  /* carta_krasnodar_2017.txt, lines 87 and 21. */
  indaga_analysis *an = analyze_z("1. *Expresamos nuestro pleno apoyo* a la resolución [2354 \\(2017\\)](#) del");
  expect_tokens(an, "1|1|=|0;Expresamos|expres|expresamos|1;nuestro|nuestr|nuestro|2;pleno|plen|pleno|3;"
                    "apoyo|apoy|apoyo|4;a|a|=|5;la|la|=|6;resolución|resolu|resolucion|7;2354|2354|=|8;"
                    "2017|2017|=|9;del|del|=|10");
  indaga_analysis_free(an);
  an = analyze_z("**Carta de fecha 16 de noviembre** __x__ `y` # Anexo");
  expect_tokens(an, "Carta|cart|carta|0;de|de|=|1;fecha|fech|fecha|2;16|16|=|3;de|de|=|4;"
                    "noviembre|noviembr|noviembre|5;x|x|=|6;y|y|=|7;Anexo|anex|anexo|8");
  assert_int_equal(indaga_analysis_token(an, 0)->start, 2);
  indaga_analysis_free(an);
}

static void test_stemmer__html_entities(void **state) {
  (void)state;
  /* A title of the Peruvian legislation corpus (legalize-pe, LEY-24167-1985). */
  indaga_analysis *an = analyze_z("Apur&iacute;mac&nbsp;y Apurímac &#8211; N&ordm; 5 &amp; &#237;ndice &foo");
  const indaga_token *t = indaga_analysis_token(an, 0);
  assert_string_equal(t->token, "Apur&iacute;mac");
  assert_string_equal(t->key, "apurimac");
  assert_string_equal(t->term, indaga_analysis_token(an, 2)->term);
  static const char *const want[][2] = {   /* token as written, key */
    { "Apur&iacute;mac", "apurimac" }, { "y", "y" }, { "Apurímac", "apurimac" }, { "N&ordm;", "nº" },
    { "5", "5" }, { "&#237;ndice", "indice" }, { "foo", "foo" },
  };
  assert_int_equal(indaga_analysis_count(an), ARRAY_SIZE(want));
  for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
    t = indaga_analysis_token(an, i);
    assert_string_equal(t->token, want[i][0]);
    assert_string_equal(t->key, want[i][1]);
    assert_int_equal(t->pos, i);
  }
  assert_string_equal(indaga_analysis_token(an, 5)->term, "indic");
  indaga_analysis_free(an);
}

/* ------------------------------------------------------------------------
** Bad bytes, NUL, huge input
*/
static void test_stemmer__invalid_utf8(void **state) {
  (void)state;
  /* A stray byte, a truncated sequence, an overlong, a surrogate, a lone continuation. */
  static const char text[] = "pal\xff" "abra a\xc3(o \xc0\xaf x \xed\xa0\x80 y \x80z año";
  indaga_analysis *an = NULL;
  assert_int_equal(indaga_analyze(&an, text, sizeof text - 1), INDAGA_OK);
  expect_tokens(an, "pal|pal|=|0;abra|abra|=|1;a|a|=|2;o|o|=|3;x|x|=|4;y|y|=|5;z|z|=|6;año|año|=|7");
  assert_int_equal(indaga_analysis_invalid(an), 1 + 1 + 2 + 3 + 1);
  assert_int_equal(indaga_analysis_token(an, 1)->start, 4);
  indaga_analysis_free(an);

  /* Truncated at the very end. */
  an = NULL;
  assert_int_equal(indaga_analyze(&an, "año\xc3", 5), INDAGA_OK);
  expect_tokens(an, "año|año|=|0");
  assert_int_equal(indaga_analysis_invalid(an), 1);
  indaga_analysis_free(an);

  /* analyzer_word replaces too, and never crashes. */
  analyzer *a = NULL;
  assert_int_equal(analyzer_new(&a), INDAGA_OK);
  const char *term, *key;
  size_t nt, nk;
  int stop;
  assert_int_equal(analyzer_word(a, "a\xff", 2, &term, &nt, &key, &nk, &stop), INDAGA_OK);
  assert_int_equal(nk, 4);
  assert_memory_equal(key, "a\xef\xbf\xbd", 4);
  analyzer_free(a);
}

static void test_stemmer__nul_bytes(void **state) {
  (void)state;
  static const char text[] = "uno\0dos\0\0Consejo";
  indaga_analysis *an = NULL;
  assert_int_equal(indaga_analyze(&an, text, sizeof text - 1), INDAGA_OK);
  expect_tokens(an, "uno|uno|=|0;dos|dos|=|1;Consejo|consej|consejo|2");
  assert_int_equal(indaga_analysis_token(an, 2)->start, 9);
  assert_int_equal(indaga_analysis_invalid(an), 0);
  indaga_analysis_free(an);
}

static void test_stemmer__ten_megabyte_line(void **state) {
  (void)state;
  /* One line of 10 MB: a real sentence repeated, no newline. */
  static const char unit[] = "Subrayando la responsabilidad de los Estados Miembros de las Naciones Unidas "
                             "de combatir el terrorismo, la 16ª Reunión y S/RES/2354 (2017); ";
  const size_t unit_words = 18 + 2 /* 16ª + 16 */ + 1 + 4 /* symbol + parts */;
  size_t reps = (10u << 20) / (sizeof unit - 1) + 1;
  size_t n = reps * (sizeof unit - 1);
  char *text = indaga__malloc(n);
  assert_non_null(text);
  for (size_t i = 0; i < reps; i++) memcpy(text + i * (sizeof unit - 1), unit, sizeof unit - 1);
  analyzer *a = NULL;
  assert_int_equal(analyzer_new(&a), INDAGA_OK);
  counter c = { 0 };
  c.order_ok = 1;
  size_t ninv = 99;
  assert_int_equal(analyzer_run(a, text, n, count_cb, &c, &ninv), INDAGA_OK);
  assert_int_equal(ninv, 0);
  assert_int_equal(c.tokens, reps * unit_words);
  assert_int_equal(c.symbols, reps);
  assert_true(c.order_ok);
  /* Positions: the ordinal's number and the whole symbol share one with a neighbour. */
  assert_int_equal(c.last_pos, reps * (unit_words - 2) - 1);

  /* One "word" of 10 MB: cut into tokens of at most IA_MAX_WORD bytes. */
  memset(text, 'a', n);
  memset(&c, 0, sizeof c);
  assert_int_equal(analyzer_run(a, text, n, count_cb, &c, NULL), INDAGA_OK);
  assert_int_equal(c.tokens, (n + IA_MAX_WORD - 1) / IA_MAX_WORD);
  /* Two-byte letters: cuts fall between characters, never inside one. */
  for (size_t i = 0; i + 1 < n; i += 2) { text[i] = (char)0xc3; text[i + 1] = (char)0xb1; }
  memset(&c, 0, sizeof c);
  assert_int_equal(analyzer_run(a, text, n - (n % 2), count_cb, &c, &ninv), INDAGA_OK);
  assert_int_equal(ninv, 0);
  assert_int_equal(c.tokens, ((n / 2) + (IA_MAX_WORD / 2) - 1) / (IA_MAX_WORD / 2));
  /* Capitals, and a symbol's opening, followed by 10 MB of letters: no symbol, linear time. */
  memset(text, 'A', n);
  memset(&c, 0, sizeof c);
  assert_int_equal(analyzer_run(a, text, n, count_cb, &c, NULL), INDAGA_OK);
  assert_int_equal(c.tokens, (n + IA_MAX_WORD - 1) / IA_MAX_WORD);
  assert_int_equal(c.symbols, 0);
  memcpy(text, "A/1", 3);
  memset(&c, 0, sizeof c);
  assert_int_equal(analyzer_run(a, text, n, count_cb, &c, NULL), INDAGA_OK);
  assert_int_equal(c.symbols, 0);
  assert_int_equal(c.tokens, 1 + (n - 2 + IA_MAX_WORD - 1) / IA_MAX_WORD);   /* "A", then "1AAA..." cut */
  analyzer_free(a);
  indaga__free(text);
}

/* ------------------------------------------------------------------------
** Byte ranges and positions over a whole document
*/
static void test_stemmer__byte_ranges_whole_document(void **state) {
  (void)state;
  size_t n;
  char *text = read_data(DATA "/un/carta_krasnodar_2017.txt", &n);
  indaga_analysis *an = NULL;
  assert_int_equal(indaga_analyze(&an, text, n), INDAGA_OK);
  analyzer *a = NULL;
  assert_int_equal(analyzer_new(&a), INDAGA_OK);
  size_t count = indaga_analysis_count(an);
  assert_true(count > 1200);
  uint32_t next_pos = 0;
  for (size_t i = 0; i < count; i++) {
    const indaga_token *t = indaga_analysis_token(an, i);
    assert_true(t->start < t->end && t->end <= n);
    assert_int_equal(t->token_len, t->end - t->start);
    assert_memory_equal(t->token, text + t->start, t->token_len);
    if (i > 0) assert_true(t->start >= indaga_analysis_token(an, i - 1)->start);
    if (t->symbol || t->part) continue;
    /* Positions: each word takes the next one. */
    assert_int_equal(t->pos, next_pos);
    next_pos++;
    /* The range points at the word as written: analysing it alone gives the same. */
    const char *term, *key;
    size_t nt, nk;
    int stop;
    assert_int_equal(analyzer_word(a, text + t->start, t->end - t->start, &term, &nt, &key, &nk, &stop),
                     INDAGA_OK);
    assert_int_equal(nt, t->term_len);
    assert_memory_equal(term, t->term, nt);
    assert_memory_equal(key, t->key, nk);
    assert_int_equal(stop, t->stop);
  }
  /* A few words of the letter, where they are. */
  const indaga_token *t = find_token(an, "Krasnodar");
  assert_memory_equal(text + t->start, "Krasnodar", 9);
  t = find_token(an, "terroristas");
  assert_string_equal(t->term, "terror");
  assert_false(t->stop);
  t = find_token(an, "Estados");
  assert_true(t->stop);   /* Snowball's list has "estados" (estar) */
  analyzer_free(a);
  indaga_analysis_free(an);
  indaga__free(text);
}

/* ------------------------------------------------------------------------
** Stopwords
*/
static void test_stemmer__stopwords(void **state) {
  (void)state;
  indaga_analysis *an = analyze_z("Consejo de Seguridad esta está Esta él el si sí mas más información");
  static const int want[] = { 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 };
  assert_int_equal(indaga_analysis_count(an), ARRAY_SIZE(want));
  for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
    const indaga_token *t = indaga_analysis_token(an, i);
    if (t->stop != want[i]) fail_msg("'%s': stop %d, want %d", t->token, t->stop, want[i]);
  }
  /* Stopwords keep their positions (phrases like "Consejo de Seguridad"). */
  assert_int_equal(indaga_analysis_token(an, 1)->pos, 1);
  assert_int_equal(indaga_analysis_token(an, 2)->pos, 2);
  indaga_analysis_free(an);
}

/* ------------------------------------------------------------------------
** The cache: bounded, and what it returns does not depend on it
*/
typedef struct term_log {
  ia_buf terms;
} term_log;

static int log_cb(void *ctx, const ia_token *t) {
  term_log *l = ctx;
  buf_append(&l->terms, t->term, t->nterm);
  buf_putc(&l->terms, '|');
  buf_append(&l->terms, t->key, t->nkey);
  buf_putc(&l->terms, ' ');
  return l->terms.err;
}

static void test_stemmer__cache_bounded_and_transparent(void **state) {
  (void)state;
  /* 300,000 distinct words (more than the cache holds), then the letter. */
  ia_buf text = { 0 };
  static const char *const stems[] = { "información", "cooperación", "año", "Niñez", "pingüino" };
  for (unsigned i = 0; i < 300000; i++)
    buf_printf(&text, "%s%c%c%c%c ", stems[i % 5], 'a' + i % 26, 'a' + (i / 26) % 26,
               'a' + (i / 676) % 26, 'a' + (i / 17576) % 26);
  size_t nl;
  char *letter = read_data(DATA "/un/carta_krasnodar_2017.txt", &nl);
  buf_append(&text, letter, nl);
  assert_int_equal(text.err, INDAGA_OK);

  analyzer *warm = NULL, *cold = NULL;
  assert_int_equal(analyzer_new(&warm), INDAGA_OK);
  term_log l1 = { { 0 } }, l2 = { { 0 } };
  assert_int_equal(analyzer_run(warm, (char *)text.p, text.n, log_cb, &l1, NULL), INDAGA_OK);
  assert_true(warm->cache_resets >= 1);
  assert_true(warm->nslots <= IA_CACHE_MAX_SLOTS);
  assert_true(warm->arena_cap <= IA_CACHE_MAX_ARENA);
  /* The letter alone, on a fresh analyzer, gives the same terms as at the end of the long run. */
  assert_int_equal(analyzer_new(&cold), INDAGA_OK);
  assert_int_equal(analyzer_run(cold, letter, nl, log_cb, &l2, NULL), INDAGA_OK);
  assert_true(l1.terms.n > l2.terms.n);
  assert_memory_equal(l1.terms.p + l1.terms.n - l2.terms.n, l2.terms.p, l2.terms.n);
  /* A repeated word is a cache hit: a second run over the letter makes no miss. */
  uint64_t misses = cold->cache_misses;
  buf_reset(&l2.terms);
  assert_int_equal(analyzer_run(cold, letter, nl, log_cb, &l2, NULL), INDAGA_OK);
  assert_int_equal(cold->cache_misses, misses);
  buf_free(&l1.terms);
  buf_free(&l2.terms);
  buf_free(&text);
  indaga__free(letter);
  analyzer_free(warm);
  analyzer_free(cold);
}

/*
** A full cache keeps the words looked up again since the last eviction:
** the letter read twice, then 300,000 distinct words (inline in their
** entries: one eviction, by the table, not the arena), then
** the letter again makes no miss, and gives the terms a fresh analyzer
** gives (kept entries and their arena strings moved intact). Words each
** looked up three times are too many to keep: the cache is emptied whole.
*/
static void test_stemmer__cache_keeps_hot_words(void **state) {
  (void)state;
  size_t nl;
  char *letter = read_data(DATA "/un/carta_krasnodar_2017.txt", &nl);
  ia_buf text = { 0 };
  for (unsigned i = 0; i < 300000; i++)
    buf_printf(&text, "administracion%c%c%c%c ", 'a' + i % 26, 'a' + (i / 26) % 26,
               'a' + (i / 676) % 26, 'a' + (i / 17576) % 26);
  assert_int_equal(text.err, INDAGA_OK);
  analyzer *a = NULL, *cold = NULL;
  assert_int_equal(analyzer_new(&a), INDAGA_OK);
  assert_int_equal(analyzer_new(&cold), INDAGA_OK);
  term_log l1 = { { 0 } }, l2 = { { 0 } };
  assert_int_equal(analyzer_run(a, letter, nl, log_cb, &l1, NULL), INDAGA_OK);
  uint64_t words = a->cache_misses;   /* the letter's distinct words, all cached */
  assert_true(words > 300);
  assert_int_equal(analyzer_run(a, letter, nl, log_cb, &l1, NULL), INDAGA_OK);
  assert_int_equal(analyzer_run(a, (char *)text.p, text.n, log_cb, &l1, NULL), INDAGA_OK);
  assert_int_equal(a->cache_resets, 1);
  assert_int_equal(a->cache_kept, words);
  uint64_t misses = a->cache_misses;
  buf_reset(&l1.terms);
  assert_int_equal(analyzer_run(a, letter, nl, log_cb, &l1, NULL), INDAGA_OK);
  assert_int_equal(a->cache_misses, misses);
  assert_int_equal(analyzer_run(cold, letter, nl, log_cb, &l2, NULL), INDAGA_OK);
  assert_int_equal(l1.terms.n, l2.terms.n);
  assert_memory_equal(l1.terms.p, l2.terms.p, l2.terms.n);

  /* Every word three times: all of them hot, none kept. */
  analyzer_free(a);
  assert_int_equal(analyzer_new(&a), INDAGA_OK);
  buf_reset(&text);
  for (unsigned i = 0; i < 300000; i++) {
    char w[16];
    snprintf(w, sizeof w, "nación%c%c%c%c", 'a' + i % 26, 'a' + (i / 26) % 26, 'a' + (i / 676) % 26,
             'a' + (i / 17576) % 26);
    buf_printf(&text, "%s %s %s ", w, w, w);
  }
  assert_int_equal(text.err, INDAGA_OK);
  assert_int_equal(analyzer_run(a, (char *)text.p, text.n, log_cb, &l1, NULL), INDAGA_OK);
  assert_true(a->cache_resets >= 1);
  assert_int_equal(a->cache_kept, 0);
  assert_true(a->nslots <= IA_CACHE_MAX_SLOTS);
  assert_true(a->arena_cap <= IA_CACHE_MAX_ARENA);
  buf_free(&l1.terms);
  buf_free(&l2.terms);
  buf_free(&text);
  indaga__free(letter);
  analyzer_free(a);
  analyzer_free(cold);
}

/* ------------------------------------------------------------------------
** Word ids: equal nonzero ids mean equal term and key, across cache growth
** and resets (what the indexer's per-document memo relies on).
*/
typedef struct wid_rec {
  uint64_t wid;
  size_t off, n;             /* "term\0key" in the log's bytes */
} wid_rec;

typedef struct wid_log {
  wid_rec *v;
  size_t n, cap;
  ia_buf bytes;
  size_t named, words;       /* tokens with a nonzero id; word tokens (not numbers or symbols) */
} wid_log;

static int wid_cb(void *ctx, const ia_token *t) {
  wid_log *l = ctx;
  if (!(t->flags & (TOK_NUMBER | TOK_SYMBOL))) l->words++;
  if (!t->wid) return 0;
  l->named++;
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 1024;
    l->v = realloc(l->v, l->cap * sizeof *l->v);
    assert_non_null(l->v);
  }
  wid_rec *r = &l->v[l->n++];
  r->wid = t->wid;
  r->off = l->bytes.n;
  buf_append(&l->bytes, t->term, t->nterm);
  buf_putc(&l->bytes, 0);
  buf_append(&l->bytes, t->key, t->nkey);
  r->n = l->bytes.n - r->off;
  return 0;
}

static int wid_cmp(const void *a, const void *b) {
  const wid_rec *x = a, *y = b;
  return x->wid < y->wid ? -1 : x->wid > y->wid;
}

static void test_stemmer__word_ids(void **state) {
  (void)state;
  ia_buf text = { 0 };
  size_t nl;
  char *letter = read_data(DATA "/un/carta_krasnodar_2017.txt", &nl);
  buf_append(&text, letter, nl);
  for (unsigned i = 0; i < 300000; i++)   /* more distinct words than the cache holds */
    buf_printf(&text, "acci\xc3\xb3n%c%c%c%c ", 'a' + i % 26, 'a' + (i / 26) % 26,
               'a' + (i / 676) % 26, 'a' + (i / 17576) % 26);
  buf_append(&text, letter, nl);
  assert_int_equal(text.err, INDAGA_OK);
  analyzer *a = NULL;
  assert_int_equal(analyzer_new(&a), INDAGA_OK);
  wid_log l;
  memset(&l, 0, sizeof l);
  assert_int_equal(analyzer_run(a, (char *)text.p, text.n, wid_cb, &l, NULL), INDAGA_OK);
  assert_true(a->cache_resets >= 1);
  assert_int_equal(l.bytes.err, INDAGA_OK);
  /* Nearly every word is named (only words too long for the cache are not). */
  assert_true(l.named * 100 >= l.words * 99);
  qsort(l.v, l.n, sizeof *l.v, wid_cmp);
  size_t groups = 0;
  for (size_t i = 0; i < l.n; i++) {
    if (i == 0 || l.v[i].wid != l.v[i - 1].wid) { groups++; continue; }
    assert_int_equal(l.v[i].n, l.v[i - 1].n);
    assert_memory_equal(l.bytes.p + l.v[i].off, l.bytes.p + l.v[i - 1].off, l.v[i].n);
  }
  /* Repeated words share ids: far fewer ids than named tokens. */
  assert_true(groups < l.n);
  assert_true(groups > 300000);
  free(l.v);
  buf_free(&l.bytes);
  buf_free(&text);
  indaga__free(letter);
  analyzer_free(a);
}

/* ------------------------------------------------------------------------
** analyzer_run_ids: the same tokens as analyzer_run, each as (id, position),
** ids remembered per word within a scope and forgotten between scopes, across
** cache growth, cache resets and the reuse of scope stamps.
*/
typedef struct tk_log {
  ia_buf bytes;              /* "term\0key" of each token */
  size_t *off;               /* where token i starts in bytes */
  uint32_t *pos;
  size_t n, cap;
} tk_log;

static void tk_add(tk_log *l, const ia_token *t) {
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 1024;
    l->off = realloc(l->off, l->cap * sizeof *l->off);
    l->pos = realloc(l->pos, l->cap * sizeof *l->pos);
    assert_true(l->off && l->pos);
  }
  l->off[l->n] = l->bytes.n;
  l->pos[l->n++] = t->pos;
  buf_append(&l->bytes, t->term, t->nterm);
  buf_putc(&l->bytes, 0);
  buf_append(&l->bytes, t->key, t->nkey);
  buf_putc(&l->bytes, 0);
}

static void tk_free(tk_log *l) {
  buf_free(&l->bytes);
  free(l->off);
  free(l->pos);
  memset(l, 0, sizeof *l);
}

/* Reference: every token but stopwords, through analyzer_run. */
static int tk_ref_cb(void *ctx, const ia_token *t) {
  if (!(t->flags & TOK_STOP)) tk_add(ctx, t);
  return 0;
}

/* Ids: a stopword is skipped; any other token gets a new id, the index of its record. */
static int tk_id_cb(void *ctx, const ia_token *t, uint32_t *id) {
  tk_log *l = ctx;
  if (t->flags & TOK_STOP) { *id = IA_ID_SKIP; return 0; }
  *id = (uint32_t)l->n;
  tk_add(l, t);
  return 0;
}

/* Run piece p[0..n) both ways (ids into @ids, within the current scope); assert the same tokens. */
static void run_both(analyzer *ref, analyzer *a, tk_log *ids, const char *p, size_t n) {
  tk_log r;
  memset(&r, 0, sizeof r);
  ia_occs o = { NULL, 0, 0 };
  assert_int_equal(analyzer_run(ref, p, n, tk_ref_cb, &r, NULL), INDAGA_OK);
  assert_int_equal(analyzer_run_ids(a, p, n, tk_id_cb, ids, &o, NULL), INDAGA_OK);
  assert_int_equal(r.bytes.err, INDAGA_OK);
  assert_int_equal(ids->bytes.err, INDAGA_OK);
  assert_int_equal(o.n, r.n);
  for (size_t k = 0; k < o.n; k++) {
    uint32_t id = (uint32_t)(o.v[k] >> 32);
    assert_true(id < ids->n);
    assert_int_equal((uint32_t)o.v[k], r.pos[k]);
    const char *want = (const char *)r.bytes.p + r.off[k], *got = (const char *)ids->bytes.p + ids->off[id];
    size_t nw = strlen(want) + 1;
    nw += strlen(want + nw) + 1;
    if (memcmp(want, got, nw) != 0) fail_msg("token %zu: '%s' given the id of '%s'", k, want, got);
  }
  indaga__free(o.v);
  tk_free(&r);
}

static void test_stemmer__run_ids(void **state) {
  (void)state;
  size_t nl;
  char *letter = read_data(DATA "/un/carta_krasnodar_2017.txt", &nl);
  analyzer *ref = NULL, *a = NULL;
  assert_int_equal(analyzer_new(&ref), INDAGA_OK);
  assert_int_equal(analyzer_new(&a), INDAGA_OK);
  tk_log ids;
  memset(&ids, 0, sizeof ids);

  /* One scope, the letter line by line: a word's id is asked for once. */
  analyzer_ids_scope(a);
  size_t tokens = 0;
  for (size_t i = 0; i < nl;) {
    size_t j = i;
    while (j < nl && letter[j] != '\n') j++;
    if (j < nl) j++;
    run_both(ref, a, &ids, letter + i, j - i);
    i = j;
  }
  /* The letter three times in a new scope: an id asked for once per distinct word. */
  ia_occs o = { NULL, 0, 0 };
  analyzer_ids_scope(a);
  tk_free(&ids);
  for (int k = 0; k < 3; k++)
    assert_int_equal(analyzer_run_ids(a, letter, nl, tk_id_cb, &ids, &o, NULL), INDAGA_OK);
  tokens = o.n;
  assert_true(tokens > 1500);
  assert_true(ids.n * 3 < tokens);
  indaga__free(o.v);

  /* More distinct words than the cache holds: it grows and is emptied mid-scope. */
  ia_buf text = { 0 };
  for (unsigned i = 0; i < 300000; i++)
    buf_printf(&text, "Acci\xc3\xb3n%c%c%c%c de la ", 'a' + i % 26, 'a' + (i / 26) % 26,
               'a' + (i / 676) % 26, 'a' + (i / 17576) % 26);
  assert_int_equal(text.err, INDAGA_OK);
  uint64_t resets = a->cache_resets;
  for (size_t i = 0, k = 0; i < text.n; k++) {
    size_t j = i + 65536 < text.n ? i + 65536 : text.n;
    while (j < text.n && text.p[j] != ' ') j++;
    if (k % 8 == 0) { analyzer_ids_scope(a); tk_free(&ids); }
    run_both(ref, a, &ids, (const char *)text.p + i, j - i);
    run_both(ref, a, &ids, letter, nl);
    i = j;
  }
  assert_true(a->cache_resets > resets);

  /* Many scopes: each forgets the ids of the one before, stamps wrap around. */
  for (unsigned k = 0; k < 700; k++) {
    analyzer_ids_scope(a);
    tk_free(&ids);
    if (k % 2) run_both(ref, a, &ids, "Resolución de la Asamblea General", strlen("Resolución de la Asamblea General"));
    run_both(ref, a, &ids, letter, nl < 2000 ? nl : 2000);
  }
  tk_free(&ids);
  buf_free(&text);
  indaga__free(letter);
  analyzer_free(ref);
  analyzer_free(a);
}

/*
** The run loop hashes a word of up to 16 bytes with one 16-byte read
** (ia_hash16, bytes past the word masked), the cache's other users (growth,
** analyzer_word) without reading past the word (ia_hash): the same value
** for every length and content, or a grown cache would lose its words. It
** compares such words with a cache entry the same way (ia_same16).
*/
static void test_stemmer__hash_forms(void **state) {
  (void)state;
  size_t nl;
  char *letter = read_data(DATA "/un/carta_krasnodar_2017.txt", &nl);
  assert_true(nl > 4096);
  for (size_t i = 0; i + 32 < 4096; i++) {
    for (size_t n = 1; n <= 16; n++) {
      uint64_t h = ia_hash(letter + i, n);
      assert_true(h == ia_hash16(letter + i, n));
      /* the bytes after the word do not matter */
      char buf[32];
      memcpy(buf, letter + i, n);
      memset(buf + n, (int)(0xA5u ^ (unsigned)i), sizeof buf - n);
      assert_true(h == ia_hash16(buf, n));
      assert_true(h == ia_hash(buf, n));
    }
  }
  /* different words of one length differ (no byte ignored); the run loop's
  ** compare of short words (ia_same16) agrees with indaga__same_bytes and ignores
  ** what follows the words */
  for (size_t n = 1; n <= 16; n++) {
    char x[32], y[32];
    memset(x, 'a', sizeof x);
    memset(y, 'a', sizeof y);
    y[n] = 'z';
    assert_true(ia_same16((const unsigned char *)x, y, n));
    assert_true(indaga__same_bytes(x, y, n));
    for (size_t k = 0; k < n; k++) {
      memcpy(y, x, sizeof y);
      y[k] = 'b';
      assert_true(ia_hash(x, n) != ia_hash(y, n));
      assert_true(ia_hash16(x, n) != ia_hash16(y, n));
      assert_false(ia_same16((const unsigned char *)x, y, n));
      assert_false(indaga__same_bytes(x, y, n));
    }
  }
  indaga__free(letter);
}

/* Every way a cache entry is laid out gives the same words on a miss and on a hit. */
static void test_stemmer__cache_entry_shapes(void **state) {
  (void)state;
  /* Key = word, term a prefix (informaciones); term not a prefix (diferencias ->
  ** diferent); key != word (capitals, accents); more than 24 bytes (in the arena). */
  static const char text[] = "informaciones diferencias DIFERENCIAS Internacionalización "
                             "INTERNACIONALIZACIONES internacionalizacion año Año";
  static const char *const spec =
    "informaciones|inform|informaciones|0;diferencias|diferent|diferencias|1;DIFERENCIAS|diferent|diferencias|2;"
    "Internacionalización|internacionaliz|internacionalizacion|3;"
    "INTERNACIONALIZACIONES|internacionaliz|internacionalizaciones|4;"
    "internacionalizacion|internacionaliz|internacionalizacion|5;año|año|=|6;Año|año|=|7";
  char twice[sizeof text * 2];
  snprintf(twice, sizeof twice, "%s %s", text, text);
  indaga_analysis *an = analyze_z(twice);
  assert_int_equal(indaga_analysis_count(an), 16);
  for (size_t i = 0; i < 8; i++) {
    const indaga_token *x = indaga_analysis_token(an, i), *y = indaga_analysis_token(an, i + 8);
    assert_string_equal(x->term, y->term);
    assert_string_equal(x->key, y->key);
  }
  indaga_analysis_free(an);
  expect_analysis(text, spec);
}

/* ------------------------------------------------------------------------
** Callback stop, misuse, out of memory
*/
static int stop_at_third(void *ctx, const ia_token *t) {
  (void)t;
  int *n = ctx;
  return ++*n == 3 ? 42 : 0;
}

static void test_stemmer__callback_stops_run(void **state) {
  (void)state;
  analyzer *a = NULL;
  assert_int_equal(analyzer_new(&a), INDAGA_OK);
  int n = 0;
  assert_int_equal(analyzer_run(a, "uno dos tres cuatro", 19, stop_at_third, &n, NULL), 42);
  assert_int_equal(n, 3);
  analyzer_free(a);
  indaga_analysis *an = (indaga_analysis *)1;
  assert_int_equal(indaga_analyze(NULL, "x", 1), INDAGA_EMISUSE);
  assert_int_equal(indaga_analyze(&an, NULL, 3), INDAGA_EMISUSE);
  assert_int_equal(indaga_analyze(&an, NULL, 0), INDAGA_OK);
  assert_int_equal(indaga_analysis_count(an), 0);
  assert_null(indaga_analysis_token(an, 0));
  indaga_analysis_free(an);
  indaga_analysis_free(NULL);
  analyzer_free(NULL);
}

static void test_stemmer__out_of_memory(void **state) {
  (void)state;
  static const char text[] = "Informaciones de la 16ª Reunión, S/RES/2354 (2017) y Apur&iacute;mac, “pingüino”";
  int done = 0;
  for (uint64_t k = 1; k < 10000 && !done; k++) {
    indaga_analysis *an = NULL;
    indaga__alloc_fail_at(k, 1);
    int rc = indaga_analyze(&an, text, sizeof text - 1);
    indaga__alloc_fail_at(0, 0);
    if (rc == INDAGA_OK) {
      assert_non_null(an);
      assert_int_equal(indaga_analysis_count(an), 14);
      done = 1;
    } else {
      assert_int_equal(rc, INDAGA_ENOMEM);
      assert_null(an);
    }
    indaga_analysis_free(an);
  }
  assert_true(done);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_stemmer__snowball_vocabulary),
    cmocka_unit_test(test_stemmer__accents_meet_enye_stays),
    cmocka_unit_test(test_stemmer__dieresis_and_capitals),
    cmocka_unit_test(test_stemmer__quotes_apostrophes_hyphens),
    cmocka_unit_test(test_stemmer__apostrophes_and_hyphens),
    cmocka_unit_test(test_stemmer__guillemets_not_in_token),
    cmocka_unit_test(test_stemmer__numbers),
    cmocka_unit_test(test_stemmer__ordinals),
    cmocka_unit_test(test_stemmer__numbering_abbreviations),
    cmocka_unit_test(test_stemmer__symbols),
    cmocka_unit_test(test_stemmer__not_symbols),
    cmocka_unit_test(test_stemmer__markdown),
    cmocka_unit_test(test_stemmer__html_entities),
    cmocka_unit_test(test_stemmer__invalid_utf8),
    cmocka_unit_test(test_stemmer__nul_bytes),
    cmocka_unit_test(test_stemmer__ten_megabyte_line),
    cmocka_unit_test(test_stemmer__byte_ranges_whole_document),
    cmocka_unit_test(test_stemmer__stopwords),
    cmocka_unit_test(test_stemmer__cache_bounded_and_transparent),
    cmocka_unit_test(test_stemmer__cache_keeps_hot_words),
    cmocka_unit_test(test_stemmer__cache_entry_shapes),
    cmocka_unit_test(test_stemmer__hash_forms),
    cmocka_unit_test(test_stemmer__word_ids),
    cmocka_unit_test(test_stemmer__run_ids),
    cmocka_unit_test(test_stemmer__callback_stops_run),
    cmocka_unit_test(test_stemmer__out_of_memory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
