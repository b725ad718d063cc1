//! Command-line plumbing the example binaries share.

/// The parsed arguments, or (on `Err(message)`) prints `error: message` (nothing for an empty
/// message, which `--help` gives) and `usage: ...`, then exits with status 2.
pub fn or_usage<A>(parsed: Result<A, String>, usage: &str) -> A {
    match parsed {
        Ok(a) => a,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("error: {msg}");
            }
            eprintln!("usage: {usage}");
            std::process::exit(2);
        }
    }
}

/// Ends the process with `error: ...` on stderr and exit code 1 when an example's run failed:
/// the common end of every example's `main`.
pub fn exit_on_error<E: std::fmt::Display>(result: Result<(), E>) {
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// The options of the training examples (`--epochs`, `--batch-size`, `--lr`, `--seed`,
/// `--threads`, `--data`, `--out`).
pub struct TrainArgs {
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f64,
    pub seed: u64,
    pub threads: Option<usize>,
    pub data: std::path::PathBuf,
    pub out: std::path::PathBuf,
}

/// Parses the process arguments over `defaults`; `Err("")` for `--help`.
pub fn parse_train_args(defaults: TrainArgs) -> Result<TrainArgs, String> {
    parse_train_args_with(defaults, |_, _| Ok(false))
}

/// [`parse_train_args`] for an example with options of its own: a flag it does not know is
/// passed with its value to `extra`, which returns whether it took it (or a message).
pub fn parse_train_args_with(
    defaults: TrainArgs,
    mut extra: impl FnMut(&str, &str) -> Result<bool, String>,
) -> Result<TrainArgs, String> {
    let mut a = defaults;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--epochs" => a.epochs = value.parse().map_err(|e| bad(&e))?,
            "--batch-size" => a.batch_size = value.parse().map_err(|e| bad(&e))?,
            "--lr" => a.lr = value.parse().map_err(|e| bad(&e))?,
            "--seed" => a.seed = value.parse().map_err(|e| bad(&e))?,
            "--threads" => a.threads = Some(value.parse().map_err(|e| bad(&e))?),
            "--data" => a.data = value.into(),
            "--out" => a.out = value.into(),
            _ if extra(&flag, &value)? => {}
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(a)
}
