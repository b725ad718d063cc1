//! The loading side of a `DataLoader` pass: [`Fetch`] (indices to a collated batch, with
//! panics turned into errors naming the sample) and [`WorkerPool`], the `num_workers > 0`
//! threads that run it in parallel and hand batches back in sampler order.

use std::any::Any;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;

use crate::{Context, Error, Result};

/// Loads and collates the samples at the given indices; stops early (with an error nobody
/// reads) once the flag is set.
pub(crate) type Fetch<B> = Arc<dyn Fn(&[usize], &AtomicBool) -> Result<B> + Send + Sync>;

/// Runs `f`, turning a panic into an error carrying the panic message.
pub(crate) fn guarded<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        Err(Error::invalid(
            "DataLoader",
            format!("{what} panicked: {}", panic_message(&*payload)),
        ))
    })
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_string()
    }
}

type Task = (usize, Vec<usize>);
type Done<B> = (usize, Result<B>);

/// `num_workers` threads sharing one task queue. Tasks are numbered as submitted and
/// [`WorkerPool::next_in_order`] returns their results in that order, whatever thread ran
/// them. Dropping the pool stops and joins the threads.
pub(crate) struct WorkerPool<B> {
    tasks: Option<mpsc::Sender<Task>>,
    results: Option<mpsc::Receiver<Done<B>>>,
    handles: Vec<JoinHandle<()>>,
    stop: Arc<AtomicBool>,
    submitted: usize,
    returned: usize,
    early: HashMap<usize, Result<B>>,
}

impl<B: Send + 'static> WorkerPool<B> {
    /// Starts `num_workers` threads running `fetch`; `capacity` bounds the result queue.
    pub(crate) fn new(fetch: Fetch<B>, num_workers: usize, capacity: usize) -> Result<Self> {
        let (task_tx, task_rx) = mpsc::channel::<Task>();
        let (done_tx, done_rx) = mpsc::sync_channel::<Done<B>>(capacity.max(1));
        let task_rx = Arc::new(Mutex::new(task_rx));
        let stop = Arc::new(AtomicBool::new(false));
        let mut pool = WorkerPool {
            tasks: Some(task_tx),
            results: Some(done_rx),
            handles: Vec::with_capacity(num_workers),
            stop: stop.clone(),
            submitted: 0,
            returned: 0,
            early: HashMap::new(),
        };
        for w in 0..num_workers {
            let (fetch, task_rx, done_tx, stop) = (
                fetch.clone(),
                task_rx.clone(),
                done_tx.clone(),
                stop.clone(),
            );
            let handle = std::thread::Builder::new()
                .name(format!("torch-data-worker-{w}"))
                .spawn(move || worker_loop(w, &*fetch, &task_rx, &done_tx, &stop))
                .map_err(|e| {
                    Error::invalid("DataLoader", format!("cannot start worker {w}: {e}"))
                })?;
            pool.handles.push(handle);
        }
        Ok(pool)
    }

    /// Batches submitted and not yet returned.
    pub(crate) fn in_flight(&self) -> usize {
        self.submitted - self.returned
    }

    /// Queues the batch of `indices` as the next task.
    pub(crate) fn submit(&mut self, indices: Vec<usize>) -> Result<()> {
        let sent = self
            .tasks
            .as_ref()
            .is_some_and(|tx| tx.send((self.submitted, indices)).is_ok());
        if !sent {
            return Err(Error::invalid(
                "DataLoader",
                "worker threads exited unexpectedly",
            ));
        }
        self.submitted += 1;
        Ok(())
    }

    /// The result of the oldest task not yet returned, waiting for it if needed.
    pub(crate) fn next_in_order(&mut self) -> Result<B> {
        let want = self.returned;
        self.returned += 1;
        loop {
            if let Some(r) = self.early.remove(&want) {
                return r;
            }
            let received = match &self.results {
                Some(rx) => rx.recv().ok(),
                None => None,
            };
            match received {
                Some((seq, r)) => {
                    self.early.insert(seq, r);
                }
                None => {
                    return Err(Error::invalid(
                        "DataLoader",
                        format!("worker threads exited before returning batch {want}"),
                    ));
                }
            }
        }
    }
}

fn worker_loop<B>(
    w: usize,
    fetch: &(dyn Fn(&[usize], &AtomicBool) -> Result<B> + Send + Sync),
    tasks: &Mutex<mpsc::Receiver<Task>>,
    done: &mpsc::SyncSender<Done<B>>,
    stop: &AtomicBool,
) {
    loop {
        let task = tasks.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok((seq, indices)) = task else { return };
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let r = guarded("collate_fn", || fetch(&indices, stop))
            .with_context(|| format!("DataLoader worker {w}"));
        if done.send((seq, r)).is_err() {
            return;
        }
    }
}

impl<B> Drop for WorkerPool<B> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Closing both queues wakes every worker: one waiting for a task sees the sender
        // gone, one blocked on a full result queue sees the receiver gone.
        self.tasks = None;
        self.results = None;
        for h in self.handles.drain(..) {
            let _ = h.join();
        }
    }
}
