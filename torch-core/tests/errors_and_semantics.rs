//! Bad input gives named errors (never a panic or a wrong answer); dtype promotion,
//! printing, random reproducibility, views and zero-size/0-d tensors behave as in PyTorch.

use proptest::prelude::*;
use torch_core::{DType, Device, Error, Generator, Tensor, TensorOptions};

fn f32s(shape: &[usize]) -> Tensor {
    let n: usize = shape.iter().product();
    Tensor::from_vec((0..n).map(|i| i as f32).collect(), shape).unwrap()
}

#[test]
fn broadcast_mismatch_names_op_and_shapes() {
    let err = f32s(&[2, 3]).add(&f32s(&[4])).unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { op: "add", .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("[2, 3]") && msg.contains("[4]") && msg.starts_with("add"),
        "{msg}"
    );
}

#[test]
fn matmul_mismatch_names_op_and_shapes() {
    let msg = f32s(&[2, 3])
        .matmul(&f32s(&[4, 5]))
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with("matmul") && msg.contains("[2, 3]") && msg.contains("[4, 5]"),
        "{msg}"
    );
    let msg = f32s(&[2, 3, 4])
        .bmm(&f32s(&[3, 4, 5]))
        .unwrap_err()
        .to_string();
    assert!(msg.starts_with("bmm"), "{msg}");
}

#[test]
fn dims_and_indices_out_of_range_name_the_range() {
    let msg = f32s(&[2, 3]).sum_dim(&[2], false).unwrap_err().to_string();
    assert!(
        msg.contains("expected to be in range of [-2, 1], but got 2"),
        "{msg}"
    );
    let msg = f32s(&[2, 3]).select(1, 5).unwrap_err().to_string();
    assert!(
        msg.contains("index 5 is out of bounds for dimension 1 with size 3"),
        "{msg}"
    );
    let msg = f32s(&[3])
        .index_select(0, &Tensor::new([0i64, 7]))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("index 7 is out of bounds"), "{msg}");
}

#[test]
fn unsupported_dtypes_name_op_and_dtype() {
    let c = Tensor::new([num_complex::Complex32::new(1.0, 2.0)]);
    let msg = c.amax(&[], false).unwrap_err().to_string();
    assert!(msg.contains("amax") && msg.contains("C64"), "{msg}");
    let msg = Tensor::new([true])
        .matmul(&Tensor::new([true]))
        .unwrap_err()
        .to_string();
    assert!(msg.contains("matmul") && msg.contains("Bool"), "{msg}");
    let msg = Tensor::new([1i64, 2]).mean().unwrap_err().to_string();
    assert!(msg.contains("mean") && msg.contains("I64"), "{msg}");
    // torch.norm refuses integer tensors (it does not promote them).
    let msg = Tensor::new([3i64, 4])
        .norm(2.0, &[], false)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("norm") && msg.contains("I64"), "{msg}");
}

#[test]
fn view_that_strides_forbid_is_an_error_but_reshape_copies() {
    let t = f32s(&[2, 3]).t().unwrap();
    let msg = t.view(&[6]).unwrap_err().to_string();
    assert!(msg.contains("view size is not compatible"), "{msg}");
    let r = t.reshape(&[6]).unwrap();
    assert_eq!(
        r.to_vec::<f32>().unwrap(),
        vec![0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    );
    // A contiguous reshape is a view sharing storage.
    let x = f32s(&[2, 3]);
    assert!(x.reshape(&[3, 2]).unwrap().shares_storage(&x));
    assert!(!r.shares_storage(&t));
}

#[test]
fn cuda_device_is_a_clear_error() {
    let msg = Tensor::zeros(&[2], TensorOptions::default().device(Device::Cuda(0)))
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("CUDA is not available") && msg.contains("cuda:0"),
        "{msg}"
    );
}

