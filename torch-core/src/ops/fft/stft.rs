//! `stft` and `istft` (`torch.stft`, `torch.istft`) as composites of padding (`pad`), framing (an
//! `as_strided` view), windowing, the 1-D transforms and overlap-add (`index_add`), so their
//! gradients come from those ops.

use crate::{DType, Error, Result, Tensor, TensorOptions};

/// Keyword arguments of `torch.stft`; `Default` holds PyTorch's defaults except
/// `return_complex`, which defaults to `true` (PyTorch requires it to be given and deprecates
/// `false`).
#[derive(Clone, Debug)]
pub struct StftOptions<'a> {
    /// Distance between frames; `None` is `n_fft / 4`.
    pub hop_length: Option<usize>,
    /// Window size; `None` is `n_fft`. Shorter windows are zero-padded on both sides.
    pub win_length: Option<usize>,
    /// A 1-D window of `win_length` values; `None` is a rectangular window (all ones).
    pub window: Option<&'a Tensor>,
    /// Pad the signal by `n_fft / 2` on both sides so frame `t` is centred at `t * hop`.
    pub center: bool,
    /// Padding when `center`: `"reflect"` (default), `"constant"`, `"replicate"`, `"circular"`.
    pub pad_mode: &'a str,
    /// Scale by `1 / sqrt(n_fft)`.
    pub normalized: bool,
    /// Keep only the `n_fft / 2 + 1` non-negative frequencies; `None` is true for real input
    /// and window.
    pub onesided: Option<bool>,
    /// Complex output; `false` gives `view_as_real` of it (a trailing dim of 2).
    pub return_complex: bool,
}

impl Default for StftOptions<'_> {
    fn default() -> Self {
        StftOptions {
            hop_length: None,
            win_length: None,
            window: None,
            center: true,
            pad_mode: "reflect",
            normalized: false,
            onesided: None,
            return_complex: true,
        }
    }
}

/// Keyword arguments of `torch.istft`, with PyTorch's defaults.
#[derive(Clone, Debug)]
pub struct IstftOptions<'a> {
    /// Distance between frames; `None` is `n_fft / 4`.
    pub hop_length: Option<usize>,
    /// Window size; `None` is `n_fft`.
    pub win_length: Option<usize>,
    /// The window used by `stft`; `None` is a rectangular window.
    pub window: Option<&'a Tensor>,
    /// Whether `stft` padded the signal (the padding is removed).
    pub center: bool,
    /// Whether `stft` was normalized.
    pub normalized: bool,
    /// Whether the input is one-sided; `None` is `freq_size != n_fft`.
    pub onesided: Option<bool>,
    /// Output length: trims, or zero-pads the tail.
    pub length: Option<usize>,
    /// Complex output (needs a two-sided input).
    pub return_complex: bool,
}

impl Default for IstftOptions<'_> {
    fn default() -> Self {
        IstftOptions {
            hop_length: None,
            win_length: None,
            window: None,
            center: true,
            normalized: false,
            onesided: None,
            length: None,
            return_complex: false,
        }
    }
}

/// `a * b`, promoting the real operand when the other is complex, so every gradient keeps its
/// input's dtype.
fn mul_matched(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    match (a.dtype().is_complex(), b.dtype().is_complex()) {
        (true, false) => a.mul(&b.to_dtype(DType::C64)?),
        (false, true) => a.to_dtype(DType::C64)?.mul(b),
        _ => a.mul(b),
    }
}

/// The window padded with zeros on both sides to `n_fft`; `None` when it is rectangular and
/// full length (no multiply needed).
fn full_window(
    op: &'static str,
    window: Option<&Tensor>,
    win_length: usize,
    n_fft: usize,
) -> Result<Option<Tensor>> {
    let w = match window {
        Some(w) => {
            if w.dim() != 1 || w.shape()[0] != win_length {
                return Err(Error::invalid(
                    op,
                    format!(
                        "expected a 1D window tensor of size equal to win_length={win_length}, but got window with size {:?}",
                        w.shape()
                    ),
                ));
            }
            if w.dtype().is_complex() {
                w.clone()
            } else {
                w.to_dtype(DType::F32)?
            }
        }
        None if win_length < n_fft => Tensor::ones(&[win_length], TensorOptions::default())?,
        None => return Ok(None),
    };
    if win_length == n_fft {
        return Ok(Some(w));
    }
    let left = (n_fft - win_length) / 2;
    let opts = TensorOptions::default().dtype(w.dtype());
    let l = Tensor::zeros(&[left], opts)?;
    let r = Tensor::zeros(&[n_fft - win_length - left], opts)?;
    Ok(Some(Tensor::cat(&[&l, &w, &r], 0)?))
}

