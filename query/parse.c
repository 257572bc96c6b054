/*
** parse.c: the query language -> a qnode tree (README.md, DESIGN.md
** "Queries"). Every input parses; what is not valid syntax is taken as
** words or dropped, with a note saying so.
**
** Lexer. Chunks are separated by white space, parentheses and double quotes
** ("", “”, «»). A chunk is
**   OR | AND | NOT          operators (upper case only: "or" is a word)
**   NEAR | NEAR/n           proximity operator
**   name:value              a filter when name is symbol, doc, annex, year or
**                           title (any case); value may be a quoted string
**   -chunk                  exclusion of what follows
**   +chunk                  what follows is required (best match: query.h)
**   word*                   prefix
**   word                    anything else (analysed later, may hold several
**                           tokens: "S/RES/2196", "fin-de-semana")
** A chunk that looks like a UN symbol ("S/RES/2196") absorbs a following
** "(2015)", so the symbol "S/RES/2196 (2015)" stays one word.
**
** Grammar (recursive descent; OR binds tighter than the implicit AND, as in
** web search engines: `a OR b c` is `(a OR b) AND c`):
**   seq     := item ([AND] item)*            implicit AND; an item next to an
**                                            explicit AND is required
**   item    := unary (OR unary)*
**   unary   := (NOT | '-' | '+')* near       odd count of NOT/'-': exclusion;
**                                            '+' (not excluded): required
**   near    := primary (NEAR[/n] primary)*
**   primary := '(' seq ')' | "phrase" | filter | word | prefix*
**
** Bounds: the text is cut at QP_MAX_BYTES (at a UTF-8 boundary), words past
** QP_MAX_LEAVES are ignored, and parentheses nested deeper than QP_MAX_DEPTH
** are ignored, so recursion depth and work are bounded for any input. Each
** leaf is a step of the search's work budget (the arena's, budget.h): once
** it runs out, or the arena's memory does, parsing stops with that status.
**
** Duplicates: the kids of an AND or an OR that are the same subtree (same
** kinds, words and structure; a prefix compared without ASCII case) are
** kept once, with a note, so `a* OR a* OR ...` is one prefix to expand and
** evaluate. Kids are compared by a structural hash first (node_hash), then
** in full when the hashes agree: n kids cost n hashes and at most n^2/2
** integer compares (n <= QP_MAX_LEAVES).
**
** Degenerate input: a stray ')' or operator is ignored; an unclosed '(' or
** quote closes at the end; `*` alone is ignored; an exclusion inside OR is
** ignored; a query of exclusions only, or of nothing, yields NULL. Each of
** these leaves a note for the user.
*/
#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include "query/query.h"

typedef enum tk_kind {
  TK_END, TK_LP, TK_RP, TK_PHRASE, TK_WORD, TK_PREFIX, TK_MINUS, TK_PLUS,
  TK_OR, TK_AND, TK_NOT, TK_NEAR, TK_FILTER
} tk_kind;

typedef struct tk {
  tk_kind kind;
  const char *p;   /* text of word, prefix, phrase or filter value */
  size_t n;
  unsigned near;   /* TK_NEAR */
  qf_kind filter;  /* TK_FILTER */
} tk;

typedef struct parser {
  qa_arena *a;
  const char *z, *end;   /* remaining input */
  tk cur;                /* current token */
  int have;              /* cur is valid */
  size_t leaves;         /* words so far */
  ia_buf *notes;
  unsigned noted;        /* bit set of notes already given */
} parser;

/* Append a note once per kind (bit). */
static void note(parser *ps, unsigned bit, const char *msg) {
  if (ps->noted & bit) return;
  ps->noted |= bit;
  if (!ps->notes) return;
  if (ps->notes->n) buf_puts(ps->notes, "; ");
  buf_puts(ps->notes, msg);
}

