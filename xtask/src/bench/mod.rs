//! `bench …`: benchmarks that print a table and write CSV and an SVG chart under
//! `target/bench/`. Benchmarks, not tests: CI runs each once at a tiny size to prove it works.

mod chart;
pub mod cpus;
mod migration;
mod notify;
mod status;
mod table;

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

/// CPU time (user + system, seconds) used by this process, and by its children it has waited
/// for (pgbench), read from `/proc/self/stat`.
#[derive(Clone, Copy)]
pub struct CpuTimes {
    pub own: f64,
    pub children: f64,
}

impl CpuTimes {
    /// Now; `None` without procfs (not Linux), where the client's CPU is not shown.
    pub fn now() -> Option<CpuTimes> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // utime, stime, cutime, cstime are fields 14 to 17 (proc(5)), in USER_HZ ticks: 100
        // per second on Linux.
        let ticks: Vec<f64> = stat_fields(&stat)?
            .skip(11)
            .take(4)
            .map(|f| f.parse().ok())
            .collect::<Option<_>>()?;
        match ticks[..] {
            [utime, stime, cutime, cstime] => Some(CpuTimes {
                own: (utime + stime) / 100.0,
                children: (cutime + cstime) / 100.0,
            }),
            _ => None,
        }
    }
}

/// The fields of a `/proc/<pid>/stat` text from state (field 3 of proc(5)) on: after the
/// command name, which may hold spaces and parentheses, hence the last `)`.
pub fn stat_fields(stat: &str) -> Option<std::str::SplitWhitespace<'_>> {
    Some(stat.rsplit_once(')')?.1.split_whitespace())
}

/// How long pgbench runs: a duration, or a number of transactions per client.
pub enum PgbenchRun {
    Seconds(u64),
    Transactions(u64),
}

/// Runs `pgbench -M prepared` with `script` on `db_url` (`clients` clients, one thread each, as
/// the Rust side runs one thread per client)
/// and returns its `tps` (without connection set-up). Fails when pgbench fails or reports
/// failed transactions.
pub fn pgbench_tps(
    pgbench: &Path,
    script: &Path,
    db_url: &str,
    clients: u32,
    run: &PgbenchRun,
) -> Result<f64> {
    let (flag, amount) = match run {
        PgbenchRun::Seconds(s) => ("-T", s.to_string()),
        PgbenchRun::Transactions(t) => ("-t", t.to_string()),
    };
    // pgbench's sessions get the settings the pool gives the repository's connections
    // (`statement_timeout`, whose timer every statement arms): the same sessions on both
    // sides, so the comparison is of the clients only.
    let timeout = mentor_status_storage::PoolConfig::default().statement_timeout;
    let options = format!("-c statement_timeout={}", timeout.as_millis());
    let options = match std::env::var("PGOPTIONS") {
        Ok(theirs) if !theirs.trim().is_empty() => format!("{theirs} {options}"),
        _ => options,
    };
    let out = std::process::Command::new(pgbench)
        .env("PGOPTIONS", options)
        .args(["-n", "-M", "prepared", "-c", &clients.to_string()])
        .args(["-j", &clients.to_string(), flag, &amount, "-f"])
        .arg(script)
        .arg(db_url)
        .output()
        .context("running pgbench")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        anyhow::bail!(
            "pgbench failed: {}{}",
            String::from_utf8_lossy(&out.stderr).trim(),
            stdout.trim()
        );
    }
    let failed = stdout
        .lines()
        .find(|l| l.starts_with("number of failed transactions"))
        .unwrap_or("");
    if !failed.is_empty() && !failed.contains(": 0 ") {
        anyhow::bail!("pgbench reported failures: {failed}");
    }
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("no `tps = …` line in pgbench's output:\n{stdout}"))
}

/// Writes `<name>.csv` and `<name>.svg` under `target/bench/` and says so.
pub fn write_outputs(root: &Path, name: &str, csv: &str, svg: &str) -> Result<()> {
    let dir = crate::db::target_dir(root).join("bench");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let (csv_path, svg_path) = (
        dir.join(format!("{name}.csv")),
        dir.join(format!("{name}.svg")),
    );
    std::fs::write(&csv_path, csv).with_context(|| format!("writing {}", csv_path.display()))?;
    std::fs::write(&svg_path, svg).with_context(|| format!("writing {}", svg_path.display()))?;
    println!("wrote {} and {}", csv_path.display(), svg_path.display());
    Ok(())
}

/// A fresh database `name` on the server of `server`: the platform baseline, every migration,
/// one chapter (`c…01`) with one coordinator (`a…01`), and `mentors` mentors in it, mentor n
/// (0-based) with id `00000000-0000-4000-8000-<n, 12 digits>` (pgbench's `:client_id`).
pub fn prepare_one_chapter(server: &str, name: &str, mentors: u32) -> Result<()> {
    use diesel::connection::SimpleConnection as _;
    use mentor_status_localdb::{admin, platform, url};

    let mut admin_conn = admin::connect(&admin::maintenance_url(server))?;
    admin::drop_database(&mut admin_conn, name)?;
    admin::create_database(&mut admin_conn, name, None)?;
    let db_url = url::with_database(server, name);
    platform::apply_to(&db_url)?;
    let mut conn = admin::connect(&db_url)?;
    mentor_status_storage::migrations::Migrator::new(&mut conn).up(None)?;
    conn.batch_execute(&format!(
        "insert into public.chapters (id, name) values ('c0000000-0000-4000-8000-000000000001', 'Bench');
         insert into auth.users (id, email) values ('a0000000-0000-4000-8000-000000000001', 'coordinator@example.org');
         insert into public.chapter_coordinators (user_id, chapter_id) values ('a0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001');
         insert into auth.users (id, email)
           select ('00000000-0000-4000-9000-' || lpad(n::text, 12, '0'))::uuid, 'bench' || n || '@example.org' from generate_series(0, {last}) n;
         insert into public.peer_mentors (id, user_id, full_name, email)
           select ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, ('00000000-0000-4000-9000-' || lpad(n::text, 12, '0'))::uuid,
                  'Bench Mentor ' || n, 'bench' || n || '@example.org'
             from generate_series(0, {last}) n;
         insert into public.chapter_memberships (mentor_id, chapter_id)
           select id, 'c0000000-0000-4000-8000-000000000001' from public.peer_mentors;",
        last = mentors.saturating_sub(1)
    ))?;
    Ok(())
}
