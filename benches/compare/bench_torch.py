"""The anchor workloads of benches/src/lib.rs in PyTorch, timed the same way.

Same shapes and dtypes (f32), same timing method as `median_time` in benches/src/lib.rs:
three warm-up calls, calls batched so one sample lasts at least 1 ms, samples until at least
`min_iters` samples (5 for heavy workloads, 20 otherwise) and `--min-secs` seconds are in,
median of the per-call sample times. Prints one JSON line per (workload, threads), like
`cargo run --release -p benches --bin compare`.

    python bench_torch.py [--threads 1,2] [--filter SUBSTR] [--min-secs 1.0]
"""

import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F
from torchvision.transforms import v2

MIN_SAMPLE_SECS = 1e-3
MATMUL_SIZES = [128, 512, 1024, 2048]
ELEMENTWISE_N = 10_000_000
ROWS = (4096, 1024)
EAGER_N = 16
CONV_X = (8, 64, 56, 56)
CONV_W = (64, 64, 3, 3)
POOL_X = (64, 32, 26, 26)
LOADER_N = 60_000
LOADER_BATCH = 64
RESIZE_IN = (3, 480, 640)
RESIZE_OUT = (224, 298)
F32 = 4


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float32)


def matmul(n):
    def setup():
        a, b = randn(n, n), randn(n, n)
        return lambda: torch.matmul(a, b)

    return (f"matmul_n{n}", ("flops", 2.0 * n**3), n >= 1024, setup)


def add_setup():
    x, y = randn(ELEMENTWISE_N), randn(ELEMENTWISE_N)
    return lambda: torch.add(x, y)


def gelu_setup():
    x = randn(ELEMENTWISE_N)
    return lambda: F.gelu(x, approximate="none")


def sum_setup():
    x = randn(*ROWS)
    return lambda: x.sum(dim=-1)


def softmax_setup():
    x = randn(*ROWS)
    return lambda: torch.softmax(x, dim=-1)


def eager_setup():
    x = randn(EAGER_N).requires_grad_(True)
    y = randn(EAGER_N).requires_grad_(True)

    def run():
        x.grad = None
        y.grad = None
        z = (x * y + x).sum()
        z.backward()
        return z

    return run


def mlp_setup():
    net = torch.nn.Sequential(
        torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 10))
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    x = randn(128, 784)
    y = torch.randint(0, 10, (128,))

    def run():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss

    return run


def cnn_setup():
    nn = torch.nn
    net = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.Adam(net.parameters())
    x = randn(64, 1, 28, 28)
    y = torch.randint(0, 10, (64,))

    def run():
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss

    return run


def conv_flops():
    n, c, h, w = CONV_X
    o, _, kh, kw = CONV_W
    return 2.0 * n * o * c * kh * kw * h * w


def conv_setup():
    x, w = randn(*CONV_X), randn(*CONV_W)
    return lambda: F.conv2d(x, w, None, padding=1)


def conv_fwd_bwd_setup():
    x = randn(*CONV_X).requires_grad_(True)
    w = randn(*CONV_W).requires_grad_(True)
    n, _, h, wd = CONV_X
    gy = randn(n, CONV_W[0], h, wd)

    def run():
        x.grad = None
        w.grad = None
        y = F.conv2d(x, w, None, padding=1)
        y.backward(gy)
        return y

    return run


def pool_indices_setup():
    x = randn(*POOL_X).requires_grad_(True)
    return lambda: F.max_pool2d(x, 2)


def pool_setup():
    x = randn(*POOL_X)
    return lambda: F.max_pool2d(x, 2)


def loader_setup():
    from torch.utils.data import DataLoader, TensorDataset

    x = randn(LOADER_N, 1, 28, 28)
    y = torch.randint(0, 10, (LOADER_N,))
    loader = DataLoader(TensorDataset(x, y), batch_size=LOADER_BATCH, shuffle=True,
                        num_workers=0, generator=torch.Generator().manual_seed(0))

    def run():
        for batch in loader:
            pass

    return run
