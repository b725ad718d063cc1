//! Rearranging composites: `flip`, `roll`, `repeat`, `tile`, `repeat_interleave`, `tril`,
//! `triu`, `one_hot`, `meshgrid`, `pad` (constant, reflect, replicate, circular). All are
//! built from views, `index_select`, `cat` and `where_cond`, so autograd comes for free.

use crate::shape::{normalize_dim, normalize_dims, to_i64};
use crate::{DType, Error, Result, Tensor, TensorOptions};

fn index_tensor(v: Vec<i64>) -> Result<Tensor> {
    let n = v.len();
    Tensor::from_vec(v, &[n])
}

impl Tensor {
    /// Reverses the order along `dims` (`torch.flip`). Composite (index_select).
    pub fn flip(&self, dims: &[i64]) -> Result<Tensor> {
        let mut out = self.clone();
        for d in normalize_dims("flip", dims, self.dim())? {
            let n = self.shape()[d] as i64;
            out = out.index_select(d as i64, &index_tensor((0..n).rev().collect())?)?;
        }
        Ok(out)
    }

    /// Rolls elements along `dims` by `shifts` (`torch.roll`); with no dims the flattened
    /// tensor is rolled and reshaped back.
    pub fn roll(&self, shifts: &[i64], dims: &[i64]) -> Result<Tensor> {
        if dims.is_empty() {
            if shifts.len() != 1 {
                return Err(Error::invalid(
                    "roll",
                    "`shifts` required to be a single value when dims is empty",
                ));
            }
            return self
                .flatten(0, -1)?
                .roll(shifts, &[0])?
                .reshape(&to_i64(self.shape()));
        }
        if shifts.len() != dims.len() {
            return Err(Error::invalid(
                "roll",
                format!(
                    "shifts and dimensions must align. shifts: {}, dims:{}",
                    shifts.len(),
                    dims.len()
                ),
            ));
        }
        let mut out = self.clone();
        for (&s, &d) in shifts.iter().zip(dims) {
            let d = normalize_dim("roll", d, self.dim())?;
            let n = self.shape()[d] as i64;
            if n == 0 {
                continue;
            }
            let idx: Vec<i64> = (0..n).map(|i| (i - s).rem_euclid(n)).collect();
            out = out.index_select(d as i64, &index_tensor(idx)?)?;
        }
        Ok(out)
    }

    /// Tiles the tensor `repeats[i]` times along dim `i` (`x.repeat(sizes)`); extra leading
    /// sizes add dims. Composite (expand + reshape).
    pub fn repeat(&self, repeats: &[usize]) -> Result<Tensor> {
        if repeats.len() < self.dim() {
            return Err(Error::invalid(
                "repeat",
                "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor",
            ));
        }
        let lead = repeats.len() - self.dim();
        let shape: Vec<usize> = std::iter::repeat_n(1, lead)
            .chain(self.shape().iter().copied())
            .collect();
        let mut inter = Vec::new();
        let mut expanded = Vec::new();
        let mut fin = Vec::new();
        for (&r, &s) in repeats.iter().zip(&shape) {
            inter.extend([1i64, s as i64]);
            expanded.extend([r as i64, s as i64]);
            fin.push((r * s) as i64);
        }
        self.reshape(&inter)?.expand(&expanded)?.reshape(&fin)
    }

    /// `torch.tile`: like `repeat`, padding `reps` with leading ones.
    pub fn tile(&self, reps: &[usize]) -> Result<Tensor> {
        let mut r: Vec<usize> =
            std::iter::repeat_n(1, self.dim().saturating_sub(reps.len())).collect();
        r.extend_from_slice(reps);
        self.repeat(&r)
    }

    /// Repeats each element `repeats` times along `dim` (flattened when `None`)
    /// (`torch.repeat_interleave`).
    pub fn repeat_interleave(&self, repeats: usize, dim: Option<i64>) -> Result<Tensor> {
        let (x, d) = match dim {
            None => (self.flatten(0, -1)?, 0),
            Some(d) => (
                self.clone(),
                normalize_dim("repeat_interleave", d, self.dim())?,
            ),
        };
        let mut shape = to_i64(x.shape());
        shape.insert(d + 1, repeats as i64);
        x.unsqueeze(d as i64 + 1)?
            .expand(&shape)?
            .flatten(d as i64, d as i64 + 1)
    }

