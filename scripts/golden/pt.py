"""Writes the golden PyTorch checkpoints for torch-core's .pt tests (torch-core/tests/io_pt.rs)
into torch-core/tests/golden/pt/.

Needs torch and safetensors:  python scripts/golden/pt.py

Files:
  state_zip.pt      the state dict below, torch.save default (zip) format
  state_legacy.pt   the same, _use_new_zipfile_serialization=False (legacy format)
  expected.safetensors  every tensor of the state dict, flattened with dots, contiguous
  values_zip.pt / values_legacy.pt  a checkpoint of plain Python values around a tensor
  uint16.pt, complex128.pt   dtypes torch-core lacks (must be named errors)

The state dict holds every dtype torch-core has, a 0-dim tensor, an empty tensor, a nested
dict, and views sharing one storage with another entry: a transpose (non-contiguous) and a
slice with a storage offset.
"""

import os
from collections import OrderedDict

import torch
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "torch-core", "tests", "golden", "pt")


def state_dict():
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) * 0.5 - 3  # exact in every float
    ints = torch.arange(12).reshape(3, 4) - 5
    sd = OrderedDict()
    sd["f32"] = base
    sd["f64"] = base.double() / 3  # not exact in f32: checks all 64 bits
    sd["f16"] = base.half()
    sd["bf16"] = base.bfloat16()
    sd["c64"] = torch.complex(base, -2 * base)
    sd["i64"] = ints * 10_000_000_000
    sd["i32"] = ints.int() * 100_000
    sd["i16"] = ints.short() * 1000
    sd["i8"] = ints.to(torch.int8)
    sd["u8"] = (torch.arange(12) * 21).to(torch.uint8).reshape(3, 4)
    sd["bool"] = (torch.arange(12) % 3 == 1).reshape(3, 4)
    sd["scalar"] = torch.tensor(2.5, dtype=torch.float64)
    sd["empty"] = torch.zeros(0, 3)
    sd["view_t"] = base.t()  # shares f32's storage, non-contiguous
    sd["view_offset"] = base[1:3, 2:5]  # shares f32's storage, offset 8, stride (6, 1)
    sd["nested"] = {"inner": {"w": torch.tensor([1.5, -2.5])}, "b": ints[1]}  # b: offset view
    return sd


def flatten(d, prefix=""):
    out = OrderedDict()
    for k, v in d.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, name + "."))
        else:
            out[name] = v.contiguous().clone()
    return out


def values():
    return {
        "epoch": 7,
        "lr": 0.125,
        "big": 2**40,
        "neg": -300,
        "name": "résumé",
        "flags": [True, False, None],
        "shape": torch.Size([2, 3]),
        "pair": (1, "two"),
        "blob": b"\x00\x01\xff",
        "param": torch.nn.Parameter(torch.tensor([0.5, 1.5])),
        "model": OrderedDict(w=torch.tensor([[1.0, 2.0]])),
        3: "int key",
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    sd = state_dict()
    assert sd["view_t"].untyped_storage().data_ptr() == sd["f32"].untyped_storage().data_ptr()
    assert sd["view_offset"].storage_offset() == 8
    torch.save(sd, os.path.join(OUT, "state_zip.pt"))
    torch.save(sd, os.path.join(OUT, "state_legacy.pt"), _use_new_zipfile_serialization=False)
    save_file(flatten(sd), os.path.join(OUT, "expected.safetensors"),
              metadata={"source": "scripts/golden/pt.py"})
    v = values()
    torch.save(v, os.path.join(OUT, "values_zip.pt"))
    torch.save(v, os.path.join(OUT, "values_legacy.pt"), _use_new_zipfile_serialization=False)
    torch.save({"x": torch.tensor([1, 2, 3], dtype=torch.uint16)}, os.path.join(OUT, "uint16.pt"))
    torch.save({"x": torch.zeros(2, dtype=torch.complex128)}, os.path.join(OUT, "complex128.pt"))
    # Every file must load with weights_only=True: the same allow-list the Rust reader has.
    for f in sorted(os.listdir(OUT)):
        if f.endswith(".pt"):
            torch.load(os.path.join(OUT, f), weights_only=True)
            print(f, os.path.getsize(os.path.join(OUT, f)), "bytes")


if __name__ == "__main__":
    main()
