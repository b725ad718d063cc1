//! `einsum` with general subscripts, including `...` and implicit output: each operand first
//! takes its repeated-letter diagonals and sums letters used nowhere else, then operands are
//! contracted pairwise through `bmm` (batch, left, contracted, right letters).

use std::collections::BTreeMap;

use crate::{Error, Result, Tensor};

const OP: &str = "einsum";

/// Parses one operand's subscripts, expanding `...` to `ell` placeholder letters.
fn parse_term(term: &str, ndim: usize, ell_letters: &mut Vec<char>) -> Result<Vec<char>> {
    let named = term.replace("...", "").chars().count();
    let mut out = Vec::new();
    if term.contains("...") {
        if ndim < named {
            return Err(Error::invalid(
                OP,
                format!("operand has {ndim} dims but subscripts '{term}' need at least {named}"),
            ));
        }
        let n_ell = ndim - named;
        // Placeholders are private-use chars, aligned from the right as broadcasting does.
        while ell_letters.len() < n_ell {
            ell_letters.insert(
                0,
                char::from_u32(0xE000 + ell_letters.len() as u32).unwrap_or('?'),
            );
        }
        let (pre, post) = term.split_once("...").unwrap_or((term, ""));
        out.extend(pre.chars());
        out.extend(ell_letters[ell_letters.len() - n_ell..].iter().copied());
        out.extend(post.chars());
    } else {
        out.extend(term.chars());
        if out.len() != ndim {
            return Err(Error::invalid(
                OP,
                format!(
                    "the number of subscripts in '{term}' ({}) does not match the number of dimensions ({ndim})",
                    out.len()
                ),
            ));
        }
    }
    if let Some(c) = out
        .iter()
        .find(|c| !(c.is_ascii_alphabetic() || ('\u{E000}'..'\u{F000}').contains(c)))
    {
        return Err(Error::invalid(
            OP,
            format!("invalid subscript '{c}': subscripts must be letters"),
        ));
    }
    Ok(out)
}

/// Takes diagonals for repeated letters and sums letters not in `keep`.
fn reduce_operand(
    mut t: Tensor,
    mut letters: Vec<char>,
    keep: &dyn Fn(char) -> bool,
) -> Result<(Tensor, Vec<char>)> {
    loop {
        let dup = (0..letters.len()).find_map(|i| {
            (i + 1..letters.len())
                .find(|&j| letters[j] == letters[i])
                .map(|j| (i, j))
        });
        let Some((i, j)) = dup else { break };
        if t.shape()[i] != t.shape()[j] {
            return Err(Error::invalid(
                OP,
                format!(
                    "subscript '{}' is repeated for dims of different sizes {} and {}",
                    letters[i],
                    t.shape()[i],
                    t.shape()[j]
                ),
            ));
        }
        // diagonal removes i and j and appends the diagonal as the last dim.
        t = t.diagonal(0, i as i64, j as i64)?;
        let c = letters[i];
        letters.remove(j);
        letters.remove(i);
        letters.push(c);
    }
    let drop: Vec<i64> = letters
        .iter()
        .enumerate()
        .filter(|(_, c)| !keep(**c))
        .map(|(i, _)| i as i64)
        .collect();
    if !drop.is_empty() {
        t = t.sum_dim(&drop, false)?;
        letters.retain(|c| keep(*c));
    }
    Ok((t, letters))
}

/// Contracts two operands over the letters not in `keep`, via one `bmm`.
fn contract(
    a: &Tensor,
    la: &[char],
    b: &Tensor,
    lb: &[char],
    keep: &dyn Fn(char) -> bool,
) -> Result<(Tensor, Vec<char>)> {
    // A shared letter of size 1 on one side broadcasts to the other side's size.
    let size_of = |c: char| -> usize {
        let sa = la.iter().position(|&x| x == c).map(|i| a.shape()[i]);
        let sb = lb.iter().position(|&x| x == c).map(|i| b.shape()[i]);
        sa.into_iter().chain(sb).find(|&s| s != 1).unwrap_or(1)
    };
    let mut batch = Vec::new();
    let mut contracted = Vec::new();
    let mut left = Vec::new();
    let mut right = Vec::new();
    for &c in la {
        if lb.contains(&c) {
            if keep(c) {
                batch.push(c)
            } else {
                contracted.push(c)
            }
        } else {
            left.push(c);
        }
    }
    for &c in lb {
        if !la.contains(&c) {
            right.push(c);
        }
    }
    // Broadcast size-1 dims of shared letters.
    let arrange = |t: &Tensor, l: &[char], groups: [&[char]; 3]| -> Result<Tensor> {
        let mut perm = Vec::new();
        let mut shape = Vec::new();
        let mut inter = Vec::new();
        for g in groups {
            for c in g {
                let (pos, have) = match l.iter().position(|x| x == c) {
                    Some(p) => (Some(p), t.shape()[p]),
                    None => (None, 1),
                };
                if let Some(p) = pos {
                    perm.push(p as i64);
                }
                inter.push(if pos.is_some() { have as i64 } else { 1 });
                shape.push(size_of(*c) as i64);
            }
        }
        let t = t.permute(&perm)?.reshape(&inter)?.expand(&shape)?;
        let g: Vec<i64> = groups
            .iter()
            .map(|g| g.iter().map(|&c| size_of(c) as i64).product())
            .collect();
        t.reshape(&g)
    };
    let a3 = arrange(a, la, [&batch, &left, &contracted])?;
    let b3 = arrange(b, lb, [&batch, &contracted, &right])?;
    let out = a3.bmm(&b3)?;
    let shape: Vec<i64> = batch
        .iter()
        .chain(&left)
        .chain(&right)
        .map(|&c| size_of(c) as i64)
        .collect();
    let letters: Vec<char> = batch.iter().chain(&left).chain(&right).copied().collect();
    Ok((out.reshape(&shape)?, letters))
}

