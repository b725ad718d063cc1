//! CPU kernels of the convolutions, all in the 2-D NCHW form (1-D ops add a unit height):
//! im2col over blocks of output rows into a per-thread scratch buffer that stays in cache,
//! then one `gemm` per (sample, group, block); a 1x1 stride-1 convolution multiplies the input
//! directly, and other stride-1 convolutions take the shifted-gemm kernels of `shifted.rs`.
//! f16/bf16 compute in f32.

use rayon::prelude::*;

use super::exec::{Dst, Mat, Real, SyncPtr, gemm, grow, run_reduce, run_tasks};
use super::im2col::{Geom, Plan, col2im_add, im2col};
use crate::storage::{Storage, cast_slice_mut};
use crate::{DType, Error, Result, Tensor};

/// Output rows per im2col block are chosen so a column block holds about this many elements
/// (256 KiB of f32: it stays in L2 between im2col and gemm).
const COL_BLOCK: usize = 64 * 1024;

/// `x`, `w` and `b` as contiguous `T` slices, and a zeroed output of `shape`.
fn with_io<T: Real, R>(
    inputs: &[&Tensor],
    shape: &[usize],
    f: impl FnOnce(&[&[T]], &mut [T]) -> R,
) -> Result<(Tensor, R)> {
    let cs: Vec<Tensor> = inputs
        .iter()
        .map(|t| t.contiguous())
        .collect::<Result<_>>()?;
    let guards: Vec<_> = cs.iter().map(|t| t.storage().read()).collect();
    let slices: Vec<&[T]> = cs
        .iter()
        .zip(&guards)
        .map(|(t, g)| {
            let all = crate::storage::cast_slice::<T>(g.as_bytes());
            &all[t.storage_offset()..t.storage_offset() + t.numel()]
        })
        .collect();
    let n: usize = shape.iter().product();
    let out = Storage::zeros(n, T::DTYPE);
    let r = {
        let mut g = out.write();
        f(&slices, cast_slice_mut::<T>(g.as_bytes_mut()))
    };
    Ok((Tensor::from_storage(out, shape, T::DTYPE), r))
}

/// Dispatches on the dtype: f32/f64 natively, f16/bf16 through f32, others refused.
macro_rules! float_dispatch {
    ($op:expr, $dtype:expr, $f32:expr, $f64:expr, $widen:expr) => {
        match $dtype {
            DType::F32 => $f32,
            DType::F64 => $f64,
            DType::F16 | DType::BF16 => $widen,
            d => Err(Error::UnsupportedDType { op: $op, dtype: d }),
        }
    };
}

fn widen(t: &Tensor) -> Result<Tensor> {
    t.to_dtype(DType::F32)
}

/// `out[n, o] = bias[o] + sum_c w[o, c] (*) x[n, c]` for 4-D `x` and `w`; `out_hw` output
/// positions. `x`, `w`, `b` carry no history.
pub(crate) fn conv2d(
    x: &Tensor,
    w: &Tensor,
    b: Option<&Tensor>,
    geom: Geom,
    out_hw: [usize; 2],
) -> Result<Tensor> {
    x.device().check_available("conv2d")?;
    float_dispatch!(
        "conv2d",
        x.dtype(),
        conv2d_t::<f32>(x, w, b, geom, out_hw),
        conv2d_t::<f64>(x, w, b, geom, out_hw),
        conv2d(
            &widen(x)?,
            &widen(w)?,
            b.map(widen).transpose()?.as_ref(),
            geom,
            out_hw
        )?
        .to_dtype(x.dtype())
    )
}

