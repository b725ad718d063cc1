"""Goldens for torch.optim and torch.nn.utils.clip_grad (torch-nn/src/optim, src/utils),
written to torch-nn/tests/golden/optim.safetensors and optim_errors.json. Run with the PyTorch venv (`.venv`, which
`benches/compare/run.sh` creates):
    .venv/bin/python scripts/golden/optim.py

For each optimizer configuration: three fixed initial parameters, a fixed gradient per
parameter and step (a missing key means `.grad = None` for that step), and the parameters
after every step, in float32 and (from the same values cast) float64. The Rust test
(torch-nn/tests/optim.rs) builds the same configurations.

Keys: `init.{i}`, `{cfg}.grad.{step}.{i}` (f32), `{cfg}.param.{step}.{i}` (f32),
`{cfg}.f64.param.{step}.{i}` (f64), `clip.*` for gradient clipping.
"""
import json
import os

import torch
from safetensors.torch import save_file

torch.manual_seed(0)
ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "torch-nn", "tests", "golden")
out = {}

SHAPES = [(3, 4), (5,), (2, 3)]
init = [torch.randn(s) for s in SHAPES]
for i, t in enumerate(init):
    out[f"init.{i}"] = t

O = torch.optim

# name: (class, kwargs for every param, per-group overrides or None, steps, skip)
# Groups split the params as [p0, p1] and [p2]. `skip` lists (step, param) without a grad.
CONFIGS = {
    "sgd_plain": (O.SGD, dict(lr=0.1), None, 5, []),
    "sgd_momentum": (O.SGD, dict(lr=0.1, momentum=0.9), None, 5, []),
    "sgd_nesterov_wd": (O.SGD, dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01), None, 5, []),
    "sgd_dampening_maximize": (O.SGD, dict(lr=0.1, momentum=0.5, dampening=0.3, maximize=True), None, 5, []),
    "sgd_groups": (O.SGD, dict(lr=0.1, momentum=0.9), [dict(), dict(lr=0.01, weight_decay=0.1)], 5, []),
    "adam_default": (O.Adam, dict(lr=1e-2), None, 5, []),
    "adam_wd_amsgrad": (O.Adam, dict(lr=1e-2, weight_decay=0.1, amsgrad=True), None, 5, []),
    "adam_maximize_betas": (O.Adam, dict(lr=1e-2, betas=(0.8, 0.9), eps=1e-6, maximize=True), None, 5, []),
    "adam_decoupled": (O.Adam, dict(lr=1e-2, weight_decay=0.1, decoupled_weight_decay=True), None, 5, []),
    "adam_skip_grad": (O.Adam, dict(lr=1e-2), None, 5, [(1, 1), (2, 1), (3, 0)]),
    "adam_groups": (O.Adam, dict(lr=1e-2), [dict(), dict(lr=0.05, amsgrad=True)], 5, []),
    "adamw_default": (O.AdamW, dict(lr=1e-2), None, 5, []),
    "adamw_amsgrad": (O.AdamW, dict(lr=1e-2, weight_decay=0.1, amsgrad=True, maximize=True), None, 5, []),
    "rmsprop_default": (O.RMSprop, dict(lr=1e-2), None, 5, []),
    "rmsprop_centered_momentum": (O.RMSprop, dict(lr=1e-2, alpha=0.9, momentum=0.9, centered=True, weight_decay=0.01), None, 5, []),
    "rmsprop_maximize": (O.RMSprop, dict(lr=1e-2, momentum=0.5, maximize=True, eps=1e-4), None, 5, []),
    "adagrad_default": (O.Adagrad, dict(lr=0.1), None, 5, []),
    "adagrad_decay": (O.Adagrad, dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.1, eps=1e-8), None, 5, []),
    "adagrad_maximize": (O.Adagrad, dict(lr=0.1, maximize=True), None, 5, []),
    "adadelta_default": (O.Adadelta, dict(), None, 5, []),
    "adadelta_wd": (O.Adadelta, dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1, maximize=True), None, 5, []),
    "adamax_default": (O.Adamax, dict(lr=1e-2), None, 5, []),
    "adamax_wd": (O.Adamax, dict(lr=1e-2, betas=(0.8, 0.95), weight_decay=0.1, maximize=True), None, 5, []),
    "nadam_default": (O.NAdam, dict(lr=1e-2), None, 5, []),
    "nadam_wd": (O.NAdam, dict(lr=1e-2, weight_decay=0.1, momentum_decay=0.01), None, 5, []),
    "nadam_decoupled": (O.NAdam, dict(lr=1e-2, weight_decay=0.1, decoupled_weight_decay=True, maximize=True), None, 5, []),
    "radam_default": (O.RAdam, dict(lr=1e-2), None, 5, []),
    # beta2 = 0.8 makes rho_t exceed 5 from step 7 on: the rectified branch.
    "radam_rect": (O.RAdam, dict(lr=1e-2, betas=(0.9, 0.8)), None, 8, []),
    "radam_decoupled": (O.RAdam, dict(lr=1e-2, betas=(0.9, 0.8), weight_decay=0.1, decoupled_weight_decay=True), None, 8, []),
    "radam_wd_maximize": (O.RAdam, dict(lr=1e-2, betas=(0.9, 0.8), weight_decay=0.1, maximize=True), None, 8, []),
}


