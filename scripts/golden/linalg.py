"""Goldens for torch.linalg (torch-core/src/linalg): inputs, PyTorch's outputs and the
gradients of scalar losses, written to torch-core/tests/golden/linalg.safetensors. Run with
the PyTorch venv (`.venv`, which
`benches/compare/run.sh` creates):
    .venv/bin/python scripts/golden/linalg.py
Inputs are generated here (seeded) and saved, so Rust reads the exact same values.
QR, SVD and eigh vectors are unique only up to sign: the losses and the saved factors are
gauge-fixed (sign-normalised) so that they compare across libraries.
"""
import torch
from safetensors.torch import save_file

torch.manual_seed(0)
f64 = torch.float64
out = {}


def spd(*shape):
    x = torch.randn(*shape, dtype=f64)
    return x @ x.mT + shape[-1] * torch.eye(shape[-1], dtype=f64)


def sym(*shape):
    x = torch.randn(*shape, dtype=f64)
    return x + x.mT


# Inputs. `at` is used transposed (a non-contiguous view).
inp = {
    "a": torch.randn(4, 4, dtype=f64) + 3 * torch.eye(4, dtype=f64),
    "at": torch.randn(4, 4, dtype=f64),
    "ab": torch.randn(2, 3, 3, dtype=f64),
    "neg": torch.tensor([[0.0, 2.0, 1.0], [1.0, 0.0, 3.0], [4.0, 1.0, 0.0]], dtype=f64),
    "b_vec": torch.randn(4, dtype=f64),
    "b_mat": torch.randn(4, 2, dtype=f64),
    "bb_vecs": torch.randn(2, 3, dtype=f64),
    "bb_mat": torch.randn(3, 2, dtype=f64),
    "spd": spd(4, 4),
    "spd_b": spd(2, 3, 3),
    "tall": torch.randn(5, 3, dtype=f64),
    "wide": torch.randn(3, 5, dtype=f64),
    "rect_b": torch.randn(2, 4, 3, dtype=f64),
    "sym": sym(4, 4),
    "sym_b": sym(2, 3, 3),
    "w44": torch.randn(4, 4, dtype=f64),
    "w53": torch.randn(5, 3, dtype=f64),
    "w33": torch.randn(3, 3, dtype=f64),
    "w35": torch.randn(3, 5, dtype=f64),
    "w3": torch.randn(3, dtype=f64),
    "w4": torch.randn(4, dtype=f64),
    "w42": torch.randn(4, 2, dtype=f64),
}
out.update(inp)
g = {k: v for k, v in inp.items()}
a, at_t, ab = g["a"], g["at"].mT, g["ab"]

# LU family.
out["inv.a"] = torch.linalg.inv(a)
out["inv.at_t"] = torch.linalg.inv(at_t)
out["inv.ab"] = torch.linalg.inv(ab)
out["det.a"] = torch.linalg.det(a)
out["det.at_t"] = torch.linalg.det(at_t)
out["det.ab"] = torch.linalg.det(ab)
out["det.neg"] = torch.linalg.det(g["neg"])
for k, x in [("a", a), ("ab", ab), ("neg", g["neg"])]:
    s, l = torch.linalg.slogdet(x)
    out[f"slogdet.{k}.sign"], out[f"slogdet.{k}.logabsdet"] = s, l
out["solve.vec"] = torch.linalg.solve(a, g["b_vec"])
out["solve.mat"] = torch.linalg.solve(a, g["b_mat"])
out["solve.at_t"] = torch.linalg.solve(at_t, g["b_mat"])
out["solve.batch_vecs"] = torch.linalg.solve(ab, g["bb_vecs"])
out["solve.batch_bcast_vec"] = torch.linalg.solve(ab, g["w3"])
out["solve.batch_bcast_mat"] = torch.linalg.solve(ab, g["bb_mat"])

# Cholesky.
out["cholesky.spd"] = torch.linalg.cholesky(g["spd"])
out["cholesky.spd_upper"] = torch.linalg.cholesky(g["spd"], upper=True)
out["cholesky.spd_b"] = torch.linalg.cholesky(g["spd_b"])


