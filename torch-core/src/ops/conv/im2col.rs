//! The geometry of a convolution in 2-D form (`Geom`, `Plan`) and im2col / col2im over a
//! block of output rows: the column matrix has one row per (channel, kernel tap) and one
//! column per output position; col2im is its adjoint (adds back).

use super::exec::Real;

/// Stride, top-left padding, dilation and groups of a convolution in 2-D form. Padding is
/// signed: a negative value crops (the flipped-kernel form of a transposed convolution).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Geom {
    pub stride: [usize; 2],
    pub pad: [isize; 2],
    pub dilation: [usize; 2],
    pub groups: usize,
}

/// One im2col problem: `c` channels of an `[h, w]` input, a `[kh, kw]` kernel and `[oh, ow]`
/// output positions (given explicitly: bottom/right padding is implied by them).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub kh: usize,
    pub kw: usize,
    pub oh: usize,
    pub ow: usize,
    pub geom: Geom,
}

impl Plan {
    /// Rows of the column matrix: `c * kh * kw`.
    pub(super) fn rows(&self) -> usize {
        self.c * self.kh * self.kw
    }
    pub(super) fn positions(&self) -> usize {
        self.oh * self.ow
    }
    pub(super) fn in_len(&self) -> usize {
        self.c * self.h * self.w
    }
    /// Output rows per block, so that a column block holds about `COL_BLOCK` elements.
    pub(super) fn block_rows(&self, target: usize) -> usize {
        (target / (self.rows() * self.ow).max(1)).clamp(1, self.oh.max(1))
    }
    /// A 1x1 kernel with stride 1 and no padding over the whole input: the input itself is
    /// the column matrix.
    pub(super) fn is_pointwise(&self) -> bool {
        self.kh == 1
            && self.kw == 1
            && self.geom.stride == [1, 1]
            && self.geom.pad == [0, 0]
            && self.oh == self.h
            && self.ow == self.w
    }
}

/// The output indices `o < n_out` with `0 <= o * s + off < len`, as `lo..hi`.
fn valid(off: isize, s: usize, len: usize, n_out: usize) -> (usize, usize) {
    let lo = if off >= 0 {
        0
    } else {
        off.unsigned_abs().div_ceil(s)
    };
    let hi = if off >= len as isize {
        0
    } else {
        ((len as isize - off) as usize).div_ceil(s)
    };
    let hi = hi.min(n_out);
    (lo.min(hi), hi)
}

/// Calls `f(row, ih, lo, hi, start)` for every column-matrix row and output row in `r0..r1`:
/// `ih` is the input row read (`None` when it is padding), `lo..hi` the valid output columns
/// and `start` the input column of output column `lo`.
#[inline]
fn for_each_segment(
    pl: &Plan,
    r0: usize,
    r1: usize,
    mut f: impl FnMut(usize, usize, Option<usize>, usize, usize, usize),
) {
    let [sh, sw] = pl.geom.stride;
    let [dh, dw] = pl.geom.dilation;
    let [ph, pw] = pl.geom.pad;
    for c in 0..pl.c {
        for ki in 0..pl.kh {
            for kj in 0..pl.kw {
                let row = (c * pl.kh + ki) * pl.kw + kj;
                let off_w = (kj * dw) as isize - pw;
                let (lo, hi) = valid(off_w, sw, pl.w, pl.ow);
                let start = (lo * sw) as isize + off_w;
                for (i, oh) in (r0..r1).enumerate() {
                    let ih = (oh * sh) as isize - ph + (ki * dh) as isize;
                    let ih =
                        (ih >= 0 && ih < pl.h as isize && lo < hi).then(|| c * pl.h + ih as usize);
                    f(row, i, ih, lo, hi, start.max(0) as usize);
                }
            }
        }
    }
}

/// Writes the column block of output rows `r0..r1` of `x` (`[c, h, w]`) into `col`
/// (`[c * kh * kw, (r1 - r0) * ow]`, row-major).
pub(crate) fn im2col<T: Real>(x: &[T], pl: &Plan, r0: usize, r1: usize, col: &mut [T]) {
    let nb = (r1 - r0) * pl.ow;
    let (ow, w, sw) = (pl.ow, pl.w, pl.geom.stride[1]);
    let zero = T::zero();
    for_each_segment(pl, r0, r1, |row, i, ih, lo, hi, start| {
        let d = &mut col[row * nb + i * ow..][..ow];
        let Some(ih) = ih else {
            d.fill(zero);
            return;
        };
        let src = &x[ih * w..][..w];
        d[..lo].fill(zero);
        d[hi..].fill(zero);
        if sw == 1 {
            d[lo..hi].copy_from_slice(&src[start..start + hi - lo]);
        } else {
            for (o, &v) in d[lo..hi].iter_mut().zip(src[start..].iter().step_by(sw)) {
                *o = v;
            }
        }
    });
}

/// Adds the column block of output rows `r0..r1` back into `x` (`[c, h, w]`): the adjoint
/// of `im2col`.
pub(crate) fn col2im_add<T: Real>(col: &[T], pl: &Plan, r0: usize, r1: usize, x: &mut [T]) {
    let nb = (r1 - r0) * pl.ow;
    let (ow, w, sw) = (pl.ow, pl.w, pl.geom.stride[1]);
    for_each_segment(pl, r0, r1, |row, i, ih, lo, hi, start| {
        let Some(ih) = ih else { return };
        let s = &col[row * nb + i * ow..][lo..hi];
        let dst = &mut x[ih * w..][..w];
        if sw == 1 {
            for (o, &v) in dst[start..start + hi - lo].iter_mut().zip(s) {
                *o += v;
            }
        } else {
            for (o, &v) in dst[start..].iter_mut().step_by(sw).zip(s) {
                *o += v;
            }
        }
    });
}
