//! Reading the source (read-only) and copying it into a scratch database with `pg_dump -Fc` and
//! `pg_restore --jobs`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

use super::{Event, RehearsalError};
use crate::{PgBinaries, admin, url};
use mentor_status_storage::Context as _;

/// The libpq URL parameter that makes every transaction of a session read-only.
const READ_ONLY_OPTION: &str = "options=-c%20default_transaction_read_only%3Don";

/// `source` with `options=-c default_transaction_read_only=on` added: the server refuses any
/// write in that session.
#[must_use]
pub fn read_only(source: &str) -> String {
    let separator = if source.contains('?') { '&' } else { '?' };
    format!("{source}{separator}{READ_ONLY_OPTION}")
}

/// What the rehearsal learns from the source before copying it.
#[derive(Debug, Clone)]
pub(super) struct Source {
    pub(super) bytes: i64,
    pub(super) server_version: String,
}

/// Connects read-only, checks the session really is read-only and that the source has the
/// Supabase CLI's history table, and reads the database size.
pub(super) fn inspect(source_url: &str) -> Result<Source, RehearsalError> {
    let mut conn = mentor_status_storage::connect(&read_only(source_url))
        .map_err(|source| RehearsalError::Unreachable { source })?;
    #[derive(QueryableByName)]
    struct Facts {
        #[diesel(sql_type = Text)]
        read_only: String,
        #[diesel(sql_type = Bool)]
        has_history: bool,
        #[diesel(sql_type = BigInt)]
        bytes: i64,
        #[diesel(sql_type = Text)]
        server_version: String,
    }
    let facts: Facts = diesel::sql_query(
        "select current_setting('default_transaction_read_only') as read_only,
                to_regclass('supabase_migrations.schema_migrations') is not null as has_history,
                pg_database_size(current_database()) as bytes,
                current_setting('server_version') as server_version",
    )
    .get_result(&mut conn)
    .context("reading the source's size and history table")?;
    if facts.read_only != "on" {
        return Err(RehearsalError::Config(
            "the source session is not read-only (default_transaction_read_only did not take)"
                .to_owned(),
        ));
    }
    if !facts.has_history {
        return Err(RehearsalError::NoHistory {
            source_url: url::redact(source_url),
        });
    }
    Ok(Source {
        bytes: facts.bytes,
        server_version: facts.server_version,
    })
}

/// Free bytes of the file system holding `path`, from `df` (no unsafe `statvfs` needed).
pub(super) fn free_bytes(path: &Path) -> Option<u64> {
    let output = Command::new("df").args(["-Pk"]).arg(path).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let kib: u64 = text
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Refuses when `available` bytes cannot hold a copy of `needed` bytes plus a quarter for
/// what the migrations themselves write.
pub fn check_room(needed: u64, available: u64, place: &str) -> Result<(), RehearsalError> {
    let wanted = needed + needed / 4;
    if available < wanted {
        return Err(RehearsalError::NoRoom {
            place: place.to_owned(),
            needed: wanted,
            available,
        });
    }
    Ok(())
}

/// The scratch server's data directory, when it can be read (`pg_read_all_settings`).
pub(super) fn data_directory(conn: &mut PgConnection) -> Option<PathBuf> {
    #[derive(QueryableByName)]
    struct Dir {
        #[diesel(sql_type = Text)]
        dir: String,
    }
    diesel::sql_query("select current_setting('data_directory') as dir")
        .get_result::<Dir>(conn)
        .ok()
        .map(|d| PathBuf::from(d.dir))
}

/// `pg_dump -Fc` of the source (read-only) into `archive`, then `pg_restore --jobs 2` into
/// the scratch database as `restore_url`'s user (a superuser: objects keep their owners).
/// Reports progress through `on`; stops (killing the tool) when `cancel` is set.
pub(super) fn copy(
    binaries: &PgBinaries,
    source_url: &str,
    archive: &Path,
    restore_url: &str,
    source_bytes: u64,
    cancel: &AtomicBool,
    on: &mut dyn FnMut(Event<'_>),
) -> Result<(), RehearsalError> {
    let tool = |name: &str| {
        binaries.client_tool(name).ok_or_else(|| {
            RehearsalError::Copy(format!(
                "no {name} for PostgreSQL {} here (the server tree has none, and the client tools found are older): install that version's client tools",
                binaries.major()
            ))
        })
    };
    let dump = Command::new(tool("pg_dump")?)
        .args(["--format=custom", "--compress=1", "--no-sync", "--file"])
        .arg(archive)
        .arg("--dbname")
        .arg(read_only(source_url))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| RehearsalError::Copy(format!("starting pg_dump: {e}")))?;
    watch(dump, "pg_dump of the source", cancel, &mut || {
        let written = std::fs::metadata(archive).map_or(0, |m| m.len());
        on(Event::Dumping {
            archive_bytes: written,
        });
    })?;
    let mut scratch = admin::connect(restore_url)?;
    let restore = Command::new(tool("pg_restore")?)
        .args(["--exit-on-error", "--jobs=2", "--dbname"])
        .arg(restore_url)
        .arg(archive)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| RehearsalError::Copy(format!("starting pg_restore: {e}")))?;
    watch(
        restore,
        "pg_restore into the scratch database",
        cancel,
        &mut || {
            #[derive(QueryableByName)]
            struct Size {
                #[diesel(sql_type = BigInt)]
                v: i64,
            }
            let copied = diesel::sql_query("select pg_database_size(current_database()) as v")
                .get_result::<Size>(&mut scratch)
                .map_or(0, |s| u64::try_from(s.v).unwrap_or(0));
            on(Event::Restoring {
                copied_bytes: copied,
                source_bytes,
            });
        },
    )?;
    // pg_restore leaves freshly loaded tables without statistics or visibility map, which the
    // source has: autovacuum would then start on the copy mid-rehearsal, and a migration
    // queueing behind it blocks the probe — a copy artefact, not something production does.
    on(Event::Step("VACUUM (ANALYZE) the copy, as production is"));
    let mut superuser = admin::connect(restore_url)?;
    diesel::sql_query("vacuum (analyze)")
        .execute(&mut superuser)
        .context("VACUUM (ANALYZE) of the copy")?;
    Ok(())
}

