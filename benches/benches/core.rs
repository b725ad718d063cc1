//! Criterion benches of the anchor workloads (DESIGN.md "Performance"), at the default thread
//! count. The workloads come from the `benches` library, the same ones `compare` times against
//! PyTorch. Matmul throughput is given as "elements" = floating-point operations (2 N^3), so
//! criterion's `Gelem/s` reads as GFLOP/s (the conv2d workloads likewise); the memory-bound ops
//! (max_pool2d included) report bytes moved.
//!
//! `cargo bench -p benches` runs them all in a few minutes; `cargo bench -p benches -- gelu`
//! runs one.

use std::time::Duration;

use benches::{Metric, workloads};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn anchors(c: &mut Criterion) {
    let mut group = c.benchmark_group("anchors");
    for w in workloads() {
        match w.metric {
            Metric::Flops(f) => group.throughput(Throughput::Elements(f as u64)),
            Metric::Bytes(b) => group.throughput(Throughput::Bytes(b as u64)),
            Metric::MicrosPerIter => group.throughput(Throughput::Elements(1)),
            Metric::Samples(n) | Metric::Tokens(n) => {
                group.throughput(Throughput::Elements(n as u64))
            }
        };
        if w.heavy {
            group
                .sample_size(10)
                .warm_up_time(Duration::from_millis(500))
                .measurement_time(Duration::from_secs(3));
        } else {
            group
                .sample_size(30)
                .warm_up_time(Duration::from_millis(500))
                .measurement_time(Duration::from_secs(2));
        }
        let mut run = w.setup().expect("workload setup failed");
        group.bench_function(w.name, |b| b.iter(|| run().expect("workload failed")));
    }
    group.finish();
}

criterion_group!(benches, anchors);
criterion_main!(benches);
