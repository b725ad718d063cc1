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

/// [`parse_train_args`] with an example's own `--flag value` options: `extra(flag, value)`
/// returns `Ok(true)` when it took the flag, `Ok(false)` when the flag is unknown to it.
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

/// Walks `args` as `--flag value` pairs, calling `on_flag(flag, value)` for each (it returns
/// `Err` for an unknown flag or a bad value); a bare argument is an error, and `--help` / `-h`
/// gives `Err("")`. The argument loop of the examples that take their own options.
pub fn parse_flags(
    args: impl IntoIterator<Item = String>,
    mut on_flag: impl FnMut(&str, String) -> Result<(), String>,
) -> Result<(), String> {
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        if arg == "--help" || arg == "-h" {
            return Err(String::new());
        }
        if !arg.starts_with("--") {
            return Err(format!("unexpected argument {arg:?}"));
        }
        let value = it.next().ok_or(format!("{arg} needs a value"))?;
        on_flag(&arg, value)?;
    }
    Ok(())
}

/// `value` parsed as `T`, or `"{flag} {value}: {why}"`.
pub fn parse_value<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|e| format!("{flag} {value}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parse_flags_passes_options_and_refuses_bare_arguments() {
        let mut seen = Vec::new();
        parse_flags(args(&["--k", "3", "--j", "4"]), |f, v| {
            seen.push((f.to_string(), parse_value::<usize>(f, &v)?));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, [("--k".to_string(), 3), ("--j".to_string(), 4)]);
        let ok = |_: &str, _: String| Ok(());
        assert_eq!(
            parse_flags(args(&["--k", "3", "b"]), ok),
            Err("unexpected argument \"b\"".into())
        );
    }

    #[test]
    fn parse_flags_reports_help_missing_and_bad_values() {
        let ok = |_: &str, _: String| Ok(());
        assert_eq!(parse_flags(args(&["-h"]), ok), Err(String::new()));
        assert_eq!(
            parse_flags(args(&["--k"]), ok),
            Err("--k needs a value".into())
        );
        let bad = parse_flags(args(&["--k", "x"]), |f, v| {
            parse_value::<usize>(f, &v).map(|_| ())
        });
        assert_eq!(bad, Err("--k x: invalid digit found in string".into()));
    }
}
