"""More goldens for torch-core ops (special values, logic and comparisons, movement, more
unary ops, every matmul rule, half-precision matmul, einsum, zero-size and 0-d inputs,
complex arithmetic): inputs and PyTorch's outputs, written to
torch-core/tests/golden/core_ops_extra.safetensors. Run with the venv of DEVELOPERS.md:
    .venv/bin/python scripts/golden/core_ops_extra.py
Inputs are generated here (seeded) and saved, so Rust reads the exact same values.
"""
import torch
from safetensors.torch import save_file

torch.manual_seed(0)
out = {}
f64 = torch.float64

a = torch.randn(3, 4, dtype=f64)
b = torch.randn(4, dtype=f64)
p = torch.rand(3, 4, dtype=f64) + 0.5  # in [0.5, 1.5)
u = torch.rand(3, 4, dtype=f64) * 1.8 - 0.9  # in (-0.9, 0.9)
m = torch.randn(5, 3, 4, dtype=f64)
out.update({"a": a, "b": b, "p": p, "u": u, "m": m})

# 1. Special values.
s = torch.tensor([[1.5, float("nan"), float("inf")], [-float("inf"), -2.0, 0.0]])
out["special.x"] = s
out["special.nan_to_num"] = s.nan_to_num()
out["special.nan_to_num_explicit"] = s.nan_to_num(nan=7.0, posinf=100.0, neginf=-50.0)
out["special.nan_to_num_f64"] = s.double().nan_to_num(nan=-1.0)
out["special.isnan"] = s.isnan()
out["special.isinf"] = s.isinf()
out["special.isfinite"] = s.isfinite()

# 2. Logic and comparisons. Integer-valued floats so that ties occur.
ca = torch.randint(-2, 3, (3, 4)).to(f64)
cb = torch.randint(-2, 3, (4,)).to(f64)
out["cmp.a"], out["cmp.b"] = ca, cb
for name in ["eq", "ne", "lt", "le", "gt", "ge"]:
    out[f"cmp.{name}"] = getattr(ca, name)(cb)
    out[f"cmp.{name}_scalar"] = getattr(ca, name)(1.0)
ci = torch.tensor([-3, 0, 2, 5])
out["cmp.int"] = ci
out["cmp.int_lt_2_5"] = ci.lt(2.5)
for name in ["logical_and", "logical_or", "logical_xor"]:
    out[f"logic.{name}"] = getattr(torch, name)(ca, cb)
out["logic.not"] = ca.logical_not()
bm = torch.tensor([[True, True, False], [True, True, True]])
out["logic.bm"] = bm
out["logic.all"] = bm.all()
out["logic.any"] = bm.any()
out["logic.all0"] = bm.all(0)
out["logic.all1_keep"] = bm.all(1, keepdim=True)
out["logic.any1"] = ca.any(1)
out["logic.all_float"] = ca.all(0)

# 3. Masking, sorting, in-place clamp, splitting, creation.
out["misc.masked_fill"] = a.masked_fill(a > 0, -1.0)
out["misc.argsort1"] = a.argsort(1)
out["misc.argsort0_desc"] = a.argsort(0, descending=True)
c = a.clone()
c.clamp_(-0.5, 0.5)
out["misc.clamp_"] = c
c = a.clone()
c.clamp_(min=0.1)
out["misc.clamp_min_"] = c
for i, t in enumerate(m.unbind(1)):
    out[f"misc.unbind1.{i}"] = t
r = torch.randn(5, 2, dtype=f64)
r6 = torch.randn(6, 3, dtype=f64)
out["misc.r"], out["misc.r6"] = r, r6
for i, t in enumerate(r.chunk(3, 0)):  # sizes 2, 2, 1
    out[f"misc.chunk3.{i}"] = t
for i, t in enumerate(r6.chunk(4, 0)):  # only three chunks of 2
    out[f"misc.chunk4.{i}"] = t
out["misc.unflatten"] = a.unflatten(1, (2, -1))
out["misc.ones_like_i64"] = torch.ones_like(ci)
out["misc.ones_like_f16"] = torch.ones_like(a.half())
out["misc.ones_like_bool"] = torch.ones_like(bm)

# 4. More unary ops, lerp, where, minimum, extrema with indices, views.
unary = {
    "exp2": a.exp2(), "log2": p.log2(), "log10": p.log10(), "tan": a.tan(), "asin": u.asin(),
    "acos": u.acos(), "sinh": a.sinh(), "cosh": a.cosh(), "acosh": (p + 1).acosh(),
    "atanh": u.atanh(),
}
for k, v in unary.items():
    out[f"unary.{k}"] = v
