"""Goldens for indexing, joining, rearranging, scans, sorting and einsum:
torch-core/tests/golden/core_index.safetensors. Run: .venv/bin/python scripts/golden/core_index.py"""
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(1)
o = {}
x = torch.randn(3, 4, 5, dtype=torch.float64)
v = torch.randn(6, dtype=torch.float64)
m = torch.randn(4, 4, dtype=torch.float64)
o["x"], o["v"], o["m"] = x, v, m

# Indexing: basic and advanced.
o["i.basic"] = x[1, 1:3, ::2]
o["i.newaxis"] = x[:, None, 2]
o["i.ellipsis"] = x[..., 1]
o["i.neg"] = x[-1, -2:]
rows = torch.tensor([2, 0, 2])
cols = torch.tensor([[1, 3], [0, -1]])
o["idx.rows"], o["idx.cols"] = rows, cols
o["i.adv_first"] = x[rows]
o["i.adv_mid"] = x[:, cols]
o["i.adv_two_adjacent"] = x[:, torch.tensor([0, 3]), torch.tensor([1, 4])]
o["i.adv_separated"] = x[torch.tensor([0, 2]), :, torch.tensor([1, 4])]
mask = x[:, :, 0] > 0
o["idx.mask"] = mask
o["i.bool"] = x[mask]
o["masked_select"] = x.masked_select(x > 0.5)
o["nonzero"] = (m > 0).nonzero()
put_idx = (torch.tensor([0, 2, 0]), torch.tensor([1, 1, 1]))
o["put.i0"], o["put.i1"] = put_idx
vals = torch.arange(3 * 5, dtype=torch.float64).reshape(3, 5)
o["put.vals"] = vals
o["index_put"] = x.index_put(put_idx, vals)
o["index_put_acc"] = x.index_put(put_idx, vals, accumulate=True)

# Joining and gather/scatter.
o["cat1"] = torch.cat([x, x * 2], 1)
o["stack"] = torch.stack([m, m.t()], 2)
gi = torch.tensor([[0, 1, 1, 0], [3, 2, 1, 0], [2, 2, 2, 2], [1, 0, 3, 3]])
o["gi"] = gi
o["gather"] = m.gather(1, gi)
o["scatter"] = torch.zeros(4, 4, dtype=torch.float64).scatter(0, gi, m)
o["scatter_add"] = torch.zeros(4, 4, dtype=torch.float64).scatter_add(1, gi, m)
o["index_add"] = m.index_add(0, torch.tensor([1, 1, 0, 3]), m * 10)

# Rearranging.
o["flip"] = x.flip([0, 2])
o["roll"] = x.roll([1, -2], [0, 2])
o["roll_flat"] = m.roll(3)
o["repeat"] = m.repeat(2, 1, 3)
o["tile"] = v.tile((2, 2))
o["repeat_interleave"] = m.repeat_interleave(2, dim=1)
o["repeat_interleave_t"] = m.repeat_interleave(torch.tensor([1, 0, 2, 1]), dim=0)
o["tril"] = m.tril(-1)
o["triu"] = x.triu(1)
labels = torch.tensor([0, 3, 1, 1])
o["labels"] = labels
o["one_hot"] = F.one_hot(labels, 5)
gx, gy = torch.meshgrid(torch.arange(3.0, dtype=torch.float64), torch.arange(2.0, dtype=torch.float64), indexing="xy")
o["meshgrid_x"], o["meshgrid_y"] = gx, gy
for mode in ["constant", "reflect", "replicate", "circular"]:
    o[f"pad.{mode}"] = F.pad(x, (2, 1, 1, 2), mode=mode, value=0.5) if mode == "constant" else F.pad(x.unsqueeze(0), (2, 1, 1, 2), mode=mode).squeeze(0)
o["pad.crop"] = F.pad(x, (-1, 2))

# Scans and sorting.
o["cumsum"] = x.cumsum(1)
o["cumprod"] = x.cumprod(2)
dup = torch.tensor([3.0, 1.0, 2.0, 1.0, float("nan"), 3.0, -1.0], dtype=torch.float64)
o["dup"] = dup
s, si = dup.sort(stable=True)
o["sort.v"], o["sort.i"] = s, si
s, si = dup.sort(descending=True, stable=True)
o["sortd.v"], o["sortd.i"] = s, si
t, ti = x.topk(2, dim=1)
o["topk.v"], o["topk.i"] = t, ti
t, ti = x.topk(3, dim=-1, largest=False)
o["topk_small.v"], o["topk_small.i"] = t, ti
ints = torch.tensor([4, 1, 4, 2, 1, 1])
o["ints"] = ints
u, inv, cnt = ints.unique(sorted=True, return_inverse=True, return_counts=True)
o["unique.u"], o["unique.inv"], o["unique.cnt"] = u, inv, cnt

# einsum.
a = torch.randn(2, 3, 4, dtype=torch.float64)
b = torch.randn(2, 4, 5, dtype=torch.float64)
o["ea"], o["eb"] = a, b
o["einsum.bmm"] = torch.einsum("bij,bjk->bik", a, b)
o["einsum.trace"] = torch.einsum("ii", m).reshape(1)
o["einsum.diag"] = torch.einsum("ii->i", m)
o["einsum.outer"] = torch.einsum("i,j->ij", v, v[:4])
o["einsum.ellipsis"] = torch.einsum("...ij->...ji", a)
o["einsum.implicit"] = torch.einsum("bij,bjk", a, b)
o["einsum.sum"] = torch.einsum("bij->j", a)
c = torch.randn(2, 5, 2, dtype=torch.float64)
o["ec"] = c
o["einsum.three"] = torch.einsum("bij,bjk,bkl->bil", a, b, c)

save_file({k: t.contiguous().clone() for k, t in o.items()}, "torch-core/tests/golden/core_index.safetensors")
print(f"wrote {len(o)} tensors")
