"""Goldens for torch-core ops: inputs and PyTorch's outputs, written to
torch-core/tests/golden/core_ops.safetensors. Run with the PyTorch venv (`.venv`, which
`benches/compare/run.sh` creates):
    .venv/bin/python scripts/golden/core_ops.py
Inputs are generated here (seeded) and saved, so Rust reads the exact same values.
"""
import torch
from safetensors.torch import save_file

torch.manual_seed(0)
out = {}

a = torch.randn(3, 4, dtype=torch.float64)
b = torch.randn(4, dtype=torch.float64)
p = torch.rand(3, 4, dtype=torch.float64) + 0.5  # positive
m = torch.randn(5, 3, 4, dtype=torch.float64)
out["a"], out["b"], out["p"], out["m"] = a, b, p, m
at = torch.randn(4, 3, dtype=torch.float64)
out["at"] = at  # used transposed: at.t() is non-contiguous

unary = {
    "exp": a.exp(), "log": p.log(), "sqrt": p.sqrt(), "rsqrt": p.rsqrt(), "sin": a.sin(),
    "cos": a.cos(), "tanh": a.tanh(), "sigmoid": a.sigmoid(), "erf": a.erf(),
    "gelu": torch.nn.functional.gelu(a), "gelu_tanh": torch.nn.functional.gelu(a, approximate="tanh"),
    "silu": torch.nn.functional.silu(a), "softplus": torch.nn.functional.softplus(a, beta=2.0),
    "elu": torch.nn.functional.elu(a, alpha=1.3), "leaky_relu": torch.nn.functional.leaky_relu(a, 0.1),
    "mish": torch.nn.functional.mish(a), "relu": a.relu(), "abs": a.abs(), "sign": a.sign(),
    "floor": (a * 3).floor(), "ceil": (a * 3).ceil(), "round": (a * 3).round(), "trunc": (a * 3).trunc(),
    "expm1": a.expm1(), "log1p": p.log1p(), "atan": a.atan(), "asinh": a.asinh(),
    "clamp": a.clamp(-0.5, 0.5), "pow_2_5": p.pow(2.5), "reciprocal": p.reciprocal(),
}
for k, v in unary.items():
    out[f"unary.{k}"] = v

out["binary.add_bcast"] = a + b
out["binary.mul_t"] = a * at.t()
out["binary.div"] = a / p
out["binary.pow"] = p.pow(a)
out["binary.atan2"] = torch.atan2(a, b)
out["binary.maximum"] = torch.maximum(a, b)
out["binary.remainder"] = torch.remainder(a * 5, p)
out["binary.floor_div"] = torch.div(a * 5, p, rounding_mode="floor")
out["binary.trunc_div"] = torch.div(a * 5, p, rounding_mode="trunc")

out["reduce.sum0"] = a.sum(0)
out["reduce.sum_keep"] = m.sum((0, 2), keepdim=True)
out["reduce.mean1"] = a.mean(1)
out["reduce.prod1"] = p.prod(1)
out["reduce.amax"] = m.amax((1, 2))
out["reduce.argmax1"] = a.argmax(1)
out["reduce.argmin_all"] = a.argmin().reshape(1)
out["reduce.var"] = m.var(1)
out["reduce.std0"] = a.std(0, correction=0)
out["reduce.logsumexp"] = m.logsumexp(2)
out["reduce.softmax"] = m.softmax(-1)
out["reduce.log_softmax"] = m.log_softmax(1)
out["reduce.norm"] = a.norm(p=3, dim=1)
out["reduce.sum_t"] = at.t().sum(1)

out["linalg.matmul"] = a @ at
out["linalg.batched"] = m @ at
out["linalg.mv"] = a @ b
out["linalg.bmm_t"] = torch.bmm(m, m.transpose(1, 2))

# Integer semantics.
ia = torch.tensor([-7, -3, 0, 3, 7], dtype=torch.int64)
ib = torch.tensor([2, -2, 3, 2, -3], dtype=torch.int64)
out["int.a"], out["int.b"] = ia, ib
out["int.floor_div"] = torch.div(ia, ib, rounding_mode="floor")
out["int.trunc_div"] = torch.div(ia, ib, rounding_mode="trunc")
out["int.remainder"] = torch.remainder(ia, ib)
out["int.true_div"] = ia / ib
out["int.sum"] = ia.sum().reshape(1)

# Gradients of a composite expression.
x = a.clone().requires_grad_()
y = b.clone().requires_grad_()
z = ((x * y).sin() + x.exp() / (1 + y * y)).softmax(1).log().sum() + (x @ x.t()).tanh().mean()
z.backward()
out["grad.z"] = z.detach().reshape(1)
out["grad.x"] = x.grad
out["grad.y"] = y.grad

save_file({k: v.contiguous() for k, v in out.items()}, "torch-core/tests/golden/core_ops.safetensors")
print(f"wrote {len(out)} tensors")
