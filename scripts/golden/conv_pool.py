"""Goldens for torch-core convolution and pooling: inputs, outputs and gradients, written to
torch-core/tests/golden/conv_pool.safetensors. Run with the PyTorch venv (`.venv`, which
`benches/compare/run.sh` creates):
    .venv/bin/python scripts/golden/conv_pool.py
For a case `c`: inputs `c.x` (`c.w`, `c.b`), upstream gradient `c.gy`; PyTorch's results
`c.out` (`c.idx` for indices) and gradients `c.gx` (`c.gw`, `c.gb`). Float64 unless the name
ends in `_f32`. The options of each case are repeated in torch-core/tests/conv_pool.rs.
"""
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

torch.manual_seed(0)
out = {}


def case(name, fn, x, w=None, b=None, dtype=torch.float64):
    """Runs fn(x, w, b) with grads on and stores inputs, output and gradients."""
    leaves = {"x": x, "w": w, "b": b}
    leaves = {k: v.to(dtype).requires_grad_() for k, v in leaves.items() if v is not None}
    res = fn(leaves["x"], leaves.get("w"), leaves.get("b"))
    if isinstance(res, tuple):
        res, idx = res
        out[f"{name}.idx"] = idx.contiguous()
    gy = torch.randn(res.shape, dtype=dtype)
    res.backward(gy)
    out[f"{name}.out"] = res.detach().contiguous()
    out[f"{name}.gy"] = gy
    for k, v in leaves.items():
        out[f"{name}.{k}"] = v.detach().contiguous()
        out[f"{name}.g{k}"] = v.grad.contiguous()


r = torch.randn

# conv2d
case("conv2d_basic", lambda x, w, b: F.conv2d(x, w, b), r(2, 3, 7, 6), r(4, 3, 3, 3), r(4))
case("conv2d_stride2_pad1_nonsquare", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
     r(2, 3, 9, 8), r(4, 3, 3, 2), r(4))
case("conv2d_stride_2x1_pad_0x2", lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(0, 2)),
     r(1, 2, 8, 5), r(3, 2, 2, 3), r(3))
case("conv2d_dilation2", lambda x, w, b: F.conv2d(x, w, b, padding=(2, 1), dilation=2),
     r(2, 2, 9, 7), r(3, 2, 3, 3), r(3))
case("conv2d_groups2", lambda x, w, b: F.conv2d(x, w, b, padding=1, groups=2),
     r(2, 4, 6, 7), r(6, 2, 3, 3), r(6))
case("conv2d_depthwise", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, groups=4),
     r(2, 4, 7, 7), r(8, 1, 3, 3), r(8))
case("conv2d_same_even", lambda x, w, b: F.conv2d(x, w, b, padding="same", dilation=(1, 2)),
     r(2, 3, 7, 6), r(2, 3, 4, 2), r(2))
case("conv2d_valid", lambda x, w, b: F.conv2d(x, w, None, padding="valid"),
     r(1, 3, 5, 6), r(2, 3, 2, 2))
case("conv2d_1x1", lambda x, w, b: F.conv2d(x, w, b), r(2, 5, 4, 3), r(6, 5, 1, 1), r(6))
case("conv2d_1x1_stride2", lambda x, w, b: F.conv2d(x, w, b, stride=2), r(2, 5, 5, 4), r(3, 5, 1, 1), r(3))
case("conv2d_unbatched", lambda x, w, b: F.conv2d(x, w, b, padding=1), r(3, 5, 6), r(2, 3, 3, 3), r(2))
case("conv2d_basic_f32", lambda x, w, b: F.conv2d(x, w, b, padding=1),
     r(2, 8, 10, 9), r(5, 8, 3, 3), r(5), dtype=torch.float32)

# conv1d
case("conv1d_basic", lambda x, w, b: F.conv1d(x, w, b), r(2, 3, 9), r(4, 3, 3), r(4))
case("conv1d_stride2_pad1_dil2", lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, dilation=2),
     r(2, 3, 11), r(4, 3, 3), r(4))