#[test]
fn type_promotion_follows_torch() {
    let i = Tensor::new([1i64, 2]);
    let f = Tensor::new([0.5f32, 1.5]);
    assert_eq!(i.add(&f).unwrap().dtype(), DType::F32);
    assert_eq!(i.mul_scalar(2).unwrap().dtype(), DType::I64);
    assert_eq!(i.mul_scalar(2.0).unwrap().dtype(), DType::F32);
    assert_eq!(i.div(&i).unwrap().dtype(), DType::F32);
    let h = Tensor::new([1.0f32]).to_dtype(DType::F16).unwrap();
    assert_eq!(h.add_scalar(1.5).unwrap().dtype(), DType::F16);
    // A 0-d f64 tensor does not lift an f32 tensor.
    assert_eq!(f.add(&Tensor::scalar(1.0f64)).unwrap().dtype(), DType::F32);
    assert_eq!(
        Tensor::new([true])
            .add(&Tensor::new([3u8]))
            .unwrap()
            .dtype(),
        DType::U8
    );
    assert_eq!(
        Tensor::new([1u8]).add(&Tensor::new([1i8])).unwrap().dtype(),
        DType::I16
    );
    let msg = i.clone().add_scalar_(0.5).unwrap_err().to_string();
    assert!(
        msg.contains("can't be cast to the desired output type"),
        "{msg}"
    );
    // In place, a result of a higher dtype of the same category is cast down, as in PyTorch:
    // f32 += f64 stays f32; a float result into an int tensor or an int into bool is refused.
    let x = Tensor::new([1.5f32, 2.0]);
    x.add_(&Tensor::new([0.25f64, 1.0])).unwrap();
    assert_eq!(x.dtype(), DType::F32);
    assert_eq!(x.to_vec::<f32>().unwrap(), vec![1.75, 3.0]);
    assert!(Tensor::new([1i64]).add_(&Tensor::new([0.5f32])).is_err());
    assert!(Tensor::new([true]).add_(&Tensor::new([1u8])).is_err());
    assert!(torch_core::can_cast(DType::F64, DType::F16));
    assert!(!torch_core::can_cast(DType::C64, DType::F64));
    assert!(!torch_core::can_cast(DType::I32, DType::Bool));
}

#[test]
fn half_and_complex_arithmetic() {
    let h = Tensor::new([1.5f32, -2.25]).to_dtype(DType::BF16).unwrap();
    let r = h
        .mul(&h)
        .unwrap()
        .exp()
        .unwrap()
        .to_dtype(DType::F32)
        .unwrap()
        .to_vec::<f32>()
        .unwrap();
    assert!(
        (r[0] - 9.5).abs() < 0.1 && (r[1] - 158.0).abs() < 2.0,
        "{r:?}"
    );
    let mm = h
        .unsqueeze(0)
        .unwrap()
        .matmul(&h.unsqueeze(1).unwrap())
        .unwrap();
    assert_eq!(mm.dtype(), DType::BF16);
    assert_eq!(mm.to_dtype(DType::F32).unwrap().item().unwrap(), 7.3125);
    use num_complex::Complex32 as C;
    let a = Tensor::new([C::new(1.0, 2.0), C::new(0.0, -1.0)]);
    let b = Tensor::new([C::new(3.0, -1.0), C::new(2.0, 2.0)]);
    assert_eq!(
        a.mul(&b).unwrap().to_vec::<C>().unwrap(),
        vec![C::new(5.0, 5.0), C::new(2.0, -2.0)]
    );
    assert_eq!(a.abs().unwrap().to_vec::<f32>().unwrap()[0], 5f32.sqrt());
    assert_eq!(
        a.conj().unwrap().to_vec::<C>().unwrap()[0],
        C::new(1.0, -2.0)
    );
}

#[test]
fn zero_size_and_zero_dim_tensors() {
    let e = Tensor::zeros(&[2, 0, 3], TensorOptions::default()).unwrap();
    assert_eq!(
        e.sum_dim(&[1], false).unwrap().to_vec::<f32>().unwrap(),
        vec![0.0; 6]
    );
    assert_eq!(e.sum().unwrap().item().unwrap(), 0.0);
    assert_eq!(
        e.prod_dim(&[1], false).unwrap().to_vec::<f32>().unwrap(),
        vec![1.0; 6]
    );
    assert!(e.max().is_err());
    assert_eq!(e.exp().unwrap().shape(), &[2, 0, 3]);
    assert_eq!(e.t_contiguous_shape(), vec![3, 0, 2]);
    let s = Tensor::scalar(3.0f32);
    assert_eq!(s.dim(), 0);
    assert_eq!(
        s.mul(&f32s(&[2])).unwrap().to_vec::<f32>().unwrap(),
        vec![0.0, 3.0]
    );
    assert_eq!(s.sum_dim(&[0], false).unwrap().item().unwrap(), 3.0);
    assert_eq!(s.unsqueeze(0).unwrap().shape(), &[1]);
    assert!(s.item().is_ok() && f32s(&[2]).item().is_err());
}

