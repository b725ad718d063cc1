"""Goldens for torch.optim.lr_scheduler (torch-nn/src/lr_scheduler), written to
torch-nn/tests/golden/lr_scheduler.json. Run with the PyTorch venv (`.venv`, which
`benches/compare/run.sh` creates):
    .venv/bin/python scripts/golden/lr_scheduler.py

Each case builds an optimizer with two param groups (lr 0.1 and 0.05; SGD with momentum 0.9
unless noted), a scheduler with non-default options, and records the lrs of every group after
construction and after each step (and the momentum, or Adam's beta1, for OneCycleLR). The Rust
test (torch-nn/tests/lr_scheduler.rs) builds the same cases and compares within 1e-12.
"""
import json
import math
import os
import warnings

import torch
import torch.optim.lr_scheduler as S

warnings.simplefilter("ignore")
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "torch-nn", "tests", "golden",
                   "lr_scheduler.json")
STEPS = 30


def make_opt(kind="sgd"):
    a, b = torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)
    groups = [{"params": [a], "lr": 0.1}, {"params": [b], "lr": 0.05}]
    if kind == "adam":
        return torch.optim.Adam(groups, lr=0.1)
    return torch.optim.SGD(groups, lr=0.1, momentum=0.9)


def lrs(opt):
    return [g["lr"] for g in opt.param_groups]


def momenta(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def record(make, steps=STEPS, kind="sgd", momentum=False, step=None):
    """lrs after construction and after each step; `step(sched, i)` overrides `sched.step()`."""
    opt = make_opt(kind)
    sched = make(opt)
    out = {"lr": [lrs(opt)], "last_lr": [list(sched.get_last_lr())]}
    if momentum:
        out["momentum"] = [momenta(opt)]
    for i in range(steps):
        opt.step()
        if step is None:
            sched.step()
        else:
            step(sched, i)
        out["lr"].append(lrs(opt))
        out["last_lr"].append(list(sched.get_last_lr()))
        if momentum:
            out["momentum"].append(momenta(opt))
    return out


cases = {
    "step_lr": record(lambda o: S.StepLR(o, step_size=3, gamma=0.5)),
    "multi_step_lr": record(lambda o: S.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3)),
    "exponential_lr": record(lambda o: S.ExponentialLR(o, gamma=0.9)),
    "cosine_annealing_lr": record(lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001)),
    "cosine_warm_restarts": record(
        lambda o: S.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2, eta_min=0.001)),
    "cosine_warm_restarts_tmult1": record(lambda o: S.CosineAnnealingWarmRestarts(o, T_0=5)),
    "cosine_warm_restarts_fractional": record(
        lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.01),
        step=lambda s, i: s.step(i / 4)),
    "one_cycle_cos": record(
        lambda o: S.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=30, pct_start=0.25,
                               div_factor=10.0, final_div_factor=100.0),
        momentum=True),
    "one_cycle_linear_three_phase_adam": record(
        lambda o: S.OneCycleLR(o, max_lr=0.01, epochs=5, steps_per_epoch=6,
                               anneal_strategy="linear", three_phase=True,
                               base_momentum=0.8, max_momentum=0.9),
        kind="adam", momentum=True),
    "linear_lr": record(lambda o: S.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=8)),
    "constant_lr": record(lambda o: S.ConstantLR(o, factor=0.5, total_iters=4)),
    "lambda_lr": record(lambda o: S.LambdaLR(o, [lambda e: 0.95 ** e, lambda e: 1.0 / (e + 1)])),
    "sequential_lr": record(lambda o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=5), S.CosineAnnealingLR(o, T_max=20)],
        milestones=[5])),
    "sequential_lr_three": record(lambda o: S.SequentialLR(
        o, [S.ConstantLR(o, factor=0.5, total_iters=3), S.ExponentialLR(o, gamma=0.9),
            S.StepLR(o, step_size=4, gamma=0.5)], milestones=[4, 12])),
    "step_lr_closed_form": record(
        lambda o: S.StepLR(o, step_size=3, gamma=0.5), steps=6,
        step=lambda s, i: s.step([5, 3, 10, 0, 7, 2][i])),
    "cosine_annealing_lr_closed_form": record(
        lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001), steps=4,
        step=lambda s, i: s.step([3, 12, 7, 25][i])),
}


