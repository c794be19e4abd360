#!/usr/bin/env python3
"""Fold-by-fold comparison of two `vigil cv --report` files over the same folds.

Prints each fold's strict and lenient F1 and best epoch in both runs, the difference (second
minus first), and the mean and standard deviation of the strict differences; the same for the
multi-drug subset (the folds' `multiDrug` scores), where both reports have it.

    python3 scripts/compare_cv.py cv-concat-e10.json cv-concat-bf16.json
"""
import json
import statistics
import sys


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    runs = []
    for path in sys.argv[1:]:
        try:
            with open(path) as f:
                runs.append({fold["fold"]: fold for fold in json.load(f)["folds"]})
        except (OSError, ValueError, KeyError, TypeError) as error:
            print(f"{path}: not a vigil cv report ({error})", file=sys.stderr)
            return 1
    first, second = runs
    folds = [fold for fold in first if fold in second]
    if not folds:
        print("the two reports share no fold", file=sys.stderr)
        return 1
    print("| fold | strict F1 | lenient F1 | best epoch | strict difference |")
    print("|---|---|---|---|---|")
    differences = []
    for fold in folds:
        a, b = first[fold], second[fold]
        difference = 100 * (b["strict"]["f1"] - a["strict"]["f1"])
        differences.append(difference)
        print(f"| {fold} | {100 * a['strict']['f1']:.2f} → {100 * b['strict']['f1']:.2f} | "
              f"{100 * a['lenient']['f1']:.2f} → {100 * b['lenient']['f1']:.2f} | "
              f"{a['bestEpoch']} → {b['bestEpoch']} | {difference:+.2f} |")
    print()
    summarize("strict difference", differences)
    multi = [f for f in folds if "multiDrug" in first[f] and "multiDrug" in second[f]]
    for kind in ("strict", "lenient"):
        if multi:
            summarize(f"2+ drugs {kind} difference",
                      [100 * (second[f]["multiDrug"][kind]["f1"] - first[f]["multiDrug"][kind]["f1"]) for f in multi])
    return 0


def summarize(label, differences):
    spread = statistics.stdev(differences) if len(differences) > 1 else 0.0
    lower = sum(1 for d in differences if d < 0)
    higher = sum(1 for d in differences if d > 0)
    print(f"{label}: mean {statistics.mean(differences):+.2f}, sd {spread:.2f}; "
          f"higher in {higher}, lower in {lower} of {len(differences)} folds")


if __name__ == "__main__":
    sys.exit(main())