#define N_RPAREN 0x001u
#define N_LPAREN 0x002u
#define N_QUOTE  0x004u
#define N_OP     0x008u
#define N_STAR   0x010u
#define N_ORNOT  0x020u
#define N_ONLYNOT 0x040u
#define N_DEPTH  0x080u
#define N_LEAVES 0x100u
#define N_BYTES  0x200u
#define N_FILTER 0x400u
#define N_NEAR   0x800u
#define N_EMPTY  0x1000u
#define N_DUP    0x2000u

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* Length of an opening quote at p (", “, «), else 0. */
static size_t open_quote(const char *p, const char *end) {
  const unsigned char *u = (const unsigned char *)p;
  size_t left = (size_t)(end - p);
  if (left >= 1 && u[0] == '"') return 1;
  if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0x9C) return 3;   /* “ */
  if (left >= 2 && u[0] == 0xC2 && u[1] == 0xAB) return 2;                    /* « */
  return 0;
}

/* Length of any quote character at p (", “, ”, «, »), else 0. */
static size_t any_quote(const char *p, const char *end) {
  const unsigned char *u = (const unsigned char *)p;
  size_t left = (size_t)(end - p);
  size_t q = open_quote(p, end);
  if (q) return q;
  if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 && u[2] == 0x9D) return 3;   /* ” */
  if (left >= 2 && u[0] == 0xC2 && u[1] == 0xBB) return 2;                    /* » */
  return 0;
}

static int is_delim(const char *p, const char *end) {
  unsigned char c = (unsigned char)*p;
  return is_space(c) || c == '(' || c == ')' || any_quote(p, end) != 0;
}

/* Read a quoted string starting after the opening quote; sets *p,*n. */
static void read_quoted(parser *ps, const char **p, size_t *n) {
  const char *s = ps->z, *e = s;
  while (e < ps->end && !any_quote(e, ps->end)) e++;
  *p = s;
  *n = (size_t)(e - s);
  if (e < ps->end) ps->z = e + any_quote(e, ps->end);
  else { ps->z = e; note(ps, N_QUOTE, "unclosed quote closed at the end"); }
}

/* Does s[0..n) look like a UN symbol (a letter, a '/', a digit)? */
static int looks_symbol(const char *s, size_t n) {
  int slash = 0, digit = 0;
  if (n == 0 || !isalpha((unsigned char)s[0])) return 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '/') slash = 1;
    else if (isdigit((unsigned char)s[i])) digit = 1;
  }
  return slash && digit;
}

/* After a symbol chunk ending at e, absorb " (2015)" or "(2015)"; returns the new end. */
static const char *absorb_year(const char *e, const char *end) {
  const char *q = e;
  if (q < end && *q == ' ') q++;
  if (end - q >= 6 && q[0] == '(' && isdigit((unsigned char)q[1]) && isdigit((unsigned char)q[2]) &&
      isdigit((unsigned char)q[3]) && isdigit((unsigned char)q[4]) && q[5] == ')')
    return q + 6;
  return e;
}

static const struct { const char *name; qf_kind kind; } filters[] = {
  { "symbol", QF_SYMBOL }, { "doc", QF_DOC }, { "annex", QF_ANNEX },
  { "year", QF_YEAR }, { "title", QF_TITLE },
};

/* Classify chunk s[0..n) into ps->cur. */
static void classify(parser *ps, const char *s, size_t n) {
  tk *t = &ps->cur;
  t->p = s; t->n = n; t->near = 0;
  if (n == 2 && !memcmp(s, "OR", 2)) { t->kind = TK_OR; return; }
  if (n == 3 && !memcmp(s, "AND", 3)) { t->kind = TK_AND; return; }
  if (n == 3 && !memcmp(s, "NOT", 3)) { t->kind = TK_NOT; return; }
  if (n >= 4 && !memcmp(s, "NEAR", 4)) {
    if (n == 4) { t->kind = TK_NEAR; t->near = QP_NEAR_DEFAULT; return; }
    if (s[4] == '/' && n > 5) {
      /* any number of digits; a distance past QP_NEAR_MAX means "anywhere in the paragraph" */
      unsigned v = 0;
      size_t i = 5;
      for (; i < n && isdigit((unsigned char)s[i]); i++)
        v = v > QP_NEAR_MAX / 10 ? QP_NEAR_MAX : v * 10 + (unsigned)(s[i] - '0');
      if (i == n) { t->kind = TK_NEAR; t->near = v > QP_NEAR_MAX ? QP_NEAR_MAX : v; return; }
    }
  }
  const char *colon = memchr(s, ':', n);
  if (colon) {
    size_t nn = (size_t)(colon - s);
    for (size_t i = 0; i < ARRAY_SIZE(filters); i++) {
      if (strlen(filters[i].name) != nn) continue;
      size_t j = 0;
      while (j < nn && tolower((unsigned char)s[j]) == filters[i].name[j]) j++;
      if (j != nn) continue;
      t->kind = TK_FILTER;
      t->filter = filters[i].kind;
      t->p = colon + 1;
      t->n = n - nn - 1;
      if (t->n == 0 && ps->z < ps->end && open_quote(ps->z, ps->end)) {
        ps->z += open_quote(ps->z, ps->end);
        read_quoted(ps, &t->p, &t->n);
      }
      return;
    }
  }
  if (s[n - 1] == '*') {
    size_t m = n;
    while (m > 0 && s[m - 1] == '*') m--;
    t->kind = TK_PREFIX;
    t->n = m;
    return;
  }
  t->kind = TK_WORD;
}

