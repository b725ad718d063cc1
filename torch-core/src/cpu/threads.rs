//! The intra-op thread pool, like `torch.set_num_threads`: rayon, used only above `GRAIN`
//! elements so small ops never pay for threads.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Elements per task below which work stays on the calling thread.
pub(crate) const GRAIN: usize = 32 * 1024;

fn build(n: usize) -> Arc<rayon::ThreadPool> {
    Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .thread_name(|i| format!("torch-cpu-{i}"))
            .build()
            .expect("failed to start the CPU thread pool"),
    )
}

static POOL: LazyLock<RwLock<Arc<rayon::ThreadPool>>> = LazyLock::new(|| {
    let n = std::thread::available_parallelism().map_or(1, |n| n.get());
    RwLock::new(build(n))
});

/// Sets the number of threads used by CPU kernels (`torch.set_num_threads`).
pub fn set_num_threads(n: usize) {
    let n = n.max(1);
    let mut pool = POOL.write().unwrap_or_else(|e| e.into_inner());
    if pool.current_num_threads() != n {
        *pool = build(n);
    }
}

/// Threads used by CPU kernels (`torch.get_num_threads`).
pub fn get_num_threads() -> usize {
    pool().current_num_threads()
}

fn pool() -> Arc<rayon::ThreadPool> {
    POOL.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Runs `f` inside the pool (for kernels that use rayon or gemm's parallelism themselves).
pub(crate) fn install<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    if rayon::current_thread_index().is_some() {
        return f();
    }
    pool().install(f)
}

/// Calls `f(index, chunk)` on each `chunk_len`-element piece of `out` (the last may be
/// shorter), spread over the threads `set_num_threads` sets, as `at::parallel_for` spreads a
/// range: the one intra-op pool for every crate's kernels, so no second pool competes for the
/// cores. The calling thread works on the first piece itself.
///
/// ```
/// let mut out = vec![0usize; 10];
/// torch_core::cpu::parallel_chunks_mut(&mut out, 4, |i, chunk| chunk.fill(i));
/// assert_eq!(out, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]);
/// ```
pub fn parallel_chunks_mut<T: Send>(
    out: &mut [T],
    chunk_len: usize,
    f: impl Fn(usize, &mut [T]) + Sync + Send,
) {
    let chunk_len = chunk_len.max(1);
    if out.len() <= chunk_len || get_num_threads() == 1 {
        for (i, c) in out.chunks_mut(chunk_len).enumerate() {
            f(i, c);
        }
        return;
    }
    run_chunks(out, chunk_len, &f);
}

/// Runs `f(i, chunk)` on the `chunk_len` pieces of `out` in parallel (see [`parallel_for`]).
fn run_chunks<T: Send>(out: &mut [T], chunk_len: usize, f: &(impl Fn(usize, &mut [T]) + Sync)) {
    let len = out.len();
    let base = SendPtr(out.as_mut_ptr());
    parallel_for(len.div_ceil(chunk_len), |i| {
        let start = i * chunk_len;
        // SAFETY: piece `i` is `start .. min(start + chunk_len, len)` of `out`, which the
        // caller borrows mutably for this whole call; each index is run exactly once, so no
        // two pieces alias.
        let chunk = unsafe {
            std::slice::from_raw_parts_mut(base.get().add(start), chunk_len.min(len - start))
        };
        f(i, chunk)
    });
}

/// A raw pointer handed to parallel tasks that write disjoint parts of one buffer.
pub(super) struct SendPtr<T>(*mut T);
// SAFETY: only used to give disjoint regions of one exclusively borrowed buffer to tasks.
unsafe impl<T: Send> Sync for SendPtr<T> {}

impl<T> SendPtr<T> {
    /// Wraps `p`; the user hands each task its own part of the buffer behind it.
    pub(super) fn new(p: *mut T) -> Self {
        SendPtr(p)
    }

    /// The pointer (a method, so closures capture the `Sync` wrapper, not the field).
    pub(super) fn get(&self) -> *mut T {
        self.0
    }
}

/// How long the calling thread spins for helpers still finishing before it blocks: the
/// caller usually ends its share microseconds before them, and sleeping on the scope's latch
/// costs a futex wake-up (tens of microseconds under a hypervisor) on every parallel region.
const CALLER_SPIN: Duration = Duration::from_micros(200);

/// Calls `f(i)` for every `i` in `0..tasks`, spread over the threads `set_num_threads` sets,
/// as `at::parallel_for` does with OpenMP: the calling thread works as thread 0 and up to
/// `threads - 1` pool workers help, each claiming the next index from a shared counter, so
/// exactly `threads` threads run. Within a pool worker (nested parallelism) rayon splits.
pub(crate) fn parallel_for(tasks: usize, f: impl Fn(usize) + Sync) {
    let threads = get_num_threads();
    if tasks <= 1 || threads == 1 {
        (0..tasks).for_each(f);
        return;
    }
    if rayon::current_thread_index().is_some() {
        use rayon::prelude::*;
        (0..tasks).into_par_iter().for_each(&f);
        return;
    }
    let helpers = (threads - 1).min(tasks - 1);
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= tasks {
                break;
            }
            f(i);
        }
    };
    pool().in_place_scope(|s| {
        for _ in 0..helpers {
            s.spawn(|_| {
                work();
                finished.fetch_add(1, Ordering::Release);
            });
        }
        work();
        let start = Instant::now();
        while finished.load(Ordering::Acquire) < helpers && start.elapsed() < CALLER_SPIN {
            std::hint::spin_loop();
        }
    });
}

/// `parallel_for` collecting `f(i)` for `i` in `0..tasks`, in index order.
pub(crate) fn parallel_map<R: Send>(tasks: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
    let slots: Vec<Mutex<Option<R>>> = (0..tasks).map(|_| Mutex::new(None)).collect();
    parallel_for(tasks, |i| {
        *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(f(i));
    });
    slots
        .into_iter()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("parallel_for runs every index")
        })
        .collect()
}

/// Splits `out` into one chunk per thread and calls `f(start_index, chunk)` on each, in
/// parallel when large.
#[inline]
pub(crate) fn par_chunks<T: Send>(out: &mut [T], f: impl Fn(usize, &mut [T]) + Sync + Send) {
    let n = out.len();
    let chunk = chunk_len(n);
    if chunk >= n {
        f(0, out);
        return;
    }
    run_chunks(out, chunk, &|i, c| f(i * chunk, c));
}

/// Elements per task when `n` elements are split over the threads: all of them (one task)
/// below twice `GRAIN` or at one thread, else an equal share of at least `GRAIN`.
#[inline]
pub(crate) fn chunk_len(n: usize) -> usize {
    let threads = get_num_threads();
    if n < 2 * GRAIN || threads == 1 {
        n.max(1)
    } else {
        n.div_ceil(threads).max(GRAIN)
    }
}
