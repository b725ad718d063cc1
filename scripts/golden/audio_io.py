"""Goldens for torch-audio io (audio/tests/io.rs), from soundfile (libsndfile), the reference
decoder. Run with the workspace venv:
    .venv/bin/python scripts/golden/audio_io.py
Writes into audio/tests/golden/:
  * io.safetensors: for each real file in ../shared/data/audio, soundfile's samples as a few
    small slices plus whole-file checksums (sum, weighted sum, sum of squares) in float64;
  * wav_{u8,s16,s24,s32,f32}.wav: 1000 stereo frames cut from a LibriVox excerpt, written by
    libsndfile in each WAV sample format (the decoder must read all of them);
  * sense_0880.mp3: made with Debian's LAME 3.100 (`apt-get install lame`) from the LibriVox
    file -0880.wav at 48 kbit/s CBR. soundfile's decode of it (mpg123, gapless) is the
    reference for the MP3 tests.
"""
import json
import pathlib
import subprocess

import numpy as np
import soundfile as sf
import torch
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "audio"
OUT = ROOT / "audio" / "tests" / "golden"
OUT.mkdir(parents=True, exist_ok=True)

# 1. The MP3, from a real encoder.
mp3 = OUT / "sense_0880.mp3"
wav_src = DATA / "librivox" / "sense_and_sensibility_01_austen_64kb-0880.wav"
subprocess.run(["lame", "--quiet", "-b", "48", "--cbr", str(wav_src), str(mp3)], check=True)

# 2. Every WAV sample format, from a real excerpt (stereo: the file and its reverse).
x, sr = sf.read(DATA / "librivox" / "sense_and_sensibility_01_austen_64kb-0870.wav", dtype="float32")
seg = x[20000:21000]
stereo = np.stack([seg, seg[::-1] * 0.5], axis=1)
for name, sub in [("u8", "PCM_U8"), ("s16", "PCM_16"), ("s24", "PCM_24"), ("s32", "PCM_32"), ("f32", "FLOAT")]:
    sf.write(OUT / f"wav_{name}.wav", stereo, sr, subtype=sub)

files = {
    "librivox_0870": DATA / "librivox" / "sense_and_sensibility_01_austen_64kb-0870.wav",
    "librivox_0880_flac": DATA / "librivox" / "sense_and_sensibility_01_austen_64kb-0880.flac",
    "alsa_front_center": DATA / "alsa" / "Front_Center.wav",
    "asterisk_digit_7": DATA / "asterisk-en" / "digits" / "7.wav",
    "bell_oga": DATA / "freedesktop" / "bell.oga",
    "complete_oga": DATA / "freedesktop" / "complete.oga",
    "mp3": mp3,
}
for name in ["u8", "s16", "s24", "s32", "f32"]:
    files[f"wav_{name}"] = OUT / f"wav_{name}.wav"

out = {}
meta = {}
for key, path in files.items():
    info = sf.info(path)
    y, sr = sf.read(path, dtype="float32", always_2d=True)  # (frames, channels)
    y = torch.from_numpy(np.ascontiguousarray(y.T))          # (channels, frames)
    y64 = y.double()
    n = y.shape[1]
    w = (torch.arange(n, dtype=torch.float64) % 7 + 1)
    out[f"{key}.head"] = y[:, :64].contiguous()
    mid = n // 2
    out[f"{key}.mid"] = y[:, mid:mid + 1000].contiguous()
    out[f"{key}.sums"] = torch.stack([y64.sum(1), (y64 * w).sum(1), (y64 * y64).sum(1)], 1)
    meta[key] = {"path": str(path.relative_to(DATA) if DATA in path.parents else path.relative_to(ROOT / "audio")),
                 "sample_rate": sr, "frames": n, "channels": info.channels, "subtype": info.subtype, "mid": mid}
    if "wav_" in key and key != "wav_f32":
        dt = {"wav_u8": "int16", "wav_s16": "int16", "wav_s24": "int32", "wav_s32": "int32"}[key]
        yi, _ = sf.read(path, dtype=dt, always_2d=True)
        out[f"{key}.int"] = torch.from_numpy(np.ascontiguousarray(yi.T))
# load() with frame_offset/num_frames on the FLAC: the same samples as a slice.
save_file(out, OUT / "io.safetensors")
(OUT / "io.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
print({k: (v["frames"], v["sample_rate"], v["subtype"]) for k, v in meta.items()})
