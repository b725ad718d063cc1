//! The `classify` example's logic: image files to top-k ImageNet classes with the pretrained
//! MobileNetV2, using torchvision's ImageNet eval preprocessing on the uint8 image tensor.

use std::path::Path;

use torch_core::{DType, Error, Result, Tensor, autograd};
use torch_nn::{Forward, Module};
use torch_vision::io::{ImageReadMode, read_image};
use torch_vision::models::{MobileNetV2, imagenet_classes, mobilenet_v2};
use torch_vision::transforms::{
    CenterCrop, Compose, InterpolationMode, Normalize, Resize, ToDtype, Transform,
};

/// ImageNet's per-channel mean (torchvision's `IMAGENET1K_V1` transforms).
pub const IMAGENET_MEAN: [f64; 3] = [0.485, 0.456, 0.406];
/// ImageNet's per-channel standard deviation.
pub const IMAGENET_STD: [f64; 3] = [0.229, 0.224, 0.225];

/// One of the top-k classes of an image.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    /// The ImageNet class id (0..1000).
    pub index: usize,
    /// Its name, `imagenet_classes()[index]`.
    pub class: &'static str,
    /// Its softmax probability in `[0, 1]`.
    pub probability: f64,
}

/// torchvision's ImageNet eval preprocessing (`ImageClassification(crop_size=224)`) as v2
/// transforms on a uint8 `(3, H, W)` image: `Resize(256, bilinear, antialias=True)` on the
/// shorter side, `CenterCrop(224)`, `ToDtype(float32, scale=True)`, `Normalize(mean, std)`.
pub fn imagenet_preprocess() -> Compose {
    let resize = torch_vision::transforms::functional::ResizeOptions {
        interpolation: InterpolationMode::Bilinear,
        antialias: true,
        ..Default::default()
    };
    Compose::new(vec![
        Box::new(Resize::with_options(&[256], resize)),
        Box::new(CenterCrop::new(&[224])),
        Box::new(ToDtype::new(DType::F32, true)),
        Box::new(Normalize::new(&IMAGENET_MEAN, &IMAGENET_STD)),
    ])
}

/// The pretrained MobileNetV2 in eval mode with its preprocessing and class names.
pub struct Classifier {
    net: MobileNetV2,
    preprocess: Compose,
    classes: Vec<&'static str>,
}

impl Classifier {
    /// Loads torchvision's MobileNetV2 weights from `weights` (`.pth` or `.safetensors`); the
    /// error names the file when it is missing or does not hold MobileNetV2's state dict.
    pub fn new(weights: &Path) -> Result<Classifier> {
        if !weights.is_file() {
            return Err(Error::io(
                weights,
                std::io::Error::new(std::io::ErrorKind::NotFound, "weights file not found"),
            ));
        }
        let net = mobilenet_v2(Some(weights), Default::default())?;
        net.eval();
        Ok(Classifier {
            net,
            preprocess: imagenet_preprocess(),
            classes: imagenet_classes(),
        })
    }

    /// The `k` most probable classes of a uint8 RGB image `(3, H, W)`, most probable first:
    /// `softmax(net(preprocess(image)[None]), 1).topk(k)`.
    pub fn classify_tensor(&self, image: &Tensor, k: usize) -> Result<Vec<Prediction>> {
        let x = self.preprocess.forward(image)?.unsqueeze(0)?; // (1, 3, 224, 224)
        let probs = {
            let _g = autograd::no_grad();
            self.net.call(&x)?.softmax(1)? // (1, 1000)
        };
        let (values, indices) = probs.topk(k, 1, true)?;
        let values = values.to_vec_f64()?;
        let indices = indices.to_vec::<i64>()?;
        indices
            .iter()
            .zip(values)
            .map(|(&i, probability)| {
                let index = usize::try_from(i)
                    .map_err(|_| Error::invalid("classify", format!("bad class index {i}")))?;
                let class = self.classes.get(index).copied().ok_or_else(|| {
                    Error::invalid("classify", format!("class index {index} out of range"))
                })?;
                Ok(Prediction {
                    index,
                    class,
                    probability,
                })
            })
            .collect()
    }

    /// Reads the image file at `path` as RGB (PNG or JPEG) and returns its top-`k` classes;
    /// the error names the file when it cannot be read or decoded.
    pub fn classify_file(&self, path: &Path, k: usize) -> Result<Vec<Prediction>> {
        let image = read_image(path, ImageReadMode::RGB)?;
        self.classify_tensor(&image, k)
    }
}

/// The lines printed for one image: its file name, then `"rank. class  probability%"`.
pub fn format_predictions(name: &str, predictions: &[Prediction]) -> String {
    let mut s = format!("{name}\n");
    for (rank, p) in predictions.iter().enumerate() {
        s.push_str(&format!(
            "{:>3}. {:<30} {:>6.2}%\n",
            rank + 1,
            p.class,
            100.0 * p.probability
        ));
    }
    s
}
