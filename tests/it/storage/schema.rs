//! `crates/storage/src/schema.rs` matches the migrated database, and every way of migrating
//! leaves the same Supabase history.
//!
//! The schema check is structural (tables, columns in order, types, nullability, primary
//! keys, enum types), read from schema.rs's text and from the catalog of the migrated
//! template, so it needs no diesel_cli. `cargo xtask schema` regenerates the file with
//! `diesel print-schema`; `cargo xtask schema --check` compares its exact text.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use mentor_status_localdb::{admin, platform};
use mentor_status_storage::migrations::{FileState, HistoryRow, Migrator, run_pending_migrations};
use mentor_status_tests::{TestDb, project_root, server_url};

use crate::support::int;

/// A table: primary key columns, and `(column, type)` in order, the type as diesel writes it
/// (`Nullable<Text>`, `MentorStatus`, …).
#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    primary_key: Vec<String>,
    columns: Vec<(String, String)>,
}

/// Parses the `diesel::table!` blocks and the `sql_types` of print-schema's output.
fn parse_schema_rs(source: &str) -> (BTreeMap<String, Table>, BTreeMap<String, String>) {
    let mut tables = BTreeMap::new();
    let mut enums = BTreeMap::new();
    let mut pending_type_name: Option<String> = None;
    let mut current: Option<(String, Table)> = None;
    for line in source.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("#[diesel(postgres_type(name = \"") {
            pending_type_name = rest.split('"').next().map(str::to_owned);
        } else if let Some(rest) = line.strip_prefix("pub struct ") {
            let rust = rest.trim_end_matches(';').to_owned();
            enums.insert(
                rust,
                pending_type_name
                    .take()
                    .expect("postgres_type before struct"),
            );
        } else if let Some((name, pk)) = line
            .strip_suffix(") {")
            .and_then(|l| l.split_once(" ("))
            .filter(|(name, _)| !name.contains(' '))
        {
            current = Some((
                name.to_owned(),
                Table {
                    primary_key: pk.split(", ").map(str::to_owned).collect(),
                    columns: Vec::new(),
                },
            ));
        } else if let (Some((column, ty)), Some((_, table))) =
            (line.split_once(" -> "), current.as_mut())
        {
            table
                .columns
                .push((column.to_owned(), ty.trim_end_matches(',').to_owned()));
        } else if line == "}"
            && let Some((name, table)) = current.take()
        {
            tables.insert(name, table);
        }
    }
    (tables, enums)
}

fn camel_case(name: &str) -> String {
    name.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
}

/// The tables `crates/storage/diesel.toml` lets print-schema map (`filter.only_tables`).
fn mapped_tables() -> Vec<String> {
    let path = project_root().join("crates/storage/diesel.toml");
    let config: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
    config["print_schema"]["filter"]["only_tables"]
        .as_array()
        .expect("print_schema.filter.only_tables is a list of table names")
        .iter()
        .map(|t| t.as_str().expect("a table name").to_owned())
        .collect()
}

/// The same from the catalog of `public`, typed as diesel's print-schema types them: the
/// tables named in `only` and the enum types their columns use.
fn read_database(
    conn: &mut PgConnection,
    only: &[String],
) -> (BTreeMap<String, Table>, BTreeMap<String, String>) {
    #[derive(QueryableByName)]
    struct Column {
        #[diesel(sql_type = Text)]
        table_name: String,
        #[diesel(sql_type = Text)]
        column_name: String,
        #[diesel(sql_type = Text)]
        udt_name: String,
        #[diesel(sql_type = Bool)]
        is_enum: bool,
        #[diesel(sql_type = Bool)]
        nullable: bool,
        #[diesel(sql_type = Bool)]
        in_primary_key: bool,
    }
    let columns: Vec<Column> = diesel::sql_query(
        "select c.relname::text as table_name, a.attname::text as column_name,
                t.typname::text as udt_name, t.typtype = 'e' as is_enum,
                not a.attnotnull as nullable,
                coalesce(a.attnum = any (i.indkey::int2[]), false) as in_primary_key
           from pg_class c
           join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
           join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
           join pg_type t on t.oid = a.atttypid
           left join pg_index i on i.indrelid = c.oid and i.indisprimary
          where c.relkind in ('r', 'p')
          order by c.relname, a.attnum",
    )
    .load(conn)
    .unwrap();
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    let mut enums = BTreeMap::new();
    for c in columns.into_iter().filter(|c| only.contains(&c.table_name)) {
        let ty = if c.is_enum {
            let rust = camel_case(&c.udt_name);
            enums.insert(rust.clone(), c.udt_name.clone());
            rust
        } else {
            match c.udt_name.as_str() {
                "uuid" => "Uuid",
                "text" => "Text",
                "bool" => "Bool",
                "timestamptz" => "Timestamptz",
                "timestamp" => "Timestamp",
                "date" => "Date",
                "int2" => "Int2",
                "int4" => "Int4",
                "int8" => "Int8",
                "float8" => "Float8",
                "numeric" => "Numeric",
                "varchar" => "Varchar",
                "jsonb" => "Jsonb",
                "bytea" => "Bytea",
                "inet" => "Inet",
                other => panic!(
                    "column {}.{} has type {other}, unknown to this test: add its diesel name here",
                    c.table_name, c.column_name
                ),
            }
            .to_owned()
        };
        let ty = if c.nullable {
            format!("Nullable<{ty}>")
        } else {
            ty
        };
        let table = tables.entry(c.table_name).or_default();
        if c.in_primary_key {
            table.primary_key.push(c.column_name.clone());
        }
        table.columns.push((c.column_name, ty));
    }
    (tables, enums)
}

