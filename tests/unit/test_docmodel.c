/*
** test_docmodel.c: the document model (indexer/docmodel.h) on real text.
**
** Golden structure of the three whole UN documents (tests/data/docmodel/,
** copies of ../shared/data/un): the Krasnodar letter's header, title,
** annexes, numbered decisions, bullets and byte ranges; the UN Charter's
** articles and items; the Universal Declaration's preamble and 30 articles.
** Front matter: a 2015 UN document and a hand-written file exercising the
** YAML forms we read. Legislation: every file of tests/data/legalize-sample
** (Peruvian laws, MIT) parses with front matter and no empty paragraph.
** Bad input built from the same real text: binary, UTF-16, empty, only
** front matter, unterminated front matter, CRLF, a 10 MB paragraph, invalid
** UTF-8, Latin-1; and an allocation-failure loop.
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
#include "common/utf8.h"
#include "indexer/docmodel.h"

#define DATA INDAGA_SOURCE_DIR "/tests/data/docmodel/"
#define LEGAL INDAGA_SOURCE_DIR "/tests/data/legalize-sample"

/**************************************************************************
** Helpers
*/

/* (noinline: inlined, gcc 12 -O2 takes the result for a pointer into the
** local p and warns -Wdangling-pointer at every use) */
__attribute__((noinline)) static char *slurp(const char *path, size_t *n) {
  char *p = NULL, *err = NULL;
  int rc = os_read_file(path, &p, n, &err);
  if (rc != INDAGA_OK) fail_msg("cannot read %s: %s", path, err ? err : "?");
  return p;
}

static dm_doc *parse_ok(const char *name, const char *p, size_t n) {
  dm_doc *d = NULL;
  char *why = NULL;
  int rc = dm_parse(&d, name, p, n, &why);
  if (rc != INDAGA_OK) fail_msg("dm_parse(%s) = %d (%s)", name, rc, why ? why : "");
  assert_null(why);
  return d;
}

static dm_doc *parse_file(const char *path) {
  size_t n;
  char *p = slurp(path, &n);
  dm_doc *d = parse_ok(path, p, n);
  indaga__free(p);
  return d;
}

static int valid_utf8(const char *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    size_t len;
    if (utf8_decode((const unsigned char *)p + i, n - i, &len) < 0) return 0;
    i += len;
  }
  return 1;
}

/* Invariants every parsed document keeps, whatever the input. */
static void check_invariants(const dm_doc *d, size_t n) {
  size_t i;
  assert_true(d->nparts >= 1);
  assert_null(d->part_labels[0]);
  for (i = 1; i < d->nparts; i++) assert_true(d->part_labels[i] && d->part_labels[i][0]);
  for (i = 0; i < d->nparas; i++) {
    const dm_para *q = &d->paras[i];
    uint32_t want = (i > 0 && d->paras[i - 1].part == q->part) ? d->paras[i - 1].ordinal + 1 : 1;
    assert_true(q->ntext > 0);
    assert_int_equal(strlen(q->text), q->ntext);
    assert_true(valid_utf8(q->text, q->ntext));
    assert_true(q->text[0] != ' ' && q->text[q->ntext - 1] != ' ');
    assert_int_equal(q->ordinal, want);
    assert_true(q->part < d->nparts);
    if (i > 0) {
      assert_true(q->part >= d->paras[i - 1].part);
      assert_true(q->src_start >= d->paras[i - 1].src_end);
    }
    assert_true(q->src_start < q->src_end);
    assert_true(q->src_end <= n);
  }
  for (i = 0; i < d->nmeta; i++) assert_true(valid_utf8(d->meta[i].value, strlen(d->meta[i].value)));
}

/* The @k-th paragraph (0-based) of part @part. */
static const dm_para *para_in(const dm_doc *d, uint32_t part, size_t k) {
  size_t i;
  for (i = 0; i < d->nparas; i++)
    if (d->paras[i].part == part && k-- == 0) return &d->paras[i];
  fail_msg("no paragraph %zu in part %u", k, part);
  return NULL;
}

/* The first paragraph whose text starts with @prefix. */
static const dm_para *para_starting(const dm_doc *d, const char *prefix) {
  size_t i;
  for (i = 0; i < d->nparas; i++)
    if (!strncmp(d->paras[i].text, prefix, strlen(prefix))) return &d->paras[i];
  fail_msg("no paragraph starts with \"%s\"", prefix);
  return NULL;
}

static int has_warning(const dm_doc *d, const char *a, const char *b) {
  size_t i;
  for (i = 0; i < d->nwarnings; i++)
    if (strstr(d->warnings[i], a) && (!b || strstr(d->warnings[i], b))) return 1;
  return 0;
}

static int starts_with(const char *z, const char *prefix) {
  return !strncmp(z, prefix, strlen(prefix));
}

/* Source bytes of a paragraph, as a fresh string. */
static char *src_of(const char *p, const dm_para *q) {
  return indaga__strndup(p + q->src_start, (size_t)(q->src_end - q->src_start));
}

/**************************************************************************
** The Krasnodar letter (A/72/565-S/2017/968)
*/

static const char *const krasnodar_title =
  "Carta de fecha 16 de noviembre de 2017 dirigida al Secretario General por el Representante "
  "Permanente de la Federaci\xc3\xb3n de Rusia ante las Naciones Unidas";

static void test_docmodel__krasnodar_header_and_parts(void **state) {
  dm_doc *d = parse_file(DATA "carta_krasnodar_2017.txt");
  size_t n, i;
  char *p = slurp(DATA "carta_krasnodar_2017.txt", &n);
  (void)state;
  check_invariants(d, n);
  assert_int_equal(d->nwarnings, 0);
  assert_false(d->has_front_matter);
  assert_string_equal(dm_meta_get(d, "title"), krasnodar_title);
  assert_string_equal(dm_meta_get(d, "date"), "2017-11-22");
  assert_string_equal(dm_meta_get(d, "year"), "2017");
  assert_string_equal(dm_meta_get(d, "original"), "ruso");
  assert_string_equal(dm_meta_get(d, "distribution"), "general");
  assert_string_equal(dm_meta_get(d, "language"), "es");
  assert_null(dm_meta_get(d, "symbol"));          /* this copy prints no symbol line */
  /* "Septuagésimo segundo período de sesiones", "Tema 109 del programa": kept as text too */
  assert_string_equal(dm_meta_get(d, "session"), "72");
  assert_string_equal(dm_meta_get(d, "agenda"), "109");
  assert_non_null(strstr(para_starting(d, "Asamblea General Septu")->text, "Tema 109 del programa"));
  /* Body, Anexo I, Anexo II: "(véase el anexo I)" in the body opens nothing. */
  assert_int_equal(d->nparts, 3);
  assert_string_equal(d->part_labels[1], "Anexo I");
  assert_string_equal(d->part_labels[2], "Anexo II");
  /* Each annex opens with its full heading, labelled with the short form. */
  for (i = 1; i <= 2; i++) {
    const dm_para *h = para_in(d, (uint32_t)i, 0);
    assert_true(h->heading);
    assert_string_equal(h->label, d->part_labels[i]);
    assert_true(!strncmp(h->text, d->part_labels[i], strlen(d->part_labels[i])));
    assert_non_null(strstr(h->text, "de la carta de fecha 16 de noviembre de 2017 dirigida al Secretario General"));
  }
  /* The title is a heading paragraph of the body; header lines are not text. */
  assert_true(para_starting(d, "Carta de fecha 16")->heading);
  assert_int_equal(para_starting(d, "Carta de fecha 16")->part, 0);
  for (i = 0; i < d->nparas; i++) {
    assert_null(strstr(d->paras[i].text, "Distr. general"));
    assert_null(strstr(d->paras[i].text, "Original: ruso"));
  }
  assert_true(strstr(para_starting(d, "Tengo el honor")->text, "(v\xc3\xa9" "ase el anexo I)") != NULL);
  assert_int_equal(para_starting(d, "Tengo el honor")->part, 0);
  assert_int_equal(para_starting(d, "(Firmado) V. Nebenzia")->part, 0);
  indaga__free(p);
  dm_doc_free(d);
}

