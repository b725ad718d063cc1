//! Forward values against PyTorch goldens made by `scripts/golden/core_ops_extra.py`: special
//! values, logic and comparisons, movement ops, more unary ops, every matmul rule (f16/bf16
//! included), einsum with ellipses, zero-size and 0-d inputs, and complex64 arithmetic.

use std::collections::HashMap;

use torch_core::testing::{assert_golden, load_golden};
use torch_core::{DType, Result, Tensor};

fn golden() -> HashMap<String, Tensor> {
    load_golden(env!("CARGO_MANIFEST_DIR"), "core_ops_extra").expect("golden file")
}

fn check(g: &HashMap<String, Tensor>, key: &str, actual: Result<Tensor>) {
    assert_golden(g, key, actual);
}

/// Checks each piece of a split against `{key}.{i}`, and that there are no extra pieces.
fn check_pieces(g: &HashMap<String, Tensor>, key: &str, pieces: Result<Vec<Tensor>>) {
    let pieces = pieces.unwrap();
    for (i, t) in pieces.iter().enumerate() {
        check(g, &format!("{key}.{i}"), Ok(t.clone()));
    }
    assert!(!g.contains_key(&format!("{key}.{}", pieces.len())), "{key}");
}

#[test]
fn special_values_match_torch() {
    let g = golden();
    let s = &g["special.x"];
    check(&g, "special.nan_to_num", s.nan_to_num(0.0, None, None));
    check(
        &g,
        "special.nan_to_num_explicit",
        s.nan_to_num(7.0, Some(100.0), Some(-50.0)),
    );
    let s64 = s.to_dtype(DType::F64).unwrap();
    check(
        &g,
        "special.nan_to_num_f64",
        s64.nan_to_num(-1.0, None, None),
    );
    check(&g, "special.isnan", s.isnan());
    check(&g, "special.isinf", s.isinf());
    check(&g, "special.isfinite", s.isfinite());
}

#[test]
fn comparisons_and_logic_match_torch() {
    let g = golden();
    let (a, b) = (&g["cmp.a"], &g["cmp.b"]);
    type Cmp = fn(&Tensor, &Tensor) -> Result<Tensor>;
    type CmpScalar = fn(&Tensor, f64) -> Result<Tensor>;
    let ops: [(&str, Cmp, CmpScalar); 6] = [
        ("eq", Tensor::eq, |x, s| x.eq_scalar(s)),
        ("ne", Tensor::ne, |x, s| x.ne_scalar(s)),
        ("lt", Tensor::lt, |x, s| x.lt_scalar(s)),
        ("le", Tensor::le, |x, s| x.le_scalar(s)),
        ("gt", Tensor::gt, |x, s| x.gt_scalar(s)),
        ("ge", Tensor::ge, |x, s| x.ge_scalar(s)),
    ];
    for (name, op, op_scalar) in ops {
        check(&g, &format!("cmp.{name}"), op(a, b));
        check(&g, &format!("cmp.{name}_scalar"), op_scalar(a, 1.0));
    }
    // An integer tensor against a float scalar compares as float.
    check(&g, "cmp.int_lt_2_5", g["cmp.int"].lt_scalar(2.5));
    check(&g, "logic.logical_and", a.logical_and(b));
    check(&g, "logic.logical_or", a.logical_or(b));
    check(&g, "logic.logical_xor", a.logical_xor(b));
    check(&g, "logic.not", a.logical_not());
    let bm = &g["logic.bm"];
    check(&g, "logic.all", bm.all());
    check(&g, "logic.any", bm.any());
    check(&g, "logic.all0", bm.all_dim(&[0], false));
    check(&g, "logic.all1_keep", bm.all_dim(&[1], true));
    check(&g, "logic.any1", a.any_dim(&[1], false));
    check(&g, "logic.all_float", a.all_dim(&[0], false));
}

