#!/usr/bin/env bash
# One command for the side-by-side comparison: ensures the PyTorch venv, builds and runs
# `compare` in release, runs bench_torch.py, prints the markdown table for benches/RESULTS.md.
#
#   benches/compare/run.sh [--threads 1,2] [--filter SUBSTR] [--min-secs 1.0]
#
# Arguments go to both sides. The JSON lines are kept in benches/compare/out/ (ignored).
# The venv is `.venv` at the main checkout's root (shared by its git worktrees); override with
# TORCH_VENV=/path/to/venv.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(git -C "$here" rev-parse --show-toplevel)"
main_root="$(dirname "$(git -C "$here" rev-parse --path-format=absolute --git-common-dir)")"
venv="${TORCH_VENV:-$main_root/.venv}"
out="$here/out"
mkdir -p "$out"

if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
    echo "creating the PyTorch venv in $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install torch==2.11.0 torchvision==0.26.0 torchaudio==2.11.0
fi

cd "$root"
echo "building compare (release)" >&2
cargo build --release -p benches --bin compare >&2
target_dir="${CARGO_TARGET_DIR:-$root/target}"

echo "running ours" >&2
"$target_dir/release/compare" "$@" | tee "$out/ours.jsonl" >&2
echo "running PyTorch" >&2
# OPENBLAS_CORETYPE (set for our environment) is dropped for the torch run only.
env -u OPENBLAS_CORETYPE "$venv/bin/python" "$here/bench_torch.py" "$@" | tee "$out/torch.jsonl" >&2

"$venv/bin/python" "$here/table.py" "$out/ours.jsonl" "$out/torch.jsonl" | tee "$out/table.md"
