"""Goldens for torch-text's tokenizers: ids, masks and decoded text from HuggingFace
transformers on the MiniLM (BERT uncased WordPiece) and GPT-2 (byte-level BPE) files.

Run: /work/main/.venv/bin/python scripts/golden/text_tokenizers.py
Writes text/tests/golden/tokenizers.json.
"""
import json
import pathlib

from transformers import AutoTokenizer, BertTokenizerFast, GPT2TokenizerFast

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "models"
OUT = ROOT / "text" / "tests" / "golden" / "tokenizers.json"

SENTENCES = [
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "Café naïve — 東京タワー 😀 Ünïcödé résumé, ﬁne",
    "  leading spaces\tand\ttabs\nnew lines  ",
    "The [MASK] sat on the mat. <|endoftext|> Done.",
    "GPT-2's tokenizer doesn't split 'contractions' like we'd expect: 1234567 + 3.14",
]
HAMLET = (ROOT.parent / "shared" / "data" / "text" / "hamlet.txt").read_text()[2000:3500]


def cases(tok, pad):
    out = {"single": [], "batch": {}}
    for s in SENTENCES + [HAMLET]:
        enc = tok(s)
        ids = enc["input_ids"]
        out["single"].append({
            "text": s,
            "input_ids": ids,
            "token_type_ids": enc.get("token_type_ids"),
            "tokens": tok.convert_ids_to_tokens(ids),
            "decoded": tok.decode(ids),
            "decoded_skip_special": tok.decode(ids, skip_special_tokens=True),
            "no_special_ids": tok(s, add_special_tokens=False)["input_ids"],
        })
    trunc = tok(HAMLET, truncation=True, max_length=16)
    out["truncated_16"] = trunc["input_ids"]
    if pad:
        for name, kw in {
            "longest": dict(padding="longest"),
            "max_length_24_truncate": dict(padding="max_length", truncation=True, max_length=24),
            "longest_truncate_12": dict(padding=True, truncation=True, max_length=12),
        }.items():
            b = tok(SENTENCES, return_tensors="pt", **kw)
            out["batch"][name] = {k: v.tolist() for k, v in b.items()}
        pair = tok(["How old are you?", "Where is the station?"],
                   ["I am six.", "Next to the big old church on the hill."],
                   padding=True, return_tensors="pt")
        out["batch"]["pairs_longest"] = {k: v.tolist() for k, v in pair.items()}
    return out


def main():
    mini = DATA / "all-MiniLM-L6-v2"
    gpt2 = DATA / "gpt2-tokenizer"
    result = {
        "sentences": SENTENCES,
        "hamlet": HAMLET,
        "minilm_tokenizer_json": cases(AutoTokenizer.from_pretrained(str(mini)), True),
        "minilm_vocab_txt": cases(BertTokenizerFast(vocab=str(mini / "vocab.txt")), True),
        "gpt2": cases(GPT2TokenizerFast(vocab=str(gpt2 / "vocab.json"),
                                        merges=str(gpt2 / "merges.txt")), False),
        # GPT-2 has no pad token; the usual recipe pads with <|endoftext|>.
        "gpt2_pad_eos": cases(GPT2TokenizerFast(vocab=str(gpt2 / "vocab.json"),
                                                merges=str(gpt2 / "merges.txt"),
                                                pad_token="<|endoftext|>"), True),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, ensure_ascii=False, indent=None))
    print("wrote", OUT, OUT.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
