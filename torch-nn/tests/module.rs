//! The Module machinery: derive-generated names, PyTorch's repr, state_dict round trips and
//! load errors, train/eval, hooks, freezing, to_dtype, apply.

use std::sync::{Arc, Mutex};

use torch_core::{DType, Result, Tensor, TensorOptions};
use torch_nn::{
    Forward, GELU, LeakyReLU, Linear, LinearOptions, Module, ModuleBase, ModuleList, Sequential,
    Softplus, StateDict,
};

#[derive(Module)]
struct Block {
    base: ModuleBase,
    fc: Linear,
    act: LeakyReLU,
}

impl Block {
    fn new() -> Result<Block> {
        Ok(Block {
            base: ModuleBase::default(),
            fc: Linear::with_options(4, 4, LinearOptions { bias: false })?,
            act: LeakyReLU::new(0.2),
        })
    }
}

impl Forward for Block {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.act.call(&self.fc.call(x)?)
    }
}

#[derive(Module)]
struct Net {
    base: ModuleBase,
    blocks: ModuleList<Block>,
    head: Sequential,
    #[buffer]
    step: Tensor,
    #[buffer(persistent = false)]
    cache: Tensor,
    hidden: usize,
}

impl Net {
    fn new() -> Result<Net> {
        Ok(Net {
            base: ModuleBase::default(),
            blocks: [Block::new()?, Block::new()?].into_iter().collect(),
            head: Sequential::new()
                .append(Linear::new(4, 2)?)
                .append(GELU::default())
                .append(Softplus::default()),
            step: Tensor::zeros(&[1], TensorOptions::default().dtype(DType::I64))?,
            cache: Tensor::zeros(&[2], TensorOptions::default())?,
            hidden: 4,
        })
    }
}

impl Forward for Net {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut x = x.clone();
        for b in self.blocks.iter() {
            x = b.call(&x)?;
        }
        self.head.call(&x)
    }
}

fn names(v: Vec<(String, Tensor)>) -> Vec<String> {
    v.into_iter().map(|(n, _)| n).collect()
}

#[test]
fn derive_gives_pytorch_dotted_names() -> Result<()> {
    let net = Net::new()?;
    assert_eq!(net.hidden, 4);
    assert_eq!(
        names(net.named_parameters()),
        [
            "blocks.0.fc.weight",
            "blocks.1.fc.weight",
            "head.0.weight",
            "head.0.bias"
        ]
    );
    assert_eq!(names(net.named_buffers()), ["step", "cache"]);
    // Non-persistent buffers stay out of the state dict; own buffers precede children's.
    let sd = net.state_dict();
    assert_eq!(
        sd.keys().collect::<Vec<_>>(),
        [
            "step",
            "blocks.0.fc.weight",
            "blocks.1.fc.weight",
            "head.0.weight",
            "head.0.bias"
        ]
    );
    let modules: Vec<String> = net.named_modules().into_iter().map(|(n, _)| n).collect();
    // Printed by PyTorch 2.11 for the same model (see scripts/golden/nn_module.py).
    assert_eq!(
        modules,
        [
            "",
            "blocks",
            "blocks.0",
            "blocks.0.fc",
            "blocks.0.act",
            "blocks.1",
            "blocks.1.fc",
            "blocks.1.act",
            "head",
            "head.0",
            "head.1",
            "head.2"
        ]
    );
    assert_eq!(net.num_parameters(), 16 + 16 + 8 + 2);
    Ok(())
}

#[test]
fn display_matches_pytorch_repr() -> Result<()> {
    let net = Net::new()?;
    // Printed by PyTorch 2.11 for the same model (scripts/golden/nn_module.py).
    let expected = "Net(
  (blocks): ModuleList(
    (0-1): 2 x Block(
      (fc): Linear(in_features=4, out_features=4, bias=False)
      (act): LeakyReLU(negative_slope=0.2)
    )
  )
  (head): Sequential(
    (0): Linear(in_features=4, out_features=2, bias=True)
    (1): GELU(approximate='none')
    (2): Softplus(beta=1.0, threshold=20.0)
  )
)";
    assert_eq!(net.to_string(), expected);
    Ok(())
}

