"""Goldens for examples/tests/classify.rs: torchvision's top-5 ImageNet classes of the real
MobileNetV2 (IMAGENET1K_V1, shared/data/models/mobilenet_v2) on chelsea.png and coffee.png,
with torchvision's ImageNet eval preprocessing on the uint8 tensor (no PIL):
decode_image (RGB) -> Resize(256, bilinear, antialias) -> CenterCrop(224)
-> ToDtype(float32, scale=True) -> Normalize(mean, std) -> softmax -> topk(5).

Writes examples/tests/golden/classify.json: {"<img>": {"indices": [...], "classes": [...],
"probabilities": [...]}}.
"""
import json
import os

import torch
from torchvision import models
from torchvision.io import ImageReadMode, decode_image
from torchvision.transforms import v2

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SHARED = os.environ.get("TORCH_SHARED_DATA", os.path.join(ROOT, "..", "shared", "data"))
OUT = os.path.join(ROOT, "examples", "tests", "golden")
os.makedirs(OUT, exist_ok=True)

torch.set_num_threads(1)
net = models.mobilenet_v2()
net.load_state_dict(torch.load(os.path.join(SHARED, "models", "mobilenet_v2", "mobilenet_v2-b0353104.pth")))
net.eval()
classes = models.MobileNet_V2_Weights.IMAGENET1K_V1.meta["categories"]
preprocess = v2.Compose([
    v2.Resize(256, interpolation=v2.InterpolationMode.BILINEAR, antialias=True),
    v2.CenterCrop(224),
    v2.ToDtype(torch.float32, scale=True),
    v2.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
])
out = {}
for img in ["chelsea", "coffee"]:
    raw = decode_image(os.path.join(SHARED, "vision", "images", f"{img}.png"), mode=ImageReadMode.RGB)
    x = preprocess(raw).unsqueeze(0)
    with torch.no_grad():
        probs = net(x).softmax(dim=1)[0]
    p, i = probs.topk(5)
    out[img] = {
        "indices": i.tolist(),
        "classes": [classes[k] for k in i.tolist()],
        "probabilities": [float(v) for v in p.tolist()],
    }
    print(img, list(zip(out[img]["classes"], [f"{100 * v:.2f}%" for v in out[img]["probabilities"]])))
with open(os.path.join(OUT, "classify.json"), "w") as f:
    json.dump(out, f, indent=1)