/* Read the next token into ps->cur. */
static void lex(parser *ps) {
  tk *t = &ps->cur;
  ps->have = 1;
  for (;;) {
    while (ps->z < ps->end && is_space((unsigned char)*ps->z)) ps->z++;
    memset(t, 0, sizeof *t);
    if (ps->z >= ps->end) { t->kind = TK_END; return; }
    char c = *ps->z;
    if (c == '(') { ps->z++; t->kind = TK_LP; return; }
    if (c == ')') { ps->z++; t->kind = TK_RP; return; }
    size_t q = any_quote(ps->z, ps->end);
    if (q) {
      ps->z += q;
      t->kind = TK_PHRASE;
      read_quoted(ps, &t->p, &t->n);
      return;
    }
    if (c == '-' || c == '+') {
      ps->z++;
      if (ps->z < ps->end && !is_space((unsigned char)*ps->z) && *ps->z != ')') {
        t->kind = c == '-' ? TK_MINUS : TK_PLUS;
        return;
      }
      note(ps, N_OP, "ignored a stray operator");
      continue;
    }
    const char *s = ps->z, *e = s;
    while (e < ps->end && !is_delim(e, ps->end)) e++;
    if (looks_symbol(s, (size_t)(e - s))) e = absorb_year(e, ps->end);
    ps->z = e;
    classify(ps, s, (size_t)(e - s));
    if (t->kind == TK_PREFIX && t->n == 0) {
      note(ps, N_STAR, "ignored '*' without a word before it");
      continue;
    }
    return;
  }
}

static tk *peek(parser *ps) {
  if (!ps->have) lex(ps);
  return &ps->cur;
}
static void consume(parser *ps) { ps->have = 0; }

static qnode *new_node(parser *ps, qn_kind kind) {
  qnode *q = qa_alloc(ps->a, sizeof *q);
  if (q) q->kind = kind;
  return q;
}

/* A node over kids[0..n) copied into the arena. */
static qnode *new_list(parser *ps, qn_kind kind, qnode **kids, size_t n) {
  qnode *q = new_node(ps, kind);
  if (!q) return NULL;
  q->kids = qa_alloc(ps->a, n * sizeof *kids);
  if (!q->kids) return NULL;
  memcpy(q->kids, kids, n * sizeof *kids);
  q->nkids = n;
  return q;
}

/* A growable array of kids, on the heap during parsing. */
typedef struct kidvec { qnode **v; size_t n, cap; int err; } kidvec;
static void kv_push(kidvec *k, qnode *q) {
  if (k->err || !q) return;
  if (k->n == k->cap) {
    qnode **v = indaga__grow(k->v, &k->cap, sizeof *v, 8);
    if (!v) { k->err = INDAGA_ENOMEM; return; }
    k->v = v;
  }
  k->v[k->n++] = q;
}

static qnode *parse_seq(parser *ps, unsigned depth, int closing);

static unsigned char fold_ascii(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c; }

/* Structural hash of @q (FNV-1a over kinds, values and kids, in order). Depth is bounded by QP_MAX_DEPTH. */
static uint64_t node_hash(const qnode *q) {
  uint64_t h = 1469598103934665603u;
#define MIX(x) (h = (h ^ (uint64_t)(x)) * 1099511628211u)
  MIX(q->kind); MIX(q->filter); MIX(q->near); MIX(q->n);
  for (size_t i = 0; i < q->n; i++) MIX(q->kind == QN_PREFIX ? fold_ascii((unsigned char)q->p[i]) : (unsigned char)q->p[i]);
  MIX(q->nkids);
  for (size_t i = 0; i < q->nkids; i++) MIX(node_hash(q->kids[i]));
#undef MIX
  return h;
}

