"""Checks that numpy and safetensors read the files torch-core's writers produce.

Usage:
    TORCH_IO_OUT=/tmp/torch_io cargo test -p torch-core --test io_npy --test io_safetensors \
        -- --ignored write_files_for_python_check
    python scripts/golden/io_check_python_reads.py /tmp/torch_io

Loads every .npy, .npz and .safetensors file in the folder with numpy / safetensors and prints
each array's shape, dtype and first values. Exits non-zero if any file fails to load. NumPy has
no bfloat16, so BF16 safetensors entries are decoded by hand (upper halves of f32).
"""

import json
import os
import struct
import sys

import numpy as np
from safetensors import safe_open


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
                name += " (bf16)"
            else:
                arr = f.get_tensor(name)
            summary(name, arr)


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
                summary("", np.load(path))
            elif file.endswith(".npz"):
                print(file)
                with np.load(path) as z:
                    for key in z.files:
                        summary(key, z[key])
            elif file.endswith(".safetensors"):
                print(file)
                read_safetensors(path)
        except Exception as e:  # report every bad file, then fail
            failures += 1
            print(f"  FAILED: {type(e).__name__}: {e}")
    if failures:
        sys.exit(f"{failures} file(s) failed to load")
    print("all files loaded")


if __name__ == "__main__":
    main()
