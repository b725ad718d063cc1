//! Progress display (indicatif): a bar per training epoch showing loss and throughput, and a
//! spinner for waits of unknown length.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar over one epoch's batches that also reports the running loss and samples per second.
pub struct EpochBar {
    bar: ProgressBar,
    start: Instant,
    samples: usize,
    loss_sum: f64,
}

impl EpochBar {
    /// A bar for epoch `epoch` of `epochs` with `batches` steps.
    pub fn new(epoch: usize, epochs: usize, batches: usize) -> EpochBar {
        let bar = ProgressBar::new(batches as u64);
        let style = ProgressStyle::with_template(
            "{prefix} [{bar:30.cyan/blue}] {pos}/{len} {msg} [{elapsed_precise}<{eta_precise}]",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(format!("epoch {epoch}/{epochs}"));
        EpochBar {
            bar,
            start: Instant::now(),
            samples: 0,
            loss_sum: 0.0,
        }
    }

    /// Records one step of `batch` samples with mean loss `loss`.
    pub fn step(&mut self, batch: usize, loss: f64) {
        self.samples += batch;
        self.loss_sum += loss * batch as f64;
        self.bar.inc(1);
        // Redrawing the message every step costs more than the step on small models.
        if self.bar.position().is_multiple_of(20)
            || self.bar.position() == self.bar.length().unwrap_or(0)
        {
            self.bar.set_message(format!(
                "loss {:.4} | {:.0} samples/s",
                self.mean_loss(),
                self.throughput()
            ));
        }
    }

    /// Mean loss over the samples seen so far.
    pub fn mean_loss(&self) -> f64 {
        self.loss_sum / self.samples.max(1) as f64
    }

    /// Samples per second since the bar started.
    pub fn throughput(&self) -> f64 {
        self.samples as f64 / self.start.elapsed().as_secs_f64().max(1e-9)
    }

    /// Seconds since the bar started.
    pub fn seconds(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Removes the bar, leaving the terminal for the epoch's summary line.
    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}

/// A spinner with `message` for a wait of unknown length (loading weights): it ticks on its
/// own until `finish_and_clear()` or `finish_with_message(...)`.
pub fn spinner(message: impl Into<String>) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    let style = ProgressStyle::with_template("{spinner:.cyan} {msg} [{elapsed}]")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    bar.set_style(style);
    bar.set_message(message.into());
    bar.enable_steady_tick(std::time::Duration::from_millis(100));
    bar
}
