//! Where migrations come from: the Supabase files embedded at build time, or any list of
//! [`SqlMigration`]s (tests build their own).

use std::borrow::Cow;
use std::fmt;

use diesel::migration::{
    self, Migration, MigrationMetadata, MigrationName, MigrationSource, MigrationVersion,
};
use diesel::pg::Pg;

use diesel::pg::PgConnection;

use super::MigrationError;
use super::apply::{self, ApplyMode};
use super::files;
use super::split::split_statements;

/// One file as `build.rs` embeds it.
pub(crate) struct EmbeddedFile {
    pub(crate) version: &'static str,
    pub(crate) name: &'static str,
    pub(crate) up: &'static str,
    pub(crate) down: Option<&'static str>,
}

include!(concat!(env!("OUT_DIR"), "/embedded_migrations.rs"));

/// The text of one SQL file, the statements it splits into and how they are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlScript {
    text: Cow<'static, str>,
    statements: Vec<String>,
    mode: ApplyMode,
}

impl SqlScript {
    /// Parses a file's text as the Supabase CLI does: its statements, and whether they go in
    /// implicit transactions or one by one (see [`ApplyMode`]).
    #[must_use]
    pub fn new(text: impl Into<Cow<'static, str>>) -> Self {
        let text = text.into();
        let statements = split_statements(&text);
        let mode = ApplyMode::of(&text, &statements);
        Self {
            text,
            statements,
            mode,
        }
    }

    /// The file's text as written.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The statements, split and trimmed as the Supabase CLI records them.
    #[must_use]
    pub fn statements(&self) -> &[String] {
        &self.statements
    }

    /// How the statements are grouped into transactions.
    #[must_use]
    pub fn mode(&self) -> ApplyMode {
        self.mode
    }

    /// Whether the whole file and its history change run in one transaction, so that a
    /// failure leaves nothing of it behind.
    #[must_use]
    pub fn in_transaction(&self) -> bool {
        apply::is_atomic(self.mode, &self.statements)
    }

    /// Runs the statements as the CLI would, `history` where the CLI changes history.
    pub(crate) fn run(
        &self,
        conn: &mut PgConnection,
        label: &str,
        history: &mut dyn FnMut(&mut PgConnection) -> diesel::QueryResult<()>,
    ) -> Result<(), MigrationError> {
        apply::run(conn, label, self.mode, &self.statements, history)
    }
}

/// A forward migration file and, when it has one, its rollback file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlMigration {
    version: String,
    name: String,
    up: SqlScript,
    down: Option<SqlScript>,
}

impl SqlMigration {
    /// A migration named like `<version>_<name>.sql`.
    #[must_use]
    pub fn new(
        version: impl Into<String>,
        name: impl Into<String>,
        up: SqlScript,
        down: Option<SqlScript>,
    ) -> Self {
        Self {
            version: version.into(),
            name: name.into(),
            up,
            down,
        }
    }

    /// The version: the file name's leading digits.
    #[must_use]
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The name: the file name between the version's `_` and `.sql`.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `<version>_<name>`, the file name without `.sql`.
    #[must_use]
    pub fn file_stem(&self) -> String {
        format!("{}_{}", self.version, self.name)
    }

    /// The forward file.
    #[must_use]
    pub fn up(&self) -> &SqlScript {
        &self.up
    }

    /// The rollback file, if there is one.
    #[must_use]
    pub fn down(&self) -> Option<&SqlScript> {
        self.down.as_ref()
    }
}

impl fmt::Display for SqlMigration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.version, self.name)
    }
}

impl MigrationName for SqlMigration {
    fn version(&self) -> MigrationVersion<'_> {
        MigrationVersion::from(self.version.as_str())
    }
}

/// diesel's view of one migration: the forward file decides whether it runs in a transaction.
#[derive(Debug)]
struct Metadata {
    in_transaction: bool,
}

impl MigrationMetadata for Metadata {
    fn run_in_transaction(&self) -> bool {
        self.in_transaction
    }
}

/// A [`SqlMigration`] as diesel's [`Migration`] trait object.
#[derive(Debug)]
pub(crate) struct DieselMigration {
    migration: SqlMigration,
    metadata: Metadata,
}

impl Migration<Pg> for DieselMigration {
    /// The forward file alone, without history (the [`super::Migrator`] records history).
    fn run(
        &self,
        conn: &mut dyn diesel::connection::BoxableConnection<Pg>,
    ) -> migration::Result<()> {
        let conn = pg(conn)?;
        Ok(self
            .migration
            .up
            .run(conn, &self.migration.to_string(), &mut |_| Ok(()))?)
    }

    /// The rollback file alone, without history.
    fn revert(
        &self,
        conn: &mut dyn diesel::connection::BoxableConnection<Pg>,
    ) -> migration::Result<()> {
        let Some(down) = &self.migration.down else {
            return Err(Box::new(MigrationError::MissingRollback {
                migration: self.migration.to_string(),
            }));
        };
        let conn = pg(conn)?;
        Ok(down.run(
            conn,
            &format!("rollback of {}", self.migration),
            &mut |_| Ok(()),
        )?)
    }

