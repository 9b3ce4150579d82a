//! The `drawdown` binary: parse flags, call the library, print, map errors to exit codes
//! (0 success, 1 runtime failure, 2 bad usage or scenario, 130/143/129 stopped by
//! SIGINT/SIGTERM/SIGHUP).

mod cli;
mod commands;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::dispatch(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`drawdown run --trace - | head`) is the reader's choice, not a failure.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            let code = match err.downcast_ref::<drawdown::Error>() {
                Some(drawdown::Error::Interrupted) => commands::interrupt_code(),
                Some(e) if e.is_usage() => 2,
                _ => 1,
            };
            ExitCode::from(code)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
