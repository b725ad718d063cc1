"""The `dcgan` example in PyTorch, for the side-by-side epoch time: the same 28x28 DCGAN
(generator ConvTranspose2d 7x7 -> 4x4/2 -> 4x4/2 with BatchNorm/ReLU/Tanh, discriminator
Conv2d 4x4/2 -> 4x4/2 -> 7x7 with BatchNorm/LeakyReLU(0.2)/Sigmoid, `--n-extra-layers` stride-1
3x3 blocks in both (2), widths ngf = ndf = 32, nz 100: the example's defaults; the tutorial's
weights_init), the tutorial's loop (BCE, Adam 2e-4 betas (0.5, 0.999), D on real then on
detached fakes, then G) at the example's batch 32, MNIST in [-1, 1] from data/mnist.
`--conditional` appends one-hot labels to z and as planes to the images, as the example does.
Prints one JSON line per epoch: train seconds (the loop only), mean Loss_D and Loss_G.

    /work/main/.venv/bin/python benches/compare/dcgan_torch.py --epochs 1 --threads 2
    /work/main/.venv/bin/python benches/compare/dcgan_torch.py --epochs 5 --ngf 32 --ndf 32 \
        --save /tmp/torch_g.safetensors   # then: --bin gan_score -- --generator /tmp/torch_g.safetensors
    # the sample score after each epoch, of the generator and of its moving average:
    /work/main/.venv/bin/python benches/compare/dcgan_torch.py --epochs 5 --ema 0.995 \
        --classifier runs/mnist/mnist_cnn.safetensors
"""
import argparse
import json
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from mnist_torch import idx  # the IDX reader of the MNIST comparison, beside this file


def generator(nz, ngf, nc, extra=0):
    """`extra` = the example's `--n-extra-layers`: stride-1 3x3 blocks at 7x7 and at 14x14."""
    def blocks(c):
        return [m for _ in range(extra)
                for m in (nn.ConvTranspose2d(c, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(True))]
    return nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 4, 7, 1, 0, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
        *blocks(ngf * 4),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
        *blocks(ngf * 2),
        nn.ConvTranspose2d(ngf * 2, nc, 4, 2, 1, bias=False), nn.Tanh())


