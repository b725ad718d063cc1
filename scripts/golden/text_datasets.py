"""Goldens for torch-text's datasets: the Rotten Tomatoes rows (Python's csv module on the
bz2 file), character-level Hamlet blocks, and torch's pad_sequence.

Run: /work/main/.venv/bin/python scripts/golden/text_datasets.py
Writes text/tests/golden/datasets.json and text/tests/golden/pad_sequence.safetensors.
"""
import bz2
import csv
import json
import pathlib

import torch
from safetensors.torch import save_file
from torch.nn.utils.rnn import pad_sequence

ROOT = pathlib.Path(__file__).resolve().parents[2]
TEXT = ROOT.parent / "shared" / "data" / "text"
GOLD = ROOT / "text" / "tests" / "golden"


def main():
    with bz2.open(TEXT / "rotten_tomatoes_corpus_full.csv.bz2", "rt", encoding="utf-8", newline="") as f:
        rows = [(r["text"], r["category"]) for r in csv.DictReader(f) if r["category"] in ("rotten", "fresh")]
    labels = [1 if c == "fresh" else 0 for _, c in rows]
    hamlet = (TEXT / "hamlet.txt").read_text()
    chars = sorted(set(hamlet))
    stoi = {c: i for i, c in enumerate(chars)}
    ids = [stoi[c] for c in hamlet]
    block = 64
    out = {
        "rt_len": len(rows),
        "rt_fresh": sum(labels),
        "rt_first": [list(r) for r in rows[:3]],
        "rt_last": list(rows[-1]),
        "rt_label_sum_first_1000": sum(labels[:1000]),
        "rt_total_chars": sum(len(t) for t, _ in rows),
        "hamlet_chars": chars,
        "hamlet_blocks": (len(ids) - 1) // block,
        "hamlet_block_7": [ids[7 * block:8 * block], ids[7 * block + 1:8 * block + 1]],
    }
    (GOLD / "datasets.json").write_text(json.dumps(out, ensure_ascii=False))
    g = torch.Generator().manual_seed(0)
    seqs = [torch.randn(n, 3, generator=g) for n in (4, 1, 6)]
    save_file({
        "seq0": seqs[0], "seq1": seqs[1], "seq2": seqs[2],
        "batch_first": pad_sequence(seqs, batch_first=True, padding_value=-1.5),
        "time_first": pad_sequence(seqs, batch_first=False).contiguous(),
    }, str(GOLD / "pad_sequence.safetensors"))
    print(out["rt_len"], out["rt_fresh"], out["hamlet_blocks"], len(chars))


if __name__ == "__main__":
    main()
