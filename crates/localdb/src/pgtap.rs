//! The database tests in `supabase/tests/` (pgTAP), run as `supabase test db` runs them: with
//! `pg_prove` over every `.sql` and `.pg` file below that folder, as `postgres`, against a
//! database with the migrations and the seed.

use std::path::{Path, PathBuf};
use std::process::Command;

use diesel::connection::SimpleConnection;

use crate::{LocalDbError, admin};
use mentor_status_storage::Context as _;

/// Where the test files live, as the Supabase CLI expects them.
pub const TESTS_DIR: &str = "supabase/tests";

/// The pgTAP test files below `<project>/supabase/tests`, in the order `pg_prove` runs them:
/// `.sql` and `.pg` files, recursively (what `supabase test db` picks; helpers included with
/// `\ir` carry another extension, `.psql`).
pub fn test_files(project_root: &Path) -> Result<Vec<PathBuf>, LocalDbError> {
    let mut files = Vec::new();
    collect(&project_root.join(TESTS_DIR), &mut files)?;
    files.sort();
    Ok(files)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), LocalDbError> {
    let entries = std::fs::read_dir(dir).map_err(LocalDbError::io("reading", dir))?;
    for entry in entries {
        let path = entry.map_err(LocalDbError::io("reading", dir))?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "sql" || e == "pg") {
            files.push(path);
        }
    }
    Ok(())
}

/// Creates pgTAP in schema `extensions`, as the bootstrap superuser: on the platform postgres
/// may create it (supautils lists it as a privileged extension), which the emulation lacks.
pub fn install(admin_url: &str) -> Result<(), LocalDbError> {
    admin::connect(admin_url)?
        .batch_execute("create extension if not exists pgtap with schema extensions")
        .context("creating extension pgtap (Debian: apt-get install postgresql-15-pgtap)")
        .map_err(Into::into)
}

/// What `pg_prove` reported.
#[derive(Debug, Clone)]
pub struct ProveReport {
    /// Assertions that passed (`ok N`).
    pub passed: usize,
    /// Assertions that failed (`not ok N`), plus files that died before their plan ended.
    pub failed: usize,
    /// Whether pg_prove said `Result: PASS`.
    pub success: bool,
    /// pg_prove's whole output (stdout, then stderr).
    pub output: String,
}

/// Runs `pg_prove --verbose` on `files` against `database_url`.
pub fn prove(database_url: &str, files: &[PathBuf]) -> Result<ProveReport, LocalDbError> {
    let out = Command::new("pg_prove")
        .arg("--verbose")
        .arg("--dbname")
        .arg(database_url)
        .args(files)
        .output()
        .map_err(|e| LocalDbError::Command {
            command: "pg_prove".to_owned(),
            output: format!(
                "could not start it ({e}): install pgTAP's runner (Debian: apt-get install libtap-parser-sourcehandler-pgtap-perl postgresql-15-pgtap)"
            ),
        })?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut passed = 0;
    let mut failed = 0;
    for line in stdout.lines() {
        let line = line.trim_start();
        if line.starts_with("not ok ") {
            failed += 1;
        } else if line.starts_with("ok ") {
            passed += 1;
        }
    }
    let success = out.status.success() && stdout.lines().any(|l| l.trim() == "Result: PASS");
    if !success && failed == 0 {
        // A file that died (a SQL error) ran no failing assertion but must not pass.
        failed = 1;
    }
    Ok(ProveReport {
        passed,
        failed,
        success,
        output: format!("{stdout}{stderr}"),
    })
}
