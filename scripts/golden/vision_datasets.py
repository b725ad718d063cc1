"""Goldens for torch-vision datasets (vision/tests/datasets.rs).

Run from the repository root with the venv's python:
    /work/main/.venv/bin/python scripts/golden/vision_datasets.py
Writes into vision/tests/golden/:
- vision_datasets.safetensors: torchvision's MNIST (train, test) and FashionMNIST (test)
  read from the shared data's gzip files (decompressed to a temp root, as torchvision reads
  raw IDX): first labels, per-image pixel sums of the first images, label counts, total sum;
  and the expected data/targets of the CIFAR binary fixtures below.
- cifar/cifar-10-batches-bin/, cifar/cifar-100-binary/: tiny CIFAR binary-format files of
  random pixels, written with NumPy (record = label byte(s) + 3072 CHW pixel bytes).
- vision_datasets_folder.json: an ImageFolder layout (which shared photo goes where) and
  the classes, class_to_idx and samples torchvision's ImageFolder finds in it.
"""
import gzip
import json
import os
import shutil
import tempfile

import numpy as np
import torch
from safetensors.torch import save_file
from torchvision import datasets

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "vision", "tests", "golden")
SHARED = os.path.join(ROOT, "..", "shared", "data", "vision")
os.makedirs(OUT, exist_ok=True)
out = {}


def idx_goldens(cls, folder, train, key):
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, cls.__name__, "raw")
        os.makedirs(raw)
        split = "train" if train else "t10k"
        for kind in ("images-idx3", "labels-idx1"):
            name = f"{split}-{kind}-ubyte"
            with gzip.open(os.path.join(SHARED, folder, name + ".gz")) as f, open(os.path.join(raw, name), "wb") as g:
                g.write(f.read())
        # The shared folders hold one split only for FashionMNIST: skip torchvision's check
        # that all four files exist; reading is torchvision's own _load_data.
        Split = type(cls.__name__, (cls,), {"_check_exists": lambda self: True})
        ds = Split(tmp, train=train)
        data, targets = ds.data, ds.targets
        out[f"{key}_first_labels"] = targets[:20].clone().to(torch.int64)
        out[f"{key}_first_sums"] = data[:20].to(torch.int64).sum(dim=(1, 2))
        out[f"{key}_label_counts"] = torch.bincount(targets, minlength=10).to(torch.int64)
        out[f"{key}_total_sum"] = data.to(torch.int64).sum().reshape(1)
        out[f"{key}_shape"] = torch.tensor(list(data.shape), dtype=torch.int64)


idx_goldens(datasets.MNIST, "mnist", True, "mnist_train")
idx_goldens(datasets.MNIST, "mnist", False, "mnist_test")
idx_goldens(datasets.FashionMNIST, "fashion-mnist", False, "fashion_test")

# CIFAR binary fixtures.
rng = np.random.default_rng(0)
C10 = os.path.join(OUT, "cifar", "cifar-10-batches-bin")
C100 = os.path.join(OUT, "cifar", "cifar-100-binary")
for d in (C10, C100):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)


def write_records(path, label_cols, pixels):
    rec = np.concatenate([label_cols, pixels.reshape(len(pixels), 3072)], axis=1).astype(np.uint8)
    rec.tofile(path)


c10 = {"train": [], "test": []}
for name, n, split in [(f"data_batch_{i}.bin", 4, "train") for i in range(1, 6)] + [("test_batch.bin", 6, "test")]:
    labels = rng.integers(0, 10, size=(n, 1), dtype=np.uint8)
    pix = rng.integers(0, 256, size=(n, 3, 32, 32), dtype=np.uint8)
    write_records(os.path.join(C10, name), labels, pix)
    c10[split].append((labels[:, 0], pix))
with open(os.path.join(C10, "batches.meta.txt"), "w") as f:
    f.write("\n".join(["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]) + "\n\n")
for split, parts in c10.items():
    out[f"cifar10_{split}_targets"] = torch.from_numpy(np.concatenate([p[0] for p in parts]).astype(np.int64))
    # torchvision's layout: (N, 3, 32, 32) -> (N, 32, 32, 3)
    out[f"cifar10_{split}_data"] = torch.from_numpy(np.concatenate([p[1] for p in parts]).transpose(0, 2, 3, 1).copy())

for name, n, split in [("train.bin", 10, "train"), ("test.bin", 5, "test")]:
    coarse = rng.integers(0, 20, size=(n, 1), dtype=np.uint8)
    fine = rng.integers(0, 100, size=(n, 1), dtype=np.uint8)
    pix = rng.integers(0, 256, size=(n, 3, 32, 32), dtype=np.uint8)
    write_records(os.path.join(C100, name), np.concatenate([coarse, fine], axis=1), pix)
    out[f"cifar100_{split}_targets"] = torch.from_numpy(fine[:, 0].astype(np.int64))
    out[f"cifar100_{split}_coarse_targets"] = torch.from_numpy(coarse[:, 0].astype(np.int64))
    out[f"cifar100_{split}_data"] = torch.from_numpy(pix.transpose(0, 2, 3, 1).copy())

save_file({k: v.contiguous() for k, v in out.items()}, os.path.join(OUT, "vision_datasets.safetensors"))

# ImageFolder: tricky names (upper-case class and extension, nested and space-named folders,
# a non-image file, a dot file).
LAYOUT = [
    ["dog/b.PNG", "coffee.png"],
    ["dog/a.jpg", "china.jpg"],
    ["dog/sub/c.png", "coins.png"],
    ["dog/sub dir/d.jpeg", "flower.jpg"],
    ["dog/sub/deeper/e.png", "horse.png"],
    ["dog/notes.txt", None],
    ["Cat/z.jpg", "rocket.jpg"],
    ["Cat/.hidden.png", "camera.png"],
    ["bird/x.Jpg", "grace_hopper.jpg"],
    ["bird/y.tiff.txt", None],
]
with tempfile.TemporaryDirectory() as tmp:
    for rel, src in LAYOUT:
        dst = os.path.join(tmp, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if src is None:
            with open(dst, "w") as f:
                f.write("not an image\n")
        else:
            shutil.copy(os.path.join(SHARED, "images", src), dst)
    ds = datasets.ImageFolder(tmp)
    samples = [[os.path.relpath(p, tmp), t] for p, t in ds.samples]
    try:
        os.makedirs(os.path.join(tmp, "empty"))
        datasets.ImageFolder(tmp)
        empty_error = None
    except FileNotFoundError as e:
        empty_error = str(e)
with open(os.path.join(OUT, "vision_datasets_folder.json"), "w") as f:
    json.dump({"layout": LAYOUT, "classes": ds.classes, "class_to_idx": ds.class_to_idx,
               "samples": samples, "empty_class_error": empty_error}, f, indent=1)
print("wrote", len(out), "tensors")