def discriminator(nc, ndf, extra=0):
    """`extra` stride-1 3x3 blocks at 7x7 (to ndf * 4 channels) before the last convolution."""
    blocks, c = [], ndf * 2
    for _ in range(extra):
        blocks += [nn.Conv2d(c, ndf * 4, 3, 1, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True)]
        c = ndf * 4
    return nn.Sequential(
        nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
        *blocks,
        nn.Conv2d(c, 1, 7, 1, 0, bias=False), nn.Sigmoid())


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--ngf", type=int, default=32)
    p.add_argument("--ndf", type=int, default=32)
    p.add_argument("--n-extra-layers", type=int, default=2, help="as the example's option")
    p.add_argument("--conditional", action="store_true")
    p.add_argument("--batches", type=int, default=0, help="stop each epoch after this many batches (0: all)")
    p.add_argument("--ema", type=float, default=0.0,
                   help="also keep an exponential moving average of the generator "
                   "(torch.optim.swa_utils.AveragedModel, get_ema_multi_avg_fn(DECAY), use_buffers=True); "
                   "it is what --save writes, and --classifier scores it beside the generator")
    p.add_argument("--classifier", help="the mnist example's mnist_cnn.safetensors: score 1000 fresh samples "
                   "(eval mode) after each epoch, as the example does")
    p.add_argument("--save", help="write the generator here as safetensors with the example's keys "
                   "(main.0.weight, ...) so `gan_score` scores it with the same classifier")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    x = torch.from_numpy(idx("train-images-idx3-ubyte.gz").copy()).float().div(127.5).sub(1).unsqueeze(1)
    y = torch.from_numpy(idx("train-labels-idx1-ubyte.gz").astype(np.int64))
    k = 10 if a.conditional else 0
    nz = 100
    netG = generator(nz + k, a.ngf, 1, a.n_extra_layers)
    netD = discriminator(1 + k, a.ndf, a.n_extra_layers)
    netG.apply(weights_init)
    netD.apply(weights_init)
    optG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
    crit = nn.BCELoss()
    ema = None
    if a.ema:
        from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
        ema = AveragedModel(netG, multi_avg_fn=get_ema_multi_avg_fn(a.ema), use_buffers=True)
    scorer = classifier(a.classifier) if a.classifier else None

    def G(z, labels):
        if k:
            z = torch.cat([z, F.one_hot(labels, k).float().view(-1, k, 1, 1)], 1)
        return netG(z)

    def D(img, labels):
        if k:
            planes = F.one_hot(labels, k).float().view(-1, k, 1, 1).expand(-1, k, 28, 28)
            img = torch.cat([img, planes], 1)
        return netD(img).view(-1)

    for epoch in range(1, a.epochs + 1):
        perm = torch.randperm(len(x))
        t = time.perf_counter()
        sd, sg, n, n_batches = 0.0, 0.0, 0, 0
        for b, i in enumerate(range(0, len(x), a.batch_size)):
            if a.batches and b >= a.batches:
                break
            ix = perm[i:i + a.batch_size]
            real, labels = x[ix], y[ix]
            m = len(ix)
            z = torch.randn(m, nz, 1, 1)
            fl = torch.randint(0, 10, (m,))
            netD.zero_grad()
            err_real = crit(D(real, labels), torch.ones(m))
            err_real.backward()
            fake = G(z, fl)
            err_fake = crit(D(fake.detach(), fl), torch.zeros(m))
            err_fake.backward()
            optD.step()
            netG.zero_grad()
            err_g = crit(D(fake, fl), torch.ones(m))
            err_g.backward()
            optG.step()
            if ema is not None:
                ema.update_parameters(netG)
            sd += (err_real.item() + err_fake.item()) * m
            sg += err_g.item() * m
            n += m
            n_batches += 1
        secs = time.perf_counter() - t
        line = {"epoch": epoch, "train_seconds": round(secs, 3), "batches": n_batches,
                "loss_d": sd / n, "loss_g": sg / n, "threads": a.threads, "conditional": a.conditional}
        if scorer is not None:
            line["confident"] = score(scorer, netG, nz, k, seed=1000 + epoch)
            if ema is not None:
                line["ema_confident"] = score(scorer, ema.module, nz, k, seed=1000 + epoch)
        print(json.dumps(line), flush=True)
    if a.save:
        from safetensors.torch import save_file
        final = ema.module if ema is not None else netG
        save_file({f"main.{k}": v.contiguous() for k, v in final.state_dict().items()}, a.save)


class Classifier(nn.Module):
    """The mnist example's CNN (`examples/src/mnist_cnn.rs`), to load its safetensors."""

    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 32, 3), nn.Conv2d(32, 64, 3)
        self.fc1, self.fc2 = nn.Linear(1600, 128), nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def classifier(path):
    from safetensors.torch import load_file
    c = Classifier()
    c.load_state_dict(load_file(path))
    return c.eval()


@torch.no_grad()
def score(c, net, nz, k, seed, n=1000):
    """Share of n fresh samples (eval-mode generator) with a top class probability >= 0.9."""
    was = net.training
    net.eval()
    z = torch.randn(n, nz, 1, 1, generator=torch.Generator().manual_seed(seed))  # not the training stream
    if k:
        z = torch.cat([z, F.one_hot(torch.arange(n) % 10, k).float().view(-1, k, 1, 1)], 1)
    x = (net(z) + 1) / 2
    p = F.softmax(c((x - 0.1307) / 0.3081), 1).max(1).values
    net.train(was)
    return float((p >= 0.9).float().mean())


if __name__ == "__main__":
    main()
