//! Training curves as a PNG a person can open (plotters' bitmap backend with a bundled
//! DejaVu Sans Mono, so no system font is needed), written atomically.

use std::path::Path;
use std::sync::Once;

use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use torch_core::{Error, Result};

/// One line on a chart.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend entry.
    pub label: String,
    /// `(x, y)` points in order of x.
    pub points: Vec<(f64, f64)>,
}

impl Series {
    /// A line named `label` through `points`.
    pub fn new(label: &str, points: Vec<(f64, f64)>) -> Self {
        Self {
            label: label.into(),
            points,
        }
    }
}

/// One panel: a title, axis names and its lines.
#[derive(Clone, Debug)]
pub struct Chart {
    /// Caption above the panel.
    pub title: String,
    /// Name of the x axis.
    pub x_label: String,
    /// Name of the y axis.
    pub y_label: String,
    /// The lines drawn.
    pub series: Vec<Series>,
}

impl Chart {
    /// A panel titled `title` with axes `x_label`, `y_label` drawing `series`.
    pub fn new(title: &str, x_label: &str, y_label: &str, series: Vec<Series>) -> Self {
        Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            series,
        }
    }
}

/// The "Training loss" panel of the training examples: the loss of every batch (x in fractional
/// epochs) and each epoch's mean.
pub fn training_loss_chart(
    y_label: &str,
    per_batch: Vec<(f64, f64)>,
    epoch_mean: Vec<(f64, f64)>,
) -> Chart {
    Chart::new(
        "Training loss",
        "epoch",
        y_label,
        vec![
            Series::new("per batch", per_batch),
            Series::new("epoch mean", epoch_mean),
        ],
    )
}

const FONT: &[u8] = include_bytes!("../assets/DejaVuSansMono.ttf");
const COLORS: [RGBColor; 4] = [BLUE, RED, GREEN, MAGENTA];

fn bounds(c: &Chart) -> (f64, f64, f64, f64) {
    let pts = c.series.iter().flat_map(|s| s.points.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in pts {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if x0 > x1 {
        return (0.0, 1.0, 0.0, 1.0);
    }
    let pad = ((y1 - y0) * 0.05).max(1e-6);
    (x0, x1.max(x0 + 1e-6), y0 - pad, y1 + pad)
}

/// Draws `charts` side by side into a PNG at `path` (temporary file, then rename).
pub fn save_png(path: impl AsRef<Path>, charts: &[Chart]) -> Result<()> {
    let path = path.as_ref();
    static FONT_ONCE: Once = Once::new();
    FONT_ONCE.call_once(|| {
        // A font that fails to parse only loses the text; the curves are still drawn.
        let _ = register_font("sans-serif", FontStyle::Normal, FONT);
    });
    let err = |e: &dyn std::fmt::Display| Error::format(path, format!("drawing failed: {e}"));
    let (w, h) = (640 * charts.len().max(1) as u32, 480);
    let mut buf = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let areas = root.split_evenly((1, charts.len().max(1)));
        for (area, c) in areas.iter().zip(charts) {
            let (x0, x1, y0, y1) = bounds(c);
            let mut chart = ChartBuilder::on(area)
                .caption(&c.title, ("sans-serif", 22))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(64)
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(|e| err(&e))?;
            chart
                .configure_mesh()
                .x_desc(&c.x_label)
                .y_desc(&c.y_label)
                .draw()
                .map_err(|e| err(&e))?;
            for (i, s) in c.series.iter().enumerate() {
                let color = COLORS[i % COLORS.len()];
                chart
                    .draw_series(LineSeries::new(
                        s.points.iter().copied(),
                        color.stroke_width(2),
                    ))
                    .map_err(|e| err(&e))?
                    .label(&s.label)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
            }
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()
                .map_err(|e| err(&e))?;
        }
        root.present().map_err(|e| err(&e))?;
    }
    let img = image::RgbImage::from_raw(w, h, buf)
        .ok_or_else(|| Error::format(path, "plot buffer has the wrong size"))?;
    let tmp = path.with_extension("png.tmp");
    img.save_with_format(&tmp, image::ImageFormat::Png)
        .map_err(|e| Error::format(&tmp, format!("writing the PNG failed: {e}")))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}
