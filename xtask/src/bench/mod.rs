//! `bench …`: benchmarks that print a table and write CSV and an SVG chart under
//! `target/bench/`. Benchmarks, not tests: CI runs each once at a tiny size to prove it works.

mod chart;
mod migration;
mod status;

use std::path::Path;

use anyhow::Result;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Lock time of three migration strategies against a concurrent probe, at several table sizes
    Migration(migration::Args),
    /// Status changes per second: MentorStatusRepository against pgbench running the same SQL
    Status(status::Args),
}

pub fn run(root: &Path, command: Command) -> Result<()> {
    match command {
        Command::Migration(args) => migration::run(root, &args),
        Command::Status(args) => status::run(root, &args),
    }
}

/// A text progress bar on one line (`\r`), for long builds.
pub struct Progress {
    label: String,
    total: u64,
    started: std::time::Instant,
}

impl Progress {
    pub fn new(label: &str, total: u64) -> Self {
        let progress = Self {
            label: label.to_owned(),
            total: total.max(1),
            started: std::time::Instant::now(),
        };
        progress.show(0);
        progress
    }

    pub fn show(&self, done: u64) {
        use std::io::Write as _;
        let width = 30;
        let filled = usize::try_from(done.min(self.total) * width / self.total).unwrap_or(0);
        let bar = format!(
            "{}{}",
            "#".repeat(filled),
            ".".repeat(usize::try_from(width).unwrap_or(30) - filled)
        );
        print!(
            "\r    {} [{bar}] {:>3}% {done}/{} {:.1} s",
            self.label,
            done * 100 / self.total,
            self.total,
            self.started.elapsed().as_secs_f64()
        );
        let _ = std::io::stdout().flush();
    }

    pub fn finish(&self) {
        self.show(self.total);
        println!();
    }
}