fn conv2d_t<T: Real>(
    x: &Tensor,
    w: &Tensor,
    b: Option<&Tensor>,
    geom: Geom,
    out_hw: [usize; 2],
) -> Result<Tensor> {
    let (xs, ws) = (x.shape(), w.shape());
    let pl = Plan {
        c: ws[1],
        h: xs[2],
        w: xs[3],
        kh: ws[2],
        kw: ws[3],
        oh: out_hw[0],
        ow: out_hw[1],
        geom,
    };
    let (n, o) = (xs[0], ws[0]);
    let mut inputs = vec![x, w];
    inputs.extend(b);
    let (out, ()) = with_io::<T, _>(&inputs, &[n, o, pl.oh, pl.ow], |s, out| {
        forward(s[0], s[1], s.get(2).copied(), out, n, o, &pl)
    })?;
    Ok(out)
}

/// The forward kernel on contiguous slices (also the stride-1 transposed convolution).
fn forward<T: Real>(
    x: &[T],
    w: &[T],
    bias: Option<&[T]>,
    out: &mut [T],
    n: usize,
    o: usize,
    pl: &Plan,
) {
    let direct = pl.is_pointwise();
    if !direct && super::shifted::applies(pl) {
        return super::shifted::forward(x, w, bias, out, (n, o), pl);
    }
    let g = pl.geom.groups;
    let (og, kk, p) = (o / g, pl.rows(), pl.positions());
    let rb = if direct {
        pl.oh.max(1)
    } else {
        pl.block_rows(COL_BLOCK)
    };
    let nblk = pl.oh.div_ceil(rb);
    let outp = SyncPtr(out.as_mut_ptr());
    let macs = n * o * kk * p;
    run_tasks::<T>(n * g * nblk, macs, |t, buf, par| {
        let (s, gi, bi) = (t / (g * nblk), t / nblk % g, t % nblk);
        let (r0, r1) = (bi * rb, ((bi + 1) * rb).min(pl.oh));
        let nb = (r1 - r0) * pl.ow;
        let xs = &x[(s * g + gi) * pl.in_len()..][..pl.in_len()];
        let wg = &w[gi * og * kk..][..og * kk];
        let b = if direct {
            Mat {
                ptr: xs.as_ptr(),
                rs: p,
                cs: 1,
            }
        } else {
            let col = grow(buf, kk * nb);
            im2col(xs, pl, r0, r1, col);
            Mat {
                ptr: col.as_ptr(),
                rs: nb,
                cs: 1,
            }
        };
        let a = Mat {
            ptr: wg.as_ptr(),
            rs: kk,
            cs: 1,
        };
        let base = (s * o + gi * og) * p + r0 * pl.ow;
        // SAFETY: the task writes rows `gi*og..(gi+1)*og` of sample `s`, columns of block
        // `bi` only: disjoint from every other task; operands are in bounds by the plan.
        unsafe {
            let dst = outp.get().add(base);
            gemm(
                og,
                nb,
                kk,
                Dst {
                    ptr: dst,
                    rs: p,
                    cs: 1,
                },
                false,
                a,
                b,
                par,
            );
            if let Some(bias) = bias {
                for oc in 0..og {
                    let v = bias[gi * og + oc];
                    for y in std::slice::from_raw_parts_mut(dst.add(oc * p), nb) {
                        *y += v;
                    }
                }
            }
        }
    });
}

/// Transposed convolution (the adjoint of `conv2d` in `x`): `x: [N, Cin, H, W]`,
/// `w: [Cin, Cout / groups, kh, kw]`, `out_hw` output positions.
pub(crate) fn conv_transpose2d(
    x: &Tensor,
    w: &Tensor,
    b: Option<&Tensor>,
    geom: Geom,
    out_hw: [usize; 2],
) -> Result<Tensor> {
    x.device().check_available("conv_transpose2d")?;
    float_dispatch!(
        "conv_transpose2d",
        x.dtype(),
        conv_transpose_t::<f32>(x, w, b, geom, out_hw),
        conv_transpose_t::<f64>(x, w, b, geom, out_hw),
        conv_transpose2d(
            &widen(x)?,
            &widen(w)?,
            b.map(widen).transpose()?.as_ref(),
            geom,
            out_hw
        )?
        .to_dtype(x.dtype())
    )
}

