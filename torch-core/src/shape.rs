//! Shape helpers: dim normalisation, broadcasting, contiguous strides.

use smallvec::SmallVec;

use crate::{Error, Result};

/// Dims stored inline up to 6 (no allocation for typical tensors).
pub type Dims = SmallVec<[usize; 6]>;

/// Product of sizes (1 for a 0-d shape).
pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// Row-major strides of a contiguous tensor of this shape.
pub fn contiguous_strides(shape: &[usize]) -> Dims {
    let fill = |strides: &mut [usize]| {
        let mut acc = 1;
        for (st, &s) in strides.iter_mut().zip(shape).rev() {
            *st = acc;
            acc *= s.max(1);
        }
    };
    let mut inline = [0usize; 6];
    if let Some(buf) = inline.get_mut(..shape.len()) {
        // Built on the stack: this runs for every new tensor.
        fill(buf);
        return Dims::from_buf_and_len(inline, shape.len());
    }
    let mut strides: Dims = smallvec::smallvec![0; shape.len()];
    fill(&mut strides);
    strides
}

/// Maps a possibly negative `dim` into `[0, ndim)`; PyTorch treats 0-d tensors as 1-d here.
pub fn normalize_dim(op: &'static str, dim: i64, ndim: usize) -> Result<usize> {
    let n = ndim.max(1) as i64;
    if dim < -n || dim >= n {
        return Err(Error::DimOutOfRange {
            op,
            dim,
            min: -n,
            max: n - 1,
        });
    }
    Ok(if dim < 0 {
        (dim + n) as usize
    } else {
        dim as usize
    })
}

/// Like `normalize_dim` for an insertion point (`unsqueeze`): range `[-ndim-1, ndim]`.
pub fn normalize_insert_dim(op: &'static str, dim: i64, ndim: usize) -> Result<usize> {
    normalize_dim(op, dim, ndim + 1)
}

/// Normalises a list of dims and rejects repeats; an empty list means every dim.
pub fn normalize_dims(op: &'static str, dims: &[i64], ndim: usize) -> Result<Dims> {
    if dims.is_empty() {
        return Ok((0..ndim).collect());
    }
    let mut out = Dims::new();
    for &d in dims {
        let d = normalize_dim(op, d, ndim)?;
        if out.contains(&d) {
            return Err(Error::invalid(
                op,
                format!("dim {d} appears multiple times in the list of dims"),
            ));
        }
        out.push(d);
    }
    Ok(out)
}

/// The broadcast of two shapes (NumPy/PyTorch rules), or a mismatch naming `op`.
pub fn broadcast_shapes(op: &'static str, a: &[usize], b: &[usize]) -> Result<Dims> {
    let n = a.len().max(b.len());
    let mut out: Dims = smallvec::smallvec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(Error::ShapeMismatch {
                op,
                lhs: a.to_vec(),
                rhs: b.to_vec(),
                detail: format!(
                    "the size of tensor a ({da}) must match the size of tensor b ({db}) at non-singleton dimension {i}"
                ),
            });
        };
    }
    Ok(out)
}

/// Resolves one `-1` in a requested shape against `numel`.
pub fn infer_shape(op: &'static str, shape: &[i64], numel_in: usize) -> Result<Dims> {
    let mut infer = None;
    let mut known = 1usize;
    for (i, &s) in shape.iter().enumerate() {
        if s == -1 {
            if infer.is_some() {
                return Err(Error::invalid(op, "only one dimension can be inferred"));
            }
            infer = Some(i);
        } else if s < 0 {
            return Err(Error::invalid(op, format!("invalid shape dimension {s}")));
        } else {
            known *= s as usize;
        }
    }
    let mut out: Dims = shape.iter().map(|&s| s.max(0) as usize).collect();
    if let Some(i) = infer {
        if known == 0 || !numel_in.is_multiple_of(known) {
            return Err(Error::invalid(
                op,
                format!("shape '{shape:?}' is invalid for input of size {numel_in}"),
            ));
        }
        out[i] = numel_in / known;
    } else if known != numel_in {
        return Err(Error::invalid(
            op,
            format!("shape '{shape:?}' is invalid for input of size {numel_in}"),
        ));
    }
    Ok(out)
}

/// Converts a `&[usize]` shape to the `i64` form the `-1`-accepting APIs take.
pub fn to_i64(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&s| s as i64).collect()
}