#[test]
fn schema_rs_matches_the_migrated_database() {
    let path = project_root().join("crates/storage/src/schema.rs");
    let source = std::fs::read_to_string(&path).unwrap();
    assert!(source.starts_with("// @generated automatically by Diesel CLI."));
    let (file_tables, file_enums) = parse_schema_rs(&source);
    let db = TestDb::migrated();
    let only = mapped_tables();
    let (db_tables, db_enums) = read_database(&mut db.conn(), &only);
    for table in &only {
        assert!(
            db_tables.contains_key(table),
            "crates/storage/diesel.toml maps {table}, but the migrated database has no such table in public"
        );
    }
    let fix = "crates/storage/src/schema.rs is out of date: run `cargo xtask schema` (needs diesel_cli: \
               cargo install diesel_cli --no-default-features --features postgres --locked)";
    assert_eq!(
        file_tables.keys().collect::<Vec<_>>(),
        db_tables.keys().collect::<Vec<_>>(),
        "tables differ (left: schema.rs, right: database). {fix}"
    );
    for (name, table) in &db_tables {
        let in_file = &file_tables[name];
        assert_eq!(
            in_file.columns, table.columns,
            "columns of {name} differ (left: schema.rs, right: database). {fix}"
        );
        // print-schema lists primary keys in key order; compare as sets of the same size.
        let mut a = in_file.primary_key.clone();
        let mut b = table.primary_key.clone();
        a.sort();
        b.sort();
        assert_eq!(a, b, "primary key of {name} differs. {fix}");
    }
    assert_eq!(file_enums, db_enums, "enum types differ. {fix}");
}

#[test]
fn the_schema_rs_parser_sees_a_changed_column() {
    let source =
        std::fs::read_to_string(project_root().join("crates/storage/src/schema.rs")).unwrap();
    let (tables, enums) = parse_schema_rs(&source);
    assert_eq!(enums["MentorStatus"], "mentor_status");
    assert!(
        tables["peer_mentors"]
            .columns
            .contains(&("pause_reason".to_owned(), "Nullable<Text>".to_owned()))
    );
    let edited = source.replace("pause_reason -> Nullable<Text>", "pause_reason -> Text");
    let (edited_tables, _) = parse_schema_rs(&edited);
    assert_ne!(edited_tables["peer_mentors"], tables["peer_mentors"]);
}

fn history(conn: &mut PgConnection) -> Vec<HistoryRow> {
    Migrator::new(conn).history().unwrap()
}

#[test]
fn the_application_the_xtask_reset_and_the_test_template_leave_identical_history() {
    // The application's start-up entry point.
    let app = TestDb::platform();
    let mut app_conn = app.conn();
    run_pending_migrations(&mut app_conn).unwrap();

    // `cargo xtask db-reset`'s steps (xtask/src/reset.rs): recreate, platform, runner up.
    let scratch = format!("xtask_reset_{}", uuid::Uuid::new_v4().simple());
    let scratch_url = server_url(&scratch);
    admin::create_database(
        &mut admin::connect(&server_url("postgres")).unwrap(),
        &scratch,
        None,
    )
    .unwrap();
    let reset_history = {
        admin::recreate_database(&scratch_url).unwrap();
        platform::apply_to(&scratch_url).unwrap();
        let mut conn = admin::connect(&scratch_url).unwrap();
        Migrator::new(&mut conn).up(None).unwrap();
        history(&mut conn)
    };
    admin::drop_database(
        &mut admin::connect(&server_url("postgres")).unwrap(),
        &scratch,
    )
    .unwrap();

    let app_history = history(&mut app_conn);
    assert!(!app_history.is_empty());
    assert_eq!(app_history, reset_history);
    assert_eq!(app_history, history(&mut TestDb::migrated().conn()));

    // Up to date by the runner's own account, and no diesel history table anywhere.
    assert!(
        Migrator::new(&mut app_conn)
            .status()
            .unwrap()
            .iter()
            .all(|s| s.applied && s.file == FileState::Unchanged)
    );
    assert_eq!(
        run_pending_migrations(&mut app_conn).unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        int(
            &mut app_conn,
            "select count(*) as v from pg_class where relname = '__diesel_schema_migrations'"
        ),
        0
    );
}

#[test]
fn the_index_migration_runs_outside_a_transaction_and_is_recorded() {
    let db = TestDb::migrated();
    let mut conn = db.conn();
    let migration = mentor_status_storage::migrations::Migrations::embedded()
        .iter()
        .find(|m| m.name() == "add_mentor_chapter_status_index")
        .cloned()
        .unwrap();
    assert!(!migration.up().in_transaction());
    assert!(!migration.down().unwrap().in_transaction());
    assert_eq!(
        int(
            &mut conn,
            "select count(*) as v from pg_index i join pg_class c on c.oid = i.indexrelid
              where c.relname = 'chapter_memberships_active_chapter_id_mentor_id_idx'
                and i.indisvalid and i.indisready and pg_get_expr(i.indpred, i.indrelid) = 'active'"
        ),
        1
    );
    assert_eq!(
        int(
            &mut conn,
            &format!(
                "select count(*) as v from supabase_migrations.schema_migrations where version = '{}'",
                migration.version()
            )
        ),
        1
    );
}
