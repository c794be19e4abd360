#!/usr/bin/env python3
"""PyTorch and ONNX Runtime timings for `make bench` (vigil-bench runs it when torch is installed).

Prints the median seconds of one forward pass of a BERT encoder over a batch of random
ids, with the given thread count: the same model, batch and threads as the Swift bench.
With --runtime onnx the model is exported to ONNX first (needs onnx and onnxruntime).
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
parser.add_argument("--runtime", choices=["torch", "onnx"], default="torch")
args = parser.parse_args()

torch.set_num_threads(args.threads)
if args.model:
    model = BertModel.from_pretrained(args.model, add_pooling_layer=False)
else:
    model = BertModel(BertConfig(hidden_size=args.hidden, num_hidden_layers=args.layers, num_attention_heads=args.heads,
                                 intermediate_size=args.intermediate), add_pooling_layer=False)
model.eval()
ids = torch.randint(1000, 21000, (args.batch, args.length))
if args.runtime == "onnx":
    import os
    import tempfile

    import onnxruntime

    class Encoder(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids):
            return self.bert(input_ids=input_ids, attention_mask=torch.ones_like(input_ids)).last_hidden_state

    path = os.path.join(tempfile.mkdtemp(), "encoder.onnx")
    with torch.no_grad():
        torch.onnx.export(Encoder(model), (ids,), path, input_names=["input_ids"], output_names=["hidden"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "length"}}, dynamo=False)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    feed = {"input_ids": ids.numpy()}
    run = lambda: session.run(None, feed)
else:
    run = lambda: model(ids)
times = []
with torch.inference_mode():
    run()
    for _ in range(args.rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
print(statistics.median(times))
