//! Tree walks behind the provided `Module` methods, in PyTorch's order: a module's own
//! parameters and buffers, then each child's subtree, depth first.

use std::collections::HashSet;

use torch_core::{DType, Result, Tensor};

use super::{Member, MemberMut, Module, ModuleBase};

/// Joins a prefix and a member name with a dot (`layer1.0` + `conv1`).
pub(crate) fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Calls `f(full_name, member)` for every member of the tree; a child is reported (as
/// `Member::Child`) before its own members.
pub(crate) fn walk<'a>(m: &'a dyn Module, prefix: &str, f: &mut dyn FnMut(&str, Member<'a>)) {
    let mut children = Vec::new();
    m.visit(&mut |name, member| match member {
        Member::Child(c) => children.push((join(prefix, name), c)),
        other => f(&join(prefix, name), other),
    });
    for (name, c) in children {
        f(&name, Member::Child(c));
        walk(c, &name, f);
    }
}

pub(super) fn named_parameters(m: &dyn Module) -> Vec<(String, Tensor)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    walk(m, "", &mut |name, member| {
        if let Member::Parameter(p) = member
            && seen.insert(p.id())
        {
            out.push((name.to_string(), p.tensor().clone()));
        }
    });
    out
}

pub(super) fn named_buffers(m: &dyn Module) -> Vec<(String, Tensor)> {
    let mut out = Vec::new();
    walk(m, "", &mut |name, member| {
        if let Member::Buffer(b, _) = member {
            out.push((name.to_string(), b.clone()));
        }
    });
    out
}

pub(super) fn named_modules(m: &dyn Module) -> Vec<(String, &dyn Module)> {
    let mut out = vec![(String::new(), m)];
    walk(m, "", &mut |name, member| {
        if let Member::Child(c) = member {
            out.push((name.to_string(), c));
        }
    });
    out
}

pub(super) fn for_each_base(m: &dyn Module, f: &mut dyn FnMut(&ModuleBase)) {
    walk(m, "", &mut |_, member| {
        if let Member::Base(b) = member {
            f(b)
        }
    });
}

pub(super) fn apply(m: &dyn Module, f: &mut dyn FnMut(&dyn Module)) {
    for c in m.children() {
        apply(c, f);
    }
    f(m);
}

fn walk_mut(m: &mut dyn Module, f: &mut dyn FnMut(MemberMut<'_>) -> Result<()>) -> Result<()> {
    let mut result = Ok(());
    m.visit_mut(&mut |_, member| {
        if result.is_err() {
            return;
        }
        result = match member {
            MemberMut::Child(c) => walk_mut(c, f),
            other => f(other),
        };
    });
    result
}

pub(super) fn to_dtype<M: Module + ?Sized>(m: &mut M, dtype: DType) -> Result<()> {
    let mut cast = |member: MemberMut<'_>| -> Result<()> {
        match member {
            MemberMut::Parameter(p) if p.dtype().is_float() => p.set_dtype(dtype),
            MemberMut::Buffer(b, _) if b.dtype().is_float() => {
                *b = b.to_dtype(dtype)?;
                Ok(())
            }
            _ => Ok(()),
        }
    };
    let mut result = Ok(());
    m.visit_mut(&mut |_, member| {
        if result.is_ok() {
            result = match member {
                MemberMut::Child(c) => walk_mut(c, &mut cast),
                other => cast(other),
            };
        }
    });
    result
}
