//! RNN, LSTM, GRU and their cells against PyTorch goldens (scripts/golden/nn_seq.py): strict
//! state-dict loads (PyTorch's names and shapes), outputs and the gradients of inputs and
//! parameters; reprs, init bounds, dropout between layers and shape errors.

mod seq_common;

use seq_common::{Case, goldens};
use torch_core::autograd::{GradcheckOptions, gradcheck};
use torch_core::{DType, Result, Tensor, TensorOptions};
use torch_nn::{
    GRU, GRUCell, LSTM, LSTMCell, Module, Nonlinearity, RNN, RNNCell, RNNCellOptions, RNNOptions,
};

#[test]
fn lstm_two_layers_bidirectional_batch_first_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "lstm_2l_bi_bf");
    let m = LSTM::with_options(
        5,
        6,
        RNNOptions {
            num_layers: 2,
            batch_first: true,
            bidirectional: true,
            dropout: 0.3,
            ..Default::default()
        },
    )?;
    m.eval();
    c.load(&m);
    let x = c.input("x");
    let (y, (h, cn)) = m.forward(&x, None)?;
    assert_eq!(y.shape(), &[3, 4, 12]);
    c.check(Some(&m), &[("x", &x)], &[("y", &y), ("h", &h), ("c", &cn)]);
    Ok(())
}

#[test]
fn lstm_proj_size_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "lstm_proj");
    let m = LSTM::with_options(
        5,
        6,
        RNNOptions {
            num_layers: 2,
            proj_size: 3,
            bidirectional: true,
            ..Default::default()
        },
    )?;
    c.load(&m);
    let (x, h0, c0) = (c.input("x"), c.input("h0"), c.input("c0"));
    let (y, (h, cn)) = m.forward(&x, Some((&h0, &c0)))?;
    c.check(
        Some(&m),
        &[("x", &x), ("h0", &h0), ("c0", &c0)],
        &[("y", &y), ("h", &h), ("c", &cn)],
    );
    Ok(())
}

#[test]
fn lstm_unbatched_input_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "lstm_unbatched");
    let m = LSTM::new(5, 6)?;
    c.load(&m);
    let (x, h0, c0) = (c.input("x"), c.input("h0"), c.input("c0"));
    let (y, (h, cn)) = m.forward(&x, Some((&h0, &c0)))?;
    assert_eq!(y.shape(), &[4, 6]);
    c.check(
        Some(&m),
        &[("x", &x), ("h0", &h0), ("c0", &c0)],
        &[("y", &y), ("h", &h), ("c", &cn)],
    );
    Ok(())
}

#[test]
fn gru_with_h0_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "gru_h0");
    let m = GRU::with_options(
        5,
        6,
        RNNOptions {
            num_layers: 2,
            ..Default::default()
        },
    )?;
    c.load(&m);
    let (x, h0) = (c.input("x"), c.input("h0"));
    let (y, h) = m.forward(&x, Some(&h0))?;
    c.check(Some(&m), &[("x", &x), ("h0", &h0)], &[("y", &y), ("h", &h)]);
    Ok(())
}

#[test]
fn gru_bidirectional_without_bias_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "gru_bi_nobias");
    let m = GRU::with_options(
        5,
        6,
        RNNOptions {
            bidirectional: true,
            bias: false,
            batch_first: true,
            ..Default::default()
        },
    )?;
    c.load(&m);
    let x = c.input("x");
    let (y, h) = m.forward(&x, None)?;
    c.check(Some(&m), &[("x", &x)], &[("y", &y), ("h", &h)]);
    Ok(())
}

#[test]
fn rnn_relu_bidirectional_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "rnn_relu");
    let m = RNN::with_options(
        5,
        6,
        RNNOptions {
            nonlinearity: Nonlinearity::Relu,
            bidirectional: true,
            ..Default::default()
        },
    )?;
    c.load(&m);
    let x = c.input("x");
    let (y, h) = m.forward(&x, None)?;
    c.check(Some(&m), &[("x", &x)], &[("y", &y), ("h", &h)]);
    Ok(())
}

#[test]
fn rnn_tanh_unbatched_two_layers_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "rnn_tanh_unbatched");
    let m = RNN::with_options(
        5,
        6,
        RNNOptions {
            num_layers: 2,
            ..Default::default()
        },
    )?;
    c.load(&m);
    let (x, h0) = (c.input("x"), c.input("h0"));
    let (y, h) = m.forward(&x, Some(&h0))?;
    assert_eq!(h.shape(), &[2, 6]);
    c.check(Some(&m), &[("x", &x), ("h0", &h0)], &[("y", &y), ("h", &h)]);
    Ok(())
}

