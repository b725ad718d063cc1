//! Stride-1 convolutions without im2col ("shifted gemm"). A block of input rows is copied
//! once into a zero-padded buffer whose rows are `wp = ow + (kw - 1) * dw` wide; on that grid
//! kernel tap `(ki, kj)` is the constant offset `ki * dh * wp + kj * dw`, so its contribution
//! `W[:, :, ki, kj] @ x_shifted` is one strided gemm over the channels. Outputs live on the
//! padded grid (`wp - ow` junk columns per row, position-major so gemm never packs the input)
//! and are transposed into the NCHW output afterwards. Compared with im2col this copies the
//! input once instead of `kh * kw` times in short row pieces.

use super::exec::{Dst, Mat, Real, SyncPtr, gemm, grow, run_reduce, run_tasks};
use super::im2col::Plan;

/// Whether the shifted kernels apply: stride 1, and enough channels per group that a gemm
/// with `k = channels` is efficient (depthwise convolutions keep im2col).
pub(super) fn applies(pl: &Plan) -> bool {
    pl.geom.stride == [1, 1] && pl.c >= 8 && pl.kh * pl.kw > 1
}

/// Padded-row geometry of a plan.
#[derive(Clone, Copy)]
struct Grid {
    /// Row width of the padded buffer.
    wp: usize,
    /// Extra input rows a block of output rows needs: `(kh - 1) * dh`.
    halo: usize,
    /// Output rows per block.
    rb: usize,
    nblk: usize,
}

/// Elements of the padded input block each task holds (512 KiB of f32, half an L2).
const BLOCK: usize = 128 * 1024;
/// Weight-gradient gemms split the input channels into chunks this narrow, so gemm reads
/// the shifted input in place instead of packing it once per tap (it packs when n > 48).
const WGRAD_CHUNK: usize = 48;

impl Grid {
    fn new(pl: &Plan) -> Self {
        let wp = pl.ow + (pl.kw - 1) * pl.geom.dilation[1];
        let halo = (pl.kh - 1) * pl.geom.dilation[0];
        let target = BLOCK;
        let rb = (target / (pl.c * wp).max(1))
            .saturating_sub(halo)
            .clamp(1, pl.oh.max(1));
        Grid {
            wp,
            halo,
            rb,
            nblk: pl.oh.div_ceil(rb),
        }
    }

    /// Output rows `r0..r1` of block `bi`.
    fn rows(&self, bi: usize, oh: usize) -> (usize, usize) {
        (bi * self.rb, ((bi + 1) * self.rb).min(oh))
    }

    /// Padded-grid positions computed for `rows` output rows (the last row has no junk).
    fn positions(&self, rows: usize, ow: usize) -> usize {
        (rows - 1) * self.wp + ow
    }

    /// Offset of tap `t` on the padded grid.
    fn offset(&self, pl: &Plan, t: usize) -> usize {
        let (ki, kj) = (t / pl.kw, t % pl.kw);
        ki * pl.geom.dilation[0] * self.wp + kj * pl.geom.dilation[1]
    }
}

/// Copies input rows for output rows `r0..` into `buf` (`[c, rows, wp]`): padded-grid
/// element `(i, j)` is input `(r0 + i - ph, j - pw)`, zero outside the input.
fn fill_block<T: Real>(x: &[T], pl: &Plan, r0: usize, rows: usize, wp: usize, buf: &mut [T]) {
    let [ph, pw] = pl.geom.pad;
    let (h, w) = (pl.h as isize, pl.w as isize);
    let jlo = pw.clamp(0, wp as isize) as usize;
    let jhi = (w + pw).clamp(jlo as isize, wp as isize) as usize;
    let src0 = (jlo as isize - pw) as usize;
    for c in 0..pl.c {
        for i in 0..rows {
            let d = &mut buf[(c * rows + i) * wp..][..wp];
            let ih = (r0 + i) as isize - ph;
            if ih < 0 || ih >= h || jlo >= jhi {
                d.fill(T::zero());
                continue;
            }
            let row = &x[(c * pl.h + ih as usize) * pl.w..][..pl.w];
            d[..jlo].fill(T::zero());
            d[jhi..].fill(T::zero());
            d[jlo..jhi].copy_from_slice(&row[src0..src0 + jhi - jlo]);
        }
    }
}