def fix_qr(q, r):
    k = min(q.shape[-2], r.shape[-1])
    s = torch.sign(torch.diagonal(r, dim1=-2, dim2=-1)[..., :k])
    q = torch.cat([q[..., :k] * s.unsqueeze(-2), q[..., k:]], -1)
    r = torch.cat([r[..., :k, :] * s.unsqueeze(-1), r[..., k:, :]], -2)
    return q, r


def fix_svd(u, s, vh):
    k = s.shape[-1]
    sg = torch.sign(u[..., 0, :k])
    u = torch.cat([u[..., :k] * sg.unsqueeze(-2), u[..., k:]], -1)
    vh = torch.cat([vh[..., :k, :] * sg.unsqueeze(-1), vh[..., k:, :]], -2)
    return u, s, vh


# QR, SVD, eigh: gauge-fixed factors.
for k, x, mode in [("tall", g["tall"], "reduced"), ("tall_complete", g["tall"], "complete"),
                   ("wide", g["wide"], "reduced"), ("rect_b", g["rect_b"], "reduced"),
                   ("at_t", at_t, "reduced")]:
    q, r = fix_qr(*torch.linalg.qr(x, mode=mode))
    out[f"qr.{k}.Q"], out[f"qr.{k}.R"] = q, r
for k, x, full in [("tall", g["tall"], False), ("tall_full", g["tall"], True),
                   ("wide", g["wide"], False), ("rect_b", g["rect_b"], False), ("at_t", at_t, False)]:
    u, s, vh = fix_svd(*torch.linalg.svd(x, full_matrices=full))
    k_ = s.shape[-1]
    out[f"svd.{k}.U"], out[f"svd.{k}.S"], out[f"svd.{k}.Vh"] = u[..., :k_], s, vh[..., :k_, :]
    out[f"svdvals.{k}"] = torch.linalg.svdvals(x)
for k, x, uplo in [("sym", g["sym"], "L"), ("sym_b", g["sym_b"], "L"), ("sym_upper", g["sym"], "U"),
                   ("spd", g["spd"], "L")]:
    l, v = torch.linalg.eigh(x, UPLO=uplo)
    sg = torch.sign(v[..., 0, :])
    out[f"eigh.{k}.L"], out[f"eigh.{k}.V"] = l, v * sg.unsqueeze(-2)
    out[f"eigvalsh.{k}"] = torch.linalg.eigvalsh(x, UPLO=uplo)
# eigh reads only one triangle: a non-symmetric input.
out["eigh.lower_only.L"] = torch.linalg.eigh(g["w44"], UPLO="L")[0]
out["eigh.upper_only.L"] = torch.linalg.eigh(g["w44"], UPLO="U")[0]

# Norms.
inf = float("inf")
for name, o in [("fro", "fro"), ("nuc", "nuc"), ("inf", inf), ("ninf", -inf), ("1", 1), ("n1", -1),
                ("2", 2), ("n2", -2)]:
    out[f"matrix_norm.a.{name}"] = torch.linalg.matrix_norm(a, o)
    out[f"matrix_norm.rect_b.{name}"] = torch.linalg.matrix_norm(g["rect_b"], o)
    out[f"matrix_norm.rect_b_dim02_keep.{name}"] = torch.linalg.matrix_norm(g["rect_b"], o, dim=(2, 0), keepdim=True)
    out[f"norm.tall.{name}"] = torch.linalg.norm(g["tall"], o)
for name, o in [("2", 2), ("1", 1), ("inf", inf), ("ninf", -inf), ("3_5", 3.5), ("0", 0)]:
    out[f"vector_norm.rect_b.{name}"] = torch.linalg.vector_norm(g["rect_b"], o)
    out[f"vector_norm.rect_b_dim1.{name}"] = torch.linalg.vector_norm(g["rect_b"], o, dim=1)
    out[f"vector_norm.rect_b_dim02_keep.{name}"] = torch.linalg.vector_norm(g["rect_b"], o, dim=(0, 2), keepdim=True)
out["norm.rect_b.default"] = torch.linalg.norm(g["rect_b"])
out["norm.rect_b.dim1_ord3"] = torch.linalg.norm(g["rect_b"], 3, dim=(1,))
out["norm.rect_b.dim12_nuc"] = torch.linalg.norm(g["rect_b"], "nuc", dim=(1, 2))
out["norm.b_vec.inf"] = torch.linalg.norm(g["b_vec"], inf)