/* Are @x and @y the same subtree? */
static int node_same(const qnode *x, const qnode *y) {
  if (x->kind != y->kind || x->filter != y->filter || x->near != y->near || x->n != y->n || x->nkids != y->nkids)
    return 0;
  for (size_t i = 0; i < x->n; i++) {
    unsigned char a = (unsigned char)x->p[i], b = (unsigned char)y->p[i];
    if (x->kind == QN_PREFIX ? fold_ascii(a) != fold_ascii(b) : a != b) return 0;
  }
  for (size_t i = 0; i < x->nkids; i++)
    if (!node_same(x->kids[i], y->kids[i])) return 0;
  return 1;
}

/* Keep the first of equal kids v[0..n), in order; returns the new count. */
static size_t dedupe(parser *ps, qnode **v, size_t n) {
  if (n < 2) return n;
  uint64_t *h = indaga__malloc(n * sizeof *h);
  if (!h) { ps->a->err = INDAGA_ENOMEM; return n; }
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    uint64_t hi = node_hash(v[i]);
    size_t j = 0;
    while (j < o && !(h[j] == hi && node_same(v[j], v[i]))) j++;
    if (j < o) { note(ps, N_DUP, "repeated words merged"); continue; }
    h[o] = hi;
    v[o++] = v[i];
  }
  indaga__free(h);
  return o;
}

/* A leaf from the current word/prefix/phrase/filter token, or NULL past the cap. */
static qnode *leaf(parser *ps, const tk *t) {
  int brc = qb_step(ps->a->bud, 64 + t->n);   /* the work budget (budget.h): sticky in the arena */
  if (brc) { ps->a->err = brc; return NULL; }
  if (ps->leaves >= QP_MAX_LEAVES) {
    note(ps, N_LEAVES, "words past the first 1024 ignored");
    return NULL;
  }
  size_t i = 0;
  while (i < t->n && is_space((unsigned char)t->p[i])) i++;
  if (i == t->n) {
    if (t->kind == TK_FILTER) note(ps, N_FILTER, "ignored a filter without a value");
    else note(ps, N_EMPTY, "ignored an empty phrase");
    return NULL;
  }
  qn_kind k = t->kind == TK_PHRASE ? QN_PHRASE : t->kind == TK_PREFIX ? QN_PREFIX
            : t->kind == TK_FILTER ? QN_FILTER : QN_WORD;
  qnode *q = new_node(ps, k);
  if (!q) return NULL;
  q->filter = t->filter;
  q->p = qa_strndup(ps->a, t->p, t->n);
  q->n = t->n;
  ps->leaves++;
  return q;
}

/* primary := '(' seq ')' | phrase | filter | word | prefix. NULL: nothing usable. */
static qnode *parse_primary(parser *ps, unsigned depth) {
  tk *t = peek(ps);
  while (t->kind == TK_LP && depth >= QP_MAX_DEPTH) {   /* a loop, not recursion */
    note(ps, N_DEPTH, "parentheses nested too deep were ignored");
    consume(ps);
    t = peek(ps);
  }
  switch (t->kind) {
  case TK_LP:
    consume(ps);
    {
      qnode *q = parse_seq(ps, depth + 1, 1);
      if (peek(ps)->kind == TK_RP) consume(ps);
      else note(ps, N_LPAREN, "unclosed '(' closed at the end");
      return q;
    }
  case TK_PHRASE: case TK_WORD: case TK_PREFIX: case TK_FILTER: {
    tk copy = *t;
    consume(ps);
    return leaf(ps, &copy);
  }
  case TK_END: case TK_RP:
    return NULL;
  default:
    note(ps, N_OP, "ignored a stray operator");
    consume(ps);
    return NULL;
  }
}