def resize_setup():
    x = torch.randint(0, 256, RESIZE_IN, dtype=torch.uint8)
    t = v2.Resize(RESIZE_OUT, antialias=True)
    return lambda: t(x)


MINILM_SEQ = 128
DECODE_PROMPT = 16
DECODE_NEW = 64
COPY_BYTES = 1 << 30


def token_ids(batch, seq):
    """The ids of text_workloads::token_ids: (b * 131 + 7919 * i) % 28000 + 1000."""
    return torch.tensor([[(b * 131 + 7919 * i) % 28000 + 1000 for i in range(seq)]
                         for b in range(batch)], dtype=torch.int64)


def minilm(batch):
    def setup():
        import os
        import pathlib
        from transformers import BertModel

        shared = os.environ.get("TORCH_SHARED_DATA",
                                pathlib.Path(__file__).resolve().parents[3] / "shared/data")
        root = pathlib.Path(shared) / "models/all-MiniLM-L6-v2"
        model = BertModel.from_pretrained(str(root)).eval()
        ids = token_ids(batch, MINILM_SEQ)
        mask = torch.ones_like(ids)

        def run():
            with torch.no_grad():
                return model(input_ids=ids, attention_mask=mask)

        return run

    return (f"minilm_b{batch}x{MINILM_SEQ}", ("per_iter", None), batch > 1, setup)


def gpt2_decode_setup():
    from transformers import GPT2Config, GPT2LMHeadModel

    model = GPT2LMHeadModel(GPT2Config()).eval()
    model.generation_config.eos_token_id = None
    prompt = token_ids(1, DECODE_PROMPT)
    mask = torch.ones_like(prompt)

    def run():
        with torch.no_grad():
            out = model.generate(prompt, attention_mask=mask, max_new_tokens=DECODE_NEW,
                                 do_sample=False, use_cache=True, pad_token_id=50256)
        assert out.shape[1] == DECODE_PROMPT + DECODE_NEW, out.shape
        return out

    return run


