//! torch_core::data (torch.utils.data): sampler orders and lengths, weighted sampler
//! frequencies, collation, DataLoader batches across worker counts, drop_last, early exit,
//! errors naming the sample, Subset / ConcatDataset / random_split (fraction lengths against
//! a PyTorch golden, `scripts/golden/data.py`).

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use torch_core::data::{
    BatchSampler, ConcatDataset, DataLoader, DataLoaderOptions, Dataset, DefaultCollate,
    RandomSampler, RandomSamplerOptions, Sampler, SequentialSampler, Subset, SubsetRandomSampler,
    TensorDataset, WeightedRandomSampler, WeightedRandomSamplerOptions, default_collate,
    fraction_lengths, random_split, random_split_fractions,
};
use torch_core::{DType, Generator, Result, Tensor, TensorOptions};

/// Sample `i` is (`[i, 10 i]` as f32, label `i % 3`); reading it optionally sleeps, and it
/// counts reads. Index `fail` is an error, index `panic` panics.
struct Numbers {
    n: usize,
    delay: Duration,
    fail: Option<usize>,
    panic: Option<usize>,
    reads: AtomicUsize,
}

impl Numbers {
    fn new(n: usize) -> Self {
        Numbers {
            n,
            delay: Duration::ZERO,
            fail: None,
            panic: None,
            reads: AtomicUsize::new(0),
        }
    }
}

impl Dataset for Numbers {
    type Item = (Tensor, i64);
    fn len(&self) -> usize {
        self.n
    }
    fn get(&self, i: usize) -> Result<(Tensor, i64)> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        if !self.delay.is_zero() {
            std::thread::sleep(self.delay);
        }
        if self.fail == Some(i) {
            return Err(torch_core::Error::invalid("Numbers", "corrupt record"));
        }
        if self.panic == Some(i) {
            panic!("boom at {i}");
        }
        Ok((
            Tensor::from_vec(vec![i as f32, 10.0 * i as f32], &[2])?,
            (i % 3) as i64,
        ))
    }
}

fn collect<S: Sampler>(s: &S) -> Vec<S::Item> {
    s.iter().expect("sampler pass").collect()
}

fn seeded(seed: u64) -> Option<Arc<Generator>> {
    Some(Arc::new(Generator::new(seed)))
}

#[test]
fn sequential_sampler_yields_indices_in_order() {
    let s = SequentialSampler::new(5);
    assert_eq!(collect(&s), vec![0, 1, 2, 3, 4]);
    assert_eq!(s.len(), 5);
    assert!(SequentialSampler::new(0).is_empty());
}

#[test]
fn random_sampler_permutes_reproducibly_and_reshuffles_each_pass() -> Result<()> {
    let opts = |seed| RandomSamplerOptions {
        generator: seeded(seed),
        ..Default::default()
    };
    let s = RandomSampler::new(50, opts(7))?;
    let (a, b) = (collect(&s), collect(&s));
    assert_eq!(s.len(), 50);
    for pass in [&a, &b] {
        let mut sorted = pass.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
    }
    assert_ne!(a, b, "a new order each pass");
    assert_ne!(a, (0..50).collect::<Vec<_>>());
    let again = RandomSampler::new(50, opts(7))?;
    assert_eq!(collect(&again), a, "same seed, same first pass");
    assert_eq!(collect(&again), b, "same seed, same second pass");
    assert_ne!(collect(&RandomSampler::new(50, opts(8))?), a);
    Ok(())
}

#[test]
fn random_sampler_num_samples_and_replacement() -> Result<()> {
    // Without replacement, num_samples > n: whole permutations then the head of one more.
    let s = RandomSampler::new(
        4,
        RandomSamplerOptions {
            num_samples: Some(10),
            generator: seeded(1),
            ..Default::default()
        },
    )?;
    let v = collect(&s);
    assert_eq!((v.len(), s.len()), (10, 10));
    for chunk in v[..8].chunks(4) {
        let set: HashSet<_> = chunk.iter().copied().collect();
        assert_eq!(set.len(), 4, "each full pass is a permutation: {v:?}");
    }
    assert_ne!(v[8], v[9]);
    // With replacement: num_samples uniform draws in range, repeats present.
    let s = RandomSampler::new(
        5,
        RandomSamplerOptions {
            replacement: true,
            num_samples: Some(1000),
            generator: seeded(2),
        },
    )?;
    let v = collect(&s);
    assert_eq!(v.len(), 1000);
    let mut counts = [0usize; 5];
    v.iter().for_each(|&i| counts[i] += 1);
    assert!(
        counts.iter().all(|&c| (150..250).contains(&c)),
        "{counts:?}"
    );
    let err = RandomSampler::new(0, RandomSamplerOptions::default())
        .err()
        .expect("empty dataset without num_samples is an error");
    assert!(err.to_string().contains("num_samples=0"), "{err}");
    Ok(())
}