    /// Repeats element `i` of `dim` `repeats[i]` times (`torch.repeat_interleave` with a
    /// tensor of repeats).
    pub fn repeat_interleave_tensor(&self, repeats: &Tensor, dim: i64) -> Result<Tensor> {
        let d = normalize_dim("repeat_interleave", dim, self.dim())?;
        let r = repeats.to_dtype(DType::I64)?.to_vec::<i64>()?;
        if r.len() != self.shape()[d] || r.iter().any(|&v| v < 0) {
            return Err(Error::invalid(
                "repeat_interleave",
                format!(
                    "repeats must have the same size as input along dim ({} vs {}) and be non-negative",
                    r.len(),
                    self.shape()[d]
                ),
            ));
        }
        let idx: Vec<i64> = r
            .iter()
            .enumerate()
            .flat_map(|(i, &n)| std::iter::repeat_n(i as i64, n as usize))
            .collect();
        self.index_select(d as i64, &index_tensor(idx)?)
    }

    fn tri_mask(&self, op: &'static str, diagonal: i64, lower: bool) -> Result<Tensor> {
        if self.dim() < 2 {
            return Err(Error::invalid(
                op,
                "input tensor must have at least 2 dimensions",
            ));
        }
        let (r, c) = (self.shape()[self.dim() - 2], self.shape()[self.dim() - 1]);
        let opts = TensorOptions::default().dtype(DType::I64);
        let rows = Tensor::arange(0.0, r as f64, 1.0, opts)?.unsqueeze(1)?;
        let cols = Tensor::arange(0.0, c as f64, 1.0, opts)?.unsqueeze(0)?;
        let diff = cols.sub(&rows)?; // j - i
        if lower {
            diff.le_scalar(diagonal)
        } else {
            diff.ge_scalar(diagonal)
        }
    }

    /// The lower triangle, zeroing above `diagonal` (`torch.tril`).
    pub fn tril(&self, diagonal: i64) -> Result<Tensor> {
        let keep = self.tri_mask("tril", diagonal, true)?;
        self.masked_fill(&keep.logical_not()?, 0.0)
    }

    /// The upper triangle, zeroing below `diagonal` (`torch.triu`).
    pub fn triu(&self, diagonal: i64) -> Result<Tensor> {
        let keep = self.tri_mask("triu", diagonal, false)?;
        self.masked_fill(&keep.logical_not()?, 0.0)
    }

    /// One-hot i64 encoding with a new last dim (`F.one_hot`); `num_classes = None` uses
    /// `max + 1`.
    pub fn one_hot(&self, num_classes: Option<usize>) -> Result<Tensor> {
        if self.dtype() != DType::I64 {
            return Err(Error::invalid(
                "one_hot",
                "one_hot is only applicable to index tensor of type LongTensor.",
            ));
        }
        let v = self.to_vec::<i64>()?;
        if v.iter().any(|&i| i < 0) {
            return Err(Error::invalid(
                "one_hot",
                "Class values must be non-negative.",
            ));
        }
        let max = v.iter().copied().max().unwrap_or(-1);
        let n = match num_classes {
            Some(n) if (n as i64) <= max => {
                return Err(Error::invalid(
                    "one_hot",
                    "Class values must be smaller than num_classes.",
                ));
            }
            Some(n) => n,
            None => (max + 1) as usize,
        };
        let classes = Tensor::arange(
            0.0,
            n as f64,
            1.0,
            TensorOptions::default().dtype(DType::I64),
        )?;
        self.unsqueeze(-1)?.eq(&classes)?.to_dtype(DType::I64)
    }

