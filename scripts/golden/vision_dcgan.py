"""Goldens for torch_vision::models::dcgan and gradient_penalty, written to
vision/tests/golden/models/. Run with
    /work/main/.venv/bin/python scripts/golden/vision_dcgan.py

- `dcgan_faces.safetensors`: the PyTorch DCGAN tutorial's Generator (nz 100, ngf 64, nc 3),
  loaded from ../shared/data/models/dcgan-faces-64/generator.safetensors; `z` (4, 100, 1, 1)
  fixed latents, `eval` the eval-mode images, `train` the train-mode images (batch statistics)
  for the same latents.
- `dcgan_small.safetensors`: small random nets of the other variants, weights included under
  their state-dict keys with a prefix: `g28.*` a class-conditioned 28x28 generator (nz 20,
  ngf 4, 10 classes: one-hot labels appended to z) with `g28_in.z`, `g28_in.labels` and `g28_out`
  (train mode); `d64.*` the tutorial's 64x64 discriminator (ndf 8) with `d64_in`, `d64_out`
  (eval mode).
- `dcgan_extra.safetensors`: the 28x28 nets with one extra layer (`n_extra_layers` 1; the
  classes of `benches/compare/dcgan_torch.py`): `g.*` an unconditional generator (nz 20,
  ngf 4) with `g_in` and `g_out` (train mode), `d.*` a discriminator (ndf 4) with `d_in` and
  `d_out` (eval mode), `c.*` the matching critic (no BatchNorm, no Sigmoid) with `c_out`.
- `wgan_gp.safetensors`: a 28x28 critic (ndf 4, the discriminator without BatchNorm and
  Sigmoid) as `critic.*`, inputs `real`, `fake`, `alpha`, the penalty `gp` and its gradients
  with respect to every critic parameter, `grad.<key>`.
"""
import os
import sys

import torch
import torch.nn as nn
from safetensors.torch import load_file, save_file

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "vision", "tests", "golden", "models")
SHARED = os.path.join(ROOT, "..", "shared", "data")
os.makedirs(OUT, exist_ok=True)
sys.path.insert(0, os.path.join(ROOT, "benches", "compare"))
torch.set_num_threads(1)


class Generator(nn.Module):
    """The tutorial's generator (64x64), verbatim."""

    def __init__(self, nz=100, ngf=64, nc=3):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 8),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, x):
        return self.main(x)


class Discriminator(nn.Module):
    """The tutorial's discriminator (64x64), verbatim."""

    def __init__(self, nc=3, ndf=64):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 4),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 8),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.main(x)


class Generator28(nn.Module):
    """The 28x28 MNIST variant: 7x7 from z, then two stride-2 upsamplings."""

    def __init__(self, nz, ngf, nc):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 4, 7, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, nc, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, x):
        return self.main(x)


class Critic28(nn.Module):
    """The 28x28 discriminator without BatchNorm and Sigmoid (WGAN-GP critic)."""

    def __init__(self, nc, ndf):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2),
            nn.Conv2d(ndf * 2, 1, 7, 1, 0, bias=False),
        )

    def forward(self, x):
        return self.main(x)


def weights_init(m):
    """The tutorial's init, plus non-trivial BatchNorm biases and running stats so a test
    notices a mix-up."""
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.normal_(m.bias.data, 0.0, 0.1)
        m.running_mean.normal_(0.0, 0.1)
        m.running_var.uniform_(0.5, 1.5)


def prefixed(prefix, module):
    return {f"{prefix}.{k}": v.detach().clone().contiguous() for k, v in module.state_dict().items()}


def faces():
    net = Generator()
    state = load_file(os.path.join(SHARED, "models", "dcgan-faces-64", "generator.safetensors"))
    net.load_state_dict(state, strict=True)
    g = torch.Generator().manual_seed(0)
    z = torch.randn(4, 100, 1, 1, generator=g)
    with torch.no_grad():
        net.eval()
        ev = net(z)
        net.train()
        tr = net(z)
    save_file({"z": z, "eval": ev.contiguous(), "train": tr.contiguous()},
              os.path.join(OUT, "dcgan_faces.safetensors"))


def small():
    torch.manual_seed(1)
    g28 = Generator28(20 + 10, 4, 1)
    g28.apply(weights_init)
    d64 = Discriminator(3, 8)
    d64.apply(weights_init)
    z = torch.randn(5, 20, 1, 1)
    labels = torch.tensor([3, 0, 9, 3, 7])
    onehot = torch.nn.functional.one_hot(labels, 10).float().view(5, 10, 1, 1)
    x64 = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        g28.train()
        g_out = g28(torch.cat([z, onehot], 1))
        d64.eval()
        d_out = d64(x64)
    out = {**prefixed("g28", g28), **prefixed("d64", d64)}
    out.update({"g28_in.z": z, "g28_in.labels": labels, "g28_out": g_out.contiguous(),
                "d64_in": x64, "d64_out": d_out.contiguous()})
    save_file(out, os.path.join(OUT, "dcgan_small.safetensors"))


def extra():
    from dcgan_torch import discriminator, generator
    torch.manual_seed(3)
    g = generator(20, 4, 1, extra=1)
    d = discriminator(1, 4, extra=1)
    for m in (g, d):
        m.apply(weights_init)
    c = nn.Sequential(*[m for m in discriminator(1, 4, extra=1)
                        if not isinstance(m, (nn.BatchNorm2d, nn.Sigmoid))])
    for p in c.parameters():
        nn.init.normal_(p, 0.0, 0.1)
    z = torch.randn(3, 20, 1, 1)
    x = torch.rand(3, 1, 28, 28) * 2 - 1
    with torch.no_grad():
        g.train()
        g_out = g(z)
        d.eval()
        d_out = d(x)
        c_out = c(x)
    out = {**prefixed("g.main", g), **prefixed("d.main", d), **prefixed("c.main", c)}
    out.update({"g_in": z, "g_out": g_out.contiguous(), "d_in": x, "d_out": d_out.contiguous(),
                "c_out": c_out.contiguous()})
    save_file(out, os.path.join(OUT, "dcgan_extra.safetensors"))


def wgan_gp():
    torch.manual_seed(2)
    critic = Critic28(1, 4)
    for p in critic.parameters():
        nn.init.normal_(p, 0.0, 0.1)
    real = torch.rand(4, 1, 28, 28) * 2 - 1
    fake = torch.randn(4, 1, 28, 28).tanh()
    alpha = torch.rand(4, 1, 1, 1)
    x = (alpha * real + (1 - alpha) * fake).detach().requires_grad_(True)
    out = critic(x)
    g, = torch.autograd.grad(out, x, torch.ones_like(out), create_graph=True)
    gp = ((g.flatten(1).norm(2, dim=1) - 1) ** 2).mean()
    gp.backward()
    res = prefixed("critic", critic)
    res.update({f"grad.{k}": p.grad.detach().clone() for k, p in critic.named_parameters()})
    res.update({"real": real, "fake": fake, "alpha": alpha, "gp": gp.detach().reshape(1)})
    save_file(res, os.path.join(OUT, "wgan_gp.safetensors"))


if __name__ == "__main__":
    faces()
    small()
    wgan_gp()
    extra()
    for f in ("dcgan_faces", "dcgan_small", "wgan_gp", "dcgan_extra"):
        p = os.path.join(OUT, f + ".safetensors")
        print(p, os.path.getsize(p))