#[test]
fn subset_random_sampler_permutes_the_given_indices() {
    let idx = vec![3, 9, 27, 81, 243];
    let s = SubsetRandomSampler::new(idx.clone(), seeded(3));
    let v = collect(&s);
    let mut sorted = v.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, idx);
    assert_eq!(s.len(), 5);
    assert_eq!(v, collect(&SubsetRandomSampler::new(idx, seeded(3))));
}

#[test]
fn weighted_sampler_frequencies_follow_the_weights() -> Result<()> {
    let w = vec![1.0, 2.0, 0.0, 3.0, 4.0];
    let n = 100_000;
    let opts = WeightedRandomSamplerOptions {
        generator: seeded(11),
        ..Default::default()
    };
    let s = WeightedRandomSampler::new(w.clone(), n, opts)?;
    let v = collect(&s);
    assert_eq!((v.len(), s.len()), (n, n));
    let mut counts = [0usize; 5];
    v.iter().for_each(|&i| counts[i] += 1);
    assert_eq!(counts[2], 0, "zero weight is never drawn");
    for (i, &c) in counts.iter().enumerate() {
        let expected = w[i] / 10.0;
        let freq = c as f64 / n as f64;
        // 5 standard deviations of a binomial frequency at n = 1e5 is at most 0.008.
        assert!(
            (freq - expected).abs() < 0.008,
            "index {i}: {freq} vs {expected}"
        );
    }
    Ok(())
}

#[test]
fn weighted_sampler_without_replacement_draws_distinct_positive_indices() -> Result<()> {
    let w = vec![1.0, 0.0, 2.0, 7.0];
    let g = seeded(5);
    let opts = WeightedRandomSamplerOptions {
        replacement: false,
        generator: g,
    };
    let s = WeightedRandomSampler::new(w.clone(), 3, opts.clone())?;
    let mut first = [0usize; 4];
    let passes = 20_000;
    for _ in 0..passes {
        let v = collect(&s);
        let mut sorted = v.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, vec![0, 2, 3], "all positive-weight indices once");
        first[v[0]] += 1;
    }
    // The first draw is proportional to the weights.
    for (i, &c) in first.iter().enumerate() {
        let freq = c as f64 / passes as f64;
        assert!((freq - w[i] / 10.0).abs() < 0.015, "index {i}: {freq}");
    }
    let too_many = WeightedRandomSampler::new(w, 4, opts);
    assert!(too_many.is_err());
    let bad = WeightedRandomSampler::new(vec![1.0, -1.0], 2, Default::default());
    assert!(
        bad.err()
            .expect("negative weight")
            .to_string()
            .contains("< 0")
    );
    let zero = WeightedRandomSampler::new(vec![0.0, 0.0], 2, Default::default());
    assert!(zero.is_err());
    Ok(())
}

#[test]
fn batch_sampler_batches_and_len() -> Result<()> {
    let keep = BatchSampler::new(SequentialSampler::new(10), 3, false)?;
    assert_eq!(
        collect(&keep),
        vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7, 8], vec![9]]
    );
    assert_eq!(keep.len(), 4);
    let drop = BatchSampler::new(SequentialSampler::new(10), 3, true)?;
    assert_eq!(collect(&drop).len(), 3);
    assert_eq!(drop.len(), 3);
    let exact = BatchSampler::new(SequentialSampler::new(9), 3, true)?;
    assert_eq!((collect(&exact).len(), exact.len()), (3, 3));
    assert!(BatchSampler::new(SequentialSampler::new(9), 0, false).is_err());
    Ok(())
}

fn t(v: &[f32], shape: &[usize]) -> Tensor {
    Tensor::from_slice(v, shape).expect("tensor")
}