def copy_setup():
    src = torch.ones(COPY_BYTES // F32)
    dst = torch.zeros(COPY_BYTES // F32)
    return lambda: dst.copy_(src)


def text_workloads():
    """benches::text_workloads::workloads(): MiniLM inference, GPT-2 decode, the 1 GiB copy."""
    return [
        minilm(1),
        minilm(16),
        ("gpt2_decode_64", ("tokens", DECODE_NEW), True, gpt2_decode_setup),
        ("memcpy_1gib", ("bytes", 2.0 * COPY_BYTES), True, copy_setup),
    ]


def workloads():
    """(name, (metric, amount), heavy, setup) in the order of benches::workloads()."""
    rows = ROWS[0] * ROWS[1]
    n = ELEMENTWISE_N
    pn, pc, ph, pw = POOL_X
    pool_bytes = (pn * pc * ph * pw + pn * pc * (ph // 2) * (pw // 2)) * F32
    return [matmul(s) for s in MATMUL_SIZES] + [
        ("add_10m", ("bytes", 3.0 * n * F32), True, add_setup),
        ("gelu_10m", ("bytes", 2.0 * n * F32), True, gelu_setup),
        ("sum_dim_4096x1024", ("bytes", (rows + ROWS[0]) * F32), False, sum_setup),
        ("softmax_4096x1024", ("bytes", 2.0 * rows * F32), False, softmax_setup),
        ("conv2d_8x64x56x56_k3", ("flops", conv_flops()), True, conv_setup),
        ("conv2d_fwd_bwd_8x64x56x56_k3", ("flops", 3.0 * conv_flops()), True, conv_fwd_bwd_setup),
        ("max_pool2d_64x32x26x26_k2", ("bytes", pool_bytes), False, pool_setup),
        ("max_pool2d_indices_64x32x26x26_k2", ("bytes", pool_bytes), False, pool_indices_setup),
        ("eager_overhead", ("per_iter", None), False, eager_setup),
        ("mlp_train_step", ("per_iter", None), False, mlp_setup),
        ("cnn_train_step", ("per_iter", None), False, cnn_setup),
        ("dataloader_epoch_60000x1x28x28_b64", ("samples", LOADER_N), True, loader_setup),
        ("resize_u8_3x480x640_to_224x298_aa", ("per_iter", None), False, resize_setup),
    ] + audio_workloads() + text_workloads()


# The torch-audio workloads (benches/src/audio_workloads.rs): torchaudio transforms, and
# decoding through soundfile (libsndfile), since torchaudio 2.11's load needs torchcodec and
# FFmpeg, which the venv lacks.
AUDIO_N = 10 * 16000
REPO = __import__("pathlib").Path(__file__).resolve().parents[2]
SHARED_AUDIO = REPO.parent / "shared" / "data" / "audio"
DECODE_FILES = [
    ("decode_flac_librivox_0880",
     SHARED_AUDIO / "librivox" / "sense_and_sensibility_01_austen_64kb-0880.flac"),
    ("decode_mp3_librivox_0880", REPO / "audio" / "tests" / "golden" / "sense_0880.mp3"),
]


def audio_transform(build):
    def setup():
        x = randn(1, AUDIO_N)
        t = build()
        return lambda: t(x)

    return setup


def melspec():
    import torchaudio

    return torchaudio.transforms.MelSpectrogram(16000, n_fft=400, hop_length=160, n_mels=80)


def mfcc():
    import torchaudio

    melkwargs = {"n_fft": 400, "hop_length": 160, "n_mels": 80}
    return torchaudio.transforms.MFCC(16000, n_mfcc=40, melkwargs=melkwargs)


def decode(path):
    import soundfile as sf

    def setup():
        def run():
            data, _ = sf.read(path, dtype="float32", always_2d=True)
            return torch.from_numpy(data.T.copy())

        return run

    return setup


def audio_workloads():
    import soundfile as sf

    return [
        ("melspec_10s", ("samples", AUDIO_N), False, audio_transform(melspec)),
        ("mfcc_10s", ("samples", AUDIO_N), False, audio_transform(mfcc)),
    ] + [(n, ("samples", sf.info(str(p)).frames), False, decode(p)) for n, p in DECODE_FILES]


def median_time(run, min_iters, min_secs):
    warm = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        run()
        warm = min(warm, time.perf_counter() - t)
    batch = 1 if warm >= MIN_SAMPLE_SECS else int(-(-MIN_SAMPLE_SECS // max(warm, 1e-9)))
    min_iters = max(min_iters, 1)
    samples = []
    start = time.perf_counter()
    while len(samples) < min_iters or time.perf_counter() - start < min_secs:
        t = time.perf_counter()
        for _ in range(batch):
            run()
        samples.append((time.perf_counter() - t) / batch)
    return statistics.median(samples), len(samples), batch


def figure(metric, secs):
    kind, amount = metric
    if kind == "flops":
        return amount / secs / 1e9, "GFLOP/s"
    if kind == "bytes":
        return amount / secs / 1e9, "GB/s"
    if kind == "samples":
        return amount / secs / 1e3, "ksamples/s"
    if kind == "tokens":
        return amount / secs, "tokens/s"
    return secs * 1e6, "us/iter"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", default="1,2")
    p.add_argument("--filter", default=None)
    p.add_argument("--min-secs", type=float, default=1.0)
    args = p.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    for name, metric, heavy, setup in workloads():
        if args.filter and args.filter not in name:
            continue
        for t in threads:
            torch.set_num_threads(t)
            torch.manual_seed(0)
            run = setup()
            med, samples, batch = median_time(run, 5 if heavy else 20, args.min_secs)
            fig, unit = figure(metric, med)
            line = {
                "impl": "pytorch",
                "workload": name,
                "threads": t,
                "median_s": med,
                "figure": fig,
                "unit": unit,
                "higher_is_better": metric[0] != "per_iter",
                "samples": samples,
                "batch": batch,
                "torch": torch.__version__,
            }
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
