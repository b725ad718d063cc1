"""Peak resident memory of all-MiniLM-L6-v2 inference in PyTorch (transformers BertModel),
whole process, as `minilm_rss` measures ours: load, `--iters` forwards of (`--batch`, 128)
ids under no_grad, then VmHWM from /proc/self/status (and ru_maxrss) as one JSON line.

    python minilm_rss_torch.py [--batch 16] [--iters 3] [--threads 1]
"""

import argparse
import json
import os
import pathlib
import resource

import torch
from transformers import BertModel

from bench_torch import MINILM_SEQ, token_ids


def vm_hwm_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError("no VmHWM line in /proc/self/status")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--iters", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    shared = os.environ.get("TORCH_SHARED_DATA",
                            pathlib.Path(__file__).resolve().parents[3] / "shared/data")
    model = BertModel.from_pretrained(str(pathlib.Path(shared) / "models/all-MiniLM-L6-v2")).eval()
    ids = token_ids(args.batch, MINILM_SEQ)
    mask = torch.ones_like(ids)
    with torch.no_grad():
        for _ in range(args.iters):
            model(input_ids=ids, attention_mask=mask)
    print(json.dumps({"impl": "pytorch", "batch": args.batch, "iters": args.iters,
                      "threads": args.threads, "vm_hwm_mib": vm_hwm_mib(),
                      "ru_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}))


if __name__ == "__main__":
    main()