#[test]
fn default_collate_stacks_tensors_and_labels() -> Result<()> {
    let a = t(&[1.0, 2.0], &[2]);
    let b = t(&[3.0, 4.0], &[2]);
    let x = default_collate(vec![a.clone(), b.clone()])?;
    assert_eq!(x.shape(), &[2, 2]);
    assert_eq!(x.to_vec::<f32>()?, vec![1.0, 2.0, 3.0, 4.0]);

    let (x, y) = default_collate(vec![(a.clone(), 4i64), (b.clone(), -1)])?;
    assert_eq!(x.to_vec::<f32>()?, vec![1.0, 2.0, 3.0, 4.0]);
    assert_eq!((y.dtype(), y.to_vec::<i64>()?), (DType::I64, vec![4, -1]));

    let (x, y, z) = default_collate(vec![(a.clone(), 0.5f64, b.clone()), (b.clone(), 1.5, a)])?;
    assert_eq!(x.shape(), &[2, 2]);
    assert_eq!(
        (y.dtype(), y.to_vec::<f64>()?),
        (DType::F64, vec![0.5, 1.5])
    );
    assert_eq!(z.to_vec::<f32>()?, vec![3.0, 4.0, 1.0, 2.0]);

    let rows = vec![
        vec![t(&[1.0], &[1]), Tensor::scalar(7i64)],
        vec![t(&[2.0], &[1]), Tensor::scalar(8i64)],
    ];
    let cols = default_collate(rows)?;
    assert_eq!(cols.len(), 2);
    assert_eq!(cols[0].shape(), &[2, 1]);
    assert_eq!(cols[1].to_vec::<i64>()?, vec![7, 8]);
    Ok(())
}

#[test]
fn default_collate_shape_mismatch_names_op_and_shapes() {
    let err = default_collate(vec![t(&[1.0, 2.0], &[2]), t(&[1.0, 2.0, 3.0], &[3])])
        .expect_err("mismatch");
    let msg = err.to_string();
    for part in ["default_collate", "stack", "[2]", "[3]"] {
        assert!(msg.contains(part), "{part} missing from {msg}");
    }
    let uneven = vec![
        vec![t(&[1.0], &[1])],
        vec![t(&[1.0], &[1]), t(&[1.0], &[1])],
    ];
    let msg = default_collate(uneven).expect_err("uneven").to_string();
    assert!(msg.contains("equal size"), "{msg}");
}

#[test]
fn loader_options_default_to_pytorch() {
    let o = DataLoaderOptions::default();
    assert_eq!(
        (o.batch_size, o.shuffle, o.drop_last, o.num_workers),
        (1, false, false, 0)
    );
    assert_eq!((o.prefetch_factor, o.seed), (None, None));
}

type Batch = (Tensor, Tensor);

fn epoch(loader: &DataLoader<Numbers, Batch>) -> Vec<(Vec<f32>, Vec<i64>)> {
    loader
        .iter()
        .map(|b| {
            let (x, y) = b.expect("batch");
            (x.to_vec::<f32>().expect("x"), y.to_vec::<i64>().expect("y"))
        })
        .collect()
}

fn loader(n: usize, opts: DataLoaderOptions) -> DataLoader<Numbers, Batch> {
    DataLoader::new(Numbers::new(n), opts).expect("loader")
}

#[test]
fn loader_batches_are_identical_for_0_1_and_3_workers() {
    let opts = |w| DataLoaderOptions {
        batch_size: 4,
        shuffle: true,
        num_workers: w,
        seed: Some(42),
        ..Default::default()
    };
    let l0 = loader(23, opts(0));
    let (e1, e2) = (epoch(&l0), epoch(&l0));
    assert_eq!(e1.len(), 6);
    assert_ne!(e1, e2, "each epoch draws a new order");
    let mut seen: Vec<i64> = e1
        .iter()
        .flat_map(|(x, _)| x.iter().step_by(2).map(|&v| v as i64))
        .collect();
    seen.sort_unstable();
    assert_eq!(
        seen,
        (0..23).collect::<Vec<_>>(),
        "one epoch covers the dataset once"
    );
    for (x, y) in &e1 {
        for (k, &label) in y.iter().enumerate() {
            assert_eq!(x[2 * k + 1], 10.0 * x[2 * k]);
            assert_eq!(label, x[2 * k] as i64 % 3);
        }
    }
    for w in [1, 3] {
        let l = loader(23, opts(w));
        assert_eq!(epoch(&l), e1, "{w} workers, epoch 1");
        assert_eq!(epoch(&l), e2, "{w} workers, epoch 2");
    }
}