impl Tensor {
    /// Einstein summation (`torch.einsum`), e.g. `"bij,bjk->bik"`, `"ii->i"`, `"...ij->...ji"`,
    /// or implicit output (`"ij,jk"`: the letters used once, sorted).
    pub fn einsum(equation: &str, operands: &[&Tensor]) -> Result<Tensor> {
        let eq: String = equation.chars().filter(|c| !c.is_whitespace()).collect();
        let (lhs, rhs) = match eq.split_once("->") {
            Some((l, r)) => (l.to_string(), Some(r.to_string())),
            None => (eq.clone(), None),
        };
        let terms: Vec<&str> = lhs.split(',').collect();
        if terms.len() != operands.len() {
            return Err(Error::invalid(
                OP,
                format!(
                    "{} operands were provided but the equation specifies {}",
                    operands.len(),
                    terms.len()
                ),
            ));
        }
        let mut ell = Vec::new();
        let mut parsed = Vec::new();
        for (t, x) in terms.iter().zip(operands) {
            parsed.push(parse_term(t, x.dim(), &mut ell)?);
        }
        let out: Vec<char> = match &rhs {
            Some(r) => {
                let o = parse_term(
                    r,
                    r.replace("...", "").chars().count()
                        + if r.contains("...") { ell.len() } else { 0 },
                    &mut ell.clone(),
                )?;
                for c in &o {
                    if !parsed.iter().any(|p| p.contains(c)) {
                        return Err(Error::invalid(
                            OP,
                            format!(
                                "output subscript '{c}' does not appear in the equation for any input operand"
                            ),
                        ));
                    }
                }
                o
            }
            None => {
                let mut count: BTreeMap<char, usize> = BTreeMap::new();
                for p in &parsed {
                    for &c in p {
                        *count.entry(c).or_default() += 1;
                    }
                }
                let mut o: Vec<char> = ell.clone();
                o.extend(
                    count
                        .iter()
                        .filter(|(c, n)| **n == 1 && c.is_ascii_alphabetic())
                        .map(|(c, _)| *c),
                );
                o
            }
        };
        // Each operand: diagonals, then sum letters used by no other operand and not output.
        let mut ops: Vec<(Tensor, Vec<char>)> = Vec::new();
        for (i, (x, l)) in operands.iter().zip(&parsed).enumerate() {
            let elsewhere = |c: char| {
                out.contains(&c)
                    || parsed
                        .iter()
                        .enumerate()
                        .any(|(j, p)| j != i && p.contains(&c))
            };
            ops.push(reduce_operand((*x).clone(), l.clone(), &elsewhere)?);
        }
        let mut iter = ops.into_iter();
        let (mut acc, mut la) = iter
            .next()
            .ok_or_else(|| Error::invalid(OP, "must provide at least one operand"))?;
        let rest: Vec<(Tensor, Vec<char>)> = iter.collect();
        for (k, (t, lb)) in rest.iter().enumerate() {
            let later: Vec<char> = rest[k + 1..]
                .iter()
                .flat_map(|(_, l)| l.iter().copied())
                .collect();
            let keep = |c: char| out.contains(&c) || later.contains(&c);
            let (r, l) = contract(&acc, &la, t, lb, &keep)?;
            acc = r;
            la = l;
        }
        let (acc, la) = reduce_operand(acc, la, &|c| out.contains(&c))?;
        let perm: Vec<i64> = out
            .iter()
            .map(|c| {
                la.iter()
                    .position(|x| x == c)
                    .map(|p| p as i64)
                    .ok_or_else(|| Error::invalid(OP, format!("subscript '{c}' lost")))
            })
            .collect::<Result<_>>()?;
        acc.permute(&perm)
    }
}
