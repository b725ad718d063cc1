"""Goldens for torch-audio's Silero VAD (audio/tests/silero_vad.rs) from the official model:
the PyPI silero-vad package's OnnxWrapper running silero_vad_16k_op15.onnx under onnxruntime
(the file ../shared/data/models/silero-vad/silero_vad_v6_16k_from_onnx.safetensors holds its
initializers). For two LibriVox utterances: the speech probability of every 512-sample chunk
(the wrapper keeps a 64-sample context and the LSTM state across chunks) and the segments of
get_speech_timestamps with its defaults. Run:
    .venv/bin/python scripts/golden/audio_silero.py
Writes audio/tests/golden/silero_vad.json.
"""
import json
import pathlib

import silero_vad
import soundfile as sf
import torch
from silero_vad.utils_vad import OnnxWrapper, get_speech_timestamps, get_speech_timestamps_from_probs

ROOT = pathlib.Path(__file__).resolve().parents[2]
LIBRIVOX = ROOT.parent / "shared" / "data" / "audio" / "librivox"
onnx = pathlib.Path(silero_vad.__file__).parent / "data" / "silero_vad_16k_op15.onnx"
model = OnnxWrapper(str(onnx), force_onnx_cpu=True)
out = {}
read = lambda n: torch.from_numpy(sf.read(LIBRIVOX / f"sense_and_sensibility_01_austen_64kb-{n}.wav", dtype="float32")[0])
# The third input is -0880, one second of silence, then -0930 (two segments).
inputs = {"0870": read("0870"), "0890": read("0890"),
          "0880+silence+0930": torch.cat([read("0880"), torch.zeros(16000), read("0930")])}
for name, wav in inputs.items():
    model.reset_states()
    probs = []
    for start in range(0, len(wav), 512):
        chunk = wav[start:start + 512]
        if len(chunk) < 512:
            chunk = torch.nn.functional.pad(chunk, (0, 512 - len(chunk)))
        probs.append(model(chunk, 16000).item())
    segments = get_speech_timestamps(wav, model, sampling_rate=16000)
    out[name] = {"probs": probs, "segments": [[s["start"], s["end"]] for s in segments]}
    print(name, len(probs), segments)
# The segmenting rules alone, on seeded probabilities, with a maximum speech length (both
# ways of cutting) and other options.
g = torch.Generator().manual_seed(0)
probs = (torch.rand(300, generator=g) * 0.3 + (torch.arange(300) % 70 < 45) * 0.6).tolist()
cases = []
for kw in [{}, {"max_speech_duration_s": 1.0}, {"max_speech_duration_s": 1.0, "use_max_poss_sil_at_max_speech": False},
           {"threshold": 0.6, "min_silence_duration_ms": 300, "speech_pad_ms": 100, "min_speech_duration_ms": 500}]:
    seg = get_speech_timestamps_from_probs(probs, audio_length_samples=300 * 512 - 100, **kw)
    cases.append({"options": kw, "segments": [[s["start"], s["end"]] for s in seg]})
out["rules"] = {"probs": probs, "audio_length_samples": 300 * 512 - 100, "cases": cases}
print(cases)
(ROOT / "audio" / "tests" / "golden" / "silero_vad.json").write_text(json.dumps(out) + "\n")