trait TShape {
    fn t_contiguous_shape(&self) -> Vec<usize>;
}
impl TShape for Tensor {
    fn t_contiguous_shape(&self) -> Vec<usize> {
        self.permute(&[2, 1, 0])
            .unwrap()
            .contiguous()
            .unwrap()
            .shape()
            .to_vec()
    }
}

#[test]
fn printing_matches_torch() {
    assert_eq!(
        Tensor::new([[1.0f32, 2.0], [3.0, 4.0]]).to_string(),
        "tensor([[1., 2.],\n        [3., 4.]])"
    );
    assert_eq!(
        Tensor::new([1.5f32, -2.25]).to_string(),
        "tensor([ 1.5000, -2.2500])"
    );
    assert_eq!(Tensor::new([1i64, 20]).to_string(), "tensor([ 1, 20])");
    assert_eq!(
        Tensor::new([true, false]).to_string(),
        "tensor([ True, False])"
    );
    assert_eq!(
        Tensor::new([0.5f64]).to_string(),
        "tensor([0.5000], dtype=torch.float64)"
    );
    assert_eq!(
        Tensor::new([1e-5f32, 1.0]).to_string(),
        "tensor([1.0000e-05, 1.0000e+00])"
    );
    assert_eq!(Tensor::scalar(2.5f32).to_string(), "tensor(2.5000)");
    let big = Tensor::arange(0.0, 2000.0, 1.0, TensorOptions::default()).unwrap();
    assert_eq!(
        big.to_string(),
        "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"
    );
    let g = Tensor::new([1.0f32]).requires_grad_(true).unwrap();
    assert_eq!(g.to_string(), "tensor([1.], requires_grad=True)");
    assert_eq!(
        g.mul_scalar(2.0).unwrap().to_string(),
        "tensor([2.], grad_fn=<MulBackward0>)"
    );
}

#[test]
fn seeded_generators_reproduce_and_have_the_right_moments() {
    let a = Generator::new(42)
        .randn(&[10000], TensorOptions::default())
        .unwrap();
    let b = Generator::new(42)
        .randn(&[10000], TensorOptions::default())
        .unwrap();
    assert_eq!(a.to_vec::<f32>().unwrap(), b.to_vec::<f32>().unwrap());
    let mean = a.mean().unwrap().item().unwrap();
    let std = a.std().unwrap().item().unwrap();
    assert!(
        mean.abs() < 0.03 && (std - 1.0).abs() < 0.03,
        "{mean} {std}"
    );
    let u = Generator::new(7)
        .rand(&[10000], TensorOptions::default())
        .unwrap();
    assert!(u.min().unwrap().item().unwrap() >= 0.0 && u.max().unwrap().item().unwrap() < 1.0);
    let r = Generator::new(7)
        .randint(-3, 4, &[1000], TensorOptions::default())
        .unwrap()
        .to_vec::<i64>()
        .unwrap();
    assert!(r.iter().all(|v| (-3..4).contains(v)) && r.contains(&-3) && r.contains(&3));
    let mut p = Generator::new(1)
        .randperm(50, TensorOptions::default())
        .unwrap()
        .to_vec::<i64>()
        .unwrap();
    p.sort();
    assert_eq!(p, (0..50).collect::<Vec<_>>());
    let probs = Tensor::new([0.0f32, 1.0, 0.0]);
    assert_eq!(
        Generator::new(3)
            .multinomial(&probs, 4, true)
            .unwrap()
            .to_vec::<i64>()
            .unwrap(),
        vec![1; 4]
    );
    let bern = Generator::new(5)
        .bernoulli(&Tensor::full(&[4000], 0.25, TensorOptions::default()).unwrap())
        .unwrap();
    assert!((bern.mean().unwrap().item().unwrap() - 0.25).abs() < 0.03);
    torch_core::manual_seed(9);
    let x = Tensor::rand(&[5], TensorOptions::default()).unwrap();
    torch_core::manual_seed(9);
    assert_eq!(
        x.to_vec::<f32>().unwrap(),
        Tensor::rand(&[5], TensorOptions::default())
            .unwrap()
            .to_vec::<f32>()
            .unwrap()
    );
    // randint_like keeps the shape and dtype.
    let like = Tensor::zeros(&[2, 300], TensorOptions::default().dtype(DType::I32))
        .unwrap()
        .randint_like(0, 3)
        .unwrap();
    assert_eq!(
        (like.shape(), like.dtype()),
        (&[2usize, 300][..], DType::I32)
    );
    let v = like.to_vec::<i32>().unwrap();
    assert!(v.iter().all(|x| (0..3).contains(x)) && v.contains(&0) && v.contains(&2));
}

