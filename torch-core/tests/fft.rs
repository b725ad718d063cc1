//! torch.fft, stft and istft against PyTorch goldens made by `scripts/golden/fft.py`: forward
//! values (n padding and trimming, every norm, non-contiguous input) and gradients of real
//! losses. Only complex64 exists, so gradients are checked against PyTorch rather than by
//! finite differences in f64.

use std::collections::HashMap;

use torch_core::testing::{assert_close_tol, load_golden};
use torch_core::{
    DType, IstftOptions, Result, StftOptions, Tensor, TensorOptions, fftfreq, rfftfreq,
};

/// float32 transforms by different algorithms (pocketfft vs rustfft) differ by rounding only.
const RTOL: f64 = 1e-4;
const ATOL: f64 = 1e-4;

fn golden() -> HashMap<String, Tensor> {
    load_golden(env!("CARGO_MANIFEST_DIR"), "fft").expect("golden file")
}

/// Compares dtype and values; complex tensors are compared as (real, imag) pairs.
fn check(g: &HashMap<String, Tensor>, key: &str, actual: Result<Tensor>) {
    torch_core::testing::assert_golden_tol(g, key, actual, RTOL, ATOL);
}

/// The gradient of the real loss `f(leaf)` at a copy of `x`.
fn grad_of(x: &Tensor, f: impl Fn(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
    let t = x.deep_clone()?.requires_grad_(true)?;
    f(&t)?.backward()?;
    Ok(t.grad().expect("gradient"))
}

#[test]
fn fft_and_ifft_match_torch() {
    let g = golden();
    let (x, xc, xo) = (&g["x"], &g["xc"], &g["xo"]);
    check(&g, "fft.real", x.fft(None, -1, None));
    check(&g, "fft.c", xc.fft(None, -1, None));
    check(&g, "fft.pad8_dim0", xc.fft(Some(8), 0, None));
    check(&g, "fft.trim4_ortho", xc.fft(Some(4), -1, Some("ortho")));
    check(&g, "fft.forward", xc.fft(None, -1, Some("forward")));
    check(&g, "fft.t", xc.t().unwrap().fft(None, 0, None));
    check(&g, "fft.odd", xo.fft(None, -1, None));
    check(&g, "ifft.c", xc.ifft(None, -1, None));
    check(&g, "ifft.pad9_ortho", xc.ifft(Some(9), -1, Some("ortho")));
    check(&g, "ifft.forward_dim0", xc.ifft(None, 0, Some("forward")));
    check(&g, "ifft.real", x.ifft(None, -1, None));
}

#[test]
fn rfft_and_irfft_match_torch() {
    let g = golden();
    let (x, xc, xo) = (&g["x"], &g["xc"], &g["xo"]);
    check(&g, "rfft.x", x.rfft(None, -1, None));
    check(&g, "rfft.odd", xo.rfft(None, -1, None));
    check(&g, "rfft.pad9_ortho", x.rfft(Some(9), -1, Some("ortho")));
    check(
        &g,
        "rfft.trim5_forward_dim0",
        x.rfft(Some(3), 0, Some("forward")),
    );
    check(&g, "rfft.t", x.t().unwrap().rfft(None, 0, None));
    check(&g, "irfft.c", xc.irfft(None, -1, None));
    check(&g, "irfft.n7", xc.irfft(Some(7), -1, None));
    check(&g, "irfft.n12_ortho", xc.irfft(Some(12), -1, Some("ortho")));
    check(
        &g,
        "irfft.n4_forward_dim0",
        xc.irfft(Some(4), 0, Some("forward")),
    );
    check(
        &g,
        "irfft.roundtrip",
        xo.rfft(None, -1, None).unwrap().irfft(Some(7), -1, None),
    );
    check(
        &g,
        "xo",
        xo.rfft(None, -1, None).unwrap().irfft(Some(7), -1, None),
    );
}

#[test]
fn multidim_transforms_match_torch() {
    let g = golden();
    let (m, mr) = (&g["m"], &g["mr"]);
    check(&g, "fft2.m", m.fft2(None, None, None));
    check(
        &g,
        "fft2.s_ortho",
        m.fft2(Some(&[3, 6]), None, Some("ortho")),
    );
    check(&g, "ifft2.m", m.ifft2(None, None, None));
    check(&g, "fftn.all", m.fftn(None, None, None));
    check(&g, "fftn.dims02", m.fftn(None, Some(&[0, 2]), None));
    check(
        &g,
        "ifftn.all_forward",
        m.ifftn(None, None, Some("forward")),
    );
    check(&g, "rfft2.mr", mr.rfft2(None, None, None));
    check(&g, "rfftn.mr_s", mr.rfftn(Some(&[3, 8]), None, None));
    check(&g, "irfft2.m", m.irfft2(None, None, None));
    check(
        &g,
        "irfftn.m_s",
        m.irfftn(Some(&[4, 7]), None, Some("ortho")),
    );
}

#[test]
fn shifts_and_frequencies_match_torch() {
    let g = golden();
    let (x, xo) = (&g["x"], &g["xo"]);
    check(&g, "fftshift.all", xo.fftshift(None));
    check(&g, "fftshift.dim1", x.fftshift(Some(&[1])));
    check(&g, "ifftshift.all", xo.ifftshift(None));
    check(&g, "ifftshift.dim0", xo.ifftshift(Some(&[0])));
    check(&g, "xo", xo.fftshift(None).unwrap().ifftshift(None));
    let o = TensorOptions::default();
    check(&g, "fftfreq.5", fftfreq(5, 1.0, o));
    check(&g, "fftfreq.8_d0.1", fftfreq(8, 0.1, o));
    check(&g, "rfftfreq.7_d2", rfftfreq(7, 2.0, o));
    check(&g, "rfftfreq.8", rfftfreq(8, 1.0, o));
    let f64freq = fftfreq(4, 1.0, o.dtype(DType::F64)).unwrap();
    assert_eq!(
        f64freq.to_vec::<f64>().unwrap(),
        vec![0.0, 0.25, -0.5, -0.25]
    );
}

#[test]
fn fft_gradients_match_torch() {
    let g = golden();
    let (x, xc, xo, m, mr) = (&g["x"], &g["xc"], &g["xo"], &g["m"], &g["mr"]);
    let (wr10, wr7) = (&g["wr10"], &g["wr7"]);
    check(
        &g,
        "grad.fft_abs",
        grad_of(x, |t| t.fft(None, -1, None)?.abs()?.sum()),
    );
    check(
        &g,
        "grad.fft_c_ortho_abs",
        grad_of(xc, |t| t.fft(None, -1, Some("ortho"))?.abs()?.sum()),
    );
    check(
        &g,
        "grad.fft_c_pad_dim0",
        grad_of(xc, |t| {
            t.fft(Some(8), 0, None)?.abs()?.pow_scalar(2.0)?.sum()
        }),
    );
    check(
        &g,
        "grad.ifft_c_trim",
        grad_of(xc, |t| {
            let y = t.ifft(Some(4), -1, None)?;
            y.real()?
                .sum()?
                .add(&y.imag()?.pow_scalar(2.0)?.sum()?.mul_scalar(2.0)?)
        }),
    );
    check(
        &g,
        "grad.rfft_real_sq",
        grad_of(x, |t| {
            t.rfft(None, -1, None)?.real()?.pow_scalar(2.0)?.sum()
        }),
    );
    check(
        &g,
        "grad.rfft_abs_n8_ortho",
        grad_of(x, |t| t.rfft(Some(8), -1, Some("ortho"))?.abs()?.sum()),
    );
    check(
        &g,
        "grad.rfft_odd_imag",
        grad_of(xo, |t| {
            t.rfft(None, -1, None)?.imag()?.pow_scalar(2.0)?.sum()
        }),
    );
    check(
        &g,
        "grad.irfft_weighted",
        grad_of(xc, |t| t.irfft(None, -1, None)?.mul(wr10)?.sum()),
    );
    check(
        &g,
        "grad.irfft_n7_forward",
        grad_of(xc, |t| {
            t.irfft(Some(7), -1, Some("forward"))?.mul(wr7)?.sum()
        }),
    );
    check(
        &g,
        "grad.fft2_abs",
        grad_of(m, |t| t.fft2(Some(&[3, 6]), None, None)?.abs()?.sum()),
    );
    check(
        &g,
        "grad.rfft2_abs",
        grad_of(mr, |t| t.rfft2(None, None, None)?.abs()?.sum()),
    );
    let ramp = Tensor::arange(0.0, 21.0, 1.0, TensorOptions::default().dtype(DType::F32))
        .unwrap()
        .reshape(&[3, 7])
        .unwrap();
    check(
        &g,
        "grad.fftshift",
        grad_of(xo, |t| t.fftshift(None)?.mul(&ramp)?.sum()),
    );
}

#[test]
fn rfft_double_backward_matches_closed_form() {
    // y = sum |rfft(x)|^2 = x^T M x per row, so d/dx sum(dy/dx) = 2 M 1 = dy/dx at x = 1,
    // which is 2 * 6 = 12 everywhere (only the zero bin is non-zero for a constant row).
    use torch_core::autograd::{GradOptions, grad};
    let g = golden();
    let x = g["x"].deep_clone().unwrap().requires_grad_(true).unwrap();
    let y = x
        .rfft(None, -1, None)
        .unwrap()
        .abs()
        .unwrap()
        .pow_scalar(2.0)
        .unwrap()
        .sum()
        .unwrap();
    let opts = GradOptions {
        create_graph: true,
        ..Default::default()
    };
    let xs = std::slice::from_ref(&x);
    let dx = grad(&[y], xs, opts).unwrap()[0].clone().unwrap();
    let d2 = grad(&[dx.sum().unwrap()], xs, Default::default()).unwrap()[0]
        .clone()
        .unwrap();
    assert_close_tol(&d2, &x.full_like(12.0).unwrap(), 1e-4, 1e-4);
}

#[test]
fn stft_matches_torch() {
    let g = golden();
    let (sig, sig2, hann, hann12) = (&g["sig"], &g["sig2"], &g["hann"], &g["hann12"]);
    let o = |hop, window| StftOptions {
        hop_length: Some(hop),
        window,
        ..Default::default()
    };
    check(&g, "stft.hann", sig.stft(16, o(4, Some(hann))));
    let ones = Tensor::ones(&[16], TensorOptions::default()).unwrap();
    check(
        &g,
        "stft.default_rect",
        sig.stft(
            16,
            StftOptions {
                window: Some(&ones),
                ..Default::default()
            },
        ),
    );
    check(
        &g,
        "stft.constant_win12",
        sig.stft(
            16,
            StftOptions {
                win_length: Some(12),
                pad_mode: "constant",
                ..o(5, Some(hann12))
            },
        ),
    );
    check(
        &g,
        "stft.nocenter_twosided_norm",
        sig.stft(
            16,
            StftOptions {
                center: false,
                onesided: Some(false),
                normalized: true,
                ..o(8, Some(hann))
            },
        ),
    );
    let h8 = hann_window(8);
    check(&g, "stft.batch", sig2.stft(8, o(3, Some(&h8))));
    check(
        &g,
        "stft.real_out",
        sig.stft(
            16,
            StftOptions {
                return_complex: false,
                ..o(4, Some(hann))
            },
        ),
    );
    check(&g, "stft.complex_in", g["sigc"].stft(8, o(2, Some(&h8))));
}

/// The periodic Hann window (`torch.hann_window(n)`).
fn hann_window(n: usize) -> Tensor {
    let v: Vec<f32> = (0..n)
        .map(|i| (0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos()) as f32)
        .collect();
    Tensor::from_vec(v, &[n]).unwrap()
}

#[test]
fn istft_matches_torch_and_round_trips() {
    let g = golden();
    let (sig, hann, spec) = (&g["sig"], &g["hann"], &g["stft.hann"]);
    let o = |hop, window| IstftOptions {
        hop_length: Some(hop),
        window,
        ..Default::default()
    };
    check(&g, "istft.hann", spec.istft(16, o(4, Some(hann))));
    check(&g, "sig", spec.istft(16, o(4, Some(hann))));
    check(
        &g,
        "istft.hann_len60",
        spec.istft(
            16,
            IstftOptions {
                length: Some(60),
                ..o(4, Some(hann))
            },
        ),
    );
    check(
        &g,
        "istft.hann_len70",
        spec.istft(
            16,
            IstftOptions {
                length: Some(70),
                ..o(4, Some(hann))
            },
        ),
    );
    let h8 = hann_window(8);
    check(
        &g,
        "istft.batch",
        g["stft.batch"].istft(
            8,
            IstftOptions {
                length: Some(50),
                ..o(3, Some(&h8))
            },
        ),
    );
    let own = g["sig2"].stft(
        8,
        StftOptions {
            hop_length: Some(3),
            window: Some(&h8),
            ..Default::default()
        },
    );
    check(
        &g,
        "sig2",
        own.unwrap().istft(
            8,
            IstftOptions {
                length: Some(50),
                ..o(3, Some(&h8))
            },
        ),
    );
    let ones = Tensor::ones(&[16], TensorOptions::default()).unwrap();
    let nc = sig
        .stft(
            16,
            StftOptions {
                hop_length: Some(8),
                window: Some(&ones),
                center: false,
                ..Default::default()
            },
        )
        .unwrap();
    check(
        &g,
        "istft.nocenter_rect",
        nc.istft(
            16,
            IstftOptions {
                center: false,
                ..o(8, Some(&ones))
            },
        ),
    );
    let sc = g["sigc"]
        .stft(
            8,
            StftOptions {
                hop_length: Some(2),
                window: Some(&h8),
                normalized: true,
                ..Default::default()
            },
        )
        .unwrap();
    check(
        &g,
        "istft.twosided_norm_complex",
        sc.istft(
            8,
            IstftOptions {
                normalized: true,
                return_complex: true,
                ..o(2, Some(&h8))
            },
        ),
    );
}

#[test]
fn istft_rejects_windows_that_fail_nola() {
    let g = golden();
    // A periodic Hann window starts at 0: without centring, the first output sample has no
    // window energy, so PyTorch refuses.
    let spec = g["sig"]
        .stft(
            16,
            StftOptions {
                hop_length: Some(4),
                window: Some(&g["hann"]),
                center: false,
                ..Default::default()
            },
        )
        .unwrap();
    let err = spec
        .istft(
            16,
            IstftOptions {
                hop_length: Some(4),
                window: Some(&g["hann"]),
                center: false,
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("window overlap add min"), "{err}");
}

#[test]
fn stft_and_istft_gradients_match_torch() {
    let g = golden();
    let (sig, hann, spec) = (&g["sig"], &g["hann"], &g["stft.hann"]);
    let o = StftOptions {
        hop_length: Some(4),
        window: Some(hann),
        ..Default::default()
    };
    check(
        &g,
        "grad.stft_abs",
        grad_of(sig, |t| t.stft(16, o.clone())?.abs()?.sum()),
    );
    check(
        &g,
        "grad.stft_window",
        grad_of(hann, |w| {
            sig.stft(
                16,
                StftOptions {
                    window: Some(w),
                    ..o.clone()
                },
            )?
            .abs()?
            .sum()
        }),
    );
    let ramp = Tensor::arange(0.0, 64.0, 1.0, TensorOptions::default().dtype(DType::F32)).unwrap();
    check(
        &g,
        "grad.istft",
        grad_of(spec, |t| {
            t.istft(
                16,
                IstftOptions {
                    hop_length: Some(4),
                    window: Some(hann),
                    ..Default::default()
                },
            )?
            .mul(&ramp)?
            .sum()
        }),
    );
}

#[test]
fn invalid_arguments_give_torch_errors() {
    let g = golden();
    let (x, xc) = (&g["x"], &g["xc"]);
    let msg = |r: Result<Tensor>| r.unwrap_err().to_string();
    assert!(msg(x.fft(Some(0), -1, None)).contains("Invalid number of data points (0) specified"));
    assert!(msg(x.fft(None, -1, Some("bla"))).contains("Invalid normalization mode: \"bla\""));
    assert!(msg(xc.rfft(None, -1, None)).contains("rfft expects a real input tensor"));
    assert!(msg(x.fft(None, 2, None)).contains("Dimension out of range"));
    assert!(msg(x.fftn(None, Some(&[0, -2]), None)).contains("FFT dims must be unique"));
    let short = Tensor::from_vec(vec![1.0f32, 2.0, 3.0], &[3]).unwrap();
    assert!(msg(short.stft(8, StftOptions::default())).contains("Padding size should be less"));
    assert!(
        msg(g["sig"].stft(
            8,
            StftOptions {
                win_length: Some(9),
                ..Default::default()
            }
        ))
        .contains("expected 0 < win_length <= n_fft")
    );
    assert!(msg(x.istft(8, IstftOptions::default())).contains("requires a complex-valued input"));
}

#[test]
fn large_batches_use_the_thread_pool_and_match_single_rows() {
    // 80 x 1000 values is above the parallel threshold of the kernels.
    let x = Tensor::randn(&[80, 1000], TensorOptions::default()).unwrap();
    let back = x.fft(None, -1, None).unwrap().ifft(None, -1, None).unwrap();
    assert_close_tol(&back.real().unwrap(), &x, 1e-4, 1e-4);
    let spec = x.rfft(None, -1, Some("ortho")).unwrap();
    let back = spec.irfft(Some(1000), -1, Some("ortho")).unwrap();
    assert_close_tol(&back, &x, 1e-4, 1e-4);
    let row = x
        .select(0, 37)
        .unwrap()
        .rfft(None, -1, Some("ortho"))
        .unwrap();
    assert_close_tol(
        &spec.select(0, 37).unwrap().view_as_real().unwrap(),
        &row.view_as_real().unwrap(),
        1e-6,
        1e-6,
    );
    // Along dim 0 (moved last internally) the result keeps the input's layout order.
    let d0 = x.fft(None, 0, None).unwrap();
    let col = x.select(1, 5).unwrap().fft(None, 0, None).unwrap();
    assert_close_tol(
        &d0.select(1, 5).unwrap().view_as_real().unwrap(),
        &col.view_as_real().unwrap(),
        1e-5,
        1e-5,
    );
    // Empty batches transform to empty results.
    let e = Tensor::zeros(&[0, 8], TensorOptions::default()).unwrap();
    assert_eq!(e.rfft(None, -1, None).unwrap().shape(), &[0, 5]);
    assert_eq!(e.fft(None, -1, None).unwrap().shape(), &[0, 8]);
}
