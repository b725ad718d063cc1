//! Batched matrix product on the CPU through the `gemm` crate, on any strides (transposed
//! inputs are never copied). bf16 is widened to f32; integer dtypes use a plain loop.

use gemm::Parallelism;

/// Multiply-adds (over the whole batch) from which products run on several threads.
const PARALLEL_MACS: usize = 64 * 64 * 64;

use crate::ops::arith::Arith;
use crate::storage::{Storage, cast_slice, cast_slice_mut};
use crate::{DType, Element, Error, Result, Tensor, with_dtype};

/// `out[b] = a[b] @ b[b]` for `a: [B, M, K]`, `b: [B, K, N]`; returns a contiguous `[B, M, N]`.
pub(crate) fn bmm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    a.device().check_available("bmm")?;
    match a.dtype() {
        DType::F32 => gemm_kernel::<f32>(a, b, None),
        DType::F64 => gemm_kernel::<f64>(a, b, None),
        DType::F16 => gemm_kernel::<half::f16>(a, b, None),
        DType::C64 => gemm_kernel::<num_complex::Complex32>(a, b, None),
        DType::BF16 => {
            bmm(&a.to_dtype(DType::F32)?, &b.to_dtype(DType::F32)?)?.to_dtype(DType::BF16)
        }
        DType::Bool => Err(Error::UnsupportedDType {
            op: "matmul",
            dtype: DType::Bool,
        }),
        d => with_dtype!(d, T, { naive::<T>(a, b) }),
    }
}

/// `beta * c + alpha * (a @ b)` for f32/f64 matrices `a: [M, K]`, `b: [K, N]` and `c`
/// broadcast to `[M, N]` (`beta != 0`): `c` is copied into the output and gemm adds the scaled
/// product onto it, so the bias costs one row-broadcast copy instead of a separate pass.
pub(crate) fn addmm(c: &Tensor, a: &Tensor, b: &Tensor, beta: f64, alpha: f64) -> Result<Tensor> {
    let (m, n) = (a.shape()[0], b.shape()[1]);
    // A fresh buffer (deep_clone always copies), never `c`'s own storage.
    let acc = c.expand(&[m as i64, n as i64])?.deep_clone()?;
    let (a, b) = (a.unsqueeze(0)?, b.unsqueeze(0)?);
    let out = match a.dtype() {
        DType::F32 => gemm_kernel::<f32>(&a, &b, Some((acc, beta, alpha)))?,
        DType::F64 => gemm_kernel::<f64>(&a, &b, Some((acc, beta, alpha)))?,
        d => {
            return Err(Error::UnsupportedDType {
                op: "addmm",
                dtype: d,
            });
        }
    };
    out.squeeze_dim(0)
}

fn dims(a: &Tensor, b: &Tensor) -> (usize, usize, usize, usize) {
    (a.shape()[0], a.shape()[1], a.shape()[2], b.shape()[2])
}