/* Session and agenda lines of other UN headers: numbers, ordinal words, several items. */
static void test_docmodel__session_agenda(void **state) {
  static const struct { const char *text, *session, *agenda; } cases[] = {
    { "Distr. general\n59\xc2\xba per\xc3\xadodo de sesiones\nTemas 33 y 38 del programa\n\nTexto.\n", "59", "33, 38" },
    { "Distr. general\nSexag\xc3\xa9simo noveno per\xc3\xadodo de sesiones\nTema 7 b) del programa provisional\n\nTexto.\n",
      "69", "7 b)" },
    { "Distr. general\nD\xc3\xa9" "cimo per\xc3\xadodo de sesiones\nTema 9\n\nTexto.\n", "10", NULL },
    { "Distr. general\nNota sobre el per\xc3\xadodo de sesiones\nTema 12 del programa de trabajo\n\nTexto.\n", NULL, NULL },
  };
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    dm_doc *d = NULL;
    char *why = NULL;
    assert_int_equal(dm_parse(&d, "t.txt", cases[i].text, strlen(cases[i].text), &why), INDAGA_OK);
    const char *s = dm_meta_get(d, "session"), *a = dm_meta_get(d, "agenda");
    if (cases[i].session) assert_string_equal(s, cases[i].session); else assert_null(s);
    if (cases[i].agenda) assert_string_equal(a, cases[i].agenda); else assert_null(a);
    dm_doc_free(d);
  }
}

static void test_docmodel__krasnodar_numbered_decisions(void **state) {
  static const char *const anexo1[7] = {
    ("Emitir una declaraci\xc3\xb3n conjunta en apoyo de la resoluci\xc3\xb3n 2354 (2017) del Consejo de Seguridad y del "
     "\xe2\x80\x9cMarco Internacional Amplio"),
    "Estrechar la cooperaci\xc3\xb3n", "Ampliar e intensificar el intercambio", "Adoptar medidas para mejorar",
    "Ayudar a promover normas", "Utilizar el Grupo de trabajo", "Celebrar la 19\xc2\xaa Reuni\xc3\xb3n"};
  static const char *const anexo2[5] = {
    "Expresamos nuestro pleno apoyo a la resoluci\xc3\xb3n 2354 (2017)", "Instamos a dar cumplimiento",
    "Reconocemos la necesidad", "Observamos la importancia", "Declaramos nuestro firme compromiso"};
  dm_doc *d = parse_file(DATA "carta_krasnodar_2017.txt");
  const dm_para *first = para_starting(d, "Emitir una declaraci");
  size_t i, k = (size_t)(first - d->paras), labelled = 0;
  char lab[8];
  (void)state;
  /* Anexo I: the seven decisions are seven consecutive paragraphs "1." .. "7.". */
  for (i = 0; i < 7; i++) {
    const dm_para *q = &d->paras[k + i];
    snprintf(lab, sizeof(lab), "%zu.", i + 1);
    assert_int_equal(q->part, 1);
    assert_string_equal(q->label, lab);
    assert_false(q->heading);
    assert_true(!strncmp(q->text, anexo1[i], strlen(anexo1[i])));
  }
  /* Markdown removed for display: *modus operandi*, [2354 \(2017\)](#). */
  assert_non_null(strstr(d->paras[k + 2].text, "nuevos modus operandi y t\xc3\xa1" "cticas"));
  assert_null(strchr(d->paras[k].text, '['));
  assert_null(strchr(d->paras[k].text, '\\'));
  /* Anexo II: five numbered paragraphs "1." .. "5.", emphasis removed. */
  first = para_starting(d, "Expresamos nuestro pleno apoyo");
  k = (size_t)(first - d->paras);
  for (i = 0; i < 5; i++) {
    const dm_para *q = &d->paras[k + i];
    snprintf(lab, sizeof(lab), "%zu.", i + 1);
    assert_int_equal(q->part, 2);
    assert_string_equal(q->label, lab);
    assert_true(!strncmp(q->text, anexo2[i], strlen(anexo2[i])));
    assert_null(strchr(q->text, '*'));
  }
  for (i = 0; i < d->nparas; i++) labelled += d->paras[i].label && d->paras[i].part > 0 && !d->paras[i].heading;
  assert_int_equal(labelled, 12);
  dm_doc_free(d);
}

static void test_docmodel__krasnodar_bullets(void **state) {
  static const char *const bullets[8] = {
    "El peligro de que surjan", "El aumento sin precedentes", "Las amenazas que plantean los combatientes",
    ("La t\xc3\xa1" "ctica de la \xe2\x80\x9cyihad aut\xc3\xb3noma\xe2\x80\x9d"), "La continuaci\xc3\xb3n de los procesos",
    "El uso por los terroristas", "El aumento del n\xc3\xbamero", "Las amenazas terroristas contra la celebraci"};
  dm_doc *d = parse_file(DATA "carta_krasnodar_2017.txt");
  const dm_para *intro = para_starting(d, "Teniendo en cuenta:");
  size_t i, k = (size_t)(intro - d->paras);
  (void)state;
  assert_int_equal(intro->ntext, strlen("Teniendo en cuenta:"));
  for (i = 0; i < 8; i++) {
    const dm_para *q = &d->paras[k + 1 + i];
    assert_int_equal(q->part, 1);
    assert_null(q->label);                       /* bullets have no label */
    assert_int_equal(q->ordinal, intro->ordinal + 1 + i);
    assert_true(!strncmp(q->text, bullets[i], strlen(bullets[i])));
    assert_null(strchr(q->text, '\n'));
  }
  assert_true(starts_with(d->paras[k + 9].text, "Determinaron como sus tareas prioritarias:"));
  /* The four tasks after it are four more bullet paragraphs. */
  for (i = 0; i < 4; i++) assert_null(d->paras[k + 10 + i].label);
  assert_true(starts_with(d->paras[k + 13].text, "Ampliar la cooperaci\xc3\xb3n pr\xc3\xa1" "ctica"));
  dm_doc_free(d);
}

