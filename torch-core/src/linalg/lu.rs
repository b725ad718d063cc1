//! LU-based ops: `inv`, `det`, `slogdet`, `solve` (faer's partial-pivoting LU, as LAPACK's
//! `getrf`). A zero pivot is reported as PyTorch reports LAPACK's `info`: the 1-based index of
//! the first zero diagonal element of U.

use faer::MatRef;
use faer::linalg::solvers::{DenseSolveCore, PartialPivLu, Solve};

use super::batch::{Batch, linalg_error, push_mat, tensor_from_vec};
use super::{Real, check_square, mt, with_real};
use crate::autograd::{BackwardCtx, GradFn, SavedTensor, record};
use crate::shape::{broadcast_shapes, to_i64};
use crate::{Error, Result, Tensor};

/// An LU factorization and its first zero pivot (1-based), if any.
struct Lu<T: Real> {
    lu: PartialPivLu<T>,
    zero_pivot: Option<usize>,
}

impl<T: Real> Lu<T> {
    fn new(a: MatRef<'_, T>) -> Self {
        let lu = a.partial_piv_lu();
        // faer divides by a zero pivot (NaN afterwards) where LAPACK skips it; the first zero
        // or NaN on U's diagonal of a finite input is LAPACK's `info`.
        let finite = (0..a.nrows()).all(|i| (0..a.ncols()).all(|j| a[(i, j)].to_f64().is_finite()));
        let u = lu.U();
        let zero_pivot = if finite {
            (0..u.nrows())
                .find(|&i| {
                    let d = u[(i, i)].to_f64();
                    d == 0.0 || d.is_nan()
                })
                .map(|i| i + 1)
        } else {
            None
        };
        Lu { lu, zero_pivot }
    }

    /// `(sign, log|det|)`, `(0, -inf)` when singular.
    fn slogdet(&self) -> (f64, f64) {
        if self.zero_pivot.is_some() {
            return (0.0, f64::NEG_INFINITY);
        }
        let (fwd, _) = self.lu.P().arrays();
        let mut sign = permutation_sign(fwd);
        let mut log = 0.0;
        let u = self.lu.U();
        for i in 0..u.nrows() {
            let d = u[(i, i)].to_f64();
            if d < 0.0 {
                sign = -sign;
            }
            log += d.abs().ln();
        }
        (sign, log)
    }

    /// The determinant, as the product of U's diagonal in `T`.
    fn det(&self) -> T {
        if self.zero_pivot.is_some() {
            return T::from_f64(0.0);
        }
        let (fwd, _) = self.lu.P().arrays();
        let u = self.lu.U();
        let mut d = T::from_f64(permutation_sign(fwd));
        for i in 0..u.nrows() {
            d *= u[(i, i)];
        }
        d
    }
}

/// +1 or -1: the parity of a permutation from its cycle count.
fn permutation_sign(perm: &[usize]) -> f64 {
    let mut seen = vec![false; perm.len()];
    let mut transpositions = 0usize;
    for start in 0..perm.len() {
        let mut i = start;
        let mut len = 0;
        while !seen[i] {
            seen[i] = true;
            i = perm[i];
            len += 1;
        }
        if len > 0 {
            transpositions += len - 1;
        }
    }
    if transpositions.is_multiple_of(2) {
        1.0
    } else {
        -1.0
    }
}

fn inv_kernel<T: Real>(a: &Tensor) -> Result<Tensor> {
    let b = Batch::<T>::new(a)?;
    let mut out = Vec::with_capacity(b.count() * b.n * b.n);
    for i in 0..b.count() {
        let lu = Lu::new(b.mat(i));
        if let Some(k) = lu.zero_pivot {
            return Err(linalg_error(
                "linalg.inv",
                b.is_batched(),
                i,
                format!(
                    "The diagonal element {k} is zero, the inversion could not be completed because the input matrix is singular."
                ),
            ));
        }
        push_mat(&mut out, lu.lu.inverse().as_ref());
    }
    tensor_from_vec(out, a.shape())
}