#[test]
fn loader_sequential_drop_last_and_len() {
    let opts = |drop_last| DataLoaderOptions {
        batch_size: 3,
        drop_last,
        ..Default::default()
    };
    let keep = loader(10, opts(false));
    assert_eq!(keep.len(), 4);
    let e = epoch(&keep);
    assert_eq!(e.len(), 4);
    assert_eq!(e[0].0, vec![0.0, 0.0, 1.0, 10.0, 2.0, 20.0]);
    assert_eq!(e[3].1, vec![0], "last batch is sample 9 alone");
    let drop = loader(10, opts(true));
    assert_eq!(drop.len(), 3);
    assert_eq!(epoch(&drop).len(), 3);
    assert!(epoch(&drop).iter().all(|(_, y)| y.len() == 3));
}

#[test]
fn loader_rejects_bad_options() {
    let bad = |o: DataLoaderOptions| {
        DataLoader::new(Numbers::new(4), o)
            .err()
            .map(|e| e.to_string())
    };
    let msg = bad(DataLoaderOptions {
        batch_size: 0,
        ..Default::default()
    });
    assert!(msg.expect("batch_size 0").contains("batch_size"));
    let msg = bad(DataLoaderOptions {
        prefetch_factor: Some(2),
        ..Default::default()
    });
    assert!(
        msg.expect("prefetch without workers")
            .contains("prefetch_factor")
    );
    let shuffled = loader(
        4,
        DataLoaderOptions {
            shuffle: true,
            ..Default::default()
        },
    );
    let msg = shuffled
        .sampler(SequentialSampler::new(4))
        .err()
        .expect("exclusive");
    assert!(msg.to_string().contains("mutually exclusive with shuffle"));
    let batched = loader(
        4,
        DataLoaderOptions {
            batch_size: 2,
            ..Default::default()
        },
    );
    let bs = BatchSampler::new(SequentialSampler::new(4), 2, false).expect("bs");
    assert!(batched.batch_sampler(bs).is_err());
}

#[test]
fn loader_with_custom_sampler_batch_sampler_and_collate() -> Result<()> {
    let reversed = SubsetRandomSampler::new(vec![5, 1], seeded(0));
    let l = loader(
        6,
        DataLoaderOptions {
            batch_size: 2,
            ..Default::default()
        },
    )
    .sampler(reversed)?;
    let e = epoch(&l);
    assert_eq!(e.len(), 1);
    let mut firsts = vec![e[0].0[0], e[0].0[2]];
    firsts.sort_by(f32::total_cmp);
    assert_eq!(firsts, vec![1.0, 5.0]);

    let bs = BatchSampler::new(SequentialSampler::new(5), 2, true)?;
    let l = loader(5, DataLoaderOptions::default()).batch_sampler(bs)?;
    assert_eq!(l.len(), 2);
    assert_eq!(epoch(&l)[1].1, vec![2, 0]);

    // A collate that sums the labels of each batch.
    let l = DataLoader::with_collate_fn(
        Numbers::new(7),
        DataLoaderOptions {
            batch_size: 3,
            num_workers: 2,
            ..Default::default()
        },
        |items: Vec<(Tensor, i64)>| Ok(items.iter().map(|(_, y)| y).sum::<i64>()),
    )?;
    let sums: Vec<i64> = l.iter().collect::<Result<_>>()?;
    assert_eq!(sums, vec![3, 3, 0]);
    Ok(())
}

#[test]
fn loader_prefetches_at_most_prefetch_factor_times_workers_batches() {
    let mut ds = Numbers::new(200);
    ds.delay = Duration::from_micros(200);
    let opts = DataLoaderOptions {
        batch_size: 2,
        num_workers: 2,
        prefetch_factor: Some(3),
        ..Default::default()
    };
    let l = DataLoader::new(ds, opts).expect("loader");
    for (k, b) in l.iter().enumerate() {
        b.expect("batch");
        std::thread::sleep(Duration::from_millis(10));
        // Batches 0..=k returned, at most 6 more submitted.
        let reads = l.dataset().reads.load(Ordering::SeqCst);
        assert!(reads <= (k + 1 + 6) * 2, "batch {k}: {reads} samples read");
        if k == 5 {
            assert!(
                reads >= 14,
                "workers prefetch while the consumer sleeps: {reads}"
            );
            break;
        }
    }
}

