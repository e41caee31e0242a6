//! The plan's `SELECT *` risk: code written before the status columns existed keeps working
//! after the migration (a diesel model of the old table, a raw `SELECT *` reader, a
//! positional INSERT).

use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Timestamptz, Uuid as SqlUuid};
use mentor_status_storage::migrations::Migrator;
use mentor_status_storage::schema::peer_mentors;
use uuid::Uuid;

use crate::support::{platform_before, text};

/// The columns of `public.peer_mentors` as the baseline created them, before the status
/// columns. diesel names every column it selects, so the pre-migration model's whole-table
/// select (its `table!` had these seven) sent exactly `.select(LegacyColumns::default())`.
type LegacyColumns = (
    peer_mentors::id,
    peer_mentors::user_id,
    peer_mentors::full_name,
    peer_mentors::email,
    peer_mentors::phone,
    peer_mentors::created_at,
    peer_mentors::updated_at,
);

/// A legacy reader of whole rows, by position.
type LegacyTuple = (
    Uuid,
    Uuid,
    String,
    String,
    Option<String>,
    DateTime<Utc>,
    DateTime<Utc>,
);

/// The pre-migration diesel model.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = peer_mentors, check_for_backend(diesel::pg::Pg))]
struct LegacyMentor {
    id: Uuid,
    user_id: Uuid,
    full_name: String,
    email: String,
    phone: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// A raw `SELECT *` consumer that knows only the old columns.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
struct SelectStar {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    user_id: Uuid,
    #[diesel(sql_type = Text)]
    full_name: String,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Nullable<Text>)]
    phone: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    updated_at: DateTime<Utc>,
}

const LEGACY_ROWS: &str = "
insert into auth.users (id, email)
  select ('a1000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'legacy' || i || '@example.org'
    from generate_series(1, 20) i;
insert into public.peer_mentors (id, user_id, full_name, email, phone, created_at, updated_at)
  select ('b1000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid,
         ('a1000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid,
         'Legacy ' || i, 'legacy' || i || '@example.org',
         case when i % 2 = 0 then '+47 400 00 ' || lpad(i::text, 3, '0') end,
         '2026-01-01T00:00:00Z'::timestamptz + i * interval '1 day',
         '2026-02-01T00:00:00Z'::timestamptz + i * interval '1 day'
    from generate_series(1, 20) i;";

fn load_both(conn: &mut PgConnection) -> (Vec<LegacyMentor>, Vec<SelectStar>) {
    let modelled = peer_mentors::table
        .select(LegacyMentor::as_select())
        .order(peer_mentors::id)
        .load(conn)
        .unwrap();
    let raw = diesel::sql_query("select * from public.peer_mentors order by id")
        .load(conn)
        .unwrap();
    (modelled, raw)
}

#[test]
fn pre_migration_readers_and_writers_still_work_after_the_migration() {
    let db = platform_before("add_mentor_status");
    let mut conn = db.conn();
    conn.batch_execute(LEGACY_ROWS).unwrap();
    let (modelled_before, raw_before) = load_both(&mut conn);
    assert_eq!(modelled_before.len(), 20);

    Migrator::new(&mut conn).up(None).unwrap();
    let (modelled_after, raw_after) = load_both(&mut conn);
    assert_eq!(modelled_after, modelled_before);
    assert_eq!(raw_after, raw_before);
    // The legacy table!'s whole-table default select (its seven columns, `LegacyColumns`)
    // works too.
    let tuples: Vec<LegacyTuple> = peer_mentors::table
        .select(LegacyColumns::default())
        .order(peer_mentors::id)
        .load(&mut conn)
        .unwrap();
    assert_eq!(tuples.len(), 20);

    // Positional readers: the old columns keep their positions, the new ones come last.
    assert_eq!(
        text(
            &mut conn,
            "select string_agg(column_name::text, ',' order by ordinal_position) as v
               from information_schema.columns where table_schema = 'public' and table_name = 'peer_mentors'"
        ),
        "id,user_id,full_name,email,phone,created_at,updated_at,status,pause_at,pause_reason"
    );
    // A positional INSERT of the old seven values still works, and the row is active.
    conn.batch_execute(
        "insert into auth.users (id, email) values ('a1000000-0000-4000-8000-000000000099', 'p@example.org');
         insert into public.peer_mentors values ('b1000000-0000-4000-8000-000000000099',
           'a1000000-0000-4000-8000-000000000099', 'Positional', 'p@example.org', null, now(), now());",
    )
    .unwrap();
    assert_eq!(
        text(
            &mut conn,
            "select status || '/' || coalesce(pause_at::text, 'null') || '/' || coalesce(pause_reason, 'null') as v
               from public.peer_mentors where full_name = 'Positional'"
        ),
        "active/null/null"
    );
    // And a legacy diesel insert, which names only the old columns.
    conn.batch_execute(
        "insert into auth.users (id, email) values ('a1000000-0000-4000-8000-000000000098', 'd@example.org')",
    )
    .unwrap();
    diesel::insert_into(peer_mentors::table)
        .values((
            peer_mentors::user_id
                .eq(Uuid::parse_str("a1000000-0000-4000-8000-000000000098").unwrap()),
            peer_mentors::full_name.eq("Diesel legacy"),
            peer_mentors::email.eq("d@example.org"),
        ))
        .execute(&mut conn)
        .unwrap();
    assert_eq!(
        text(
            &mut conn,
            "select status::text as v from public.peer_mentors where full_name = 'Diesel legacy'"
        ),
        "active"
    );
}