struct InvBackward(SavedTensor);
impl GradFn for InvBackward {
    fn name(&self) -> &'static str {
        "LinalgInvBackward"
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let ainv_t = mt(&self.0.unpack(ctx)?)?;
        Ok(vec![Some(ainv_t.matmul(g)?.matmul(&ainv_t)?.neg()?)])
    }
}

/// Inverse of square matrices (`torch.linalg.inv`); singular input is an error naming the
/// zero pivot. Derivative: `-A^-T g A^-T`.
pub fn inv(a: &Tensor) -> Result<Tensor> {
    check_square("linalg.inv", a)?;
    let out =
        crate::cpu::install(|| with_real!("linalg.inv", a.dtype(), T, { inv_kernel::<T>(a) }))?;
    Ok(record(out, &[a], |out| {
        Box::new(InvBackward(SavedTensor::output(out)))
    }))
}

fn det_kernel<T: Real>(a: &Tensor) -> Result<Tensor> {
    let b = Batch::<T>::new(a)?;
    let out: Vec<T> = (0..b.count()).map(|i| Lu::new(b.mat(i)).det()).collect();
    tensor_from_vec(out, &b.batch)
}

/// `g A^-T` scaled per matrix by `s` (shape `(*)`): the common part of det and slogdet.
fn scaled_inv_t(a: &Tensor, s: &Tensor) -> Result<Tensor> {
    mt(&inv(a)?)?.mul(&s.unsqueeze(-1)?.unsqueeze(-1)?)
}

struct DetBackward(SavedTensor, SavedTensor);
impl GradFn for DetBackward {
    fn name(&self) -> &'static str {
        "LinalgDetBackward"
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (a, d) = (self.0.unpack(ctx)?, self.1.unpack(ctx)?);
        Ok(vec![Some(scaled_inv_t(&a, &g.mul(&d)?)?)])
    }
}

/// Determinant of square matrices, shape `(*)` (`torch.linalg.det`); 0 for singular input.
/// Derivative: `g det(A) A^-T` (needs an invertible A, see the module notes).
pub fn det(a: &Tensor) -> Result<Tensor> {
    check_square("linalg.det", a)?;
    let out =
        crate::cpu::install(|| with_real!("linalg.det", a.dtype(), T, { det_kernel::<T>(a) }))?;
    Ok(record(out, &[a], |out| {
        Box::new(DetBackward(SavedTensor::input(a), SavedTensor::output(out)))
    }))
}

fn slogdet_kernel<T: Real>(a: &Tensor) -> Result<(Tensor, Tensor)> {
    let b = Batch::<T>::new(a)?;
    let (mut sign, mut log) = (Vec::new(), Vec::new());
    for i in 0..b.count() {
        let (s, l) = Lu::new(b.mat(i)).slogdet();
        sign.push(T::from_f64(s));
        log.push(T::from_f64(l));
    }
    Ok((
        tensor_from_vec(sign, &b.batch)?,
        tensor_from_vec(log, &b.batch)?,
    ))
}

struct SlogdetBackward(SavedTensor);
impl GradFn for SlogdetBackward {
    fn name(&self) -> &'static str {
        "LinalgSlogdetBackward"
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some(scaled_inv_t(&self.0.unpack(ctx)?, g)?)])
    }
}

/// `(sign, log|det A|)` of square matrices (`torch.linalg.slogdet`); `(0, -inf)` for
/// singular input. Derivative of `logabsdet`: `g A^-T`; `sign` is piecewise constant and is
/// returned without history.
pub fn slogdet(a: &Tensor) -> Result<(Tensor, Tensor)> {
    check_square("linalg.slogdet", a)?;
    let (sign, log) = crate::cpu::install(|| {
        with_real!("linalg.slogdet", a.dtype(), T, { slogdet_kernel::<T>(a) })
    })?;
    let log = record(log, &[a], |_| {
        Box::new(SlogdetBackward(SavedTensor::input(a)))
    });
    Ok((sign, log))
}