fn conv_transpose_t<T: Real>(
    x: &Tensor,
    w: &Tensor,
    b: Option<&Tensor>,
    geom: Geom,
    out_hw: [usize; 2],
) -> Result<Tensor> {
    let (xs, ws) = (x.shape(), w.shape());
    let g = geom.groups;
    let (n, cin, cog, kh, kw) = (xs[0], ws[0], ws[1], ws[2], ws[3]);
    let cout = cog * g;
    let mut inputs = vec![x, w];
    inputs.extend(b);
    let shape = [n, cout, out_hw[0], out_hw[1]];
    if geom.stride == [1, 1] && out_hw[0] * out_hw[1] <= xs[2] * xs[3] {
        // A stride-1 transposed convolution is a convolution with the kernel flipped, in and
        // out channels swapped and padding d(k-1)-p: im2col (a gather) instead of col2im.
        // Only when the output is no larger than the input: the gather costs output positions
        // x taps, col2im input positions x taps, and an unpadded transposed convolution
        // (the DCGAN generator's 1x1 -> 7x7 stem) would otherwise multiply zeros kh*kw-fold.
        let pl = Plan {
            c: cin / g,
            h: xs[2],
            w: xs[3],
            kh,
            kw,
            oh: out_hw[0],
            ow: out_hw[1],
            geom: Geom {
                pad: [
                    (geom.dilation[0] * (kh - 1)) as isize - geom.pad[0],
                    (geom.dilation[1] * (kw - 1)) as isize - geom.pad[1],
                ],
                ..geom
            },
        };
        let (out, ()) = with_io::<T, _>(&inputs, &shape, |s, out| {
            let flipped = flip_kernel(s[1], g, cin / g, cog, kh * kw);
            forward(s[0], &flipped, s.get(2).copied(), out, n, cout, &pl);
        })?;
        return Ok(out);
    }
    let pl = Plan {
        c: cog,
        h: out_hw[0],
        w: out_hw[1],
        kh,
        kw,
        oh: xs[2],
        ow: xs[3],
        geom,
    };
    let (out, ()) = with_io::<T, _>(&inputs, &shape, |s, out| {
        transpose_col2im(s[0], s[1], s.get(2).copied(), out, n, cin, &pl)
    })?;
    Ok(out)
}

/// `[Cin, Cout/g, k]` (transposed-conv weight) to `[Cout, Cin/g, k]` with the kernel
/// reversed: the weight of the equivalent stride-1 convolution.
fn flip_kernel<T: Real>(w: &[T], g: usize, cig: usize, cog: usize, k: usize) -> Vec<T> {
    let mut out = vec![T::zero(); w.len()];
    for gi in 0..g {
        for ci in 0..cig {
            for co in 0..cog {
                let src = &w[((gi * cig + ci) * cog + co) * k..][..k];
                let dst = &mut out[((gi * cog + co) * cig + ci) * k..][..k];
                for (d, &v) in dst.iter_mut().zip(src.iter().rev()) {
                    *d = v;
                }
            }
        }
    }
    out
}

