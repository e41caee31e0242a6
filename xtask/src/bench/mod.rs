//! `bench …`: benchmarks that print a table and write CSV and an SVG chart under
//! `target/bench/`. Benchmarks, not tests: CI runs each once at a tiny size to prove it works.

mod chart;
mod migration;
mod notify;
mod status;

use std::path::Path;

use anyhow::{Context, Result};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Lock time of three migration strategies against a concurrent probe, at several table sizes
    Migration(migration::Args),
    /// Status changes per second: MentorStatusRepository against pgbench running the same SQL
    Status(status::Args),
    /// Notifications delivered per second: the notification service against pgbench, exactly once checked
    Notify(notify::Args),
}

pub fn run(root: &Path, command: Command) -> Result<()> {
    if cfg!(debug_assertions) {
        return rerun_as_release();
    }
    println!("build: release");
    match command {
        Command::Migration(args) => migration::run(root, &args),
        Command::Status(args) => status::run(root, &args),
        Command::Notify(args) => notify::run(root, &args),
    }
}

/// Benchmarks measure the release build: a debug build (the `cargo xtask` alias) runs the
/// same command again through `cargo run --release`, which builds it first.
fn rerun_as_release() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    println!(
        "bench: figures from a debug build mean nothing; running `cargo run --release -p xtask -- {}`",
        args.join(" ")
    );
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["run", "--release", "--package", "xtask", "--"])
        .args(&args)
        .status()
        .context("running cargo to build and run the release xtask")?;
    if !status.success() {
        anyhow::bail!("the release benchmark failed ({status})");
    }
    Ok(())
}

/// Progress of a long build: a bar redrawn in place (`\r`) on a terminal; elsewhere (files,
/// CI logs) a plain line at each quarter, so logs get no control characters.
pub struct Progress {
    label: String,
    total: u64,
    started: std::time::Instant,
    terminal: bool,
    quarters_shown: std::cell::Cell<u64>,
}

impl Progress {
    pub fn new(label: &str, total: u64) -> Self {
        use std::io::IsTerminal as _;
        let progress = Self {
            label: label.to_owned(),
            total: total.max(1),
            started: std::time::Instant::now(),
            terminal: std::io::stdout().is_terminal(),
            quarters_shown: std::cell::Cell::new(0),
        };
        progress.show(0);
        progress
    }

    pub fn show(&self, done: u64) {
        use std::io::Write as _;
        let done = done.min(self.total);
        let percent = done * 100 / self.total;
        let elapsed = self.started.elapsed().as_secs_f64();
        if self.terminal {
            let width = 30;
            let filled = usize::try_from(done * width / self.total).unwrap_or(0);
            let bar = format!(
                "{}{}",
                "#".repeat(filled),
                ".".repeat(usize::try_from(width).unwrap_or(30) - filled)
            );
            print!(
                "\r    {} [{bar}] {percent:>3}% {done}/{} {elapsed:.1} s",
                self.label, self.total
            );
            let _ = std::io::stdout().flush();
        } else {
            let quarter = done * 4 / self.total;
            if done > 0 && quarter > self.quarters_shown.get() {
                self.quarters_shown.set(quarter);
                println!(
                    "    {} {done}/{} ({percent}%) {elapsed:.1} s",
                    self.label, self.total
                );
            }
        }
    }

    pub fn finish(&self) {
        self.show(self.total);
        if self.terminal {
            println!();
        }
    }
}
