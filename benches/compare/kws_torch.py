"""The keyword_spotting example in PyTorch, for the side-by-side run: the spoken-digits set
(`../shared/data/audio/spoken-digits`, splits from index.csv), M5 on 8 kHz waveforms (the
torchaudio tutorial: n_channel 32, stride 16) or the small log-mel CNN (torch_audio's MelCnn,
16 kHz, 40 mels), Adam lr 0.01, weight_decay 1e-4, StepLR(20, 0.1), batch 32, shuffled, data in
memory, and speed perturbation of the training clips (--speeds 0.8,1,1.2: each clip replayed at
those speeds, then resampled to the model's rate). Prints one JSON line per epoch (seconds, mean
loss, validation accuracy) and one with the test and human_test accuracies.

    .venv/bin/python benches/compare/kws_torch.py --model m5 --epochs 30 --threads 1
"""
import argparse
import csv
import json
import time
from pathlib import Path

import soundfile as sf
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchaudio

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "audio" / "spoken-digits"


class M5(nn.Module):
    """torchaudio's speech-command tutorial network."""

    def __init__(self, n_input=1, n_output=10, stride=16, n_channel=32):
        super().__init__()
        c = n_channel
        self.conv1 = nn.Conv1d(n_input, c, kernel_size=80, stride=stride)
        self.bn1 = nn.BatchNorm1d(c)
        self.conv2 = nn.Conv1d(c, c, kernel_size=3)
        self.bn2 = nn.BatchNorm1d(c)
        self.conv3 = nn.Conv1d(c, 2 * c, kernel_size=3)
        self.bn3 = nn.BatchNorm1d(2 * c)
        self.conv4 = nn.Conv1d(2 * c, 2 * c, kernel_size=3)
        self.bn4 = nn.BatchNorm1d(2 * c)
        self.fc1 = nn.Linear(2 * c, n_output)

    def forward(self, x):
        for conv, bn in [(self.conv1, self.bn1), (self.conv2, self.bn2), (self.conv3, self.bn3),
                         (self.conv4, self.bn4)]:
            x = F.max_pool1d(F.relu(bn(conv(x))), 4)
        x = F.avg_pool1d(x, x.shape[-1]).permute(0, 2, 1)
        return F.log_softmax(self.fc1(x), dim=2).squeeze(1)


class MelCnn(nn.Module):
    """torch_audio::models::MelCnn: log-mel (25 ms / 10 ms, 40 mels), 3 conv blocks, linear."""

    def __init__(self, sample_rate=16000, n_classes=10):
        super().__init__()
        win = -(-sample_rate * 25 // 1000)
        self.mel = torchaudio.transforms.MelSpectrogram(
            sample_rate, n_fft=win, hop_length=sample_rate // 100, n_mels=40)
        self.conv1, self.bn1 = nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16)
        self.conv2, self.bn2 = nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32)
        self.conv3, self.bn3 = nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64)
        self.fc = nn.Linear(64, n_classes)

    def forward(self, x):
        h = torch.log(self.mel(x) + 1e-6)
        h = F.max_pool2d(F.relu(self.bn1(self.conv1(h))), 2)
        h = F.max_pool2d(F.relu(self.bn2(self.conv2(h))), 2)
        h = F.relu(self.bn3(self.conv3(h)))
        return F.log_softmax(self.fc(F.adaptive_avg_pool2d(h, 1).flatten(1)), dim=1)


def speed_copies(w, factors):
    """Speed perturbation: each clip replayed at `factors` (resampled, then centre-cropped or
    zero-padded back to its length)."""
    n = w.shape[-1]
    out = []
    for f in factors:
        if f == 1.0:
            out.append(w)
            continue
        v = torchaudio.functional.resample(w, 100, round(100 / f))
        m = v.shape[-1]
        if m >= n:
            s = (m - n) // 2
            v = v[..., s:s + n]
        else:
            left = (n - m) // 2
            v = F.pad(v, (left, n - m - left))
        out.append(v)
    return out


def splits(data, rate, factors):
    rows = list(csv.DictReader(open(data / "index.csv")))
    labels = sorted({r["label"] for r in rows})
    resample = torchaudio.transforms.Resample(16000, rate) if rate != 16000 else nn.Identity()
    out = {}
    for name in ["train", "val", "test", "human_test"]:
        xs, ys = [], []
        for r in rows:
            if r["split"] == name:
                w, sr = sf.read(data / r["file"], dtype="float32")
                assert sr == 16000
                w = torch.from_numpy(w).unsqueeze(0)
                copies = speed_copies(w, factors) if name == "train" else [w]
                xs.extend(resample(c) for c in copies)
                ys.extend([labels.index(r["label"])] * len(copies))
        out[name] = (torch.stack(xs), torch.tensor(ys))
    return out


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", choices=["m5", "mel"], default="m5")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--data", default=str(DATA))
    p.add_argument("--speeds", default="0.8,1.0,1.2")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    factors = [float(f) for f in a.speeds.split(",")]
    rate = 8000 if a.model == "m5" else 16000
    data = splits(Path(a.data), rate, factors)
    model = M5() if a.model == "m5" else MelCnn(rate)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=20, gamma=0.1)
    xtr, ytr = data["train"]
    for epoch in range(1, a.epochs + 1):
        model.train()
        t0, losses = time.perf_counter(), []
        perm = torch.randperm(len(ytr))
        for b in range(0, len(ytr), a.batch_size):
            idx = perm[b:b + a.batch_size]
            opt.zero_grad()
            loss = F.nll_loss(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
            losses.append(loss.item())
        sched.step()
        secs = time.perf_counter() - t0
        val = accuracy(model, *data["val"])
        print(json.dumps({"epoch": epoch, "seconds": round(secs, 3),
                          "loss": round(sum(losses) / len(losses), 4), "val_acc": round(val, 4)}),
              flush=True)
    print(json.dumps({"model": a.model, "test_acc": accuracy(model, *data["test"]),
                      "human_test_acc": accuracy(model, *data["human_test"]),
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
