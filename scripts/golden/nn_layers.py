"""Goldens for torch-nn layers and losses, written to torch-nn/tests/golden/nn_layers.safetensors.
Run with the PyTorch venv (`.venv`, which
`benches/compare/run.sh` creates):
    .venv/bin/python scripts/golden/nn_layers.py

Each case `name` stores (all float64):
  name.sd.<key>       the module's state_dict (PyTorch's keys)
  name.in<i>          inputs; name.out the output; name.gout the output's cotangent
  name.gin<i>         d (out * gout).sum() / d input i (float inputs only)
  name.grad.<param>   the same for each parameter
  name.after.<key>    state_dict after the forward (running statistics)
  name.dd.gin0 / name.dd.grad.<param>  double backward: d (g * v).sum() with
                      g = d (out * gout).sum() / d in0 (create_graph) and v = name.dd.v
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(0)
out = {}


def case(name, module, inputs, train=True, double=False):
    module = module.double()
    module.train(train)
    module.zero_grad()
    for k, v in module.state_dict().items():
        out[f"{name}.sd.{k}"] = v.clone()
    ins = []
    for i, x in enumerate(inputs):
        x = x.clone()
        if x.is_floating_point():
            x = x.double().requires_grad_(True)
        out[f"{name}.in{i}"] = x.detach().clone()
        ins.append(x)
    y = module(*ins)
    gout = torch.randn_like(y)
    out[f"{name}.out"] = y.detach().clone()
    out[f"{name}.gout"] = gout
    (y * gout).sum().backward()
    for i, x in enumerate(ins):
        if x.is_floating_point():
            out[f"{name}.gin{i}"] = x.grad.clone()
    for k, p in module.named_parameters():
        out[f"{name}.grad.{k}"] = p.grad.clone()
    for k, v in module.state_dict().items():
        out[f"{name}.after.{k}"] = v.clone()
    if double:
        module.zero_grad()
        module.load_state_dict({k[len(name) + 4:]: v for k, v in out.items() if k.startswith(f"{name}.sd.")})
        x0 = out[f"{name}.in0"].clone().requires_grad_(True)
        rest = ins[1:]
        y = module(x0, *rest)
        (g,) = torch.autograd.grad((y * gout).sum(), x0, create_graph=True)
        v = torch.randn_like(g)
        out[f"{name}.dd.v"] = v
        (g * v).sum().backward()
        out[f"{name}.dd.gin0"] = x0.grad.clone() if x0.grad is not None else torch.zeros_like(x0)
        for k, p in module.named_parameters():
            out[f"{name}.dd.grad.{k}"] = p.grad.clone() if p.grad is not None else torch.zeros_like(p)


x = torch.randn(5, 6)
case("linear", nn.Linear(6, 4), [x], double=True)
case("linear_nobias_3d", nn.Linear(6, 3, bias=False), [torch.randn(2, 5, 6)])
case("bilinear", nn.Bilinear(3, 4, 2), [torch.randn(5, 3), torch.randn(5, 4)])
case("batchnorm1d_train", nn.BatchNorm1d(6), [x])
case("batchnorm1d_3d_train", nn.BatchNorm1d(3, momentum=None), [torch.randn(4, 3, 5)])
bn = nn.BatchNorm2d(3)
bn.running_mean.uniform_(-1, 1)
bn.running_var.uniform_(0.5, 2)
bn.weight.data.uniform_(0.5, 1.5)
bn.bias.data.uniform_(-0.5, 0.5)
case("batchnorm2d_train", bn, [torch.randn(2, 3, 4, 5)], double=True)
case("batchnorm2d_eval", bn, [torch.randn(2, 3, 4, 5)], train=False, double=True)
case("batchnorm2d_noaffine", nn.BatchNorm2d(3, affine=False, track_running_stats=False), [torch.randn(2, 3, 4, 5)])
ln = nn.LayerNorm([4, 5])
ln.weight.data.uniform_(0.5, 1.5)
ln.bias.data.uniform_(-0.5, 0.5)
case("layernorm", ln, [torch.randn(3, 4, 5)], double=True)
gn = nn.GroupNorm(2, 4)
gn.weight.data.uniform_(0.5, 1.5)
case("groupnorm", gn, [torch.randn(2, 4, 3, 3)])
inn = nn.InstanceNorm2d(3, affine=True, track_running_stats=True)
inn.weight.data.uniform_(0.5, 1.5)
case("instancenorm2d", inn, [torch.randn(2, 3, 4, 4)])
case("instancenorm2d_default", nn.InstanceNorm2d(3), [torch.randn(2, 3, 4, 4)])
rms = nn.RMSNorm([5], eps=1e-6)
rms.weight.data.uniform_(0.5, 1.5)
case("rmsnorm", rms, [torch.randn(3, 5)])
case("rmsnorm_default_eps", nn.RMSNorm([5]), [torch.randn(3, 5)])
case("embedding", nn.Embedding(7, 3, padding_idx=2), [torch.tensor([[0, 2, 5], [2, 6, 1]])])


class Bag(nn.Module):
    def __init__(self, mode, per_sample=False):
        super().__init__()
        self.bag = nn.EmbeddingBag(10, 3, mode=mode)
        self.per_sample = per_sample

    def forward(self, idx, offsets, w=None):
        return self.bag(idx, offsets, per_sample_weights=w)


idx = torch.tensor([1, 2, 4, 5, 4, 3, 2, 9])
offsets = torch.tensor([0, 3, 3, 6])
case("embedding_bag_sum", Bag("sum"), [idx, offsets, torch.rand(8)])
case("embedding_bag_mean", Bag("mean"), [idx, offsets])
case("embedding_bag_max", Bag("max"), [idx, offsets])
prelu = nn.PReLU(3)
prelu.weight.data.uniform_(0.1, 0.4)
case("prelu", prelu, [torch.randn(2, 3, 4)])

acts = {
    "relu": nn.ReLU(), "relu6": nn.ReLU6(), "leaky_relu": nn.LeakyReLU(0.2), "elu": nn.ELU(0.7),
    "selu": nn.SELU(), "gelu": nn.GELU(), "gelu_tanh": nn.GELU("tanh"), "silu": nn.SiLU(),
    "mish": nn.Mish(), "tanh": nn.Tanh(), "sigmoid": nn.Sigmoid(), "hardswish": nn.Hardswish(),
    "hardsigmoid": nn.Hardsigmoid(), "softmax": nn.Softmax(1), "log_softmax": nn.LogSoftmax(0),
    "softplus": nn.Softplus(2.0, 1.0),
}
xa = torch.randn(4, 5) * 3
# PyTorch has no double backward for hardsigmoid/hardswish.
for k, m in acts.items():
    case(f"act_{k}", m, [xa], double=k not in ("hardswish", "hardsigmoid"))

xi = torch.randn(2, 3, 4, 5)
case("upsample_nearest_x2", nn.Upsample(scale_factor=2), [xi])
case("upsample_nearest_size", nn.Upsample(size=(5, 7)), [xi])
case("upsample_nearest_down", nn.Upsample(size=(3, 2)), [xi])
case("upsample_bilinear", nn.Upsample(scale_factor=1.5, mode="bilinear"), [xi])
case("upsample_bilinear_ac", nn.Upsample(size=(7, 3), mode="bilinear", align_corners=True), [xi])
case("upsample_linear", nn.Upsample(scale_factor=2.5, mode="linear"), [torch.randn(2, 3, 4)])
case("pixel_shuffle", nn.PixelShuffle(2), [torch.randn(2, 8, 3, 4)])
case("pixel_unshuffle", nn.PixelUnshuffle(2), [torch.randn(2, 2, 4, 6)])


class Loss(nn.Module):
    """Wraps a functional loss so case() can drive it; inputs after the first are targets."""

    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, *args):
        return self.f(*args)


p = torch.randn(4, 5)
t = torch.randn(4, 5)
logits = torch.randn(6, 5)
labels = torch.tensor([0, 4, 2, -100, 1, 3])
w = torch.rand(5) + 0.5
out["loss_weights"] = w.double()
probs = torch.rand(4, 5)
bce_t = torch.rand(4, 5)
losses = {
    "mse": (lambda a, b: F.mse_loss(a, b), [p, t]),
    "mse_sum": (lambda a, b: F.mse_loss(a, b, reduction="sum"), [p, t]),
    "l1_none": (lambda a, b: F.l1_loss(a, b, reduction="none"), [p, t]),
    "smooth_l1": (lambda a, b: F.smooth_l1_loss(a, b, beta=0.5), [p, t]),
    "huber": (lambda a, b: F.huber_loss(a, b, delta=0.7), [p, t]),
    "ce": (lambda a, b: F.cross_entropy(a, b), [logits, labels.clamp(min=0)]),
    "ce_weight_ignore": (lambda a, b: F.cross_entropy(a, b, weight=w.double()), [logits, labels]),
    "ce_smooth": (lambda a, b: F.cross_entropy(a, b, label_smoothing=0.1), [logits, labels]),
    "ce_smooth_weight_sum": (lambda a, b: F.cross_entropy(a, b, weight=w.double(), label_smoothing=0.2, reduction="sum"), [logits, labels]),
    "ce_smooth_weight_mean": (lambda a, b: F.cross_entropy(a, b, weight=w.double(), label_smoothing=0.2), [logits, labels]),
    "ce_probs": (lambda a, b: F.cross_entropy(a, b, label_smoothing=0.1), [logits, torch.rand(6, 5).softmax(1)]),
    "ce_kdim": (lambda a, b: F.cross_entropy(a, b, reduction="none"), [torch.randn(2, 5, 3), torch.randint(0, 5, (2, 3))]),
    "nll": (lambda a, b: F.nll_loss(a.log_softmax(1), b, weight=w.double()), [logits, labels]),
    "bce": (lambda a, b: F.binary_cross_entropy(a.sigmoid(), b, weight=w.double()), [p, bce_t]),
    "bce_logits": (lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=w.double()), [p, bce_t]),
    "kl_batchmean": (lambda a, b: F.kl_div(a.log_softmax(1), b, reduction="batchmean"), [p, probs.softmax(1)]),
    "kl_log_target": (lambda a, b: F.kl_div(a.log_softmax(1), b, reduction="sum", log_target=True), [p, probs.log_softmax(1)]),
    "cosine_embedding": (lambda a, b, y: F.cosine_embedding_loss(a, b, y, margin=0.2), [p, t, torch.tensor([1, -1, 1, -1])]),
    "margin_ranking": (lambda a, b, y: F.margin_ranking_loss(a, b, y, margin=0.1), [torch.randn(6), torch.randn(6), torch.tensor([1, -1, 1, 1, -1, -1])]),
    "triplet": (lambda a, b, c: F.triplet_margin_loss(a, b, c, margin=0.5, swap=True), [p, t, torch.randn(4, 5)]),
    "cosine_similarity": (lambda a, b: F.cosine_similarity(a, b, dim=1), [p, t]),
    "pairwise_distance": (lambda a, b: F.pairwise_distance(a, b, p=3.0), [p, t]),
    "normalize": (lambda a: F.normalize(a, p=2.0, dim=0), [p]),
}
for k, (f, ins) in losses.items():
    case(f"loss_{k}", Loss(f), ins)

# CTC: log_probs (T, N, C), padded targets.
T, N, C = 12, 3, 5
ctc_lp = torch.randn(T, N, C).log_softmax(2)
ctc_targets = torch.tensor([[1, 2, 2, 3], [4, 1, 0, 0], [3, 3, 3, 0]])
in_lens, tg_lens = [12, 9, 10], [4, 2, 3]
out["ctc.in_lens"] = torch.tensor(in_lens)
out["ctc.tg_lens"] = torch.tensor(tg_lens)
for red in ["mean", "sum", "none"]:
    case(f"loss_ctc_{red}", Loss(lambda a, b, red=red: F.ctc_loss(a, b, in_lens, tg_lens, reduction=red)), [ctc_lp, ctc_targets])

# Convolution and pooling layers.
case("conv1d", nn.Conv1d(3, 4, 3, stride=2, padding=1), [torch.randn(2, 3, 9)], double=True)
case("conv2d", nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2)),
     [torch.randn(2, 3, 7, 8)], double=True)
case("conv2d_groups_nobias", nn.Conv2d(4, 6, 3, groups=2, bias=False), [torch.randn(2, 4, 5, 5)])
case("conv2d_same_reflect", nn.Conv2d(2, 3, 4, padding="same", padding_mode="reflect"),
     [torch.randn(1, 2, 6, 7)])
case("conv2d_circular", nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular"), [torch.randn(1, 2, 5, 5)])
case("conv2d_replicate", nn.Conv2d(2, 3, 3, padding=2, padding_mode="replicate"), [torch.randn(1, 2, 5, 4)])
case("conv_transpose1d", nn.ConvTranspose1d(3, 2, 3, stride=2, padding=1, output_padding=1),
     [torch.randn(2, 3, 5)])
case("conv_transpose2d", nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
     [torch.randn(2, 4, 4, 5)], double=True)


class TransposeToSize(nn.Module):
    """ConvTranspose2d called with output_size, as forward(input, output_size)."""

    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(2, 3, 3, stride=3)

    def forward(self, x):
        return self.up(x, output_size=[11, 12])


case("conv_transpose2d_output_size", TransposeToSize(), [torch.randn(1, 2, 3, 4)])
xp = torch.randn(2, 3, 7, 8)
case("max_pool2d", nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), [xp], double=True)
case("max_pool1d", nn.MaxPool1d(2), [torch.randn(2, 3, 9)])
case("avg_pool2d", nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), [xp], double=True)
case("avg_pool1d", nn.AvgPool1d(3, stride=2), [torch.randn(2, 3, 9)])
case("adaptive_avg_pool2d", nn.AdaptiveAvgPool2d((2, 3)), [xp])
case("adaptive_max_pool2d", nn.AdaptiveMaxPool2d(3), [xp])
case("adaptive_avg_pool1d", nn.AdaptiveAvgPool1d(4), [torch.randn(2, 3, 9)])
case("adaptive_max_pool1d", nn.AdaptiveMaxPool1d(4), [torch.randn(2, 3, 9)])
case("unfold", nn.Unfold(2, stride=2, padding=1), [torch.randn(2, 3, 4, 5)])
case("fold", nn.Fold((4, 5), 2), [torch.randn(2, 12, 12)])
for m in [nn.Conv1d(3, 4, 3, stride=2, padding=1), nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2)),
          nn.Conv2d(4, 6, 3, groups=2, bias=False), nn.Conv2d(2, 3, 4, padding="same", padding_mode="reflect"),
          nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
          nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), nn.MaxPool1d(2), nn.AvgPool2d(2), nn.AvgPool1d(3, stride=2),
          nn.AdaptiveAvgPool2d(1), nn.AdaptiveMaxPool1d(4), nn.Unfold(2, stride=2, padding=1), nn.Fold((4, 5), 2)]:
    print(repr(m))

save_file({k: v.contiguous() for k, v in out.items()}, "torch-nn/tests/golden/nn_layers.safetensors")
print(len(out), "tensors")
