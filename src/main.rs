//! The `cpsearch` binary: parse arguments, run, map the outcome to an exit
//! status (0 found/done, 1 nothing found, 2 error).

mod app;
mod cli;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    quiet_worker_panics();
    let cli = cli::Cli::parse();
    match app::run(cli) {
        Ok(status) => ExitCode::from(status),
        Err(err) => {
            if app::is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            // A closed stderr must not turn into a panic either.
            let _ = writeln!(std::io::stderr(), "cpsearch: {}", app::one_sentence(&err));
            ExitCode::from(2)
        }
    }
}

/// Parser threads catch their panics and report the file as skipped; the
/// default hook would still print a backtrace banner for them.
fn quiet_worker_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let worker = std::thread::current()
            .name()
            .is_some_and(|n| n.starts_with("cpsearch-parse"));
        if !worker {
            default(info);
        }
    }));
}
