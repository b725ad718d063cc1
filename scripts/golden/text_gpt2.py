"""A tiny seeded GPT-2 checkpoint with the real GPT-2 vocabulary (committed as a fixture) and
its outputs from transformers: logits, greedy continuations with and without the KV cache,
with a repetition penalty and with an early EOS, and HF's logits processors on fixed scores.

Run: /work/main/.venv/bin/python scripts/golden/text_gpt2.py
Writes text/tests/fixtures/tiny-gpt2/ and text/tests/golden/tiny_gpt2.safetensors.
"""
import json
import pathlib
import shutil

import torch
from safetensors.torch import save_file
from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast
from transformers.generation.logits_process import (
    RepetitionPenaltyLogitsProcessor, TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper)

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOK = ROOT.parent / "shared" / "data" / "models" / "gpt2-tokenizer"
FIX = ROOT / "text" / "tests" / "fixtures" / "tiny-gpt2"
GOLD = ROOT / "text" / "tests" / "golden" / "tiny_gpt2.safetensors"
PROMPTS = ["Hello, my dog is cute and", "To be, or not to be: that is"]


def main():
    torch.manual_seed(0)
    cfg = GPT2Config(vocab_size=50257, n_positions=64, n_embd=16, n_layer=2, n_head=2,
                     initializer_range=0.3, bos_token_id=50256, eos_token_id=50256)
    model = GPT2LMHeadModel(cfg).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias") or ".ln_" in name:
                p.add_(torch.randn_like(p) * 0.1)
    FIX.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(FIX))
    for f in ("vocab.json", "merges.txt"):
        shutil.copy(TOK / f, FIX / f)
    tok = GPT2TokenizerFast(vocab=str(TOK / "vocab.json"), merges=str(TOK / "merges.txt"))

    out = {}
    for i, prompt in enumerate(PROMPTS):
        ids = tok(prompt, return_tensors="pt")["input_ids"]
        out[f"prompt{i}"] = ids
        with torch.no_grad():
            logits = model(ids).logits
        out[f"logits{i}_head"] = logits[..., :1024].contiguous()
        out[f"logits{i}_last"] = logits[:, -1].contiguous()
        gen = dict(max_new_tokens=20, do_sample=False, pad_token_id=50256)
        out[f"greedy{i}"] = model.generate(ids, use_cache=True, **gen)
        no_cache = model.generate(ids, use_cache=False, **gen)
        assert torch.equal(no_cache, out[f"greedy{i}"])
        out[f"greedy_rep{i}"] = model.generate(ids, repetition_penalty=1.3, **gen)
        # Stop early: take the 5th new token as EOS.
        eos = int(out[f"greedy{i}"][0, ids.shape[1] + 4])
        out[f"greedy_eos{i}"] = model.generate(ids, eos_token_id=eos, **{**gen, "pad_token_id": eos})
        out[f"eos{i}"] = torch.tensor([eos])
        print(prompt, "->", repr(tok.decode(out[f"greedy{i}"][0])), out[f"greedy_eos{i}"].shape)

    # A left-padded batch of both prompts.
    tok.pad_token = tok.eos_token
    tok.padding_side = "left"
    batch = tok(PROMPTS, return_tensors="pt", padding=True)
    out["batch_ids"] = batch["input_ids"]
    out["batch_mask"] = batch["attention_mask"]
    out["batch_greedy"] = model.generate(**batch, max_new_tokens=10, do_sample=False, pad_token_id=50256)

    # Logits processors on fixed scores (sampling itself uses another RNG than ours).
    g = torch.Generator().manual_seed(1)
    scores = torch.randn(2, 50, generator=g) * 3
    prev = torch.tensor([[3, 7, 7, 10], [0, 49, 20, 3]])
    out["proc_scores"] = scores
    out["proc_prev"] = prev
    out["proc_rep_1_5"] = RepetitionPenaltyLogitsProcessor(1.5)(prev, scores.clone())
    out["proc_temp_0_7"] = TemperatureLogitsWarper(0.7)(prev, scores.clone())
    out["proc_topk_5"] = TopKLogitsWarper(5)(prev, scores.clone())
    out["proc_topp_0_8"] = TopPLogitsWarper(0.8)(prev, scores.clone())
    out["proc_topp_0_3_keep3"] = TopPLogitsWarper(0.3, min_tokens_to_keep=3)(prev, scores.clone())
    save_file({k: v.contiguous() for k, v in out.items()}, str(GOLD))


if __name__ == "__main__":
    main()
