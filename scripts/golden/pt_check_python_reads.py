"""Checks that torch.load(weights_only=True) reads the checkpoint torch-core's save_pt writes.

Usage:
    TORCH_IO_OUT=/tmp/torch_pt cargo test -p torch-core --test io_pt -- --ignored \
        write_files_for_python_check
    python scripts/golden/pt_check_python_reads.py /tmp/torch_pt

The Rust test writes the same tensors twice: rust_state.pt (save_pt) and rust_state.safetensors
(save_safetensors, itself checked by io_check_python_reads.py). This script loads the .pt with
torch.load(weights_only=True) and with mmap=True, and checks that it is an OrderedDict with the
same keys in the same order and bit-identical tensors (dtype, shape, values), all contiguous
and without requires_grad. Exits non-zero on any difference.
"""

import os
import sys
from collections import OrderedDict

import torch
from safetensors.torch import load_file


def check(sd, expected, order):
    assert isinstance(sd, OrderedDict), type(sd)
    assert list(sd) == order, f"keys {list(sd)} != {order}"
    for name, want in expected.items():
        got = sd[name]
        assert got.dtype == want.dtype, f"{name}: dtype {got.dtype} != {want.dtype}"
        assert got.shape == want.shape, f"{name}: shape {tuple(got.shape)} != {tuple(want.shape)}"
        assert got.is_contiguous() and not got.requires_grad, name
        assert torch.equal(got, want), f"{name}: values differ"
        flat = got.reshape(-1)
        print(f"  {name:18s} {str(got.dtype):15s} {tuple(got.shape)!s:10s} {flat[:4].tolist()}")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    folder = sys.argv[1]
    pt = os.path.join(folder, "rust_state.pt")
    expected = load_file(os.path.join(folder, "rust_state.safetensors"))
    # safetensors reorders by dtype; save_pt keeps the caller's order, which the Rust test
    # fixes as: every dtype (DType::ALL), then these.
    order = ["Bool", "U8", "I8", "I16", "I32", "I64", "F16", "BF16", "F32", "F64", "C64",
             "layer.transposed", "scalar", "empty", "big"]
    print(pt)
    check(torch.load(pt, weights_only=True), expected, order)
    print(pt, "(mmap=True)")
    check(torch.load(pt, weights_only=True, mmap=True), expected, order)
    print("torch.load read every tensor exactly")


if __name__ == "__main__":
    main()
