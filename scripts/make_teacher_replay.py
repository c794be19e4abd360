#!/usr/bin/env python3
"""Writes SampleData/teacher-replay.jsonl: synthetic, recorded-looking LLM answers for the
sentences of SampleData/gold.jsonl, in the paper's answer format ("drug: ae1|ae2" or "None"),
with a real LLM's typical faults planted by a seeded random generator.

Faults: a boundary a word too wide or too narrow, a missed ADE, an ADE attributed to the wrong
drug, a hallucinated phrase (not in the sentence), a drug named that the sentence does not
mention, and "None" on a positive sentence. Formatting noise: bullets, numbering, quotes,
trailing periods, an "Annotations:" label, several drugs on one line, case changes.

    python3 scripts/make_teacher_replay.py [--seed 7] > SampleData/teacher-replay.jsonl
"""
import json
import random
import re
import sys

seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 7
rng = random.Random(seed)
WORD = re.compile(r"[\w'-]+")


def widen(text, start, end):
    """The span grown by one word to the left or right, if there is one."""
    words = [(m.start(), m.end()) for m in WORD.finditer(text)]
    left = [w for w in words if w[1] <= start]
    right = [w for w in words if w[0] >= end]
    if right and (not left or rng.random() < 0.6):
        return text[start:right[0][1]]
    if left:
        return text[left[-1][0]:end]
    return None


def narrow(ade):
    words = ade.split(" ")
    if len(words) < 2:
        return None
    return " ".join(words[1:]) if rng.random() < 0.5 else " ".join(words[:-1])


def hallucinate(ade, text):
    for candidate in ("severe " + ade, ade + " syndrome", "acute " + ade, ade.replace(" ", "-") + " reaction"):
        if candidate.lower() not in text.lower():
            return candidate
    return None


def answer(sentence):
    text, drugs = sentence["text"], sentence["drugs"]
    per_drug = []  # [surface, [ades]]
    for d in drugs:
        ades = [a["text"] for a in d["ades"]]
        entry = next((e for e in per_drug if e[0].lower() == d["text"].lower()), None)
        if entry is None:
            per_drug.append([d["text"], []])
            entry = per_drug[-1]
        for d_ade, a in zip(d["ades"], ades):
            r = rng.random()
            if r < 0.07:
                wide = widen(text, d_ade["start"], d_ade["end"])
                a = wide or a
            elif r < 0.12:
                a = narrow(a) or a
            elif r < 0.17:
                continue  # missed
            if a not in entry[1]:
                entry[1].append(a)
    positive = any(e[1] for e in per_drug)
    if positive and rng.random() < 0.05:
        return "None"
    # An ADE attributed to the wrong drug, in sentences with two distinct drugs.
    if len(per_drug) >= 2 and positive and rng.random() < 0.12:
        source = next(e for e in per_drug if e[1])
        target = next(e for e in per_drug if e is not source)
        target[1].append(source[1].pop())
    # A hallucinated phrase.
    if positive and rng.random() < 0.08:
        entry = next(e for e in per_drug if e[1])
        h = hallucinate(entry[1][0], text)
        if h:
            entry[1].append(h)
    # A drug the sentence does not mention (a class or an invented co-medication).
    if positive and rng.random() < 0.03:
        per_drug.append(["NSAIDs", ["gastric upset"]])
    lines = []
    for name, ades in per_drug:
        if not ades:
            continue
        shown = name.lower() if rng.random() < 0.15 else name
        shown_ades = [f'"{a}"' if rng.random() < 0.05 else a for a in ades]
        lines.append(f"{shown}: " + "|".join(shown_ades) + ("." if rng.random() < 0.1 else ""))
    if not lines:
        return "None." if rng.random() < 0.2 else "None"
    style = rng.random()
    if style < 0.1:
        lines = [f"- {l}" for l in lines]
    elif style < 0.15:
        lines = [f"{i + 1}. {l}" for i, l in enumerate(lines)]
    elif style < 0.2 and len(lines) > 1:
        lines = ["; ".join(lines)]
    if rng.random() < 0.08:
        lines[0] = "Annotations: " + lines[0]
    return "\n".join(lines)


with open("SampleData/gold.jsonl", encoding="utf-8") as f:
    for line in f:
        sentence = json.loads(line)
        if not sentence["drugs"]:
            continue
        print(json.dumps({"text": sentence["text"], "response": answer(sentence)}, ensure_ascii=False))
