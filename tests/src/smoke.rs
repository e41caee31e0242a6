//! The migration smoke test, one library function for `cargo xtask smoke` and the test suite:
//! on a database with nothing but (at most) the platform baseline, migrate to just before the
//! status migration, insert legacy mentors across chapters, migrate up, check what the plan
//! asks (one result per check), migrate down, compare the schema with the one from before,
//! migrate up again.

/// Setup failures and failed checks: any error, with its message.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
type Result<T> = std::result::Result<T, Error>;

macro_rules! bail {
    ($($t:tt)*) => {
        return Err(format!($($t)*).into())
    };
}
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use mentor_status_localdb::fingerprint::{diff, fingerprint};
use mentor_status_localdb::query::{int, text};
use mentor_status_localdb::{admin, platform};
use mentor_status_storage::migrations::{DownTarget, Migrations, Migrator};

const LEGACY_MENTORS: i64 = 24;

/// Legacy data as production has it before the status migration: chapters, users, mentors in
/// one or two chapters, coordinators.
const LEGACY_DATA: &str = "
insert into public.chapters (name) values ('Oslo'), ('Bergen'), ('Trondheim');
insert into auth.users (id, email)
  select gen_random_uuid(), 'legacy' || i || '@example.org' from generate_series(1, 24) i;
insert into public.peer_mentors (user_id, full_name, email)
  select id, 'Legacy Mentor ' || split_part(email, '@', 1), email from auth.users where email like 'legacy%';
insert into public.chapter_memberships (mentor_id, chapter_id)
  select m.id, c.id
    from (select id, row_number() over (order by email) as n from public.peer_mentors) m
    join (select id, row_number() over (order by name) as n from public.chapters) c
      on c.n = 1 + m.n % 3 or (m.n % 4 = 0 and c.n = 1 + (m.n + 1) % 3);";

/// One check: what it says, and whether it held.
#[derive(Debug)]
pub struct Check {
    /// `N what is checked`.
    pub label: String,
    /// `Err` says how it failed.
    pub outcome: std::result::Result<(), String>,
}

/// What [`run`] found.
#[derive(Debug)]
pub struct Report {
    /// The versions applied to reach the latest schema.
    pub applied: Vec<String>,
    /// Every check, in order.
    pub checks: Vec<Check>,
}

impl Report {
    fn check(&mut self, label: &str, outcome: Result<()>) {
        self.checks.push(Check {
            label: label.to_owned(),
            outcome: outcome.map_err(|e| e.to_string()),
        });
    }
}

