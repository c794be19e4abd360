#!/usr/bin/env python3
"""Decoding ablations behind the README's cross-validation and error figures.

Both subcommands drive the `vigil` binary. `hysteresis` tags with `vigil predict`, which
registers a model version and a layer per call, so point --db at a copy of the corpus.

  hysteresis  For every fold model MODELS/foldK (from `vigil cv --out MODELS`), try extend
              thresholds of FRACTION x the model's own threshold on SPLIT-foldK:dev, keep the one
              with the best strict + lenient F1, tag SPLIT-foldK:test with it, and pool the test
              counts over the folds (micro P/R/F1). --fractions 1 switches hysteresis off.
  fragments   Among a layer's lenient false positives on a split, count the fragments: spans that
              overlap a gold span of the same drug which another prediction already matched.

    python3 scripts/decoding_ablation.py hysteresis --db copy.sqlite --models models/cv-concat-e10 --fractions 1
    python3 scripts/decoding_ablation.py hysteresis --db copy.sqlite --models models/cv-concat
    python3 scripts/decoding_ablation.py fragments --db vigil.sqlite --pred student:1 --split holdout:test
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys


def vigil(args, binary, db):
    result = subprocess.run([binary, *args, "--db", db], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"vigil {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


def predict(binary, db, model, split, extend):
    out = vigil(["predict", "--model", model, "--split", split, "--extend-threshold", f"{extend:.6f}"], binary, db)
    match = re.search(r"^student:(\d+):", out.strip().splitlines()[-1])
    if not match:
        sys.exit(f"vigil predict --model {model}: unexpected output {out!r}")
    return "student:" + match.group(1)


def evaluate(binary, db, layer, split):
    return json.loads(vigil(["eval", "--pred", layer, "--split", split, "--json"], binary, db))


def hysteresis(args):
    folds = sorted((d for d in os.listdir(args.models) if re.fullmatch(r"fold\d+", d)), key=lambda d: int(d[4:]))
    if not folds:
        sys.exit(f"{args.models}: no foldK folders")
    totals = {"strict": [0, 0, 0], "lenient": [0, 0, 0]}
    for fold in folds:
        model = os.path.join(args.models, fold)
        with open(os.path.join(model, "vigil.json")) as f:
            threshold = json.load(f)["threshold"]
        best = None
        for fraction in args.fractions:
            if len(args.fractions) == 1:
                best = (0, fraction)
                break
            dev = evaluate(args.vigil, args.db, predict(args.vigil, args.db, model, f"{args.split}-{fold}:dev",
                                                        threshold * fraction), f"{args.split}-{fold}:dev")
            objective = dev["strict"]["f1"] + dev["lenient"]["f1"]
            if best is None or objective > best[0] + 1e-12:
                best = (objective, fraction)
        split = f"{args.split}-{fold}:test"
        test = evaluate(args.vigil, args.db, predict(args.vigil, args.db, model, split, threshold * best[1]), split)
        for criterion, counts in totals.items():
            for k, key in enumerate(("tp", "fp", "fn")):
                counts[k] += test[criterion][key]
        print(f"{fold}: threshold {threshold:.2f}, extend fraction {best[1]}: strict F1 "
              f"{100 * test['strict']['f1']:.2f}, lenient F1 {100 * test['lenient']['f1']:.2f}", flush=True)
    for criterion, (tp, fp, fn) in totals.items():
        p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
        print(f"micro {criterion}: P {100 * p:.2f} R {100 * r:.2f} F1 {200 * p * r / max(1e-12, p + r):.2f}")


def fragments(args):
    report = json.loads(vigil(["eval", "--pred", args.pred, "--split", args.split, "--errors", "--json"], args.vigil, args.db))
    matched = collections.defaultdict(list)  # (sentence, drug) -> gold spans a boundary match used
    for error in report["errors"]:
        if error["kind"] == "boundary":
            matched[(error["sentence"], error["drug"])].append(error["gold"])
    spurious = [e for e in report["errors"] if e["kind"] == "spurious"]
    count = sum(1 for e in spurious
                if any(e["predicted"][0] < g[1] and g[0] < e["predicted"][1] for g in matched[(e["sentence"], e["drug"])]))
    print(f"{args.pred} on {args.split}: {report['lenient']['fp']} lenient false positives, "
          f"{len(spurious)} of them spurious, {count} fragments of an already matched gold span")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vigil", default=".build/release/vigil", help="the vigil binary")
    sub = parser.add_subparsers(dest="command", required=True)
    h = sub.add_parser("hysteresis")
    h.add_argument("--db", required=True, help="a copy of the corpus: every predict call registers a version")
    h.add_argument("--models", required=True, help="the folder `vigil cv --out` wrote (fold0, fold1, …)")
    h.add_argument("--split", default="spert")
    h.add_argument("--fractions", type=float, nargs="+", default=[1, 0.5, 0.25, 0.125])
    f = sub.add_parser("fragments")
    f.add_argument("--db", required=True)
    f.add_argument("--pred", required=True)
    f.add_argument("--split", required=True)
    args = parser.parse_args()
    {"hysteresis": hysteresis, "fragments": fragments}[args.command](args)


if __name__ == "__main__":
    main()