#[test]
fn state_dict_round_trip_through_safetensors() -> Result<()> {
    let a = Net::new()?;
    let b = Net::new()?;
    let x = Tensor::randn(&[3, 4], TensorOptions::default())?;
    assert_ne!(a.call(&x)?.to_vec::<f32>()?, b.call(&x)?.to_vec::<f32>()?);
    let dir = std::env::temp_dir().join(format!("torch_nn_sd_{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| torch_core::Error::invalid("test", e.to_string()))?;
    let path = dir.join("net.safetensors");
    a.state_dict().save_safetensors(&path)?;
    let keys = b.load_state_dict(&StateDict::load_safetensors(&path)?, true)?;
    assert!(keys.missing_keys.is_empty() && keys.unexpected_keys.is_empty());
    assert_eq!(a.call(&x)?.to_vec::<f32>()?, b.call(&x)?.to_vec::<f32>()?);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

#[test]
fn load_state_dict_lists_every_problem() -> Result<()> {
    let net = Net::new()?;
    let mut sd = net.state_dict();
    sd.remove("head.0.bias");
    sd.insert(
        "extra.weight",
        Tensor::zeros(&[1], TensorOptions::default())?,
    );
    sd.insert(
        "head.0.weight",
        Tensor::zeros(&[3, 4], TensorOptions::default())?,
    );
    let err = net.load_state_dict(&sd, true).unwrap_err().to_string();
    assert!(
        err.contains("Error(s) in loading state_dict for Net"),
        "{err}"
    );
    assert!(
        err.contains("Missing key(s) in state_dict: \"head.0.bias\"."),
        "{err}"
    );
    assert!(
        err.contains("Unexpected key(s) in state_dict: \"extra.weight\"."),
        "{err}"
    );
    assert!(
        err.contains("size mismatch for head.0.weight: copying a param with shape [3, 4] from checkpoint, the shape in current model is [2, 4]."),
        "{err}"
    );
    // Nothing was copied: the load is all or nothing.
    assert_ne!(
        net.state_dict()
            .get("head.0.weight")
            .unwrap()
            .to_vec::<f32>()?,
        vec![0.0; 8]
    );
    // Non-strict still refuses shape mismatches but reports the keys otherwise.
    sd.insert(
        "head.0.weight",
        Tensor::zeros(&[2, 4], TensorOptions::default())?,
    );
    let keys = net.load_state_dict(&sd, false)?;
    assert_eq!(keys.missing_keys, ["head.0.bias"]);
    assert_eq!(keys.unexpected_keys, ["extra.weight"]);
    assert_eq!(
        net.state_dict()
            .get("head.0.weight")
            .unwrap()
            .to_vec::<f32>()?,
        vec![0.0; 8]
    );
    Ok(())
}

#[test]
fn train_eval_flags_reach_every_module() -> Result<()> {
    let net = Net::new()?;
    assert!(net.is_training());
    net.eval();
    assert!(!net.is_training());
    assert!(net.named_modules().iter().all(|(_, m)| !m.is_training()));
    net.blocks.get(1).unwrap().train(true);
    assert!(net.blocks.get(1).unwrap().fc.is_training());
    assert!(!net.blocks.get(0).unwrap().fc.is_training());
    Ok(())
}

#[test]
fn freezing_zero_grad_and_apply() -> Result<()> {
    let net = Net::new()?;
    net.blocks.requires_grad_(false)?;
    let x = Tensor::randn(&[3, 4], TensorOptions::default())?;
    net.call(&x)?.sum()?.backward()?;
    assert!(net.blocks.get(0).unwrap().fc.weight.grad().is_none());
    assert!(net.head.named_parameters()[0].1.grad().is_some());
    net.zero_grad();
    assert!(net.parameters().iter().all(|p| p.grad().is_none()));
    let mut linears = Vec::new();
    net.apply(&mut |m| {
        if let Some(l) = m.as_any().downcast_ref::<Linear>() {
            linears.push(l.out_features);
        }
    });
    assert_eq!(linears, [4, 4, 2]);
    Ok(())
}

#[test]
fn to_dtype_casts_floating_parameters_and_buffers() -> Result<()> {
    let mut net = Net::new()?;
    net.to_dtype(DType::F64)?;
    assert!(
        net.parameters()
            .iter()
            .all(|p| p.dtype() == DType::F64 && p.requires_grad())
    );
    assert_eq!(net.step.dtype(), DType::I64);
    assert_eq!(net.cache.dtype(), DType::F64);
    let y = net.call(&Tensor::randn(
        &[2, 4],
        TensorOptions::default().dtype(DType::F64),
    )?)?;
    assert_eq!(y.dtype(), DType::F64);
    Ok(())
}

#[test]
fn hooks_run_in_order_and_can_be_removed() -> Result<()> {
    let lin = Linear::new(3, 2)?;
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let l1 = log.clone();
    let pre = lin.register_forward_pre_hook(Arc::new(move |_, x| {
        l1.lock().unwrap().push("pre".into());
        Ok(Some(x.mul_scalar(2.0)?))
    }))?;
    let l2 = log.clone();
    let post = lin.register_forward_hook(Arc::new(move |m, _, y| {
        l2.lock().unwrap().push(format!("post {}", m.type_name()));
        Ok(Some(y.add_scalar(1.0)?))
    }))?;
    let grads = Arc::new(Mutex::new(Vec::new()));
    let g = grads.clone();
    let back = lin.register_full_backward_hook(Arc::new(move |gin, gout| {
        g.lock().unwrap().push((gin[0].clone(), gout[0].clone()));
        Ok(Some(vec![
            gin[0].as_ref().map(|t| t.mul_scalar(10.0)).transpose()?,
        ]))
    }))?;
    let x = Tensor::randn(&[4, 3], TensorOptions::default())?.requires_grad_(true)?;
    let y = lin.call(&x)?;
    let expected =
        torch_nn::functional::linear(&x.mul_scalar(2.0)?, &lin.weight, lin.bias.as_deref())?
            .add_scalar(1.0)?;
    torch_core::testing::assert_close(&y, &expected);
    y.sum()?.backward()?;
    assert_eq!(*log.lock().unwrap(), ["pre", "post Linear"]);
    let (gin, gout) = grads.lock().unwrap()[0].clone();
    // grad_output is ones; grad_input (w.r.t. the pre-hooked input) is ones @ W.
    assert_eq!(gout.unwrap().to_vec::<f32>()?, vec![1.0; 8]);
    let w_sum = lin.weight.sum_dim(&[0], false)?;
    torch_core::testing::assert_close(&gin.unwrap(), &w_sum.expand(&[4, 3])?);
    // The hook multiplied grad_input by 10, then the pre-hook's doubling applies.
    torch_core::testing::assert_close(
        &x.grad().unwrap(),
        &w_sum.mul_scalar(20.0)?.expand(&[4, 3])?,
    );
    pre.remove();
    post.remove();
    back.remove();
    let y = lin.call(&x)?;
    torch_core::testing::assert_close(
        &y,
        &torch_nn::functional::linear(&x, &lin.weight, lin.bias.as_deref())?,
    );
    assert_eq!(log.lock().unwrap().len(), 2);
    Ok(())
}
