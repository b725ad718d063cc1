"""Goldens for torch-nn's recurrent layers, attention and Transformer, written to
torch-nn/tests/golden/nn_seq.safetensors. Run with the PyTorch venv (`.venv`, which
`benches/compare/run.sh` creates):
    .venv/bin/python scripts/golden/nn_seq.py

Each case `c` stores, under keys starting with `c.`:
  c.sd.<key>    the module's state_dict (PyTorch's key names),
  c.in.<name>   the forward inputs (masks included),
  c.out.<name>  the forward outputs,
  c.w.<name>    a fixed random tensor per output; the loss is sum((out * w).sum()),
  c.gin.<name>  the loss's gradient with respect to each float input,
  c.gp.<key>    the loss's gradient with respect to each parameter.
Every case is deterministic (dropout 0, or eval mode). Autograd is on and the parameters
require grad, so PyTorch takes its reference (non-fast) paths.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

out = {}


def case(name, module, inputs, run, grad_inputs=()):
    """`run(module, inputs)` returns a dict of named outputs."""
    if module is not None:
        for k, v in module.state_dict().items():
            out[f"{name}.sd.{k}"] = v.detach().clone().contiguous()
    for k, v in inputs.items():
        if k in grad_inputs:
            v.requires_grad_(True)
        out[f"{name}.in.{k}"] = v.detach().clone().contiguous()
    outputs = run(module, inputs)
    g = torch.Generator().manual_seed(1234)
    loss = 0.0
    for k, v in outputs.items():
        w = torch.randn(v.shape, generator=g, dtype=v.dtype)
        out[f"{name}.out.{k}"] = v.detach().clone().contiguous()
        out[f"{name}.w.{k}"] = w
        loss = loss + (v * w).sum()
    loss.backward()
    for k in grad_inputs:
        out[f"{name}.gin.{k}"] = inputs[k].grad.detach().clone()
    if module is not None:
        for k, p in module.named_parameters():
            out[f"{name}.gp.{k}"] = p.grad.detach().clone()


def randn(*shape):
    return torch.randn(*shape)


# ---------------------------------------------------------------- recurrent layers
torch.manual_seed(0)
m = nn.LSTM(5, 6, num_layers=2, batch_first=True, bidirectional=True, dropout=0.3).eval()
case("lstm_2l_bi_bf", m, {"x": randn(3, 4, 5)},
     lambda m, i: dict(zip(["y", "h", "c"], (lambda o: (o[0], *o[1]))(m(i["x"])))), ["x"])

torch.manual_seed(1)
m = nn.LSTM(5, 6, num_layers=2, proj_size=3, bidirectional=True)
case("lstm_proj", m, {"x": randn(4, 2, 5), "h0": randn(4, 2, 3), "c0": randn(4, 2, 6)},
     lambda m, i: dict(zip(["y", "h", "c"], (lambda o: (o[0], *o[1]))(m(i["x"], (i["h0"], i["c0"]))))),
     ["x", "h0", "c0"])

torch.manual_seed(2)
m = nn.LSTM(5, 6)
case("lstm_unbatched", m, {"x": randn(4, 5), "h0": randn(1, 6), "c0": randn(1, 6)},
     lambda m, i: dict(zip(["y", "h", "c"], (lambda o: (o[0], *o[1]))(m(i["x"], (i["h0"], i["c0"]))))),
     ["x", "h0", "c0"])

torch.manual_seed(3)
m = nn.GRU(5, 6, num_layers=2)
case("gru_h0", m, {"x": randn(4, 3, 5), "h0": randn(2, 3, 6)},
     lambda m, i: dict(zip(["y", "h"], m(i["x"], i["h0"]))), ["x", "h0"])

torch.manual_seed(4)
m = nn.GRU(5, 6, bidirectional=True, bias=False, batch_first=True)
case("gru_bi_nobias", m, {"x": randn(2, 4, 5)},
     lambda m, i: dict(zip(["y", "h"], m(i["x"]))), ["x"])

torch.manual_seed(5)
m = nn.RNN(5, 6, nonlinearity="relu", bidirectional=True)
case("rnn_relu", m, {"x": randn(4, 3, 5)},
     lambda m, i: dict(zip(["y", "h"], m(i["x"]))), ["x"])

torch.manual_seed(6)
m = nn.RNN(5, 6, num_layers=2)
case("rnn_tanh_unbatched", m, {"x": randn(4, 5), "h0": randn(2, 6)},
     lambda m, i: dict(zip(["y", "h"], m(i["x"], i["h0"]))), ["x", "h0"])

torch.manual_seed(7)
m = nn.RNNCell(5, 6)
case("rnn_cell_tanh", m, {"x": randn(3, 5), "h": randn(3, 6)},
     lambda m, i: {"h": m(i["x"], i["h"])}, ["x", "h"])

torch.manual_seed(8)
m = nn.RNNCell(5, 6, nonlinearity="relu", bias=False)
case("rnn_cell_relu", m, {"x": randn(3, 5)}, lambda m, i: {"h": m(i["x"])}, ["x"])

torch.manual_seed(9)
m = nn.LSTMCell(5, 6)
case("lstm_cell", m, {"x": randn(3, 5), "h": randn(3, 6), "c": randn(3, 6)},
     lambda m, i: dict(zip(["h", "c"], m(i["x"], (i["h"], i["c"])))), ["x", "h", "c"])

torch.manual_seed(10)
m = nn.GRUCell(5, 6)
case("gru_cell", m, {"x": randn(3, 5), "h": randn(3, 6)},
     lambda m, i: {"h": m(i["x"], i["h"])}, ["x", "h"])

torch.manual_seed(11)
m = nn.GRUCell(5, 6)
case("gru_cell_unbatched", m, {"x": randn(5), "h": randn(6)},
     lambda m, i: {"h": m(i["x"], i["h"])}, ["x", "h"])

# ---------------------------------------------------------------- attention
torch.manual_seed(20)
mask = torch.rand(3, 5) > 0.3
mask[:, 0] = True
case("sdpa_bool", None,
     {"q": randn(2, 2, 3, 4), "k": randn(2, 2, 5, 4), "v": randn(2, 2, 5, 6), "mask": mask},
     lambda m, i: {"y": F.scaled_dot_product_attention(i["q"], i["k"], i["v"], attn_mask=i["mask"])},
     ["q", "k", "v"])

torch.manual_seed(21)
mask = torch.ones(3, 5, dtype=torch.bool)
mask[1] = False
case("sdpa_bool_masked_row", None,
     {"q": randn(1, 3, 4), "k": randn(1, 5, 4), "v": randn(1, 5, 4), "mask": mask},
     lambda m, i: {"y": F.scaled_dot_product_attention(i["q"], i["k"], i["v"], attn_mask=i["mask"])},
     ["q", "k", "v"])

torch.manual_seed(22)
case("sdpa_float", None,
     {"q": randn(2, 2, 3, 4), "k": randn(2, 2, 5, 4), "v": randn(2, 2, 5, 4),
      "mask": randn(2, 1, 3, 5)},
     lambda m, i: {"y": F.scaled_dot_product_attention(i["q"], i["k"], i["v"], attn_mask=i["mask"],
                                                       scale=0.3)},
     ["q", "k", "v", "mask"])

torch.manual_seed(23)
case("sdpa_causal", None,
     {"q": randn(2, 3, 4, 4), "k": randn(2, 3, 6, 4), "v": randn(2, 3, 6, 5)},
     lambda m, i: {"y": F.scaled_dot_product_attention(i["q"], i["k"], i["v"], is_causal=True)},
     ["q", "k", "v"])

torch.manual_seed(30)
m = nn.MultiheadAttention(8, 2, kdim=3, vdim=5, batch_first=True)
kpm = torch.zeros(2, 6, dtype=torch.bool)
kpm[0, 4:] = True
kpm[1, 5] = True
am = torch.rand(4, 6) > 0.8
am[:, 0] = False
case("mha_kv", m,
     {"q": randn(2, 4, 8), "k": randn(2, 6, 3), "v": randn(2, 6, 5), "kpm": kpm, "am": am},
     lambda m, i: dict(zip(["y", "w"], m(i["q"], i["k"], i["v"], key_padding_mask=i["kpm"],
                                         attn_mask=i["am"]))),
     ["q", "k", "v"])

torch.manual_seed(31)
m = nn.MultiheadAttention(8, 2)
x = randn(4, 2, 8)
case("mha_self_heads", m, {"x": x, "am": randn(4, 4)},
     lambda m, i: dict(zip(["y", "w"], m(i["x"], i["x"], i["x"], attn_mask=i["am"],
                                         average_attn_weights=False))),
     ["x"])

torch.manual_seed(32)
m = nn.MultiheadAttention(8, 2, dropout=0.5).eval()
kpm = torch.zeros(2, 5)
kpm[0, 3:] = float("-inf")
case("mha_no_weights", m,
     {"q": randn(4, 2, 8), "k": randn(5, 2, 8), "v": randn(5, 2, 8), "kpm": kpm,
      "am": randn(4, 4, 5)},
     lambda m, i: {"y": m(i["q"], i["k"], i["v"], key_padding_mask=i["kpm"], attn_mask=i["am"],
                          need_weights=False)[0]},
     ["q", "k", "v"])

torch.manual_seed(33)
m = nn.MultiheadAttention(8, 4, bias=False)
case("mha_unbatched", m, {"q": randn(3, 8), "k": randn(5, 8), "v": randn(5, 8)},
     lambda m, i: dict(zip(["y", "w"], m(i["q"], i["k"], i["v"]))), ["q", "k", "v"])

torch.manual_seed(34)
m = nn.MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True)
case("mha_bias_kv", m,
     {"q": randn(4, 2, 8), "k": randn(5, 2, 8), "v": randn(5, 2, 8),
      "kpm": torch.tensor([[False] * 4 + [True], [False] * 5])},
     lambda m, i: dict(zip(["y", "w"], m(i["q"], i["k"], i["v"], key_padding_mask=i["kpm"]))),
     ["q", "k", "v"])

torch.manual_seed(35)
m = nn.MultiheadAttention(8, 2, batch_first=True)
x = randn(2, 4, 8)
cm = nn.Transformer.generate_square_subsequent_mask(4)
case("mha_causal_hint", m, {"x": x, "am": cm},
     lambda m, i: {"y": m(i["x"], i["x"], i["x"], attn_mask=i["am"], is_causal=True,
                          need_weights=False)[0]},
     ["x"])

# ---------------------------------------------------------------- transformer
torch.manual_seed(40)
layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1)
m = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8), enable_nested_tensor=False).eval()
kpm = torch.zeros(2, 5, dtype=torch.bool)
kpm[1, 3:] = True
case("enc_post", m, {"x": randn(5, 2, 8), "kpm": kpm},
     lambda m, i: {"y": m(i["x"], src_key_padding_mask=i["kpm"])}, ["x"])

torch.manual_seed(41)
layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation="gelu", norm_first=True,
                                   batch_first=True)
m = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
case("enc_pre_gelu", m, {"x": randn(2, 5, 8), "mask": nn.Transformer.generate_square_subsequent_mask(5)},
     lambda m, i: {"y": m(i["x"], mask=i["mask"], is_causal=True)}, ["x"])

torch.manual_seed(42)
m = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, bias=False, layer_norm_eps=1e-3)
case("enc_layer_nobias", m, {"x": randn(5, 2, 8)}, lambda m, i: {"y": m(i["x"])}, ["x"])

torch.manual_seed(43)
m = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0)
mkpm = torch.zeros(2, 5, dtype=torch.bool)
mkpm[0, 4] = True
case("dec_layer", m,
     {"tgt": randn(4, 2, 8), "mem": randn(5, 2, 8),
      "tgt_mask": nn.Transformer.generate_square_subsequent_mask(4), "mkpm": mkpm},
     lambda m, i: {"y": m(i["tgt"], i["mem"], tgt_mask=i["tgt_mask"],
                          memory_key_padding_mask=i["mkpm"], tgt_is_causal=True)},
     ["tgt", "mem"])

torch.manual_seed(44)
m = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, norm_first=True, activation="gelu",
                               batch_first=True)
case("dec_layer_pre", m, {"tgt": randn(2, 4, 8), "mem": randn(2, 5, 8)},
     lambda m, i: {"y": m(i["tgt"], i["mem"])}, ["tgt", "mem"])

torch.manual_seed(45)
m = nn.Transformer(8, 2, 2, 2, 16, dropout=0.0, batch_first=True)
skpm = torch.zeros(2, 5, dtype=torch.bool)
skpm[1, 4] = True
case("transformer", m,
     {"src": randn(2, 5, 8), "tgt": randn(2, 4, 8),
      "tgt_mask": nn.Transformer.generate_square_subsequent_mask(4), "skpm": skpm},
     lambda m, i: {"y": m(i["src"], i["tgt"], tgt_mask=i["tgt_mask"], src_key_padding_mask=i["skpm"],
                          memory_key_padding_mask=i["skpm"], tgt_is_causal=True)},
     ["src", "tgt"])

for k, v in out.items():
    assert torch.isfinite(v).all() or v.dtype == torch.bool or "mask" in k or ".in.am" in k \
        or ".in.kpm" in k, k
save_file(out, "torch-nn/tests/golden/nn_seq.safetensors")
print(len(out), "tensors")
