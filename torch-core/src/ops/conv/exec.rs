//! Execution plumbing shared by the convolution kernels: the strided `gemm` call, per-thread
//! scratch buffers kept between calls, and the task runners (inline below a size threshold,
//! spread over the threads when there are enough, else gemm's own threads).

use std::any::Any;
use std::cell::RefCell;

use gemm::Parallelism;

use crate::Element;

/// Element types with a native kernel.
pub(crate) trait Real: Element + num_traits::Float + std::ops::AddAssign {}
impl Real for f32 {}
impl Real for f64 {}

/// Multiply-adds below which a kernel runs on the calling thread.
const SERIAL_MACS: usize = 1 << 20;

/// A strided matrix operand: element `(i, j)` at `ptr + i * rs + j * cs`.
#[derive(Clone, Copy)]
pub(super) struct Mat<T> {
    pub ptr: *const T,
    pub rs: usize,
    pub cs: usize,
}

/// The strided output of a gemm: element `(i, j)` at `ptr + i * rs + j * cs`.
#[derive(Clone, Copy)]
pub(super) struct Dst<T> {
    pub ptr: *mut T,
    pub rs: usize,
    pub cs: usize,
}

/// `dst = (acc ? dst : 0) + a @ b` for `a: m x k`, `b: k x n`, `dst: m x n`.
///
/// # Safety
/// Every element addressed through `a`, `b` and `dst` is in bounds of a live allocation,
/// `dst` does not overlap `a` or `b`, and no other thread touches this part of `dst`.
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn gemm<T: Real>(
    m: usize,
    n: usize,
    k: usize,
    dst: Dst<T>,
    acc: bool,
    a: Mat<T>,
    b: Mat<T>,
    par: Parallelism,
) {
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !acc {
            for i in 0..m {
                for j in 0..n {
                    // SAFETY: element (i, j) of dst is in bounds (caller).
                    unsafe { *dst.ptr.add(i * dst.rs + j * dst.cs) = T::zero() };
                }
            }
        }
        return;
    }
    // SAFETY: forwarded from the caller.
    unsafe {
        gemm::gemm::<T>(
            m,
            n,
            k,
            dst.ptr,
            dst.cs as isize,
            dst.rs as isize,
            acc,
            a.ptr,
            a.cs as isize,
            a.rs as isize,
            b.ptr,
            b.cs as isize,
            b.rs as isize,
            if acc { T::one() } else { T::zero() },
            T::one(),
            false,
            false,
            false,
            par,
        );
    }
}

/// A raw pointer that tasks writing disjoint parts of one buffer may share.
#[derive(Clone, Copy)]
pub(super) struct SyncPtr<T>(pub *mut T);
// SAFETY: only used to hand disjoint regions of one output to parallel tasks.
unsafe impl<T> Send for SyncPtr<T> {}
unsafe impl<T> Sync for SyncPtr<T> {}

impl<T> SyncPtr<T> {
    /// The pointer (a method, so closures capture the `Sync` wrapper, not the field).
    pub fn get(&self) -> *mut T {
        self.0
    }
}

thread_local! {
    /// This thread's scratch buffer (a `Vec<T>` of the last element type used), kept between
    /// calls: a fresh buffer per call costs page faults on every call once it is large.
    static SCRATCH: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

/// Takes this thread's scratch buffer (empty if none, or if a nested task holds it).
fn take_scratch<T: Real>() -> Vec<T> {
    SCRATCH
        .with(|s| s.borrow_mut().take())
        .and_then(|b| b.downcast::<Vec<T>>().ok())
        .map_or_else(Vec::new, |b| *b)
}

/// Gives a scratch buffer back to this thread for the next task.
fn put_scratch<T: Real>(v: Vec<T>) {
    SCRATCH.with(|s| *s.borrow_mut() = Some(Box::new(v)));
}

/// Runs `run(t, scratch)` with this thread's scratch buffer.
fn with_scratch<T: Real, R>(run: impl FnOnce(&mut Vec<T>) -> R) -> R {
    let mut buf = take_scratch::<T>();
    let r = run(&mut buf);
    put_scratch(buf);
    r
}

/// The first `len` elements of a scratch buffer, growing it when needed (never shrinking, so a
/// smaller last block does not make the next task zero-fill again). Contents are unspecified.
pub(super) fn grow<T: Real>(buf: &mut Vec<T>, len: usize) -> &mut [T] {
    if buf.len() < len {
        buf.resize(len, T::zero());
    }
    &mut buf[..len]
}

/// Runs `tasks` independent tasks, each with a scratch buffer and the parallelism its gemm
/// may use: inline when small or single-threaded, spread over the threads when there are enough
/// of them, else one after the other with gemm threading inside.
pub(super) fn run_tasks<T: Real>(
    tasks: usize,
    macs: usize,
    run: impl Fn(usize, &mut Vec<T>, Parallelism) + Sync + Send,
) {
    let threads = crate::cpu::get_num_threads();
    if threads == 1 || macs < SERIAL_MACS || tasks == 0 {
        with_scratch(|buf| (0..tasks).for_each(|t| run(t, buf, Parallelism::None)));
    } else if tasks >= threads {
        crate::cpu::parallel_for(tasks, |t| {
            with_scratch(|buf| run(t, buf, Parallelism::None))
        });
    } else {
        crate::cpu::install(|| {
            with_scratch(|buf| {
                (0..tasks).for_each(|t| run(t, buf, Parallelism::Rayon(threads)));
            });
        });
    }
}

/// Runs `tasks` tasks that each add into a `len`-element accumulator and returns the sum of
/// the accumulators.
pub(super) fn run_reduce<T: Real>(
    tasks: usize,
    len: usize,
    macs: usize,
    run: impl Fn(usize, &mut [T], &mut Vec<T>, Parallelism) + Sync + Send,
) -> Vec<T> {
    let threads = crate::cpu::get_num_threads();
    if tasks >= threads && threads > 1 && macs >= SERIAL_MACS {
        // Fixed groups of consecutive tasks, each summed into its own accumulator, added in
        // group order: the result does not depend on which thread ran what, so a run repeats
        // bit for bit. Two groups per thread let a thread slowed down by the OS leave work
        // to the others.
        let groups = tasks.min(2 * threads);
        let parts: Vec<Vec<T>> = crate::cpu::parallel_map(groups, |gi| {
            let mut part = vec![T::zero(); len];
            let (a, b) = (gi * tasks / groups, (gi + 1) * tasks / groups);
            with_scratch(|buf| (a..b).for_each(|t| run(t, &mut part, buf, Parallelism::None)));
            part
        });
        let mut parts = parts.into_iter();
        let mut acc = parts.next().expect("at least one group");
        for part in parts {
            for (a, v) in acc.iter_mut().zip(part) {
                *a += v;
            }
        }
        return acc;
    }
    let mut acc = vec![T::zero(); len];
    if threads == 1 || macs < SERIAL_MACS || tasks == 0 {
        with_scratch(|buf| (0..tasks).for_each(|t| run(t, &mut acc, buf, Parallelism::None)));
    } else {
        crate::cpu::install(|| {
            with_scratch(|buf| {
                (0..tasks).for_each(|t| run(t, &mut acc, buf, Parallelism::Rayon(threads)));
            });
        });
    }
    acc
}
