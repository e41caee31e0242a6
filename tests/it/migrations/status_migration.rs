//! The mentor_status migration itself: no rewrite, legacy rows, constraints, idempotence and a
//! rollback that refuses to take what others still use.

use diesel::connection::SimpleConnection;
use diesel::result::{DatabaseErrorKind, Error};
use mentor_status_localdb::fingerprint::{diff, fingerprint};
use mentor_status_storage::migrations::{DownTarget, Migrations, Migrator, SqlMigration};
use mentor_status_tests::TestDb;

use crate::support::{int, platform_before, text, version_before};

fn status_migration() -> SqlMigration {
    Migrations::embedded()
        .status_migration()
        .expect("the status migration exists")
        .add
        .clone()
}

const LEGACY_ROWS: &str = "
insert into auth.users (id, email) select gen_random_uuid(), 'legacy' || i || '@example.org' from generate_series(1, 50) i;
insert into public.peer_mentors (user_id, full_name, email)
  select id, 'Legacy ' || email, email from auth.users where email like 'legacy%';";

#[test]
fn legacy_rows_become_active_without_a_table_rewrite() {
    let db = platform_before("add_mentor_status");
    let mut conn = db.conn();
    conn.batch_execute(LEGACY_ROWS).unwrap();
    let relfilenode =
        "select relfilenode::text as v from pg_class where oid = 'public.peer_mentors'::regclass";
    let before = text(&mut conn, relfilenode);
    Migrator::new(&mut conn).up(None).unwrap();
    assert_eq!(
        text(&mut conn, relfilenode),
        before,
        "the table was not rewritten"
    );
    assert_eq!(
        text(
            &mut conn,
            "select string_agg(distinct status::text || '/' || coalesce(pause_at::text, 'null') || '/' || coalesce(pause_reason, 'null'), ',') as v
               from public.peer_mentors"
        ),
        "active/null/null"
    );
    assert_eq!(
        int(&mut conn, "select count(*) as v from public.peer_mentors"),
        50
    );
    assert_eq!(
        text(
            &mut conn,
            "select string_agg(conname || '=' || convalidated, ',' order by conname) as v from pg_constraint where conname like 'chk_pause%'"
        ),
        "chk_pause_at_only_when_paused=true,chk_pause_at_required=true,chk_pause_reason_no_national_id=true,chk_pause_reason_only_when_paused=true"
    );
}

#[test]
fn the_enum_has_exactly_the_three_labels_in_order() {
    let db = TestDb::migrated();
    assert_eq!(
        text(
            &mut db.conn(),
            "select string_agg(enumlabel, ',' order by enumsortorder) as v from pg_enum where enumtypid = 'public.mentor_status'::regtype"
        ),
        "active,paused,inactive"
    );
}

#[test]
fn rows_the_check_constraints_forbid_are_rejected_by_name() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let mentor = crate::seed_ids::mentors::ADA;
    let cases = [
        (
            "status = 'paused', pause_at = null",
            "chk_pause_at_required",
        ),
        (
            "status = 'active', pause_at = now()",
            "chk_pause_at_only_when_paused",
        ),
        (
            "status = 'inactive', pause_at = now()",
            "chk_pause_at_only_when_paused",
        ),
        (
            "status = 'active', pause_reason = 'vacation'",
            "chk_pause_reason_only_when_paused",
        ),
        (
            "status = 'paused', pause_at = now(), pause_reason = 'id 010190 12345'",
            "chk_pause_reason_no_national_id",
        ),
        (
            "status = 'paused', pause_at = now(), pause_reason = repeat('x', 201)",
            "chk_pause_reason_no_national_id",
        ),
    ];
    for (set, constraint) in cases {
        let error = conn
            .batch_execute(&format!(
                "update public.peer_mentors set {set} where id = '{mentor}'"
            ))
            .unwrap_err();
        match error {
            Error::DatabaseError(DatabaseErrorKind::CheckViolation, info) => {
                assert_eq!(info.constraint_name(), Some(constraint), "{set}");
            }
            other => panic!("{set}: expected a check violation, got {other}"),
        }
    }
    conn.batch_execute(&format!(
        "update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'vacation' where id = '{mentor}'"
    ))
    .unwrap();
}

#[test]
fn applying_the_status_migration_twice_changes_nothing() {
    let db = TestDb::migrated();
    let mut conn = db.conn();
    let before = fingerprint(&mut conn).unwrap();
    conn.batch_execute(status_migration().up().text()).unwrap();
    assert_eq!(
        diff(&before, &fingerprint(&mut conn).unwrap()),
        Vec::<String>::new()
    );
}

