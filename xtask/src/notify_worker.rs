//! `notify-worker`: delivers coordinator notifications from the outbox
//! (`public.status_notifications`) with the logging notifier, in a loop.
//!
//! Each round is `mentor_status_storage::notifications::run_once` at the current time;
//! after every round that did something, and every minute while idle, one progress line
//! with the running totals. Several workers (on several machines) may run at once: claims
//! use `FOR UPDATE SKIP LOCKED` and leases. Stopping a worker at any point loses nothing:
//! what it had claimed is due again when its lease ends.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::Utc;
use mentor_status_storage::PoolConfig;
use mentor_status_storage::notifications::{
    CoordinatorNotificationService, LoggingNotifier, Summary, WorkerId, run_once,
};

#[derive(clap::Args)]
pub struct Args {
    /// Notifications claimed per round
    #[arg(long, default_value_t = 50)]
    batch: u32,
    /// Run one round, then stop
    #[arg(long)]
    once: bool,
    /// Stop at the first round that finds nothing to do (drain the outbox)
    #[arg(long)]
    idle_exit: bool,
    /// Pause between rounds while there is nothing to do, in milliseconds
    #[arg(long, default_value_t = 1000)]
    poll_ms: u64,
    /// Worker id stored in claimed_by (default: HOST:PID)
    #[arg(long)]
    worker: Option<String>,
}

pub fn run(root: &std::path::Path, args: &Args) -> Result<()> {
    let url = crate::db::database_url(root)?;
    let worker = WorkerId::new(args.worker.clone().unwrap_or_else(default_worker_id))?;
    // Two connections: one claims or marks while the other is free for the next call.
    let pool = PoolConfig {
        max_size: 2,
        ..PoolConfig::default()
    }
    .build(&url)?;
    let service = CoordinatorNotificationService::new(pool);
    let notifier = LoggingNotifier::stdout();
    println!(
        "notify-worker {worker} on {} (batch {}, lease {} s)",
        crate::db::describe(&url),
        args.batch,
        service.policy().lease.as_secs()
    );

    let mut totals = Summary::default();
    let mut rounds: u64 = 0;
    let mut last_line = Instant::now();
    loop {
        let round = run_once(&service, &notifier, &worker, args.batch, Utc::now()).context(
            "delivering notifications (is the database migrated? `cargo xtask migrate up`)",
        )?;
        rounds += 1;
        totals += round;
        let idle = round.is_idle();
        let stop = args.once || (idle && args.idle_exit);
        if !idle || stop || last_line.elapsed() >= Duration::from_secs(60) {
            progress(rounds, &totals);
            last_line = Instant::now();
        }
        if stop {
            return Ok(());
        }
        if idle {
            // Only a worker's poll interval; a busy outbox is drained without pausing.
            std::thread::sleep(Duration::from_millis(args.poll_ms));
        }
    }
}

fn progress(rounds: u64, totals: &Summary) {
    println!(
        "[{}] round {rounds}: sent {} · failed {} (retrying) · dead {} · lost claims {}",
        Utc::now().format("%H:%M:%S"),
        totals.sent,
        totals.failed,
        totals.dead,
        totals.lost
    );
}

/// `<host>:<pid>`: unique among live workers, and says where a stuck claim came from.
fn default_worker_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "worker".to_owned());
    format!("{host}:{}", std::process::id())
}