def run(cls, kwargs, groups, grads, dtype):
    params = [t.clone().to(dtype).requires_grad_(True) for t in init]
    if groups is None:
        opt = cls(params, **kwargs)
    else:
        opt = cls([dict(params=params[:2], **groups[0]), dict(params=params[2:], **groups[1])], **kwargs)
    history = []
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = None if g is None else g.to(dtype)
        opt.step()
        history.append([p.detach().clone() for p in params])
    return history


for name, (cls, kwargs, groups, steps, skip) in CONFIGS.items():
    grads = [[None if (s, i) in skip else torch.randn(sh) * (0.5 + s * 0.25) for i, sh in enumerate(SHAPES)]
             for s in range(steps)]
    for s, step_grads in enumerate(grads):
        for i, g in enumerate(step_grads):
            if g is not None:
                out[f"{name}.grad.{s}.{i}"] = g
    for dtype, key in [(torch.float32, "param"), (torch.float64, "f64.param")]:
        for s, ps in enumerate(run(cls, kwargs, groups, grads, dtype)):
            for i, p in enumerate(ps):
                out[f"{name}.{key}.{s}.{i}"] = p

# Gradient clipping: grads of three params, then the total norm and the clipped grads.
clip_grads = [torch.randn(s) for s in SHAPES]
for i, g in enumerate(clip_grads):
    out[f"clip.grad.{i}"] = g
for case, max_norm, norm_type in [("l2", 1.0, 2.0), ("inf", 0.5, float("inf")), ("l1", 2.0, 1.0),
                                  ("p3", 0.7, 3.0), ("noclip", 100.0, 2.0)]:
    params = [torch.zeros(s, requires_grad=True) for s in SHAPES]
    for p, g in zip(params, clip_grads):
        p.grad = g.clone()
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
    out[f"clip.{case}.total"] = total
    for i, p in enumerate(params):
        out[f"clip.{case}.grad.{i}"] = p.grad
params = [torch.zeros(s, requires_grad=True) for s in SHAPES]
for p, g in zip(params, clip_grads):
    p.grad = g.clone()
torch.nn.utils.clip_grad_value_(params, 0.5)
for i, p in enumerate(params):
    out[f"clip.value.grad.{i}"] = p.grad

save_file({k: v.contiguous() for k, v in out.items()}, os.path.join(ROOT, "optim.safetensors"))

# Error messages for invalid hyper-parameters: [case, PyTorch's message].
p = [torch.zeros(2, requires_grad=True)]
ERRORS = {
    "sgd_lr": lambda: O.SGD(p, lr=-1.0),
    "sgd_momentum": lambda: O.SGD(p, momentum=-0.5),
    "sgd_weight_decay": lambda: O.SGD(p, weight_decay=-1e-4),
    "sgd_nesterov": lambda: O.SGD(p, nesterov=True),
    "sgd_empty": lambda: O.SGD([], lr=0.1),
    "adam_lr": lambda: O.Adam(p, lr=-0.001),
    "adam_eps": lambda: O.Adam(p, eps=-1e-08),
    "adam_beta0": lambda: O.Adam(p, betas=(1.0, 0.999)),
    "adam_beta1": lambda: O.Adam(p, betas=(0.9, -0.1)),
    "adam_weight_decay": lambda: O.Adam(p, weight_decay=-0.1),
    "adamw_beta1": lambda: O.AdamW(p, betas=(0.9, 1.5)),
    "rmsprop_alpha": lambda: O.RMSprop(p, alpha=-0.99),
    "rmsprop_momentum": lambda: O.RMSprop(p, momentum=-1.0),
    "adagrad_lr_decay": lambda: O.Adagrad(p, lr_decay=-0.5),
    "adagrad_initial_accumulator_value": lambda: O.Adagrad(p, initial_accumulator_value=-1.0),
    "adadelta_rho": lambda: O.Adadelta(p, rho=1.5),
    "adamax_eps": lambda: O.Adamax(p, eps=-1.0),
    "nadam_momentum_decay": lambda: O.NAdam(p, momentum_decay=-0.004),
    "radam_lr": lambda: O.RAdam(p, lr=-2.0),
    "clip_nonfinite": lambda: torch.nn.utils.clip_grad_norm_(
        [torch.zeros(2, requires_grad=True)], 1.0, error_if_nonfinite=True),
}
errors = []
for case, f in ERRORS.items():
    try:
        if case == "clip_nonfinite":
            q = torch.zeros(2, requires_grad=True)
            q.grad = torch.tensor([float("inf"), 1.0])
            torch.nn.utils.clip_grad_norm_([q], 1.0, error_if_nonfinite=True)
        else:
            f()
    except (ValueError, RuntimeError) as e:
        errors.append([case, str(e)])
    else:
        raise AssertionError(f"{case} did not raise")
with open(os.path.join(ROOT, "optim_errors.json"), "w") as fh:
    fh.write("[\n" + ",\n".join(json.dumps(e) for e in errors) + "\n]\n")