/// Transposed convolution by gemm + col2im, one task per (sample, group): the column blocks
/// of one sample overlap in the output, so its blocks run in order.
fn transpose_col2im<T: Real>(
    x: &[T],
    w: &[T],
    bias: Option<&[T]>,
    out: &mut [T],
    n: usize,
    cin: usize,
    pl: &Plan,
) {
    let g = pl.geom.groups;
    let (cig, cog, kk) = (cin / g, pl.c, pl.rows());
    let (p_in, p_out) = (pl.positions(), pl.h * pl.w);
    let rb = pl.block_rows(COL_BLOCK);
    let macs = n * cin * kk * p_in;
    let outp = SyncPtr(out.as_mut_ptr());
    run_tasks::<T>(n * g, macs, |t, buf, par| {
        let (s, gi) = (t / g, t % g);
        // SAFETY: task t owns output block `t` ([cog, OH, OW] of sample s, group gi).
        let y =
            unsafe { std::slice::from_raw_parts_mut(outp.get().add(t * cog * p_out), cog * p_out) };
        let xs = &x[(s * g + gi) * cig * p_in..][..cig * p_in];
        let wg = &w[gi * cig * kk..][..cig * kk];
        let mut r0 = 0;
        while r0 < pl.oh {
            let r1 = (r0 + rb).min(pl.oh);
            let nb = (r1 - r0) * pl.ow;
            let col = grow(buf, kk * nb);
            let a = Mat {
                ptr: wg.as_ptr(),
                rs: 1,
                cs: kk,
            };
            let b = Mat {
                ptr: xs[r0 * pl.ow..].as_ptr(),
                rs: p_in,
                cs: 1,
            };
            // SAFETY: `col` holds kk x nb; operands are in bounds by the plan.
            unsafe {
                let d = Dst {
                    ptr: col.as_mut_ptr(),
                    rs: nb,
                    cs: 1,
                };
                gemm(kk, nb, cig, d, false, a, b, par)
            };
            col2im_add(col, pl, r0, r1, y);
            r0 = r1;
        }
        if let Some(bias) = bias {
            for (oc, plane) in y.chunks_mut(p_out).enumerate() {
                let v = bias[gi * cog + oc];
                plane.iter_mut().for_each(|e| *e += v);
            }
        }
    });
}

/// Gradient of `conv2d` with respect to its weight: `gw[o, c, i, j] = sum_{n, p} go[n, o, p]
/// * x[n, c, p*s - pad + (i, j)*d]` for `x: [N, C, H, W]`, `go: [N, O, OH, OW]`; returns
/// `[O, C / groups, kh, kw]`.
pub(crate) fn conv2d_weight(x: &Tensor, go: &Tensor, geom: Geom, k: [usize; 2]) -> Result<Tensor> {
    x.device().check_available("conv2d_weight")?;
    float_dispatch!(
        "conv2d_weight",
        x.dtype(),
        weight_t::<f32>(x, go, geom, k),
        weight_t::<f64>(x, go, geom, k),
        conv2d_weight(&widen(x)?, &widen(go)?, geom, k)?.to_dtype(x.dtype())
    )
}

fn weight_t<T: Real>(x: &Tensor, go: &Tensor, geom: Geom, k: [usize; 2]) -> Result<Tensor> {
    let (xs, gs) = (x.shape(), go.shape());
    let g = geom.groups;
    let (n, o) = (xs[0], gs[1]);
    let pl = Plan {
        c: xs[1] / g,
        h: xs[2],
        w: xs[3],
        kh: k[0],
        kw: k[1],
        oh: gs[2],
        ow: gs[3],
        geom,
    };
    let (og, kk, p) = (o / g, pl.rows(), pl.positions());
    let direct = pl.is_pointwise();
    let rb = if direct {
        pl.oh.max(1)
    } else {
        pl.block_rows(COL_BLOCK)
    };
    let nblk = pl.oh.div_ceil(rb);
    let (out, ()) = with_io::<T, _>(&[x, go], &[o, pl.c, k[0], k[1]], |s, out| {
        let (x, go) = (s[0], s[1]);
        if !direct && super::shifted::applies(&pl) {
            out.copy_from_slice(&super::shifted::weight_grad(x, go, (n, o), &pl));
            return;
        }
        let acc = run_reduce::<T>(n * g * nblk, o * kk, n * o * kk * p, |t, acc, buf, par| {
            let (s, gi, bi) = (t / (g * nblk), t / nblk % g, t % nblk);
            let (r0, r1) = (bi * rb, ((bi + 1) * rb).min(pl.oh));
            let nb = (r1 - r0) * pl.ow;
            let xs = &x[(s * g + gi) * pl.in_len()..][..pl.in_len()];
            let b = if direct {
                Mat {
                    ptr: xs.as_ptr(),
                    rs: 1,
                    cs: p,
                }
            } else {
                let col = grow(buf, kk * nb);
                im2col(xs, &pl, r0, r1, col);
                Mat {
                    ptr: col.as_ptr(),
                    rs: 1,
                    cs: nb,
                }
            };
            let a = Mat {
                ptr: go[(s * o + gi * og) * p + r0 * pl.ow..].as_ptr(),
                rs: p,
                cs: 1,
            };
            let dst = &mut acc[gi * og * kk..][..og * kk];
            // The accumulator holds gw^T ([kk, og]) so that gemm keeps og along its vector
            // dim and reads the column block in place.
            let d = Dst {
                ptr: dst.as_mut_ptr(),
                rs: 1,
                cs: og,
            };
            // SAFETY: `dst` is og x kk; operands are in bounds by the plan.
            unsafe { gemm(og, kk, nb, d, true, a, b, par) };
        });
        for gi in 0..g {
            let (src, dst) = (
                &acc[gi * og * kk..][..og * kk],
                &mut out[gi * og * kk..][..og * kk],
            );
            for r in 0..kk {
                for o in 0..og {
                    dst[o * kk + r] = src[r * og + o];
                }
            }
        }
    })?;
    Ok(out)
}