/// Waits for `child`, calling `tick` every 200 ms; kills it when `cancel` is set.
fn watch(
    mut child: Child,
    what: &str,
    cancel: &AtomicBool,
    tick: &mut dyn FnMut(),
) -> Result<(), RehearsalError> {
    loop {
        if cancel.load(Ordering::Relaxed) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(RehearsalError::Cancelled);
        }
        match child.try_wait() {
            Ok(Some(status)) => {
                tick();
                if status.success() {
                    return Ok(());
                }
                let mut stderr = String::new();
                if let Some(mut pipe) = child.stderr.take() {
                    use std::io::Read as _;
                    let _ = pipe.read_to_string(&mut stderr);
                }
                return Err(RehearsalError::Copy(format!(
                    "{what} failed ({status}): {}",
                    explain(stderr.trim())
                )));
            }
            Ok(None) => {
                tick();
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => return Err(RehearsalError::Copy(format!("waiting for {what}: {e}"))),
        }
    }
}

/// pg_restore's message, with what to do when a role of the source is missing on the scratch
/// server (roles are cluster-wide and are not in a database dump).
fn explain(stderr: &str) -> String {
    if stderr.contains("role") && stderr.contains("does not exist") {
        format!(
            "{stderr}\nThe source uses a role the scratch server lacks: roles belong to the \
             server, not the database, so the copy cannot own objects as on the source. \
             Create the roles on the scratch server first (e.g. `pg_dumpall --roles-only` of \
             the source), or rehearse on a server that has them (--to)"
        )
    } else if stderr.contains("row-level security") {
        format!(
            "{stderr}\nThe source role cannot read every row: it needs BYPASSRLS (and SELECT on \
             everything, e.g. pg_read_all_data), as Supabase's supabase_read_only_user has"
        )
    } else {
        stderr.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_url_gets_a_read_only_session_option() {
        assert_eq!(
            read_only("postgres://u@h/db"),
            "postgres://u@h/db?options=-c%20default_transaction_read_only%3Don"
        );
        assert!(read_only("postgres://u@h/db?sslmode=require").contains("require&options="));
    }

    #[test]
    fn a_scratch_file_system_smaller_than_the_source_and_a_quarter_is_refused() {
        let error = check_room(1_000_000_000, 1_100_000_000, "/data").unwrap_err();
        assert!(matches!(error, RehearsalError::NoRoom { .. }));
        assert!(error.to_string().contains("/data"), "{error}");
        assert!(check_room(1_000_000_000, 1_300_000_000, "/data").is_ok());
    }
}
