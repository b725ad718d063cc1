//! `lfilter` (`torchaudio.functional.lfilter`): the IIR recursion runs in f64 on the CPU and
//! returns the input's dtype, with a custom backward rule giving the gradients of the
//! waveform and of both coefficient sets, as torchaudio's differentiable lfilter does.
//!
//! With `A y = B x` per row (`A`, `B` the causal convolutions by `a`, `b`) and `g` the
//! output gradient: `g_u = A^-T g` is the anti-causal IIR (time-reverse, filter by `a`,
//! time-reverse), `grad_x = B^T g_u`, `grad_b[k] = sum_n g_u[n] x[n-k]` and `grad_a[k] =
//! -sum_n g_u[n] y[n-k]`. The backward computes on raw data, so it is not itself
//! differentiable (no double backward).

use torch_core::autograd::{BackwardCtx, GradFn, no_grad};
use torch_core::{DType, Error, Result, Tensor};

const OP: &str = "lfilter";

/// Coefficients `[n_filters, order]` in f64; row `r` of the signal uses filter `r % n_filters`.
#[derive(Clone)]
struct Coeffs {
    a: Vec<f64>,
    b: Vec<f64>,
    order: usize,
    n_filters: usize,
}

impl Coeffs {
    fn row(&self, r: usize) -> (&[f64], &[f64]) {
        let f = r % self.n_filters;
        let s = f * self.order..(f + 1) * self.order;
        (&self.a[s.clone()], &self.b[s])
    }
}

/// `a[0] y[n] = sum_k b[k] u[n-k] - sum_{k>=1} a[k] y[n-k]` on one row.
fn filter_row(u: &[f64], y: &mut [f64], a: &[f64], b: &[f64]) {
    for n in 0..u.len() {
        let mut acc = 0.0;
        for (k, bk) in b.iter().enumerate().take(n + 1) {
            acc += bk * u[n - k];
        }
        for (k, ak) in a.iter().enumerate().take(n + 1).skip(1) {
            acc -= ak * y[n - k];
        }
        y[n] = acc / a[0];
    }
}

/// Direct-form IIR filter along the last dim (`torchaudio.functional.lfilter(waveform,
/// a_coeffs, b_coeffs, clamp=True, batching=True)`): `a[0] y[n] = sum_k b[k] x[n-k] -
/// sum_{k>0} a[k] y[n-k]`. Coefficients are 1-D `[order + 1]` (one filter for all), or 2-D
/// `[F, order + 1]`: with `batching`, filter `f` applies to `waveform[..., f, :]`; without,
/// every filter is applied to the whole input, stacked at dim -2. `clamp` clips the output to
/// [-1, 1]. Differentiable in the waveform and both coefficient tensors.
pub fn lfilter(
    waveform: &Tensor,
    a_coeffs: &Tensor,
    b_coeffs: &Tensor,
    clamp: bool,
    batching: bool,
) -> Result<Tensor> {
    if a_coeffs.shape() != b_coeffs.shape() {
        return Err(Error::invalid(
            OP,
            format!(
                "Expected coeffs to be the same size, but got a_coeffs {:?} and b_coeffs {:?}",
                a_coeffs.shape(),
                b_coeffs.shape()
            ),
        ));
    }
    if !(1..=2).contains(&a_coeffs.dim()) {
        return Err(Error::invalid(
            OP,
            format!(
                "Expected coeffs to be 1D or 2D, but got {}D",
                a_coeffs.dim()
            ),
        ));
    }
    if waveform.dim() == 0 {
        return Err(Error::invalid(
            OP,
            "Expected waveform to have at least 1 dim",
        ));
    }
    let order = a_coeffs.shape()[a_coeffs.dim() - 1];
    let (a, b) = (
        a_coeffs.reshape(&[-1, order as i64])?,
        b_coeffs.reshape(&[-1, order as i64])?,
    );
    let n_filters = a.shape()[0];
    let mut x = if waveform.dtype().is_float() {
        waveform.clone()
    } else {
        waveform.to_dtype(DType::F32)?
    };
    if a_coeffs.dim() == 2 {
        if !batching {
            let copies: Vec<&Tensor> = vec![&x; n_filters];
            x = Tensor::stack(&copies, -2)?;
        } else if x.dim() < 2 || x.shape()[x.dim() - 2] != n_filters {
            return Err(Error::invalid(
                OP,
                format!(
                    "Expected number of batches in waveform and coeffs to be the same, but got waveform {:?} and coeffs {:?}",
                    waveform.shape(),
                    a_coeffs.shape()
                ),
            ));
        }
    }
    let shape: Vec<i64> = x.shape().iter().map(|&d| d as i64).collect();
    let t = x.shape()[x.dim() - 1];
    let c = Coeffs {
        a: a.to_vec_f64()?,
        b: b.to_vec_f64()?,
        order,
        n_filters,
    };
    if c.a.chunks(order).any(|r| r[0] == 0.0) {
        return Err(Error::invalid(OP, "a_coeffs[..., 0] must be nonzero"));
    }
    let rows = x.reshape(&[-1, t as i64])?;
    let xv = rows.contiguous()?.to_vec_f64()?;
    let mut yv = vec![0.0f64; xv.len()];
    for (r, (xs, ys)) in xv.chunks(t.max(1)).zip(yv.chunks_mut(t.max(1))).enumerate() {
        let (ar, br) = c.row(r);
        filter_row(xs, ys, ar, br);
    }
    let y = {
        let _g = no_grad();
        Tensor::from_vec(yv.clone(), rows.shape())?.to_dtype(x.dtype())?
    };
    let backward = LfilterBackward {
        x: xv,
        y: yv,
        c,
        t,
        dtypes: [x.dtype(), a.dtype(), b.dtype()],
    };
    let y = y
        .attach_grad_fn(&[&rows, &a, &b], Box::new(backward))?
        .reshape(&shape)?;
    if clamp {
        y.clamp(Some(-1.0), Some(1.0))
    } else {
        Ok(y)
    }
}

