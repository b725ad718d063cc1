"""Golden for torch-audio's M5 (audio/tests/models.rs): the torchaudio speech-command
tutorial's M5 with n_output=10, seeded weights and running statistics, on two real clips of
the spoken-digits set (the Rust test loads the same files). Run:
    .venv/bin/python scripts/golden/audio_models.py
Writes audio/tests/golden/m5.safetensors: the state dict (keys prefixed "model."), eval-mode
log-probabilities, and one training step's loss and gradients (train mode, batch statistics).
"""
import pathlib

import soundfile as sf
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parents[2]
DIGITS = ROOT.parent / "shared" / "data" / "audio" / "spoken-digits"


class M5(nn.Module):  # verbatim from the torchaudio speech-command tutorial
    def __init__(self, n_input=1, n_output=35, stride=16, n_channel=32):
        super().__init__()
        self.conv1 = nn.Conv1d(n_input, n_channel, kernel_size=80, stride=stride)
        self.bn1 = nn.BatchNorm1d(n_channel)
        self.pool1 = nn.MaxPool1d(4)
        self.conv2 = nn.Conv1d(n_channel, n_channel, kernel_size=3)
        self.bn2 = nn.BatchNorm1d(n_channel)
        self.pool2 = nn.MaxPool1d(4)
        self.conv3 = nn.Conv1d(n_channel, 2 * n_channel, kernel_size=3)
        self.bn3 = nn.BatchNorm1d(2 * n_channel)
        self.pool3 = nn.MaxPool1d(4)
        self.conv4 = nn.Conv1d(2 * n_channel, 2 * n_channel, kernel_size=3)
        self.bn4 = nn.BatchNorm1d(2 * n_channel)
        self.pool4 = nn.MaxPool1d(4)
        self.fc1 = nn.Linear(2 * n_channel, n_output)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(self.bn1(x))
        x = self.pool1(x)
        x = self.conv2(x)
        x = F.relu(self.bn2(x))
        x = self.pool2(x)
        x = self.conv3(x)
        x = F.relu(self.bn3(x))
        x = self.pool3(x)
        x = self.conv4(x)
        x = F.relu(self.bn4(x))
        x = self.pool4(x)
        x = F.avg_pool1d(x, x.shape[-1])
        x = x.permute(0, 2, 1)
        x = self.fc1(x)
        return F.log_softmax(x, dim=2)


torch.manual_seed(0)
model = M5(n_output=10)
for name, buf in model.named_buffers():  # non-trivial running statistics
    if name.endswith("running_mean"):
        buf.copy_(torch.randn_like(buf) * 0.1)
    elif name.endswith("running_var"):
        buf.copy_(torch.rand_like(buf) + 0.5)
files = ["three/espeak_en-029_f2.wav", "seven/human_asterisk_allison_en-us.wav"]
x = torch.stack([torch.from_numpy(sf.read(DIGITS / f, dtype="float32")[0])[None] for f in files])
out = {f"model.{k}": v.clone() for k, v in model.state_dict().items()}
model.eval()
with torch.no_grad():
    out["eval_logp"] = model(x)
model.train()
target = torch.tensor([3, 7])
loss = F.nll_loss(model(x).squeeze(1), target)
loss.backward()
out["train_loss"] = loss.detach().reshape(1)
out["grad.conv1.weight"] = model.conv1.weight.grad
out["grad.fc1.weight"] = model.fc1.weight.grad
out["grad.bn3.weight"] = model.bn3.weight.grad
save_file({k: v.contiguous() for k, v in out.items()}, ROOT / "audio" / "tests" / "golden" / "m5.safetensors")
print(out["eval_logp"], loss.item())
