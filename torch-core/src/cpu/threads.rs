//! The intra-op thread pool, like `torch.set_num_threads`: rayon, used only above `GRAIN`
//! elements so small ops never pay for threads.

use std::sync::{Arc, LazyLock, RwLock};

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

/// Runs `f(i, chunk)` on the `chunk_len` pieces of `out` in parallel. From outside the pool the
/// calling thread takes the first piece and the pool the others, so the caller works instead
/// of sleeping until woken workers have done everything (OpenMP's master thread works too);
/// inside the pool, rayon splits as usual.
fn run_chunks<T: Send>(out: &mut [T], chunk_len: usize, f: &(impl Fn(usize, &mut [T]) + Sync)) {
    if rayon::current_thread_index().is_some() {
        use rayon::prelude::*;
        out.par_chunks_mut(chunk_len)
            .enumerate()
            .for_each(|(i, c)| f(i, c));
        return;
    }
    let mut chunks = out.chunks_mut(chunk_len).enumerate();
    let first = chunks.next();
    pool().in_place_scope(|s| {
        for (i, c) in chunks {
            s.spawn(move |_| f(i, c));
        }
        if let Some((i, c)) = first {
            f(i, c);
        }
    });
}

/// Splits `out` into one chunk per thread and calls `f(start_index, chunk)` on each, in
/// parallel when large.
#[inline]
pub(crate) fn par_chunks<T: Send>(out: &mut [T], f: impl Fn(usize, &mut [T]) + Sync + Send) {
    let n = out.len();
    if n < 2 * GRAIN {
        f(0, out);
        return;
    }
    let threads = get_num_threads();
    if threads == 1 {
        f(0, out);
        return;
    }
    let chunk = n.div_ceil(threads).max(GRAIN);
    run_chunks(out, chunk, &|i, c| f(i * chunk, c));
}
