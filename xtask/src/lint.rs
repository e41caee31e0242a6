//! `lint`: squawk over the forward migrations, with its default rules.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

pub fn run(root: &Path) -> Result<()> {
    let mut files: Vec<_> = std::fs::read_dir(root.join("supabase/migrations"))
        .context("reading supabase/migrations")?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    crate::step(
        &format!("squawk over {} migration files", files.len()),
        || {
            let status = Command::new("squawk")
                .args(["--pg-version", "15.0", "--assume-in-transaction"])
                .args(&files)
                .current_dir(root)
                .status();
            match status {
                Ok(s) if s.success() => Ok(()),
                Ok(_) => bail!(
                    "squawk found problems in the migrations (above): fix them, or explain in the file why a rule does not apply"
                ),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    bail!(
                        "squawk is not installed: `pip install squawk-cli==2.70.0` (or npm's squawk-cli) puts it on PATH"
                    )
                }
                Err(e) => Err(e).context("running squawk"),
            }
        },
    )
}
