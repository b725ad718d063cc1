//! `scaled_dot_product_attention` and `MultiheadAttention` against PyTorch goldens
//! (scripts/golden/nn_seq.py): outputs, attention weights and the gradients of inputs and
//! parameters; reprs, init and mask/shape errors.

mod seq_common;

use seq_common::{Case, goldens};
use torch_core::autograd::{GradcheckOptions, gradcheck};
use torch_core::{DType, Result, Tensor, TensorOptions};
use torch_nn::functional as F;
use torch_nn::{MhaForwardOptions, Module, MultiheadAttention, MultiheadAttentionOptions};

fn sdpa_case(name: &str, is_causal: bool, scale: Option<f64>, with_mask: bool) -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, name);
    let (q, k, v) = (c.input("q"), c.input("k"), c.input("v"));
    let mask = with_mask.then(|| c.input("mask"));
    let y = F::scaled_dot_product_attention(&q, &k, &v, mask.as_ref(), 0.0, is_causal, scale)?;
    let mut inputs = vec![("q", &q), ("k", &k), ("v", &v)];
    if let Some(m) = &mask {
        inputs.push(("mask", m));
    }
    c.check(None, &inputs, &[("y", &y)]);
    Ok(())
}

#[test]
fn sdpa_bool_mask_matches_torch() -> Result<()> {
    sdpa_case("sdpa_bool", false, None, true)
}

#[test]
fn sdpa_fully_masked_row_gives_zeros_as_torch() -> Result<()> {
    sdpa_case("sdpa_bool_masked_row", false, None, true)
}

#[test]
fn sdpa_float_mask_and_scale_match_torch() -> Result<()> {
    sdpa_case("sdpa_float", false, Some(0.3), true)
}

#[test]
fn sdpa_causal_matches_torch() -> Result<()> {
    sdpa_case("sdpa_causal", true, None, false)
}

#[test]
fn sdpa_backward_matches_finite_differences() -> Result<()> {
    let o = TensorOptions::default().dtype(DType::F64);
    let leaf = |t: Tensor| t.requires_grad_(true);
    let q = leaf(Tensor::randn(&[2, 3, 4], o)?)?;
    // A transposed (non-contiguous) key.
    let k = leaf(Tensor::randn(&[2, 4, 5], o)?.transpose(-2, -1)?)?;
    let v = leaf(Tensor::randn(&[2, 5, 3], o)?)?;
    let mask = leaf(Tensor::randn(&[3, 5], o)?)?;
    gradcheck(
        |x| F::scaled_dot_product_attention(&x[0], &x[1], &x[2], Some(&x[3]), 0.0, false, None),
        &[q.clone(), k.clone(), v.clone(), mask],
        GradcheckOptions::default(),
    )?;
    // A bool mask with a fully masked row, and the causal mask.
    let mut keep = vec![true; 15];
    keep[5..10].fill(false);
    let keep = Tensor::from_vec(keep, &[3, 5])?;
    gradcheck(
        |x| {
            F::scaled_dot_product_attention(&x[0], &x[1], &x[2], Some(&keep), 0.0, false, Some(0.7))
        },
        &[q.clone(), k.clone(), v.clone()],
        GradcheckOptions::default(),
    )?;
    gradcheck(
        |x| F::scaled_dot_product_attention(&x[0], &x[1], &x[2], None, 0.0, true, None),
        &[q, k, v],
        GradcheckOptions::default(),
    )
}

#[test]
fn sdpa_errors_name_the_op_and_shapes() -> Result<()> {
    let o = TensorOptions::default();
    let q = Tensor::randn(&[2, 3, 4], o)?;
    let k = Tensor::randn(&[2, 5, 4], o)?;
    let bad_mask = Tensor::zeros(&[3, 4], o.dtype(DType::Bool))?;
    let err = F::scaled_dot_product_attention(&q, &k, &k, Some(&bad_mask), 0.0, false, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("scaled_dot_product_attention")
            && err.contains("[3, 4]")
            && err.contains("[2, 3, 5]"),
        "{err}"
    );
    let mask = Tensor::zeros(&[3, 5], o.dtype(DType::Bool))?;
    let err = F::scaled_dot_product_attention(&q, &k, &k, Some(&mask), 0.0, true, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("is_causal"), "{err}");
    let k3 = Tensor::randn(&[2, 5, 3], o)?;
    let err = F::scaled_dot_product_attention(&q, &k3, &k, None, 0.0, false, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("[2, 3, 4]") && err.contains("[2, 5, 3]"),
        "{err}"
    );
    Ok(())
}