#[test]
fn num_threads_can_be_set_and_results_do_not_depend_on_it() {
    let x = Generator::new(11)
        .randn(&[300, 700], TensorOptions::default())
        .unwrap();
    let prev = torch_core::get_num_threads();
    torch_core::set_num_threads(1);
    assert_eq!(torch_core::get_num_threads(), 1);
    let one = (
        x.sum_dim(&[1], false).unwrap(),
        x.exp().unwrap(),
        x.matmul(&x.t().unwrap()).unwrap(),
    );
    torch_core::set_num_threads(2);
    let two = (
        x.sum_dim(&[1], false).unwrap(),
        x.exp().unwrap(),
        x.matmul(&x.t().unwrap()).unwrap(),
    );
    torch_core::set_num_threads(prev);
    assert_eq!(
        one.0.to_vec::<f32>().unwrap(),
        two.0.to_vec::<f32>().unwrap()
    );
    assert_eq!(
        one.1.to_vec::<f32>().unwrap(),
        two.1.to_vec::<f32>().unwrap()
    );
    torch_core::testing::assert_close(&one.2, &two.2);
}

/// One view op picked by `op` with parameter `p`, chosen from `t`'s shape alone; `None` when
/// it does not apply to that shape.
fn random_view(t: &Tensor, op: u8, p: usize) -> Option<Tensor> {
    let (n, s) = (t.dim(), t.shape().to_vec());
    let r = match op {
        0 if n >= 2 => t.transpose((p % n) as i64, (p / n % n) as i64),
        1 if n >= 1 && s[p % n] > 0 => {
            let d = p % n;
            let start = p / 3 % s[d];
            t.narrow(d as i64, start as i64, 1 + p / 5 % (s[d] - start))
        }
        2 if n < 5 => t.unsqueeze((p % (n + 1)) as i64),
        3 => t.squeeze_dim(s.iter().position(|&v| v == 1)? as i64),
        4 if n < 5 => {
            let mut e: Vec<i64> = s.iter().map(|&v| v as i64).collect();
            match s.iter().position(|&v| v == 1) {
                Some(d) => e[d] = 2 + (p % 2) as i64,
                None => e.insert(0, 2),
            }
            t.expand(&e)
        }
        5 if n >= 2 => {
            let d1 = p % n;
            let d2 = (d1 + 1 + p / n % (n - 1)) % n;
            t.diagonal((p % 3) as i64 - 1, d1 as i64, d2 as i64)
        }
        6 if n >= 1 => {
            let a = p % n;
            t.flatten(a as i64, (a + p / n % (n - a)) as i64)
        }
        _ => return None,
    };
    Some(r.unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Any chain of views reads the same values as the same chain applied to a contiguous copy.
    #[test]
    fn views_agree_with_contiguous_copies(d0 in 1usize..5, d1 in 1usize..5, d2 in 1usize..5, start in 0usize..4, step in 1usize..3, perm in 0usize..6) {
        let x = f32s(&[d0, d1, d2]);
        let perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        let p: Vec<i64> = perms[perm].iter().map(|&v| v as i64).collect();
        let view = x.permute(&p).unwrap();
        let s = start.min(view.shape()[1] - 1) as i64;
        let view = view.slice(1, Some(s), None, step).unwrap();
        let copy = x.permute(&p).unwrap().contiguous().unwrap().slice(1, Some(s), None, step).unwrap().contiguous().unwrap();
        prop_assert_eq!(view.to_vec::<f32>().unwrap(), copy.to_vec::<f32>().unwrap());
        prop_assert_eq!(view.exp().unwrap().to_vec::<f32>().unwrap(), copy.exp().unwrap().to_vec::<f32>().unwrap());
        prop_assert_eq!(view.sum_dim(&[0], false).unwrap().to_vec::<f32>().unwrap(), copy.sum_dim(&[0], false).unwrap().to_vec::<f32>().unwrap());
        let flat = view.reshape(&[-1]).unwrap();
        prop_assert_eq!(flat.to_vec::<f32>().unwrap(), copy.reshape(&[-1]).unwrap().to_vec::<f32>().unwrap());
    }

    /// A random chain of transpose / narrow / unsqueeze / squeeze / expand / diagonal / flatten
    /// reads the same as its contiguous copy and as the chain applied step by step to
    /// contiguous copies, and elementwise ops on it see those values.
    #[test]
    fn random_view_chains_agree_with_contiguous_copies(d0 in 1usize..4, d1 in 1usize..4, d2 in 1usize..4, ops in prop::collection::vec((0u8..7, 0usize..64), 1..8)) {
        let mut view = f32s(&[d0, d1, d2]);
        let mut copy = view.clone();
        for (op, p) in ops {
            if let Some(v) = random_view(&view, op, p) {
                view = v;
                copy = random_view(&copy, op, p).unwrap().contiguous().unwrap();
            }
        }
        prop_assert_eq!(view.shape(), copy.shape());
        let vals = view.to_vec::<f32>().unwrap();
        prop_assert_eq!(&vals, &view.contiguous().unwrap().to_vec::<f32>().unwrap());
        prop_assert_eq!(&vals, &copy.to_vec::<f32>().unwrap());
        let twice: Vec<f32> = vals.iter().map(|v| v * 2.0).collect();
        prop_assert_eq!(&view.mul_scalar(2.0).unwrap().to_vec::<f32>().unwrap(), &twice);
        prop_assert_eq!(&view.add(&copy).unwrap().to_vec::<f32>().unwrap(), &twice);
        prop_assert_eq!(view.sum().unwrap().item().unwrap(), copy.sum().unwrap().item().unwrap());
    }
}

#[test]
fn printing_summarises_rows_in_scientific_notation_like_torch() {
    let x = Tensor::arange(0.0, 3000.0, 1.0, TensorOptions::default().dtype(DType::F32))
        .unwrap()
        .reshape(&[1000, 3])
        .unwrap();
    let expected = "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00],
        [3.0000e+00, 4.0000e+00, 5.0000e+00],
        [6.0000e+00, 7.0000e+00, 8.0000e+00],
        ...,
        [2.9910e+03, 2.9920e+03, 2.9930e+03],
        [2.9940e+03, 2.9950e+03, 2.9960e+03],
        [2.9970e+03, 2.9980e+03, 2.9990e+03]])";
    assert_eq!(x.to_string(), expected);
}

#[test]
fn copy_from_a_tensor_sharing_storage_reads_before_writing() -> torch_core::Result<()> {
    let x = Tensor::arange(0.0, 6.0, 1.0, TensorOptions::default().dtype(DType::F32))?;
    // Same storage, same layout (used to recurse forever).
    x.copy_(&x.detach())?;
    assert_eq!(x.to_vec::<f32>()?, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    // Same storage, overlapping different layout: a reversed copy.
    x.copy_(&x.flip(&[0])?)?;
    assert_eq!(x.to_vec::<f32>()?, [5.0, 4.0, 3.0, 2.0, 1.0, 0.0]);
    Ok(())
}
