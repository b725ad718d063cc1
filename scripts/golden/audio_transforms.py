"""Goldens for torch-audio functional and transforms (audio/tests/transforms.rs) from
torchaudio 2.11, on real speech: two 75 ms excerpts of LibriVox -0880.wav (the Rust test loads
the same samples with torch_audio::io::load, which equals soundfile exactly). Run:
    .venv/bin/python scripts/golden/audio_transforms.py
Writes audio/tests/golden/transforms.safetensors.
"""
import pathlib

import soundfile as sf
import torch
import torchaudio.functional as F
import torchaudio.transforms as T
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parents[2]
WAV = ROOT.parent / "shared" / "data" / "audio" / "librivox" / "sense_and_sensibility_01_austen_64kb-0880.wav"
y, sr = sf.read(WAV, dtype="float32")
y = torch.from_numpy(y)
x = torch.stack([y[16000:17200], y[24000:25200]])  # (2, 1200)
out = {}

# Spectrogram family
out["spec.default"] = T.Spectrogram()(x)
out["spec.complex_norm"] = T.Spectrogram(n_fft=256, hop_length=64, power=None, normalized=True)(x)
out["spec.hamming_p1_nocenter"] = T.Spectrogram(n_fft=128, win_length=100, hop_length=50,
                                                window_fn=torch.hamming_window, power=1.0, center=False)(x)
out["spec.pad_const_framelen"] = T.Spectrogram(n_fft=64, pad=10, pad_mode="constant", normalized="frame_length")(x)
cplx = T.Spectrogram(n_fft=256, hop_length=64, power=None)(x)
out["inverse.len1200"] = T.InverseSpectrogram(n_fft=256, hop_length=64)(cplx, 1200)
out["inverse.norm_pad"] = T.InverseSpectrogram(n_fft=256, hop_length=64, normalized=True, pad=10)(
    T.Spectrogram(n_fft=256, hop_length=64, power=None, normalized=True, pad=10)(x), 1200)
out["griffinlim"] = T.GriffinLim(n_fft=256, hop_length=64, n_iter=8, rand_init=False, length=1200)(cplx.abs().pow(2))
out["griffinlim.nomomentum_p1"] = T.GriffinLim(n_fft=256, hop_length=64, n_iter=4, rand_init=False,
                                               momentum=0.0, power=1.0)(cplx.abs())

# Filter banks
out["fb.htk"] = F.melscale_fbanks(129, 0.0, 8000.0, 40, 16000)
out["fb.slaney"] = F.melscale_fbanks(129, 50.0, 7600.0, 64, 16000, norm="slaney", mel_scale="slaney")
out["fb.linear"] = F.linear_fbanks(129, 0.0, 8000.0, 20, 16000)
out["dct.ortho"] = F.create_dct(13, 40, "ortho")
out["dct.none"] = F.create_dct(13, 40, None)

# Mel family
out["mel.80"] = T.MelSpectrogram(n_fft=400, hop_length=160, n_mels=80)(x)
out["mel.slaney"] = T.MelSpectrogram(n_fft=512, hop_length=128, n_mels=64, f_min=50.0, f_max=7000.0,
                                     norm="slaney", mel_scale="slaney", power=1.0)(x)
out["mfcc.40"] = T.MFCC(n_mfcc=40, melkwargs={"n_fft": 400, "hop_length": 160, "n_mels": 80})(x)
out["mfcc.logmels"] = T.MFCC(n_mfcc=13, norm=None, log_mels=True)(x)
out["lfcc.20"] = T.LFCC(n_filter=64, n_lfcc=20, speckwargs={"n_fft": 400, "hop_length": 160})(x)
spec = out["spec.default"]
out["db.power_top80"] = T.AmplitudeToDB("power", top_db=80.0)(spec)
out["db.magnitude"] = T.AmplitudeToDB("magnitude")(out["spec.hamming_p1_nocenter"])
out["db.batched_top40"] = T.AmplitudeToDB("power", top_db=40.0)(out["mel.80"].reshape(2, 1, 80, -1))

# Resampling
out["resample.8000"] = F.resample(x, 16000, 8000)
out["resample.44100_kaiser"] = F.resample(x[:, :600], 16000, 44100, lowpass_filter_width=16, rolloff=0.95,
                                          resampling_method="sinc_interp_kaiser")
out["resample.22050_beta8"] = F.resample(x[:, :600], 16000, 22050, resampling_method="sinc_interp_kaiser", beta=8.0)
out["Resample.12000"] = T.Resample(16000, 12000)(x)

# Pointwise and small transforms
out["vol.amp2"] = T.Vol(2.0)(x)
out["vol.db6"] = T.Vol(6.0, "db")(x)
out["vol.power0.5"] = T.Vol(0.5, "power")(x)
for shape in ["linear", "exponential", "logarithmic", "quarter_sine", "half_sine"]:
    out[f"fade.{shape}"] = T.Fade(500, 800, shape)(x)
out["mulaw.enc"] = F.mu_law_encoding(x, 256)
out["mulaw.dec"] = F.mu_law_decoding(out["mulaw.enc"], 256)
out["mulaw.enc16"] = T.MuLawEncoding(16)(x)
out["deltas.5"] = T.ComputeDeltas()(out["mel.80"])
out["deltas.7"] = F.compute_deltas(out["mel.80"], win_length=7)

# Filtering
out["preemphasis"] = F.preemphasis(x, 0.97)
out["deemphasis"] = F.deemphasis(x * 0.2, 0.95)
a3 = torch.tensor([1.0, -1.2, 0.5])
b3 = torch.tensor([0.3, 0.2, 0.1])
out["lfilter.3"] = F.lfilter(x, a3, b3)
a2d = torch.tensor([[1.0, -0.9], [1.0, 0.5]])
b2d = torch.tensor([[0.5, 0.5], [1.0, -1.0]])
out["lfilter.batched"] = F.lfilter(x, a2d, b2d, clamp=False)
out["lfilter.stacked"] = F.lfilter(x, a2d, b2d, batching=False)
out["lowpass.1000"] = F.lowpass_biquad(x, 16000, 1000.0)
out["highpass.2000_q0.5"] = F.highpass_biquad(x, 16000, 2000.0, Q=0.5)
out["bandpass.1500"] = F.bandpass_biquad(x, 16000, 1500.0)
out["bandpass.1500_skirt"] = F.bandpass_biquad(x, 16000, 1500.0, Q=2.0, const_skirt_gain=True)

# Gradients of spectral losses (the core has no complex128, so these are compared with
# torchaudio's float32 gradients rather than only finite differences).
xs = x[0, :400].clone().requires_grad_(True)
T.Spectrogram(n_fft=64, hop_length=16)(xs).sqrt().sum().backward()
out["grad.spec"] = xs.grad.clone()
xs.grad = None
mel = T.MelSpectrogram(n_fft=64, hop_length=16, n_mels=8)(xs)
(mel + 1e-6).log().mean().backward()
out["grad.mel_logmean"] = xs.grad.clone()

# lfilter is differentiable in the waveform and both coefficient sets.
xg, ag, bg = (t.clone().requires_grad_(True) for t in (x, a3, b3))
F.lfilter(xg, ag, bg, clamp=False).pow(2).sum().backward()
out["grad.lfilter.x"], out["grad.lfilter.a"], out["grad.lfilter.b"] = xg.grad, ag.grad, bg.grad

out = {k: v.contiguous() for k, v in out.items()}
save_file(out, ROOT / "audio" / "tests" / "golden" / "transforms.safetensors")
print(len(out), "tensors,", sum(v.numel() for v in out.values()), "values")
