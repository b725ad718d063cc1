//! torch.nn.init: in-place initialisers, drawing from the default generator
//! (`torch_core::manual_seed` makes them reproducible). Each writes under `no_grad`, so it
//! works on parameters that require grad.

use torch_core::autograd::no_grad;
use torch_core::{Error, Result, Tensor, TensorOptions, default_generator};

fn opts(t: &Tensor) -> TensorOptions {
    TensorOptions::default().dtype(t.dtype())
}

fn write(t: &Tensor, values: &Tensor) -> Result<()> {
    let _g = no_grad();
    t.copy_(values)
}

/// Fills with draws from U(a, b), as `init.uniform_(t, a, b)`.
pub fn uniform_(t: &Tensor, a: f64, b: f64) -> Result<()> {
    write(t, &default_generator().uniform(t.shape(), a, b, opts(t))?)
}

/// Fills with draws from N(mean, std²), as `init.normal_(t, mean, std)`.
pub fn normal_(t: &Tensor, mean: f64, std: f64) -> Result<()> {
    write(
        t,
        &default_generator().normal(t.shape(), mean, std, opts(t))?,
    )
}

/// Fills with `value`, as `init.constant_`.
pub fn constant_(t: &Tensor, value: f64) -> Result<()> {
    let _g = no_grad();
    t.fill_(value)
}

/// Fills with zeros, as `init.zeros_`.
pub fn zeros_(t: &Tensor) -> Result<()> {
    constant_(t, 0.0)
}

/// Fills with ones, as `init.ones_`.
pub fn ones_(t: &Tensor) -> Result<()> {
    constant_(t, 1.0)
}

/// Writes the identity into a 2-D tensor, as `init.eye_`.
pub fn eye_(t: &Tensor) -> Result<()> {
    if t.dim() != 2 {
        return Err(Error::invalid(
            "eye_",
            "Only tensors with 2 dimensions are supported",
        ));
    }
    let (n, m) = (t.shape()[0], t.shape()[1]);
    write(t, &Tensor::eye(n, Some(m), opts(t))?)
}

/// `(fan_in, fan_out)` of a weight, as `init._calculate_fan_in_and_fan_out`: for a conv
/// weight `(out, in, k...)`, `fan_in = in * prod(k)` and `fan_out = out * prod(k)`.
pub fn calculate_fan_in_and_fan_out(t: &Tensor) -> Result<(usize, usize)> {
    let s = t.shape();
    if s.len() < 2 {
        return Err(Error::invalid(
            "calculate_fan_in_and_fan_out",
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions",
        ));
    }
    let receptive: usize = s[2..].iter().product();
    Ok((s[1] * receptive, s[0] * receptive))
}

/// The recommended gain for a nonlinearity, as `init.calculate_gain(nonlinearity, param)`:
/// linear/conv/sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2/(1+slope²)) (slope default 0.01),
/// selu 3/4.
pub fn calculate_gain(nonlinearity: &str, param: Option<f64>) -> Result<f64> {
    Ok(match nonlinearity {
        "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d"
        | "conv_transpose3d" | "sigmoid" => 1.0,
        "tanh" => 5.0 / 3.0,
        "relu" => 2f64.sqrt(),
        "leaky_relu" => {
            let slope = param.unwrap_or(0.01);
            (2.0 / (1.0 + slope * slope)).sqrt()
        }
        "selu" => 0.75,
        other => {
            return Err(Error::invalid(
                "calculate_gain",
                format!("Unsupported nonlinearity {other}"),
            ));
        }
    })
}

/// Xavier/Glorot uniform: U(-a, a) with `a = gain * sqrt(6 / (fan_in + fan_out))`, as
/// `init.xavier_uniform_(t, gain)`.
pub fn xavier_uniform_(t: &Tensor, gain: f64) -> Result<()> {
    let (fan_in, fan_out) = calculate_fan_in_and_fan_out(t)?;
    let a = gain * (6.0 / (fan_in + fan_out) as f64).sqrt();
    uniform_(t, -a, a)
}

/// Xavier/Glorot normal: N(0, std²) with `std = gain * sqrt(2 / (fan_in + fan_out))`, as
/// `init.xavier_normal_(t, gain)`.
pub fn xavier_normal_(t: &Tensor, gain: f64) -> Result<()> {
    let (fan_in, fan_out) = calculate_fan_in_and_fan_out(t)?;
    normal_(t, 0.0, gain * (2.0 / (fan_in + fan_out) as f64).sqrt())
}

/// Which fan Kaiming initialisation preserves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FanMode {
    /// Preserves the variance of the forward pass (PyTorch's default).
    #[default]
    FanIn,
    /// Preserves the variance of the backward pass.
    FanOut,
}