/* near := primary (NEAR[/n] primary)*; a NEAR over anything but words is read as AND. */
static qnode *parse_near(parser *ps, unsigned depth) {
  qnode *first = parse_primary(ps, depth);
  if (peek(ps)->kind != TK_NEAR) return first;
  kidvec kv = { 0 };
  unsigned dist = UINT32_MAX;
  int words_only = first && (first->kind == QN_WORD || first->kind == QN_PREFIX);
  kv_push(&kv, first);
  while (peek(ps)->kind == TK_NEAR && !ps->a->err) {
    unsigned d = ps->cur.near;
    consume(ps);
    tk *t = peek(ps);
    if (t->kind == TK_END || t->kind == TK_RP || t->kind == TK_OR || t->kind == TK_NEAR) {
      note(ps, N_OP, "ignored a stray operator");
      break;
    }
    qnode *q = parse_primary(ps, depth);
    if (!q) continue;
    if (d < dist) dist = d;
    if (q->kind != QN_WORD && q->kind != QN_PREFIX) words_only = 0;
    kv_push(&kv, q);
  }
  qnode *r = NULL;
  if (kv.err) { ps->a->err = kv.err; }
  else if (kv.n == 1) r = kv.v[0];
  else if (kv.n > 1) {
    if (!words_only) note(ps, N_NEAR, "NEAR applies to words only; read as AND");
    r = new_list(ps, words_only ? QN_NEAR : QN_AND, kv.v, kv.n);
    if (r) r->near = dist == UINT32_MAX ? QP_NEAR_DEFAULT : dist;
  }
  indaga__free(kv.v);
  return r;
}

/* unary := (NOT | '-' | '+')* near */
static qnode *parse_unary(parser *ps, unsigned depth) {
  unsigned neg = 0, plus = 0;
  for (;;) {
    tk *t = peek(ps);
    if (t->kind == TK_NOT || t->kind == TK_MINUS) { neg++; consume(ps); continue; }
    if (t->kind == TK_PLUS) { plus = 1; consume(ps); continue; }
    break;
  }
  qnode *q = parse_near(ps, depth);
  if (!q) {
    if (neg) note(ps, N_OP, "ignored a stray operator");
    return NULL;
  }
  if (neg & 1) {
    qnode *n = new_list(ps, QN_NOT, &q, 1);
    return n;
  }
  if (plus) q->required = 1;
  return q;
}

/* 1 when @q excludes only (an exclusion, or a conjunction of exclusions). */
static int only_not(const qnode *q) {
  if (q->kind == QN_NOT) return 1;
  if (q->kind != QN_AND) return 0;
  for (size_t i = 0; i < q->nkids; i++)
    if (q->kids[i]->kind != QN_NOT) return 0;
  return 1;
}

/* item := unary (OR unary)*; exclusions inside OR are dropped. */
static qnode *parse_item(parser *ps, unsigned depth) {
  qnode *first = parse_unary(ps, depth);
  if (peek(ps)->kind != TK_OR) return first;
  kidvec kv = { 0 };
  kv_push(&kv, first);
  while (peek(ps)->kind == TK_OR && !ps->a->err) {
    consume(ps);
    tk *t = peek(ps);
    if (t->kind == TK_END || t->kind == TK_RP || t->kind == TK_OR || t->kind == TK_AND) {
      note(ps, N_OP, "ignored a stray operator");
      continue;
    }
    kv_push(&kv, parse_unary(ps, depth));
  }
  kidvec flat = { 0 };
  for (size_t i = 0; i < kv.n; i++) {
    qnode *q = kv.v[i];
    if (only_not(q)) { note(ps, N_ORNOT, "an exclusion inside OR was ignored"); continue; }
    if (q->kind == QN_OR) {   /* flatten (a OR b) OR c */
      for (size_t m = 0; m < q->nkids; m++) kv_push(&flat, q->kids[m]);
      continue;
    }
    kv_push(&flat, q);
  }
  qnode *r = NULL;
  if (!kv.err && !flat.err) flat.n = dedupe(ps, flat.v, flat.n);
  if (kv.err || flat.err) ps->a->err = INDAGA_ENOMEM;
  else if (ps->a->err) r = NULL;
  else if (flat.n == 1) r = flat.v[0];
  else if (flat.n > 1) r = new_list(ps, QN_OR, flat.v, flat.n);
  indaga__free(kv.v);
  indaga__free(flat.v);
  return r;
}

