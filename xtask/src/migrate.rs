//! `migrate up | down | redo | status`.

use std::path::Path;

use anyhow::{Result, bail};
use mentor_status_localdb::admin;
use mentor_status_storage::migrations::{DownTarget, FileState, Migrator};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Apply pending migrations
    Up {
        /// Stop after this version
        #[arg(long)]
        to: Option<String>,
        /// Apply even though applied migrations were edited (records their new text)
        #[arg(long)]
        force: bool,
    },
    /// Revert applied migrations with their rollback files, newest first
    Down {
        /// Revert everything applied after this version
        #[arg(long, conflicts_with = "last")]
        to: Option<String>,
        /// Revert the newest N applied migrations (default 1; at least 1)
        #[arg(long, value_parser = parse_last)]
        last: Option<std::num::NonZeroUsize>,
    },
    /// Revert the newest applied migration and apply it again
    Redo,
    /// List migrations: applied or not, rollback present, edited since applied
    Status,
}

fn parse_last(text: &str) -> Result<std::num::NonZeroUsize, String> {
    let n: usize = text.parse().map_err(|e| format!("{e}"))?;
    std::num::NonZeroUsize::new(n).ok_or_else(|| {
        "0 would revert nothing: give how many of the newest applied migrations to revert (1 or more); `cargo xtask migrate status` lists them".to_owned()
    })
}

pub fn run(root: &Path, command: Command) -> Result<()> {
    let url = crate::db::database_url(root)?;
    println!("database: {}", crate::db::describe(&url));
    let mut conn = admin::connect(&url)?;
    match command {
        Command::Up { to, force } => crate::step("migrate up", || {
            let applied = Migrator::new(&mut conn).force(force).up(to.as_deref())?;
            report("applied", &applied);
            Ok(())
        }),
        Command::Down { to, last } => {
            let target = match to {
                Some(version) => DownTarget::To(version),
                None => last.map_or(DownTarget::LAST_ONE, DownTarget::Last),
            };
            crate::step("migrate down", || {
                let reverted = Migrator::new(&mut conn).down(&target)?;
                report("reverted", &reverted);
                Ok(())
            })
        }
        Command::Redo => crate::step("migrate redo", || {
            let reverted = Migrator::new(&mut conn).down(&DownTarget::LAST_ONE)?;
            let Some(version) = reverted.first() else {
                bail!("nothing to redo: no migration is applied");
            };
            println!("    reverted {version}");
            let applied = Migrator::new(&mut conn).up(Some(version))?;
            report("applied", &applied);
            Ok(())
        }),
        Command::Status => status(&mut conn),
    }
}

fn report(what: &str, versions: &[String]) {
    if versions.is_empty() {
        println!("    nothing {what}: already there");
    }
    for version in versions {
        println!("    {what} {version}");
    }
}

fn status(conn: &mut diesel::PgConnection) -> Result<()> {
    let mut migrator = Migrator::new(conn);
    let rows = migrator.status()?;
    println!(
        "{:<16} {:<36} {:<8} {:<9} note",
        "version", "name", "applied", "rollback"
    );
    let mut warnings = Vec::new();
    for row in &rows {
        let note = match row.file {
            FileState::Unchanged => "",
            FileState::Edited => {
                warnings.push(format!(
                    "warning: {}_{} was edited after it was applied: its statements differ from those recorded",
                    row.version, row.name
                ));
                "EDITED since applied"
            }
            FileState::Missing => {
                warnings.push(format!(
                    "warning: {} is applied but no file in supabase/migrations has it",
                    row.version
                ));
                "NO FILE"
            }
        };
        println!(
            "{:<16} {:<36} {:<8} {:<9} {note}",
            row.version,
            row.name,
            if row.applied { "yes" } else { "no" },
            if row.has_rollback { "yes" } else { "MISSING" },
        );
    }
    for orphan in migrator.migrations().orphan_rollbacks() {
        warnings.push(format!("warning: supabase/rollbacks/{orphan} has no migration of the same name: it can never run"));
    }
    for warning in warnings {
        println!("{warning}");
    }
    Ok(())
}