    fn metadata(&self) -> &dyn MigrationMetadata {
        &self.metadata
    }

    fn name(&self) -> &dyn MigrationName {
        &self.migration
    }
}

fn pg(
    conn: &mut dyn diesel::connection::BoxableConnection<Pg>,
) -> Result<&mut PgConnection, MigrationError> {
    conn.as_any_mut()
        .downcast_mut::<PgConnection>()
        .ok_or_else(|| MigrationError::Files("migrations run on a PgConnection only".to_owned()))
}

/// The status migration and its neighbours, from [`Migrations::status_migration`].
#[derive(Debug, Clone, Copy)]
pub struct StatusMigration<'a> {
    /// The last file before it: the legacy schema.
    pub before: &'a SqlMigration,
    /// `add_mentor_status`: type, columns, NOT VALID constraints.
    pub add: &'a SqlMigration,
    /// The `validate_…` file after it: VALIDATE CONSTRAINT in its own transaction.
    pub validate: &'a SqlMigration,
}

/// An ordered set of migrations; diesel's [`MigrationSource`] for PostgreSQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrations {
    migrations: Vec<SqlMigration>,
    orphan_rollbacks: Vec<String>,
}

impl Migrations {
    /// The project's `supabase/migrations` and `supabase/rollbacks`, as embedded at build time.
    #[must_use]
    pub fn embedded() -> Self {
        let migrations = EMBEDDED_MIGRATIONS
            .iter()
            .map(|file| {
                SqlMigration::new(
                    file.version,
                    file.name,
                    SqlScript::new(file.up),
                    file.down.map(SqlScript::new),
                )
            })
            .collect();
        let orphan_rollbacks = ORPHAN_ROLLBACKS
            .iter()
            .map(|&name| name.to_owned())
            .collect();
        Self {
            migrations,
            orphan_rollbacks,
        }
    }

    /// Any list of migrations; they are sorted by version as the CLI sorts file names.
    #[must_use]
    pub fn from_migrations(mut migrations: Vec<SqlMigration>) -> Self {
        migrations.sort_by(|a, b| a.version.as_bytes().cmp(b.version.as_bytes()));
        Self {
            migrations,
            orphan_rollbacks: Vec::new(),
        }
    }

    /// Reports rollback files that have no migration (they can never run).
    #[must_use]
    fn with_orphan_rollbacks(mut self, file_names: Vec<String>) -> Self {
        self.orphan_rollbacks = file_names;
        self
    }

