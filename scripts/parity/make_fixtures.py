#!/usr/bin/env python3
"""Parity fixtures for Vigil's Swift student (Tests/StudentTests/Fixtures/). Not run in CI.

    pip install torch==2.13.0+cpu transformers
    HF_HUB_OFFLINE=1 python3 scripts/parity/make_fixtures.py [--minilm models/minilm-l6]

Writes:
  tiny-bert/              a random BERT (2 layers, hidden 32) with a small vocabulary written
                          here, a random concat head under vigil_head.* and vigil.json
  interaction-head.safetensors   a random interaction head (MLP over [h; d; h*d]) for tiny-bert
  tiny-bert-expected.json tokens, ids, offsets, last hidden states and both heads' logits
  minilm-expected.json    MiniLM-L6 word pieces and offsets for tricky sentences, and hidden
                          states (first 48 dimensions plus per-token sums) for a few of them
  train-step-expected.json  one full training step on tiny-bert with each head (no dropout): the
                          batch, its loss, gradients, the clipped norm and AdamW's updated weights
                          (`--train-step-only` writes just this file from the committed tiny-bert)
The head formulas here are the definitions the Swift code implements (Tagger/TaggerHead.swift).
"""
import argparse
import json
import os
import pathlib

import torch
from safetensors.torch import load_file, save_file
from transformers import BertConfig, BertModel, BertTokenizerFast

HERE = pathlib.Path(__file__).resolve().parent
FIXTURES = HERE.parent.parent / "Tests" / "StudentTests" / "Fixtures"

TINY_WORDS = """the a of and with after patient patients developed induced severe acute rash
hepat ##itis ##ic liver failure dose mg kg daily drug therapy treatment was were in on to
syndrome reaction fever nausea vomiting cyclo ##sporin ##e ##in ##ine ##ol ##ide ##ate metho ##trex
amio ##dar ##one lith ##ium cis ##plat ##in neuro ##tox ##icity interferon α β γ 5 10 ##0 ##5 %""".split()

TINY_SENTENCES = [
    "The patient developed severe rash after cyclosporine.",
    "Amiodarone-induced hepatitis, 10 mg daily.",
    "Interferon-α and lithium: acute liver failure (5%).",
    "Cisplatin neurotoxicity was severe in 5 patients.",
    "Méthotrexate caused fever; NAUSEA and vomiting.",
]
TINY_DRUGS = [(39, 51), (0, 10), (0, 12), (0, 9), (0, 12)]

MINILM_SENTENCES = [
    "Amiodarone-induced pulmonary toxicity developed after 400 mg/day for 3 months.",
    "Café-au-lait macules and naïve T-cells: Ångström-level résumé of Müller's report.",
    "Interferon-α-2b caused β-cell dysfunction and γ-GT elevation (≥ 3× ULN).",
    "Doses of 0.5mg/kg, 12.5 µg and 37°C were used; Na+/K+-ATPase fell by 20%.",
    "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3 + " was reported with 5-FU.",
    "Patients on anti-TNF-α (infliximab) developed lupus-like syndrome…",
    "He said, \"the rash—erythema multiforme—resolved\" after stopping co-trimoxazole!",
    "中文 text and tabs\tand  double  spaces around drug-X.",
]
MINILM_HIDDEN = [0, 2, 5]


def tiny_vocab():
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    punct = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    vocab = specials + punct + letters + ["##" + c for c in letters] + [str(d) for d in range(10)]
    for word in TINY_WORDS:
        if word not in vocab:
            vocab.append(word)
    return vocab


def head_logits(hidden, drug_rows, kind, tensors):
    """hidden: (n, C) pieces only; drug_rows: piece indices of the drug."""
    d = hidden[drug_rows].mean(0, keepdim=True).expand_as(hidden)
    if kind == "concat":
        x = torch.cat([hidden, d], dim=1)
        return (x @ tensors["vigil_head.linear.weight"].T + tensors["vigil_head.linear.bias"])[:, 0]
    x = torch.cat([hidden, d, hidden * d], dim=1)
    h = torch.nn.functional.gelu(x @ tensors["vigil_head.mlp.0.weight"].T + tensors["vigil_head.mlp.0.bias"])
    return (h @ tensors["vigil_head.mlp.2.weight"].T + tensors["vigil_head.mlp.2.bias"])[:, 0]