/// The saved rows (f64) of one `lfilter` call.
struct LfilterBackward {
    x: Vec<f64>,
    y: Vec<f64>,
    c: Coeffs,
    t: usize,
    dtypes: [DType; 3],
}

impl GradFn for LfilterBackward {
    fn name(&self) -> &'static str {
        "LfilterBackward"
    }

    fn backward(&self, _ctx: &BackwardCtx, grad: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (t, k) = (self.t, self.c.order);
        let g = grad.contiguous()?.to_vec_f64()?;
        let mut gx = vec![0.0f64; g.len()];
        let (mut ga, mut gb) = (vec![0.0f64; self.c.a.len()], vec![0.0f64; self.c.b.len()]);
        let mut rev = vec![0.0f64; t];
        let mut gu = vec![0.0f64; t];
        let unit = {
            let mut u = vec![0.0; k];
            u[0] = 1.0;
            u
        };
        for r in 0..g.len() / t.max(1) {
            let s = r * t..(r + 1) * t;
            let (a, b) = self.c.row(r);
            // g_u = flip(IIR(flip(g); a)).
            rev.iter_mut()
                .zip(g[s.clone()].iter().rev())
                .for_each(|(d, v)| *d = *v);
            filter_row(&rev, &mut gu, a, &unit);
            gu.reverse();
            let (x, y) = (&self.x[s.clone()], &self.y[s.clone()]);
            let f = r % self.c.n_filters;
            for n in 0..t {
                for j in 0..k.min(t - n) {
                    gx[r * t + n] += b[j] * gu[n + j];
                }
                for j in 0..k.min(n + 1) {
                    gb[f * k + j] += gu[n] * x[n - j];
                    ga[f * k + j] -= gu[n] * y[n - j];
                }
            }
        }
        let n_rows = g.len() / t.max(1);
        let f = self.c.n_filters;
        Ok(vec![
            Some(Tensor::from_vec(gx, &[n_rows, t])?.to_dtype(self.dtypes[0])?),
            Some(Tensor::from_vec(ga, &[f, k])?.to_dtype(self.dtypes[1])?),
            Some(Tensor::from_vec(gb, &[f, k])?.to_dtype(self.dtypes[2])?),
        ])
    }
}
