"""Goldens for torch-core's `data` module (torch.utils.data): the split lengths
`random_split` derives from fractions (floor each, then the remainder round-robin).

Writes torch-core/tests/golden/data_random_split.json. Run from the repository root:

    /work/main/.venv/bin/python scripts/golden/data.py
"""

import json
import os
import warnings

import torch
from torch.utils.data import random_split

CASES = [
    (10, [0.5, 0.5]),
    (10, [0.3, 0.3, 0.4]),
    (11, [0.8, 0.2]),
    (7, [1 / 3, 1 / 3, 1 / 3]),
    (100, [0.7, 0.2, 0.1]),
    (5, [0.1, 0.1, 0.1, 0.1, 0.6]),
    (3, [0.25, 0.25, 0.25, 0.25]),
    (60000, [0.9, 0.1]),
    (1001, [0.15, 0.15, 0.7]),
    (2, [0.1, 0.9]),
    (17, [0.05, 0.05, 0.05, 0.85]),
    (0, [0.5, 0.5]),
]


def main():
    cases = []
    for n, fractions in CASES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zero-length splits warn
            parts = random_split(range(n), fractions, generator=torch.Generator().manual_seed(0))
        cases.append({"n": n, "fractions": fractions, "lengths": [len(p) for p in parts]})
    out = os.path.join("torch-core", "tests", "golden", "data_random_split.json")
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
        f.write("\n")
    os.replace(tmp, out)
    print(f"wrote {out}: {len(cases)} cases")


if __name__ == "__main__":
    main()
