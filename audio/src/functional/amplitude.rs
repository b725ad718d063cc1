//! Amplitude/decibel and mu-law conversions (`torchaudio.functional.amplitude_to_DB`,
//! `DB_to_amplitude`, `mu_law_encoding`, `mu_law_decoding`) and `gain`.

use torch_core::{DType, Error, Result, Tensor};

/// `multiplier * log10(clamp(x, min=amin)) - multiplier * db_multiplier`, then, with `top_db`,
/// floored at `max - top_db` where the max is taken per spectrogram over the last three
/// dims (channels, freq, time) as torchaudio does (`torchaudio.functional.amplitude_to_DB`).
/// Composite (differentiable).
#[allow(non_snake_case)]
pub fn amplitude_to_DB(
    x: &Tensor,
    multiplier: f64,
    amin: f64,
    db_multiplier: f64,
    top_db: Option<f64>,
) -> Result<Tensor> {
    let x_db = x
        .clamp(Some(amin), None)?
        .log10()?
        .mul_scalar(multiplier)?
        .sub_scalar(multiplier * db_multiplier)?;
    let Some(top_db) = top_db else {
        return Ok(x_db);
    };
    let shape = x_db.shape().to_vec();
    let d = shape.len();
    if d < 2 {
        return Err(Error::invalid(
            "amplitude_to_DB",
            format!("top_db needs a [..., freq, time] input, got shape {shape:?}"),
        ));
    }
    let packed = if d > 2 { shape[d - 3] } else { 1 };
    let x4 = x_db.reshape(&[-1, packed as i64, shape[d - 2] as i64, shape[d - 1] as i64])?;
    let floor = x4.amax(&[-3, -2, -1], true)?.sub_scalar(top_db)?;
    x4.maximum(&floor)?
        .reshape(&shape.iter().map(|&s| s as i64).collect::<Vec<_>>())
}

/// `ref * (10^(0.1 x))^power` (`torchaudio.functional.DB_to_amplitude`). Composite.
#[allow(non_snake_case)]
pub fn DB_to_amplitude(x: &Tensor, reference: f64, power: f64) -> Result<Tensor> {
    x.mul_scalar(0.1 * std::f64::consts::LN_10)?
        .exp()?
        .pow_scalar(power)?
        .mul_scalar(reference)
}

/// Mu-law companding to integers in `[0, quantization_channels)`
/// (`torchaudio.functional.mu_law_encoding`): `floor((sign(x) log1p(mu |x|) / log1p(mu) + 1) /
/// 2 * mu + 0.5)` as int64.
pub fn mu_law_encoding(x: &Tensor, quantization_channels: usize) -> Result<Tensor> {
    let mu = quantization_channels as f64 - 1.0;
    let x = if x.dtype().is_float() {
        x.clone()
    } else {
        x.to_dtype(DType::F32)?
    };
    let x_mu = x
        .sign()?
        .mul(&x.abs()?.mul_scalar(mu)?.log1p()?)?
        .div_scalar(mu.ln_1p())?;
    x_mu.add_scalar(1.0)?
        .div_scalar(2.0)?
        .mul_scalar(mu)?
        .add_scalar(0.5)?
        .to_dtype(DType::I64)
}

/// Inverse of `mu_law_encoding` (`torchaudio.functional.mu_law_decoding`): with
/// `y = 2 x / mu - 1`, `sign(y) (exp(|y| log1p(mu)) - 1) / mu`, as f32.
pub fn mu_law_decoding(x_mu: &Tensor, quantization_channels: usize) -> Result<Tensor> {
    let mu = quantization_channels as f64 - 1.0;
    let x = if x_mu.dtype().is_float() {
        x_mu.clone()
    } else {
        x_mu.to_dtype(DType::F32)?
    };
    let y = x.div_scalar(mu)?.mul_scalar(2.0)?.sub_scalar(1.0)?;
    y.sign()?
        .mul(&y.abs()?.mul_scalar(mu.ln_1p())?.exp()?.sub_scalar(1.0)?)?
        .div_scalar(mu)
}

/// Scales by `gain_db` decibels: `x * 10^(gain_db / 20)` (`torchaudio.functional.gain`).
pub fn gain(waveform: &Tensor, gain_db: f64) -> Result<Tensor> {
    if gain_db == 0.0 {
        return Ok(waveform.clone());
    }
    waveform.mul_scalar(10f64.powf(gain_db / 20.0))
}
