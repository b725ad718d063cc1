//! ResNet-18/34/50/101/152 (and ResNeXt-50 32x4d, Wide ResNet-50-2), as torchvision's
//! `models.resnet*`: `BasicBlock` / `Bottleneck` stacked in `layer1..4`, shortcut projections
//! under `layerX.0.downsample.0/1`.

use std::path::Path;

use torch_core::{Error, MaxPool2dOptions, Result, Tensor};
use torch_nn::init;
use torch_nn::{
    AdaptiveAvgPool2d, BatchNorm2d, Conv2d, ConvOptions, Forward, Linear, MaxPool2d, Module,
    ModuleBase, ReLU, Sequential,
};

use super::init::{LinearInit, init_weights};
use super::misc::conv_opts;
use super::weights::build_model;

/// The residual block a ResNet stacks (torchvision passes the class).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Block {
    /// Two 3x3 convs, expansion 1 (ResNet-18/34).
    Basic,
    /// 1x1, 3x3, 1x1 convs, expansion 4 (ResNet-50 and deeper).
    Bottleneck,
}

impl Block {
    /// Output channels per `planes` (`block.expansion`).
    pub fn expansion(self) -> usize {
        match self {
            Block::Basic => 1,
            Block::Bottleneck => 4,
        }
    }
}

/// Keyword arguments of `models.resnet*` / `ResNet(block, layers, ...)`, with torchvision's
/// defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResNetOptions {
    /// Size of `fc`; default 1000.
    pub num_classes: usize,
    /// Zero the last BatchNorm weight of each block, so blocks start as identities; default
    /// false.
    pub zero_init_residual: bool,
    /// Groups of the 3x3 convs of Bottleneck blocks (ResNeXt); default 1.
    pub groups: usize,
    /// Channels per group of Bottleneck blocks; default 64.
    pub width_per_group: usize,
    /// Replace the stride 2 of layer2/3/4 by dilation; default all false.
    pub replace_stride_with_dilation: [bool; 3],
}

impl Default for ResNetOptions {
    fn default() -> Self {
        ResNetOptions {
            num_classes: 1000,
            zero_init_residual: false,
            groups: 1,
            width_per_group: 64,
            replace_stride_with_dilation: [false; 3],
        }
    }
}

/// What one block is built from (torchvision's block constructor arguments).
#[derive(Clone, Copy, Debug)]
struct BlockSpec {
    inplanes: usize,
    planes: usize,
    stride: usize,
    groups: usize,
    base_width: usize,
    dilation: usize,
}

/// torchvision's `conv3x3`: padding = dilation, no bias.
fn conv3x3(
    cin: usize,
    cout: usize,
    stride: usize,
    groups: usize,
    dilation: usize,
) -> Result<Conv2d> {
    Conv2d::with_options(
        cin,
        cout,
        3,
        ConvOptions {
            groups,
            dilation: [dilation; 2],
            bias: false,
            ..conv_opts(stride, dilation)
        },
    )
}

/// torchvision's `conv1x1`: no bias.
fn conv1x1(cin: usize, cout: usize, stride: usize) -> Result<Conv2d> {
    Conv2d::with_options(
        cin,
        cout,
        1,
        ConvOptions {
            bias: false,
            ..conv_opts(stride, 0)
        },
    )
}

/// `relu(out + shortcut)`, where the shortcut is `x` or `downsample(x)`.
fn residual(out: &Tensor, x: &Tensor, downsample: Option<&Sequential>) -> Result<Tensor> {
    let identity = match downsample {
        Some(d) => d.call(x)?,
        None => x.clone(),
    };
    out.add(&identity)?.relu()
}

/// torchvision's `BasicBlock`: `relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`.
#[derive(Module)]
pub struct BasicBlock {
    base: ModuleBase,
    pub conv1: Conv2d,
    pub bn1: BatchNorm2d,
    pub relu: ReLU,
    pub conv2: Conv2d,
    pub bn2: BatchNorm2d,
    pub downsample: Option<Sequential>,
    pub stride: usize,
}

impl BasicBlock {
    fn new(s: BlockSpec, downsample: Option<Sequential>) -> Result<BasicBlock> {
        if s.groups != 1 || s.base_width != 64 {
            return Err(Error::invalid(
                "BasicBlock",
                "BasicBlock only supports groups=1 and base_width=64",
            ));
        }
        if s.dilation > 1 {
            return Err(Error::invalid(
                "BasicBlock",
                "Dilation > 1 not supported in BasicBlock",
            ));
        }
        Ok(BasicBlock {
            base: ModuleBase::default(),
            conv1: conv3x3(s.inplanes, s.planes, s.stride, 1, 1)?,
            bn1: BatchNorm2d::new(s.planes)?,
            relu: ReLU::new(),
            conv2: conv3x3(s.planes, s.planes, 1, 1, 1)?,
            bn2: BatchNorm2d::new(s.planes)?,
            downsample,
            stride: s.stride,
        })
    }
}