def chained(o):
    class Both:
        def __init__(self):
            self.a = S.ExponentialLR(o, gamma=0.95)
            self.b = S.MultiStepLR(o, milestones=[3, 7], gamma=0.5)

        def step(self):
            self.a.step()
            self.b.step()

        def get_last_lr(self):
            return self.b.get_last_lr()

    return Both()


cases["chained_exponential_multistep"] = record(chained)

METRICS = [1.0, 0.9, 0.91, 0.92, 0.905, 0.95, 0.7, 0.71, 0.72, 0.73, 0.74, 0.6, 0.61, 0.62,
           0.63, 0.64, 0.65, 0.66, 0.5, 0.51, 0.52, 0.53, 0.54, 0.55, 0.56, 0.57, 0.58, 0.59,
           0.6, 0.61]
PLATEAU = {
    "plateau_min_rel": dict(mode="min", factor=0.5, patience=2, threshold=0.01, cooldown=1,
                            min_lr=[0.01, 0.001]),
    "plateau_max_abs": dict(mode="max", factor=0.3, patience=1, threshold=0.1,
                            threshold_mode="abs", min_lr=0.005, eps=1e-4),
}
for name, kw in PLATEAU.items():
    metrics = METRICS if kw["mode"] == "min" else [1 - m for m in METRICS]
    opt = make_opt()
    sched = S.ReduceLROnPlateau(opt, **kw)
    rec = {"lr": [lrs(opt)], "last_lr": [list(sched.get_last_lr())], "metrics": metrics}
    for m in metrics:
        opt.step()
        sched.step(m)
        rec["lr"].append(lrs(opt))
        rec["last_lr"].append(list(sched.get_last_lr()))
    cases[name] = rec



def error_cases():
    """[case, message] for invalid arguments, as PyTorch raises them."""
    def past_end():
        o = make_opt()
        s = S.OneCycleLR(o, max_lr=1.0, total_steps=3)
        for _ in range(4):
            s.step()

    def adagrad():
        a = torch.zeros(2, requires_grad=True)
        return torch.optim.Adagrad([a], lr=0.1)

    cases = {
        "constant_factor": lambda: S.ConstantLR(make_opt(), factor=1.5),
        "linear_start": lambda: S.LinearLR(make_opt(), start_factor=0.0),
        "linear_end": lambda: S.LinearLR(make_opt(), end_factor=1.5),
        "lambda_len": lambda: S.LambdaLR(make_opt(), [lambda e: 1.0]),
        "one_cycle_no_steps": lambda: S.OneCycleLR(make_opt(), max_lr=1.0),
        "one_cycle_pct": lambda: S.OneCycleLR(make_opt(), max_lr=1.0, total_steps=10, pct_start=1.5),
        "one_cycle_anneal": lambda: S.OneCycleLR(make_opt(), max_lr=1.0, total_steps=10,
                                                 anneal_strategy="exp"),
        "one_cycle_momentum": lambda: S.OneCycleLR(adagrad(), max_lr=1.0, total_steps=10),
        "one_cycle_max_lr_len": lambda: S.OneCycleLR(make_opt(), max_lr=[1.0, 2.0, 3.0], total_steps=10),
        "one_cycle_past_end": past_end,
        "sequential_milestones": lambda: (lambda o: S.SequentialLR(
            o, [S.ExponentialLR(o, 0.9), S.ExponentialLR(o, 0.8)], milestones=[]))(make_opt()),
        "cawr_t0": lambda: S.CosineAnnealingWarmRestarts(make_opt(), T_0=0),
        "cawr_tmult": lambda: S.CosineAnnealingWarmRestarts(make_opt(), T_0=2, T_mult=0),
        "plateau_factor": lambda: S.ReduceLROnPlateau(make_opt(), factor=1.0),
        "plateau_mode": lambda: S.ReduceLROnPlateau(make_opt(), mode="avg"),
        "plateau_threshold_mode": lambda: S.ReduceLROnPlateau(make_opt(), threshold_mode="pct"),
        "plateau_min_lr_len": lambda: S.ReduceLROnPlateau(make_opt(), min_lr=[0.1]),
    }
    out = []
    for case, f in cases.items():
        try:
            f()
        except ValueError as e:
            out.append([case, str(e)])
        else:
            raise AssertionError(f"{case} did not raise")
    return out


for name, rec in cases.items():
    for row in rec["lr"]:
        assert all(isinstance(v, float) and math.isfinite(v) for v in row), name

cases["errors"] = error_cases()
with open(OUT, "w") as fh:
    fh.write("{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in cases.items())
             + "\n}\n")