impl Tensor {
    /// Short-time Fourier transform of a `(L)` or `(B, L)` signal into `(B?, freq, frames)`
    /// (`torch.stft(x, n_fft, hop_length, win_length, window, center, pad_mode, normalized,
    /// onesided, return_complex=True)`); `frames = 1 + (L_padded - n_fft) / hop`. Composite:
    /// pad, frame (`as_strided`), window, `rfft`/`fft`, transpose.
    pub fn stft(&self, n_fft: usize, opts: StftOptions<'_>) -> Result<Tensor> {
        const OP: &str = "stft";
        if !(self.dim() == 1 || self.dim() == 2) {
            return Err(Error::invalid(
                OP,
                format!("expected a 1D or 2D tensor, but got {}D", self.dim()),
            ));
        }
        let mut x = if self.dtype().is_complex() {
            self.clone()
        } else {
            self.to_dtype(DType::F32)?
        };
        if self.dim() == 1 {
            x = x.unsqueeze(0)?;
        }
        if opts.center {
            let p = (n_fft / 2) as i64;
            x = x.pad(&[p, p], opts.pad_mode, 0.0)?;
        }
        let (batch, len) = (x.shape()[0], x.shape()[1]);
        let hop = opts.hop_length.unwrap_or(n_fft / 4);
        let win_length = opts.win_length.unwrap_or(n_fft);
        if n_fft == 0 || n_fft > len {
            return Err(Error::invalid(
                OP,
                format!("expected 0 < n_fft <= {len}, but got n_fft={n_fft}"),
            ));
        }
        if hop == 0 {
            return Err(Error::invalid(
                OP,
                format!("expected hop_length > 0, but got hop_length={hop}"),
            ));
        }
        if win_length == 0 || win_length > n_fft {
            return Err(Error::invalid(
                OP,
                format!("expected 0 < win_length <= n_fft, but got win_length={win_length}"),
            ));
        }
        let window = full_window(OP, opts.window, win_length, n_fft)?;
        let n_frames = 1 + (len - n_fft) / hop;
        let x = x.contiguous()?;
        // (B, frames, n_fft): overlapping frames as a view of the padded signal.
        let mut frames = x.as_strided(
            &[batch, n_frames, n_fft],
            &[len, hop, 1],
            x.storage_offset(),
        )?;
        if let Some(w) = &window {
            frames = mul_matched(&frames, w)?;
        }
        let complex = frames.dtype().is_complex();
        let onesided = opts.onesided.unwrap_or(!complex);
        if complex && onesided {
            return Err(Error::invalid(
                OP,
                "Cannot have onesided output if window or input is complex",
            ));
        }
        let norm = Some(if opts.normalized { "ortho" } else { "backward" });
        let spec = if onesided {
            frames.rfft(None, -1, norm)?
        } else {
            frames.fft(None, -1, norm)?
        };
        // (B, freq, frames)
        let mut spec = spec.transpose(1, 2)?;
        if self.dim() == 1 {
            spec = spec.squeeze_dim(0)?;
        }
        if opts.return_complex {
            Ok(spec)
        } else {
            spec.view_as_real()
        }
    }