    /// Coordinate grids from 1-D tensors (`torch.meshgrid(..., indexing=)`), `"ij"` or `"xy"`.
    pub fn meshgrid(tensors: &[&Tensor], indexing: &str) -> Result<Vec<Tensor>> {
        let xy = match indexing {
            "ij" => false,
            "xy" => true,
            other => {
                return Err(Error::invalid(
                    "meshgrid",
                    format!("indexing must be one of \"xy\" or \"ij\", but received: {other}"),
                ));
            }
        };
        if tensors.iter().any(|t| t.dim() > 1) {
            return Err(Error::invalid(
                "meshgrid",
                "Expected 0D or 1D tensor in the tensor list",
            ));
        }
        let mut order: Vec<usize> = (0..tensors.len()).collect();
        if xy && tensors.len() >= 2 {
            order.swap(0, 1);
        }
        let shape: Vec<i64> = order.iter().map(|&i| tensors[i].numel() as i64).collect();
        tensors
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let pos = order.iter().position(|&o| o == i).unwrap_or(i);
                let mut view = vec![1i64; tensors.len()];
                view[pos] = t.numel() as i64;
                t.reshape(&view)?.expand(&shape)
            })
            .collect()
    }

    /// Pads the last dims (`F.pad`): `pad = [left, right, top, bottom, ...]` from the last
    /// dim backwards; `mode` is `"constant"` (with `value`), `"reflect"`, `"replicate"` or
    /// `"circular"`. Negative constant padding crops.
    pub fn pad(&self, pad: &[i64], mode: &str, value: f64) -> Result<Tensor> {
        if !pad.len().is_multiple_of(2) || pad.len() / 2 > self.dim() {
            return Err(Error::invalid(
                "pad",
                format!(
                    "Padding length must be divisible by 2 and at most twice the number of dims, got {} for a {}-D input",
                    pad.len(),
                    self.dim()
                ),
            ));
        }
        let mut out = self.clone();
        for (k, lr) in pad.chunks(2).enumerate() {
            let d = self.dim() - 1 - k;
            let (l, r) = (lr[0], lr[1]);
            out = match mode {
                "constant" => pad_constant(&out, d, l, r, value)?,
                "reflect" | "replicate" | "circular" => {
                    let n = out.shape()[d] as i64;
                    if mode == "reflect" && (l >= n || r >= n) {
                        return Err(Error::invalid(
                            "pad",
                            format!(
                                "Argument #4: Padding size should be less than the corresponding input dimension, but got: padding ({l}, {r}) at dimension {d} of input {:?}",
                                out.shape()
                            ),
                        ));
                    }
                    if mode == "circular" && (l > n || r > n) {
                        return Err(Error::invalid(
                            "pad",
                            "Padding value causes wrapping around more than once.",
                        ));
                    }
                    if n == 0 {
                        return Err(Error::invalid("pad", "input dimension to pad is empty"));
                    }
                    // Where padded position `i` reads from; only the two edges are
                    // gathered, the body is copied whole by `cat`.
                    let source = |i: i64| match mode {
                        "reflect" => {
                            let p = 2 * (n - 1).max(1);
                            let m = i.rem_euclid(p);
                            if m < n { m } else { p - m }
                        }
                        "replicate" => i.clamp(0, n - 1),
                        _ => i.rem_euclid(n),
                    };
                    // Negative padding crops first, as PyTorch does for these modes.
                    let (cl, cr) = ((-l).max(0), (-r).max(0));
                    if cl + cr > n {
                        return Err(Error::invalid(
                            "pad",
                            "negative padding removes more than the dimension",
                        ));
                    }
                    let body = out.narrow(d as i64, cl, (n - cl - cr) as usize)?;
                    let edge = |range: std::ops::Range<i64>| -> Result<Tensor> {
                        out.index_select(d as i64, &index_tensor(range.map(source).collect())?)
                    };
                    let (left, right) = (edge(-l.max(0)..0)?, edge(n..n + r.max(0))?);
                    Tensor::cat(&[&left, &body, &right], d as i64)?
                }
                other => {
                    return Err(Error::invalid(
                        "pad",
                        format!("Unrecognised padding mode {other}"),
                    ));
                }
            };
        }
        Ok(out)
    }
}

fn pad_constant(x: &Tensor, d: usize, l: i64, r: i64, value: f64) -> Result<Tensor> {
    let mut x = x.clone();
    // Negative padding crops.
    let n = x.shape()[d] as i64;
    let (cl, cr) = ((-l).max(0), (-r).max(0));
    if cl + cr > 0 {
        if cl + cr > n {
            return Err(Error::invalid(
                "pad",
                "negative padding removes more than the dimension",
            ));
        }
        x = x.narrow(d as i64, cl, (n - cl - cr) as usize)?;
    }
    let block = |k: i64| -> Result<Tensor> {
        let mut s = x.shape().to_vec();
        s[d] = k as usize;
        Tensor::full(&s, value, TensorOptions::default().dtype(x.dtype()))
    };
    let (pl, pr) = (l.max(0), r.max(0));
    if pl == 0 && pr == 0 {
        return Ok(x);
    }
    let (a, b) = (block(pl)?, block(pr)?);
    Tensor::cat(&[&a, &x, &b], d as i64)
}
