//! Every differentiable op against f64 finite differences (DESIGN R17), on contiguous and on
//! transposed or broadcast inputs, plus second derivatives through `gradgradcheck`.

use torch_core::autograd::{GradcheckOptions, gradcheck, gradgradcheck};
use torch_core::{DType, Generator, Result, Tensor, TensorOptions};

fn f64_opts() -> TensorOptions {
    TensorOptions::default().dtype(DType::F64)
}

/// Seeded inputs in `[lo, hi)`.
fn input(g: &Generator, shape: &[usize], lo: f64, hi: f64) -> Tensor {
    g.uniform(shape, lo, hi, f64_opts()).unwrap()
}

fn check(name: &str, inputs: &[Tensor], f: impl Fn(&[Tensor]) -> Result<Tensor> + Copy) {
    gradcheck(f, inputs, GradcheckOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    gradgradcheck(f, inputs, GradcheckOptions::default())
        .unwrap_or_else(|e| panic!("{name} (second order): {e}"));
}

#[test]
fn unary_ops_backward_match_finite_differences() {
    let g = Generator::new(1);
    let x = input(&g, &[3, 4], 0.2, 0.9);
    // Transposed input: a non-contiguous view.
    let xt = input(&g, &[4, 3], 0.2, 0.9).t().unwrap();
    type Op = fn(&Tensor) -> Result<Tensor>;
    let ops: &[(&str, Op)] = &[
        ("exp", |x| x.exp()),
        ("exp2", |x| x.exp2()),
        ("expm1", |x| x.expm1()),
        ("log", |x| x.log()),
        ("log2", |x| x.log2()),
        ("log10", |x| x.log10()),
        ("log1p", |x| x.log1p()),
        ("sqrt", |x| x.sqrt()),
        ("rsqrt", |x| x.rsqrt()),
        ("reciprocal", |x| x.reciprocal()),
        ("sin", |x| x.sin()),
        ("cos", |x| x.cos()),
        ("tan", |x| x.tan()),
        ("asin", |x| x.asin()),
        ("acos", |x| x.acos()),
        ("atan", |x| x.atan()),
        ("sinh", |x| x.sinh()),
        ("cosh", |x| x.cosh()),
        ("tanh", |x| x.tanh()),
        ("asinh", |x| x.asinh()),
        ("acosh", |x| x.add_scalar(1.5)?.acosh()),
        ("atanh", |x| x.atanh()),
        ("sigmoid", |x| x.sigmoid()),
        ("erf", |x| x.erf()),
        ("erfc", |x| x.erfc()),
        ("silu", |x| x.silu()),
        ("mish", |x| x.mish()),
        ("softplus", |x| x.softplus(2.0, 20.0)),
        ("gelu", |x| x.gelu("none")),
        ("gelu_tanh", |x| x.gelu("tanh")),
        ("elu", |x| x.sub_scalar(0.5)?.elu(1.3)),
        ("leaky_relu", |x| x.sub_scalar(0.5)?.leaky_relu(0.1)),
        ("relu", |x| x.sub_scalar(0.5)?.relu()),
        ("abs", |x| x.sub_scalar(0.5)?.abs()),
        ("neg", |x| x.neg()),
        ("pow_scalar", |x| x.pow_scalar(2.5)),
        ("clamp", |x| x.clamp(Some(0.3), Some(0.7))),
    ];
    for (name, op) in ops {
        for inp in [&x, &xt] {
            let op = *op;
            check(name, std::slice::from_ref(inp), move |xs| op(&xs[0]));
        }
    }
}

#[test]
fn binary_ops_backward_match_finite_differences_with_broadcasting() {
    let g = Generator::new(2);
    let a = input(&g, &[3, 4], 0.5, 1.5);
    let b = input(&g, &[4], 0.5, 1.5); // broadcast along dim 0
    let bt = input(&g, &[4, 3], 0.5, 1.5).t().unwrap();
    type Op = fn(&Tensor, &Tensor) -> Result<Tensor>;
    let ops: &[(&str, Op)] = &[
        ("add", |a, b| a.add(b)),
        ("sub", |a, b| a.sub(b)),
        ("mul", |a, b| a.mul(b)),
        ("div", |a, b| a.div(b)),
        ("pow", |a, b| a.pow(b)),
        ("atan2", |a, b| a.atan2(b)),
        ("maximum", |a, b| a.maximum(b)),
        ("minimum", |a, b| a.minimum(b)),
        ("add_alpha", |a, b| a.add_alpha(b, 0.3)),
        ("lerp", |a, b| a.lerp_scalar(b, 0.3)),
        ("where", |a, b| a.where_cond(&a.gt_scalar(1.0)?, b)),
    ];
    for (name, op) in ops {
        for other in [&b, &bt] {
            let op = *op;
            check(name, &[a.clone(), other.clone()], move |xs| {
                op(&xs[0], &xs[1])
            });
        }
    }
}

#[test]
fn reductions_backward_match_finite_differences() {
    let g = Generator::new(3);
    let x = input(&g, &[3, 4], 0.5, 1.5);
    let xt = input(&g, &[4, 3], 0.5, 1.5).t().unwrap();
    type Op = fn(&Tensor) -> Result<Tensor>;
    let ops: &[(&str, Op)] = &[
        ("sum", |x| x.sum()),
        ("sum_dim", |x| x.sum_dim(&[0], false)),
        ("sum_keepdim", |x| x.sum_dim(&[-1], true)),
        ("mean", |x| x.mean_dim(&[1], false)),
        ("prod", |x| x.prod_dim(&[1], false)),
        ("prod_all", |x| x.prod()),
        ("amax", |x| x.amax(&[1], false)),
        ("amin", |x| x.amin(&[0], true)),
        ("max", |x| x.max()),
        ("max_dim", |x| Ok(x.max_dim(1, false)?.0)),
        ("min_dim", |x| Ok(x.min_dim(0, true)?.0)),
        ("var", |x| x.var_dim(&[1], 1.0, false)),
        ("std", |x| x.std_dim(&[0], 0.0, true)),
        ("norm2", |x| x.norm(2.0, &[1], false)),
        ("norm3", |x| x.norm(3.0, &[], false)),
        ("logsumexp", |x| x.logsumexp(&[1], false)),
        ("softmax", |x| x.softmax(1)),
        ("log_softmax", |x| x.log_softmax(0)),
    ];
    for (name, op) in ops {
        for inp in [&x, &xt] {
            let op = *op;
            check(name, std::slice::from_ref(inp), move |xs| op(&xs[0]));
        }
    }
}

#[test]
fn prod_backward_handles_zeros() {
    // First order with one and with two zeros in a row.
    let x = Tensor::from_vec(vec![0.0f64, 2.0, 3.0, 0.0, 0.0, 4.0], &[2, 3]).unwrap();
    gradcheck(
        |xs| xs[0].prod_dim(&[1], false),
        &[x],
        GradcheckOptions::default(),
    )
    .unwrap();
    // Second order with one zero, two zeros and three zeros in a row, over one dim, two
    // dims and all.
    let x = Tensor::from_vec(
        vec![0.0f64, 2.0, 3.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0],
        &[3, 3],
    )
    .unwrap();
    check("prod_zero", std::slice::from_ref(&x), |xs| {
        xs[0].prod_dim(&[1], false)
    });
    let x3 = x.reshape(&[3, 1, 3]).unwrap();
    check("prod_zero_dims", &[x3], |xs| xs[0].prod_dim(&[0, 2], true));
    let x = Tensor::from_vec(vec![0.0f64, 2.0, 0.0, 1.5], &[2, 2]).unwrap();
    check("prod_zero_all", std::slice::from_ref(&x), |xs| xs[0].prod());
    // The mixed second derivative at two zeros is the product of the rest: d2/dx0 dx2 = 3.
    let x = x.requires_grad_(true).unwrap();
    let opts = torch_core::autograd::GradOptions {
        create_graph: true,
        ..Default::default()
    };
    let g = torch_core::autograd::grad(&[x.prod().unwrap()], std::slice::from_ref(&x), opts)
        .unwrap()[0]
        .clone()
        .unwrap();
    let h0 = torch_core::autograd::grad(
        &[g.reshape(&[-1]).unwrap().select(0, 0).unwrap()],
        &[x],
        Default::default(),
    )
    .unwrap()[0]
        .clone()
        .unwrap();
    assert_eq!(h0.to_vec::<f64>().unwrap(), vec![0.0, 0.0, 3.0, 0.0]);
}

#[test]
fn views_and_indexing_backward_match_finite_differences() {
    let g = Generator::new(4);
    let x = input(&g, &[3, 4], -1.0, 1.0);
    let idx = Tensor::from_vec(vec![2i64, 0, 2], &[3]).unwrap();
    let gidx = Tensor::from_vec(vec![0i64, 3, 1, 1, 2, 0], &[3, 2]).unwrap();
    type Op = fn(&Tensor, &Tensor, &Tensor) -> Result<Tensor>;
    let ops: &[(&str, Op)] = &[
        ("reshape", |x, _, _| x.reshape(&[2, 6])),
        ("permute", |x, _, _| x.permute(&[1, 0])),
        ("transpose_mul", |x, _, _| x.t()?.mul_scalar(2.0)),
        ("expand", |x, _, _| x.unsqueeze(0)?.expand(&[2, 3, 4])),
        ("narrow", |x, _, _| x.narrow(1, 1, 2)),
        ("slice_step", |x, _, _| x.slice(1, Some(0), None, 2)),
        ("select", |x, _, _| x.select(0, -1)),
        ("diagonal", |x, _, _| x.diagonal(1, 0, 1)),
        ("as_strided", |x, _, _| {
            x.contiguous()?.as_strided(&[2, 2], &[1, 2], 1)
        }),
        ("index_select", |x, i, _| x.index_select(0, i)),
        ("gather", |x, _, gi| x.gather(1, gi)),
        ("cat", |x, _, _| Tensor::cat(&[x, &x.mul_scalar(3.0)?], 1)),
        ("stack", |x, _, _| Tensor::stack(&[x, &x.exp()?], 0)),
        ("split", |x, _, _| x.split(3, 1)?[1].mul_scalar(1.0)),
        ("flatten", |x, _, _| x.flatten(0, -1)),
        ("matmul", |x, _, _| x.matmul(&x.t()?)),
        ("matmul_batched", |x, _, _| {
            x.reshape(&[3, 2, 2])?.matmul(&x.reshape(&[3, 2, 2])?)
        }),
        ("matmul_vec", |x, _, _| x.matmul(&x.select(0, 0)?)),
        ("scatter_add", |x, _, gi| {
            x.scatter_add(1, gi, &x.narrow(1, 0, 2)?)
        }),
    ];
    for (name, op) in ops {
        let op = *op;
        check(name, std::slice::from_ref(&x), |xs| op(&xs[0], &idx, &gidx));
    }
}