/// `torch.nn.functional.unfold` on `[N, C, H, W]`: `[N, C * kh * kw, oh * ow]`.
pub(crate) fn unfold(x: &Tensor, pl: Plan) -> Result<Tensor> {
    x.device().check_available("unfold")?;
    float_dispatch!(
        "unfold",
        x.dtype(),
        unfold_t::<f32>(x, pl),
        unfold_t::<f64>(x, pl),
        unfold(&widen(x)?, pl)?.to_dtype(x.dtype())
    )
}

fn unfold_t<T: Real>(x: &Tensor, pl: Plan) -> Result<Tensor> {
    let n = x.shape()[0];
    let len = pl.rows() * pl.positions();
    let (out, ()) = with_io::<T, _>(&[x], &[n, pl.rows(), pl.positions()], |s, out| {
        per_sample(out, len, |i, o| {
            im2col(&s[0][i * pl.in_len()..][..pl.in_len()], &pl, 0, pl.oh, o)
        });
    })?;
    Ok(out)
}

/// `torch.nn.functional.fold` of `[N, C * kh * kw, oh * ow]` into `[N, C, H, W]`.
pub(crate) fn fold(col: &Tensor, pl: Plan) -> Result<Tensor> {
    col.device().check_available("fold")?;
    float_dispatch!(
        "fold",
        col.dtype(),
        fold_t::<f32>(col, pl),
        fold_t::<f64>(col, pl),
        fold(&widen(col)?, pl)?.to_dtype(col.dtype())
    )
}

fn fold_t<T: Real>(col: &Tensor, pl: Plan) -> Result<Tensor> {
    let n = col.shape()[0];
    let len = pl.rows() * pl.positions();
    let (out, ()) = with_io::<T, _>(&[col], &[n, pl.c, pl.h, pl.w], |s, out| {
        per_sample(out, pl.in_len(), |i, o| {
            col2im_add(&s[0][i * len..][..len], &pl, 0, pl.oh, o)
        });
    })?;
    Ok(out)
}

/// Calls `f(i, chunk)` for each `len`-element chunk of `out`, in parallel when large.
fn per_sample<T: Real>(out: &mut [T], len: usize, f: impl Fn(usize, &mut [T]) + Sync + Send) {
    if len == 0 {
        return;
    }
    if out.len() < 2 * crate::cpu::GRAIN || crate::cpu::get_num_threads() == 1 {
        out.chunks_mut(len).enumerate().for_each(|(i, o)| f(i, o));
    } else {
        crate::cpu::install(|| {
            out.par_chunks_mut(len)
                .enumerate()
                .for_each(|(i, o)| f(i, o));
        });
    }
}
