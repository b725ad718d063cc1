"""The MNIST main job in PyTorch, for the side-by-side run: the same CNN (conv 1->32 3x3, relu,
maxpool 2, conv 32->64 3x3, relu, maxpool 2, linear 1600->128, relu, linear 128->10), Adam 1e-3,
batch 64, shuffled, data in memory normalised with MNIST's mean and std, read from the
repository's data/mnist. Prints one JSON line per epoch: seconds, mean loss, test accuracy.

    .venv/bin/python benches/compare/mnist_torch.py --epochs 5 --threads 1
"""
import argparse
import gzip
import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[2] / "data" / "mnist"


def idx(name):
    with gzip.open(ROOT / name) as f:
        b = f.read()
    ndim = b[3]
    shape = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(b, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def split(prefix):
    x = torch.from_numpy(idx(f"{prefix}-images-idx3-ubyte.gz").copy()).float().div(255).unsqueeze(1)
    y = torch.from_numpy(idx(f"{prefix}-labels-idx1-ubyte.gz").astype(np.int64))
    return (x - 0.1307) / 0.3081, y


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.fc1 = nn.Linear(1600, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batches", type=int, default=0, help="stop each epoch after this many batches (0: all)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    xtr, ytr = split("train")
    xte, yte = split("t10k")
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    for epoch in range(1, a.epochs + 1):
        net.train()
        perm = torch.randperm(len(xtr))
        t = time.perf_counter()
        total, n = 0.0, 0
        for b, i in enumerate(range(0, len(xtr), 64)):
            if a.batches and b >= a.batches:
                break
            idx_ = perm[i:i + 64]
            opt.zero_grad()
            loss = F.cross_entropy(net(xtr[idx_]), ytr[idx_])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx_)
            n += len(idx_)
        secs = time.perf_counter() - t
        net.eval()
        with torch.no_grad():
            correct = sum((net(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item()
                          for i in range(0, len(xte), 1000))
        print(json.dumps({"epoch": epoch, "train_seconds": round(secs, 3), "loss": total / n,
                          "test_accuracy": correct / len(xte), "threads": a.threads}), flush=True)


if __name__ == "__main__":
    main()
