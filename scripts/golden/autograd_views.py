"""Goldens for in-place writes through views (PyTorch's CopySlices and view regeneration):
inputs and PyTorch's gradients, written to torch-core/tests/golden/autograd_views.safetensors.
    .venv/bin/python scripts/golden/autograd_views.py
Each case is mirrored step for step in torch-core/tests/autograd_views.rs.
"""
import torch
from safetensors.torch import save_file

torch.manual_seed(0)
out = {}
x0 = torch.randn(4, 3, dtype=torch.float64)
w0 = torch.randn(2, 2, dtype=torch.float64)
y0 = torch.randn(4, dtype=torch.float64)
c = torch.randn(4, 3, dtype=torch.float64)
out.update(x=x0, w=w0, y=y0, c=c)


def leaves(*ts):
    return [t.clone().requires_grad_(True) for t in ts]


# 1. mul_ through a strided slice of a non-leaf.
x, w = leaves(x0, w0)
b = x * 2
b[1:3, ::2].mul_(w)
(b * c).sum().backward()
out["slice_mul.x"], out["slice_mul.w"], out["slice_mul.b"] = x.grad, w.grad, b.detach()

# 2. copy_ into a row of the transpose (a column of the base).
x, y = leaves(x0, y0)
b = x * 2
b.t()[1].copy_(y)
(b ** 2).sum().backward()
out["t_copy.x"], out["t_copy.y"] = x.grad, y.grad

# 3. A view taken before its base is modified in place sees the base's new history.
(x,) = leaves(x0)
b = x * 1
v = b.narrow(0, 0, 2)
b.mul_(3)
(v * v).sum().backward()
out["stale_view.x"] = x.grad

# 4. Constant writes: zero_ through a view, fill_ of a whole non-leaf.
(x,) = leaves(x0)
b = x * 2
b.narrow(1, 0, 1).zero_()
(b * b).sum().backward()
out["view_zero.x"] = x.grad
(x,) = leaves(x0)
b = x * 2
b.fill_(1.5)
(b * x).sum().backward()
out["fill.x"] = x.grad

# 5. Filling a buffer that does not require grad.
(y,) = leaves(y0)
buf = torch.zeros(3, 4, dtype=torch.float64)
buf[1].copy_(y)
buf.exp().sum().backward()
out["buffer.y"] = y.grad

# 6. A view of a view, add_ of a leaf.
x, y = leaves(x0, y0[:3])
b = x * 1
v = b[1:]
u = v[:, 1]
u.add_(y)
b.pow(2).sum().backward()
out["view_of_view.x"], out["view_of_view.y"] = x.grad, y.grad

# 7. Writes into a tensor with a non-contiguous layout that is not a view (detach of a
# transpose): a row, then a column crossing it.
y, w = leaves(y0, c[0])
d = x0.clone().t().detach()  # a copy: writes must not reach x0
d[1].copy_(y)
d[:, 0].mul_(w)
(d * c.t()).sum().backward()
out["strided_base.y"], out["strided_base.w"] = y.grad, w.grad

save_file({k: v.contiguous() for k, v in out.items()}, "torch-core/tests/golden/autograd_views.safetensors")
print({k: tuple(v.shape) for k, v in out.items()})