def make_tiny():
    folder = FIXTURES / "tiny-bert"
    folder.mkdir(parents=True, exist_ok=True)
    vocab = tiny_vocab()
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n")
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=64, hidden_act="gelu")
    torch.manual_seed(1234)
    model = BertModel(config, add_pooling_layer=False).eval()
    with torch.no_grad():  # larger weights than the default init, so every kernel matters
        for name, p in model.named_parameters():
            p.copy_(torch.randn_like(p) * (0.3 if "LayerNorm" not in name else 0.2) + (1.0 if name.endswith("LayerNorm.weight") else 0.0))
    model.save_pretrained(folder, safe_serialization=True)
    (folder / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": True, "model_max_length": 64,
                                                              "tokenizer_class": "BertTokenizer"}))
    c = config.hidden_size
    concat = {"vigil_head.linear.weight": torch.randn(1, 2 * c) * 0.3, "vigil_head.linear.bias": torch.randn(1) * 0.3}
    interaction = {"vigil_head.mlp.0.weight": torch.randn(16, 3 * c) * 0.2, "vigil_head.mlp.0.bias": torch.randn(16) * 0.2,
                   "vigil_head.mlp.2.weight": torch.randn(1, 16) * 0.3, "vigil_head.mlp.2.bias": torch.randn(1) * 0.3}
    weights = load_file(folder / "model.safetensors")
    weights.update(concat)
    save_file(weights, folder / "model.safetensors", metadata={"format": "pt"})
    save_file(interaction, FIXTURES / "interaction-head.safetensors", metadata={"format": "pt"})
    (folder / "vigil.json").write_text(json.dumps({"head": "concat", "threshold": 0.5, "mlp_size": 0,
                                                   "encoder": "tiny-random-bert"}, indent=2))
    tokenizer = BertTokenizerFast.from_pretrained(str(folder))
    cases = []
    for text, drug in zip(TINY_SENTENCES, TINY_DRUGS):
        enc = tokenizer(text, return_offsets_mapping=True)
        with torch.no_grad():
            hidden = model(torch.tensor([enc["input_ids"]])).last_hidden_state[0]
        offsets = enc["offset_mapping"]
        pieces = hidden[1:-1]
        rows = [i for i, (s, e) in enumerate(offsets[1:-1]) if s < drug[1] and drug[0] < e]
        with torch.no_grad():
            concat_logits = head_logits(pieces, rows, "concat", concat)
            inter_logits = head_logits(pieces, rows, "interaction", interaction)
        cases.append({"text": text, "tokens": tokenizer.convert_ids_to_tokens(enc["input_ids"]), "ids": enc["input_ids"],
                      "offsets": [list(o) for o in offsets], "hidden": [[round(v, 6) for v in row] for row in hidden.tolist()],
                      "drug": list(drug), "concat_logits": [round(v, 6) for v in concat_logits.tolist()],
                      "interaction_logits": [round(v, 6) for v in inter_logits.tolist()]})
    (FIXTURES / "tiny-bert-expected.json").write_text(json.dumps({"cases": cases}, ensure_ascii=False, indent=0))


def make_minilm(path):
    tokenizer = BertTokenizerFast.from_pretrained(path)
    model = BertModel.from_pretrained(path).eval()
    cases = []
    for k, text in enumerate(MINILM_SENTENCES):
        enc = tokenizer(text, return_offsets_mapping=True)
        case = {"text": text, "tokens": tokenizer.convert_ids_to_tokens(enc["input_ids"]), "ids": enc["input_ids"],
                "offsets": [list(o) for o in enc["offset_mapping"]]}
        if k in MINILM_HIDDEN:
            with torch.no_grad():
                hidden = model(torch.tensor([enc["input_ids"]])).last_hidden_state[0]
            case["hidden_first48"] = [[round(v, 6) for v in row[:48]] for row in hidden.tolist()]
            case["hidden_row_sums"] = [round(v, 5) for v in hidden.sum(1).tolist()]
            case["hidden_row_abs_sums"] = [round(v, 5) for v in hidden.abs().sum(1).tolist()]
        cases.append(case)
    (FIXTURES / "minilm-expected.json").write_text(json.dumps({"cases": cases}, ensure_ascii=False, indent=0))


TRAIN_BATCH = [  # (text, drug, ADE strings): a padded batch of two sentences, three items
    ("The patient developed severe rash after cyclosporine.", "cyclosporine", ["severe rash"]),
    ("Amiodarone-induced hepatitis and lithium toxicity.", "Amiodarone", ["hepatitis"]),
    ("Amiodarone-induced hepatitis and lithium toxicity.", "lithium", ["toxicity"]),
]
TRAIN_LR, TRAIN_DECAY, TRAIN_CLIP = 1e-3, 0.01, 1.0