#[test]
fn leaving_the_loop_early_joins_the_workers() {
    let mut ds = Numbers::new(10_000);
    ds.delay = Duration::from_millis(1);
    let opts = DataLoaderOptions {
        batch_size: 4,
        num_workers: 3,
        shuffle: true,
        seed: Some(0),
        ..Default::default()
    };
    let l = DataLoader::new(ds, opts).expect("loader");
    let start = Instant::now();
    for (k, b) in l.iter().enumerate() {
        b.expect("batch");
        if k == 2 {
            break;
        }
    }
    // The iterator is dropped at the end of the loop: each worker has dropped its handle on
    // the dataset, so every thread has finished.
    assert_eq!(Arc::strong_count(l.dataset()), 1);
    let reads = l.dataset().reads.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(
        l.dataset().reads.load(Ordering::SeqCst),
        reads,
        "no reads after drop"
    );
    assert!(reads <= (3 + 6 + 3) * 4, "{reads} samples read");
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn failing_sample_is_an_error_naming_its_index() {
    for workers in [0, 2] {
        let mut ds = Numbers::new(12);
        ds.fail = Some(7);
        let opts = DataLoaderOptions {
            batch_size: 4,
            num_workers: workers,
            ..Default::default()
        };
        let l = DataLoader::new(ds, opts).expect("loader");
        let results: Vec<_> = l.iter().collect();
        assert_eq!(
            results.len(),
            3,
            "{workers} workers: iteration goes on after the error"
        );
        assert!(results[0].is_ok() && results[2].is_ok());
        let msg = results[1].as_ref().expect_err("batch 1 fails").to_string();
        assert!(
            msg.contains("sample 7") && msg.contains("corrupt record"),
            "{msg}"
        );
        if workers > 0 {
            assert!(msg.contains("DataLoader worker"), "{msg}");
        }
    }
}

#[test]
fn panicking_dataset_in_a_worker_is_an_error_not_a_hang() {
    let mut ds = Numbers::new(8);
    ds.panic = Some(5);
    let opts = DataLoaderOptions {
        batch_size: 2,
        num_workers: 2,
        ..Default::default()
    };
    let l = DataLoader::new(ds, opts).expect("loader");
    let results: Vec<_> = l.iter().collect();
    assert_eq!(results.len(), 4);
    let msg = results[2].as_ref().expect_err("batch 2 fails").to_string();
    assert!(
        msg.contains("sample 5") && msg.contains("panicked") && msg.contains("boom at 5"),
        "{msg}"
    );
    assert!(results[3].is_ok(), "the worker survives the panic");
}

#[test]
fn tensor_dataset_rows_and_size_mismatch() -> Result<()> {
    let f32_opts = TensorOptions::default().dtype(DType::F32);
    let x = Tensor::arange(0.0, 12.0, 1.0, f32_opts)?.reshape(&[4, 3])?;
    let y = Tensor::from_vec(vec![10i64, 11, 12, 13], &[4])?;
    let ds = TensorDataset::new(vec![x.clone(), y.clone()])?;
    assert_eq!(ds.len(), 4);
    let row = ds.get(2)?;
    assert_eq!(row[0].to_vec::<f32>()?, vec![6.0, 7.0, 8.0]);
    assert_eq!((row[1].dim(), row[1].to_vec::<i64>()?), (0, vec![12]));
    let msg = ds.get(4).expect_err("out of range").to_string();
    assert!(msg.contains("index 4") && msg.contains("length 4"), "{msg}");
    let short = Tensor::from_vec(vec![1i64, 2, 3], &[3])?;
    let msg = TensorDataset::new(vec![x.clone(), short])
        .expect_err("mismatch")
        .to_string();
    assert!(
        msg.contains("[4, 3]") && msg.contains("[3]") && msg.contains("Size mismatch"),
        "{msg}"
    );

    let l = DataLoader::new(
        TensorDataset::new(vec![x, y])?,
        DataLoaderOptions {
            batch_size: 3,
            ..Default::default()
        },
    )?;
    let batches: Vec<Vec<Tensor>> = l.iter().collect::<Result<_>>()?;
    assert_eq!(batches[0][0].shape(), &[3, 3]);
    assert_eq!(batches[1][0].to_vec::<f32>()?, vec![9.0, 10.0, 11.0]);
    assert_eq!(batches[1][1].to_vec::<i64>()?, vec![13]);
    Ok(())
}

#[test]
fn subset_and_concat_dataset() -> Result<()> {
    let base = Arc::new(Numbers::new(10));
    let sub = Subset::new(base.clone(), vec![9, 2, 4]);
    assert_eq!(sub.len(), 3);
    assert_eq!(sub.get(0)?.1, 0); // sample 9
    assert_eq!(sub.get(1)?.0.to_vec::<f32>()?, vec![2.0, 20.0]);
    assert!(
        sub.get(3)
            .expect_err("range")
            .to_string()
            .contains("index 3")
    );

    let parts = vec![Numbers::new(3), Numbers::new(0), Numbers::new(4)];
    let cat = ConcatDataset::new(parts)?;
    assert_eq!(cat.cumulative_sizes(), &[3, 3, 7]);
    assert_eq!(cat.len(), 7);
    let firsts: Vec<f32> = (0..7)
        .map(|i| Ok(cat.get(i)?.0.to_vec::<f32>()?[0]))
        .collect::<Result<_>>()?;
    assert_eq!(firsts, vec![0.0, 1.0, 2.0, 0.0, 1.0, 2.0, 3.0]);
    let msg = cat.get(7).expect_err("range").to_string();
    assert!(msg.contains("index 7") && msg.contains("length 7"), "{msg}");
    assert!(ConcatDataset::<Numbers>::new(vec![]).is_err());
    Ok(())
}

#[test]
fn random_split_is_a_disjoint_reproducible_cover() -> Result<()> {
    let base = Arc::new(Numbers::new(20));
    let g = Generator::new(3);
    let parts = random_split(base.clone(), &[12, 5, 3], &g)?;
    assert_eq!(
        parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
        vec![12, 5, 3]
    );
    let mut all: Vec<usize> = parts.iter().flat_map(|p| p.indices().to_vec()).collect();
    assert_ne!(all, (0..20).collect::<Vec<_>>(), "shuffled");
    all.sort_unstable();
    assert_eq!(all, (0..20).collect::<Vec<_>>());
    let again = random_split(base.clone(), &[12, 5, 3], &Generator::new(3))?;
    assert_eq!(again[1].indices(), parts[1].indices());
    let msg = random_split(base.clone(), &[12, 5], &g)
        .err()
        .expect("sum")
        .to_string();
    assert!(msg.contains("Sum of input lengths"), "{msg}");
    let frac = random_split_fractions(base, &[0.5, 0.25, 0.25], &g)?;
    assert_eq!(
        frac.iter().map(|p| p.len()).collect::<Vec<_>>(),
        vec![10, 5, 5]
    );
    Ok(())
}

#[test]
fn random_split_fraction_lengths_match_torch() -> Result<()> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/data_random_split.json"
    );
    let text = std::fs::read_to_string(path).expect("golden file");
    let golden: serde_json::Value = serde_json::from_str(&text).expect("json");
    let cases = golden["cases"].as_array().expect("cases");
    assert!(cases.len() >= 10);
    for c in cases {
        let n = c["n"].as_u64().expect("n") as usize;
        let fr: Vec<f64> = c["fractions"]
            .as_array()
            .expect("fractions")
            .iter()
            .map(|v| v.as_f64().expect("f64"))
            .collect();
        let want: Vec<usize> = c["lengths"]
            .as_array()
            .expect("lengths")
            .iter()
            .map(|v| v.as_u64().expect("u64") as usize)
            .collect();
        assert_eq!(fraction_lengths(n, &fr)?, want, "n = {n}, fractions {fr:?}");
    }
    assert!(fraction_lengths(10, &[0.5, 0.6]).is_err());
    assert!(fraction_lengths(10, &[1.5, -0.5]).is_err());
    Ok(())
}

/// A custom sample type with its own `DefaultCollate` rule.
struct Pair(i64);

impl DefaultCollate for Pair {
    type Batch = Vec<i64>;
    fn collate(batch: Vec<Pair>) -> Result<Vec<i64>> {
        Ok(batch.into_iter().map(|p| p.0).collect())
    }
}

#[test]
fn default_collate_extends_to_user_types() -> Result<()> {
    assert_eq!(default_collate(vec![Pair(1), Pair(2)])?, vec![1, 2]);
    let (a, b) = default_collate(vec![(Pair(3), 1.0f64), (Pair(4), 2.0)])?;
    assert_eq!(a, vec![3, 4]);
    assert_eq!(b.to_vec::<f64>()?, vec![1.0, 2.0]);
    Ok(())
}
