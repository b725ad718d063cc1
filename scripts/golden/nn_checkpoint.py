"""A small model saved by PyTorch three ways (safetensors, torch.save zip, torch.save legacy)
with an input and its eval-mode output, for torch-nn/tests/checkpoint_files.rs.
    .venv/bin/python scripts/golden/nn_checkpoint.py
"""
import torch
import torch.nn as nn
from safetensors.torch import save_file

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
        self.emb = nn.Embedding(5, 6)


net = Net()
# Non-trivial running statistics.
net.train()
for _ in range(3):
    net.body(torch.randn(16, 6))
net.eval()
idx = torch.tensor([[0, 3], [4, 1]])
out = net.body(net.emb(idx).sum(1))
d = "torch-nn/tests/golden/"
sd = net.state_dict()
save_file({k: v.contiguous() for k, v in sd.items()}, d + "net.safetensors")
torch.save(sd, d + "net_zip.pt")
torch.save(sd, d + "net_legacy.pt", _use_new_zipfile_serialization=False)
save_file({"idx": idx, "out": out.detach()}, d + "net_io.safetensors")
