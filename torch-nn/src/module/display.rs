//! Module `Display`, as PyTorch's `Module.__repr__`: `Name(extra_repr)` for a leaf, an
//! indented `(name): child` tree otherwise.

use std::fmt;

use super::Module;

fn repr(m: &dyn Module) -> String {
    let extra = m.extra_repr();
    let mut lines: Vec<String> = if extra.is_empty() {
        Vec::new()
    } else {
        extra.lines().map(str::to_string).collect()
    };
    let n_extra = lines.len();
    // Children's own lines are indented by two more spaces.
    let children: Vec<(String, String)> = m
        .named_children()
        .into_iter()
        .map(|(name, c)| (name, repr(c).replace('\n', "\n  ")))
        .collect();
    if m.type_name() == "ModuleList" {
        // PyTorch's ModuleList folds runs of identical children: `(0-1): 2 x Block(...)`.
        let mut i = 0;
        while i < children.len() {
            let j = (i..children.len())
                .take_while(|&j| children[j].1 == children[i].1)
                .last()
                .unwrap_or(i);
            lines.push(if j > i {
                format!("({i}-{j}): {} x {}", j - i + 1, children[i].1)
            } else {
                format!("({}): {}", children[i].0, children[i].1)
            });
            i = j + 1;
        }
    } else {
        for (name, child) in children {
            lines.push(format!("({name}): {child}"));
        }
    }
    let mut s = format!("{}(", m.type_name());
    if n_extra == 1 && lines.len() == 1 {
        s.push_str(&lines[0]);
    } else if !lines.is_empty() {
        s.push_str("\n  ");
        s.push_str(&lines.join("\n  "));
        s.push('\n');
    }
    s.push(')');
    s
}

/// Writes `m` as PyTorch prints a module; `#[derive(Module)]`'s `Display` calls this.
pub fn fmt_module(m: &dyn Module, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str(&repr(m))
}

impl fmt::Display for dyn Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_module(self, f)
    }
}
