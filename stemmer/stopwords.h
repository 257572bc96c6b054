/*
** stopwords.h: the Spanish stopword list (generated stemmer/stopwords.c,
** from stemmer/stop.txt by scripts/gen_stopwords.sh).
*/
#ifndef INDAGA_STOPWORDS_H
#define INDAGA_STOPWORDS_H

#include <stddef.h>

/* Lowercase accented words, NUL-terminated UTF-8, in the list's order. */
extern const char *const ia_stopwords[];
extern const size_t ia_nstopwords;

#endif /* INDAGA_STOPWORDS_H */
