"""Goldens for torch-text's Vocab and basic_english tokenizer. torchtext itself no longer
installs beside torch 2.11, so its two functions are reproduced here verbatim from
torchtext 0.18 (torchtext/data/utils.py `_basic_english_normalize`, torchtext/vocab/
vocab_factory.py `build_vocab_from_iterator` + `vocab`) and run on Hamlet.

Run: /work/main/.venv/bin/python scripts/golden/text_vocab.py
Writes text/tests/golden/vocab.json.
"""
import json
import pathlib
import re
from collections import Counter, OrderedDict

ROOT = pathlib.Path(__file__).resolve().parents[2]
HAMLET = ROOT.parent / "shared" / "data" / "text" / "hamlet.txt"
OUT = ROOT / "text" / "tests" / "golden" / "vocab.json"

_patterns = [r"\'", r"\"", r"\.", r"<br \/>", r",", r"\(", r"\)", r"\!", r"\?", r"\;", r"\:", r"\s+"]
_replacements = [" '  ", "", " . ", " ", " , ", " ( ", " ) ", " ! ", " ? ", " ", " ", " "]
_patterns_dict = list((re.compile(p), r) for p, r in zip(_patterns, _replacements))


def _basic_english_normalize(line):
    line = line.lower()
    for pattern_re, replaced_str in _patterns_dict:
        line = pattern_re.sub(replaced_str, line)
    return line.split()


def build_vocab_from_iterator(iterator, min_freq=1, specials=None, special_first=True, max_tokens=None):
    counter = Counter()
    for tokens in iterator:
        counter.update(tokens)
    specials = specials or []
    sorted_by_freq_tuples = sorted(counter.items(), key=lambda x: (-x[1], x[0]))
    if max_tokens is None:
        ordered_dict = OrderedDict(sorted_by_freq_tuples)
    else:
        ordered_dict = OrderedDict(sorted_by_freq_tuples[: max_tokens - len(specials)])
    for token in specials:
        ordered_dict.pop(token, None)
    tokens = [t for t, f in ordered_dict.items() if f >= min_freq]
    if special_first:
        tokens[0:0] = specials
    else:
        tokens.extend(specials)
    return tokens


def main():
    lines = HAMLET.read_text().splitlines()
    extra = ["It's a <br />test: (really!) \"quoted\"; ok? Yes.", "ÉCOLE naïve,  TABS\there"]
    tokenized = [_basic_english_normalize(l) for l in lines]
    out = {
        "extra": extra,
        "extra_tokens": [_basic_english_normalize(l) for l in extra],
        "hamlet_token_count": sum(len(t) for t in tokenized),
        "hamlet_first_tokens": [t for line in tokenized for t in line][:300],
        "vocab_default": build_vocab_from_iterator(tokenized),
        "vocab_min3_specials": build_vocab_from_iterator(tokenized, min_freq=3, specials=["<unk>", "<pad>", "the"]),
        "vocab_max100_last": build_vocab_from_iterator(tokenized, specials=["<unk>"], special_first=False, max_tokens=100),
    }
    OUT.write_text(json.dumps(out, ensure_ascii=False))
    print("wrote", OUT, OUT.stat().st_size, {k: len(v) for k, v in out.items() if k.startswith("vocab")})


if __name__ == "__main__":
    main()