#[test]
fn masking_sorting_and_splitting_match_torch() {
    let g = golden();
    let (a, m) = (&g["a"], &g["m"]);
    check(
        &g,
        "misc.masked_fill",
        a.masked_fill(&a.gt_scalar(0.0).unwrap(), -1.0),
    );
    check(&g, "misc.argsort1", a.argsort(1, false));
    check(&g, "misc.argsort0_desc", a.argsort(0, true));
    let c = a.deep_clone().unwrap();
    c.clamp_(Some(-0.5), Some(0.5)).unwrap();
    check(&g, "misc.clamp_", Ok(c));
    let c = a.deep_clone().unwrap();
    c.clamp_(Some(0.1), None).unwrap();
    check(&g, "misc.clamp_min_", Ok(c));
    check_pieces(&g, "misc.unbind1", m.unbind(1));
    check_pieces(&g, "misc.chunk3", g["misc.r"].chunk(3, 0));
    check_pieces(&g, "misc.chunk4", g["misc.r6"].chunk(4, 0));
    check(&g, "misc.unflatten", a.unflatten(1, &[2, -1]));
    let (ci, bm) = (&g["cmp.int"], &g["logic.bm"]);
    let h = a.to_dtype(DType::F16).unwrap();
    check(&g, "misc.ones_like_i64", ci.ones_like());
    check(&g, "misc.ones_like_f16", h.ones_like());
    check(&g, "misc.ones_like_bool", bm.ones_like());
    // empty_like: only shape and dtype are defined.
    for (x, key) in [
        (ci, "misc.ones_like_i64"),
        (&h, "misc.ones_like_f16"),
        (bm, "misc.ones_like_bool"),
    ] {
        let e = x.empty_like().unwrap();
        assert_eq!((e.shape(), e.dtype()), (g[key].shape(), g[key].dtype()));
    }
}

#[test]
fn more_unary_ops_match_torch() {
    let g = golden();
    let (a, p, u) = (&g["a"], &g["p"], &g["u"]);
    let cases: Vec<(&str, Result<Tensor>)> = vec![
        ("exp2", a.exp2()),
        ("log2", p.log2()),
        ("log10", p.log10()),
        ("tan", a.tan()),
        ("asin", u.asin()),
        ("acos", u.acos()),
        ("sinh", a.sinh()),
        ("cosh", a.cosh()),
        ("acosh", p.add_scalar(1.0).unwrap().acosh()),
        ("atanh", u.atanh()),
    ];
    for (k, v) in cases {
        check(&g, &format!("unary.{k}"), v);
    }
}

#[test]
fn selection_extrema_and_views_match_torch() {
    let g = golden();
    let (a, b, p, u, m) = (&g["a"], &g["b"], &g["p"], &g["u"], &g["m"]);
    check(&g, "op.lerp_scalar", a.lerp_scalar(p, 0.3));
    check(&g, "op.lerp_tensor", a.lerp(b, u));
    check(
        &g,
        "op.where",
        a.where_cond(&a.gt(b).unwrap(), &b.mul_scalar(2.0).unwrap()),
    );
    check(&g, "op.minimum", a.minimum(b));
    check(&g, "op.amin", m.amin(&[0, 2], false));
    check(&g, "op.amin_keep", m.amin(&[1], true));
    let (v, i) = m.max_dim(1, false).unwrap();
    check(&g, "op.max1.values", Ok(v));
    check(&g, "op.max1.indices", Ok(i));
    let (v, i) = a.min_dim(0, true).unwrap();
    check(&g, "op.min0_keep.values", Ok(v));
    check(&g, "op.min0_keep.indices", Ok(i));
    let col = &g["view.col"];
    check(&g, "view.expand", col.expand(&[2, 3, 4]));
    check(&g, "view.expand", col.expand(&[2, -1, 4]));
    check(&g, "view.flatten01", m.flatten(0, 1));
    check(&g, "view.flatten_t", a.t().unwrap().flatten(0, -1));
    check(&g, "view.as_strided", a.as_strided(&[3, 3], &[1, 4], 1));
    check(
        &g,
        "view.as_strided_overlap",
        a.as_strided(&[4, 3], &[2, 1], 0),
    );
}

