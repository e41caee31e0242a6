//! `test-db`: the pgTAP suites in `supabase/tests/`, run with `pg_prove` as
//! `supabase test db` runs them, on a scratch database with the migrations and the seed.
//! Prints pg_prove's report and ends with `N passed, M failed` (assertions).

use std::path::Path;

use anyhow::{Context, Result, bail};
use mentor_status_localdb::{admin, pgtap, url};

pub fn run(root: &Path) -> Result<()> {
    let server_url = crate::db::database_url(root)?;
    let scratch = format!("test_db_{}", std::process::id());
    let scratch_url = url::with_database(&server_url, &scratch);
    let files = pgtap::test_files(root)?;
    if files.is_empty() {
        bail!("no test files in {}", pgtap::TESTS_DIR);
    }
    crate::reset::reset(root, &scratch_url, None, true)?;
    let outcome = prove(&scratch_url, &files);
    let mut maintenance = admin::connect(&admin::maintenance_url(&server_url))?;
    admin::drop_database(&mut maintenance, &scratch).context("dropping the scratch database")?;
    let report = outcome?;
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
