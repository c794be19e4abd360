#!/usr/bin/env python3
"""PyTorch CPU training-step timings for `make bench` (vigil-bench runs it when torch is installed).

One step = forward (encoder + the paper's concat head, mean sigmoid BCE over every piece),
backward, global-norm clipping at 1 and AdamW over every parameter, on a batch of random ids
with one drug per sentence: the same model, batch and threads as the Swift bench. Prints one
JSON object with the median seconds of the step and of its forward, backward and optimizer parts.
With --bf16 the forward runs under torch.autocast("cpu", dtype=torch.bfloat16) (mixed precision:
bf16 matrix products through oneDNN, AMX where the CPU has it; float32 weights and optimizer).
"""
import contextlib
import argparse
import json
import statistics
import time

import torch
from transformers import BertModel

parser = argparse.ArgumentParser()
parser.add_argument("--model", required=True)
parser.add_argument("--batch", type=int, default=16)
parser.add_argument("--length", type=int, default=48)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--rounds", type=int, default=8)
parser.add_argument("--bf16", action="store_true")
args = parser.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(0)
model = BertModel.from_pretrained(args.model, add_pooling_layer=False)
model.train()
c = model.config.hidden_size
head = torch.nn.Linear(2 * c, 1)
parameters = list(model.parameters()) + list(head.parameters())
optimizer = torch.optim.AdamW(parameters, lr=5e-5, weight_decay=0.01)
ids = torch.randint(1000, 21000, (args.batch, args.length))
targets = (torch.rand(args.batch, args.length - 2) < 0.1).float()


def forward():
    context = torch.autocast("cpu", dtype=torch.bfloat16) if args.bf16 else contextlib.nullcontext()
    with context:
        return forward_in_context()


def forward_in_context():
    hidden = model(ids).last_hidden_state[:, 1:-1]
    drug = hidden[:, 2:4].mean(1, keepdim=True).expand_as(hidden)
    logits = head(torch.cat([hidden, drug], dim=2))[..., 0]
    return torch.nn.functional.binary_cross_entropy_with_logits(logits.float(), targets)


parts = {"forward": [], "backward": [], "optimizer": [], "step": []}
for round in range(args.rounds + 1):
    t0 = time.perf_counter()
    optimizer.zero_grad(set_to_none=False)
    loss = forward()
    t1 = time.perf_counter()
    loss.backward()
    t2 = time.perf_counter()
    torch.nn.utils.clip_grad_norm_(parameters, 1.0)
    optimizer.step()
    t3 = time.perf_counter()
    if round == 0:
        continue  # warm-up
    parts["forward"].append(t1 - t0)
    parts["backward"].append(t2 - t1)
    parts["optimizer"].append(t3 - t2)
    parts["step"].append(t3 - t0)
print(json.dumps({k: statistics.median(v) for k, v in parts.items()}))