static void test_docmodel__krasnodar_byte_ranges(void **state) {
  size_t n, i;
  char *p = slurp(DATA "carta_krasnodar_2017.txt", &n);
  dm_doc *d = parse_ok("carta_krasnodar_2017.txt", p, n);
  char *s;
  (void)state;
  /* A bullet: from its "- " to the end of its line. */
  s = src_of(p, para_starting(d, "El aumento sin precedentes"));
  assert_string_equal(s, "- El aumento sin precedentes de la actividad terrorista en el mundo,");
  indaga__free(s);
  /* A numbered decision, Markdown and all. */
  s = src_of(p, para_starting(d, "Emitir una declaraci"));
  assert_true(starts_with(s, "1. Emitir una declaraci\xc3\xb3n conjunta en apoyo de la resoluci\xc3\xb3n [2354 \\(2017\\)](#)"));
  assert_int_equal(s[strlen(s) - 1], '.');
  assert_null(strchr(s, '\n'));
  indaga__free(s);
  /* The title wraps over three lines inside ** **. */
  s = src_of(p, para_starting(d, "Carta de fecha 16"));
  assert_true(starts_with(s, "**Carta de fecha 16 de noviembre de 2017 dirigida al Secretario\nGeneral por"));
  assert_true(strlen(s) > 4 && !strcmp(s + strlen(s) - 4, "as**"));
  indaga__free(s);
  /* An annex heading is exactly its line. */
  s = src_of(p, para_in(d, 2, 0));
  assert_true(starts_with(s, "Anexo II de la carta"));
  assert_null(strchr(s, '\n'));
  indaga__free(s);
  /* Every paragraph's first word is where its range starts (after any marker). */
  for (i = 0; i < d->nparas; i++) {
    const dm_para *q = &d->paras[i];
    const char *sp = strchr(q->text, ' ');
    size_t w = sp ? (size_t)(sp - q->text) : q->ntext;
    const char *at = p + q->src_start;
    size_t len = (size_t)(q->src_end - q->src_start);
    assert_true(w > 0);
    if (!(q->text[0] == '(' || q->text[0] == '\xe2')) {
      char *word = indaga__strndup(q->text, w);
      char *src = indaga__strndup(at, len < 40 ? len : 40);
      assert_non_null(strstr(src, word));
      indaga__free(word);
      indaga__free(src);
    }
  }
  indaga__free(p);
  dm_doc_free(d);
}

/* The same letter with the symbol line UN documents print above the header. */
static void test_docmodel__un_header_symbols(void **state) {
  static const char *const heads[2] = {"A/72/565\xe2\x80\x93S/2017/968\n", "A/72/565\nS/2017/968\n"};
  size_t n, k;
  char *p = slurp(DATA "carta_krasnodar_2017.txt", &n);
  (void)state;
  for (k = 0; k < 2; k++) {
    ia_buf b = {0};
    dm_doc *d;
    buf_puts(&b, "Naciones Unidas\n\n");
    buf_puts(&b, heads[k]);
    buf_append(&b, p, n);
    assert_int_equal(b.err, 0);
    d = parse_ok("A_72_565.txt", (const char *)b.p, b.n);
    check_invariants(d, b.n);
    assert_string_equal(dm_meta_get(d, "symbol"), "A/72/565");
    assert_string_equal(dm_meta_get(d, "symbols"), "A/72/565 S/2017/968");
    assert_string_equal(dm_meta_get(d, "date"), "2017-11-22");
    assert_string_equal(dm_meta_get(d, "title"), krasnodar_title);
    assert_int_equal(d->nparts, 3);
    assert_null(strstr(d->paras[0].text, "S/2017/968"));
    assert_null(strstr(d->paras[1].text, "S/2017/968"));
    dm_doc_free(d);
    buf_free(&b);
  }
  indaga__free(p);
}

/**************************************************************************
** The UN Charter and the Universal Declaration
*/

static void test_docmodel__charter_articles_and_items(void **state) {
  size_t n, i, articles = 0;
  char *p = slurp(DATA "carta_naciones_unidas_cap1-3.txt", &n);
  dm_doc *d = parse_ok("carta_naciones_unidas_cap1-3.txt", p, n);
  const dm_para *a;
  char want[32];
  (void)state;
  check_invariants(d, n);
  assert_int_equal(d->nparts, 1);
  for (i = 0; i < d->nparas; i++) {
    if (d->paras[i].label && starts_with(d->paras[i].label, "Art\xc3\xad" "culo")) {
      articles++;
      snprintf(want, sizeof(want), "Art\xc3\xad" "culo %zu", articles);
      assert_string_equal(d->paras[i].label, want);
      assert_string_equal(d->paras[i].text, want);   /* the setext underline is gone */
      assert_true(d->paras[i].heading);
    }
  }
  assert_int_equal(articles, 8);
  /* Artículo 1: its intro, then items 1. to 4., each its own paragraph. */
  a = para_starting(d, "Art\xc3\xad" "culo 1");
  assert_string_equal(a[1].text, "Los prop\xc3\xb3sitos de las Naciones Unidas son:");
  assert_null(a[1].label);
  for (i = 0; i < 4; i++) {
    snprintf(want, sizeof(want), "%zu.", i + 1);
    assert_string_equal(a[2 + i].label, want);
  }
  assert_true(starts_with(a[2].text, "Mantener la paz y la seguridad internacionales"));
  assert_true(starts_with(a[5].text, "Servir de centro"));
  /* Artículo 2: seven items. */
  a = para_starting(d, "Art\xc3\xad" "culo 2");
  assert_string_equal(a[8].label, "7.");
  assert_true(starts_with(a[8].text, "Ninguna disposici\xc3\xb3n de esta Carta"));
  /* Artículo 7: item 1., its six organs (bullets, no blank lines), item 2. */
  a = para_starting(d, "Art\xc3\xad" "culo 7");
  assert_string_equal(a[1].label, "1.");
  assert_string_equal(a[1].text, "Se establecen como \xc3\xb3rganos principales de las Naciones Unidas:");
  assert_string_equal(a[2].text, "una Asamblea General");
  assert_string_equal(a[7].text, "una Secretar\xc3\xad" "a");
  for (i = 2; i <= 7; i++) assert_null(a[i].label);
  assert_string_equal(a[8].label, "2.");
  /* Chapter headings are headings. */
  assert_true(para_starting(d, "CAP\xc3\x8dTULO II: MIEMBROS")->heading);
  indaga__free(p);
  dm_doc_free(d);
}

static void test_docmodel__udhr_preamble_and_30_articles(void **state) {
  size_t n, i, articles = 0, considerando = 0;
  char *p = slurp(DATA "declaracion_universal_derechos_humanos.txt", &n);
  dm_doc *d = parse_ok("declaracion_universal_derechos_humanos.txt", p, n);
  const dm_para *a;
  char want[32];
  (void)state;
  check_invariants(d, n);
  assert_string_equal(dm_meta_get(d, "title"), "Declaraci\xc3\xb3n Universal de Derechos Humanos");
  assert_true(d->paras[0].heading);
  for (i = 0; i < d->nparas; i++) {
    const dm_para *q = &d->paras[i];
    if (starts_with(q->text, "Considerando")) {
      considerando++;
      assert_int_equal(articles, 0);             /* the preamble comes first */
      assert_null(q->label);
    }
    if (q->label && starts_with(q->label, "Art\xc3\xad" "culo")) {
      articles++;
      snprintf(want, sizeof(want), "Art\xc3\xad" "culo %zu", articles);
      assert_string_equal(q->label, want);
      assert_true(q->heading);
    }
  }
  assert_int_equal(considerando, 7);
  assert_int_equal(articles, 30);
  assert_true(!strncmp(para_starting(d, "Proclama la presente")->text, "Proclama la presente Declaraci", 30));
  /* Artículo 29's three numbered paragraphs ("1.  Toda persona ..."). */
  a = para_starting(d, "Art\xc3\xad" "culo 29");
  for (i = 0; i < 3; i++) {
    snprintf(want, sizeof(want), "%zu.", i + 1);
    assert_string_equal(a[1 + i].label, want);
  }
  assert_true(starts_with(a[1].text, "Toda persona tiene deberes"));
  a = para_starting(d, "Art\xc3\xad" "culo 30");
  assert_true(starts_with(a[1].text, "Nada en esta Declaraci\xc3\xb3n"));
  assert_ptr_equal(&a[1], &d->paras[d->nparas - 1]);
  indaga__free(p);
  dm_doc_free(d);
}

