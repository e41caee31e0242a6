//! The coordinator's list: who it returns, and that the query the repository really sends is
//! answered from the partial chapter index.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use mentor_status_domain::MentorStatus;
use mentor_status_tests::TestDb;

use crate::storage::support::{BERGEN, CAMILLA, OSLO, TRONDHEIM, repository, user};
use crate::support::text;

#[test]
fn a_coordinator_lists_the_active_members_of_a_chapter_by_status() {
    let db = TestDb::seeded();
    let repository = repository(&db, 1);
    let names = |chapter, status| -> Vec<String> {
        repository
            .list(chapter, status)
            .unwrap()
            .into_iter()
            .map(|m| m.full_name)
            .collect()
    };
    // Oslo: Ada, Bjørn, Guro (all active).
    assert_eq!(
        names(OSLO, None),
        ["Ada Hansen", "Bjørn Olsen", "Guro Moen"]
    );
    // Bergen: Bjørn, Camilla (paused), Henrik (inactive); Guro left Bergen.
    assert_eq!(
        names(BERGEN, None),
        ["Bjørn Olsen", "Camilla Berg", "Henrik Strand"]
    );
    assert_eq!(names(BERGEN, Some(MentorStatus::Paused)), ["Camilla Berg"]);
    assert_eq!(
        names(BERGEN, Some(MentorStatus::Inactive)),
        ["Henrik Strand"]
    );
    assert_eq!(names(BERGEN, Some(MentorStatus::Active)), ["Bjørn Olsen"]);
    assert_eq!(names(TRONDHEIM, Some(MentorStatus::Paused)), ["Eva Nilsen"]);
    let camilla = repository
        .list(BERGEN, Some(MentorStatus::Paused))
        .unwrap()
        .remove(0);
    assert_eq!(camilla.id, CAMILLA);
    assert_eq!(camilla.user_id, user(3));
    assert_eq!(camilla.state, repository.status(CAMILLA).unwrap());
}

/// The text of the one `list` query PostgreSQL received in this database, as
/// `pg_stat_statements` recorded it: diesel sends every value as a bind parameter, so the text
/// is the query exactly as sent, with its `$n` parameters.
fn the_list_query_as_sent(conn: &mut PgConnection) -> String {
    #[derive(QueryableByName)]
    struct Sent {
        #[diesel(sql_type = diesel::sql_types::Text)]
        query: String,
    }
    let sent: Vec<Sent> = diesel::sql_query(
        "select s.query
           from extensions.pg_stat_statements as s
          where s.dbid = (select oid from pg_database where datname = current_database())
            and s.query like '%\"chapter_memberships\"%'
            and s.query ilike '%order by%'
            and s.query not like '%pg_stat_statements%'",
    )
    .load(conn)
    .unwrap();
    let texts: Vec<String> = sent.into_iter().map(|s| s.query).collect();
    assert_eq!(texts.len(), 1, "one list query was sent: {texts:#?}");
    texts.into_iter().next().unwrap()
}

#[test]
fn the_list_query_uses_the_partial_chapter_index() {
    let db = TestDb::seeded();
    let repository = repository(&db, 1);
    // Run `list` itself, then explain the very query it sent.
    let listed = repository.list(BERGEN, Some(MentorStatus::Paused)).unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    let mut conn = db.conn();
    let sent = the_list_query_as_sent(&mut conn);
    // Few rows: make the planner prefer any index over a scan, to see which one it picks.
    // A generic plan, as a prepared statement gets after its first executions: the partial
    // index must match without the planner seeing the values.
    conn.batch_execute(&format!(
        "set enable_seqscan = off; set plan_cache_mode = force_generic_plan;
         analyze public.chapter_memberships;
         prepare listed as {sent}"
    ))
    .unwrap();
    // The values `list` bound, by the parameter types PostgreSQL inferred for the text.
    let types = text(
        &mut conn,
        "select array_to_string(parameter_types::text[], ',') as v
           from pg_prepared_statements where name = 'listed'",
    );
    let arguments: Vec<String> = types
        .split(',')
        .map(|parameter| match parameter {
            "uuid" => format!("'{BERGEN}'"),
            "boolean" => "true".to_owned(),
            t if t.ends_with("mentor_status") => "'paused'".to_owned(),
            other => panic!("a parameter of type {other} in {sent}"),
        })
        .collect();
    assert!(
        types.contains("uuid") && types.contains("mentor_status"),
        "the chapter and the status are bound: {types}"
    );
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
        line: String,
    }
    let plan: Vec<Line> =
        diesel::sql_query(format!("explain execute listed({})", arguments.join(", ")))
            .load(&mut conn)
            .unwrap();
    let plan: Vec<String> = plan.into_iter().map(|l| l.line).collect();
    let plan = plan.join("\n");
    assert!(
        plan.contains("chapter_memberships_active_chapter_id_mentor_id_idx"),
        "{plan}"
    );
}
