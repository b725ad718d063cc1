//! The Transformer family against PyTorch goldens (scripts/golden/nn_seq.py): encoder stacks
//! (post-norm relu with padding, pre-norm gelu causal), layers, full Transformer with a causal
//! target mask; reprs, deep copies, the causal mask and shape errors.

mod seq_common;

use seq_common::{Case, goldens};
use torch_core::{Result, Tensor, TensorOptions};
use torch_nn::{
    DecoderMasks, EncoderMasks, LayerNorm, Module, Transformer, TransformerActivation,
    TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer, TransformerLayerOptions,
    TransformerMasks, TransformerOptions, generate_square_subsequent_mask,
};

fn small(o: TransformerLayerOptions) -> TransformerLayerOptions {
    TransformerLayerOptions {
        dim_feedforward: 16,
        ..o
    }
}

#[test]
fn encoder_post_norm_with_padding_mask_eval_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "enc_post");
    let layer = TransformerEncoderLayer::with_options(8, 2, small(Default::default()))?;
    let m = TransformerEncoder::new(&layer, 2, Some(LayerNorm::new(&[8])?))?;
    m.eval();
    c.load(&m);
    let (x, kpm) = (c.input("x"), c.input("kpm"));
    let y = m.forward(
        &x,
        EncoderMasks {
            src_key_padding_mask: Some(&kpm),
            ..Default::default()
        },
    )?;
    c.check(Some(&m), &[("x", &x)], &[("y", &y)]);
    Ok(())
}

#[test]
fn encoder_norm_first_gelu_causal_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "enc_pre_gelu");
    let layer = TransformerEncoderLayer::with_options(
        8,
        2,
        small(TransformerLayerOptions {
            dropout: 0.0,
            activation: TransformerActivation::Gelu,
            norm_first: true,
            batch_first: true,
            ..Default::default()
        }),
    )?;
    let m = TransformerEncoder::new(&layer, 2, None)?;
    c.load(&m);
    let (x, mask) = (c.input("x"), c.input("mask"));
    let y = m.forward(
        &x,
        EncoderMasks {
            src_mask: Some(&mask),
            is_causal: true,
            ..Default::default()
        },
    )?;
    c.check(Some(&m), &[("x", &x)], &[("y", &y)]);
    Ok(())
}

#[test]
fn encoder_layer_without_bias_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "enc_layer_nobias");
    let m = TransformerEncoderLayer::with_options(
        8,
        2,
        small(TransformerLayerOptions {
            dropout: 0.0,
            bias: false,
            layer_norm_eps: 1e-3,
            ..Default::default()
        }),
    )?;
    c.load(&m);
    let x = c.input("x");
    let y = m.forward(&x, EncoderMasks::default())?;
    c.check(Some(&m), &[("x", &x)], &[("y", &y)]);
    Ok(())
}

#[test]
fn decoder_layer_with_causal_and_memory_padding_masks_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "dec_layer");
    let m = TransformerDecoderLayer::with_options(
        8,
        2,
        small(TransformerLayerOptions {
            dropout: 0.0,
            ..Default::default()
        }),
    )?;
    c.load(&m);
    let (tgt, mem) = (c.input("tgt"), c.input("mem"));
    let (tgt_mask, mkpm) = (c.input("tgt_mask"), c.input("mkpm"));
    let y = m.forward(
        &tgt,
        &mem,
        DecoderMasks {
            tgt_mask: Some(&tgt_mask),
            memory_key_padding_mask: Some(&mkpm),
            tgt_is_causal: true,
            ..Default::default()
        },
    )?;
    c.check(Some(&m), &[("tgt", &tgt), ("mem", &mem)], &[("y", &y)]);
    Ok(())
}

#[test]
fn decoder_layer_norm_first_gelu_batch_first_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "dec_layer_pre");
    let m = TransformerDecoderLayer::with_options(
        8,
        2,
        small(TransformerLayerOptions {
            dropout: 0.0,
            norm_first: true,
            activation: TransformerActivation::Gelu,
            batch_first: true,
            ..Default::default()
        }),
    )?;
    c.load(&m);
    let (tgt, mem) = (c.input("tgt"), c.input("mem"));
    let y = m.forward(&tgt, &mem, DecoderMasks::default())?;
    c.check(Some(&m), &[("tgt", &tgt), ("mem", &mem)], &[("y", &y)]);
    Ok(())
}

fn small_transformer() -> Result<Transformer> {
    Transformer::new(TransformerOptions {
        d_model: 8,
        nhead: 2,
        num_encoder_layers: 2,
        num_decoder_layers: 2,
        layer: small(TransformerLayerOptions {
            dropout: 0.0,
            batch_first: true,
            ..Default::default()
        }),
    })
}

#[test]
fn transformer_with_causal_target_mask_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "transformer");
    let m = small_transformer()?;
    c.load(&m);
    let (src, tgt) = (c.input("src"), c.input("tgt"));
    let (tgt_mask, skpm) = (c.input("tgt_mask"), c.input("skpm"));
    let y = m.forward(
        &src,
        &tgt,
        TransformerMasks {
            tgt_mask: Some(&tgt_mask),
            src_key_padding_mask: Some(&skpm),
            memory_key_padding_mask: Some(&skpm),
            tgt_is_causal: true,
            ..Default::default()
        },
    )?;
    c.check(Some(&m), &[("src", &src), ("tgt", &tgt)], &[("y", &y)]);
    Ok(())
}