/**************************************************************************
** Front matter
*/

static void test_docmodel__front_matter_un_2015(void **state) {
  size_t n;
  char *p = slurp(DATA "s_res_2196__2015_.txt", &n);
  dm_doc *d = parse_ok("s_res_2196__2015_.txt", p, n);
  const dm_para *q;
  (void)state;
  check_invariants(d, n);
  assert_true(d->has_front_matter);
  assert_int_equal(d->nwarnings, 0);
  assert_string_equal(dm_meta_get(d, "symbol"), "S/RES/2196 (2015)");
  assert_string_equal(dm_meta_get(d, "symbols"), "S/RES/2196 (2015)");
  assert_string_equal(dm_meta_get(d, "year"), "2015");
  assert_string_equal(dm_meta_get(d, "language"), "es");
  assert_non_null(strstr(dm_meta_get(d, "source"), "UN Parallel Corpus"));
  assert_true(starts_with(d->paras[0].text, "Aprobada por el Consejo de Seguridad en su 7366a"));
  assert_true(d->paras[0].src_start > 100);     /* after the front matter */
  q = para_starting(d, "Decide que el mandato");
  assert_string_equal(q->label, "17.");
  q = para_starting(d, "Insta tambi\xc3\xa9n");
  assert_string_equal(q->label, "22.");
  indaga__free(p);
  dm_doc_free(d);
}

static void test_docmodel__front_matter_yaml_forms(void **state) {
  size_t n;
  char *p = slurp(DATA "frontmatter_variants.md", &n);
  dm_doc *d = parse_ok("frontmatter_variants.md", p, n);
  const dm_para *q;
  (void)state;
  check_invariants(d, n);
  assert_true(d->has_front_matter);
  assert_string_equal(dm_meta_get(d, "title"),
                      "Carta de fecha 16 de noviembre de 2017 dirigida al \"Secretario General\"");
  assert_string_equal(dm_meta_get(d, "symbol"), "A/72/565");
  assert_string_equal(dm_meta_get(d, "symbols"), "A/72/565 S/2017/968");
  assert_string_equal(dm_meta_get(d, "date"), "2017-11-22");      /* "fecha", Spanish -> ISO */
  assert_string_equal(dm_meta_get(d, "year"), "2017");
  assert_string_equal(dm_meta_get(d, "language"), "es");          /* "Language" lowercased */
  assert_string_equal(dm_meta_get(d, "temas"), "terrorismo, combatientes terroristas extranjeros");
  assert_string_equal(dm_meta_get(d, "resumen"),
                      "Comunicado de la 16\xc2\xaa Reuni\xc3\xb3n de Jefes de Servicios Especiales, celebrada en Krasnodar.");
  assert_string_equal(dm_meta_get(d, "notas"), "primera l\xc3\xadnea\nsegunda l\xc3\xadnea");
  assert_string_equal(dm_meta_get(d, "fuente.organismo"), "Naciones Unidas");
  assert_string_equal(dm_meta_get(d, "fuente.url"), "https://undocs.org/es/A/72/565");
  assert_string_equal(dm_meta_get(d, "plano"), "valor que contin\xc3\xba" "a en otra l\xc3\xadnea");
  assert_string_equal(dm_meta_get(d, "citas"), "la 'Estrategia Global' de las Naciones Unidas");
  /* The body: a mention of the annex, then a part with every item form. */
  assert_int_equal(d->nparts, 2);
  assert_string_equal(d->part_labels[1], "Anexo I");
  assert_int_equal(d->paras[0].part, 0);
  q = para_starting(d, "Emitir");
  assert_string_equal(q->label, "1.");
  assert_string_equal(q->text, "Emitir una declaraci\xc3\xb3n conjunta en apoyo de la resoluci\xc3\xb3n 2354 (2017) del Consejo de Seguridad.");
  assert_string_equal(q[1].label, "2)");
  assert_string_equal(q[2].label, "a)");
  assert_non_null(strstr(q[2].text, "operacional \xe2\x80\x94 con respecto"));       /* &mdash; */
  assert_non_null(strstr(q[2].text, "extranjeros & sus rutas"));                    /* &amp; */
  assert_string_equal(q[3].label, "4.");                                            /* **4.-** */
  assert_true(starts_with(q[3].text, "Adoptar medidas para mejorar la cooperaci\xc3\xb3n"));
  assert_non_null(strstr(q[3].text, "la Organizaci\xc3\xb3n y la Uni\xc3\xb3n Europea."));  /* &#243; &#xF3; */
  assert_null(q[4].label);
  assert_string_equal(q[4].text, "Crear un espacio \xc3\xba" "nico de informaci\xc3\xb3n antiterrorista,");
  assert_string_equal(q[5].text, "Llevar a cabo una amplia campa\xc3\xb1" "a de divulgaci\xc3\xb3n contra las ideas terroristas y extremistas,");
  indaga__free(p);
  dm_doc_free(d);
}

/**************************************************************************
** Legislation (tests/data/legalize-sample)
*/

typedef struct legal_ctx {
  size_t files, paras, annexes;
} legal_ctx;

static int legal_one(void *ctx, const char *name) {
  legal_ctx *c = ctx;
  char path[512];
  size_t n, i;
  char *p;
  dm_doc *d;
  if (strlen(name) < 4 || strcmp(name + strlen(name) - 3, ".md")) return 0;
  snprintf(path, sizeof(path), "%s/%s", LEGAL, name);
  p = slurp(path, &n);
  d = parse_ok(name, p, n);
  check_invariants(d, n);
  if (!d->has_front_matter) fail_msg("%s: front matter not read", name);
  assert_non_null(dm_meta_get(d, "title"));
  assert_non_null(dm_meta_get(d, "identifier"));
  assert_non_null(dm_meta_get(d, "date"));
  assert_int_equal(strlen(dm_meta_get(d, "date")), 10);
  if (!d->nparas) fail_msg("%s: no paragraphs", name);
  for (i = 0; i < d->nparas; i++) {
    const char *t = d->paras[i].text;
    if (strstr(t, "&oacute;") || strstr(t, "&iacute;") || strstr(t, "&ntilde;") || strstr(t, "&#8211;"))
      fail_msg("%s: entity left in paragraph %zu: %s", name, i, t);
  }
  assert_null(strstr(dm_meta_get(d, "title"), "&oacute;"));
  c->files++;
  c->paras += d->nparas;
  c->annexes += d->nparts - 1;
  dm_doc_free(d);
  indaga__free(p);
  return 0;
}

static void test_docmodel__legalize_sample_parses(void **state) {
  legal_ctx c = {0};
  char *err = NULL;
  (void)state;
  assert_int_equal(os_listdir(LEGAL, legal_one, &c, &err), INDAGA_OK);
  assert_int_equal(c.files, 44);
  assert_true(c.paras > 3000);
  assert_true(c.annexes >= 30);
}

