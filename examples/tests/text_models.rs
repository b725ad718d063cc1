//! The text examples' models: shapes, causality, and one optimiser step lowering the loss on
//! a fixed batch (the bag-of-embeddings classifier and the character transformer), plus the
//! data helpers (encoding, offsets, seeded split) and seeded sampling.

use examples::char_lm::{CharLmConfig, CharTransformer};
use examples::epoch::adam;
use examples::text_classify::{BagClassifier, batch, encode, split};
use torch_core::{Generator, Result, Tensor};
use torch_nn::Forward;
use torch_nn::functional::{CrossEntropyOptions, cross_entropy};
use torch_nn::optim::Optimizer;

#[test]
fn encode_batch_and_split() -> Result<()> {
    let train = vec!["A great film!".to_string(), "a dull, dull film".to_string()];
    let test = vec!["great unseen words".to_string(), "!!!".to_string()];
    let enc = encode(&train, &test, 1)?;
    // <unk>, then a, film, dull, great, !, , (min_freq 1)
    assert_eq!(enc.vocab.lookup_token(0)?, "<unk>");
    assert_eq!(enc.train[0].len(), 4); // a great film !
    assert_eq!(enc.test[0][1..], [0, 0]); // unseen -> <unk>
    assert_eq!(enc.test[0][0], enc.train[0][1]); // "great"
    let b = batch(&enc.train, &[1, 0], &[1, 0])?;
    assert_eq!(b.offsets.to_vec::<i64>()?, vec![0, 5]);
    assert_eq!(b.ids.shape(), &[9]);
    assert_eq!(b.labels.to_vec::<i64>()?, vec![0, 1]);
    let (tr, te) = split(100, 0.1, 3)?;
    assert_eq!((tr.len(), te.len()), (90, 10));
    let mut all: Vec<usize> = tr.iter().chain(&te).copied().collect();
    all.sort_unstable();
    assert_eq!(all, (0..100).collect::<Vec<_>>());
    assert_eq!(split(100, 0.1, 3)?, (tr, te));
    Ok(())
}

#[test]
fn bag_classifier_shapes_and_a_step_lowers_the_loss() -> Result<()> {
    torch_core::manual_seed(0);
    let net = BagClassifier::new(50, 16, 2)?;
    let texts = vec![vec![1, 2, 3], vec![4, 5], vec![6, 7, 8, 9], vec![10]];
    let b = batch(&texts, &[0, 1, 1, 0], &[0, 1, 2, 3])?;
    let logits = net.forward(&b.ids, &b.offsets)?;
    assert_eq!(logits.shape(), &[4, 2]);
    // A bag's logits are those of the mean of its embeddings.
    let mean = net
        .embedding
        .weight
        .index_select(0, &Tensor::from_vec(vec![4i64, 5], &[2])?)?;
    let one = net.fc.forward(&mean.mean_dim(&[0], true)?)?;
    torch_core::testing::assert_close(&logits.narrow(0, 1, 1)?, &one);
    let mut opt = adam(&net, 0.05)?;
    let ce = CrossEntropyOptions::default();
    let loss = |n: &BagClassifier| cross_entropy(&n.forward(&b.ids, &b.offsets)?, &b.labels, &ce);
    let before = loss(&net)?;
    opt.zero_grad();
    before.backward()?;
    opt.step()?;
    let after = loss(&net)?.item()?;
    assert!(after < before.item()?, "loss {} -> {after}", before.item()?);
    Ok(())
}

#[test]
fn char_transformer_is_causal_and_a_step_lowers_the_loss() -> Result<()> {
    torch_core::manual_seed(0);
    let config = CharLmConfig {
        vocab_size: 11,
        block_size: 8,
        d_model: 16,
        nhead: 2,
        num_layers: 2,
        dim_feedforward: 32,
        dropout: 0.0,
    };
    let net = CharTransformer::new(&config)?;
    let x = Tensor::from_vec((0..16).map(|i| i % 11).collect::<Vec<i64>>(), &[2, 8])?;
    let logits = net.forward(&x)?;
    assert_eq!(logits.shape(), &[2, 8, 11]);
    // Changing the last token leaves the earlier positions' logits unchanged.
    let mut v = x.to_vec::<i64>()?;
    v[7] = (v[7] + 3) % 11;
    let x2 = Tensor::from_vec(v, &[2, 8])?;
    let l2 = net.forward(&x2)?;
    torch_core::testing::assert_close(&l2.narrow(1, 0, 7)?, &logits.narrow(1, 0, 7)?);
    assert!(
        l2.narrow(1, 7, 1)?
            .sub(&logits.narrow(1, 7, 1)?)?
            .abs()?
            .max()?
            .item()?
            > 1e-4
    );
    assert!(
        net.forward(&Tensor::from_vec(vec![0i64; 9], &[1, 9])?)
            .is_err()
    );
    let y = Tensor::from_vec((1..17).map(|i| i % 11).collect::<Vec<i64>>(), &[2, 8])?;
    let mut opt = adam(&net, 1e-2)?;
    let before = net.loss(&x, &y)?;
    opt.zero_grad();
    before.backward()?;
    opt.step()?;
    let after = net.loss(&x, &y)?.item()?;
    assert!(after < before.item()?, "loss {} -> {after}", before.item()?);
    // Seeded sampling repeats; a bad temperature is an error.
    let s1 = net.sample(&[1, 2], 12, 0.8, &Generator::new(7))?;
    let s2 = net.sample(&[1, 2], 12, 0.8, &Generator::new(7))?;
    assert_eq!(s1.len(), 12);
    assert_eq!(s1, s2);
    assert!(s1.iter().all(|&t| (0..11).contains(&t)));
    assert!(net.sample(&[1], 3, 0.0, &Generator::new(7)).is_err());
    Ok(())
}
