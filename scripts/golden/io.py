"""Writes the golden files for torch-core's io tests (torch-core/tests/io_npy.rs and
io_safetensors.rs) into torch-core/tests/golden/io/.

Needs only numpy and safetensors:  python scripts/golden/io.py

Every array is a simple function of np.arange so the Rust tests rebuild the expected values
from the same formula (see `expected_*` helpers there):
  base  = arange(6).reshape(2, 3)
  float = base * 0.25 - 0.5        (f2, f4, f8; exact in every float type)
  int   = base - 3                 (i1, i2, i4, i8)
  u1    = base * 40
  b1    = base % 2 == 0
  c8    = (base - 1) + 1j * (base * 0.5)
  a3    = arange(24, dtype=f4).reshape(2, 3, 4) * 0.5 - 3
"""

import json
import os
import struct

import numpy as np
import safetensors.numpy

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "torch-core", "tests", "golden", "io")


def base_values():
    base = np.arange(6).reshape(2, 3)
    return {
        "f2": (base * 0.25 - 0.5).astype("<f2"),
        "f4": (base * 0.25 - 0.5).astype("<f4"),
        "f8": (base * 0.25 - 0.5).astype("<f8"),
        "i1": (base - 3).astype("|i1"),
        "i2": (base - 3).astype("<i2"),
        "i4": (base - 3).astype("<i4"),
        "i8": (base - 3).astype("<i8"),
        "u1": (base * 40).astype("|u1"),
        "b1": base % 2 == 0,
        "c8": ((base - 1) + 1j * (base * 0.5)).astype("<c8"),
    }


def a3():
    return np.arange(24, dtype=np.float32).reshape(2, 3, 4) * np.float32(0.5) - np.float32(3)


def path(name):
    return os.path.join(OUT, name)


def write_npy():
    for code, arr in base_values().items():
        np.save(path(f"{code}_c.npy"), np.ascontiguousarray(arr))
        f = np.asfortranarray(arr)
        assert f.flags.f_contiguous and not f.flags.c_contiguous
        np.save(path(f"{code}_fortran.npy"), f)
    np.save(path("a3_c.npy"), a3())
    np.save(path("a3_fortran.npy"), np.asfortranarray(a3()))
    # Big-endian data: the reader must swap.
    vals = base_values()
    np.save(path("f8_be.npy"), vals["f8"].astype(">f8"))
    np.save(path("i4_be.npy"), vals["i4"].astype(">i4"))
    np.save(path("c8_be.npy"), vals["c8"].astype(">c8"))
    # Header versions 2.0 and 3.0.
    for version in [(2, 0), (3, 0)]:
        with open(path(f"a3_v{version[0]}.npy"), "wb") as fh:
            np.lib.format.write_array(fh, a3(), version=version)
    np.save(path("scalar.npy"), np.array(3.5, dtype=np.float32))
    np.save(path("empty.npy"), np.zeros((0, 3), dtype=np.float32))
    # A dtype torch-core lacks.
    np.save(path("u2.npy"), np.arange(4, dtype="<u2"))


def write_npz():
    vals = base_values()
    arrays = dict(a3=a3(), i8=vals["i8"], b1=vals["b1"], empty=np.zeros((0, 2), dtype=np.float64))
    np.savez(path("savez.npz"), vals["c8"], **arrays)
    np.savez_compressed(path("savez_compressed.npz"), vals["c8"], **arrays)


def write_safetensors_raw(file, entries, metadata=None):
    """Writes a safetensors file by hand: entries are (name, dtype string, shape, raw bytes)."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    for name, dtype, shape, data in entries:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(file, "wb") as fh:
        fh.write(struct.pack("<Q", len(text)))
        fh.write(text)
        for _, _, _, data in entries:
            fh.write(data)


def write_safetensors():
    vals = base_values()
    tensors = {
        "f16": vals["f2"],
        "f32": vals["f4"],
        "f64": vals["f8"],
        "i8": vals["i1"],
        "i16": vals["i2"],
        "i32": vals["i4"],
        "i64": vals["i8"],
        "u8": vals["u1"],
        "bool": vals["b1"],
        "c64": vals["c8"],
        "a3": a3(),
        "scalar": np.array(3.5, dtype=np.float32),
        "empty": np.zeros((0, 3), dtype=np.float32),
    }
    safetensors.numpy.save_file(
        tensors, path("numpy.safetensors"), metadata={"format": "np", "source": "scripts/golden/io.py"}
    )
    # NumPy has no bfloat16: write the upper halves of exactly representable f32 values.
    bf16 = (vals["f4"].view(np.uint32) >> 16).astype("<u2")
    write_safetensors_raw(path("bf16.safetensors"), [("bf16", "BF16", bf16.shape, bf16.tobytes())])


def main():
    os.makedirs(OUT, exist_ok=True)
    write_npy()
    write_npz()
    write_safetensors()
    print("wrote", len(os.listdir(OUT)), "files to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
