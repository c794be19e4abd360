#!/usr/bin/env python3
"""PyTorch timing for `make bench` (vigil-bench runs it when torch is installed).

Prints the median seconds of one forward pass of a BERT encoder over a batch of random
ids, with the given thread count: the same model, batch and threads as the Swift bench.
"""
import argparse
import statistics
import time

import torch
from transformers import BertConfig, BertModel

parser = argparse.ArgumentParser()
parser.add_argument("--model")
parser.add_argument("--hidden", type=int, default=768)
parser.add_argument("--layers", type=int, default=12)
parser.add_argument("--heads", type=int, default=12)
parser.add_argument("--intermediate", type=int, default=3072)
parser.add_argument("--batch", type=int, default=16)
parser.add_argument("--length", type=int, default=48)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--rounds", type=int, default=10)
args = parser.parse_args()

torch.set_num_threads(args.threads)
if args.model:
    model = BertModel.from_pretrained(args.model, add_pooling_layer=False)
else:
    model = BertModel(BertConfig(hidden_size=args.hidden, num_hidden_layers=args.layers, num_attention_heads=args.heads,
                                 intermediate_size=args.intermediate), add_pooling_layer=False)
model.eval()
ids = torch.randint(1000, 21000, (args.batch, args.length))
times = []
with torch.inference_mode():
    model(ids)
    for _ in range(args.rounds):
        start = time.perf_counter()
        model(ids)
        times.append(time.perf_counter() - start)
print(statistics.median(times))