#[test]
fn rnn_cell_tanh_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "rnn_cell_tanh");
    let m = RNNCell::new(5, 6)?;
    c.load(&m);
    let (x, h0) = (c.input("x"), c.input("h"));
    let h = m.forward(&x, Some(&h0))?;
    c.check(Some(&m), &[("x", &x), ("h", &h0)], &[("h", &h)]);
    Ok(())
}

#[test]
fn rnn_cell_relu_without_bias_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "rnn_cell_relu");
    let m = RNNCell::with_options(
        5,
        6,
        RNNCellOptions {
            bias: false,
            nonlinearity: Nonlinearity::Relu,
        },
    )?;
    c.load(&m);
    let x = c.input("x");
    let h = m.forward(&x, None)?;
    c.check(Some(&m), &[("x", &x)], &[("h", &h)]);
    Ok(())
}

#[test]
fn lstm_cell_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "lstm_cell");
    let m = LSTMCell::new(5, 6)?;
    c.load(&m);
    let (x, h0, c0) = (c.input("x"), c.input("h"), c.input("c"));
    let (h, cn) = m.forward(&x, Some((&h0, &c0)))?;
    c.check(
        Some(&m),
        &[("x", &x), ("h", &h0), ("c", &c0)],
        &[("h", &h), ("c", &cn)],
    );
    Ok(())
}

#[test]
fn gru_cell_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "gru_cell");
    let m = GRUCell::new(5, 6)?;
    c.load(&m);
    let (x, h0) = (c.input("x"), c.input("h"));
    let h = m.forward(&x, Some(&h0))?;
    c.check(Some(&m), &[("x", &x), ("h", &h0)], &[("h", &h)]);
    Ok(())
}

#[test]
fn gru_cell_unbatched_matches_torch() -> Result<()> {
    let g = goldens();
    let c = Case::new(&g, "gru_cell_unbatched");
    let m = GRUCell::new(5, 6)?;
    c.load(&m);
    let (x, h0) = (c.input("x"), c.input("h"));
    let h = m.forward(&x, Some(&h0))?;
    assert_eq!(h.shape(), &[6]);
    c.check(Some(&m), &[("x", &x), ("h", &h0)], &[("h", &h)]);
    Ok(())
}

#[test]
fn lstm_and_gru_backward_match_finite_differences() -> Result<()> {
    let o = TensorOptions::default().dtype(DType::F64);
    let opts = RNNOptions {
        num_layers: 2,
        bidirectional: true,
        ..Default::default()
    };
    let mut lstm = LSTM::with_options(3, 4, opts.clone())?;
    lstm.to_dtype(DType::F64)?;
    let x = Tensor::randn(&[3, 2, 3], o)?.requires_grad_(true)?;
    let h0 = Tensor::randn(&[4, 2, 4], o)?.requires_grad_(true)?;
    let c0 = Tensor::randn(&[4, 2, 4], o)?.requires_grad_(true)?;
    let flat = |ts: &[&Tensor]| -> Result<Tensor> {
        let v: Vec<Tensor> = ts.iter().map(|t| t.reshape(&[-1])).collect::<Result<_>>()?;
        Tensor::cat(&v.iter().collect::<Vec<_>>(), 0)
    };
    gradcheck(
        |i| {
            let (y, (h, c)) = lstm.forward(&i[0], Some((&i[1], &i[2])))?;
            flat(&[&y, &h, &c])
        },
        &[x.clone(), h0.clone(), c0],
        GradcheckOptions::default(),
    )?;
    let mut gru = GRU::with_options(3, 4, opts)?;
    gru.to_dtype(DType::F64)?;
    gradcheck(
        |i| {
            let (y, h) = gru.forward(&i[0], Some(&i[1]))?;
            flat(&[&y, &h])
        },
        &[x, h0],
        GradcheckOptions::default(),
    )
}

#[test]
fn reprs_match_torch() -> Result<()> {
    // Printed by PyTorch 2.11 for the same constructors.
    let lstm = LSTM::with_options(
        10,
        20,
        RNNOptions {
            num_layers: 2,
            bias: false,
            batch_first: true,
            dropout: 0.5,
            bidirectional: true,
            proj_size: 3,
            ..Default::default()
        },
    )?;
    assert_eq!(
        lstm.to_string(),
        "LSTM(10, 20, proj_size=3, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)"
    );
    let rnn = RNN::with_options(
        10,
        20,
        RNNOptions {
            nonlinearity: Nonlinearity::Relu,
            ..Default::default()
        },
    )?;
    assert_eq!(rnn.to_string(), "RNN(10, 20)");
    assert_eq!(GRU::new(10, 20)?.to_string(), "GRU(10, 20)");
    let cell = RNNCell::with_options(
        3,
        4,
        RNNCellOptions {
            bias: false,
            nonlinearity: Nonlinearity::Relu,
        },
    )?;
    assert_eq!(
        cell.to_string(),
        "RNNCell(3, 4, bias=False, nonlinearity=relu)"
    );
    assert_eq!(LSTMCell::new(3, 4)?.to_string(), "LSTMCell(3, 4)");
    assert_eq!(GRUCell::new(3, 4)?.to_string(), "GRUCell(3, 4)");
    Ok(())
}