out["op.lerp_scalar"] = torch.lerp(a, p, 0.3)
out["op.lerp_tensor"] = torch.lerp(a, b, u)
out["op.where"] = torch.where(a > b, a, b * 2)
out["op.minimum"] = torch.minimum(a, b)
out["op.amin"] = m.amin((0, 2))
out["op.amin_keep"] = m.amin(1, keepdim=True)
v, i = m.max(1)
out["op.max1.values"], out["op.max1.indices"] = v, i
v, i = a.min(0, keepdim=True)
out["op.min0_keep.values"], out["op.min0_keep.indices"] = v, i
col = torch.randn(3, 1, dtype=f64)
out["view.col"] = col
out["view.expand"] = col.expand(2, 3, 4)
out["view.flatten01"] = m.flatten(0, 1)
out["view.flatten_t"] = a.t().flatten()
out["view.as_strided"] = torch.as_strided(a, (3, 3), (1, 4), 1)
out["view.as_strided_overlap"] = torch.as_strided(a, (4, 3), (2, 1), 0)

# 5. matmul for every rule, mv, dot, outer, f16/bf16.
v3, v4, w4 = torch.randn(3, dtype=f64), torch.randn(4, dtype=f64), torch.randn(4, dtype=f64)
x4 = torch.randn(2, 1, 3, 4, dtype=f64)
y3 = torch.randn(5, 4, 2, dtype=f64)
out.update({"mm.v3": v3, "mm.v4": v4, "mm.w4": w4, "mm.x4": x4, "mm.y3": y3})
out["mm.1d_1d"] = v4 @ w4
out["mm.1d_2d"] = v3 @ a
out["mm.2d_1d"] = a @ v4
out["mm.1d_3d"] = v3 @ m
out["mm.3d_1d"] = m @ v4
out["mm.bcast"] = x4 @ y3
out["mm.mv"] = a.mv(v4)
out["mm.dot"] = v4.dot(w4)
out["mm.outer"] = torch.outer(v3, v4)
for dt, name in [(torch.float16, "f16"), (torch.bfloat16, "bf16")]:
    h1, h2 = torch.randn(16, 32).to(dt), torch.randn(32, 8).to(dt)
    out[f"mm.{name}.a"], out[f"mm.{name}.b"] = h1, h2
    out[f"mm.{name}"] = h1 @ h2

# 6. einsum with broadcast ellipses and a diagonal.
ex, ey = torch.randn(2, 1, 3, 4, dtype=f64), torch.randn(3, 4, 5, dtype=f64)
sq = torch.randn(4, 4, dtype=f64)
out.update({"einsum.x": ex, "einsum.y": ey, "einsum.sq": sq})
out["einsum.ellipsis"] = torch.einsum("...ij,...jk->...ik", ex, ey)
# The size-1 batch dim on the right-hand operand this time.
out["einsum.ellipsis_rev"] = torch.einsum("...ij,...jk->...ik", ey.mT, ex.mT)
out["einsum.diag"] = torch.einsum("ii->i", sq)
out["einsum.trace"] = torch.einsum("ii", sq)

# 7. Zero-size and 0-d inputs.
e03, w32 = torch.zeros(0, 3, dtype=f64), torch.randn(3, 2, dtype=f64)
out["zero.w32"] = w32
out["zero.mm_0x3"] = e03 @ w32
out["zero.mm_2x0"] = torch.zeros(2, 0, dtype=f64) @ e03
out["zero.cat"] = torch.cat([a, torch.zeros(0, 4, dtype=f64)], 0)
out["zero.cat_legacy"] = torch.cat([torch.zeros(0, dtype=f64), a], 0)
out["zero.softmax"] = torch.zeros(0, 4, dtype=f64).softmax(-1)
sv, si = torch.zeros(0, dtype=f64).sort()
out["zero.sort.values"], out["zero.sort.indices"] = sv, si
z0 = torch.tensor(2.5, dtype=f64)
out["zero.scalar"] = z0
out["zero.scalar_sum"] = z0.sum()
out["zero.scalar_mean"] = z0.mean()
out["zero.scalar_amax"] = z0.amax()
out["zero.empty_mean"] = torch.zeros(0, dtype=f64).mean()

# 8. complex64 arithmetic.
z1, z2, z3 = torch.randn(3, 4, dtype=torch.complex64), torch.randn(3, 4, dtype=torch.complex64), \
    torch.randn(4, dtype=torch.complex64)
out.update({"cplx.z1": z1, "cplx.z2": z2, "cplx.z3": z3})
out["cplx.add"] = z1 + z2
out["cplx.sub"] = z1 - z3
out["cplx.div"] = z1 / z2
out["cplx.div_bcast"] = z1 / z3

save_file({k: v.contiguous().clone() for k, v in out.items()}, "torch-core/tests/golden/core_ops_extra.safetensors")
print(f"wrote {len(out)} tensors")
