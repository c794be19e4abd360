#!/usr/bin/env python3
"""How often a sentence's drugs share their ADEs in a Vigil corpus's gold layer.

Reads the corpus file (sqlite) and counts the sentences that mention two or more distinct
drugs (by normalized name): those whose drugs all have exactly the same gold ADE spans, those
with two drugs that share no ADE, and the rest. With --split NAME:PART only that part counts.

    python3 scripts/multi_drug_agreement.py vigil.sqlite
    python3 scripts/multi_drug_agreement.py vigil.sqlite --split holdout:test
"""
import argparse
import collections
import sqlite3
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("--split", help="NAME:PART, e.g. holdout:test")
    args = parser.parse_args()
    db = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    gold = db.execute("SELECT id FROM layer WHERE kind = 'gold'").fetchone()
    if gold is None:
        print(f"{args.db}: no gold layer", file=sys.stderr)
        return 1
    members = None
    if args.split:
        name, _, part = args.split.partition(":")
        rows = db.execute("SELECT m.sentence_id FROM split_member m JOIN split s ON s.id = m.split_id "
                          "WHERE s.name = ? AND m.part = ?", (name, part)).fetchall()
        if not rows:
            print(f"--split {args.split}: no such split part in {args.db}", file=sys.stderr)
            return 1
        members = {r[0] for r in rows}
    mentions = collections.defaultdict(lambda: collections.defaultdict(list))  # sentence -> drug -> mention ids
    for sentence, mention, drug in db.execute("SELECT sentence_id, id, normalized FROM drug_mention"):
        if members is None or sentence in members:
            mentions[sentence][drug].append(mention)
    spans = collections.defaultdict(set)  # mention -> gold ADE spans
    for mention, start, end in db.execute('SELECT drug_mention_id, start, "end" FROM ade WHERE layer_id = ?', gold):
        spans[mention].add((start, end))
    same = disjoint = other = 0
    for drugs in mentions.values():
        if len(drugs) < 2:
            continue
        sets = [frozenset().union(*(spans[m] for m in ids)) for ids in drugs.values()]
        if all(s == sets[0] for s in sets):
            same += 1
        elif any(a.isdisjoint(b) for i, a in enumerate(sets) for b in sets[i + 1:]):
            disjoint += 1
        else:
            other += 1
    total = same + disjoint + other
    print(f"sentences with 2+ drugs: {total}")
    print(f"  every drug has the same ADE spans: {same}")
    print(f"  two drugs share no ADE:            {disjoint}")
    print(f"  overlapping but different:         {other}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
