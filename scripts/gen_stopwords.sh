#!/bin/sh
# gen_stopwords.sh: turn Snowball's Spanish stopword list (stemmer/stop.txt,
# BSD licence, from snowballstem/snowball-website) into stemmer/stopwords.c.
#
#   sh scripts/gen_stopwords.sh [stemmer/stop.txt] > stemmer/stopwords.c
#
# The list's format: a word starts a line; '|' starts a comment; indented
# lines are comments. Words are emitted as written (lowercase, accented), in
# the list's order; the analyzer folds them itself when it builds its set, so
# folding lives in one place (stemmer/word.c). Exits 2 when the list is
# missing or yields no word.
set -eu

src=${1:-stemmer/stop.txt}
if [ ! -r "$src" ]; then
    echo "gen_stopwords.sh: cannot read $src" >&2
    exit 2
fi

words=$(sed -e 's/|.*//' "$src" | grep -E '^[^[:space:]]' | awk '{print $1}')
count=$(printf '%s\n' "$words" | grep -c . || true)
if [ "$count" -eq 0 ]; then
    echo "gen_stopwords.sh: no words in $src" >&2
    exit 2
fi

cat <<HDR
/*
** stopwords.c: Snowball's Spanish stopword list, generated from
** stemmer/stop.txt by scripts/gen_stopwords.sh. Do not edit by hand:
** edit the list and run the script again.
**
** The words are lowercase and accented, as the list writes them. The
** analyzer folds them (stemmer/word.c) and flags a token as a stopword when
** its folded key is one of them, so "esta" and "está" are both stopwords.
*/
#include "stemmer/stopwords.h"

const char *const ia_stopwords[] = {
HDR
printf '%s\n' "$words" | awk '{ printf "  \"%s\",\n", $1 }'
cat <<FTR
};

const size_t ia_nstopwords = sizeof ia_stopwords / sizeof ia_stopwords[0];
FTR
