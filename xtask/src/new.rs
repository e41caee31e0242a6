//! `new <name>`: a migration file named like `supabase migration new` names it, and its rollback.

use std::path::Path;

use anyhow::{Context, Result, bail};

#[derive(clap::Args)]
pub struct Args {
    /// snake_case name, e.g. add_mentor_index
    name: String,
}

pub fn run(root: &Path, args: &Args) -> Result<()> {
    let name = &args.name;
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        bail!(
            "migration names are snake_case (a-z, 0-9, _): {name:?} is not; try {:?}",
            suggest(name)
        );
    }
    let version = chrono::Utc::now().format("%Y%m%d%H%M%S").to_string();
    let file = format!("{version}_{name}.sql");
    let up = root.join("supabase/migrations").join(&file);
    let down = root.join("supabase/rollbacks").join(&file);
    for path in [&up, &down] {
        if path.exists() {
            bail!(
                "{} already exists: wait a second and run it again",
                path.display()
            );
        }
    }
    std::fs::write(&up, up_template(name)).with_context(|| format!("writing {}", up.display()))?;
    std::fs::write(&down, down_template(&file))
        .with_context(|| format!("writing {}", down.display()))?;
    println!("created supabase/migrations/{file}");
    println!("created supabase/rollbacks/{file}");
    Ok(())
}

fn suggest(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn up_template(name: &str) -> String {
    format!(
        "-- {name}\n\
         --\n\
         -- Applied by the runner in ONE transaction together with its history row (no BEGIN/COMMIT\n\
         -- here). For CREATE INDEX CONCURRENTLY, put `-- migrate:no-transaction` on a line of its own.\n\
         -- Say WHY in comments: lock levels taken, whether the table is rewritten or scanned.\n\
         \n\
         -- Fail fast instead of queueing every query on the table behind a blocked ALTER.\n\
         set lock_timeout = '5s';\n\
         set statement_timeout = '60s';\n\
         \n"
    )
}

fn down_template(file: &str) -> String {
    format!(
        "-- Rollback of supabase/migrations/{file}: undo exactly what it does, newest change first.\n\
         -- Applied in one transaction with the removal of its history row. No CASCADE: if something\n\
         -- else depends on what you drop, fail with a message that says what.\n\
         \n\
         set lock_timeout = '5s';\n\
         \n"
    )
}