/// Forward stride-1 convolution (also the stride-1 transposed convolution through the
/// flipped kernel): `out: [n, o, oh, ow]` from `x: [n, c * groups, h, w]`, `w: [o, c, kh, kw]`.
pub(super) fn forward<T: Real>(
    x: &[T],
    w: &[T],
    bias: Option<&[T]>,
    out: &mut [T],
    (n, o): (usize, usize),
    pl: &Plan,
) {
    let g = pl.geom.groups;
    let (og, c, taps) = (o / g, pl.c, pl.kh * pl.kw);
    let grid = Grid::new(pl);
    // Per group and tap, the [c, og] weight slice: wt[g][t][c][oc]. gemm computes
    // tmp[q][oc] with og along its vector dim: the weights are the (small) packed operand and
    // the shifted input is read in place, never packed.
    let mut wt = vec![T::zero(); w.len()];
    for gi in 0..g {
        for oc in 0..og {
            for ci in 0..c {
                for t in 0..taps {
                    wt[((gi * taps + t) * c + ci) * og + oc] =
                        w[((gi * og + oc) * c + ci) * taps + t];
                }
            }
        }
    }
    let p = pl.positions();
    let outp = SyncPtr(out.as_mut_ptr());
    let macs = n * o * c * taps * p;
    run_tasks::<T>(n * g * grid.nblk, macs, |t, buf, par| {
        let (s, gi, bi) = (t / (g * grid.nblk), t / grid.nblk % g, t % grid.nblk);
        let (r0, r1) = grid.rows(bi, pl.oh);
        let rows_p = r1 - r0 + grid.halo;
        let plane = rows_p * grid.wp;
        let nq = grid.positions(r1 - r0, pl.ow);
        let (xpb, tmp) = grow(buf, c * plane + og * nq).split_at_mut(c * plane);
        let xs = &x[(s * g + gi) * pl.in_len()..][..pl.in_len()];
        fill_block(xs, pl, r0, rows_p, grid.wp, xpb);
        for tap in 0..taps {
            let a = Mat {
                ptr: wt[(gi * taps + tap) * og * c..].as_ptr(),
                rs: 1,
                cs: og,
            };
            let b = Mat {
                ptr: xpb[grid.offset(pl, tap)..].as_ptr(),
                rs: plane,
                cs: 1,
            };
            let d = Dst {
                ptr: tmp.as_mut_ptr(),
                rs: 1,
                cs: og,
            };
            // SAFETY: tmp is nq x og; a and b stay inside wt and xpb (the last tap reads up
            // to the end of the last padded row).
            unsafe { gemm(og, nq, c, d, tap > 0, a, b, par) };
        }
        // Transpose the valid columns into the NCHW output, 16 positions at a time so the
        // strided reads stay in a few KiB of cache.
        for i in 0..r1 - r0 {
            for j0 in (0..pl.ow).step_by(16) {
                let jn = 16.min(pl.ow - j0);
                let src = &tmp[(i * grid.wp + j0) * og..][..jn * og];
                for oc in 0..og {
                    let v = bias.map_or(T::zero(), |b| b[gi * og + oc]);
                    let at = ((s * o + gi * og + oc) * pl.oh + r0 + i) * pl.ow + j0;
                    // SAFETY: sample s, channel gi*og+oc, output row r0+i belongs to this
                    // task only, and `at + jn` stays inside that row.
                    let dst = unsafe { std::slice::from_raw_parts_mut(outp.get().add(at), jn) };
                    for (jj, d) in dst.iter_mut().enumerate() {
                        *d = src[jj * og + oc] + v;
                    }
                }
            }
        }
    });
}

/// Weight gradient of a stride-1 convolution: `gw[o, c, ki, kj] = sum_{n, q} go[n, o, q] *
/// x_padded[n, c, q + offset(ki, kj)]`, for `go: [n, o, oh, ow]`; returns `[o, c, kh, kw]`.
pub(super) fn weight_grad<T: Real>(x: &[T], go: &[T], (n, o): (usize, usize), pl: &Plan) -> Vec<T> {
    let g = pl.geom.groups;
    let (og, c, taps) = (o / g, pl.c, pl.kh * pl.kw);
    let grid = Grid::new(pl);
    let macs = n * o * c * taps * pl.positions();
    // acc[g][t][c][oc]: gemm's vector dim (oc) is contiguous.
    let acc = run_reduce::<T>(
        n * g * grid.nblk,
        g * taps * c * og,
        macs,
        |t, acc, buf, par| {
            let (s, gi, bi) = (t / (g * grid.nblk), t / grid.nblk % g, t % grid.nblk);
            let (r0, r1) = grid.rows(bi, pl.oh);
            let rows_p = r1 - r0 + grid.halo;
            let plane = rows_p * grid.wp;
            let nq = grid.positions(r1 - r0, pl.ow);
            let (xpb, gob) = grow(buf, c * plane + og * nq).split_at_mut(c * plane);
            fill_block(
                &x[(s * g + gi) * pl.in_len()..][..pl.in_len()],
                pl,
                r0,
                rows_p,
                grid.wp,
                xpb,
            );
            // The output gradient on the padded grid, zero in the junk columns, transposed
            // ([nq, og]) so gemm's vector dim (og) is contiguous and nothing is packed.
            gob.fill(T::zero());
            // In tiles of 16 columns, so the scattered writes stay within a few KiB.
            for i in 0..r1 - r0 {
                for j0 in (0..pl.ow).step_by(16) {
                    let jn = 16.min(pl.ow - j0);
                    let dst = &mut gob[(i * grid.wp + j0) * og..][..jn * og];
                    for oc in 0..og {
                        let row = ((s * o + gi * og + oc) * pl.oh + r0 + i) * pl.ow + j0;
                        for (jj, &v) in go[row..row + jn].iter().enumerate() {
                            dst[jj * og + oc] = v;
                        }
                    }
                }
            }
            let a = Mat {
                ptr: gob.as_ptr(),
                rs: 1,
                cs: og,
            };
            for tap in 0..taps {
                for c0 in (0..c).step_by(WGRAD_CHUNK) {
                    let cn = WGRAD_CHUNK.min(c - c0);
                    let b = Mat {
                        ptr: xpb[grid.offset(pl, tap) + c0 * plane..].as_ptr(),
                        rs: 1,
                        cs: plane,
                    };
                    let d = Dst {
                        ptr: acc[((gi * taps + tap) * c + c0) * og..].as_mut_ptr(),
                        rs: 1,
                        cs: og,
                    };
                    // SAFETY: the accumulator slice is og x c; a and b are in bounds as in
                    // forward.
                    unsafe { gemm(og, cn, nq, d, true, a, b, par) };
                }
            }
        },
    );
    let mut gw = vec![T::zero(); acc.len()];
    for gi in 0..g {
        for t in 0..taps {
            for ci in 0..c {
                for oc in 0..og {
                    gw[((gi * og + oc) * c + ci) * taps + t] =
                        acc[((gi * taps + t) * c + ci) * og + oc];
                }
            }
        }
    }
    gw
}
