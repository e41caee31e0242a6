//! `test-db`: the pgTAP suites in `supabase/tests/`, run with `pg_prove` as
//! `supabase test db` runs them, on a scratch database with the migrations and the seed.
//! Prints pg_prove's report and ends with `N passed, M failed` (assertions).

use std::path::Path;

use anyhow::{Result, bail};
use mentor_status_localdb::{pgtap, url};

pub fn run(root: &Path) -> Result<()> {
    let server_url = crate::db::database_url(root)?;
    let files = pgtap::test_files(root)?;
    if files.is_empty() {
        bail!("no test files in {}", pgtap::TESTS_DIR);
    }
    let report = crate::db::with_scratch_database(&server_url, "test_db", |scratch_url| {
        crate::reset::reset(root, scratch_url, None, true)?;
        prove(scratch_url, &files)
    })?;
    println!("{}", report.output.trim_end());
    println!("{} passed, {} failed", report.passed, report.failed);
    if !report.success {
        bail!(
            "pgTAP: {} assertion(s) failed or a file did not finish",
            report.failed
        );
    }
    Ok(())
}

fn prove(scratch_url: &str, files: &[std::path::PathBuf]) -> Result<pgtap::ProveReport> {
    crate::step("pgTAP in schema extensions", || {
        Ok(pgtap::install(&url::with_user(
            scratch_url,
            mentor_status_localdb::BOOTSTRAP_SUPERUSER,
        ))?)
    })?;
    crate::step(&format!("pg_prove over {} file(s)", files.len()), || {
        Ok(pgtap::prove(scratch_url, files)?)
    })
}
