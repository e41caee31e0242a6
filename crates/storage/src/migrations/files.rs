//! Which files are migrations and which rollback belongs to which: shared by `build.rs` (which
//! embeds them) and [`super::Migrations::from_dirs`] (which reads them at run time), so the two
//! can never disagree.

/// The Supabase CLI's file pattern `^([0-9]+)_(.*)\.sql$`: `(version, name)`.
pub(crate) fn split_file_name(file_name: &str) -> Option<(&str, &str)> {
    let stem = file_name.strip_suffix(".sql")?;
    let (version, name) = stem.split_once('_')?;
    (!version.is_empty() && version.bytes().all(|b| b.is_ascii_digit())).then_some((version, name))
}

/// The result of pairing `migrations/` with `rollbacks/`.
#[derive(Debug, Default)]
pub(crate) struct Paired {
    /// `(file name, version, name, has rollback)` in the CLI's order (file name bytes).
    pub(crate) migrations: Vec<(String, String, String, bool)>,
    /// Rollback files with no migration of the same file name: they can never run.
    pub(crate) orphan_rollbacks: Vec<String>,
    /// `.sql` files in `migrations/` that do not match the pattern (the CLI skips them too).
    pub(crate) skipped: Vec<String>,
}

/// Pairs the top-level `.sql` file names of the two folders. Errors when two migrations share
/// a version.
pub(crate) fn pair(
    mut migrations: Vec<String>,
    mut rollbacks: Vec<String>,
) -> Result<Paired, String> {
    migrations.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    rollbacks.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    let mut paired = Paired::default();
    for file_name in &migrations {
        let Some((version, name)) = split_file_name(file_name) else {
            paired.skipped.push(file_name.clone());
            continue;
        };
        if paired.migrations.iter().any(|(_, v, _, _)| v == version) {
            return Err(format!(
                "two migration files share version {version}: rename one (`cargo xtask new` gives each a fresh UTC timestamp)"
            ));
        }
        let has_rollback = rollbacks.contains(file_name);
        paired.migrations.push((
            file_name.clone(),
            version.to_owned(),
            name.to_owned(),
            has_rollback,
        ));
    }
    paired.orphan_rollbacks = rollbacks
        .into_iter()
        .filter(|r| !migrations.contains(r))
        .collect();
    Ok(paired)
}

/// Top-level `*.sql` file names in `dir`; a missing folder has none.
pub(crate) fn sql_file_names(dir: &std::path::Path) -> std::io::Result<Vec<String>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_file() && name.ends_with(".sql") {
            names.push(name);
        }
    }
    Ok(names)
}
