//! The pgTAP suites of `supabase/tests/` (what `supabase test db` runs) pass on the migrated,
//! seeded database, and fail when an access rule breaks.

use diesel::connection::SimpleConnection;
use mentor_status_localdb::{BOOTSTRAP_SUPERUSER, pgtap, url};
use mentor_status_tests::{TestDb, project_root};

fn prove(db: &TestDb) -> pgtap::ProveReport {
    pgtap::install(&url::with_user(db.url(), BOOTSTRAP_SUPERUSER)).unwrap();
    let files = pgtap::test_files(&project_root()).unwrap();
    assert!(files.len() >= 2, "{files:?}");
    pgtap::prove(db.url(), &files).unwrap()
}

#[test]
fn the_pgtap_suites_pass_on_the_seeded_database() {
    let report = prove(&TestDb::seeded());
    assert!(report.success, "{}", report.output);
    assert_eq!(report.failed, 0, "{}", report.output);
    assert!(
        report.passed >= 150,
        "only {} assertions:\n{}",
        report.passed,
        report.output
    );
}

#[test]
fn a_policy_that_lost_its_using_clause_makes_the_pgtap_matrix_fail() {
    let db = TestDb::seeded();
    // A coordinator policy that admits every row: coordinators of other chapters now see Bjørn.
    db.conn()
        .batch_execute(
            "alter policy peer_mentors_select_coordinated on public.peer_mentors using (true)",
        )
        .unwrap();
    let report = prove(&db);
    assert!(!report.success);
    assert!(report.failed > 0);
    assert!(
        report.output.lines().any(|line| line.starts_with("not ok")
            && line.ends_with("matrix | coordinator of another chapter (Trond) | ReadRow | None")),
        "{}",
        report.output
    );
}