/// `out[b] = a[b] @ b[b]`, or with `acc = Some((c, beta, alpha))` (`c` a contiguous
/// `[M, N]` tensor of its own, batch 1) `beta * c + alpha * a @ b` computed in `c`'s storage.
fn gemm_kernel<T: Element>(
    a: &Tensor,
    b: &Tensor,
    acc: Option<(Tensor, f64, f64)>,
) -> Result<Tensor> {
    let (batch, m, k, n) = dims(a, b);
    let scales = acc.as_ref().map(|(_, beta, alpha)| (*beta, *alpha));
    let (read_dst, dst_scale, product_scale) = match &acc {
        Some((_, beta, alpha)) => (true, T::from_f64(*beta), T::from_f64(*alpha)),
        None => (false, T::from_f64(0.0), T::from_f64(1.0)),
    };
    let out = match acc {
        Some((c, beta, _)) => {
            if k == 0 {
                return c.mul_scalar(beta)?.unsqueeze(0);
            }
            c.storage().clone()
        }
        // gemm overwrites the output (read_dst false) whenever there is a product to take.
        None if k > 0 => Storage::uninit(batch * m * n, T::DTYPE),
        None => Storage::zeros(batch * m * n, T::DTYPE),
    };
    if batch * m * n == 0 {
        return Ok(Tensor::from_storage(out, &[batch, m, n], T::DTYPE));
    }
    {
        let ga = a.storage().read();
        let gb = (!a.shares_storage(b)).then(|| b.storage().read());
        let sa = cast_slice::<T>(ga.as_bytes());
        let sb = cast_slice::<T>(gb.as_ref().map_or(ga.as_bytes(), |g| g.as_bytes()));
        let mut go = out.write();
        let so = cast_slice_mut::<T>(go.as_bytes_mut());
        let (la, lb) = (a.layout(), b.layout());
        if super::gemv::try_f32(sa, sb, so, (la, lb), (m, k, n), scales) {
            drop((go, gb, ga));
            return Ok(Tensor::from_storage(out, &[batch, m, n], T::DTYPE));
        }
        let (pa, pb, po) = (
            sa.as_ptr() as usize,
            sb.as_ptr() as usize,
            so.as_mut_ptr() as usize,
        );
        // Block `rows x cols` (starting at row r0, column c0) of product `i`, on this thread.
        let run = |i: usize, (r0, mr): (usize, usize), (c0, nc): (usize, usize)| {
            let ao = la.offset() + i * la.strides()[0] + r0 * la.strides()[1];
            let bo = lb.offset() + i * lb.strides()[0] + c0 * lb.strides()[2];
            // SAFETY: offsets and strides come from valid layouts over these storages, and
            // each call writes its own disjoint block of `out`.
            unsafe {
                gemm::gemm::<T>(
                    mr,
                    nc,
                    k,
                    (po as *mut T).add(i * m * n + r0 * n + c0),
                    1,
                    n as isize,
                    read_dst,
                    (pa as *const T).add(ao),
                    la.strides()[2] as isize,
                    la.strides()[1] as isize,
                    (pb as *const T).add(bo),
                    lb.strides()[2] as isize,
                    lb.strides()[1] as isize,
                    dst_scale,
                    product_scale,
                    false,
                    false,
                    false,
                    Parallelism::None,
                );
            }
        };
        let threads = crate::cpu::get_num_threads();
        if threads == 1 || batch * m * n * k < PARALLEL_MACS {
            (0..batch).for_each(|i| run(i, (0, m), (0, n)));
        } else if batch >= threads {
            crate::cpu::parallel_for(batch, |i| run(i, (0, m), (0, n)));
        } else {
            // Each product is cut into one block of rows (or of columns, when it has fewer
            // rows) per thread; gemm packs its operands per block, which costs little next
            // to waking the pool for gemm's own split and sleeping until it ends.
            let split = |len: usize, j: usize| {
                let step = len.div_ceil(threads);
                (j * step, step.min(len - j * step))
            };
            for i in 0..batch {
                if m >= n {
                    let blocks = m.div_ceil(m.div_ceil(threads));
                    crate::cpu::parallel_for(blocks, |j| run(i, split(m, j), (0, n)));
                } else {
                    let blocks = n.div_ceil(n.div_ceil(threads));
                    crate::cpu::parallel_for(blocks, |j| run(i, (0, m), split(n, j)));
                }
            }
        }
    }
    Ok(Tensor::from_storage(out, &[batch, m, n], T::DTYPE))
}

fn naive<T: Arith>(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let (batch, m, k, n) = dims(a, b);
    let (av, bv) = (
        a.contiguous()?.to_vec::<T>()?,
        b.contiguous()?.to_vec::<T>()?,
    );
    let mut out = vec![T::from_f64(0.0); batch * m * n];
    for bi in 0..batch {
        for i in 0..m {
            for p in 0..k {
                let x = av[bi * m * k + i * k + p];
                for j in 0..n {
                    let o = &mut out[bi * m * n + i * n + j];
                    *o = <T as Arith>::add(*o, <T as Arith>::mul(x, bv[bi * k * n + p * n + j]));
                }
            }
        }
    }
    Tensor::from_vec(out, &[batch, m, n])
}