fn kaiming_std(t: &Tensor, a: f64, mode: FanMode, nonlinearity: &str) -> Result<f64> {
    let (fan_in, fan_out) = calculate_fan_in_and_fan_out(t)?;
    let fan = match mode {
        FanMode::FanIn => fan_in,
        FanMode::FanOut => fan_out,
    };
    Ok(calculate_gain(nonlinearity, Some(a))? / (fan as f64).sqrt())
}

/// Kaiming/He uniform: U(-b, b) with `b = gain * sqrt(3 / fan)`, as
/// `init.kaiming_uniform_(t, a, mode, nonlinearity)` (PyTorch's defaults: `a = 0`,
/// `FanMode::FanIn`, `"leaky_relu"`).
pub fn kaiming_uniform_(t: &Tensor, a: f64, mode: FanMode, nonlinearity: &str) -> Result<()> {
    let bound = 3f64.sqrt() * kaiming_std(t, a, mode, nonlinearity)?;
    uniform_(t, -bound, bound)
}

/// Kaiming/He normal: N(0, std²) with `std = gain / sqrt(fan)`, as `init.kaiming_normal_`.
pub fn kaiming_normal_(t: &Tensor, a: f64, mode: FanMode, nonlinearity: &str) -> Result<()> {
    normal_(t, 0.0, kaiming_std(t, a, mode, nonlinearity)?)
}

/// Normal N(mean, std²) truncated to `[a, b]`, as `init.trunc_normal_` (inverse-CDF method,
/// as PyTorch: uniform draws mapped through `erfinv`).
pub fn trunc_normal_(t: &Tensor, mean: f64, std: f64, a: f64, b: f64) -> Result<()> {
    let cdf = |x: f64| (1.0 + libm::erf(x / std::f64::consts::SQRT_2)) / 2.0;
    let (l, u) = (cdf((a - mean) / std), cdf((b - mean) / std));
    let f64_opts = TensorOptions::default().dtype(torch_core::DType::F64);
    let draws = default_generator().uniform(t.shape(), 2.0 * l - 1.0, 2.0 * u - 1.0, f64_opts)?;
    let values: Vec<f64> = draws
        .to_vec::<f64>()?
        .into_iter()
        .map(|v| (erfinv(v) * std * std::f64::consts::SQRT_2 + mean).clamp(a, b))
        .collect();
    write(t, &Tensor::from_vec(values, t.shape())?)
}

/// Inverse error function: Giles' single-precision approximation refined by two Newton steps.
fn erfinv(x: f64) -> f64 {
    if x <= -1.0 {
        return f64::NEG_INFINITY;
    }
    if x >= 1.0 {
        return f64::INFINITY;
    }
    let w = -((1.0 - x) * (1.0 + x)).ln();
    let mut y = if w < 5.0 {
        let w = w - 2.5;
        let mut p = 2.810_226_36e-08;
        for c in [
            3.432_739_39e-07,
            -3.523_387_7e-06,
            -4.391_506_54e-06,
            0.000_218_580_87,
            -0.001_253_725_03,
            -0.004_177_681_64,
            0.246_640_727,
            1.501_409_41,
        ] {
            p = c + p * w;
        }
        p * x
    } else {
        let w = w.sqrt() - 3.0;
        let mut p = -0.000_200_214_257;
        for c in [
            0.000_100_950_558,
            0.001_349_343_22,
            -0.003_673_428_44,
            0.005_739_507_73,
            -0.007_622_461_3,
            0.009_438_870_47,
            1.001_674_06,
            2.832_976_82,
        ] {
            p = c + p * w;
        }
        p * x
    };
    for _ in 0..2 {
        let err = libm::erf(y) - x;
        y -= err / (std::f64::consts::FRAC_2_SQRT_PI * (-y * y).exp());
    }
    y
}

/// A (semi-)orthogonal matrix from the QR of a normal draw, scaled by `gain`, as
/// `init.orthogonal_(t, gain)`; trailing dims are flattened.
pub fn orthogonal_(t: &Tensor, gain: f64) -> Result<()> {
    if t.dim() < 2 {
        return Err(Error::invalid(
            "orthogonal_",
            "Only tensors with 2 or more dimensions are supported",
        ));
    }
    let rows = t.shape()[0];
    let cols = t.numel() / rows.max(1);
    let _g = no_grad();
    let mut flat = default_generator().normal(&[rows, cols], 0.0, 1.0, opts(t))?;
    if rows < cols {
        flat = flat.t()?;
    }
    let (q, r) = torch_core::linalg::qr(&flat, "reduced")?;
    // Make Q unique: multiply columns by the signs of R's diagonal.
    let d = r.diagonal(0, 0, 1)?.sign()?;
    let mut q = q.mul(&d)?;
    if rows < cols {
        q = q.t()?;
    }
    let shape: Vec<i64> = t.shape().iter().map(|&d| d as i64).collect();
    t.copy_(&q.mul_scalar(gain)?.reshape(&shape)?)
}