#[test]
fn the_status_migration_refuses_an_existing_type_with_other_labels() {
    let db = platform_before("add_mentor_status");
    let mut conn = db.conn();
    let v1 = status_migration();
    conn.batch_execute("create type public.mentor_status as enum ('active', 'on_leave')")
        .unwrap();
    let error = Migrator::new(&mut conn).up(None).unwrap_err().to_string();
    assert!(
        error.contains("{active,on_leave}") && error.contains("{active,paused,inactive}"),
        "{error}"
    );
    assert_eq!(
        text(
            &mut conn,
            "select max(version) as v from supabase_migrations.schema_migrations"
        ),
        version_before(v1.name()),
        "no history row for the refused migration"
    );
}

#[test]
fn the_rollback_refuses_to_drop_the_type_while_something_else_uses_it() {
    let db = TestDb::migrated();
    let mut conn = db.conn();
    conn.batch_execute("create table public.status_history (old_status public.mentor_status)")
        .unwrap();
    let v1 = status_migration();
    let error = Migrator::new(&mut conn)
        .down(&DownTarget::To(version_before(v1.name())))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("public.status_history.old_status"),
        "{error}"
    );
    // All or nothing: the columns are still there, and so is the history.
    assert_eq!(
        int(
            &mut conn,
            "select count(*) as v from information_schema.columns where table_name = 'peer_mentors' and column_name in ('status', 'pause_at', 'pause_reason')"
        ),
        3
    );
    assert_eq!(
        int(
            &mut conn,
            &format!(
                "select count(*) as v from supabase_migrations.schema_migrations where version = '{}'",
                v1.version()
            )
        ),
        1
    );
}

#[test]
fn a_rejected_pause_reason_is_never_echoed_back_in_the_error() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let camilla = crate::seed_ids::mentors::CAMILLA;
    let before = text(
        &mut conn,
        &format!(
            "select reason as v from private.mentor_pause_reasons where mentor_id = '{camilla}'"
        ),
    );
    for reason in ["id 010190 12345", "nr 010190-12345 ring meg", "01019012345"] {
        let error = conn
            .batch_execute(&format!(
                "update public.peer_mentors set pause_reason = '{reason}' where id = '{camilla}'"
            ))
            .unwrap_err();
        let Error::DatabaseError(DatabaseErrorKind::CheckViolation, info) = &error else {
            panic!("expected a check violation, got {error}");
        };
        assert_eq!(
            info.constraint_name(),
            Some("chk_pause_reason_no_national_id")
        );
        let said = format!(
            "{} {} {}",
            info.message(),
            info.details().unwrap_or(""),
            info.hint().unwrap_or("")
        );
        assert!(
            !said.contains("12345") && !said.contains("010190"),
            "the value leaked: {said}"
        );
        assert!(said.contains("not repeated"), "{said}");
    }
    assert_eq!(
        text(
            &mut conn,
            &format!(
                "select reason as v from private.mentor_pause_reasons where mentor_id = '{camilla}'"
            )
        ),
        before
    );
}

/// What the status migration leaves on `peer_mentors`: its columns (type, NOT NULL,
/// default), its CHECK constraints (definition, validated) and the enum's labels.
const STATUS_SHAPE: &str = "select concat_ws(E'\\n',
  (select string_agg(a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod)
                     || ' not null ' || a.attnotnull || ' default ' || coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), '-'),
                     E'\\n' order by a.attnum)
     from pg_catalog.pg_attribute as a
     left join pg_catalog.pg_attrdef as d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where a.attrelid = 'public.peer_mentors'::regclass and a.attnum > 0 and not a.attisdropped),
  (select string_agg(c.conname || ' ' || pg_catalog.pg_get_constraintdef(c.oid) || ' validated ' || c.convalidated,
                     E'\\n' order by c.conname)
     from pg_catalog.pg_constraint as c
    where c.conrelid = 'public.peer_mentors'::regclass and c.contype = 'c'),
  (select string_agg(e.enumlabel, ', ' order by e.enumsortorder)
     from pg_catalog.pg_enum as e where e.enumtypid = 'public.mentor_status'::regtype)) as v";

/// The naive migrations the benchmark and the rehearsal hold ours against are built from
/// the domain; they must end where ours (add + validate) ends, or the comparison is unfair.
#[test]
fn the_naive_migrations_end_in_the_columns_constraints_and_labels_ours_does() {
    let embedded = Migrations::embedded();
    let status = embedded.status_migration().unwrap();
    let ours = platform_before("add_mentor_status");
    let mut conn = ours.conn();
    Migrator::new(&mut conn)
        .up(Some(status.validate.version()))
        .unwrap();
    let expected = text(&mut conn, STATUS_SHAPE);
    assert!(
        expected.contains("chk_pause_reason_no_national_id"),
        "{expected}"
    );
    for (name, sql) in [
        ("one ALTER", mentor_status_tests::naive::one_alter()),
        ("backfill", mentor_status_tests::naive::backfill()),
    ] {
        let db = platform_before("add_mentor_status");
        let mut conn = db.conn();
        conn.batch_execute(&sql).unwrap();
        assert_eq!(text(&mut conn, STATUS_SHAPE), expected, "{name}");
    }
}
