//! `cargo xtask rehearse` (its engine, `mentor_status_localdb::rehearsal`) on a generated
//! production at the version before the status migration, read by a read-only role, and bad
//! input, each changing nothing and leaving no copy behind. `REHEARSE_ROWS` mentors (default
//! 300 000, ~25 s on 2 cores): enough for one ALTER with validated CHECKs to block several
//! times longer than ours; the README shows a 1M-row run (hundreds of milliseconds).

use mentor_status_storage::fixtures::legacy_mentors_sql;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use mentor_status_localdb::fingerprint::fingerprint;
use mentor_status_localdb::rehearsal::{
    self, Check, Event, Finding, Options, Rehearsal, RehearsalError,
};
use mentor_status_localdb::{BOOTSTRAP_SUPERUSER, admin, url};
use mentor_status_storage::migrations::{
    DownTarget, Migrations, Migrator, SqlMigration, SqlScript,
};
use mentor_status_tests::naive;
use mentor_status_tests::rehearsal::ProjectRunner;
use mentor_status_tests::{TestDb, binaries, project_root, server_url};

use crate::support::{int, platform_before, text, version_before};

/// A production database at the version before the status migration with `rows` mentors.
fn production(rows: u64) -> TestDb {
    let db = platform_before("add_mentor_status");
    let mut conn = db.conn();
    conn.batch_execute(&format!(
        "insert into public.chapters (name) select 'Chapter ' || i from generate_series(1, 50) i;
         {mentors};
         with c as (select array_agg(id order by name) as ids from public.chapters)
         insert into public.chapter_memberships (mentor_id, chapter_id)
         select m.id, c.ids[1 + abs(hashtext(m.email)) % 50] from public.peer_mentors m, c;",
        mentors = legacy_mentors_sql(1, rows)
    ))
    .unwrap();
    conn.batch_execute("analyze").unwrap();
    db
}

/// The embedded files up to the status migration, which is replaced by [`naive::one_alter`].
fn one_alter_migrations() -> Migrations {
    let embedded = Migrations::embedded();
    let before = version_before("add_mentor_status");
    let mut files: Vec<SqlMigration> = embedded
        .iter()
        .filter(|m| m.version() <= before.as_str())
        .cloned()
        .collect();
    let v1 = embedded
        .iter()
        .find(|m| m.name() == "add_mentor_status")
        .unwrap();
    files.push(SqlMigration::new(
        v1.version(),
        "add_mentor_status_in_one_alter",
        SqlScript::new(naive::one_alter()),
        v1.down().cloned(),
    ));
    Migrations::from_migrations(files)
}

/// Options for a rehearsal of `source` on the test server, scratch copies named by `prefix`.
fn options(source: &str, prefix: &str) -> Options {
    let scratch = server_url("postgres");
    let mut options = Options::new(
        source,
        &scratch,
        &superuser_url(),
        binaries().clone(),
        project_root().join("target").join("rehearse-tests"),
    );
    options.scratch_prefix = prefix.to_owned();
    options
}

fn unique_prefix() -> String {
    format!("rh{}", &uuid::Uuid::new_v4().simple().to_string()[..10])
}

fn run(options: &Options, migrations: Migrations) -> Result<Rehearsal, RehearsalError> {
    rehearsal::rehearse(
        options,
        &mut ProjectRunner::new(migrations),
        &Arc::new(AtomicBool::new(false)),
        &mut |_| {},
    )
}

/// Databases whose name starts with `prefix` (scratch copies left behind).
fn leftovers(prefix: &str) -> i64 {
    let mut conn = admin::connect(&server_url("postgres")).unwrap();
    int(
        &mut conn,
        &format!("select count(*) as v from pg_database where datname like '{prefix}\\_%'"),
    )
}