static void test_docmodel__legalize_annexes_and_articles(void **state) {
  dm_doc *d = parse_file(LEGAL "/DS-105-2001-EF.md");
  const dm_para *q;
  size_t i, n;
  char *p;
  (void)state;
  assert_string_equal(dm_meta_get(d, "identifier"), "DS-105-2001-EF");
  assert_string_equal(dm_meta_get(d, "date"), "2001-06-17");            /* from publication_date */
  assert_string_equal(dm_meta_get(d, "year"), "2001");
  assert_int_equal(d->nparts, 3);
  assert_string_equal(d->part_labels[1], "ANEXO 1");
  assert_string_equal(d->part_labels[2], "ANEXO 2");
  assert_string_equal(para_in(d, 1, 0)->text, "ANEXO 1");                /* "**ANEXO 1  \n**" */
  assert_string_equal(para_in(d, 1, 1)->text, "POL\xc3\x8dTICA REMUNERATIVA DEL IPEN");
  assert_true(para_in(d, 1, 1)->heading);
  q = para_starting(d, "Art\xc3\xad" "culo 1.- Aprobar");                  /* "**Artículo 1.-** Aprobar" */
  assert_string_equal(q->label, "Art\xc3\xad" "culo 1");
  assert_false(q->heading);
  dm_doc_free(d);

  d = parse_file(LEGAL "/-H781885-1998.md");
  assert_int_equal(d->nparts, 26);
  assert_string_equal(d->part_labels[1], "ANEXO N\xc2\xba 1");
  assert_string_equal(d->part_labels[22], "ANEXO N\xc2\xba AP1");
  q = para_in(d, 1, 0);
  assert_string_equal(q->text, "ANEXO N\xc2\xba 1 ESTRUCTURA DE LAS TABLAS DE LA BASE DE DATOS PARA EL CONTROL DE LA "
                               "CALIDAD DEL SERVICIO EL\xc3\x89" "CTRICO");
  dm_doc_free(d);

  d = parse_file(LEGAL "/RESOLUCION-DIRECTORAL-155-2008-MTC-12.md");
  assert_int_equal(d->nparts, 2);
  assert_string_equal(d->part_labels[1], "AP\xc3\x89NDICE A");
  dm_doc_free(d);

  /* HTML entities in the title and the text. */
  d = parse_file(LEGAL "/CIRCULAR-46-101-92-SUNAD-1992.md");
  assert_string_equal(dm_meta_get(d, "title"),
                      "Aprueban Circular referida a la notificaci\xc3\xb3n del pago del adeudo en la importaci\xc3\xb3n.");
  assert_string_equal(para_starting(d, "ASUNTO:")->text, "ASUNTO: Notificaci\xc3\xb3n del Adeudo en la Importaci\xc3\xb3n.");
  dm_doc_free(d);

  /* Text extracted from PDF: one paragraph per line, no blank lines. */
  d = parse_file(LEGAL "/LEY-31678-2023.md");
  q = para_starting(d, "Art\xc3\xad" "culo \xc3\xba" "nico.- Incorporaci\xc3\xb3n del art\xc3\xad" "culo 20-A");
  assert_string_equal(q->label, "Art\xc3\xad" "culo \xc3\xba" "nico");
  assert_true(strlen(q->text) < 250);
  assert_true(starts_with(q[1].text, "\"Art\xc3\xad" "culo 20-A. Vigencia del pasaporte"));
  assert_string_equal(q[2].label, "a)");
  assert_true(starts_with(para_starting(d, "La implementaci\xc3\xb3n o la actualizaci")->text, "La implementaci"));
  dm_doc_free(d);

  /* A law with a NUL byte deep inside (OCR noise): text, not binary. */
  p = slurp(LEGAL "/LEY-9024-1940.md", &n);
  d = parse_ok("LEY-9024-1940.md", p, n);
  check_invariants(d, n);
  assert_true(d->nparas > 1000);
  for (i = 0; i < d->nparas; i++) assert_null(memchr(d->paras[i].text, 0, d->paras[i].ntext));
  dm_doc_free(d);
  indaga__free(p);
}

/**************************************************************************
** Bad input
*/

static void test_docmodel__binary_is_skipped(void **state) {
  size_t n, i;
  char *p = slurp(DATA "binary-sample.zst", &n);
  dm_doc *d = NULL;
  char *why = NULL;
  (void)state;
  /* The first 4 KB of a zstd archive: NUL bytes. */
  assert_int_equal(dm_parse(&d, "corpus.tar.zst", p, n, &why), DM_SKIP);
  assert_null(d);
  assert_non_null(why);
  assert_non_null(strstr(why, "corpus.tar.zst"));
  assert_non_null(strstr(why, "binary"));
  indaga__free(why);
  why = NULL;
  /* The same bytes without NULs are still mostly not text. */
  for (i = 0; i < n; i++) if (!p[i]) p[i] = 1;
  assert_int_equal(dm_parse(&d, "corpus.bin", p, n, &why), DM_SKIP);
  assert_non_null(strstr(why, "corpus.bin"));
  indaga__free(why);
  indaga__free(p);
}

/* UTF-8 -> UTF-16LE with a byte order mark, as some editors save. */
static void test_docmodel__utf16_is_skipped(void **state) {
  size_t n, i = 0;
  char *p = slurp(DATA "carta_krasnodar_2017.txt", &n);
  ia_buf b = {0};
  dm_doc *d = NULL;
  char *why = NULL;
  (void)state;
  buf_putc(&b, 0xFF);
  buf_putc(&b, 0xFE);
  while (i < n) {
    size_t len;
    int32_t cp = utf8_decode((const unsigned char *)p + i, n - i, &len);
    assert_true(cp >= 0 && cp < 0x10000);
    buf_put_u16(&b, (uint16_t)cp);
    i += len;
  }
  assert_int_equal(dm_parse(&d, "carta_utf16.txt", (const char *)b.p, b.n, &why), DM_SKIP);
  assert_non_null(strstr(why, "carta_utf16.txt"));
  assert_non_null(strstr(why, "UTF-16"));
  indaga__free(why);
  why = NULL;
  /* Without the byte order mark, the NUL bytes give it away. */
  assert_int_equal(dm_parse(&d, "carta_utf16.txt", (const char *)b.p + 2, b.n - 2, &why), DM_SKIP);
  assert_non_null(strstr(why, "NUL"));
  indaga__free(why);
  buf_free(&b);
  indaga__free(p);
}

static void test_docmodel__empty_file(void **state) {
  dm_doc *d;
  (void)state;
  d = parse_ok("vacio.txt", "", 0);
  assert_int_equal(d->nparas, 0);
  assert_int_equal(d->nparts, 1);
  assert_int_equal(d->nmeta, 0);
  assert_true(has_warning(d, "vacio.txt", "empty file"));
  dm_doc_free(d);
  d = parse_ok("blancos.txt", " \n\t\n\r\n\xc2\xa0\n", strlen(" \n\t\n\r\n\xc2\xa0\n"));
  assert_int_equal(d->nparas, 0);
  assert_true(has_warning(d, "blancos.txt", "no text"));
  dm_doc_free(d);
  /* Lines that clean to nothing give no paragraph either. */
  d = parse_ok("marcas.md", "**\n\n- \n\n[](#)\n\n#\n", strlen("**\n\n- \n\n[](#)\n\n#\n"));
  assert_int_equal(d->nparas, 0);
  dm_doc_free(d);
}