    /// Inverse short-time Fourier transform of a complex `(B?, freq, frames)` spectrogram: the
    /// least-squares signal whose `stft` it is (`torch.istft`). Fails, as PyTorch does, when
    /// the squared window's overlap-add falls below 1e-11 somewhere in the output (the NOLA
    /// condition). Composite: `irfft`/`ifft`, window, overlap-add (`index_add`), divide by the
    /// window envelope.
    pub fn istft(&self, n_fft: usize, opts: IstftOptions<'_>) -> Result<Tensor> {
        const OP: &str = "istft";
        if !self.dtype().is_complex() {
            return Err(Error::invalid(
                OP,
                "istft requires a complex-valued input tensor matching the output from stft with return_complex=True.",
            ));
        }
        if !(self.dim() == 2 || self.dim() == 3) {
            return Err(Error::invalid(
                OP,
                format!(
                    "istft expected a tensor with 2 or 3 dimensions of complex dtype, but got {}",
                    self.dim()
                ),
            ));
        }
        if self.numel() == 0 {
            return Err(Error::invalid(OP, "istft input tensor cannot be empty"));
        }
        let x = if self.dim() == 2 {
            self.unsqueeze(0)?
        } else {
            self.clone()
        };
        let (fft_size, n_frames) = (x.shape()[1], x.shape()[2]);
        let hop = opts.hop_length.unwrap_or(n_fft / 4);
        let win_length = opts.win_length.unwrap_or(n_fft);
        let onesided = opts.onesided.unwrap_or(fft_size != n_fft);
        if onesided && n_fft / 2 + 1 != fft_size {
            return Err(Error::invalid(
                OP,
                format!(
                    "istft expected the frequency dimension (3rd to the last) of the input tensor to match n_fft / 2 + 1 when onesided=True, but got {fft_size}"
                ),
            ));
        }
        if !onesided && n_fft != fft_size {
            return Err(Error::invalid(
                OP,
                format!(
                    "istft expected the frequency dimension (3rd to the last) of the input tensor to match n_fft when onesided=False, but got {fft_size}"
                ),
            ));
        }
        if !(0 < hop && hop <= win_length) {
            return Err(Error::invalid(
                OP,
                "istft expected 0 < hop_length <= win_length",
            ));
        }
        if !(0 < win_length && win_length <= n_fft) {
            return Err(Error::invalid(OP, "istft expected 0 < win_length <= n_fft"));
        }
        if let Some(w) = opts.window
            && (w.dim() != 1 || w.shape()[0] != win_length)
        {
            return Err(Error::invalid(
                OP,
                "Invalid window shape. window has to be 1D and length of `win_length`",
            ));
        }
        let ones;
        let window = match opts.window {
            Some(w) => Some(w),
            None => {
                ones = Tensor::ones(&[win_length], TensorOptions::default())?;
                Some(&ones)
            }
        };
        let w = full_window(OP, window, win_length, n_fft)?
            .ok_or_else(|| Error::invalid(OP, "internal: missing window"))?;
        // (B, frames, freq)
        let x = x.transpose(1, 2)?;
        let norm = Some(if opts.normalized { "ortho" } else { "backward" });
        let frames = if opts.return_complex {
            if onesided {
                return Err(Error::invalid(
                    OP,
                    "Cannot have onesided output if window or input is complex",
                ));
            }
            x.ifft(None, -1, norm)?
        } else {
            if w.dtype().is_complex() {
                return Err(Error::invalid(
                    OP,
                    "Complex windows are incompatible with return_complex=False",
                ));
            }
            let x = if onesided {
                x
            } else {
                x.narrow(-1, 0, n_fft / 2 + 1)?
            };
            x.irfft(Some(n_fft), -1, norm)?
        };
        // (B, frames, n_fft), overlap-added into (B, expected_len).
        let y_tmp = mul_matched(&frames, &w)?;
        let batch = y_tmp.shape()[0];
        let expected = n_fft + hop * (n_frames - 1);
        let idx: Vec<i64> = (0..n_frames)
            .flat_map(|f| (0..n_fft).map(move |k| (f * hop + k) as i64))
            .collect();
        let idx = Tensor::from_vec(idx, &[n_frames * n_fft])?;
        let zeros =
            |b: usize, d: DType| Tensor::zeros(&[b, expected], TensorOptions::default().dtype(d));
        let y = zeros(batch, y_tmp.dtype())?.index_add(
            1,
            &idx,
            &y_tmp.reshape(&[batch as i64, -1])?,
        )?;
        let wsq = w
            .mul(&w)?
            .expand(&[n_frames as i64, n_fft as i64])?
            .reshape(&[1, -1])?;
        let env = zeros(1, wsq.dtype())?.index_add(1, &idx, &wsq)?;
        let start = if opts.center { n_fft / 2 } else { 0 } as i64;
        let end = match opts.length {
            Some(l) => start + l as i64,
            None if opts.center => -((n_fft / 2) as i64),
            None => expected as i64,
        };
        let y = y.slice(1, Some(start), Some(end), 1)?;
        let env = env.slice(1, Some(start), Some(end), 1)?;
        if env.numel() > 0 {
            let lowest = env.abs()?.min()?.item()?;
            if lowest < 1e-11 {
                return Err(Error::invalid(
                    OP,
                    format!(
                        "window overlap add min: {lowest} (the window does not satisfy the nonzero overlap-add (NOLA) condition for hop_length={hop})"
                    ),
                ));
            }
        }
        let mut y = y.div(&env.to_dtype(y.dtype())?)?;
        if self.dim() == 2 {
            y = y.squeeze_dim(0)?;
        }
        if end > expected as i64 {
            let mut shape = y.shape().to_vec();
            if let Some(last) = shape.last_mut() {
                *last = end as usize - expected;
            }
            let z = Tensor::zeros(&shape, TensorOptions::default().dtype(y.dtype()))?;
            y = Tensor::cat(&[&y, &z], -1)?;
        }
        Ok(y)
    }
}
