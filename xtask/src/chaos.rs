//! `chaos`: writers on every path, killed backends, lock holders and server crashes on a
//! cluster of its own, then the audit trail must replay to exactly the current state
//! (`mentor-status-chaos`, which the test suite also runs, at a small size). Then the
//! migration crash test: the server crashes during the status migration's VALIDATE.
//!
//! Never touches the project-local cluster or `DATABASE_URL`: the chaos cluster lives under
//! `target/chaos/` and is stopped and removed at the end (`--keep` keeps its files).

use std::time::Duration;

use anyhow::{Result, bail};
use mentor_status_chaos::{
    ChaosCluster, Config, Sabotage, migration_crash, run as chaos_run, seed_from_clock,
};
use mentor_status_localdb::PgBinaries;

#[derive(clap::Args)]
pub struct Args {
    /// How long the writers and the fault injector run, in seconds
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Mentors in the generated organisation
    #[arg(long, default_value_t = 300)]
    mentors: usize,
    /// Seed of the fixture, the writers' choices and the fault schedule (default: from the clock; always printed)
    #[arg(long)]
    seed: Option<u64>,
    /// Legacy rows for the migration crash test (0 skips it)
    #[arg(long, default_value_t = 1_000_000)]
    migration_rows: u64,
    /// Keep the chaos cluster's files (data folder, server log) afterwards
    #[arg(long)]
    keep: bool,
    /// Demonstration: break the audit trigger so it skips the audit row of service_role UPDATEs (the run must then fail)
    #[arg(long)]
    break_audit_trigger: bool,
}

pub fn run(root: &std::path::Path, args: &Args) -> Result<()> {
    let seed = args.seed.unwrap_or_else(seed_from_clock);
    println!(
        "chaos: seed {seed} (reproduce with: cargo xtask chaos --seconds {} --mentors {} --seed {seed})",
        args.seconds, args.mentors
    );
    let folder = crate::db::target_dir(root).join("chaos");
    let mut cluster = crate::step("chaos cluster (own PostgreSQL under target/chaos)", || {
        Ok(ChaosCluster::create(&folder, PgBinaries::locate()?)?)
    })?;
    cluster.keep_files(args.keep);
    let mut config = Config::new(Duration::from_secs(args.seconds), args.mentors, seed);
    if args.break_audit_trigger {
        config.sabotage = Some(Sabotage::SkipServiceRoleAudit);
    }
    let report = crate::step(&format!("chaos for {} s", args.seconds), || {
        Ok(chaos_run(&cluster, &config)?)
    })?;
    let migration = if args.migration_rows > 0 {
        Some(crate::step(
            &format!("migration crash test ({} rows)", args.migration_rows),
            || Ok(migration_crash(&cluster, args.migration_rows)?),
        )?)
    } else {
        None
    };
    drop(cluster);
    if let Some(m) = &migration {
        print!("{}", m.render());
    }
    println!();
    print!("{}", report.render());
    let migration_ok = migration.as_ref().is_none_or(|m| m.passed());
    if !report.passed() || !migration_ok {
        bail!(
            "the chaos run failed ({} lost{}); reproduce with: cargo xtask chaos --seconds {} --mentors {} --seed {seed}",
            report.lost(),
            if migration_ok {
                ""
            } else {
                ", migration crash test failed"
            },
            args.seconds,
            args.mentors
        );
    }
    Ok(())
}