    /// The migrations in version order.
    pub fn iter(&self) -> std::slice::Iter<'_, SqlMigration> {
        self.migrations.iter()
    }

    /// The migration with this version.
    #[must_use]
    pub fn get(&self, version: &str) -> Option<&SqlMigration> {
        self.migrations.iter().find(|m| m.version == version)
    }

    /// The newest migration.
    #[must_use]
    pub fn latest(&self) -> Option<&SqlMigration> {
        self.migrations.last()
    }

    /// The status migration (`add_mentor_status`), the `validate_…` file that follows it, and
    /// the version before it: what the smoke test, the benchmarks and the tests migrate to
    /// and through.
    pub fn status_migration(&self) -> Result<StatusMigration<'_>, MigrationError> {
        let [before, add, validate] =
            self.around("add_mentor_status", "validate_… file", |name| {
                name.starts_with("validate_")
            })?;
        Ok(StatusMigration {
            before,
            add,
            validate,
        })
    }

    /// The migration right before the one named `name`: the version to migrate to so that
    /// `name` is the next file to apply.
    ///
    /// # Errors
    ///
    /// [`MigrationError::Files`] when there is no such file or none before it.
    pub fn before(&self, name: &str) -> Result<&SqlMigration, MigrationError> {
        Ok(self.named_with_before(name)?.0)
    }

    /// The migration named `name` with the file before it and the one right after it, which
    /// must be `after` (described as `after_what` in the error): a pair of files that belong
    /// together, and the version to migrate to before them.
    ///
    /// # Errors
    ///
    /// [`MigrationError::Files`] when there is no such file, none before it, or the next one
    /// is not `after`.
    pub fn around(
        &self,
        name: &str,
        after_what: &str,
        after: impl Fn(&str) -> bool,
    ) -> Result<[&SqlMigration; 3], MigrationError> {
        let (before, at) = self.named_with_before(name)?;
        let next = self
            .migrations
            .get(at + 1)
            .filter(|m| after(&m.name))
            .ok_or_else(|| missing(format!("{after_what} right after {name}")))?;
        Ok([before, &self.migrations[at], next])
    }

    /// The file before the one named `name`, and where `name` stands.
    fn named_with_before(&self, name: &str) -> Result<(&SqlMigration, usize), MigrationError> {
        let at = self
            .migrations
            .iter()
            .position(|m| m.name == name)
            .ok_or_else(|| missing(format!("{name} file")))?;
        let before = at
            .checked_sub(1)
            .and_then(|i| self.migrations.get(i))
            .ok_or_else(|| missing(format!("file before {name}")))?;
        Ok((before, at))
    }

    /// Rollback file names without a migration of the same name.
    #[must_use]
    pub fn orphan_rollbacks(&self) -> &[String] {
        &self.orphan_rollbacks
    }

    /// Reads `<supabase>/migrations/*.sql` and `<supabase>/rollbacks/*.sql` from disk now,
    /// paired exactly as the build embeds them. Returns the migrations and the `.sql` files of
    /// `migrations/` skipped for not matching `<version>_<name>.sql`.
    pub fn from_dirs(
        supabase_dir: &std::path::Path,
    ) -> Result<(Self, Vec<String>), super::MigrationError> {
        let migrations_dir = supabase_dir.join("migrations");
        let rollbacks_dir = supabase_dir.join("rollbacks");
        let io = |path: &std::path::Path| {
            let path = path.display().to_string();
            move |e: std::io::Error| super::MigrationError::Files(format!("reading {path}: {e}"))
        };
        let paired = files::pair(
            files::sql_file_names(&migrations_dir).map_err(io(&migrations_dir))?,
            files::sql_file_names(&rollbacks_dir).map_err(io(&rollbacks_dir))?,
        )
        .map_err(super::MigrationError::Files)?;
        let mut migrations = Vec::new();
        for (file_name, version, name, has_rollback) in paired.migrations {
            let up_path = migrations_dir.join(&file_name);
            let up = std::fs::read_to_string(&up_path).map_err(io(&up_path))?;
            let down = if has_rollback {
                let down_path = rollbacks_dir.join(&file_name);
                Some(SqlScript::new(
                    std::fs::read_to_string(&down_path).map_err(io(&down_path))?,
                ))
            } else {
                None
            };
            migrations.push(SqlMigration::new(version, name, SqlScript::new(up), down));
        }
        Ok((
            Self::from_migrations(migrations).with_orphan_rollbacks(paired.orphan_rollbacks),
            paired.skipped,
        ))
    }

    pub(crate) fn diesel_migration(&self, version: &str) -> Option<Box<dyn Migration<Pg>>> {
        self.get(version)
            .map(|m| Box::new(to_diesel(m.clone())) as Box<dyn Migration<Pg>>)
    }
}

impl<'a> IntoIterator for &'a Migrations {
    type Item = &'a SqlMigration;
    type IntoIter = std::slice::Iter<'a, SqlMigration>;

    fn into_iter(self) -> Self::IntoIter {
        self.migrations.iter()
    }
}

fn to_diesel(migration: SqlMigration) -> DieselMigration {
    let metadata = Metadata {
        in_transaction: migration.up.in_transaction(),
    };
    DieselMigration {
        migration,
        metadata,
    }
}

impl MigrationSource<Pg> for Migrations {
    fn migrations(&self) -> migration::Result<Vec<Box<dyn Migration<Pg>>>> {
        Ok(self
            .migrations
            .iter()
            .map(|m| Box::new(to_diesel(m.clone())) as Box<dyn Migration<Pg>>)
            .collect())
    }
}

/// "the migrations have no <what>".
fn missing(what: String) -> MigrationError {
    MigrationError::Files(format!("the migrations have no {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn around_gives_the_file_its_predecessor_and_its_partner_or_says_which_is_missing() {
        let migrations = Migrations::embedded();
        let names: Vec<&str> = migrations.iter().map(SqlMigration::name).collect();
        let at = names
            .iter()
            .position(|n| *n == "protect_pause_reasons")
            .unwrap();
        let [before, file, after] = migrations
            .around("protect_pause_reasons", "move_pause_reasons", |n| {
                n == "move_pause_reasons"
            })
            .unwrap();
        assert_eq!(
            [before.name(), file.name(), after.name()],
            [names[at - 1], "protect_pause_reasons", "move_pause_reasons"]
        );
        let status = migrations.status_migration().unwrap();
        assert_eq!(status.add.name(), "add_mentor_status");
        assert!(status.validate.name().starts_with("validate_"));

        let error = |name: &str, what: &str| {
            migrations
                .around(name, what, |n| n == "no such partner")
                .unwrap_err()
                .to_string()
        };
        assert!(error("no_such_file", "x").contains("no no_such_file file"));
        assert!(error(names[0], "x").contains(&format!("no file before {}", names[0])));
        assert!(
            error("protect_pause_reasons", "the partner")
                .contains("no the partner right after protect_pause_reasons")
        );
        assert_eq!(
            migrations.before("protect_pause_reasons").unwrap().name(),
            names[at - 1]
        );
        let before_error = |name: &str| migrations.before(name).unwrap_err().to_string();
        assert!(before_error("no_such_file").contains("no no_such_file file"));
        assert!(before_error(names[0]).contains(&format!("no file before {}", names[0])));
    }
}
