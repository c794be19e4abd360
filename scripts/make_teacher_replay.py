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

# The unlabeled abstracts (SampleData/abstracts.txt) have no gold to derive answers from:
# these answers were written by hand, in the same style, with the same kinds of faults
# (a boundary too narrow, a missed ADE, a hallucinated phrase, an effect of the wrong drug).
ABSTRACT_ANSWERS = [
    ("Acute liver failure after therapeutic doses of acetaminophen in a patient with anorexia nervosa.",
     "acetaminophen: acute liver failure"),
    ("A 19-year-old woman weighing 38 kg took 1 g of acetaminophen every 6 h for 5 days, i.e. about 105 mg/kg/day.",
     "None"),
    ("N-acetylcysteine was started i.v. and the INR peaked at 3.8 on day 2.",
     "N-acetylcysteine: INR peaked"),
    ("Severe hyponatremia associated with sertraline vs. escitalopram: a comparison of two cases.",
     "sertraline: severe hyponatremia\nescitalopram: hyponatremia"),
    ("The first, aged 84, took sertraline 50 mg/day and had a serum sodium of 118 mmol/L.",
     "sertraline: low serum sodium"),
    ("The second took escitalopram 10 mg/day, and her sodium fell to 121 mmol/L (see Fig. 2 for the time course).",
     "escitalopram: sodium fell to 121 mmol/L"),
    ("Sodium should be checked within 2 weeks of starting escitalopram or sertraline in patients over 80 years "
     "(e.g. those also taking hydrochlorothiazide).",
     "None"),
    ("Tremor and confusion during lithium therapy after the addition of hydrochlorothiazide.",
     "- lithium: Tremor|confusion"),
    ("A 63-year-old man on lithium 0.8 g/day was given hydrochlorothiazide 25 mg/day for hypertension.",
     "hydrochlorothiazide: hypertension"),
    ("His lithium level was 2.1 mmol/L vs. 0.7 mmol/L three months earlier.",
     "lithium: lithium level was 2.1 mmol/L"),
    ("Thiazide diuretics reduce the renal clearance of lithium by about 25%.",
     "None"),
    ("Hypoglycemia induced by levofloxacin in an elderly man with renal impairment.",
     "levofloxacin: Hypoglycemia|renal impairment"),
    ("An 88-year-old man (creatinine clearance 22 mL/min) received levofloxacin 750 mg/day for pneumonia, i.e. about "
     "three times the appropriate dose.",
     "None"),
    ("On day 3 his capillary glucose was 1.9 mmol/L although he had never received glipizide or insulin.",
     "levofloxacin: capillary glucose was 1.9 mmol/L"),
    ("Acute pancreatitis during azathioprine therapy for Crohn disease.",
     "azathioprine: pancreatitis"),
    ("A 29-year-old woman developed epigastric pain and a lipase of 2,400 U/L 3 weeks after starting azathioprine "
     "2.5 mg/kg/day.",
     "azathioprine: epigastric pain|elevated lipase"),
    ("Azathioprine was stopped, and the pancreatitis resolved within 5 days.",
     "Azathioprine: pancreatitis"),
    ("She was referred to Dr. Lindqvist, who started methotrexate 25 mg s.c. once weekly.",
     "None"),
    ("Delayed hypersensitivity to amoxicillin confirmed by patch testing.",
     "amoxicillin: Delayed hypersensitivity"),
    ("A 35-year-old man developed a pruritic maculopapular eruption on day 8 of amoxicillin 500 mg t.i.d. for sinusitis.",
     "amoxicillin: maculopapular eruption"),
    ("(He had tolerated penicillin as a child.)", "None"),
    ("He was treated with prednisolone 0.5 mg/kg/day for 5 days and the eruption cleared.", "None"),
    ("Patch tests read at 48 h and 96 h were positive for amoxicillin vs. negative for cefuroxime.",
     "amoxicillin: positive patch tests"),
    ("Cephalosporins with dissimilar side chains, e.g. cefuroxime, may therefore be given safely.", "None"),
]

for text, response in ABSTRACT_ANSWERS:
    print(json.dumps({"text": text, "response": response}, ensure_ascii=False))
