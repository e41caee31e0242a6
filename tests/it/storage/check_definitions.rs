//! The CHECK constraints on `peer_mentors` are what the domain's `checks` say they are: each
//! predicate's SQL text (`CheckConstraint::sql`) equals the constraint PostgreSQL holds
//! (`pg_get_constraintdef`, casts and parentheses aside), and no status constraint exists in
//! the database that the domain does not know.

use diesel::prelude::*;
use diesel::sql_types::Text;
use mentor_status_domain::checks;
use mentor_status_tests::TestDb;

/// Lower case, casts (`::text`) and parentheses removed, white space folded, `CHECK` dropped.
fn normalized(sql: &str) -> String {
    let mut out = String::new();
    let mut rest = sql.trim();
    if let Some(body) = rest.strip_prefix("CHECK") {
        rest = body;
    }
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            while chars
                .peek()
                .is_some_and(|c| c.is_alphanumeric() || *c == '_')
            {
                chars.next();
            }
        } else if c != '(' && c != ')' {
            out.push(c);
        }
    }
    out.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[test]
fn every_status_check_in_the_database_is_the_one_the_domain_mirrors() {
    let db = TestDb::migrated();
    let mut conn = db.conn();
    #[derive(QueryableByName)]
    struct Def {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        def: String,
    }
    let defs: Vec<Def> = diesel::sql_query(
        "select conname::text as name, pg_get_constraintdef(oid) as def from pg_constraint
          where conrelid = 'public.peer_mentors'::regclass and contype = 'c' and conname like 'chk\\_%'
          order by conname",
    )
    .load(&mut conn)
    .unwrap();
    let mut known: Vec<&str> = checks::ALL.iter().map(|c| c.name).collect();
    known.sort_unstable();
    let found: Vec<&str> = defs.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(found, known, "status CHECKs in the database vs checks::ALL");
    for check in checks::ALL {
        let def = defs.iter().find(|d| d.name == check.name).unwrap();
        assert_eq!(
            normalized(&def.def),
            normalized(check.sql),
            "{}: the database holds `{}`",
            check.name,
            def.def
        );
    }
    let national_id = checks::ALL
        .iter()
        .find(|c| c.name == "chk_pause_reason_no_national_id")
        .unwrap();
    assert!(
        national_id
            .sql
            .contains(checks::PAUSE_REASON_FORBIDDEN_PATTERN)
    );
}