def train_items(tokenizer):
    """Sequences (with [CLS]/[SEP]) and items (sequence, drug pieces, targets), as Vigil labels them:
    a piece is a target when its span overlaps an ADE span of the item's drug."""
    sequences, items = [], []
    for text, drug, ades in TRAIN_BATCH:
        enc = tokenizer(text, return_offsets_mapping=True)
        if enc["input_ids"] not in sequences:
            sequences.append(enc["input_ids"])
        b = sequences.index(enc["input_ids"])
        offsets = enc["offset_mapping"][1:-1]
        d0 = text.index(drug)
        spans = [(text.index(a), text.index(a) + len(a)) for a in ades]
        rows = [i for i, (s, e) in enumerate(offsets) if s < d0 + len(drug) and d0 < e]
        targets = [1.0 if any(s < ae and as_ < e for as_, ae in spans) else 0.0 for (s, e) in offsets]
        items.append({"sequence": b, "drug_pieces": rows, "targets": targets})
    return sequences, items


def make_train_step():
    """One AdamW step (no dropout, no warm-up) on tiny-bert: loss = mean sigmoid BCE over every
    labelled piece; global-norm clipping at 1.0; no weight decay on biases and LayerNorm weights."""
    folder = FIXTURES / "tiny-bert"
    tokenizer = BertTokenizerFast.from_pretrained(str(folder))
    sequences, items = train_items(tokenizer)
    length = max(len(s) for s in sequences)
    ids = torch.tensor([s + [0] * (length - len(s)) for s in sequences])
    mask = torch.tensor([[1] * len(s) + [0] * (length - len(s)) for s in sequences])
    heads = {"concat": {k: v for k, v in load_file(folder / "model.safetensors").items() if k.startswith("vigil_head.")},
             "interaction": load_file(FIXTURES / "interaction-head.safetensors")}
    out = {"sequences": sequences, "items": items, "lr": TRAIN_LR, "weight_decay": TRAIN_DECAY, "clip": TRAIN_CLIP}
    for kind, head in heads.items():
        model = BertModel.from_pretrained(str(folder), add_pooling_layer=False, attn_implementation="eager").eval()
        head = {k: torch.nn.Parameter(v.clone()) for k, v in head.items()}
        named = list(model.named_parameters()) + list(head.items())
        hidden = model(ids, attention_mask=mask).last_hidden_state
        total, count = 0.0, 0
        for item in items:
            pieces = hidden[item["sequence"], 1:len(sequences[item["sequence"]]) - 1]
            logits = head_logits(pieces, item["drug_pieces"], kind, head)
            targets = torch.tensor(item["targets"])
            total = total + torch.nn.functional.binary_cross_entropy_with_logits(logits, targets, reduction="sum")
            count += len(item["targets"])
        loss = total / count
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_([p for _, p in named], TRAIN_CLIP)
        grads = {n: p.grad.detach().clone() for n, p in named}
        decay = [p for n, p in named if not (n.endswith("bias") or "LayerNorm" in n)]
        no_decay = [p for n, p in named if n.endswith("bias") or "LayerNorm" in n]
        optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": TRAIN_DECAY},
                                       {"params": no_decay, "weight_decay": 0.0}], lr=TRAIN_LR)
        optimizer.step()
        used = sorted({i for s in sequences for i in s})[:3]
        tensors = {}
        for n, p in named:
            g, w = grads[n], p.detach()
            if n == "embeddings.word_embeddings.weight":  # rows of ids in the batch (others have no gradient)
                g, w = g[used], w[used]
            tensors[n] = {"grad": [round(v, 9) for v in g.flatten()[:64].tolist()],
                          "grad_sum": g.sum().item(), "grad_abs_sum": g.abs().sum().item(),
                          "updated": [round(v, 8) for v in w.flatten()[:64].tolist()]}
        out[kind] = {"loss": loss.item(), "grad_norm": norm.item(), "word_rows": used, "tensors": tensors}
    (FIXTURES / "train-step-expected.json").write_text(json.dumps(out, indent=0))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--minilm", default=os.environ.get("VIGIL_ENCODER", "models/minilm-l6"))
    parser.add_argument("--train-step-only", action="store_true")
    args = parser.parse_args()
    if args.train_step_only:
        make_train_step()
        raise SystemExit(0)
    make_tiny()
    make_train_step()
    if os.path.exists(os.path.join(args.minilm, "model.safetensors")):
        make_minilm(args.minilm)
    else:
        print(f"no MiniLM at {args.minilm}; minilm-expected.json not written")
