#!/usr/bin/python3
"""formats_compare.py INDEX_A DOC_A INDEX_B DOC_B: compare two indexed
documents as `indaga show --json` prints them: title and date, the parts
(labels and paragraph counts), and per paragraph its label and its words
(the same words in the same order, whatever the whitespace). Prints each
difference; exit 1 when there is any. $INDAGA is the binary."""
import json
import os
import subprocess
import sys


def show(index, doc, *part):
    out = subprocess.run([os.environ["INDAGA"], "show", "--index", index, "--json", doc, *part],
                         check=True, capture_output=True, text=True).stdout
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def load(index, doc):
    head = show(index, doc)[0]
    paras = []
    for p in head["parts"]:
        paras += [l for l in show(index, doc, str(p["part"])) if l["type"] == "paragraph"]
    return head, paras


def main():
    ia, da, ib, db = sys.argv[1:5]
    (ha, pa), (hb, pb) = load(ia, da), load(ib, db)
    bad = []
    for k in ("title", "date"):
        if ha["meta"].get(k) != hb["meta"].get(k):
            bad.append("%s: %r vs %r" % (k, ha["meta"].get(k), hb["meta"].get(k)))
    parts = lambda h: [(p["part"], p["label"], p["paragraphs"]) for p in h["parts"]]
    if parts(ha) != parts(hb):
        bad.append("parts: %r vs %r" % (parts(ha), parts(hb)))
    for i in range(max(len(pa), len(pb))):
        a = pa[i] if i < len(pa) else None
        b = pb[i] if i < len(pb) else None
        if not a or not b:
            bad.append("paragraph %d only in %s" % (i + 1, da if a else db))
            continue
        where = "part %d paragraph %d" % (a["part"], a["paragraph"])
        if (a["part"], a["paragraph"], a["label"]) != (b["part"], b["paragraph"], b["label"]):
            bad.append("%s: label %r vs part %d paragraph %d label %r" % (where, a["label"], b["part"],
                                                                        b["paragraph"], b["label"]))
        if a["text"].split() != b["text"].split():
            bad.append("%s: text\n   %s\n   %s" % (where, a["text"][:300], b["text"][:300]))
    for line in bad[:20]:
        print("%s vs %s: %s" % (da, db, line))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
