//! `smoke`: the migration smoke test (`mentor_status_tests::smoke`, which the test suite runs
//! too) on a scratch database it creates and drops. Last line: `N passed, M failed`.

use std::path::Path;

use anyhow::Result;
use mentor_status_localdb::url;

use crate::report::Report;

pub fn run(root: &Path) -> Result<()> {
    let server_url = crate::db::database_url(root)?;
    let smoke = crate::db::with_scratch_database(&server_url, "smoke", |scratch_url| {
        println!("scratch database: {}", url::redact(scratch_url));
        mentor_status_tests::smoke::run(scratch_url).map_err(|e| anyhow::anyhow!("{e}"))
    })?;
    println!("migrated up through {}", smoke.applied.join(", "));
    let mut report = Report::default();
    for check in smoke.checks {
        report.check(&check.label, check.outcome.map_err(anyhow::Error::msg));
    }
    report.finish("smoke")
}
