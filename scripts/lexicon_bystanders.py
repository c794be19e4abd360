#!/usr/bin/env python3
"""Give a corpus that annotates only causing drugs the drug mentions a lexicon would find.

The ADE corpus annotates a drug only where it is in an ADE relation, so its sentences have
no bystander drugs, while Vigil's own pipeline finds every drug with a lexicon. This script
turns a copy of an imported ADE corpus into that setting, for experiments: every gold drug
name of the corpus (three characters or more) is searched for in the sentences that already
have a drug mention (case-insensitive, whole words, leftmost-longest, as Vigil's lexicon
trie does), and each match becomes a drug mention (origin `lexicon`) with a gold "no ADE",
unless it overlaps a mention or a gold ADE span, or names one of the sentence's annotated
drugs again (the (sentence, drug) task unit has one item per drug).

Training with `--source gold` then sees them as drugs without ADEs, in every split part, and
evaluation counts each ADE predicted for one as a false positive. Some are not bystanders
(a synonym of the annotated drug, or a causing drug the annotators left out), so this
overcounts false positives a little, for every model alike.

    cp vigil.sqlite vigil-lexicon.sqlite
    python3 scripts/lexicon_bystanders.py vigil-lexicon.sqlite [--split holdout]

It refuses a corpus that already has `lexicon` mentions, and writes in one transaction.
"""
import argparse
import sqlite3
import sys
from collections import Counter
from datetime import datetime, timezone

MINIMUM_LENGTH = 3


def is_word(c: str) -> bool:
    return c.isalnum()


def find(text: str, names: set, lengths: dict):
    """(start, end) of every name in `text`: whole words, case-insensitive, leftmost-longest,
    non-overlapping. `lengths` maps a first character to the name lengths, longest first."""
    # Lower-case one code point at a time, keeping offsets (a few characters lower to two).
    lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    i, n, found = 0, len(text), []
    while i < n:
        best = None
        if i == 0 or not is_word(text[i - 1]):
            for length in lengths.get(lowered[i], ()):
                end = i + length
                if end <= n and lowered[i:end] in names and (end == n or not is_word(text[end])):
                    best = end
                    break
        if best is None:
            i += 1
            continue
        found.append((i, best))
        i = best
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", help="a corpus file (a copy: it is changed)")
    parser.add_argument("--split", default=None, help="count the added mentions per part of this split")
    args = parser.parse_args()
    db = sqlite3.connect(args.db)
    gold = db.execute("SELECT id FROM layer WHERE kind = 'gold'").fetchone()
    if gold is None:
        print(f"{args.db}: no gold layer", file=sys.stderr)
        return 1
    gold = gold[0]
    if db.execute("SELECT COUNT(*) FROM drug_mention WHERE origin = 'lexicon'").fetchone()[0]:
        print(f"{args.db}: already has lexicon mentions; run this on a fresh copy", file=sys.stderr)
        return 1
    names, lengths = set(), {}
    for (name,) in db.execute("""SELECT DISTINCT lower(m.text) FROM drug_mention m
                                 JOIN layer_item li ON li.drug_mention_id = m.id AND li.layer_id = ?""", (gold,)):
        name = " ".join(name.split())
        if len(name) >= MINIMUM_LENGTH:
            names.add(name)
    for name in names:
        lengths.setdefault(name[0], set()).add(len(name))
    lengths = {first: sorted(found, reverse=True) for first, found in lengths.items()}

    mentions, ades = {}, {}
    for sid, start, end, text in db.execute("SELECT sentence_id, start, \"end\", lower(text) FROM drug_mention"):
        mentions.setdefault(sid, []).append((start, end, " ".join(text.split())))
    for sid, start, end in db.execute("SELECT sentence_id, start, \"end\" FROM ade WHERE layer_id = ?", (gold,)):
        ades.setdefault(sid, []).append((start, end))

    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    added = []
    for sid, text in db.execute("SELECT id, text FROM sentence").fetchall():
        if sid not in mentions:
            continue
        own = {name for _, _, name in mentions[sid]}
        taken = [(s, e) for s, e, _ in mentions[sid]] + ades.get(sid, [])
        for start, end in find(text, names, lengths):
            name = " ".join(text[start:end].lower().split())
            if name in own or any(s < end and start < e for s, e in taken):
                continue
            added.append((sid, start, end, text[start:end], name))
    with db:
        for sid, start, end, surface, name in added:
            cursor = db.execute("""INSERT INTO drug_mention (sentence_id, start, "end", text, normalized, origin, created_at)
                                   VALUES (?, ?, ?, ?, ?, 'lexicon', ?)""", (sid, start, end, surface, name, now))
            db.execute("INSERT INTO layer_item (layer_id, drug_mention_id) VALUES (?, ?)", (gold, cursor.lastrowid))
    sentences = len({a[0] for a in added})
    print(f"{args.db}: {len(added)} lexicon drug mentions with a gold 'no ADE' in {sentences} sentences "
          f"({len(names)} names searched)")
    if args.split:
        parts = Counter()
        for (part,) in db.execute("""SELECT sm.part FROM drug_mention m JOIN split_member sm ON sm.sentence_id = m.sentence_id
                                     JOIN split s ON s.id = sm.split_id
                                     WHERE m.origin = 'lexicon' AND s.name = ?""", (args.split,)):
            parts[part] += 1
        for part, count in sorted(parts.items()):
            print(f"  {args.split}:{part}: {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
