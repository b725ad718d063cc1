//! Python-style formatting of values in module reprs (`1.0`, `True`, `(3, 3)`), so `Display`
//! prints what PyTorch prints.

/// A float as Python prints it: `1.0`, `0.01`, `1e-05`.
pub(crate) fn float(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e16 {
        format!("{v:.1}")
    } else if v != 0.0 && v.abs() < 1e-4 {
        // Python switches to exponent notation below 1e-4: 1e-05.
        let s = format!("{v:e}");
        match s.split_once('e') {
            Some((m, e)) => {
                let (sign, digits) = e.strip_prefix('-').map_or(("+", e), |d| ("-", d));
                format!("{m}e{sign}{digits:0>2}")
            }
            None => s,
        }
    } else {
        format!("{v}")
    }
}

/// `True` / `False`.
pub(crate) fn bool(v: bool) -> &'static str {
    if v { "True" } else { "False" }
}

/// A Python tuple of sizes: `(3,)`, `(3, 3)`.
pub(crate) fn tuple(s: &[usize]) -> String {
    match s {
        [x] => format!("({x},)"),
        _ => {
            let items: Vec<String> = s.iter().map(|x| x.to_string()).collect();
            format!("({})", items.join(", "))
        }
    }
}

/// A size argument as PyTorch echoes a value given as an int or a tuple: `2` when every
/// entry is equal (the common `MaxPool2d(2)`), else the tuple.
pub(crate) fn size(s: &[usize]) -> String {
    match s.split_first() {
        Some((first, rest)) if rest.iter().all(|x| x == first) => first.to_string(),
        _ => tuple(s),
    }
}
