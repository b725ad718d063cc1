//! Fused in-place updates of several tensors in one pass: what PyTorch's fused optimizer
//! kernels (`_fused_sgd_`, `_fused_adam_`) do, as one general primitive. An optimizer step
//! written as a chain of in-place ops reads and writes its parameter and state once per op;
//! through [`zip_inplace`] it touches each element once.

use super::simd;
use super::threads::{SendPtr, chunk_len, parallel_for};
use crate::autograd::is_grad_enabled;
use crate::storage::{cast_slice, cast_slice_mut};
use crate::{Device, Element, Result, Tensor};

/// Runs `f(write, read)` on every element position of `W` tensors it updates in place and
/// `R` tensors it reads, all of dtype `T`, one shape, contiguous and on the CPU: `write` holds
/// references to the position's elements, `read` their values. One pass over all operands,
/// in parallel above a size threshold, and compiled into AVX2 code when the CPU has it (see
/// `cpu/simd.rs`). Each position is visited once, so `f`'s arithmetic alone decides the
/// values.
///
/// Returns `Ok(false)` and touches nothing when the operands do not allow it: another dtype
/// or shape, a non-contiguous tensor, a written tensor sharing storage with another operand,
/// or autograd recording (grad mode on and an operand requiring grad). The caller then takes
/// its general path of ordinary ops. Each written tensor's version counter is bumped, as an
/// in-place op does.
///
/// ```
/// use torch_core::{Tensor, cpu::zip_inplace};
/// let p = Tensor::from_slice(&[1.0f32, 2.0, 3.0], &[3])?;
/// let buf = Tensor::from_slice(&[0.5f32, 0.5, 0.5], &[3])?;
/// let g = Tensor::from_slice(&[1.0f32, 0.0, -1.0], &[3])?;
/// // buf = 0.5 buf + g; p -= 0.25 buf (SGD with momentum), in one pass.
/// let done = zip_inplace::<f32, 2, 1>([&p, &buf], [&g], |[p, b], [g]| {
///     *b = *b * 0.5 + g;
///     *p += -0.25 * *b;
/// })?;
/// assert!(done);
/// assert_eq!(buf.to_vec::<f32>()?, [1.25, 0.25, -0.75]);
/// assert_eq!(p.to_vec::<f32>()?, [0.6875, 1.9375, 3.1875]);
/// # Ok::<(), torch_core::Error>(())
/// ```
pub fn zip_inplace<T: Element, const W: usize, const R: usize>(
    write: [&Tensor; W],
    read: [&Tensor; R],
    f: impl Fn([&mut T; W], [T; R]) + Sync,
) -> Result<bool> {
    let Some(first) = write.first() else {
        return Ok(false);
    };
    let shape = first.shape();
    let all = || write.iter().chain(read.iter());
    let recording = is_grad_enabled()
        && all().any(|t| t.requires_grad() || t.view_base().is_some_and(Tensor::requires_grad));
    let aliased = write.iter().enumerate().any(|(i, w)| {
        all()
            .enumerate()
            .any(|(j, t)| i != j && w.shares_storage(t))
    });
    if recording
        || aliased
        || all().any(|t| {
            t.dtype() != T::DTYPE
                || t.shape() != shape
                || !t.is_contiguous()
                || !matches!(t.device(), Device::Cpu)
        })
    {
        return Ok(false);
    }
    let n = first.numel();
    {
        let mut wguards: Vec<_> = write.iter().map(|t| t.storage().write()).collect();
        // One read guard per storage: reads may share one, and std's lock must not be taken
        // twice by one thread.
        let owner: [usize; R] = std::array::from_fn(|k| {
            (0..k)
                .find(|&j| read[j].shares_storage(read[k]))
                .unwrap_or(k)
        });
        let rguards: Vec<_> = (0..R)
            .map(|k| (owner[k] == k).then(|| read[k].storage().read()))
            .collect();
        let mut wptr = wguards.iter_mut().zip(write.iter()).map(|(g, t)| {
            let off = t.layout().offset();
            SendPtr::new(cast_slice_mut::<T>(g.as_bytes_mut())[off..off + n].as_mut_ptr())
        });
        let wptr: [SendPtr<T>; W] = std::array::from_fn(|_| wptr.next().expect("W writers"));
        let rs: [&[T]; R] = std::array::from_fn(|k| {
            let off = read[k].layout().offset();
            let guard = rguards[owner[k]].as_ref().expect("the owner holds a guard");
            &cast_slice::<T>(guard.as_bytes())[off..off + n]
        });
        let chunk = chunk_len(n);
        parallel_for(n.div_ceil(chunk), |i| {
            let (start, len) = (i * chunk, chunk.min(n - i * chunk));
            // SAFETY: every written tensor holds `n` elements behind its pointer, borrowed
            // exclusively through its write guard for this call and aliased by no other
            // operand (checked above); tasks take disjoint ranges `start..start + len`, and
            // every read slice holds `n` elements.
            unsafe {
                let ws = std::array::from_fn(|k| wptr[k].get().add(start));
                let rs = std::array::from_fn(|k| rs[k].as_ptr().add(start));
                simd::zip_ptrs(ws, rs, len, &f);
            }
        });
    }
    for t in write {
        t.storage().bump_version();
    }
    Ok(true)
}
