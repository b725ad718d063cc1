//! Indexing, joining, rearranging, scans, sorting and einsum against PyTorch goldens made by
//! `scripts/golden/core_index.py`, and their gradients against finite differences.

use std::collections::HashMap;

use torch_core::autograd::{GradcheckOptions, gradcheck, gradgradcheck};
use torch_core::ops::index::{Ellipsis, NewAxis, Step};
use torch_core::testing::{assert_close, load_golden};
use torch_core::{Result, Tensor};

fn golden() -> HashMap<String, Tensor> {
    load_golden(env!("CARGO_MANIFEST_DIR"), "core_index").expect("golden file")
}

fn check(g: &HashMap<String, Tensor>, key: &str, actual: Result<Tensor>) {
    torch_core::testing::assert_golden(g, key, actual);
}

#[test]
fn indexing_matches_torch() {
    let g = golden();
    let x = &g["x"];
    check(&g, "i.basic", x.i((1, 1..3, Step(.., 2))));
    check(&g, "i.newaxis", x.i((.., NewAxis, 2)));
    check(&g, "i.ellipsis", x.i((Ellipsis, 1)));
    check(&g, "i.neg", x.i((-1, -2..)));
    check(&g, "i.adv_first", x.i(&g["idx.rows"]));
    check(&g, "i.adv_mid", x.i((.., &g["idx.cols"])));
    check(
        &g,
        "i.adv_two_adjacent",
        x.i((.., Tensor::new([0i64, 3]), Tensor::new([1i64, 4]))),
    );
    check(
        &g,
        "i.adv_separated",
        x.i((Tensor::new([0i64, 2]), .., Tensor::new([1i64, 4]))),
    );
    check(&g, "i.bool", x.i(&g["idx.mask"]));
    check(
        &g,
        "masked_select",
        x.masked_select(&x.gt_scalar(0.5).unwrap()),
    );
    check(&g, "nonzero", g["m"].gt_scalar(0.0).unwrap().nonzero());
    let (i0, i1, vals) = (&g["put.i0"], &g["put.i1"], &g["put.vals"]);
    // PyTorch's index_put without accumulate keeps the last write for duplicates; the
    // golden indices repeat (0, 1), so compare the accumulate form exactly and the plain
    // form at the unique position.
    check(&g, "index_put_acc", x.index_put(&[i0, i1], vals, true));
    let plain = x.index_put(&[i0, i1], vals, false).unwrap();
    assert_close(
        &plain.i((2, 1)).unwrap(),
        &g["index_put"].i((2, 1)).unwrap(),
    );
    assert_close(
        &plain.i((1, ..)).unwrap(),
        &g["index_put"].i((1, ..)).unwrap(),
    );
}

#[test]
fn joining_and_scatter_match_torch() {
    let g = golden();
    let (x, m, gi) = (&g["x"], &g["m"], &g["gi"]);
    check(
        &g,
        "cat1",
        Tensor::cat(&[x, &x.mul_scalar(2.0).unwrap()], 1),
    );
    check(&g, "stack", Tensor::stack(&[m, &m.t().unwrap()], 2));
    check(&g, "gather", m.gather(1, gi));
    let z = m.zeros_like().unwrap();
    check(&g, "scatter_add", z.scatter_add(1, gi, m));
    check(
        &g,
        "index_add",
        m.index_add(
            0,
            &Tensor::new([1i64, 1, 0, 3]),
            &m.mul_scalar(10.0).unwrap(),
        ),
    );
    // scatter with duplicate targets is order-dependent in PyTorch too: compare the rows that
    // receive a single write (column 3 gets rows 1 and 3 of gi: indices 0 and 3).
    let s = z.scatter(0, gi, m).unwrap();
    assert_close(&s.i((.., 0)).unwrap(), &g["scatter"].i((.., 0)).unwrap());
}

#[test]
fn rearranging_matches_torch() {
    let g = golden();
    let (x, m, v) = (&g["x"], &g["m"], &g["v"]);
    check(&g, "flip", x.flip(&[0, 2]));
    check(&g, "roll", x.roll(&[1, -2], &[0, 2]));
    check(&g, "roll_flat", m.roll(&[3], &[]));
    check(&g, "repeat", m.repeat(&[2, 1, 3]));
    check(&g, "tile", v.tile(&[2, 2]));
    check(&g, "repeat_interleave", m.repeat_interleave(2, Some(1)));
    check(
        &g,
        "repeat_interleave_t",
        m.repeat_interleave_tensor(&Tensor::new([1i64, 0, 2, 1]), 0),
    );
    check(&g, "tril", m.tril(-1));
    check(&g, "triu", x.triu(1));
    check(&g, "one_hot", g["labels"].one_hot(Some(5)));
    let a = Tensor::new([0.0f64, 1.0, 2.0]);
    let b = Tensor::new([0.0f64, 1.0]);
    let mg = Tensor::meshgrid(&[&a, &b], "xy").unwrap();
    check(&g, "meshgrid_x", Ok(mg[0].clone()));
    check(&g, "meshgrid_y", Ok(mg[1].clone()));
    check(&g, "pad.constant", x.pad(&[2, 1, 1, 2], "constant", 0.5));
    for mode in ["reflect", "replicate", "circular"] {
        check(&g, &format!("pad.{mode}"), x.pad(&[2, 1, 1, 2], mode, 0.0));
    }
    check(&g, "pad.crop", x.pad(&[-1, 2], "constant", 0.0));
}