impl Forward for BasicBlock {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let out = self.relu.call(&self.bn1.call(&self.conv1.call(x)?)?)?;
        let out = self.bn2.call(&self.conv2.call(&out)?)?;
        residual(&out, x, self.downsample.as_ref())
    }
}

/// torchvision's `Bottleneck` (ResNet V1.5: the stride sits on the 3x3 conv): 1x1 to `width`,
/// 3x3 (grouped, strided), 1x1 to `planes * 4`, plus the shortcut.
#[derive(Module)]
pub struct Bottleneck {
    base: ModuleBase,
    pub conv1: Conv2d,
    pub bn1: BatchNorm2d,
    pub conv2: Conv2d,
    pub bn2: BatchNorm2d,
    pub conv3: Conv2d,
    pub bn3: BatchNorm2d,
    pub relu: ReLU,
    pub downsample: Option<Sequential>,
    pub stride: usize,
}

impl Bottleneck {
    fn new(s: BlockSpec, downsample: Option<Sequential>) -> Result<Bottleneck> {
        let width = s.planes * s.base_width / 64 * s.groups;
        let out = s.planes * Block::Bottleneck.expansion();
        Ok(Bottleneck {
            base: ModuleBase::default(),
            conv1: conv1x1(s.inplanes, width, 1)?,
            bn1: BatchNorm2d::new(width)?,
            conv2: conv3x3(width, width, s.stride, s.groups, s.dilation)?,
            bn2: BatchNorm2d::new(width)?,
            conv3: conv1x1(width, out, 1)?,
            bn3: BatchNorm2d::new(out)?,
            relu: ReLU::new(),
            downsample,
            stride: s.stride,
        })
    }
}

impl Forward for Bottleneck {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let out = self.relu.call(&self.bn1.call(&self.conv1.call(x)?)?)?;
        let out = self.relu.call(&self.bn2.call(&self.conv2.call(&out)?)?)?;
        let out = self.bn3.call(&self.conv3.call(&out)?)?;
        residual(&out, x, self.downsample.as_ref())
    }
}

/// `torchvision.models.ResNet`: stem (`conv1` 7x7/2, `bn1`, `relu`, `maxpool` 3x3/2), four
/// stages `layer1..4`, `avgpool` (global), `fc`. Input `(N, 3, H, W)`; output
/// `(N, num_classes)`.
#[derive(Module)]
pub struct ResNet {
    base: ModuleBase,
    pub conv1: Conv2d,
    pub bn1: BatchNorm2d,
    pub relu: ReLU,
    pub maxpool: MaxPool2d,
    pub layer1: Sequential,
    pub layer2: Sequential,
    pub layer3: Sequential,
    pub layer4: Sequential,
    pub avgpool: AdaptiveAvgPool2d,
    pub fc: Linear,
}

/// The running state of torchvision's `_make_layer` calls.
struct Stages {
    block: Block,
    inplanes: usize,
    dilation: usize,
    groups: usize,
    base_width: usize,
}

impl Stages {
    /// torchvision's `_make_layer(block, planes, blocks, stride, dilate)`.
    fn make_layer(
        &mut self,
        planes: usize,
        blocks: usize,
        mut stride: usize,
        dilate: bool,
    ) -> Result<Sequential> {
        let expansion = self.block.expansion();
        let previous_dilation = self.dilation;
        if dilate {
            self.dilation *= stride;
            stride = 1;
        }
        let mut downsample = None;
        if stride != 1 || self.inplanes != planes * expansion {
            downsample = Some(
                Sequential::new()
                    .append(conv1x1(self.inplanes, planes * expansion, stride)?)
                    .append(BatchNorm2d::new(planes * expansion)?),
            );
        }
        let mut layer = Sequential::new();
        let mut spec = BlockSpec {
            inplanes: self.inplanes,
            planes,
            stride,
            groups: self.groups,
            base_width: self.base_width,
            dilation: previous_dilation,
        };
        for i in 0..blocks {
            if i > 0 {
                spec = BlockSpec {
                    inplanes: planes * expansion,
                    stride: 1,
                    dilation: self.dilation,
                    ..spec
                };
            }
            let ds = if i == 0 { downsample.take() } else { None };
            match self.block {
                Block::Basic => layer.push(BasicBlock::new(spec, ds)?),
                Block::Bottleneck => layer.push(Bottleneck::new(spec, ds)?),
            }
        }
        self.inplanes = planes * expansion;
        Ok(layer)
    }
}

impl ResNet {
    /// `ResNet(block, layers, num_classes, zero_init_residual, groups, width_per_group,
    /// replace_stride_with_dilation)`, with torchvision's initialisation.
    pub fn new(block: Block, layers: [usize; 4], options: ResNetOptions) -> Result<ResNet> {
        let net = Self::build(block, layers, &options)?;
        net.init(&options)?;
        Ok(net)
    }