#[test]
fn mha_kdim_vdim_with_padding_and_attn_masks_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "mha_kv");
    let m = MultiheadAttention::with_options(
        8,
        2,
        MultiheadAttentionOptions {
            kdim: Some(3),
            vdim: Some(5),
            batch_first: true,
            ..Default::default()
        },
    )?;
    c.load(&m);
    let (q, k, v) = (c.input("q"), c.input("k"), c.input("v"));
    let (kpm, am) = (c.input("kpm"), c.input("am"));
    let (y, w) = m.forward(
        &q,
        &k,
        &v,
        MhaForwardOptions {
            key_padding_mask: Some(&kpm),
            attn_mask: Some(&am),
            ..Default::default()
        },
    )?;
    let w = w.expect("weights");
    assert_eq!(w.shape(), &[2, 4, 6]);
    c.check(
        Some(&m),
        &[("q", &q), ("k", &k), ("v", &v)],
        &[("y", &y), ("w", &w)],
    );
    Ok(())
}

#[test]
fn mha_self_attention_per_head_weights_match_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "mha_self_heads");
    let m = MultiheadAttention::new(8, 2)?;
    c.load(&m);
    let (x, am) = (c.input("x"), c.input("am"));
    let (y, w) = m.forward(
        &x,
        &x,
        &x,
        MhaForwardOptions {
            attn_mask: Some(&am),
            average_attn_weights: false,
            ..Default::default()
        },
    )?;
    let w = w.expect("weights");
    assert_eq!(w.shape(), &[2, 2, 4, 4]);
    c.check(Some(&m), &[("x", &x)], &[("y", &y), ("w", &w)]);
    Ok(())
}

#[test]
fn mha_without_weights_float_masks_eval_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "mha_no_weights");
    let m = MultiheadAttention::with_options(
        8,
        2,
        MultiheadAttentionOptions {
            dropout: 0.5,
            ..Default::default()
        },
    )?;
    m.eval();
    c.load(&m);
    let (q, k, v) = (c.input("q"), c.input("k"), c.input("v"));
    let (kpm, am) = (c.input("kpm"), c.input("am"));
    let (y, w) = m.forward(
        &q,
        &k,
        &v,
        MhaForwardOptions {
            key_padding_mask: Some(&kpm),
            attn_mask: Some(&am),
            need_weights: false,
            ..Default::default()
        },
    )?;
    assert!(w.is_none());
    c.check(Some(&m), &[("q", &q), ("k", &k), ("v", &v)], &[("y", &y)]);
    Ok(())
}

#[test]
fn mha_unbatched_without_bias_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "mha_unbatched");
    let m = MultiheadAttention::with_options(
        8,
        4,
        MultiheadAttentionOptions {
            bias: false,
            ..Default::default()
        },
    )?;
    c.load(&m);
    let (q, k, v) = (c.input("q"), c.input("k"), c.input("v"));
    let (y, w) = m.forward(&q, &k, &v, MhaForwardOptions::default())?;
    let w = w.expect("weights");
    assert_eq!((y.shape(), w.shape()), (&[3usize, 8][..], &[3usize, 5][..]));
    c.check(
        Some(&m),
        &[("q", &q), ("k", &k), ("v", &v)],
        &[("y", &y), ("w", &w)],
    );
    Ok(())
}

#[test]
fn mha_bias_kv_and_zero_attn_match_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "mha_bias_kv");
    let m = MultiheadAttention::with_options(
        8,
        2,
        MultiheadAttentionOptions {
            add_bias_kv: true,
            add_zero_attn: true,
            ..Default::default()
        },
    )?;
    c.load(&m);
    let (q, k, v, kpm) = (c.input("q"), c.input("k"), c.input("v"), c.input("kpm"));
    let (y, w) = m.forward(
        &q,
        &k,
        &v,
        MhaForwardOptions {
            key_padding_mask: Some(&kpm),
            ..Default::default()
        },
    )?;
    let w = w.expect("weights");
    assert_eq!(w.shape(), &[2, 4, 7]);
    c.check(
        Some(&m),
        &[("q", &q), ("k", &k), ("v", &v)],
        &[("y", &y), ("w", &w)],
    );
    Ok(())
}

