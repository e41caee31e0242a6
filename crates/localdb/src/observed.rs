//! What applying one migration file left in a database, in a form that can be written to a
//! file and compared: whether it was applied (a history row), the statements recorded, and the
//! objects and row counts of schema `public`. The real Supabase CLI's results are kept in this
//! form as golden files (`tests/cli-corpus/*.golden`), so the runner can be checked against
//! the CLI where the CLI is not installed.

use diesel::prelude::*;
use diesel::sql_types::{Array, Nullable, Text};

use crate::LocalDbError;
use mentor_status_storage::Context as _;

/// The history version under which a corpus file is applied, by the CLI (as its file name's
/// version) and by the runner: later than any real migration.
pub const CORPUS_VERSION: &str = "20990101000000";

/// The state a file left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// The statements of its history row, or `None` when it has none (it failed, or left its
    /// history uncommitted).
    pub history: Option<Vec<String>>,
    /// Sorted lines: `relation <name> <relkind>`, `function <name>(<args>)`,
    /// `rule <table>.<rule>`, `type <name>`, `rows <table> <count>`.
    pub objects: Vec<String>,
}

const OBJECTS: &str = "
select 'relation ' || c.relname || ' ' || c.relkind::text as line
  from pg_catalog.pg_class c where c.relnamespace = 'public'::regnamespace
union all
select 'function ' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')'
  from pg_catalog.pg_proc p where p.pronamespace = 'public'::regnamespace
union all
select 'rule ' || r.tablename || '.' || r.rulename from pg_catalog.pg_rules r where r.schemaname = 'public'
union all
select 'type ' || t.typname from pg_catalog.pg_type t
 where t.typnamespace = 'public'::regnamespace and t.typtype in ('e', 'd')
union all
select 'rows ' || c.relname || ' ' ||
       (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from public.%I', c.relname), false, true, '')))[1]::text
  from pg_catalog.pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'm')
order by 1";

/// Reads what the file with history version `version` left in the database of `conn`.
pub fn observe(conn: &mut PgConnection, version: &str) -> Result<Observed, LocalDbError> {
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = Text)]
        line: String,
    }
    #[derive(QueryableByName)]
    struct History {
        #[diesel(sql_type = Nullable<Array<Text>>)]
        statements: Option<Vec<String>>,
    }
    let objects = diesel::sql_query(OBJECTS)
        .load::<Line>(conn)
        .context("listing the objects of schema public")?
        .into_iter()
        .map(|l| l.line)
        .collect();
    let has_history_table: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(
        "to_regclass('supabase_migrations.schema_migrations') is not null",
    ))
    .get_result(conn)
    .context("looking for the history table")?;
    let history = if has_history_table {
        diesel::sql_query(
            "select coalesce(statements, '{}') as statements from supabase_migrations.schema_migrations where version = $1",
        )
        .bind::<Text, _>(version)
        .load::<History>(conn)
        .context("reading the history row")?
        .into_iter()
        .next()
        .map(|h| h.statements.unwrap_or_default())
    } else {
        None
    };
    Ok(Observed { history, objects })
}

/// A golden file: what the CLI left, and the PostgreSQL error it reported, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Golden {
    /// The state the CLI left.
    pub observed: Observed,
    /// The CLI's `ERROR: …` line without the prefix, e.g.
    /// `relation "x" does not exist (SQLSTATE 42P01)`.
    pub error: Option<String>,
}

impl Golden {
    /// The golden-file text: a header comment, then `error:` (when the CLI reported one),
    /// `applied:`, `statement:` and `object:` lines (newlines and backslashes in values
    /// escaped as `\n` and `\\`).
    #[must_use]
    pub fn to_text(&self, header: &str) -> String {
        let mut out: String = header.lines().map(|l| format!("# {l}\n")).collect();
        if let Some(error) = &self.error {
            out.push_str(&format!("error: {}\n", escape(error)));
        }
        out.push_str(&self.observed.lines());
        out
    }

    /// Parses [`Golden::to_text`]'s text.
    pub fn from_text(text: &str) -> Result<Self, LocalDbError> {
        let mut applied = None;
        let mut error = None;
        let mut statements = Vec::new();
        let mut objects = Vec::new();
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let (key, value) = line.split_once(": ").ok_or_else(|| {
                LocalDbError::Config(format!("golden file line without `key: `: {line}"))
            })?;
            match key {
                "error" => error = Some(unescape(value)),
                "applied" => applied = Some(value == "true"),
                "statement" => statements.push(unescape(value)),
                "object" => objects.push(unescape(value)),
                other => {
                    return Err(LocalDbError::Config(format!(
                        "golden file: unknown key {other:?}"
                    )));
                }
            }
        }
        let applied = applied
            .ok_or_else(|| LocalDbError::Config("golden file without `applied:`".to_owned()))?;
        Ok(Self {
            observed: Observed {
                history: applied.then_some(statements),
                objects,
            },
            error,
        })
    }
}

/// The PostgreSQL error in the Supabase CLI's output: its first `ERROR: ` line, without the
/// prefix.
#[must_use]
pub fn cli_error(output: &str) -> Option<String> {
    output
        .lines()
        .find_map(|l| l.trim().strip_prefix("ERROR: "))
        .map(str::to_owned)
}

impl Observed {
    /// `applied:`, `statement:` and `object:` lines, as in a golden file.
    #[must_use]
    pub fn lines(&self) -> String {
        let mut out = format!("applied: {}\n", self.history.is_some());
        for statement in self.history.iter().flatten() {
            out.push_str(&format!("statement: {}\n", escape(statement)));
        }
        for object in &self.objects {
            out.push_str(&format!("object: {}\n", escape(object)));
        }
        out
    }
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_text_round_trips_statements_with_newlines_and_backslashes() {
        let golden = Golden {
            observed: Observed {
                history: Some(vec![
                    "select E'a\\\\n';\nselect 2".to_owned(),
                    String::new(),
                ]),
                objects: vec!["relation t r".to_owned(), "rows t 1".to_owned()],
            },
            error: None,
        };
        let text = golden.to_text("made by a test\nsecond line");
        assert!(text.starts_with("# made by a test\n# second line\napplied: true\n"));
        assert_eq!(Golden::from_text(&text).unwrap(), golden);
        let failed = Golden {
            observed: Observed {
                history: None,
                objects: vec![],
            },
            error: Some("division by zero (SQLSTATE 22012)".to_owned()),
        };
        assert_eq!(Golden::from_text(&failed.to_text("x")).unwrap(), failed);
        assert_eq!(
            cli_error("Applying…\nERROR: division by zero (SQLSTATE 22012)\nAt statement: 1"),
            Some("division by zero (SQLSTATE 22012)".to_owned())
        );
    }
}