/* Mark kv[from..) required (the operands of an explicit AND). */
static void require(kidvec *kv, size_t from) {
  for (size_t i = from; i < kv->n; i++) if (kv->v[i]->kind != QN_NOT) kv->v[i]->required = 1;
}

/* seq := item*, read as AND; stops at the end or, when closing, at ')'. */
static qnode *parse_seq(parser *ps, unsigned depth, int closing) {
  kidvec kv = { 0 };
  size_t last = 0;       /* where the last item's kids start in kv */
  int and_next = 0;      /* an AND came before the next item */
  for (;;) {
    tk *t = peek(ps);
    if (t->kind == TK_END) break;
    if (t->kind == TK_RP) {
      if (closing) break;
      note(ps, N_RPAREN, "ignored an unmatched ')'");
      consume(ps);
      continue;
    }
    if (t->kind == TK_AND) {
      consume(ps);
      if (kv.n) { require(&kv, last); and_next = 1; }
      continue;
    }
    qnode *q = parse_item(ps, depth);
    if (ps->a->err) break;
    if (!q) continue;
    last = kv.n;
    if (q->kind == QN_AND) {   /* flatten nested conjunctions */
      for (size_t i = 0; i < q->nkids; i++) kv_push(&kv, q->kids[i]);
    } else {
      kv_push(&kv, q);
    }
    if (and_next) { require(&kv, last); and_next = 0; }
  }
  qnode *r = NULL;
  if (!kv.err) kv.n = dedupe(ps, kv.v, kv.n);
  if (kv.err) ps->a->err = kv.err;
  else if (ps->a->err) r = NULL;
  else {
    size_t npos = 0;
    for (size_t i = 0; i < kv.n; i++) npos += kv.v[i]->kind != QN_NOT;
    if (kv.n && !npos && depth == 0) note(ps, N_ONLYNOT, "a query of exclusions only matches nothing");
    else if (kv.n && !npos) r = new_list(ps, QN_AND, kv.v, kv.n);   /* the caller's AND absorbs it */
    else if (kv.n == 1) r = kv.v[0];
    else if (kv.n > 1) r = new_list(ps, QN_AND, kv.v, kv.n);
  }
  indaga__free(kv.v);
  return r;
}

/* Parse p[0..n). See query.h. */
int qp_parse(qa_arena *a, const char *p, size_t n, qnode **out, ia_buf *notes) {
  parser ps;
  memset(&ps, 0, sizeof ps);
  ps.a = a;
  ps.notes = notes;
  if (n > QP_MAX_BYTES) {
    n = QP_MAX_BYTES;
    while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80) n--;   /* not inside a UTF-8 sequence */
    note(&ps, N_BYTES, "query text past 1 MiB ignored");
  }
  ps.z = p;
  ps.end = p + n;
  *out = parse_seq(&ps, 0, 0);
  if (a->err) { *out = NULL; return a->err; }
  return INDAGA_OK;
}

static const char *filter_name(qf_kind k) {
  for (size_t i = 0; i < ARRAY_SIZE(filters); i++)
    if (filters[i].kind == k) return filters[i].name;
  return "?";
}

/* Print @q as an S-expression. Iterative over siblings, recursive in depth (bounded). */
void qp_print(const qnode *q, ia_buf *out) {
  if (!q) { buf_puts(out, "()"); return; }
  if (q->required) buf_putc(out, '+');
  switch (q->kind) {
  case QN_WORD: buf_append(out, q->p, q->n); return;
  case QN_PREFIX: buf_append(out, q->p, q->n); buf_putc(out, '*'); return;
  case QN_PHRASE: buf_putc(out, '"'); buf_append(out, q->p, q->n); buf_putc(out, '"'); return;
  case QN_FILTER: buf_printf(out, "%s:", filter_name(q->filter)); buf_append(out, q->p, q->n); return;
  case QN_AND: buf_puts(out, "(AND"); break;
  case QN_OR: buf_puts(out, "(OR"); break;
  case QN_NOT: buf_puts(out, "(NOT"); break;
  case QN_NEAR: buf_printf(out, "(NEAR/%u", q->near); break;
  }
  for (size_t i = 0; i < q->nkids; i++) {
    buf_putc(out, ' ');
    qp_print(q->kids[i], out);
  }
  buf_putc(out, ')');
}
