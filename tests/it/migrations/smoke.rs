//! The smoke checks `cargo xtask smoke` prints, run by the test suite from the same library.

use mentor_status_tests::TestDb;

#[test]
fn every_smoke_check_passes_on_a_database_with_only_the_platform_baseline() {
    let db = TestDb::platform();
    let report = mentor_status_tests::smoke::run(db.url()).unwrap();
    assert!(report.checks.len() >= 14, "{:#?}", report.checks);
    assert_eq!(
        report.applied.last().map(String::as_str),
        mentor_status_storage::migrations::Migrations::embedded()
            .latest()
            .map(|m| m.version())
    );
    let failed: Vec<_> = report
        .checks
        .iter()
        .filter(|c| c.outcome.is_err())
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
}