static void test_docmodel__only_front_matter(void **state) {
  size_t n, cut;
  char *p = slurp(DATA "s_res_2196__2015_.txt", &n);
  dm_doc *d;
  (void)state;
  cut = (size_t)(strstr(p + 3, "---\n") - p) + 4;           /* through the closing line */
  d = parse_ok("s_res_2196.txt", p, cut);
  assert_true(d->has_front_matter);
  assert_string_equal(dm_meta_get(d, "symbol"), "S/RES/2196 (2015)");
  assert_int_equal(d->nparas, 0);
  assert_true(has_warning(d, "s_res_2196.txt", "no text after the front matter"));
  dm_doc_free(d);
  /* Closing line without a final newline. */
  d = parse_ok("s_res_2196.txt", p, cut - 1);
  assert_true(d->has_front_matter);
  assert_int_equal(d->nparas, 0);
  dm_doc_free(d);
  indaga__free(p);
}

static void test_docmodel__unterminated_front_matter(void **state) {
  size_t n;
  char *p = slurp(DATA "s_res_2196__2015_.txt", &n);
  char *close = strstr(p + 3, "\n---\n");
  dm_doc *d;
  (void)state;
  assert_non_null(close);
  memcpy(close + 1, "___", 3);                            /* the closing "---" is gone */
  d = parse_ok("s_res_2196.txt", p, n);
  check_invariants(d, n);
  assert_false(d->has_front_matter);
  assert_true(has_warning(d, "s_res_2196.txt", "never closed"));
  assert_null(dm_meta_get(d, "year"));
  /* Read as text: the would-be fields are a paragraph, the body is intact. */
  assert_non_null(strstr(para_starting(d, "symbol:")->text, "S/RES/2196 (2015)"));
  assert_string_equal(para_starting(d, "Insta tambi\xc3\xa9n")->label, "22.");
  assert_non_null(para_starting(d, "Observando con preocupaci"));
  indaga__free(p);
  dm_doc_free(d);
}

static void test_docmodel__crlf_line_ends(void **state) {
  size_t n, i;
  char *p = slurp(DATA "carta_krasnodar_2017.txt", &n);
  ia_buf b = {0};
  dm_doc *lf, *crlf;
  (void)state;
  for (i = 0; i < n; i++) {
    if (p[i] == '\n') buf_putc(&b, '\r');
    buf_putc(&b, p[i]);
  }
  lf = parse_ok("lf.txt", p, n);
  crlf = parse_ok("crlf.txt", (const char *)b.p, b.n);
  check_invariants(crlf, b.n);
  assert_int_equal(crlf->nparas, lf->nparas);
  assert_int_equal(crlf->nparts, lf->nparts);
  assert_int_equal(crlf->nmeta, lf->nmeta);
  for (i = 0; i < lf->nmeta; i++) assert_string_equal(crlf->meta[i].value, lf->meta[i].value);
  for (i = 0; i < lf->nparas; i++) {
    const dm_para *a = &lf->paras[i], *c = &crlf->paras[i];
    size_t k, j = 0;
    assert_string_equal(c->text, a->text);
    assert_int_equal(c->part, a->part);
    assert_int_equal(c->ordinal, a->ordinal);
    assert_int_equal(c->heading, a->heading);
    if (a->label) assert_string_equal(c->label, a->label);
    else assert_null(c->label);
    /* The CRLF range is the LF range with each \n preceded by \r: exact bytes. */
    for (k = c->src_start; k < c->src_end; k++) {
      if (b.p[k] == '\r') continue;
      assert_int_equal(b.p[k], (unsigned char)p[a->src_start + j]);
      j++;
    }
    assert_int_equal(j, a->src_end - a->src_start);
    assert_true(b.p[c->src_end - 1] != '\r');
  }
  dm_doc_free(lf);
  dm_doc_free(crlf);
  buf_free(&b);
  indaga__free(p);
}

static void test_docmodel__ten_megabyte_paragraph(void **state) {
  const char *s = "Las amenazas que plantean los combatientes terroristas extranjeros que regresan de las zonas "
                  "de conflicto armado a sus pa\xc3\xad" "ses de origen para llevar a cabo actividades terroristas,";
  size_t sl = strlen(s), k;
  ia_buf b = {0};
  dm_doc *d;
  (void)state;
  /* 10 MB on one line, then 10 MB of wrapped lines: one paragraph each. */
  for (k = 0; k < 2; k++) {
    buf_reset(&b);
    buf_puts(&b, "1. ");
    while (b.n < 10u * 1024 * 1024) {
      buf_append(&b, s, sl);
      buf_putc(&b, k ? '\n' : ' ');
    }
    assert_int_equal(b.err, 0);
    d = parse_ok("grande.txt", (const char *)b.p, b.n);
    check_invariants(d, b.n);
    assert_int_equal(d->nparas, 1);
    assert_string_equal(d->paras[0].label, "1.");
    assert_int_equal(d->paras[0].src_start, 0);
    assert_int_equal(d->paras[0].src_end, b.n - 1);
    assert_int_equal(d->paras[0].ntext, b.n - 4);
    assert_true(!strncmp(d->paras[0].text, s, sl));
    dm_doc_free(d);
  }
  /* 10 MB of "[" and "](" must stay linear too (bounded link look-ahead). */
  buf_reset(&b);
  while (b.n < 10u * 1024 * 1024) buf_puts(&b, "[a](b [](");
  d = parse_ok("corchetes.txt", (const char *)b.p, b.n);
  assert_int_equal(d->nparas, 1);
  dm_doc_free(d);
  buf_free(&b);
}

static void test_docmodel__invalid_utf8_repaired(void **state) {
  size_t n, i;
  char *p = slurp(DATA "carta_krasnodar_2017.txt", &n);
  char *at = strstr(p, "Tengo el honor");
  dm_doc *d;
  const dm_para *q;
  (void)state;
  at[5] = (char)0xFF;                       /* "Tengo\xFFel": an impossible byte */
  at = strstr(p, "Federaci\xc3\xb3n de Rusia, y empezar");
  at[8] = (char)0xC3;
  at[9] = 'X';                              /* a lead byte without its continuation */
  at = strstr(p, "Los participantes en la 16");
  at[0] = (char)0x80;                       /* a stray continuation byte */
  d = parse_ok("carta_rota.txt", p, n);
  check_invariants(d, n);                   /* every text is valid UTF-8 */
  assert_true(has_warning(d, "carta_rota.txt", "3 invalid UTF-8 sequences"));
  q = para_starting(d, "Tengo");
  assert_true(starts_with(q->text, "Tengo\xef\xbf\xbd" "el honor"));
  assert_non_null(strstr(para_starting(d, "Celebrar la 19")->text, "Federaci\xef\xbf\xbdXn de Rusia"));
  assert_non_null(para_starting(d, "\xef\xbf\xbdos participantes en la 16"));
  /* The structure is untouched. */
  assert_int_equal(d->nparts, 3);
  for (i = 0; i < 7; i++) assert_non_null(d->paras[i].text);
  dm_doc_free(d);
  indaga__free(p);
}

