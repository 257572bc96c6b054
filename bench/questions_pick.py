#!/usr/bin/env python3
"""questions_pick.py: the paragraphs bench/questions.tsv was written from.

    python3 bench/questions_pick.py DUMP COUNT SEED > candidates.tsv

Reads a paragraph dump of bench_dump (records "doc\\tpart\\tord\\tnbytes\\n" +
nbytes of text + "\\n") and prints COUNT candidate paragraphs, one per line:
"k\\tdoc\\tpart\\tord\\ttext" (text on one line). A candidate is unique in the
dump (by its whole text and by its first 60 bytes and length, the rule of
knownitem.awk), 180 to 520 bytes long, of at least 25 words, at most a fifth
of them numbers, no table row; at most one per document; shuffled with
Python's random.Random(SEED). bench/questions.tsv took `un.dump 175 7` and
`pe.dump 175 11`, and a question was written by hand for each candidate
that states a fact of its own (the others were skipped).
"""
import collections
import random
import re
import sys


def read_dump(path):
    with open(path, 'rb') as f:
        data = f.read()
    i = 0
    while i < len(data):
        j = data.index(b'\n', i)
        doc, part, ordinal, nbytes = data[i:j].decode('utf-8', 'replace').split('\t')
        n = int(nbytes)
        yield doc, part, ordinal, data[j + 1:j + 1 + n].decode('utf-8', 'replace')
        i = j + 1 + n + 1


def main():
    if len(sys.argv) != 4:
        sys.exit('usage: questions_pick.py DUMP COUNT SEED')
    recs = list(read_dump(sys.argv[1]))
    count, seed = int(sys.argv[2]), int(sys.argv[3])
    head = collections.Counter((t[:60], len(t)) for _, _, _, t in recs)
    whole = collections.Counter(t.strip() for _, _, _, t in recs)
    cands = []
    for r in recs:
        t = r[3].strip()
        if head[(r[3][:60], len(r[3]))] != 1 or whole[t] != 1:
            continue
        if not 180 <= len(t) <= 520 or '|' in t:
            continue
        words = re.findall(r'\w+', t)
        if len(words) < 25 or sum(w.isdigit() for w in words) > len(words) * 0.2:
            continue
        cands.append(r)
    random.Random(seed).shuffle(cands)
    docs, k = set(), 0
    for doc, part, ordinal, text in cands:
        if doc in docs:
            continue
        docs.add(doc)
        one_line = re.sub(r'\s+', ' ', text.strip())
        print(f"{k}\t{doc}\t{part}\t{ordinal}\t{one_line}")
        k += 1
        if k == count:
            break


if __name__ == '__main__':
    main()