# f32: the same ops in single precision.
for k in ["a", "spd", "sym", "tall"]:
    out[f"f32.{k}"] = g[k].float()
a32 = g["a"].float()
out["f32.inv"] = torch.linalg.inv(a32)
out["f32.det"] = torch.linalg.det(a32)
out["f32.solve"] = torch.linalg.solve(a32, g["b_vec"].float())
out["f32.cholesky"] = torch.linalg.cholesky(g["spd"].float())
out["f32.eigvalsh"] = torch.linalg.eigvalsh(g["sym"].float())
out["f32.svdvals"] = torch.linalg.svdvals(g["tall"].float())
out["f32.matrix_norm_nuc"] = torch.linalg.matrix_norm(g["tall"].float(), "nuc")


# Gradients of scalar losses (gauge-invariant for QR/SVD/eigh).
def grad(name, f, *xs):
    xs = [x.detach().clone().requires_grad_() for x in xs]
    loss = f(*xs)
    gs = torch.autograd.grad(loss, xs)
    out[f"grad.{name}.loss"] = loss.detach().reshape(1)
    for i, gr in enumerate(gs):
        out[f"grad.{name}.{i}"] = gr


grad("inv", lambda x: (torch.linalg.inv(x) * g["w44"]).sum(), a)
grad("inv_batched", lambda x: (torch.linalg.inv(x) * g["w33"]).sum(), ab)
grad("det", lambda x: torch.linalg.det(x).sum(), ab)
grad("det_at", lambda x: torch.linalg.det(x.mT), g["at"])
grad("slogdet", lambda x: torch.linalg.slogdet(x)[1].sum() * 2, ab)
grad("solve", lambda x, y: (torch.linalg.solve(x, y) * g["w42"]).sum(), a, g["b_mat"])
grad("solve_vec_bcast", lambda x, y: (torch.linalg.solve(x, y) ** 2).sum(), ab, g["w3"])
grad("cholesky", lambda x: (torch.linalg.cholesky(x) * g["w44"]).sum(), g["spd"])
grad("cholesky_upper", lambda x: (torch.linalg.cholesky(x, upper=True) * g["w33"]).sum(), g["spd_b"])


def qr_loss(x, wq, wr, mode="reduced"):
    q, r = fix_qr(*torch.linalg.qr(x, mode=mode))
    return (q * wq).sum() + (r * wr).sum()


grad("qr_tall", lambda x: qr_loss(x, g["w53"], g["w33"]), g["tall"])
grad("qr_wide", lambda x: qr_loss(x, g["w33"], g["w35"]), g["wide"])


def svd_loss(x, wu, ws, wv):
    u, s, vh = fix_svd(*torch.linalg.svd(x, full_matrices=False))
    return (u * wu).sum() + (s * ws).sum() + (vh * wv).sum()


grad("svd_tall", lambda x: svd_loss(x, g["w53"], g["w3"], g["w33"]), g["tall"])
grad("svd_wide", lambda x: svd_loss(x, g["w33"], g["w3"], g["w35"]), g["wide"])
grad("svdvals", lambda x: (torch.linalg.svdvals(x) * g["w3"]).sum(), g["rect_b"])


def eigh_loss(x, wl, wv):
    l, v = torch.linalg.eigh(x)
    v = v * torch.sign(v[..., 0, :]).unsqueeze(-2)
    return (l * wl).sum() + (v * wv).sum()


grad("eigh", lambda x: eigh_loss(x, g["w4"], g["w44"]), g["sym"])
grad("eigvalsh", lambda x: (torch.linalg.eigvalsh(x) * g["w3"]).sum(), g["sym_b"])
grad("matrix_norm_nuc", lambda x: torch.linalg.matrix_norm(x, "nuc").sum(), g["rect_b"])
grad("matrix_norm_2", lambda x: torch.linalg.matrix_norm(x, 2).sum(), g["rect_b"])
grad("matrix_norm_inf", lambda x: torch.linalg.matrix_norm(x, inf).sum(), g["rect_b"])

save_file({k: v.contiguous() for k, v in out.items()}, "torch-core/tests/golden/linalg.safetensors")
print(f"wrote {len(out)} tensors")
