//! Printing as PyTorch prints: `tensor([[1.0000, 2.0000]])`, integer-valued floats as `1.`,
//! scientific notation for wide ranges, `...` summaries above 1000 elements, and the dtype,
//! `requires_grad` or `grad_fn` suffixes.

use std::fmt;

use crate::{DType, Tensor};

const THRESHOLD: usize = 1000;
const EDGE: usize = 3;

enum Style {
    Int,
    Bool,
    /// Integer-valued floats: `1.`
    WholeFloat,
    Fixed,
    Sci,
}

fn format_value(v: f64, style: &Style) -> String {
    match style {
        Style::Int => format!("{}", v as i64),
        Style::Bool => {
            if v != 0.0 {
                "True".into()
            } else {
                "False".into()
            }
        }
        _ if v.is_nan() => "nan".into(),
        _ if v.is_infinite() => {
            if v > 0.0 {
                "inf".into()
            } else {
                "-inf".into()
            }
        }
        Style::WholeFloat => format!("{v:.0}."),
        Style::Fixed => format!("{v:.4}"),
        Style::Sci => {
            let s = format!("{v:.4e}");
            // Rust prints 1.0000e0; PyTorch prints 1.0000e+00.
            match s.split_once('e') {
                Some((m, e)) => {
                    let (sign, digits) = e.strip_prefix('-').map_or(("+", e), |d| ("-", d));
                    format!("{m}e{sign}{digits:0>2}")
                }
                None => s,
            }
        }
    }
}

fn pick_style(dtype: DType, vals: &[f64]) -> Style {
    if dtype == DType::Bool {
        return Style::Bool;
    }
    if dtype.is_integral() {
        return Style::Int;
    }
    let finite: Vec<f64> = vals.iter().copied().filter(|v| v.is_finite()).collect();
    let whole = finite.iter().all(|v| v.fract() == 0.0);
    let nz: Vec<f64> = finite
        .iter()
        .map(|v| v.abs())
        .filter(|&v| v != 0.0)
        .collect();
    let max = nz.iter().fold(0.0f64, |m, &v| m.max(v));
    let min = nz.iter().fold(f64::INFINITY, |m, &v| m.min(v));
    if whole {
        if max / min > 1000.0 || max > 1e8 {
            Style::Sci
        } else {
            Style::WholeFloat
        }
    } else if max / min > 1000.0 || max > 1e8 || min < 1e-4 {
        Style::Sci
    } else {
        Style::Fixed
    }
}

struct Printer<'a> {
    shape: &'a [usize],
    strs: Vec<String>,
    width: usize,
    summarize: bool,
}

impl Printer<'_> {
    /// Indices shown along a dim of `size`.
    fn shown(&self, size: usize) -> Vec<Option<usize>> {
        if self.summarize && size > 2 * EDGE {
            (0..EDGE)
                .map(Some)
                .chain([None])
                .chain((size - EDGE..size).map(Some))
                .collect()
        } else {
            (0..size).map(Some).collect()
        }
    }

    fn write(&self, out: &mut String, dim: usize, base: usize, indent: usize) {
        let strides: Vec<usize> = (0..self.shape.len())
            .map(|d| self.shape[d + 1..].iter().product())
            .collect();
        out.push('[');
        let items = self.shown(self.shape[dim]);
        let last = dim + 1 == self.shape.len();
        for (k, item) in items.iter().enumerate() {
            if k > 0 {
                if last {
                    out.push_str(", ");
                } else {
                    out.push(',');
                    out.push_str(&"\n".repeat(self.shape.len() - dim - 1));
                    out.push_str(&" ".repeat(indent + 1));
                }
            }
            match item {
                // PyTorch's summarised row element is " ..." (so ",  ..., ").
                None if last => out.push_str(" ..."),
                None => out.push_str("..."),
                Some(i) if last => {
                    let s = &self.strs[base + i];
                    out.push_str(&" ".repeat(self.width.saturating_sub(s.len())));
                    out.push_str(s);
                }
                Some(i) => self.write(out, dim + 1, base + i * strides[dim], indent + 1),
            }
        }
        out.push(']');
    }
}

impl fmt::Display for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dtype = self.dtype();
        let body = if dtype == DType::C64 {
            match self.to_vec::<num_complex::Complex32>() {
                Ok(v) => {
                    let parts: Vec<String> = v
                        .iter()
                        .take(THRESHOLD)
                        .map(|c| {
                            format!(
                                "{}{}{}j",
                                format_value(c.re as f64, &Style::Fixed),
                                if c.im < 0.0 { "-" } else { "+" },
                                format_value(c.im.abs() as f64, &Style::Fixed)
                            )
                        })
                        .collect();
                    render(self.shape(), parts, self.numel() > THRESHOLD)
                }
                Err(e) => return write!(f, "<tensor: {e}>"),
            }
        } else {
            let vals = match self.to_vec_f64() {
                Ok(v) => v,
                Err(e) => return write!(f, "<tensor: {e}>"),
            };
            let style = pick_style(dtype, &vals);
            let strs = vals.iter().map(|&v| format_value(v, &style)).collect();
            render(self.shape(), strs, self.numel() > THRESHOLD)
        };
        let mut suffix = Vec::new();
        if self.numel() == 0 && self.dim() != 1 {
            suffix.push(format!("size={:?}", self.shape()));
        }
        if !matches!(dtype, DType::F32 | DType::I64 | DType::Bool | DType::C64) {
            suffix.push(format!("dtype={}", dtype.torch_name()));
        }
        if let Some(n) = self.grad_fn() {
            suffix.push(format!("grad_fn=<{}0>", n.name()));
        } else if self.requires_grad() {
            suffix.push("requires_grad=True".into());
        }
        let mut s = format!("tensor({body}");
        for x in suffix {
            s.push_str(", ");
            s.push_str(&x);
        }
        s.push(')');
        f.write_str(&s)
    }
}

fn render(shape: &[usize], strs: Vec<String>, summarize: bool) -> String {
    if shape.is_empty() {
        return strs.into_iter().next().unwrap_or_default();
    }
    if shape.contains(&0) {
        return "[]".into();
    }
    let width = strs.iter().map(|s| s.len()).max().unwrap_or(0);
    let p = Printer {
        shape,
        strs,
        width,
        summarize,
    };
    let mut out = String::new();
    p.write(&mut out, 0, 0, "tensor(".len());
    out
}
