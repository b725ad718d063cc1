"""Goldens for torch-text's BERT: all-MiniLM-L6-v2 sentence embeddings from
sentence-transformers, and a tiny random BertForMaskedLM / BertForSequenceClassification
(weights committed as fixtures) with their outputs from transformers.

Run: /work/main/.venv/bin/python scripts/golden/text_bert.py
Writes text/tests/golden/minilm.safetensors, text/tests/golden/tiny_bert.safetensors and
text/tests/fixtures/tiny-bert-{mlm,cls,cls-bin}/.
"""
import pathlib

import torch
from safetensors.torch import save_file
from sentence_transformers import SentenceTransformer
from transformers import AutoModel, AutoTokenizer, BertConfig, BertForMaskedLM, BertForSequenceClassification

ROOT = pathlib.Path(__file__).resolve().parents[2]
MINI = ROOT.parent / "shared" / "data" / "models" / "all-MiniLM-L6-v2"
GOLD = ROOT / "text" / "tests" / "golden"
FIX = ROOT / "text" / "tests" / "fixtures"

SENTENCES = [
    "The weather is lovely today.",
    "It's so sunny outside!",
    "He drove to the stadium.",
    "A man is playing a guitar on the street, while people walk past and listen.",
    "Café naïve — 東京 😀",
]


def minilm():
    st = SentenceTransformer(str(MINI), device="cpu")
    emb = st.encode(SENTENCES, convert_to_tensor=True, batch_size=8)
    sim = st.similarity(emb[:3], emb[:3])
    print("similarities", sim)
    tok = AutoTokenizer.from_pretrained(str(MINI))
    model = AutoModel.from_pretrained(str(MINI)).eval()
    batch = tok(SENTENCES, padding=True, truncation=True, max_length=256, return_tensors="pt")
    with torch.no_grad():
        out = model(**batch)
    save_file({
        "embeddings": emb.contiguous(),
        "similarities": sim.contiguous(),
        "input_ids": batch["input_ids"].contiguous(),
        "attention_mask": batch["attention_mask"].contiguous(),
        "last_hidden_state": out.last_hidden_state.contiguous(),
        "pooler_output": out.pooler_output.contiguous(),
    }, str(GOLD / "minilm.safetensors"))


def tiny():
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                     intermediate_size=37, max_position_embeddings=64, type_vocab_size=2,
                     num_labels=3, initializer_range=0.2)
    mlm = BertForMaskedLM(cfg).eval()
    cls = BertForSequenceClassification(cfg).eval()
    # Non-zero biases and LayerNorm weights, so every parameter matters.
    with torch.no_grad():
        for m in (mlm, cls):
            for name, p in m.named_parameters():
                if name.endswith("bias") or "LayerNorm" in name:
                    p.add_(torch.randn_like(p) * 0.1)
    mlm.save_pretrained(str(FIX / "tiny-bert-mlm"))
    cls.save_pretrained(str(FIX / "tiny-bert-cls"))
    # The same classifier as a PyTorch pickle (`pytorch_model.bin`, torch.save's zip format).
    binary = FIX / "tiny-bert-cls-bin"
    binary.mkdir(parents=True, exist_ok=True)
    torch.save(cls.state_dict(), str(binary / "pytorch_model.bin"))
    (binary / "config.json").write_text((FIX / "tiny-bert-cls" / "config.json").read_text())
    ids = torch.tensor([[2, 17, 45, 9, 88, 3, 0], [2, 60, 61, 3, 0, 0, 0]])
    mask = torch.tensor([[1, 1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 0, 0, 0]])
    types = torch.tensor([[0, 0, 0, 1, 1, 1, 0], [0, 0, 1, 1, 0, 0, 0]])
    step = train_step(cls, ids, mask, types)
    with torch.no_grad():
        base = cls.bert(input_ids=ids, attention_mask=mask, token_type_ids=types)
        save_file({
            "input_ids": ids, "attention_mask": mask, "token_type_ids": types,
            "mlm_logits": mlm(input_ids=ids, attention_mask=mask, token_type_ids=types).logits.contiguous(),
            "mlm_logits_no_mask": mlm(input_ids=ids).logits.contiguous(),
            "cls_logits": cls(input_ids=ids, attention_mask=mask, token_type_ids=types).logits.contiguous(),
            "last_hidden_state": base.last_hidden_state.contiguous(),
            "pooler_output": base.pooler_output.contiguous(),
            **step,
        }, str(GOLD / "tiny_bert.safetensors"))


def train_step(cls, ids, mask, types):
    """Loss and gradients of one classification step (eval mode: no dropout)."""
    cls.zero_grad()
    out = cls(input_ids=ids, attention_mask=mask, token_type_ids=types, labels=torch.tensor([2, 0]))
    out.loss.backward()
    return {
        "train_loss": out.loss.detach().reshape(1),
        "grad_classifier_weight": cls.classifier.weight.grad.clone(),
        "grad_word_embeddings": cls.bert.embeddings.word_embeddings.weight.grad.clone(),
        "grad_layer0_query_weight": cls.bert.encoder.layer[0].attention.self.query.weight.grad.clone(),
        "grad_layer1_output_ln_weight": cls.bert.encoder.layer[1].output.LayerNorm.weight.grad.clone(),
    }


if __name__ == "__main__":
    GOLD.mkdir(parents=True, exist_ok=True)
    minilm()
    tiny()
