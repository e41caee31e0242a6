//! `schema`: regenerate (or `--check`) `crates/storage/src/schema.rs` with `diesel
//! print-schema` against a scratch database migrated by the storage crate's runner.
//!
//! Needs diesel_cli (`cargo install diesel_cli --no-default-features --features postgres
//! --locked`, or the path in `DIESEL`). The test `storage::schema` checks the same thing
//! structurally without diesel_cli, so `cargo test` catches drift on any machine.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use mentor_status_localdb::{admin, platform};
use mentor_status_storage::migrations::Migrator;

const SCHEMA_RS: &str = "crates/storage/src/schema.rs";
const INSTALL: &str = "cargo install diesel_cli --no-default-features --features postgres --locked";

#[derive(clap::Args)]
pub struct Args {
    /// Compare instead of writing; fail when schema.rs is out of date
    #[arg(long)]
    check: bool,
}

pub fn run(root: &Path, args: &Args) -> Result<()> {
    let server_url = crate::db::database_url(root)?;
    let generated = crate::db::with_scratch_database(&server_url, "schema", |scratch_url| {
        generate(root, scratch_url)
    })?;

    let path = root.join(SCHEMA_RS);
    let committed =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    if committed == generated {
        println!("{SCHEMA_RS} is up to date");
        return Ok(());
    }
    if args.check {
        let committed: Vec<String> = committed.lines().map(str::to_owned).collect();
        let generated: Vec<String> = generated.lines().map(str::to_owned).collect();
        let changes = mentor_status_localdb::fingerprint::diff(&committed, &generated);
        bail!(
            "{SCHEMA_RS} does not match the migrated database (- committed, + generated):\n  {}\nrun `cargo xtask schema` to regenerate it",
            changes.join("\n  ")
        );
    }
    std::fs::write(&path, generated).with_context(|| format!("writing {}", path.display()))?;
    println!("wrote {SCHEMA_RS}");
    Ok(())
}

fn generate(root: &Path, scratch_url: &str) -> Result<String> {
    crate::step("migrate a scratch database", || {
        platform::apply_to(scratch_url)?;
        let mut conn = admin::connect(scratch_url)?;
        Migrator::new(&mut conn).up(None)?;
        Ok(())
    })?;
    let storage = root.join("crates/storage");
    let printed = crate::step("diesel print-schema", || {
        let diesel = std::env::var("DIESEL").unwrap_or_else(|_| "diesel".to_owned());
        let output = Command::new(&diesel)
            .args(["print-schema", "--database-url", scratch_url])
            .args(["--config-file", "diesel.toml"])
            .current_dir(&storage)
            .output();
        match output {
            Ok(o) if o.status.success() => {
                String::from_utf8(o.stdout).context("print-schema printed invalid UTF-8")
            }
            Ok(o) => bail!(
                "diesel print-schema failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                bail!("{diesel} not found: install diesel_cli with `{INSTALL}` (or set DIESEL)")
            }
            Err(e) => Err(e).context("running diesel print-schema"),
        }
    })?;
    rustfmt(&printed)
}

/// Formats like `cargo fmt` does, so the committed file passes `cargo fmt --check`.
fn rustfmt(source: &str) -> Result<String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running rustfmt (rustup component add rustfmt)")?;
    child
        .stdin
        .take()
        .context("rustfmt's stdin")?
        .write_all(source.as_bytes())
        .context("writing to rustfmt")?;
    let output = child.wait_with_output().context("waiting for rustfmt")?;
    if !output.status.success() {
        bail!(
            "rustfmt failed on print-schema's output: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    String::from_utf8(output.stdout).context("rustfmt printed invalid UTF-8")
}