#[test]
fn mha_is_causal_hint_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "mha_causal_hint");
    let m = MultiheadAttention::with_options(
        8,
        2,
        MultiheadAttentionOptions {
            batch_first: true,
            ..Default::default()
        },
    )?;
    c.load(&m);
    let (x, am) = (c.input("x"), c.input("am"));
    let (y, _) = m.forward(
        &x,
        &x,
        &x,
        MhaForwardOptions {
            attn_mask: Some(&am),
            is_causal: true,
            need_weights: false,
            ..Default::default()
        },
    )?;
    c.check(Some(&m), &[("x", &x)], &[("y", &y)]);
    Ok(())
}

#[test]
fn mha_repr_names_and_init_follow_torch() -> Result<()> {
    let m = MultiheadAttention::with_options(
        8,
        2,
        MultiheadAttentionOptions {
            kdim: Some(3),
            vdim: Some(5),
            add_bias_kv: true,
            ..Default::default()
        },
    )?;
    // Printed by PyTorch 2.11 for nn.MultiheadAttention(8, 2, kdim=3, vdim=5).
    assert_eq!(
        m.to_string(),
        "MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n)"
    );
    let shapes: Vec<(String, Vec<usize>)> = m
        .state_dict()
        .iter()
        .map(|(k, v)| (k.to_string(), v.shape().to_vec()))
        .collect();
    let expected: Vec<(String, Vec<usize>)> = [
        ("q_proj_weight", vec![8, 8]),
        ("k_proj_weight", vec![8, 3]),
        ("v_proj_weight", vec![8, 5]),
        ("in_proj_bias", vec![24]),
        ("bias_k", vec![1, 1, 8]),
        ("bias_v", vec![1, 1, 8]),
        ("out_proj.weight", vec![8, 8]),
        ("out_proj.bias", vec![8]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(shapes, expected);
    let m = MultiheadAttention::new(8, 2)?;
    let w = m.in_proj_weight.as_ref().expect("packed weight");
    // xavier_uniform_ on (24, 8): bound sqrt(6 / 32).
    let bound = (6.0f64 / 32.0).sqrt();
    assert!(w.to_vec::<f32>()?.iter().all(|x| (x.abs() as f64) <= bound));
    let zeros = |t: &Tensor| t.to_vec::<f32>().map(|v| v.iter().all(|&x| x == 0.0));
    assert!(zeros(m.in_proj_bias.as_ref().expect("bias"))?);
    assert!(zeros(m.out_proj.bias.as_ref().expect("bias"))?);
    Ok(())
}

#[test]
fn mha_errors_name_the_op_and_shapes() -> Result<()> {
    let o = TensorOptions::default();
    let m = MultiheadAttention::new(8, 2)?;
    let x = Tensor::randn(&[4, 2, 8], o)?;
    let bad = Tensor::zeros(&[4, 5], o.dtype(DType::Bool))?;
    let opts = |am| MhaForwardOptions {
        attn_mask: Some(am),
        ..Default::default()
    };
    let err = m.forward(&x, &x, &x, opts(&bad)).unwrap_err().to_string();
    assert!(
        err.contains("MultiheadAttention") && err.contains("[4, 5]"),
        "{err}"
    );
    let kpm = Tensor::zeros(&[2, 3], o.dtype(DType::Bool))?;
    let err = m
        .forward(
            &x,
            &x,
            &x,
            MhaForwardOptions {
                key_padding_mask: Some(&kpm),
                ..Default::default()
            },
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("[2, 3]") && err.contains("[2, 4]"), "{err}");
    let y = Tensor::randn(&[4, 2, 6], o)?;
    let err = m
        .forward(&y, &y, &y, MhaForwardOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("MultiheadAttention") && err.contains("[4, 2, 6]"),
        "{err}"
    );
    let err = m
        .forward(
            &x,
            &x,
            &x,
            MhaForwardOptions {
                is_causal: true,
                ..Default::default()
            },
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("Need attn_mask"), "{err}");
    assert!(MultiheadAttention::new(8, 3).is_err());
    Ok(())
}
