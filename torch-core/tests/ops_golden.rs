//! Forward values and gradients against PyTorch goldens made by `scripts/golden/core_ops.py`.

use std::collections::HashMap;

use torch_core::testing::{assert_close, load_golden};
use torch_core::{Result, Tensor};

fn golden() -> HashMap<String, Tensor> {
    load_golden(env!("CARGO_MANIFEST_DIR"), "core_ops").expect("golden file")
}

fn check(g: &HashMap<String, Tensor>, key: &str, actual: Result<Tensor>) {
    torch_core::testing::assert_golden(g, key, actual);
}

#[test]
fn unary_ops_match_torch() {
    let g = golden();
    let (a, p) = (&g["a"], &g["p"]);
    let a3 = a.mul_scalar(3.0).unwrap();
    let cases: Vec<(&str, Result<Tensor>)> = vec![
        ("exp", a.exp()),
        ("log", p.log()),
        ("sqrt", p.sqrt()),
        ("rsqrt", p.rsqrt()),
        ("sin", a.sin()),
        ("cos", a.cos()),
        ("tanh", a.tanh()),
        ("sigmoid", a.sigmoid()),
        ("erf", a.erf()),
        ("gelu", a.gelu("none")),
        ("gelu_tanh", a.gelu("tanh")),
        ("silu", a.silu()),
        ("softplus", a.softplus(2.0, 20.0)),
        ("elu", a.elu(1.3)),
        ("leaky_relu", a.leaky_relu(0.1)),
        ("mish", a.mish()),
        ("relu", a.relu()),
        ("abs", a.abs()),
        ("sign", a.sign()),
        ("floor", a3.floor()),
        ("ceil", a3.ceil()),
        ("round", a3.round()),
        ("trunc", a3.trunc()),
        ("expm1", a.expm1()),
        ("log1p", p.log1p()),
        ("atan", a.atan()),
        ("asinh", a.asinh()),
        ("clamp", a.clamp(Some(-0.5), Some(0.5))),
        ("pow_2_5", p.pow_scalar(2.5)),
        ("reciprocal", p.reciprocal()),
    ];
    for (k, v) in cases {
        check(&g, &format!("unary.{k}"), v);
    }
}

#[test]
fn binary_ops_match_torch() {
    let g = golden();
    let (a, b, p, at) = (&g["a"], &g["b"], &g["p"], &g["at"]);
    let a5 = a.mul_scalar(5.0).unwrap();
    check(&g, "binary.add_bcast", a.add(b));
    check(&g, "binary.mul_t", a.mul(&at.t().unwrap()));
    check(&g, "binary.div", a.div(p));
    check(&g, "binary.pow", p.pow(a));
    check(&g, "binary.atan2", a.atan2(b));
    check(&g, "binary.maximum", a.maximum(b));
    check(&g, "binary.remainder", a5.remainder(p));
    check(&g, "binary.floor_div", a5.div_mode(p, Some("floor")));
    check(&g, "binary.trunc_div", a5.div_mode(p, Some("trunc")));
}

#[test]
fn reductions_match_torch() {
    let g = golden();
    let (a, p, m, at) = (&g["a"], &g["p"], &g["m"], &g["at"]);
    check(&g, "reduce.sum0", a.sum_dim(&[0], false));
    check(&g, "reduce.sum_keep", m.sum_dim(&[0, 2], true));
    check(&g, "reduce.mean1", a.mean_dim(&[1], false));
    check(&g, "reduce.prod1", p.prod_dim(&[1], false));
    check(&g, "reduce.amax", m.amax(&[1, 2], false));
    check(&g, "reduce.argmax1", a.argmax(Some(1), false));
    check(
        &g,
        "reduce.argmin_all",
        a.argmin(None, false).and_then(|t| t.reshape(&[1])),
    );
    check(&g, "reduce.var", m.var_dim(&[1], 1.0, false));
    check(&g, "reduce.std0", a.std_dim(&[0], 0.0, false));
    check(&g, "reduce.logsumexp", m.logsumexp(&[2], false));
    check(&g, "reduce.softmax", m.softmax(-1));
    check(&g, "reduce.log_softmax", m.log_softmax(1));
    check(&g, "reduce.norm", a.norm(3.0, &[1], false));
    check(&g, "reduce.sum_t", at.t().unwrap().sum_dim(&[1], false));
}

#[test]
fn matmul_matches_torch() {
    let g = golden();
    let (a, b, m, at) = (&g["a"], &g["b"], &g["m"], &g["at"]);
    check(&g, "linalg.matmul", a.matmul(at));
    check(&g, "linalg.batched", m.matmul(at));
    check(&g, "linalg.mv", a.matmul(b));
    check(&g, "linalg.bmm_t", m.bmm(&m.transpose(1, 2).unwrap()));
}

#[test]
fn integer_semantics_match_torch() {
    let g = golden();
    let (a, b) = (&g["int.a"], &g["int.b"]);
    check(&g, "int.floor_div", a.div_mode(b, Some("floor")));
    check(&g, "int.trunc_div", a.div_mode(b, Some("trunc")));
    check(&g, "int.remainder", a.remainder(b));
    check(&g, "int.true_div", a.div(b));
    check(&g, "int.sum", a.sum().and_then(|t| t.reshape(&[1])));
}

#[test]
fn composite_gradients_match_torch() {
    let g = golden();
    let x = g["a"].deep_clone().unwrap().requires_grad_(true).unwrap();
    let y = g["b"].deep_clone().unwrap().requires_grad_(true).unwrap();
    let z = (|| -> Result<Tensor> {
        let s = x
            .mul(&y)?
            .sin()?
            .add(&x.exp()?.div(&y.mul(&y)?.add_scalar(1.0)?)?)?;
        s.softmax(1)?
            .log()?
            .sum()?
            .add(&x.matmul(&x.t()?)?.tanh()?.mean()?)
    })()
    .unwrap();
    z.backward().unwrap();
    check(&g, "grad.z", z.detach().reshape(&[1]));
    check(&g, "grad.x", Ok(x.grad().unwrap()));
    check(&g, "grad.y", Ok(y.grad().unwrap()));
}

#[test]
fn fused_softmax_equals_composite() {
    let x = torch_core::Generator::new(5)
        .randn(&[6, 33], torch_core::TensorOptions::default())
        .unwrap();
    let composite_log = x.sub(&x.logsumexp(&[-1], true).unwrap()).unwrap();
    assert_close(&x.log_softmax(-1).unwrap(), &composite_log);
    assert_close(&x.softmax(-1).unwrap(), &composite_log.exp().unwrap());
    // A row of -inf gives NaN on both paths, as in PyTorch.
    let inf = Tensor::full(&[1, 4], f64::NEG_INFINITY, Default::default()).unwrap();
    let fused = inf.softmax(-1).unwrap().to_vec::<f32>().unwrap();
    let comp = inf
        .t()
        .unwrap()
        .softmax(0)
        .unwrap()
        .to_vec::<f32>()
        .unwrap();
    assert!(fused.iter().chain(&comp).all(|v| v.is_nan()));
}
