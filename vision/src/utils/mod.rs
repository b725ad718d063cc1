//! `torchvision.utils`: `make_grid`, `save_image`, `draw_bounding_boxes`,
//! `draw_segmentation_masks`, and the colour specifications they take.

mod color;
mod draw;
mod grid;
mod text;

pub use self::color::{Color, Colors};
pub use self::draw::{
    DrawBoundingBoxesOptions, DrawSegmentationMasksOptions, draw_bounding_boxes,
    draw_segmentation_masks,
};
pub use self::grid::{MakeGridOptions, make_grid, save_image};