#[test]
fn matmul_rules_match_torch() {
    let g = golden();
    let (a, m) = (&g["a"], &g["m"]);
    let (v3, v4, w4) = (&g["mm.v3"], &g["mm.v4"], &g["mm.w4"]);
    check(&g, "mm.1d_1d", v4.matmul(w4));
    check(&g, "mm.1d_2d", v3.matmul(a));
    check(&g, "mm.2d_1d", a.matmul(v4));
    check(&g, "mm.1d_3d", v3.matmul(m));
    check(&g, "mm.3d_1d", m.matmul(v4));
    check(&g, "mm.bcast", g["mm.x4"].matmul(&g["mm.y3"]));
    check(&g, "mm.mv", a.mv(v4));
    check(&g, "mm.dot", v4.dot(w4));
    check(&g, "mm.outer", v3.outer(v4));
}

#[test]
fn half_precision_matmul_matches_torch() {
    let g = golden();
    for name in ["f16", "bf16"] {
        let (x, y) = (&g[&format!("mm.{name}.a")], &g[&format!("mm.{name}.b")]);
        // Compared exactly widened, with torch.testing's tolerances for the half dtype
        // (rtol about one unit in the last place).
        check(&g, &format!("mm.{name}"), x.matmul(y));
    }
}

#[test]
fn einsum_broadcasts_ellipses_and_takes_diagonals() {
    let g = golden();
    let (x, y, sq) = (&g["einsum.x"], &g["einsum.y"], &g["einsum.sq"]);
    check(
        &g,
        "einsum.ellipsis",
        Tensor::einsum("...ij,...jk->...ik", &[x, y]),
    );
    let (xt, yt) = (x.transpose(-1, -2).unwrap(), y.transpose(-1, -2).unwrap());
    check(
        &g,
        "einsum.ellipsis_rev",
        Tensor::einsum("...ij,...jk->...ik", &[&yt, &xt]),
    );
    check(&g, "einsum.diag", Tensor::einsum("ii->i", &[sq]));
    check(&g, "einsum.trace", Tensor::einsum("ii", &[sq]));
}

#[test]
fn zero_size_and_scalar_inputs_match_torch() {
    let g = golden();
    let f64s = torch_core::TensorOptions::default().dtype(DType::F64);
    let zeros = |shape: &[usize]| Tensor::zeros(shape, f64s).unwrap();
    let a = &g["a"];
    check(&g, "zero.mm_0x3", zeros(&[0, 3]).matmul(&g["zero.w32"]));
    check(&g, "zero.mm_2x0", zeros(&[2, 0]).matmul(&zeros(&[0, 3])));
    check(&g, "zero.cat", Tensor::cat(&[a, &zeros(&[0, 4])], 0));
    // A 1-D empty tensor is skipped, as in PyTorch's legacy rule.
    check(&g, "zero.cat_legacy", Tensor::cat(&[&zeros(&[0]), a], 0));
    check(&g, "zero.softmax", zeros(&[0, 4]).softmax(-1));
    let (v, i) = zeros(&[0]).sort(-1, false).unwrap();
    check(&g, "zero.sort.values", Ok(v));
    check(&g, "zero.sort.indices", Ok(i));
    let s = &g["zero.scalar"];
    check(&g, "zero.scalar_sum", s.sum());
    check(&g, "zero.scalar_mean", s.mean());
    check(&g, "zero.scalar_amax", s.amax(&[], false));
    check(&g, "zero.empty_mean", zeros(&[0]).mean());
    // PyTorch: "amax(): Expected reduction dim to be specified for input.numel() == 0."
    assert!(zeros(&[0]).amax(&[], false).is_err());
    assert!(zeros(&[0, 3]).amax(&[0], false).is_err());
}

#[test]
fn complex64_arithmetic_matches_torch() {
    let g = golden();
    let (z1, z2, z3) = (&g["cplx.z1"], &g["cplx.z2"], &g["cplx.z3"]);
    assert_eq!(z1.dtype(), DType::C64);
    check(&g, "cplx.add", z1.add(z2));
    check(&g, "cplx.sub", z1.sub(z3));
    check(&g, "cplx.div", z1.div(z2));
    check(&g, "cplx.div_bcast", z1.div(z3));
}