#[test]
fn parameter_names_and_init_bounds_follow_torch() -> Result<()> {
    let m = LSTM::with_options(
        3,
        4,
        RNNOptions {
            bidirectional: true,
            proj_size: 2,
            ..Default::default()
        },
    )?;
    let names: Vec<String> = m.named_parameters().into_iter().map(|(n, _)| n).collect();
    // PyTorch 2.11: list(nn.LSTM(3, 4, bidirectional=True, proj_size=2).state_dict())
    assert_eq!(
        names,
        [
            "weight_ih_l0",
            "weight_hh_l0",
            "bias_ih_l0",
            "bias_hh_l0",
            "weight_hr_l0",
            "weight_ih_l0_reverse",
            "weight_hh_l0_reverse",
            "bias_ih_l0_reverse",
            "bias_hh_l0_reverse",
            "weight_hr_l0_reverse"
        ]
    );
    let bound = 1.0 / 2.0; // 1 / sqrt(hidden_size)
    for (name, p) in m.named_parameters() {
        let v = p.to_vec::<f32>()?;
        assert!(v.iter().all(|x| x.abs() as f64 <= bound), "{name}");
    }
    assert_eq!(
        m.get("weight_hh_l0").map(|p| p.shape().to_vec()),
        Some(vec![16, 2])
    );
    assert_eq!(m.all_weights().len(), 2);
    Ok(())
}

#[test]
fn dropout_applies_between_layers_in_training_only() -> Result<()> {
    let x = Tensor::randn(&[5, 2, 3], TensorOptions::default())?;
    let two = RNNOptions {
        num_layers: 2,
        dropout: 0.5,
        ..Default::default()
    };
    let m = GRU::with_options(3, 4, two)?;
    let (train, _) = m.forward(&x, None)?;
    m.eval();
    let (eval1, _) = m.forward(&x, None)?;
    let (eval2, _) = m.forward(&x, None)?;
    assert_eq!(eval1.to_vec::<f32>()?, eval2.to_vec::<f32>()?);
    assert_ne!(train.to_vec::<f32>()?, eval1.to_vec::<f32>()?);
    // One layer: nothing lies between layers, so training changes nothing.
    let one = GRU::with_options(
        3,
        4,
        RNNOptions {
            dropout: 0.5,
            ..Default::default()
        },
    )?;
    let (a, _) = one.forward(&x, None)?;
    one.eval();
    let (b, _) = one.forward(&x, None)?;
    assert_eq!(a.to_vec::<f32>()?, b.to_vec::<f32>()?);
    Ok(())
}

#[test]
fn shape_errors_name_the_op_and_shapes() -> Result<()> {
    let m = LSTM::new(5, 6)?;
    let err = m
        .forward(&Tensor::zeros(&[4, 2, 7], TensorOptions::default())?, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("LSTM") && err.contains("Expected 5, got 7") && err.contains("[4, 2, 7]"),
        "{err}"
    );
    let h0 = Tensor::zeros(&[2, 2, 6], TensorOptions::default())?;
    let c0 = Tensor::zeros(&[1, 2, 6], TensorOptions::default())?;
    let x = Tensor::zeros(&[4, 2, 5], TensorOptions::default())?;
    let err = m.forward(&x, Some((&h0, &c0))).unwrap_err().to_string();
    assert!(
        err.contains("LSTM") && err.contains("[2, 2, 6]") && err.contains("[1, 2, 6]"),
        "{err}"
    );
    let gru = GRU::new(5, 6)?;
    let err = gru
        .forward(
            &Tensor::zeros(&[2, 4, 2, 5], TensorOptions::default())?,
            None,
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("GRU") && err.contains("2D or 3D"), "{err}");
    let err = GRU::with_options(
        5,
        6,
        RNNOptions {
            proj_size: 2,
            ..Default::default()
        },
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(
        err.contains("proj_size argument is only supported for LSTM"),
        "{err}"
    );
    let cell = GRUCell::new(5, 6)?;
    let err = cell
        .forward(
            &x.select(0, 0)?,
            Some(&Tensor::zeros(&[3, 6], TensorOptions::default())?),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("GRUCell") && err.contains("[3, 6]") && err.contains("[2, 6]"),
        "{err}"
    );
    Ok(())
}