/// Runs the smoke test on the (empty or platform-only) database `url`.
///
/// # Errors
///
/// When the database cannot be set up for the checks (connection, baseline, migrations);
/// failed checks are in the [`Report`].
pub fn run(url: &str) -> Result<Report> {
    let mut conn = admin::connect(url)?;
    let migrations = Migrations::embedded();
    let status = migrations.status_migration()?;
    let (v1, before_v1) = (status.add.clone(), status.before.version().to_owned());
    platform::apply_to(url)?;
    Migrator::new(&mut conn).up(Some(&before_v1))?;
    conn.batch_execute(LEGACY_DATA)
        .map_err(|e| format!("inserting legacy rows: {e}"))?;
    let schema_before = fingerprint(&mut conn)?;
    let relfilenode_before = text(&mut conn, RELFILENODE)?;
    let applied = Migrator::new(&mut conn).up(None)?;
    let mut report = Report {
        applied,
        checks: Vec::new(),
    };
    report.check("1 mentor_status has exactly active, paused, inactive, in that order", {
        expect_eq(
            text(&mut conn, "select string_agg(enumlabel, ',' order by enumsortorder) as v from pg_enum where enumtypid = 'public.mentor_status'::regtype")?,
            "active,paused,inactive",
        )
    });
    report.check("2 status mentor_status NOT NULL DEFAULT 'active'; pause_at timestamptz NULL; pause_reason text NULL", {
        expect_eq(
            text(
                &mut conn,
                "select string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || case when a.attnotnull then ' not null' else ' null' end
                                   || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), ''), '; ' order by a.attnum) as v
                   from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
                  where a.attrelid = 'public.peer_mentors'::regclass and a.attname in ('status', 'pause_at', 'pause_reason') and not a.attisdropped",
            )?,
            "status mentor_status not null default 'active'::mentor_status; pause_at timestamp with time zone null; pause_reason text null",
        )
    });
    report.check(&format!("3 the {LEGACY_MENTORS} legacy rows read active / NULL / NULL"), {
        expect_eq(
            int(&mut conn, "select count(*) as v from public.peer_mentors where status = 'active' and pause_at is null and pause_reason is null")?,
            LEGACY_MENTORS,
        )
    });
    let rejected = [
        (
            "4a paused without pause_at",
            "status = 'paused', pause_at = null",
            "chk_pause_at_required",
        ),
        (
            "4b active with a pause_at",
            "status = 'active', pause_at = now()",
            "chk_pause_at_only_when_paused",
        ),
        (
            "4c inactive with a pause_at",
            "status = 'inactive', pause_at = now()",
            "chk_pause_at_only_when_paused",
        ),
        (
            "4d a reason when not paused",
            "status = 'active', pause_reason = 'vacation'",
            "chk_pause_reason_only_when_paused",
        ),
        (
            "4e an 11-digit national id in pause_reason",
            "status = 'paused', pause_at = now(), pause_reason = 'id 01019012345'",
            "chk_pause_reason_no_national_id",
        ),
    ];
    for (label, set, constraint) in rejected {
        report.check(
            &format!("{label} is rejected: check_violation (23514) naming {constraint}"),
            expect_check_violation(&mut conn, set, constraint),
        );
    }
    report.check("4f paused with pause_at and a label is accepted", {
        update_rolled_back(
            &mut conn,
            "status = 'paused', pause_at = now(), pause_reason = 'vacation'",
        )
    });
    report.check("5 every constraint on peer_mentors is validated", {
        expect_eq(
            text(
                &mut conn,
                "select coalesce(string_agg(conname, ', '), 'none') as v from pg_constraint
                  where conrelid = 'public.peer_mentors'::regclass and not convalidated",
            )?,
            "none",
        )
    });
    report.check(
        "6 relfilenode unchanged: the table was not rewritten",
        expect_eq(text(&mut conn, RELFILENODE)?, relfilenode_before.as_str()),
    );
    let schema_after = fingerprint(&mut conn)?;
    report.check(&format!("7 applying {v1} again changes nothing"), {
        conn.batch_execute(v1.up().text())
            .map_err(|e| format!("re-running {v1}: {e}"))?;
        conn.batch_execute("reset all")?;
        expect_no_diff(&schema_after, &fingerprint(&mut conn)?)
    });
    report.check(&format!("8 migrate down to {before_v1}: columns, constraints and type gone; schema as before"), {
        Migrator::new(&mut conn).down(&DownTarget::To(before_v1.clone()))?;
        expect_eq(
            int(
                &mut conn,
                "select (select count(*) from information_schema.columns where table_schema = 'public' and table_name = 'peer_mentors'
                           and column_name in ('status', 'pause_at', 'pause_reason'))
                      + (select count(*) from pg_constraint where conname like 'chk_pause%')
                      + (select count(*) from pg_type where typname = 'mentor_status') as v",
            )?,
            0,
        )
        .and_then(|()| expect_no_diff(&schema_before, &fingerprint(&mut conn)?))
    });
    report.check("9 migrate up again succeeds and gives the same schema", {
        Migrator::new(&mut conn).up(None)?;
        expect_no_diff(&schema_after, &fingerprint(&mut conn)?)
    });
    Ok(report)
}

const RELFILENODE: &str =
    "select relfilenode::text as v from pg_class where oid = 'public.peer_mentors'::regclass";

fn expect_eq<A: PartialEq<E> + std::fmt::Debug, E: std::fmt::Debug>(
    actual: A,
    expected: E,
) -> Result<()> {
    if actual == expected {
        Ok(())
    } else {
        bail!("expected {expected:?}, found {actual:?}")
    }
}

fn expect_no_diff(before: &[String], after: &[String]) -> Result<()> {
    let changes = diff(before, after);
    if changes.is_empty() {
        Ok(())
    } else {
        bail!("the schema differs:\n  {}", changes.join("\n  "))
    }
}

/// Runs an UPDATE of one legacy mentor in a transaction that is always rolled back.
fn update_rolled_back(conn: &mut PgConnection, set: &str) -> Result<()> {
    let sql = format!(
        "update public.peer_mentors set {set} where id = (select min(id::text)::uuid from public.peer_mentors)"
    );
    let outcome = conn.transaction::<(), DieselError, _>(|conn| {
        conn.batch_execute(&sql)?;
        Err(DieselError::RollbackTransaction)
    });
    match outcome {
        Err(DieselError::RollbackTransaction) => Ok(()),
        Err(e) => Err(e.into()),
        Ok(()) => Ok(()),
    }
}

fn expect_check_violation(conn: &mut PgConnection, set: &str, constraint: &str) -> Result<()> {
    match update_rolled_back(conn, set) {
        Ok(()) => bail!("the update was accepted"),
        Err(e) => match e.downcast_ref::<DieselError>() {
            Some(DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, info))
                if info.constraint_name() == Some(constraint) =>
            {
                Ok(())
            }
            Some(DieselError::DatabaseError(kind, info)) => {
                bail!(
                    "rejected, but as {kind:?} by {:?}: {}",
                    info.constraint_name(),
                    info.message()
                )
            }
            _ => Err(e),
        },
    }
}
