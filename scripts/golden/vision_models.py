"""Goldens for torch_vision::models, written to vision/tests/golden/models/. Run with
    /work/main/.venv/bin/python scripts/golden/vision_models.py
(torchvision 0.26). Nothing big is committed:

- `keys_<arch>.json`: torchvision's state_dict as `[key, shape, dtype]` entries, in order.
- `outputs.safetensors`: `<arch>.logits` of the eval-mode model whose every state-dict tensor
  is filled by `fill()` below, on the input `make_input(shape)` (`<arch>.shape` holds the input
  shape as I64). vision/tests/models_outputs.rs repeats both formulas.
- `mobilenet_v2_images.safetensors`: for chelsea.png and coffee.png, the uint8 (3, 224, 224)
  crop of torchvision's ImageNet preprocessing (decode, resize 256 bilinear antialias, center
  crop 224) as `<img>.crop`, and the logits of the real ImageNet MobileNetV2 on the normalised
  crop as `<img>.logits`.
"""
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from safetensors.torch import save_file
from torchvision import models
from torchvision.io import decode_image
from torchvision.transforms.v2 import functional as TF

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "vision", "tests", "golden", "models")
SHARED = os.path.join(ROOT, "..", "shared", "data")
os.makedirs(OUT, exist_ok=True)
torch.set_num_threads(1)


class LeNet(nn.Module):
    """LeNet-5 of the PyTorch "Neural Networks" tutorial."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


# arch -> (constructor, input shape). Small inputs keep the Rust debug-build test fast.
ARCHS = {
    "lenet": (LeNet, (2, 1, 32, 32)),
    "alexnet": (models.alexnet, (2, 3, 64, 64)),
    "vgg11": (models.vgg11, (1, 3, 32, 32)),
    "vgg11_bn": (models.vgg11_bn, (1, 3, 32, 32)),
    "vgg16": (models.vgg16, (1, 3, 32, 32)),
    "vgg16_bn": (models.vgg16_bn, (1, 3, 32, 32)),
    "resnet18": (models.resnet18, (2, 3, 64, 64)),
    "resnet34": (models.resnet34, (1, 3, 64, 64)),
    "resnet50": (models.resnet50, (1, 3, 64, 64)),
    "resnet101": (models.resnet101, (1, 3, 32, 32)),
    "resnet152": (models.resnet152, (1, 3, 32, 32)),
    "mobilenet_v2": (models.mobilenet_v2, (2, 3, 64, 64)),
    "resnext50_32x4d": (models.resnext50_32x4d, (1, 3, 32, 32)),
    # Keys only (no logits): variants whose layers the models above already exercise.
    "vgg13": (models.vgg13, None),
    "vgg19_bn": (models.vgg19_bn, None),
    "wide_resnet50_2": (models.wide_resnet50_2, None),
}


def formula(name, k, shape):
    """Deterministic values of state-dict entry `k` (position in state_dict order) named
    `name`: s_i = sin(i + 7k) over the flat index i, scaled so activations stay O(1)."""
    n = int(np.prod(shape)) if len(shape) else 1
    s = np.sin(np.arange(n, dtype=np.float64) + 7.0 * k)
    if name.endswith("running_var"):
        v = 1.0 + 0.5 * np.abs(s)
    elif name.endswith("running_mean"):
        v = 0.1 * s
    elif name.endswith("bias"):
        v = 0.1 * s
    elif len(shape) == 1:  # a norm layer's weight
        v = 1.0 + 0.2 * s
    else:
        fan_in = n // shape[0]
        v = s * math.sqrt(3.0 / fan_in)
    return v.astype(np.float32).reshape(shape)


def fill(model):
    with torch.no_grad():
        for k, (name, t) in enumerate(model.state_dict().items()):
            if name.endswith("num_batches_tracked"):
                continue
            t.copy_(torch.from_numpy(formula(name, k, tuple(t.shape))))


def make_input(shape):
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.float64)
    return torch.from_numpy((np.sin(0.05 * i) + 0.3 * np.cos(0.71 * i)).astype(np.float32).reshape(shape))


outputs = {}
for arch, (ctor, shape) in ARCHS.items():
    model = ctor()
    sd = model.state_dict()
    keys = [[k, list(v.shape), str(v.dtype).replace("torch.", "")] for k, v in sd.items()]
    with open(os.path.join(OUT, f"keys_{arch}.json"), "w") as f:
        # One [key, shape, dtype] entry per line keeps the file small and diffable.
        f.write('{"arch": %s, "torchvision": %s, "state_dict": [\n' % (
            json.dumps(arch), json.dumps(torchvision.__version__)))
        f.write(",\n".join(json.dumps(e) for e in keys))
        f.write("\n]}\n")
    if shape is None:
        print(f"{arch}: {len(keys)} keys")
        continue
    fill(model)
    model.eval()
    with torch.no_grad():
        y = model(make_input(shape))
    outputs[f"{arch}.logits"] = y.contiguous()
    outputs[f"{arch}.shape"] = torch.tensor(shape, dtype=torch.int64)
    print(f"{arch}: {len(keys)} keys, logits std {y.std():.4f} max|y| {y.abs().max():.4f}, "
          f"bias-only std {sd[keys[-1][0]].std():.4f}")
save_file(outputs, os.path.join(OUT, "outputs.safetensors"))

# Real ImageNet MobileNetV2 on two real photos.
classes = open(os.path.join(SHARED, "vision", "imagenet_classes.txt")).read().splitlines()
net = models.mobilenet_v2()
net.load_state_dict(torch.load(os.path.join(SHARED, "models", "mobilenet_v2", "mobilenet_v2-b0353104.pth")))
net.eval()
mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
images = {}
for img in ["chelsea", "coffee"]:
    raw = decode_image(os.path.join(SHARED, "vision", "images", f"{img}.png"))
    crop = TF.center_crop(TF.resize(raw, [256], interpolation=TF.InterpolationMode.BILINEAR,
                                    antialias=True), [224, 224])
    x = ((crop.float() / 255.0 - mean) / std).unsqueeze(0)
    with torch.no_grad():
        logits = net(x)
    images[f"{img}.crop"] = crop.contiguous()
    images[f"{img}.logits"] = logits.contiguous()
    print(img, tuple(crop.shape), crop.dtype, "top-1", classes[logits.argmax()])
save_file(images, os.path.join(OUT, "mobilenet_v2_images.safetensors"))

# Speed reference: resnet18 forward on (1, 3, 224, 224) at 1 thread.
net = models.resnet18().eval()
x = torch.randn(1, 3, 224, 224)
with torch.no_grad():
    for _ in range(3):
        net(x)
    t = time.perf_counter()
    for _ in range(10):
        net(x)
print(f"torchvision resnet18 (1,3,224,224) forward at 1 thread: {(time.perf_counter() - t) / 10 * 1e3:.1f} ms")