/* The letter saved as Latin-1: repaired with a warning, not taken for binary. */
/*
** The UTF-8 count runs over ASCII and two-byte characters in blocks (16
** bytes with SSE2): each kind of invalid sequence, after 0..40 bytes of
** letters with and without accents (so at every offset of a block), is
** counted as the same number of sequences, first at its own offset, and
** repaired in the text and by dm_utf8_repair, one U+FFFD for each maximal
** subpart (common/utf8.h): a truncated sequence is one, each byte of an
** overlong, surrogate or out-of-range one is one.
*/
static void test_docmodel__invalid_utf8_at_every_offset(void **state) {
#define R "\xef\xbf\xbd"
  static const struct { const char *bad; size_t count; const char *repaired; } cases[] = {
    {"\xff", 1, R}, {"\xff\xfe", 2, R R}, {"\xc3", 1, R}, {"\xc3\xc3\xa1", 1, R "\xc3\xa1"}, {"\xa1", 1, R},
    {"\xa1\xa1\xa1\xa1\xa1", 5, R R R R R}, {"\xe2\x80", 1, R}, {"\xf0\x9f\x98", 1, R},
    {"\xc0\xaf", 2, R R}, {"\xed\xa0\x80", 3, R R R}, {"\xf4\x90\x80\x80", 4, R R R R},
    {"\xc1\xbf", 2, R R},
  };
#undef R
  (void)state;
  for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
    for (size_t pad = 0; pad <= 40; pad++) {
      ia_buf in = {0};
      char want[96];
      buf_puts(&in, "Art\xc3\xad" "culo 1. ");
      for (size_t i = 0; i < pad; i++) buf_puts(&in, i % 3 ? "a" : "\xc3\xb1");
      size_t at = in.n;
      buf_puts(&in, cases[k].bad);
      buf_puts(&in, " canci\xc3\xb3n y \xc3\xa9l.\n");
      dm_doc *d = parse_ok("rota.txt", (const char *)in.p, in.n);
      check_invariants(d, in.n);
      snprintf(want, sizeof want, "%zu invalid UTF-8 sequence%s replaced by U+FFFD (first at byte %zu)", cases[k].count,
               cases[k].count == 1 ? "" : "s", at);
      assert_int_equal(d->nwarnings, 1);
      assert_non_null(strstr(d->warnings[0], want));
      assert_non_null(strstr(d->paras[d->nparas - 1].text, "\xef\xbf\xbd"));
      dm_doc_free(d);
      /* dm_utf8_repair (metadata values): the same count, the same sequences replaced */
      ia_buf rep = {0}, want_rep = {0};
      assert_int_equal(dm_utf8_repair(&rep, (const char *)in.p, in.n), cases[k].count);
      buf_append(&want_rep, in.p, at);
      buf_puts(&want_rep, cases[k].repaired);
      buf_append(&want_rep, in.p + at + strlen(cases[k].bad), in.n - at - strlen(cases[k].bad));
      assert_int_equal(rep.n, want_rep.n);
      assert_memory_equal(rep.p, want_rep.p, rep.n);
      buf_free(&rep);
      buf_free(&want_rep);
      buf_free(&in);
    }
  }
}

static void test_docmodel__latin1_is_text(void **state) {
  size_t n, i = 0;
  char *p = slurp(DATA "declaracion_universal_derechos_humanos.txt", &n);
  ia_buf b = {0};
  dm_doc *d;
  (void)state;
  while (i < n) {
    size_t len;
    int32_t cp = utf8_decode((const unsigned char *)p + i, n - i, &len);
    assert_true(cp >= 0);
    buf_putc(&b, cp < 0x100 ? (int)cp : '?');
    i += len;
  }
  d = parse_ok("declaracion_latin1.txt", (const char *)b.p, b.n);
  check_invariants(d, b.n);
  assert_true(has_warning(d, "declaracion_latin1.txt", "invalid UTF-8"));
  assert_true(d->nparas > 60);
  assert_true(!strncmp(para_starting(d, "Art")->text, "Art\xef\xbf\xbd" "culo 1", 12));
  dm_doc_free(d);
  buf_free(&b);
  indaga__free(p);
}

/**************************************************************************
** Pieces
*/

static const struct { const char *in, *out; } clean_cases[] = {
    {"**negrita** y *cursiva* y __otra__", "negrita y cursiva y otra"},
    {"la resoluci&oacute;n [2354 \\(2017\\)](#) del Consejo", "la resoluci\xc3\xb3n 2354 (2017) del Consejo"},
    {"5 * 3 = 15 y (*) nota", "5 * 3 = 15 y (*) nota"},
    {"campo_nombre y ______ en blanco", "campo_nombre y ______ en blanco"},
    {"&#8211; &#x2014; &ntilde; &amp;amp; &desconocida; &#0; &", "\xe2\x80\x93 \xe2\x80\x94 \xc3\xb1 &amp; &desconocida; \xef\xbf\xbd &"},
    {"  a\xc2\xa0\xc2\xa0 b\t\tc&nbsp;d  ", "a b c d"},
    {"uno<br>dos <TD>tres</TD> <http://un.org> 3 < 4", "uno dos tres http://un.org 3 < 4"},
    {"![logo](x.png) \\* literal \\", "logo * literal"},
    {"[sin cierre (y m\xc3\xa1s", "[sin cierre (y m\xc3\xa1s"},
    {"dos  espacios y \xc3\xa9l \xc3\xa1mbito\t\x01" "fin", "dos espacios y \xc3\xa9l \xc3\xa1mbito fin"},
    {"a*b* c_d_ (*) x\xc2\xadz \xe2\x80\x8bw \xef\xbb\xbfv \xe3\x80\x80u", "a*b c_d (*) xz w v u"},
    {"canci\xc3\xb3n \xc2\xbfqu\xc3\xa9? 1\xc2\xba \xc3\x91o\xc3\xb1o\xc2\xa0x \xc3\xa1\xc3\xa9\xc3\xad\xc3\xb3\xc3\xba\xc3\xb1\xc3\xbc\xc3\x81\xc3\x89 \xc3\xa1",
     "canci\xc3\xb3n \xc2\xbfqu\xc3\xa9? 1\xc2\xba \xc3\x91o\xc3\xb1o x \xc3\xa1\xc3\xa9\xc3\xad\xc3\xb3\xc3\xba\xc3\xb1\xc3\xbc\xc3\x81\xc3\x89 \xc3\xa1"},
    {"\xc3\xb1" "and\xc3\xba \xff\xfe mal \xc2", "\xc3\xb1" "and\xc3\xba \xef\xbf\xbd\xef\xbf\xbd mal \xef\xbf\xbd"},
  };

static void test_docmodel__clean_inline(void **state) {
  size_t k;
  (void)state;
  for (k = 0; k < ARRAY_SIZE(clean_cases); k++) {
    ia_buf b = {0};
    dm_clean_inline(&b, clean_cases[k].in, strlen(clean_cases[k].in));
    buf_putc(&b, 0);
    assert_string_equal((const char *)b.p, clean_cases[k].out);
    buf_free(&b);
  }
}

