"""Joins the JSON lines of `compare` (ours) and `bench_torch.py` (PyTorch) into a markdown
table for benches/RESULTS.md. Ratio is a speed ratio, PyTorch time / our time: above 1 means
we are faster.

    python table.py ours.jsonl torch.jsonl
"""

import json
import sys


def load(path):
    with open(path) as f:
        return {(r["workload"], r["threads"]): r for r in map(json.loads, filter(str.strip, f))}


def fmt_time(s):
    if s >= 1.0:
        return f"{s:.3f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3f} ms"
    return f"{s * 1e6:.2f} us"


def cell(r):
    if r is None:
        return "-"
    return f"{fmt_time(r['median_s'])}, {r['figure']:.1f} {r['unit']}"


def main():
    ours, theirs = load(sys.argv[1]), load(sys.argv[2])
    keys = list(ours) + [k for k in theirs if k not in ours]
    print("| workload | threads | ours (median, figure) | PyTorch (median, figure) | PyTorch time / ours |")
    print("|---|---:|---|---|---:|")
    for k in keys:
        o, t = ours.get(k), theirs.get(k)
        ratio = f"{t['median_s'] / o['median_s']:.2f}x" if o and t else "-"
        print(f"| {k[0]} | {k[1]} | {cell(o)} | {cell(t)} | {ratio} |")


if __name__ == "__main__":
    main()
