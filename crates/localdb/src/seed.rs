//! Seed files, loaded after the migrations as `supabase db reset` loads them.

use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use sha2::{Digest, Sha256};

use crate::LocalDbError;
use mentor_status_storage::Context as _;

/// One seed file to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedFile {
    /// Recorded in `supabase_migrations.seed_files.path`, relative to the project root
    /// (e.g. `supabase/seed.sql`).
    pub path: String,
    /// Where it is on disk.
    pub file: PathBuf,
}

/// The seed files `supabase/config.toml` names (`[db.seed] enabled`, `sql_paths`; defaults:
/// enabled, `["./seed.sql"]`), globs expanded relative to `supabase/`, in the listed order.
/// A listed plain path that does not exist is an error; a glob matching nothing is not.
pub fn seed_files(project_root: &Path) -> Result<Vec<SeedFile>, LocalDbError> {
    let supabase = project_root.join("supabase");
    let config_path = supabase.join("config.toml");
    let text =
        std::fs::read_to_string(&config_path).map_err(LocalDbError::io("reading", &config_path))?;
    let config: toml::Table = text.parse().map_err(|e| {
        LocalDbError::Config(format!("{} is not valid TOML: {e}", config_path.display()))
    })?;
    let seed = config.get("db").and_then(|db| db.get("seed"));
    if seed
        .and_then(|s| s.get("enabled"))
        .and_then(toml::Value::as_bool)
        == Some(false)
    {
        return Ok(Vec::new());
    }
    let patterns: Vec<String> = match seed.and_then(|s| s.get("sql_paths")) {
        None => vec!["./seed.sql".to_owned()],
        Some(toml::Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str().map(str::to_owned).ok_or_else(|| {
                    LocalDbError::Config(format!(
                        "{}: [db.seed] sql_paths must be a list of strings",
                        config_path.display()
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(LocalDbError::Config(format!(
                "{}: [db.seed] sql_paths must be a list of strings",
                config_path.display()
            )));
        }
    };
    let mut files = Vec::new();
    for pattern in patterns {
        let joined = supabase.join(pattern.trim_start_matches("./"));
        let joined = joined.to_string_lossy().into_owned();
        let is_glob = pattern.contains(['*', '?', '[']);
        let mut matched: Vec<PathBuf> = glob::glob(&joined)
            .map_err(|e| {
                LocalDbError::Config(format!(
                    "[db.seed] sql_paths: {pattern:?} is not a valid glob: {e}"
                ))
            })?
            .filter_map(Result::ok)
            .filter(|p| p.is_file())
            .collect();
        matched.sort();
        if matched.is_empty() && !is_glob {
            return Err(LocalDbError::Config(format!(
                "[db.seed] sql_paths names {pattern:?} but {joined} does not exist: create it or remove it from supabase/config.toml"
            )));
        }
        for file in matched {
            let path = file.strip_prefix(project_root).map_or_else(
                |_| file.to_string_lossy().into_owned(),
                |p| p.to_string_lossy().into_owned(),
            );
            if !files.iter().any(|f: &SeedFile| f.file == file) {
                files.push(SeedFile { path, file });
            }
        }
    }
    Ok(files)
}

/// Loads one seed file and records it (path, sha256) in `supabase_migrations.seed_files`, in
/// one transaction: a failing seed leaves neither data nor record.
pub fn apply(conn: &mut PgConnection, seed: &SeedFile) -> Result<(), LocalDbError> {
    let text =
        std::fs::read_to_string(&seed.file).map_err(LocalDbError::io("reading", &seed.file))?;
    let hash: String = Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    conn.transaction(|conn| {
        conn.batch_execute(&text)?;
        diesel::sql_query(
            "insert into supabase_migrations.seed_files (path, hash) values ($1, $2) \
             on conflict (path) do update set hash = excluded.hash",
        )
        .bind::<Text, _>(&seed.path)
        .bind::<Text, _>(&hash)
        .execute(conn)
        .map(|_| ())
    })
    .with_context(|| format!("loading seed file {}", seed.path))
    .map_err(Into::into)
}