#[test]
fn square_subsequent_mask_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "transformer");
    let expected = c.input("tgt_mask");
    let m = generate_square_subsequent_mask(4)?;
    assert_eq!(m.shape(), expected.shape());
    assert_eq!(m.to_vec::<f32>()?, expected.to_vec::<f32>()?);
    Ok(())
}

#[test]
fn encoder_layers_are_equal_copies_and_transformer_reinitialises() -> Result<()> {
    let layer = TransformerEncoderLayer::with_options(8, 2, small(Default::default()))?;
    let enc = TransformerEncoder::new(&layer, 2, None)?;
    let sd = enc.state_dict();
    for (k, v) in layer.state_dict().iter() {
        for i in 0..2 {
            let copy = sd.get(&format!("layers.{i}.{k}")).expect("key");
            assert_eq!(copy.to_vec::<f32>()?, v.to_vec::<f32>()?, "layers.{i}.{k}");
        }
    }
    // The copies own their parameters.
    assert!(
        !enc.layers[0]
            .linear1
            .weight
            .shares_storage(&layer.linear1.weight)
    );
    // Transformer: xavier_uniform_ on every >1-dim parameter, independently per layer.
    let t = small_transformer()?;
    let sd = t.state_dict();
    let a = sd.get("encoder.layers.0.linear1.weight").expect("key");
    let b = sd.get("encoder.layers.1.linear1.weight").expect("key");
    assert_ne!(a.to_vec::<f32>()?, b.to_vec::<f32>()?);
    let bound = (6.0f64 / 24.0).sqrt(); // (16, 8)
    assert!(a.to_vec::<f32>()?.iter().all(|x| (x.abs() as f64) <= bound));
    Ok(())
}

#[test]
fn transformer_repr_matches_torch() -> Result<()> {
    let t = Transformer::new(TransformerOptions {
        d_model: 8,
        nhead: 2,
        num_encoder_layers: 2,
        num_decoder_layers: 1,
        layer: small(Default::default()),
    })?;
    // Printed by PyTorch 2.11 for nn.Transformer(8, 2, 2, 1, 16).
    let expected = "Transformer(
  (encoder): TransformerEncoder(
    (layers): ModuleList(
      (0-1): 2 x TransformerEncoderLayer(
        (self_attn): MultiheadAttention(
          (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)
        )
        (linear1): Linear(in_features=8, out_features=16, bias=True)
        (dropout): Dropout(p=0.1, inplace=False)
        (linear2): Linear(in_features=16, out_features=8, bias=True)
        (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True)
        (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True)
        (dropout1): Dropout(p=0.1, inplace=False)
        (dropout2): Dropout(p=0.1, inplace=False)
      )
    )
    (norm): LayerNorm((8,), eps=1e-05, elementwise_affine=True)
  )
  (decoder): TransformerDecoder(
    (layers): ModuleList(
      (0): TransformerDecoderLayer(
        (self_attn): MultiheadAttention(
          (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)
        )
        (multihead_attn): MultiheadAttention(
          (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)
        )
        (linear1): Linear(in_features=8, out_features=16, bias=True)
        (dropout): Dropout(p=0.1, inplace=False)
        (linear2): Linear(in_features=16, out_features=8, bias=True)
        (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True)
        (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True)
        (norm3): LayerNorm((8,), eps=1e-05, elementwise_affine=True)
        (dropout1): Dropout(p=0.1, inplace=False)
        (dropout2): Dropout(p=0.1, inplace=False)
        (dropout3): Dropout(p=0.1, inplace=False)
      )
    )
    (norm): LayerNorm((8,), eps=1e-05, elementwise_affine=True)
  )
)";
    assert_eq!(t.to_string(), expected);
    Ok(())
}

#[test]
fn transformer_errors_name_the_op_and_shapes() -> Result<()> {
    let t = small_transformer()?;
    let o = TensorOptions::default();
    let src = Tensor::randn(&[2, 5, 8], o)?;
    let err = t
        .forward(
            &src,
            &Tensor::randn(&[3, 4, 8], o)?,
            TransformerMasks::default(),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Transformer") && err.contains("[2, 5, 8]") && err.contains("[3, 4, 8]"),
        "{err}"
    );
    let err = t
        .forward(
            &src,
            &Tensor::randn(&[2, 4, 6], o)?,
            TransformerMasks::default(),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("d_model=8"), "{err}");
    let bad = generate_square_subsequent_mask(3)?;
    let err = t
        .forward(
            &src,
            &Tensor::randn(&[2, 4, 8], o)?,
            TransformerMasks {
                tgt_mask: Some(&bad),
                ..Default::default()
            },
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("MultiheadAttention") && err.contains("[3, 3]"),
        "{err}"
    );
    Ok(())
}