    fn build(block: Block, layers: [usize; 4], o: &ResNetOptions) -> Result<ResNet> {
        if o.groups == 0 || o.width_per_group == 0 {
            return Err(Error::invalid(
                "ResNet",
                format!(
                    "groups and width_per_group must be positive (got {} and {})",
                    o.groups, o.width_per_group
                ),
            ));
        }
        let mut st = Stages {
            block,
            inplanes: 64,
            dilation: 1,
            groups: o.groups,
            base_width: o.width_per_group,
        };
        let conv1 = Conv2d::with_options(
            3,
            64,
            7,
            ConvOptions {
                bias: false,
                ..conv_opts(2, 3)
            },
        )?;
        let dil = o.replace_stride_with_dilation;
        Ok(ResNet {
            base: ModuleBase::default(),
            conv1,
            bn1: BatchNorm2d::new(64)?,
            relu: ReLU::new(),
            maxpool: MaxPool2d::with_options(
                3,
                MaxPool2dOptions {
                    stride: Some([2, 2]),
                    padding: [1, 1],
                    ..Default::default()
                },
            ),
            layer1: st.make_layer(64, layers[0], 1, false)?,
            layer2: st.make_layer(128, layers[1], 2, dil[0])?,
            layer3: st.make_layer(256, layers[2], 2, dil[1])?,
            layer4: st.make_layer(512, layers[3], 2, dil[2])?,
            avgpool: AdaptiveAvgPool2d::new([1, 1]),
            fc: Linear::new(512 * block.expansion(), o.num_classes)?,
        })
    }

    /// torchvision's loop: kaiming-normal (fan_out) convs, BatchNorm 1/0, `fc` left at
    /// `nn.Linear`'s default; with `zero_init_residual` each block's last BN weight is 0.
    fn init(&self, o: &ResNetOptions) -> Result<()> {
        init_weights(self, LinearInit::Default)?;
        if o.zero_init_residual {
            for (_, m) in self.named_modules() {
                let any = m.as_any();
                let last_bn = if let Some(b) = any.downcast_ref::<Bottleneck>() {
                    &b.bn3
                } else if let Some(b) = any.downcast_ref::<BasicBlock>() {
                    &b.bn2
                } else {
                    continue;
                };
                if let Some(w) = &last_bn.weight {
                    init::zeros_(w)?;
                }
            }
        }
        Ok(())
    }
}

impl Forward for ResNet {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let x = self.conv1.call(x)?;
        let x = self.maxpool.call(&self.relu.call(&self.bn1.call(&x)?)?)?;
        let x = self.layer1.call(&x)?;
        let x = self.layer2.call(&x)?;
        let x = self.layer3.call(&x)?;
        let x = self.layer4.call(&x)?;
        let x = self.avgpool.call(&x)?.flatten(1, -1)?; // (N, 512 * expansion)
        self.fc.call(&x)
    }
}

/// Builds a ResNet; with `weights` the random initialisation is skipped and the file loaded.
fn resnet(
    block: Block,
    layers: [usize; 4],
    weights: Option<&Path>,
    options: ResNetOptions,
) -> Result<ResNet> {
    build_model(
        weights,
        || ResNet::build(block, layers, &options),
        |net| net.init(&options),
    )
}

macro_rules! resnet_fn {
    ($($name:ident, $block:ident, $layers:expr, $doc:literal, |$o:ident| $set:expr;)*) => {$(
        #[doc = concat!("`torchvision.models.", stringify!($name), "(weights, **kwargs)`: ", $doc,
            "; loads `weights` (a checkpoint file) strictly when given.")]
        pub fn $name(weights: Option<&Path>, options: ResNetOptions) -> Result<ResNet> {
            let $o = options;
            resnet(Block::$block, $layers, weights, $set)
        }
    )*};
}

resnet_fn! {
    resnet18, Basic, [2, 2, 2, 2], "ResNet-18", |o| o;
    resnet34, Basic, [3, 4, 6, 3], "ResNet-34", |o| o;
    resnet50, Bottleneck, [3, 4, 6, 3], "ResNet-50", |o| o;
    resnet101, Bottleneck, [3, 4, 23, 3], "ResNet-101", |o| o;
    resnet152, Bottleneck, [3, 8, 36, 3], "ResNet-152", |o| o;
    resnext50_32x4d, Bottleneck, [3, 4, 6, 3], "ResNeXt-50 32x4d (groups 32, width_per_group 4)",
        |o| ResNetOptions { groups: 32, width_per_group: 4, ..o };
    wide_resnet50_2, Bottleneck, [3, 4, 6, 3], "Wide ResNet-50-2 (width_per_group 128)",
        |o| ResNetOptions { width_per_group: 128, ..o };
}
