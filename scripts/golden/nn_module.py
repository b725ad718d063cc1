"""Prints the repr and the parameter/module names PyTorch gives the model that
torch-nn/tests/module.rs builds; the test embeds this output verbatim."""
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4, bias=False)
        self.act = nn.LeakyReLU(0.2)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([Block(), Block()])
        self.head = nn.Sequential(nn.Linear(4, 2), nn.GELU(), nn.Softplus())
        self.register_buffer("step", torch.zeros(1, dtype=torch.int64))
        self.register_buffer("cache", torch.zeros(2), persistent=False)


net = Net()
print(net)
print([k for k, _ in net.named_parameters()])
print([k for k, _ in net.named_buffers()])
print(list(net.state_dict().keys()))
print([k for k, _ in net.named_modules()])