/*
** The cleaner takes plain text in blocks (16 bytes with SSE2): each case
** between runs of 0..40 plain letters, so its markup falls at every
** offset of a block, cleans to the letters around the case's own text.
*/
static void test_docmodel__clean_inline_at_every_offset(void **state) {
  (void)state;
  for (size_t k = 0; k < ARRAY_SIZE(clean_cases); k++) {
    for (size_t pad = 0; pad <= 40; pad++) {
      ia_buf in = {0}, want = {0}, got = {0};
      for (size_t i = 0; i < pad; i++) buf_putc(&in, 'x');
      buf_putc(&in, ' ');
      buf_puts(&in, clean_cases[k].in);
      buf_putc(&in, ' ');
      for (size_t i = 0; i < pad; i++) buf_putc(&in, 'y');
      for (size_t i = 0; i < pad; i++) buf_putc(&want, 'x');
      if (pad) buf_putc(&want, ' ');
      buf_puts(&want, clean_cases[k].out);
      if (pad) buf_putc(&want, ' ');
      for (size_t i = 0; i < pad; i++) buf_putc(&want, 'y');
      buf_putc(&want, 0);
      dm_clean_inline(&got, (const char *)in.p, in.n);
      buf_putc(&got, 0);
      assert_string_equal((const char *)got.p, (const char *)want.p);
      buf_free(&in);
      buf_free(&want);
      buf_free(&got);
    }
  }
}

/* dm__clean_inline_avail(p, n, avail) against dm_clean_inline(p, n): the same text and count. */
static void check_avail_same(const char *p, size_t n, size_t avail) {
  ia_buf want = {0}, got = {0};
  size_t bw = dm_clean_inline(&want, p, n), bg = dm__clean_inline_avail(&got, p, n, avail);
  assert_int_equal(bg, bw);
  assert_int_equal(got.n, want.n);
  if (want.n) assert_memory_equal(got.p, want.p, want.n);
  buf_free(&want);
  buf_free(&got);
}

/*
** The cleaner may look past a paragraph's end when the bytes there are
** readable (dm__clean_inline_avail, as dm_parse does over the source): the
** text must be exactly what it is without the look (a two-byte letter cut
** off at the end, a space before it, markup...). Every window of 1..33
** bytes of real letters, at every 5th offset, cleaned with the rest of the
** file after it; and each clean case followed by "é", "é ", "*", spaces.
*/
static void test_docmodel__clean_inline_past_the_end(void **state) {
  (void)state;
  const char *files[] = { DATA "carta_krasnodar_2017.txt", DATA "s_res_2196__2015_.txt",
                          DATA "frontmatter_variants.md" };
  for (size_t f = 0; f < ARRAY_SIZE(files); f++) {
    size_t n;
    char *p = slurp(files[f], &n);
    for (size_t s = 0; s < n; s += 5)
      for (size_t len = 1; len <= 33 && s + len <= n; len++) check_avail_same(p + s, len, n - s);
    indaga__free(p);
  }
  const char *tails[] = { "\xc3\xa9", "\xc3\xa9 ", "*", "   ", "\xc3", "&amp;", "x" };
  for (size_t k = 0; k < ARRAY_SIZE(clean_cases); k++) {
    for (size_t t = 0; t < ARRAY_SIZE(tails); t++) {
      for (size_t pad = 0; pad <= 20; pad++) {
        ia_buf in = {0};
        for (size_t i = 0; i < pad; i++) buf_putc(&in, (char)(i % 3 ? 'a' : ' '));
        size_t n0 = in.n;
        buf_puts(&in, clean_cases[k].in);
        size_t n = in.n;
        for (int r = 0; r < 6; r++) buf_puts(&in, tails[t]);
        for (size_t cut = n0; cut <= n; cut++) check_avail_same((const char *)in.p, cut, in.n);
        buf_free(&in);
      }
    }
  }
}

static void test_docmodel__dates(void **state) {
  char iso[11];
  (void)state;
  assert_true(dm_parse_date("22 de noviembre de 2017", 23, iso));
  assert_string_equal(iso, "2017-11-22");
  assert_true(dm_parse_date("1\xc2\xba de setiembre del 2015", 25, iso));
  assert_string_equal(iso, "2015-09-01");
  assert_true(dm_parse_date("1995-06-14", 10, iso));
  assert_string_equal(iso, "1995-06-14");
  assert_false(dm_parse_date("22 de brumario de 2017", 22, iso));
  assert_false(dm_parse_date("Tema 109 del programa", 21, iso));
  assert_false(dm_parse_date("32 de enero de 2017", 19, iso));
}

/* Fail each allocation in turn: every run ends in success or ENOMEM, no leak. */
static void test_docmodel__allocation_failures(void **state) {
  size_t n;
  char *p = slurp(DATA "frontmatter_variants.md", &n);
  char *q = NULL;
  size_t nq;
  uint64_t k;
  int done = 0;
  (void)state;
  q = slurp(DATA "carta_krasnodar_2017.txt", &nq);
  for (k = 1; !done && k < 100000; k++) {
    dm_doc *d = NULL, *e = NULL;
    char *why = NULL;
    int rc1, rc2;
    indaga__alloc_fail_at(k, 0);
    rc1 = dm_parse(&d, "frontmatter_variants.md", p, n, &why);
    rc2 = dm_parse(&e, "carta_krasnodar_2017.txt", q, nq, &why);
    indaga__alloc_fail_at(0, 0);
    assert_true(rc1 == INDAGA_OK || rc1 == INDAGA_ENOMEM);
    assert_true(rc2 == INDAGA_OK || rc2 == INDAGA_ENOMEM);
    assert_true((rc1 == INDAGA_OK) == (d != NULL));
    assert_true((rc2 == INDAGA_OK) == (e != NULL));
    done = rc1 == INDAGA_OK && rc2 == INDAGA_OK;
    if (done) {
      assert_string_equal(dm_meta_get(e, "title"), krasnodar_title);
      assert_int_equal(d->nparts, 2);
    }
    dm_doc_free(d);
    dm_doc_free(e);
  }
  assert_true(done);
  assert_true(k > 50);
  indaga__free(p);
  indaga__free(q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_docmodel__krasnodar_header_and_parts),
    cmocka_unit_test(test_docmodel__session_agenda),
    cmocka_unit_test(test_docmodel__krasnodar_numbered_decisions),
    cmocka_unit_test(test_docmodel__krasnodar_bullets),
    cmocka_unit_test(test_docmodel__krasnodar_byte_ranges),
    cmocka_unit_test(test_docmodel__un_header_symbols),
    cmocka_unit_test(test_docmodel__charter_articles_and_items),
    cmocka_unit_test(test_docmodel__udhr_preamble_and_30_articles),
    cmocka_unit_test(test_docmodel__front_matter_un_2015),
    cmocka_unit_test(test_docmodel__front_matter_yaml_forms),
    cmocka_unit_test(test_docmodel__legalize_sample_parses),
    cmocka_unit_test(test_docmodel__legalize_annexes_and_articles),
    cmocka_unit_test(test_docmodel__binary_is_skipped),
    cmocka_unit_test(test_docmodel__utf16_is_skipped),
    cmocka_unit_test(test_docmodel__empty_file),
    cmocka_unit_test(test_docmodel__only_front_matter),
    cmocka_unit_test(test_docmodel__unterminated_front_matter),
    cmocka_unit_test(test_docmodel__crlf_line_ends),
    cmocka_unit_test(test_docmodel__ten_megabyte_paragraph),
    cmocka_unit_test(test_docmodel__invalid_utf8_repaired),
    cmocka_unit_test(test_docmodel__invalid_utf8_at_every_offset),
    cmocka_unit_test(test_docmodel__latin1_is_text),
    cmocka_unit_test(test_docmodel__clean_inline),
    cmocka_unit_test(test_docmodel__clean_inline_at_every_offset),
    cmocka_unit_test(test_docmodel__clean_inline_past_the_end),
    cmocka_unit_test(test_docmodel__dates),
    cmocka_unit_test(test_docmodel__allocation_failures),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
