#!/usr/bin/env python3
"""How often a sentence's drugs share their ADEs in a Vigil corpus's gold layer.

Reads the corpus file (sqlite) and counts the sentences that mention two or more distinct
drugs (by normalized name): those whose drugs all have exactly the same gold ADE spans, those
with two drugs that share no ADE, and the rest. With --split NAME:PART only that part counts.

With --cv-report (a `vigil cv --report` file, repeatable) it also scores each cross-validation
run on those three groups: every fold's student layer on the fold's test sentences of each
group (`vigil eval`), counts pooled over the folds (micro P/R/F1). The groups are written as
splits into a temporary copy of the corpus; the corpus itself is only read.

    python3 scripts/multi_drug_agreement.py vigil.sqlite
    python3 scripts/multi_drug_agreement.py vigil.sqlite --split holdout:test
    python3 scripts/multi_drug_agreement.py vigil.sqlite --cv-report cv-concat.json --cv-report cv-interact.json
"""
import argparse
import collections
import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("--split", help="NAME:PART, e.g. holdout:test")
    parser.add_argument("--cv-report", action="append", default=[], help="a `vigil cv --report` JSON file")
    parser.add_argument("--vigil", default=".build/release/vigil", help="the vigil binary (for --cv-report)")
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
    groups = {"same": [], "disjoint": [], "other": []}  # group -> sentence ids
    for sentence, drugs in mentions.items():
        if len(drugs) < 2:
            continue
        sets = [frozenset().union(*(spans[m] for m in ids)) for ids in drugs.values()]
        if all(s == sets[0] for s in sets):
            groups["same"].append(sentence)
        elif any(a.isdisjoint(b) for i, a in enumerate(sets) for b in sets[i + 1:]):
            groups["disjoint"].append(sentence)
        else:
            groups["other"].append(sentence)
    total = sum(len(g) for g in groups.values())
    print(f"sentences with 2+ drugs: {total}")
    print(f"  every drug has the same ADE spans: {len(groups['same'])}")
    print(f"  two drugs share no ADE:            {len(groups['disjoint'])}")
    print(f"  overlapping but different:         {len(groups['other'])}")
    if args.cv_report:
        return score_reports(args, groups)
    return 0


def score_reports(args, groups):
    """Pooled strict and lenient scores of each CV report's fold layers on each group."""
    reports = []
    for path in args.cv_report:
        try:
            with open(path) as f:
                reports.append((path, json.load(f)))
        except (OSError, ValueError) as error:
            print(f"{path}: {error}", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory() as folder:
        copy = os.path.join(folder, "corpus.sqlite")
        shutil.copy(args.db, copy)
        db = sqlite3.connect(copy)
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        split_names = {}  # (cv split, fold) -> the group split for that fold's test sentences
        present = set()  # (cv split, fold, group) with at least one sentence
        for _, report in reports:
            for fold in report["folds"]:
                key = (report["split"], fold["fold"])
                if key in split_names:
                    continue
                test = {r[0] for r in db.execute(
                    "SELECT m.sentence_id FROM split_member m JOIN split s ON s.id = m.split_id "
                    "WHERE s.name = ? AND m.part = 'test'", (f"{key[0]}-{key[1]}",))}
                if not test:
                    print(f"no split {key[0]}-{key[1]}:test in {args.db}", file=sys.stderr)
                    return 1
                name = f"drug-agreement-{key[0]}-{key[1]}"
                split_id = db.execute("INSERT INTO split (name, method, created_at) VALUES (?, 'script', ?)",
                                      (name, now)).lastrowid
                members = [(split_id, s, group) for group, ids in groups.items() for s in ids if s in test]
                db.executemany("INSERT INTO split_member (split_id, sentence_id, part) VALUES (?, ?, ?)", members)
                present.update((key[0], key[1], group) for _, _, group in members)
                split_names[key] = name
        db.commit()
        db.close()
        print()
        print("| run | group | pairs | strict P / R / F1 | lenient P / R / F1 |")
        print("|---|---|---|---|---|")
        for path, report in reports:
            for group in groups:
                totals = {"strict": [0, 0, 0], "lenient": [0, 0, 0]}
                for fold in report["folds"]:
                    if (report["split"], fold["fold"], group) not in present:
                        continue  # the group has no sentence in this fold's test part
                    result = subprocess.run(
                        [args.vigil, "eval", "--pred", f"student:{fold['version']}",
                         "--split", f"{split_names[(report['split'], fold['fold'])]}:{group}", "--json", "--db", copy],
                        capture_output=True, text=True)
                    if result.returncode != 0:
                        print(f"vigil eval: {result.stderr.strip()}", file=sys.stderr)
                        return 1
                    scores = json.loads(result.stdout)
                    for kind in totals:
                        for i, field in enumerate(("tp", "fp", "fn")):
                            totals[kind][i] += scores[kind][field]
                cells = []
                for kind in ("strict", "lenient"):
                    tp, fp, fn = totals[kind]
                    p = tp / (tp + fp) if tp + fp else 0
                    r = tp / (tp + fn) if tp + fn else 0
                    f = 2 * p * r / (p + r) if p + r else 0
                    cells.append(f"{100 * p:.2f} / {100 * r:.2f} / {100 * f:.2f}")
                pairs = totals["strict"][0] + totals["strict"][2]
                print(f"| {os.path.basename(path)} ({report['head']}) | {group} | {pairs} | {cells[0]} | {cells[1]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