fn solve_kernel<T: Real>(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let (ab, bb) = (Batch::<T>::new(a)?, Batch::<T>::new(b)?);
    let mut out = Vec::with_capacity(bb.count() * bb.m * bb.n);
    for i in 0..ab.count() {
        let lu = Lu::new(ab.mat(i));
        if lu.zero_pivot.is_some() {
            return Err(linalg_error(
                "torch.linalg.solve",
                ab.is_batched(),
                i,
                "The solver failed because the input matrix is singular.".into(),
            ));
        }
        push_mat(&mut out, lu.lu.solve(bb.mat(i)).as_ref());
    }
    tensor_from_vec(out, b.shape())
}

struct SolveBackward(SavedTensor, SavedTensor);
impl GradFn for SolveBackward {
    fn name(&self) -> &'static str {
        "LinalgSolveBackward"
    }
    fn backward(&self, ctx: &BackwardCtx, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (a, x) = (self.0.unpack(ctx)?, self.1.unpack(ctx)?);
        let gb = solve_matrix(&mt(&a)?, g)?;
        let ga = ctx
            .needs_input_grad(0)
            .then(|| gb.matmul(&mt(&x)?)?.neg())
            .transpose()?;
        Ok(vec![ga, ctx.needs_input_grad(1).then_some(gb)])
    }
}

/// `A X = B` for `A: (*, n, n)`, `B: (*, n, k)` with the same batch dims.
fn solve_matrix(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let out = crate::cpu::install(|| {
        with_real!("linalg.solve", a.dtype(), T, { solve_kernel::<T>(a, b) })
    })?;
    Ok(record(out, &[a, b], |out| {
        Box::new(SolveBackward(
            SavedTensor::input(a),
            SavedTensor::output(out),
        ))
    }))
}

/// Solution of `A X = B` (`torch.linalg.solve`): `A` is `(*, n, n)`; `B` is a batch of
/// vectors `(*, n)` (when `B` is 1-D or has the shape `A.shape[:-1]`) or of matrices
/// `(*, n, k)`; batch dims broadcast. Derivative: `gB = A^-T g`, `gA = -gB X^T`.
pub fn solve(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    const OP: &str = "linalg.solve";
    let n = check_square(OP, a)?;
    if b.dtype() != a.dtype() {
        return Err(Error::DTypeMismatch {
            op: OP,
            expected: a.dtype(),
            got: b.dtype(),
        });
    }
    if b.dim() == 0 {
        return Err(Error::invalid(
            OP,
            "The input tensor B must have at least 1 dimensions.",
        ));
    }
    let ad = a.dim();
    let vector = b.dim() == 1 || (b.dim() == ad - 1 && b.shape() == &a.shape()[..ad - 1]);
    let b2 = if vector { b.unsqueeze(-1)? } else { b.clone() };
    let bd = b2.dim();
    let (rows, cols) = (b2.shape()[bd - 2], b2.shape()[bd - 1]);
    if rows != n {
        return Err(Error::invalid(
            OP,
            format!(
                "Incompatible shapes of A and B for the equation AX = B ({n}x{n} and {rows}x{cols})"
            ),
        ));
    }
    let batch = broadcast_shapes(OP, &a.shape()[..ad - 2], &b2.shape()[..bd - 2])?;
    let mut sa = to_i64(&batch);
    let mut sb = sa.clone();
    sa.extend([n as i64, n as i64]);
    sb.extend([n as i64, cols as i64]);
    let x = solve_matrix(&a.expand(&sa)?, &b2.expand(&sb)?)?;
    if vector { x.squeeze_dim(-1) } else { Ok(x) }
}