#[test]
fn scans_and_sorting_match_torch() {
    let g = golden();
    let x = &g["x"];
    check(&g, "cumsum", x.cumsum(1));
    check(&g, "cumprod", x.cumprod(2));
    let d = &g["dup"];
    let (s, i) = d.sort(0, false).unwrap();
    check(&g, "sort.v", Ok(s));
    check(&g, "sort.i", Ok(i));
    let (s, i) = d.sort(0, true).unwrap();
    check(&g, "sortd.v", Ok(s));
    check(&g, "sortd.i", Ok(i));
    let (t, ti) = x.topk(2, 1, true).unwrap();
    check(&g, "topk.v", Ok(t));
    check(&g, "topk.i", Ok(ti));
    let (t, ti) = x.topk(3, -1, false).unwrap();
    check(&g, "topk_small.v", Ok(t));
    check(&g, "topk_small.i", Ok(ti));
    let (u, inv, cnt) = g["ints"].unique().unwrap();
    check(&g, "unique.u", Ok(u));
    check(&g, "unique.inv", Ok(inv));
    check(&g, "unique.cnt", Ok(cnt));
}

#[test]
fn einsum_matches_torch() {
    let g = golden();
    let (a, b, c, m, v) = (&g["ea"], &g["eb"], &g["ec"], &g["m"], &g["v"]);
    check(&g, "einsum.bmm", Tensor::einsum("bij,bjk->bik", &[a, b]));
    check(
        &g,
        "einsum.trace",
        Tensor::einsum("ii", &[m]).and_then(|t| t.reshape(&[1])),
    );
    check(&g, "einsum.diag", Tensor::einsum("ii->i", &[m]));
    check(
        &g,
        "einsum.outer",
        Tensor::einsum("i,j->ij", &[v, &v.narrow(0, 0, 4).unwrap()]),
    );
    check(&g, "einsum.ellipsis", Tensor::einsum("...ij->...ji", &[a]));
    check(&g, "einsum.implicit", Tensor::einsum("bij,bjk", &[a, b]));
    check(&g, "einsum.sum", Tensor::einsum("bij->j", &[a]));
    check(
        &g,
        "einsum.three",
        Tensor::einsum("bij,bjk,bkl->bil", &[a, b, c]),
    );
}

#[test]
fn index_ops_backward_match_finite_differences() {
    let x = Tensor::from_vec(
        (0..24)
            .map(|i| (i as f64 * 0.37).sin() + 0.1 * i as f64)
            .collect(),
        &[2, 3, 4],
    )
    .unwrap();
    type Op = fn(&Tensor) -> Result<Tensor>;
    let ops: &[(&str, Op)] = &[
        ("i_basic", |x| x.i((1, Step(0..3, 2), ..))),
        ("i_adv", |x| x.i((.., Tensor::new([2i64, 0, 2])))),
        ("i_bool", |x| x.i(&x.gt_scalar(0.5)?)),
        ("index_put", |x| {
            x.index_put(
                &[&Tensor::new([0i64, 1, 0])],
                &x.i(0)?.mul_scalar(2.0)?.narrow(0, 0, 1)?,
                true,
            )
        }),
        ("flip", |x| x.flip(&[1, 2])),
        ("roll", |x| x.roll(&[1], &[2])),
        ("repeat", |x| x.repeat(&[2, 1, 1])),
        ("tril", |x| x.tril(0)),
        ("pad_reflect", |x| x.pad(&[2, 1], "reflect", 0.0)),
        ("pad_constant", |x| x.pad(&[1, 2, 1, 0], "constant", 3.0)),
        ("cumsum", |x| x.cumsum(2)),
        ("cumprod", |x| x.cumprod(1)),
        ("sort", |x| Ok(x.sort(2, false)?.0)),
        ("topk", |x| Ok(x.topk(2, 1, true)?.0)),
        ("masked_select", |x| x.masked_select(&x.lt_scalar(0.8)?)),
        ("einsum", |x| {
            Tensor::einsum("bij,bkj->bik", &[x, &x.exp()?])
        }),
    ];
    for (name, op) in ops {
        let op = *op;
        gradcheck(
            |xs| op(&xs[0]),
            std::slice::from_ref(&x),
            GradcheckOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        gradgradcheck(
            |xs| op(&xs[0]),
            std::slice::from_ref(&x),
            GradcheckOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{name} (2nd): {e}"));
    }
}

#[test]
fn cumprod_backward_handles_zeros() {
    let x = Tensor::from_vec(vec![2.0f64, 0.0, 3.0, 0.5, 1.5, 0.0, 0.0, 2.0], &[2, 4]).unwrap();
    gradcheck(|xs| xs[0].cumprod(1), &[x], GradcheckOptions::default()).unwrap();
}