/// What must not change on a source: its catalog, and the row count and content (md5 of the
/// sorted rows) of every table, history included.
fn snapshot(url: &str) -> (Vec<String>, String) {
    let mut conn = admin::connect(url).unwrap();
    let tables = text(
        &mut conn,
        r"select string_agg(format('%s %s', c.oid::regclass, (xpath('/row/v/text()', query_to_xml(format(
                  'select count(*) || '':'' || coalesce(md5(string_agg(x::text, '','' order by x::text)), '''') as v from %s x',
                  c.oid::regclass), false, true, '')))[1]::text), ' ' order by c.oid::regclass::text) as v
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema')",
    );
    (fingerprint(&mut conn).unwrap(), tables)
}

fn superuser_url() -> String {
    url::with_user(&server_url("postgres"), BOOTSTRAP_SUPERUSER)
}

#[test]
fn a_production_copy_shows_our_files_within_noise_and_a_one_alter_check_blocking_its_table() {
    let rows: u64 = std::env::var("REHEARSE_ROWS").map_or(300_000, |v| v.parse().unwrap());
    let production = production(rows);
    // The platform's read-only role: LOGIN, BYPASSRLS, pg_read_all_data, no write grant.
    let source = url::with_user(production.url(), "supabase_read_only_user");
    let before = snapshot(production.url());
    let prefix = unique_prefix();

    // The project's pending files, exactly as migrate up would apply them: no rewrite, and the
    // status migration (v1 + v2) within 3× the probe's idle floor. (Other files are held to
    // the command's own --max-block-ms verdict only: a concurrent index build's brief lock
    // phases and move_pause_reasons' row locks are real but short, and on a shared 2-core
    // machine they exceed 3× a millisecond floor now and then.)
    let ours = run(&options(&source, &prefix), Migrations::embedded()).unwrap();
    let expected: Vec<String> = Migrations::embedded()
        .iter()
        .filter(|m| m.version() > version_before("add_mentor_status").as_str())
        .map(|m| m.version().to_owned())
        .collect();
    let applied: Vec<String> = ours.files.iter().map(|f| f.version.clone()).collect();
    assert_eq!(
        applied, expected,
        "pending exactly as migrate up would apply"
    );
    for f in &ours.files {
        assert!(
            f.rewritten.is_empty(),
            "{} rewrote {:?}",
            f.name,
            f.rewritten
        );
        assert!(f.probe_errors.is_empty(), "{:?}", f.probe_errors);
        let status_migration = f.name == "add_mentor_status" || f.name.starts_with("validate_");
        if status_migration {
            assert!(
                ours.within_noise(f, 3),
                "{}: probe blocked {:?}, idle floor {:?}\n{}",
                f.name,
                f.worst,
                ours.idle_floor(),
                ours.table()
            );
        }
    }
    assert_eq!(ours.rollback, Check::Exact);
    assert_eq!(ours.reapply, Check::Exact);
    assert!(
        ours.probed_tables
            .contains(&"public.peer_mentors".to_owned())
    );
    let validate = ours
        .files
        .iter()
        .find(|f| f.name.starts_with("validate_"))
        .unwrap();
    assert!(
        validate
            .rows_scanned
            .iter()
            .any(|(t, n)| t == "public.peer_mentors" && *n >= i64::try_from(rows).unwrap()),
        "VALIDATE scans the table: {:?}",
        validate.rows_scanned
    );

    // One ALTER with validated CHECKs instead of ours (v1 + v2, the files it replaces): blocks
    // the probe on peer_mentors longer than ours did, beyond a --max-block-ms set at that.
    let ours_worst = ours
        .files
        .iter()
        .filter(|f| f.name == "add_mentor_status" || f.name.starts_with("validate_"))
        .map(|f| f.worst)
        .max()
        .unwrap();
    // A limit at what ours blocked (at least 10 ms). Not a multiple of it: on a loaded
    // machine ours' worst is the noise (spikes of 20-30 ms were seen in CI), which can come
    // within 3x of what the ALTER blocks at this size; the cause, checked below without
    // timing, is that the ALTER scans the whole table under ACCESS EXCLUSIVE.
    let mut strict = options(&source, &prefix);
    strict.max_block = ours_worst.max(Duration::from_millis(10));
    let bad = run(&strict, one_alter_migrations()).unwrap();
    // Shown with --nocapture: the figures behind the assertions.
    println!("{}\n{}", ours.table(), bad.table());
    assert_eq!(bad.files.len(), 1);
    let file = &bad.files[0];
    assert_eq!(file.worst_table.as_deref(), Some("public.peer_mentors"));
    assert!(
        file.worst > strict.max_block && !bad.within_noise(file, 3),
        "one ALTER blocked {:?} (idle {:?}), ours at most {ours_worst:?}\n{}",
        file.worst,
        bad.idle_floor(),
        bad.table()
    );
    assert!(
        file.findings(strict.max_block)
            .iter()
            .any(|f| matches!(f, Finding::Blocks { table, .. } if table == "public.peer_mentors")),
        "{}",
        bad.verdict()
    );
    assert!(bad.verdict().contains("would block traffic for"));
    assert!(!bad.passed());
    let alter = file
        .statements
        .iter()
        .find(|s| s.text.starts_with("alter table public.peer_mentors"))
        .unwrap_or_else(|| panic!("the ALTER's locks are attributed to it:\n{}", bad.table()));
    assert!(
        alter
            .locks
            .iter()
            .any(|l| l.relation == "public.peer_mentors" && l.mode == "AccessExclusiveLock")
    );
    assert!(
        file.rows_scanned
            .iter()
            .any(|(t, n)| t == "public.peer_mentors" && *n >= i64::try_from(rows).unwrap()),
        "the one ALTER scans the whole table (under its ACCESS EXCLUSIVE lock): {:?}",
        file.rows_scanned
    );
    assert!(
        bad.json()
            .contains("\"probe_blocked_table\": \"public.peer_mentors\"")
    );

    assert_eq!(
        snapshot(production.url()),
        before,
        "the source is unchanged"
    );
    assert_eq!(leftovers(&prefix), 0, "scratch copies are dropped");
}

#[test]
fn the_copy_is_identical_to_the_source_and_kept_on_request() {
    let source = TestDb::seeded();
    let mut conn = source.conn();
    Migrator::new(&mut conn)
        .down(&DownTarget::LAST_ONE)
        .unwrap();
    let prefix = unique_prefix();
    let mut options = options(source.url(), &prefix);
    options.keep = true;
    let rehearsal = run(&options, Migrations::embedded()).unwrap();
    // Read and drop the kept copy before asserting, so a failure leaves nothing behind.
    let copy = snapshot(&server_url(&rehearsal.scratch_database)).0;
    let mut admin_conn = admin::connect(&server_url("postgres")).unwrap();
    admin::drop_database(&mut admin_conn, &rehearsal.scratch_database).unwrap();
    assert!(rehearsal.kept);
    assert_eq!(rehearsal.files.len(), 1);
    Migrator::new(&mut conn).up(None).unwrap();
    // The catalog only: the probe's writes touched rows of the copy (updated_at triggers).
    assert_eq!(
        copy,
        snapshot(source.url()).0,
        "the kept copy is the source, migrated"
    );
}

#[test]
fn an_up_to_date_source_has_nothing_pending_and_passes() {
    let source = TestDb::migrated();
    let rehearsal = run(
        &options(source.url(), &unique_prefix()),
        Migrations::embedded(),
    )
    .unwrap();
    assert!(rehearsal.files.is_empty());
    assert!(rehearsal.passed());
    assert_eq!(rehearsal.rollback, Check::Skipped);
}

/// Runs a rehearsal that must fail, checking that it changed nothing and left no copy.
fn refused(source: &str, migrations: Migrations) -> RehearsalError {
    let prefix = unique_prefix();
    let error = run(&options(source, &prefix), migrations).unwrap_err();
    assert_eq!(leftovers(&prefix), 0, "no scratch copy is left behind");
    error
}

#[test]
fn an_unreachable_source_or_a_failing_login_is_refused_before_anything_is_created() {
    // The local cluster trusts local connections, so a wrong password cannot be shown here:
    // an unknown role and an unknown database fail at the same point, the login.
    let source = TestDb::migrated();
    for (url, named) in [
        (
            "postgres://postgres@127.0.0.1:1/production".to_owned(),
            "--from",
        ),
        (url::with_user(source.url(), "nobody_here"), "nobody_here"),
        (server_url("no_such_database"), "no_such_database"),
    ] {
        let error = refused(&url, Migrations::embedded());
        assert!(
            matches!(error, RehearsalError::Unreachable { .. }),
            "{error}"
        );
        assert!(error.to_string().contains(named), "{error}");
    }
}

#[test]
fn a_source_without_the_history_table_is_refused() {
    let source = TestDb::platform();
    let before = snapshot(source.url());
    let error = refused(source.url(), Migrations::embedded());
    assert!(matches!(error, RehearsalError::NoHistory { .. }), "{error}");
    assert!(error.to_string().contains("migration repair"), "{error}");
    assert_eq!(snapshot(source.url()), before);
}

#[test]
fn a_source_ahead_of_the_local_files_or_with_an_edited_file_is_refused() {
    let source = TestDb::migrated();
    source
        .conn()
        .batch_execute(
            "insert into supabase_migrations.schema_migrations (version, name, statements)
             values ('29991231000000', 'from_the_future', array['select 1'])",
        )
        .unwrap();
    let before = snapshot(source.url());
    let error = refused(source.url(), Migrations::embedded());
    match &error {
        RehearsalError::Diverged { edited, unknown } => {
            assert!(edited.is_empty());
            assert_eq!(unknown, &["29991231000000_from_the_future".to_owned()]);
        }
        other => panic!("expected Diverged, got {other}"),
    }
    assert!(
        error.to_string().contains("ahead of this checkout"),
        "{error}"
    );
    assert_eq!(snapshot(source.url()), before);

    let edited = TestDb::migrated();
    let version = version_before("add_mentor_status");
    edited
        .conn()
        .batch_execute(&format!(
            "update supabase_migrations.schema_migrations set statements = array['select 2'] where version = '{version}'"
        ))
        .unwrap();
    let error = refused(edited.url(), Migrations::embedded());
    assert!(
        matches!(&error, RehearsalError::Diverged { edited, .. } if edited.len() == 1),
        "{error}"
    );
    assert!(
        error.to_string().contains("edited since applied"),
        "{error}"
    );
}

#[test]
fn a_pending_file_that_fails_on_the_copy_is_reported_and_the_copy_dropped() {
    let source = TestDb::migrated();
    let mut files: Vec<SqlMigration> = Migrations::embedded().iter().cloned().collect();
    let failing = SqlScript::new("select 1 / 0;");
    files.push(SqlMigration::new("29991231000000", "fails", failing, None));
    let before = snapshot(source.url());
    let error = refused(source.url(), Migrations::from_migrations(files));
    assert!(matches!(error, RehearsalError::Runner(_)), "{error}");
    assert!(
        error
            .to_string()
            .contains("29991231000000_fails fails on the copy"),
        "{error}"
    );
    assert_eq!(snapshot(source.url()), before);
}

#[test]
fn cancelling_mid_run_drops_the_scratch_copy_and_leaves_the_source_alone() {
    let source = production(2_000);
    let before = snapshot(source.url());
    for when in ["copy", "apply"] {
        let prefix = unique_prefix();
        let cancel = Arc::new(AtomicBool::new(false));
        // What the Ctrl-C handler does: set the flag, here at a chosen point of the run.
        let error = rehearsal::rehearse(
            &options(source.url(), &prefix),
            &mut ProjectRunner::new(Migrations::embedded()),
            &cancel,
            &mut |event| match event {
                Event::Dumping { .. } if when == "copy" => cancel.store(true, Ordering::Relaxed),
                Event::Applying { .. } if when == "apply" => {
                    cancel.store(true, Ordering::Relaxed);
                }
                _ => {}
            },
        )
        .unwrap_err();
        assert!(
            matches!(error, RehearsalError::Cancelled),
            "{when}: {error}"
        );
        assert_eq!(leftovers(&prefix), 0, "{when}: the scratch copy is dropped");
    }
    assert_eq!(snapshot(source.url()), before);
}

/// The probe finds tables whose names need quoting, names them as SQL writes them, and reads
/// and writes their rows without an error.
#[test]
fn the_probe_quotes_schema_table_and_key_names_that_need_it() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    conn.batch_execute(
        r#"create schema "Odd Schema";
           create table "Odd Schema"."Mixed Case" ("Key Col" int primary key, "select" int);
           insert into "Odd Schema"."Mixed Case" select i, i from generate_series(1, 10) i;
           create table "Odd Schema".updates (n int not null);
           insert into "Odd Schema".updates values (0);
           create function "Odd Schema".count_update() returns trigger language plpgsql as
             $$ begin update "Odd Schema".updates set n = n + 1; return new; end $$;
           create trigger count_update after update on "Odd Schema"."Mixed Case"
             for each row execute function "Odd Schema".count_update();"#,
    )
    .unwrap();
    let targets = mentor_status_localdb::probe::targets(&mut conn, "Odd Schema").unwrap();
    let names: Vec<&str> = targets.iter().map(|t| t.table.as_str()).collect();
    // `updates` has no primary key, so it is not probed.
    assert_eq!(names, [r#""Odd Schema"."Mixed Case""#]);

    let probe = mentor_status_localdb::probe::Probe::start(db.url(), targets).unwrap();
    // Wait for the probe's writes (the trigger counts them), not for a time.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while int(
        &mut conn,
        r#"select n::int8 as v from "Odd Schema".updates"#,
    ) < 3
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the probe wrote nothing in 30 s"
        );
        std::thread::yield_now();
    }
    let samples = probe.finish().unwrap();
    assert!(samples.len() >= 3);
    let errors: Vec<&String> = samples.iter().filter_map(|s| s.error.as_ref()).collect();
    assert!(errors.is_empty(), "{errors:?}");
}
