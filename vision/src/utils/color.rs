//! Colours as torchvision's drawing utilities take them: PIL colour names, `#rgb`/`#rrggbb`
//! strings or RGB triples, one for all objects or one per object, and torchvision's default
//! palette.

use torch_core::{Error, Result};

/// An RGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Color(pub [u8; 3]);

/// PIL's `ImageColor` names for the common colours (CSS values).
const NAMED: &[(&str, [u8; 3])] = &[
    ("black", [0, 0, 0]),
    ("white", [255, 255, 255]),
    ("red", [255, 0, 0]),
    ("lime", [0, 255, 0]),
    ("green", [0, 128, 0]),
    ("blue", [0, 0, 255]),
    ("yellow", [255, 255, 0]),
    ("cyan", [0, 255, 255]),
    ("aqua", [0, 255, 255]),
    ("magenta", [255, 0, 255]),
    ("fuchsia", [255, 0, 255]),
    ("orange", [255, 165, 0]),
    ("purple", [128, 0, 128]),
    ("pink", [255, 192, 203]),
    ("brown", [165, 42, 42]),
    ("gray", [128, 128, 128]),
    ("grey", [128, 128, 128]),
    ("silver", [192, 192, 192]),
    ("maroon", [128, 0, 0]),
    ("navy", [0, 0, 128]),
    ("olive", [128, 128, 0]),
    ("teal", [0, 128, 128]),
    ("gold", [255, 215, 0]),
    ("violet", [238, 130, 238]),
    ("indigo", [75, 0, 130]),
    ("orchid", [218, 112, 214]),
    ("coral", [255, 127, 80]),
    ("salmon", [250, 128, 114]),
];

impl Color {
    /// Parses a PIL colour string: a common name (`"red"`), `#rgb` or `#rrggbb`
    /// (`PIL.ImageColor.getrgb`).
    pub fn parse(s: &str) -> Result<Self> {
        let lower = s.trim().to_ascii_lowercase();
        if let Some(&(_, rgb)) = NAMED.iter().find(|(n, _)| *n == lower) {
            return Ok(Color(rgb));
        }
        let bad = || Error::invalid("Color", format!("unknown color specifier: {s:?}"));
        let hex = lower.strip_prefix('#').ok_or_else(bad)?;
        let digit =
            |i: usize, len: usize| u8::from_str_radix(&hex[i..i + len], 16).map_err(|_| bad());
        match hex.len() {
            3 => Ok(Color([
                digit(0, 1)? * 17,
                digit(1, 1)? * 17,
                digit(2, 1)? * 17,
            ])),
            6 => Ok(Color([digit(0, 2)?, digit(2, 2)?, digit(4, 2)?])),
            _ => Err(bad()),
        }
    }
}

impl From<(u8, u8, u8)> for Color {
    fn from((r, g, b): (u8, u8, u8)) -> Self {
        Color([r, g, b])
    }
}

impl From<[u8; 3]> for Color {
    fn from(rgb: [u8; 3]) -> Self {
        Color(rgb)
    }
}

/// The `colors` argument: one colour for every object, or one per object (at least as many
/// as there are objects).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Colors {
    /// The same colour for all objects.
    Same(Color),
    /// Colour `i` for object `i`.
    PerObject(Vec<Color>),
}

impl From<Color> for Colors {
    fn from(c: Color) -> Self {
        Colors::Same(c)
    }
}

impl From<Vec<Color>> for Colors {
    fn from(v: Vec<Color>) -> Self {
        Colors::PerObject(v)
    }
}

impl Colors {
    /// Parses one PIL colour string for all objects.
    pub fn parse(s: &str) -> Result<Self> {
        Ok(Colors::Same(Color::parse(s)?))
    }

    /// Parses one PIL colour string per object.
    pub fn parse_each(names: &[&str]) -> Result<Self> {
        Ok(Colors::PerObject(
            names
                .iter()
                .map(|s| Color::parse(s))
                .collect::<Result<_>>()?,
        ))
    }
}

/// torchvision's `_parse_colors`: `n` colours from `colors`, or its default palette.
pub(crate) fn resolve(op: &'static str, colors: Option<&Colors>, n: usize) -> Result<Vec<Color>> {
    match colors {
        None => Ok((0..n).map(palette).collect()),
        Some(Colors::Same(c)) => Ok(vec![*c; n]),
        Some(Colors::PerObject(v)) if v.len() < n => Err(Error::invalid(
            op,
            format!(
                "Number of colors must be equal or larger than the number of objects, but got {} < {n}.",
                v.len()
            ),
        )),
        Some(Colors::PerObject(v)) => Ok(v[..n].to_vec()),
    }
}

/// torchvision's `_generate_color_palette`: `(i * [2^25-1, 2^15-1, 2^21-1]) % 255`.
fn palette(i: usize) -> Color {
    let f = |p: u64| ((i as u64 * p) % 255) as u8;
    Color([f((1 << 25) - 1), f((1 << 15) - 1), f((1 << 21) - 1)])
}
