//! Shared by tests/rnn.rs, tests/attention.rs and tests/transformer.rs: reads one case of
//! tests/golden/nn_seq.safetensors (written by scripts/golden/nn_seq.py) and checks a forward
//! and backward against it. Key layout: `case.sd.*` state dict, `case.in.*` inputs,
//! `case.out.*` outputs, `case.w.*` loss weights, `case.gin.*` / `case.gp.*` gradients of
//! `sum((out * w).sum())` with respect to the inputs / parameters.

#![allow(dead_code)]

use std::collections::HashMap;

use torch_core::testing::{assert_golden_tol, load_golden, tolerances};
use torch_core::{DType, Result, Tensor};
use torch_nn::{Module, StateDict};

pub struct Case<'g> {
    goldens: &'g HashMap<String, Tensor>,
    name: String,
    /// f32 `(rtol, atol)`.
    pub tol: (f64, f64),
}

pub fn goldens() -> HashMap<String, Tensor> {
    load_golden(env!("CARGO_MANIFEST_DIR"), "nn_seq").expect("nn_seq goldens")
}

impl<'g> Case<'g> {
    pub fn new(goldens: &'g HashMap<String, Tensor>, name: &str) -> Case<'g> {
        Case {
            goldens,
            name: name.to_string(),
            tol: tolerances(DType::F32),
        }
    }

    /// Loosened tolerances; callers say why.
    pub fn tol(mut self, rtol: f64, atol: f64) -> Self {
        self.tol = (rtol, atol);
        self
    }

    fn get(&self, key: &str) -> Tensor {
        self.goldens
            .get(&format!("{}.{key}", self.name))
            .unwrap_or_else(|| panic!("missing golden {}.{key}", self.name))
            .clone()
    }

    /// PyTorch's state dict of the case's module.
    pub fn state_dict(&self) -> StateDict {
        let prefix = format!("{}.sd.", self.name);
        let mut items: Vec<(String, Tensor)> = self
            .goldens
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|k| (k.to_string(), v.clone())))
            .collect();
        items.sort_by(|a, b| a.0.cmp(&b.0));
        items.into_iter().collect()
    }

    /// Loads the state dict strictly (key names and shapes must all match PyTorch's).
    pub fn load(&self, m: &dyn Module) {
        let keys = m
            .load_state_dict(&self.state_dict(), true)
            .unwrap_or_else(|e| panic!("{}: {e}", self.name));
        assert!(keys.missing_keys.is_empty() && keys.unexpected_keys.is_empty());
    }

    /// Input `name`; a leaf requiring grad when PyTorch recorded its gradient.
    pub fn input(&self, name: &str) -> Tensor {
        let t = self.get(&format!("in.{name}"));
        let key = format!("{}.gin.{name}", self.name);
        if self.goldens.contains_key(&key) {
            t.deep_clone()
                .expect("copy")
                .requires_grad_(true)
                .expect("float input")
        } else {
            t
        }
    }

    /// Compares the outputs, runs the backward of `sum((out * w).sum())` and compares the
    /// gradients of the inputs and of every parameter of `m`.
    pub fn check(
        &self,
        m: Option<&dyn Module>,
        inputs: &[(&str, &Tensor)],
        outputs: &[(&str, &Tensor)],
    ) {
        let (rtol, atol) = self.tol;
        let mut loss: Option<Tensor> = None;
        for (name, out) in outputs {
            let key = format!("{}.out.{name}", self.name);
            assert_golden_tol(self.goldens, &key, Ok((*out).clone()), rtol, atol);
            let term = out
                .mul(&self.get(&format!("w.{name}")))
                .and_then(|t| t.sum())
                .expect("loss");
            loss = Some(match loss {
                Some(l) => l.add(&term).expect("loss"),
                None => term,
            });
        }
        loss.expect("at least one output")
            .backward()
            .expect("backward");
        let gin_prefix = format!("{}.gin.", self.name);
        let expected_inputs = self
            .goldens
            .keys()
            .filter(|k| k.starts_with(&gin_prefix))
            .count();
        let mut seen = 0;
        for (name, t) in inputs {
            let key = format!("{gin_prefix}{name}");
            if self.goldens.contains_key(&key) {
                seen += 1;
                let g: Result<Tensor> = t
                    .grad()
                    .ok_or_else(|| torch_core::Error::invalid("test", "no grad"));
                assert_golden_tol(self.goldens, &key, g, rtol, atol);
            }
        }
        assert_eq!(
            seen, expected_inputs,
            "{}: input gradients checked",
            self.name
        );
        if let Some(m) = m {
            let params = m.named_parameters();
            let gp_prefix = format!("{}.gp.", self.name);
            let expected = self
                .goldens
                .keys()
                .filter(|k| k.starts_with(&gp_prefix))
                .count();
            assert_eq!(params.len(), expected, "{}: parameter count", self.name);
            for (name, p) in params {
                let key = format!("{gp_prefix}{name}");
                let g: Result<Tensor> = p
                    .grad()
                    .ok_or_else(|| torch_core::Error::invalid("test", "no grad"));
                assert_golden_tol(self.goldens, &key, g, rtol, atol);
            }
        }
    }
}
