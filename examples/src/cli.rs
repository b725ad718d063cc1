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
