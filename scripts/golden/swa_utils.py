"""Goldens for torch.optim.swa_utils.AveragedModel (torch-nn/src/optim/swa_utils.rs), written
to torch-nn/tests/golden/swa_utils.safetensors. Run with the PyTorch venv:
    .venv/bin/python scripts/golden/swa_utils.py

A model `Sequential(Linear(3, 4), BatchNorm1d(4), Linear(4, 2))` takes STEPS states (random
weights and running statistics, `num_batches_tracked` growing by an uneven amount); after each,
every configuration's `AveragedModel.update_parameters(model)` runs and its state dict is
recorded.

Keys: `init.{key}` (the model the averaged copy is made from), `model.{s}.{key}` (the model's
state at update s), `{cfg}.{s}.{key}` (the averaged model's state dict after update s:
`module.0.weight`, ..., `n_averaged`), `x` and `{cfg}.y` (the averaged model's eval-mode output
on `x` after the last update).
"""
import os

import torch
from safetensors.torch import save_file
from torch import nn
from torch.optim.swa_utils import (AveragedModel, get_ema_avg_fn, get_ema_multi_avg_fn,
                                   get_swa_multi_avg_fn)

torch.manual_seed(0)
ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "torch-nn", "tests", "golden")
STEPS = 4


def net():
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))


CONFIGS = {
    "swa": dict(),
    "swa_buffers": dict(use_buffers=True),
    # PyTorch's SWA multi_avg_fn refuses integer tensors (num_batches_tracked): no buffers here
    "swa_multi": dict(multi_avg_fn=get_swa_multi_avg_fn()),
    "ema": dict(multi_avg_fn=get_ema_multi_avg_fn(0.9)),
    "ema_buffers": dict(multi_avg_fn=get_ema_multi_avg_fn(0.9), use_buffers=True),
    "ema_avg_fn_buffers": dict(avg_fn=get_ema_avg_fn(0.75), use_buffers=True),
}

out = {}
model = net()
for k, v in model.state_dict().items():
    out[f"init.{k}"] = v.clone()
averaged = {name: AveragedModel(model, **kw) for name, kw in CONFIGS.items()}
tracked = 0
for s in range(STEPS):
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn_like(p))
        bn = model[1]
        bn.running_mean.copy_(torch.randn(4))
        bn.running_var.copy_(torch.rand(4) + 0.5)
        tracked += 3 * s + 2
        bn.num_batches_tracked.fill_(tracked)
    for k, v in model.state_dict().items():
        out[f"model.{s}.{k}"] = v.clone()
    for name, avg in averaged.items():
        avg.update_parameters(model)
        for k, v in avg.state_dict().items():
            out[f"{name}.{s}.{k}"] = v.clone()

x = torch.randn(5, 3)
out["x"] = x
for name, avg in averaged.items():
    avg.eval()
    with torch.no_grad():
        out[f"{name}.y"] = avg(x)

save_file({k: v.contiguous() for k, v in out.items()}, os.path.join(ROOT, "swa_utils.safetensors"))
print(f"wrote {len(out)} tensors")
