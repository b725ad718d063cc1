"""Goldens for torch.fft, stft/istft and the complex helpers (view_as_real, real, imag, angle,
complex, polar): inputs and PyTorch's outputs and gradients, written to
torch-core/tests/golden/fft.safetensors. Run with the PyTorch venv (`.venv`, which
`benches/compare/run.sh` creates):
    .venv/bin/python scripts/golden/fft.py
Inputs are generated here (seeded) and saved, so Rust reads the exact same values. Everything
is float32/complex64 (torch-core has no complex128), so gradients are compared against these
goldens instead of finite differences.
"""
import torch
from safetensors.torch import save_file

torch.manual_seed(0)
out = {}
F = torch.fft

x = torch.randn(4, 6)                        # real
xc = torch.randn(4, 6, dtype=torch.complex64)  # complex
xo = torch.randn(3, 7)                       # odd length
out["x"], out["xc"], out["xo"] = x, xc, xo

# fft / ifft: default, n padding and trimming, every norm, other dim, non-contiguous input.
out["fft.real"] = F.fft(x)
out["fft.c"] = F.fft(xc)
out["fft.pad8_dim0"] = F.fft(xc, n=8, dim=0)
out["fft.trim4_ortho"] = F.fft(xc, n=4, norm="ortho")
out["fft.forward"] = F.fft(xc, norm="forward")
out["fft.t"] = F.fft(xc.t(), dim=0)  # non-contiguous
out["fft.odd"] = F.fft(xo)
out["ifft.c"] = F.ifft(xc)
out["ifft.pad9_ortho"] = F.ifft(xc, n=9, norm="ortho")
out["ifft.forward_dim0"] = F.ifft(xc, dim=0, norm="forward")
out["ifft.real"] = F.ifft(x)

# rfft / irfft.
out["rfft.x"] = F.rfft(x)
out["rfft.odd"] = F.rfft(xo)
out["rfft.pad9_ortho"] = F.rfft(x, n=9, norm="ortho")
out["rfft.trim5_forward_dim0"] = F.rfft(x, n=3, dim=0, norm="forward")
out["rfft.t"] = F.rfft(x.t(), dim=0)
out["irfft.c"] = F.irfft(xc)                 # n = 2 * (6 - 1) = 10
out["irfft.n7"] = F.irfft(xc, n=7)
out["irfft.n12_ortho"] = F.irfft(xc, n=12, norm="ortho")
out["irfft.n4_forward_dim0"] = F.irfft(xc, n=4, dim=0, norm="forward")
out["irfft.roundtrip"] = F.irfft(F.rfft(xo), n=7)

# n-dimensional.
m = torch.randn(2, 4, 5, dtype=torch.complex64)
mr = torch.randn(2, 4, 5)
out["m"], out["mr"] = m, mr
out["fft2.m"] = F.fft2(m)
out["fft2.s_ortho"] = F.fft2(m, s=(3, 6), norm="ortho")
out["ifft2.m"] = F.ifft2(m)
out["fftn.all"] = F.fftn(m)
out["fftn.dims02"] = F.fftn(m, dim=(0, 2))
out["ifftn.all_forward"] = F.ifftn(m, norm="forward")
out["rfft2.mr"] = F.rfft2(mr)
out["rfftn.mr_s"] = F.rfftn(mr, s=(3, 8))
out["irfft2.m"] = F.irfft2(m)
out["irfftn.m_s"] = F.irfftn(m, s=(4, 7), norm="ortho")

# shifts and frequencies.
out["fftshift.all"] = F.fftshift(xo)
out["fftshift.dim1"] = F.fftshift(x, dim=1)
out["ifftshift.all"] = F.ifftshift(xo)
out["ifftshift.dim0"] = F.ifftshift(xo, dim=0)
out["fftfreq.5"] = F.fftfreq(5)
out["fftfreq.8_d0.1"] = F.fftfreq(8, 0.1)
out["rfftfreq.7_d2"] = F.rfftfreq(7, 2.0)
out["rfftfreq.8"] = F.rfftfreq(8)

# Gradients of real losses.
def grad_of(inp, f):
    t = inp.clone().requires_grad_(True)
    f(t).backward()
    return t.grad

out["grad.fft_abs"] = grad_of(x, lambda t: F.fft(t).abs().sum())
out["grad.fft_c_ortho_abs"] = grad_of(xc, lambda t: F.fft(t, norm="ortho").abs().sum())
out["grad.fft_c_pad_dim0"] = grad_of(xc, lambda t: (F.fft(t, n=8, dim=0).abs() ** 2).sum())
out["grad.ifft_c_trim"] = grad_of(xc, lambda t: F.ifft(t, n=4).real.sum() + 2 * F.ifft(t, n=4).imag.pow(2).sum())
out["grad.rfft_real_sq"] = grad_of(x, lambda t: F.rfft(t).real.pow(2).sum())
out["grad.rfft_abs_n8_ortho"] = grad_of(x, lambda t: F.rfft(t, n=8, norm="ortho").abs().sum())
out["grad.rfft_odd_imag"] = grad_of(xo, lambda t: F.rfft(t).imag.pow(2).sum())
wr10 = torch.randn(4, 10)
wr7 = torch.randn(4, 7)
out["wr10"], out["wr7"] = wr10, wr7
out["grad.irfft_weighted"] = grad_of(xc, lambda t: (F.irfft(t) * wr10).sum())
out["grad.irfft_n7_forward"] = grad_of(xc, lambda t: (F.irfft(t, n=7, norm="forward") * wr7).sum())
out["grad.fft2_abs"] = grad_of(m, lambda t: F.fft2(t, s=(3, 6)).abs().sum())
out["grad.rfft2_abs"] = grad_of(mr, lambda t: F.rfft2(t).abs().sum())
out["grad.fftshift"] = grad_of(xo, lambda t: (F.fftshift(t) * torch.arange(21.0).reshape(3, 7)).sum())

