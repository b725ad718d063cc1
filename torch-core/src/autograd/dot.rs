//! The recorded graph of a result as Graphviz dot, like torchviz's `make_dot`.

use std::collections::HashSet;
use std::fmt::Write;
use std::sync::Arc;

use crate::Tensor;
use crate::autograd::node::Edge;

/// The graph that produced `t` as Graphviz dot: one box per op (name and output shape), one
/// per leaf (shape), edges from inputs to consumers.
pub fn to_dot(t: &Tensor) -> String {
    let mut out = String::from("digraph {\n  node [shape=box, fontname=monospace];\n");
    let Some(root) = t.grad_fn() else {
        let _ = writeln!(out, "  t{} [label=\"{:?}\"];", t.id(), t.shape());
        out.push_str("}\n");
        return out;
    };
    let mut seen = HashSet::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        let id = Arc::as_ptr(&n) as usize;
        if !seen.insert(id) {
            continue;
        }
        let _ = writeln!(
            out,
            "  n{id} [label=\"{}\\n{:?}\", style=filled, fillcolor=lightgrey];",
            n.name(),
            n.shape()
        );
        for e in n.edges.iter().flatten() {
            match e {
                Edge::Node(next) => {
                    let _ = writeln!(out, "  n{} -> n{id};", Arc::as_ptr(next) as usize);
                    stack.push(next.clone());
                }
                Edge::Leaf(leaf) => {
                    let _ = writeln!(
                        out,
                        "  t{} [label=\"{:?}\", style=filled, fillcolor=lightblue];\n  t{} -> n{id};",
                        leaf.id(),
                        leaf.shape(),
                        leaf.id()
                    );
                }
            }
        }
    }
    out.push_str("}\n");
    out
}
