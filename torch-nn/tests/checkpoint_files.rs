//! A model saved by PyTorch (safetensors, torch.save zip and legacy) loads strictly and gives
//! PyTorch's output; our `save_pt` round-trips; corrupt and mismatched checkpoints give errors
//! naming the file or the keys.

use std::path::PathBuf;

use torch_core::testing::{assert_golden, load_golden};
use torch_core::{Result, Tensor};
use torch_nn::{BatchNorm1d, Embedding, Forward, Linear, Module, ReLU, Sequential, StateDict};

#[derive(Module)]
struct Net {
    body: Sequential,
    emb: Embedding,
}

impl Net {
    fn new() -> Result<Net> {
        Ok(Net {
            body: Sequential::new()
                .append(Linear::new(6, 8)?)
                .append(BatchNorm1d::new(8)?)
                .append(ReLU::new())
                .append(Linear::new(8, 3)?),
            emb: Embedding::new(5, 6, None)?,
        })
    }

    fn forward(&self, idx: &Tensor) -> Result<Tensor> {
        self.body
            .call(&self.emb.forward(idx)?.sum_dim(&[1], false)?)
    }
}

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

#[test]
fn pytorch_checkpoints_load_and_reproduce_outputs() -> Result<()> {
    let io = load_golden(env!("CARGO_MANIFEST_DIR"), "net_io")?;
    for file in ["net.safetensors", "net_zip.pt", "net_legacy.pt"] {
        let net = Net::new()?;
        net.load_state_dict(&StateDict::load(golden(file))?, true)?;
        net.eval();
        assert_golden(&io, "out", net.forward(&io["idx"]));
    }
    Ok(())
}

#[test]
fn save_pt_round_trips_a_state_dict() -> Result<()> {
    let a = Net::new()?;
    a.load_state_dict(&StateDict::load(golden("net_zip.pt"))?, true)?;
    let path = std::env::temp_dir().join(format!("torch_nn_net_{}.pt", std::process::id()));
    a.state_dict().save_pt(&path)?;
    let b = Net::new()?;
    b.load_state_dict(&StateDict::load(&path)?, true)?;
    for ((ka, ta), (kb, tb)) in a.state_dict().iter().zip(b.state_dict().iter()) {
        assert_eq!(ka, kb);
        assert_eq!(ta.to_vec_f64()?, tb.to_vec_f64()?);
    }
    let _ = std::fs::remove_file(&path);
    Ok(())
}

#[test]
fn corrupt_and_mismatched_checkpoints_give_clear_errors() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("torch_nn_bad_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["net.safetensors", "net_zip.pt", "net_legacy.pt"] {
        let bytes = std::fs::read(golden(file)).unwrap();
        let cut = dir.join(file);
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        let err = StateDict::load(&cut).unwrap_err().to_string();
        assert!(err.contains(cut.to_str().unwrap()), "{file}: {err}");
    }
    // A checkpoint of another architecture: every problem is listed.
    let other = Sequential::new().append(Linear::new(6, 4)?);
    let err = other
        .load_state_dict(&StateDict::load(golden("net_zip.pt"))?, true)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Missing key(s) in state_dict: \"0.weight\", \"0.bias\"."),
        "{err}"
    );
    assert!(
        err.contains("Unexpected key(s) in state_dict: \"body.0.weight\""),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