# Complex helpers.
z = torch.randn(3, 4, dtype=torch.complex64)
z[0, 0] = 0  # angle's gradient is 0 at 0
out["z"] = z
w34 = torch.randn(3, 4)
w342 = torch.randn(3, 4, 2)
out["w34"], out["w342"] = w34, w342
out["cplx.real"] = z.real.contiguous()
out["cplx.imag"] = z.imag.contiguous()
out["cplx.angle"] = z.angle()
out["cplx.angle_real"] = torch.tensor([-2.0, -0.0, 0.0, 3.0, float("nan")]).angle()
out["cplx.view_as_real"] = torch.view_as_real(z).contiguous()
a = torch.randn(3, 4)
b = torch.randn(4)
out["a"], out["b"] = a, b
out["cplx.complex"] = torch.complex(a, b)
out["cplx.polar"] = torch.polar(a.abs(), b)
out["grad.view_as_real"] = grad_of(z, lambda t: (torch.view_as_real(t) * w342).sum())
out["grad.real_imag"] = grad_of(z, lambda t: (t.real * w34).sum() + (t.imag ** 2).sum())
out["grad.angle"] = grad_of(z, lambda t: (t.angle() * w34).sum())
out["grad.abs"] = grad_of(z, lambda t: (t.abs() * w34).sum())
out["grad.view_as_complex"] = grad_of(w342, lambda t: torch.view_as_complex(t).abs().sum())
ta, tb = a.clone().requires_grad_(True), b.clone().requires_grad_(True)
(torch.complex(ta, tb) * z).abs().sum().backward()
out["grad.complex_a"], out["grad.complex_b"] = ta.grad, tb.grad
pa, pb = a.abs().requires_grad_(True), b.clone().requires_grad_(True)
(torch.view_as_real(torch.polar(pa, pb)) * w342[0, 0]).sum().backward()
out["grad.polar_abs"], out["grad.polar_angle"] = pa.grad, pb.grad

# stft / istft with a Hann window saved here (torch-core may lack hann_window).
sig = torch.randn(64)
sig2 = torch.randn(2, 50)
hann = torch.hann_window(16)
hann12 = torch.hann_window(12)
out["sig"], out["sig2"], out["hann"], out["hann12"] = sig, sig2, hann, hann12
out["stft.hann"] = torch.stft(sig, 16, hop_length=4, window=hann, return_complex=True)
out["stft.default_rect"] = torch.stft(sig, 16, window=torch.ones(16), return_complex=True)
out["stft.constant_win12"] = torch.stft(sig, 16, hop_length=5, win_length=12, window=hann12,
                                        pad_mode="constant", return_complex=True)
out["stft.nocenter_twosided_norm"] = torch.stft(sig, 16, hop_length=8, window=hann, center=False,
                                                onesided=False, normalized=True, return_complex=True)
out["stft.batch"] = torch.stft(sig2, 8, hop_length=3, window=torch.hann_window(8), return_complex=True)
out["stft.real_out"] = torch.stft(sig, 16, hop_length=4, window=hann, return_complex=False)
sigc = torch.randn(40, dtype=torch.complex64)
out["sigc"] = sigc
out["stft.complex_in"] = torch.stft(sigc, 8, hop_length=2, window=torch.hann_window(8), return_complex=True)
spec = out["stft.hann"]
out["istft.hann"] = torch.istft(spec, 16, hop_length=4, window=hann)
out["istft.hann_len60"] = torch.istft(spec, 16, hop_length=4, window=hann, length=60)
out["istft.hann_len70"] = torch.istft(spec, 16, hop_length=4, window=hann, length=70)
out["istft.batch"] = torch.istft(out["stft.batch"], 8, hop_length=3, window=torch.hann_window(8), length=50)
out["istft.nocenter_rect"] = torch.istft(
    torch.stft(sig, 16, hop_length=8, window=torch.ones(16), center=False, return_complex=True),
    16, hop_length=8, window=torch.ones(16), center=False)
out["istft.twosided_norm_complex"] = torch.istft(
    torch.stft(sigc, 8, hop_length=2, window=torch.hann_window(8), normalized=True, return_complex=True),
    8, hop_length=2, window=torch.hann_window(8), normalized=True, return_complex=True)
wspec = torch.randn(9, 17)
out["wspec"] = wspec
out["grad.stft_abs"] = grad_of(sig, lambda t: torch.stft(t, 16, hop_length=4, window=hann, return_complex=True).abs().sum())
hw = hann.clone().requires_grad_(True)
torch.stft(sig, 16, hop_length=4, window=hw, return_complex=True).abs().sum().backward()
out["grad.stft_window"] = hw.grad
out["grad.istft"] = grad_of(spec, lambda t: (torch.istft(t, 16, hop_length=4, window=hann) * torch.arange(64.0)).sum())

out = {k: v.detach().clone().contiguous() for k, v in out.items()}
save_file(out, "torch-core/tests/golden/fft.safetensors")
print(len(out), "tensors")
