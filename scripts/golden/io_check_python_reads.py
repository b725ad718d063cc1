"""Checks that numpy and safetensors read the files torch-core's writers produce.

Usage:
    TORCH_IO_OUT=/tmp/torch_io cargo test -p torch-core --test io_npy --test io_safetensors \
        -- --ignored write_files_for_python_check
    python scripts/golden/io_check_python_reads.py /tmp/torch_io

Loads every .npy, .npz and .safetensors file in the folder with numpy / safetensors, prints
each array's shape, dtype and first values, and compares every array with what the Rust test
wrote: `io_common::sample`'s values (element i is `i * 0.75 - 3.0` cast as Rust's `as` casts,
complex `(x, -2x)`, bool `i % 3 == 1`, u8 `i * 7 % 256`), the transposed entry as the transpose
of the f32 sample. Exits non-zero if any file fails to load or any array differs. NumPy has no
bfloat16, so BF16 safetensors entries are decoded by hand (upper halves of f32).
"""

import json
import os
import struct
import sys

import numpy as np
from safetensors import safe_open


# Kinds by npy code and by the safetensors entry names (`format!("{dtype:?}")`).
KINDS = {"Bool": "b1", "U8": "u1", "I8": "i1", "I16": "i2", "I32": "i4", "I64": "i8",
         "F16": "f2", "BF16": "bf", "F32": "f4", "F64": "f8", "C64": "c8"}
NUMPY = {"b1": np.bool_, "u1": np.uint8, "i1": np.int8, "i2": np.int16, "i4": np.int32,
         "i8": np.int64, "f2": np.float16, "bf": np.float32, "f4": np.float32,
         "f8": np.float64, "c8": np.complex64}


def sample(kind, shape):
    """`io_common::sample(dtype, shape)` in NumPy."""
    i = np.arange(int(np.prod(shape, dtype=np.int64)))
    x = i * 0.75 - 3.0
    if kind == "b1":
        v = i % 3 == 1
    elif kind == "u1":
        v = i * 7 % 256
    elif kind == "c8":
        v = x.astype(np.float32) + 1j * (-2.0 * x).astype(np.float32)
    elif kind[0] == "i":
        v = np.trunc(x)  # Rust's `as` truncates toward zero
    else:
        v = x
    return v.astype(NUMPY[kind]).reshape(shape)


def expected(name):
    """The array the Rust test wrote under `name` (a file stem or an entry name)."""
    key = name.removeprefix("rust_").removesuffix(" (bf16)")
    if key.startswith("transposed"):
        return sample("f4", (3, 4)).T
    if key.startswith("scalar"):
        return sample("f8", ())
    if key.startswith("empty"):
        return np.zeros((0, 3), np.int64)
    return sample(KINDS.get(key, key), (3, 4))


def compare(name, arr):
    want = expected(name)
    arr = np.asarray(arr)
    if arr.dtype != want.dtype or arr.shape != want.shape or not np.array_equal(arr, want):
        raise AssertionError(f"{name}: got {arr.dtype} {arr.shape} {arr.reshape(-1)[:6]}, "
                             f"want {want.dtype} {want.shape} {want.reshape(-1)[:6]}")


def summary(name, arr):
    flat = np.asarray(arr).reshape(-1)
    print(f"  {name:12s} shape={tuple(arr.shape)!s:10s} dtype={str(arr.dtype):10s} "
          f"values={flat[:6].tolist()}{' ...' if flat.size > 6 else ''}")


def read_safetensors(path):
    with open(path, "rb") as fh:
        (n,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(n))
        data = fh.read()
    meta = header.pop("__metadata__", None)
    if meta is not None:
        print(f"  metadata: {meta}")
    with safe_open(path, framework="numpy") as f:
        assert sorted(f.keys()) == sorted(header), "key mismatch"
        for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
            if info["dtype"] == "BF16":
                start, end = info["data_offsets"]
                raw = np.frombuffer(data[start:end], dtype="<u2").astype(np.uint32) << 16
                arr = raw.view(np.float32).reshape(info["shape"])
                summary(name + " (bf16)", arr)
            else:
                arr = f.get_tensor(name)
                summary(name, arr)
            compare(name if info["dtype"] != "BF16" else "BF16", arr)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    folder = sys.argv[1]
    failures = 0
    for file in sorted(os.listdir(folder)):
        path = os.path.join(folder, file)
        try:
            if file.endswith(".npy"):
                print(file)
                arr = np.load(path)
                summary("", arr)
                compare(file.removesuffix(".npy"), arr)
            elif file.endswith(".npz"):
                print(file)
                with np.load(path) as z:
                    for key in z.files:
                        summary(key, z[key])
                        compare(key, z[key])
            elif file.endswith(".safetensors"):
                print(file)
                read_safetensors(path)
        except Exception as e:  # report every bad file, then fail
            failures += 1
            print(f"  FAILED: {type(e).__name__}: {e}")
    if failures:
        sys.exit(f"{failures} file(s) failed to load or differ")
    print("all files loaded, every array equal to what the Rust test wrote")


if __name__ == "__main__":
    main()