case("conv1d_groups", lambda x, w, b: F.conv1d(x, w, b, padding=1, groups=3), r(2, 6, 8), r(3, 2, 3), r(3))
case("conv1d_same_even", lambda x, w, b: F.conv1d(x, w, b, padding="same"), r(2, 3, 8), r(2, 3, 4), r(2))
case("conv1d_unbatched", lambda x, w, b: F.conv1d(x, w, b, stride=2), r(3, 10), r(2, 3, 4), r(2))

# conv_transpose2d
case("convt2d_basic", lambda x, w, b: F.conv_transpose2d(x, w, b), r(2, 3, 4, 5), r(3, 4, 3, 3), r(4))
case("convt2d_stride2_pad1_outpad1", lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
     r(2, 3, 4, 5), r(3, 2, 3, 3), r(2))
case("convt2d_groups2", lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, groups=2),
     r(2, 4, 3, 4), r(4, 3, 3, 2), r(6))
case("convt2d_dilation2", lambda x, w, b: F.conv_transpose2d(x, w, b, padding=1, dilation=2),
     r(1, 2, 5, 4), r(2, 3, 3, 3), r(3))
case("convt2d_stride_3x2_nonsquare", lambda x, w, b: F.conv_transpose2d(x, w, b, stride=(3, 2), padding=(1, 0), output_padding=(2, 1)),
     r(2, 2, 3, 4), r(2, 3, 4, 2), r(3))
case("convt2d_stride1_bigpad", lambda x, w, b: F.conv_transpose2d(x, w, b, padding=2),
     r(1, 2, 6, 6), r(2, 3, 3, 3), r(3))
case("convt2d_unbatched", lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1),
     r(3, 4, 4), r(3, 2, 3, 3), r(2))
case("convt2d_f32", lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
     r(2, 6, 5, 5), r(6, 4, 3, 3), r(4), dtype=torch.float32)

# conv_transpose1d
case("convt1d_stride2_outpad1", lambda x, w, b: F.conv_transpose1d(x, w, b, stride=2, padding=1, output_padding=1),
     r(2, 3, 6), r(3, 2, 3), r(2))
case("convt1d_groups", lambda x, w, b: F.conv_transpose1d(x, w, b, groups=3, dilation=2),
     r(2, 6, 5), r(6, 1, 3), r(3))
case("convt1d_unbatched", lambda x, w, b: F.conv_transpose1d(x, w, b, stride=3), r(2, 4), r(2, 3, 2), r(3))

# max pooling
case("maxpool2d_k2", lambda x, w, b: F.max_pool2d(x, 2, return_indices=True), r(2, 3, 6, 7))
case("maxpool2d_k3_s2_p1", lambda x, w, b: F.max_pool2d(x, 3, stride=2, padding=1, return_indices=True), r(2, 2, 7, 8))
case("maxpool2d_dilation2", lambda x, w, b: F.max_pool2d(x, 2, stride=1, padding=1, dilation=2, return_indices=True), r(1, 2, 6, 5))
case("maxpool2d_ceil", lambda x, w, b: F.max_pool2d(x, 3, stride=2, ceil_mode=True, return_indices=True), r(2, 2, 8, 6))
case("maxpool2d_nonsquare", lambda x, w, b: F.max_pool2d(x, (3, 2), stride=(2, 1), padding=(1, 0), return_indices=True), r(1, 3, 7, 5))
case("maxpool2d_unbatched", lambda x, w, b: F.max_pool2d(x, 2, return_indices=True), r(3, 5, 5))
case("maxpool1d_k3_s2_p1_ceil", lambda x, w, b: F.max_pool1d(x, 3, stride=2, padding=1, ceil_mode=True, return_indices=True), r(2, 3, 10))
case("maxpool1d_dilation", lambda x, w, b: F.max_pool1d(x, 2, dilation=3, return_indices=True), r(3, 11))

# average pooling
case("avgpool2d_k3_s2_p1", lambda x, w, b: F.avg_pool2d(x, 3, stride=2, padding=1), r(2, 2, 7, 8))
case("avgpool2d_exclude_pad", lambda x, w, b: F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False), r(2, 2, 7, 8))
case("avgpool2d_ceil", lambda x, w, b: F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True), r(1, 2, 8, 6))
case("avgpool2d_ceil_exclude", lambda x, w, b: F.avg_pool2d(x, 2, stride=2, ceil_mode=True, count_include_pad=False), r(1, 2, 5, 7))
case("avgpool2d_divisor", lambda x, w, b: F.avg_pool2d(x, (3, 2), stride=(1, 2), padding=(1, 1), divisor_override=5), r(2, 2, 6, 5))
case("avgpool2d_unbatched", lambda x, w, b: F.avg_pool2d(x, 2), r(3, 6, 4))
case("avgpool1d_k3_s2_p1_ceil", lambda x, w, b: F.avg_pool1d(x, 3, stride=2, padding=1, ceil_mode=True), r(2, 3, 10))
case("avgpool1d_exclude_pad", lambda x, w, b: F.avg_pool1d(x, 4, stride=3, padding=2, count_include_pad=False), r(2, 11))

# adaptive pooling
case("adaptive_avg2d_3x4", lambda x, w, b: F.adaptive_avg_pool2d(x, (3, 4)), r(2, 3, 7, 9))
case("adaptive_avg2d_up", lambda x, w, b: F.adaptive_avg_pool2d(x, (5, 3)), r(1, 2, 3, 3))
case("adaptive_avg1d", lambda x, w, b: F.adaptive_avg_pool1d(x, 4), r(2, 3, 10))
case("adaptive_max2d_3x4", lambda x, w, b: F.adaptive_max_pool2d(x, (3, 4), return_indices=True), r(2, 3, 7, 9))
case("adaptive_max2d_unbatched", lambda x, w, b: F.adaptive_max_pool2d(x, 2, return_indices=True), r(2, 5, 5))
case("adaptive_max1d", lambda x, w, b: F.adaptive_max_pool1d(x, 3, return_indices=True), r(2, 2, 8))

# unfold / fold
case("unfold_k2x3_d12_p1_s21", lambda x, w, b: F.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), r(2, 3, 6, 7))
case("unfold_unbatched", lambda x, w, b: F.unfold(x, 2, stride=2), r(2, 4, 5))
case("fold_k3_p1_s2", lambda x, w, b: F.fold(x, (7, 6), 3, padding=1, stride=2), r(2, 2 * 9, 12))
case("fold_unbatched", lambda x, w, b: F.fold(x, (4, 5), (2, 2), dilation=(2, 1)), r(4 * 4, 2 * 4))

# Stride-1 convolutions with >= 8 channels per group take the shifted-gemm kernels.
case("conv2d_shifted_groups_dilation", lambda x, w, b: F.conv2d(x, w, b, padding=(2, 0), dilation=(2, 1), groups=2),
     r(2, 16, 9, 8), r(12, 8, 3, 2), r(12))
case("conv2d_shifted_same_even", lambda x, w, b: F.conv2d(x, w, b, padding="same"), r(1, 8, 7, 6), r(4, 8, 4, 3), r(4))
case("convt2d_shifted_crop", lambda x, w, b: F.conv_transpose2d(x, w, b, padding=3), r(1, 8, 7, 7), r(8, 5, 3, 3), r(5))
case("convt2d_shifted_groups_dilation", lambda x, w, b: F.conv_transpose2d(x, w, b, padding=1, groups=2, dilation=2),
     r(2, 16, 5, 6), r(16, 3, 3, 3), r(6))

# Max pool over a wide row (70 outputs: more than one 64-output block of the vectorised
# kernel) with ties and NaN, whose winners must be PyTorch's (first maximum in window order,
# NaN wins); stride-1 windows take the gathering path.
tied = torch.randint(0, 3, (2, 2, 4, 140)).float()
tied[0, 0, 1, 5] = float("nan")
tied[1, 1, 2, 133] = float("nan")
case("maxpool2d_k2_wide_ties_nan_f32", lambda x, w, b: F.max_pool2d(x, 2, return_indices=True),
     tied.clone(), dtype=torch.float32)
case("maxpool2d_k2_s1_wide_ties_nan_f32",
     lambda x, w, b: F.max_pool2d(x, 2, stride=1, return_indices=True), tied.clone(), dtype=torch.float32)

save_file(out, "torch-core/tests/golden/conv_pool.safetensors")
print(f"{len(out)} tensors")
