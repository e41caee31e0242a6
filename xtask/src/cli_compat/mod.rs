//! `cli-compat`: the real Supabase CLI (pinned version) against databases on the project-local
//! cluster, compared with what `cargo xtask` and the runner do.
//!
//! 1. `db push --include-seed` on a database with only the platform baseline;
//! 2. `migration list` agrees with the files;
//! 3. `pg_dump` of (1) equals `pg_dump` of an `xtask db-reset` database (schema, history rows
//!    with statements, seed records, data), and `db diff --from (1) --to (3)` reports nothing;
//! 4. `db reset --db-url` succeeds and gives the same dump;
//! 5. `migration down --last 1`, then `migration up`, give the same dump again;
//! 6. every file of `tests/cli-corpus/` applied by the CLI and by the runner, each on a fresh
//!    platform database, leaves the same history row, objects and catalog — and what the CLI
//!    did matches the committed golden file (or, with `--write-golden`, becomes it).
//!
//! Last line `N passed, M failed`. Without the CLI it says so and skips (exit 0), never passes
//! silently.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use diesel::connection::SimpleConnection;
use mentor_status_localdb::fingerprint::{diff, fingerprint};
use mentor_status_localdb::observed::{CORPUS_VERSION, observe};
use mentor_status_localdb::supabase_cli::{
    CliOutput, INSTALL_DIR, PINNED_VERSION, SupabaseCli, cli_url,
};
use mentor_status_localdb::{LocalCluster, admin, platform};
use mentor_status_storage::migrations::Migrations;

use crate::report::Report;

mod corpus;

#[derive(clap::Args)]
pub struct Args {
    /// Install the pinned CLI with npm under target/ first (when it is not installed)
    #[arg(long)]
    install: bool,
    /// Write tests/cli-corpus/*.golden from what the CLI does, instead of comparing with them
    #[arg(long)]
    write_golden: bool,
    /// Keep the scratch databases
    #[arg(long)]
    keep: bool,
}

struct Server {
    port: u16,
    /// A pg_dump at least as new as the server, if there is one.
    pg_dump: Option<PathBuf>,
    restrict_key: bool,
}

impl Server {
    fn url(&self, db: &str) -> String {
        LocalCluster::url(self.port, db)
    }

    fn admin_url(&self, db: &str) -> String {
        LocalCluster::admin_url(self.port, db)
    }

    /// Everything of `db` as `pg_dump` prints it (as the bootstrap superuser, who can read all).
    fn dump(&self, db: &str) -> Result<String> {
        let pg_dump = self
            .pg_dump
            .as_ref()
            .context("no pg_dump as new as the server is installed")?;
        let mut cmd = Command::new(pg_dump);
        cmd.arg("--no-comments").arg("-d").arg(self.admin_url(db));
        if self.restrict_key {
            // pg_dump 15.14+ writes a random \restrict key: fix it so dumps compare.
            cmd.arg("--restrict-key=clicompat");
        }
        let out = cmd.output().context("running pg_dump")?;
        if !out.status.success() {
            bail!(
                "pg_dump {db}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// `supabase <args> --db-url <db>` (the CLI's form of the URL), run in `workdir`.
    fn supabase(
        &self,
        cli: &SupabaseCli,
        workdir: &Path,
        args: &[&str],
        db: &str,
    ) -> Result<CliOutput> {
        let url = cli_url(&self.url(db));
        let args: Vec<&str> = args.iter().copied().chain(["--db-url", &url]).collect();
        Ok(cli.run(workdir, &args)?)
    }

    fn fresh_platform_db(&self, db: &str) -> Result<()> {
        let mut maintenance = admin::connect(&self.url("postgres"))?;
        admin::drop_database(&mut maintenance, db)?;
        admin::create_database(&mut maintenance, db, None)?;
        platform::apply_to(&self.url(db))?;
        Ok(())
    }

    fn drop(&self, db: &str) -> Result<()> {
        let mut maintenance = admin::connect(&self.url("postgres"))?;
        Ok(admin::drop_database(&mut maintenance, db)?)
    }
}

pub fn run(root: &Path, args: &Args) -> Result<()> {
    let target = crate::db::target_dir(root);
    if args.install && SupabaseCli::locate(&target)?.is_none() {
        install(&target)?;
    }
    let Some(cli) = SupabaseCli::locate(&target)? else {
        println!(
            "the Supabase CLI is not installed: SKIPPED. Install it with `cargo xtask cli-compat --install` \
             (npm i -E supabase@{PINNED_VERSION} under target/{INSTALL_DIR}), or set SUPABASE_CLI"
        );
        let mut report = Report::default();
        report.skip("Supabase CLI compatibility", "no CLI installed");
        return report.finish("cli-compat");
    };
    println!(
        "supabase CLI {} ({})",
        cli.version(),
        cli.program().display()
    );
    if cli.version() != PINNED_VERSION {
        println!(
            "warning: the golden files record CLI {PINNED_VERSION}; this is {}",
            cli.version()
        );
    }
    if crate::db::database_url_from_env().is_some() {
        println!(
            "note: cli-compat always uses the project-local cluster (DATABASE_URL is ignored)"
        );
    }
    let cluster = crate::db::local_cluster(root)?;
    let port = cluster.ensure_running()?;
    let pg_dump = cluster.binaries().client_tool("pg_dump");
    let restrict_key = pg_dump.as_ref().is_some_and(|p| {
        Command::new(p)
            .arg("--help")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("--restrict-key"))
    });
    if pg_dump.is_none() {
        println!(
            "note: no pg_dump for PostgreSQL {} here: databases are compared by catalog fingerprint, \
             history rows and row counts instead of pg_dump output",
            cluster.binaries().major()
        );
    }
    let server = Server {
        port,
        pg_dump,
        restrict_key,
    };

    let mut report = Report::default();
    let mut scratch = Vec::new();
    project_checks(root, &cli, &server, &mut report, &mut scratch);
    corpus::corpus_checks(
        root,
        &target,
        &cli,
        &server,
        args.write_golden,
        &mut report,
        &mut scratch,
    )?;
    if !args.keep {
        for db in &scratch {
            server.drop(db)?;
        }
    }
    report.finish("cli-compat")
}

fn install(target: &Path) -> Result<()> {
    let dir = target.join(INSTALL_DIR);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    crate::step(&format!("npm install supabase@{PINNED_VERSION}"), || {
        let status = Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--save-exact",
                "--prefix",
            ])
            .arg(&dir)
            .arg(format!("supabase@{PINNED_VERSION}"))
            .status()
            .context("running npm (install Node.js and npm, e.g. `apt-get install nodejs npm`)")?;
        if !status.success() {
            bail!("npm install supabase@{PINNED_VERSION} failed");
        }
        Ok(())
    })
}

fn project_checks(
    root: &Path,
    cli: &SupabaseCli,
    server: &Server,
    report: &mut Report,
    scratch: &mut Vec<String>,
) {
    let pushed = "cli_compat_push";
    let built = "cli_compat_xtask";
    let reset = "cli_compat_reset";
    scratch.extend([pushed, built, reset].map(str::to_owned));

    report.check(
        "supabase db push --include-seed on a platform-only database",
        (|| {
            server.fresh_platform_db(pushed)?;
            expect_success(server.supabase(cli, root, &["db", "push", "--include-seed"], pushed)?)
        })(),
    );
    report.check(
        "supabase migration list shows every file applied",
        (|| {
            let out = server.supabase(cli, root, &["migration", "list"], pushed)?;
            let text = out.both();
            let missing: Vec<String> = Migrations::embedded()
                .iter()
                .map(|m| m.version().to_owned())
                .filter(|v| !listed_as_applied(&text, v))
                .collect();
            if !out.success || !missing.is_empty() {
                bail!("not listed as applied: {missing:?}\n{text}");
            }
            Ok(())
        })(),
    );
    report.check(
        "cargo xtask db-reset builds the same database (pg_dump)",
        (|| {
            crate::reset::reset(root, &server.url(built), None, true)?;
            same_dump(server, pushed, built)
        })(),
    );
    report.check(
        "supabase db diff between the two reports nothing",
        (|| {
            let out = cli.run(
                root,
                &[
                    "db",
                    "diff",
                    "--from",
                    &cli_url(&server.url(pushed)),
                    "--to",
                    &cli_url(&server.url(built)),
                ],
            )?;
            if !out.success || !out.stdout.trim().is_empty() {
                bail!("db diff: {}", out.both());
            }
            Ok(())
        })(),
    );
    report.check(
        "supabase db reset --db-url on an xtask-built database (pg_dump unchanged)",
        (|| {
            crate::reset::reset(root, &server.url(reset), None, true)?;
            expect_success(server.supabase(cli, root, &["db", "reset"], reset)?)?;
            same_dump(server, built, reset)
        })(),
    );
    report.check("supabase migration down --last 1, then migration up (pg_dump unchanged)", (|| {
        let latest = Migrations::embedded()
            .latest()
            .map(|m| m.version().to_owned())
            .context("no migrations")?;
        expect_success(server.supabase(cli, root, &["migration", "down", "--last", "1"], reset)?)?;
        let mut conn = admin::connect(&server.url(reset))?;
        let left = crate::sql::int(
            &mut conn,
            &format!("select count(*) as v from supabase_migrations.schema_migrations where version = '{latest}'"),
        )?;
        if left != 0 {
            bail!("{latest} is still recorded after migration down");
        }
        expect_success(server.supabase(cli, root, &["migration", "up"], reset)?)?;
        same_dump(server, built, reset)
    })());
    // Last: these add extensions (plpgsql_check, maybe pgtap) to the pushed database.
    let lint_available = admin::connect(&server.url(pushed))
        .map_err(anyhow::Error::from)
        .and_then(|mut conn| {
            Ok(crate::sql::int(
                &mut conn,
                "select count(*) as v from pg_available_extensions where name = 'plpgsql_check'",
            )? > 0)
        });
    if matches!(lint_available, Ok(false)) {
        report.skip(
            "supabase db lint --db-url",
            "plpgsql_check is not installed for this server's PostgreSQL (Debian ships it for 15: postgresql-15-plpgsql-check)",
        );
    } else {
        report.check(
            "supabase db lint --db-url finds no schema errors (plpgsql_check)",
            (|| {
                // As on the platform, where supautils lets postgres create it, the extension is
                // created by the superuser; the CLI's own CREATE EXTENSION IF NOT EXISTS is then a no-op.
                admin::connect(&server.admin_url(pushed))?
                    .batch_execute(
                        "create extension if not exists plpgsql_check with schema extensions",
                    )
                    .context("creating plpgsql_check (Debian: postgresql-15-plpgsql-check)")?;
                let out =
                    server.supabase(cli, root, &["db", "lint", "--fail-on", "warning"], pushed)?;
                if !out.success || !out.both().contains("No schema errors found") {
                    bail!("db lint: {}", out.both());
                }
                Ok(())
            })(),
        );
    }
    match server.supabase(cli, root, &["test", "db"], pushed) {
        Ok(out) if out.both().contains("Docker") => report.skip(
            "supabase test db --db-url",
            "the CLI runs pg_prove in a Docker container, and no Docker engine runs here; `cargo xtask test-db` runs the same files with pg_prove",
        ),
        Ok(out) => report.check("supabase test db --db-url passes the pgTAP suites", if out.success {
            Ok(())
        } else {
            Err(anyhow::anyhow!("test db: {}", out.both()))
        }),
        Err(e) => report.check("supabase test db --db-url", Err(e)),
    }
}

/// Whether `migration list` shows `version` in both the local and the remote column.
fn listed_as_applied(text: &str, version: &str) -> bool {
    text.lines().any(|line| {
        let columns: Vec<&str> = line
            .split('|')
            .map(|c| c.trim().trim_matches('`').trim())
            .collect();
        columns.len() >= 2 && columns[0] == version && columns[1] == version
    })
}

fn expect_success(out: mentor_status_localdb::supabase_cli::CliOutput) -> Result<()> {
    if !out.success {
        bail!("the CLI failed:\n{}", out.both());
    }
    Ok(())
}

/// The two databases hold the same: `pg_dump` output (schema, history rows with statements,
/// seed records, data) when a pg_dump for this server exists, else the catalog fingerprint,
/// the history rows and every public table's row count.
fn same_dump(server: &Server, a: &str, b: &str) -> Result<()> {
    let (left, right) = if server.pg_dump.is_some() {
        (server.dump(a)?, server.dump(b)?)
    } else {
        (contents(server, a)?, contents(server, b)?)
    };
    if left == right {
        return Ok(());
    }
    let left: Vec<String> = left.lines().map(str::to_owned).collect();
    let right: Vec<String> = right.lines().map(str::to_owned).collect();
    let changes = diff(&left, &right);
    bail!(
        "{a} and {b} differ ({} lines):\n  {}",
        changes.len(),
        changes
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n  ")
    )
}

fn contents(server: &Server, db: &str) -> Result<String> {
    let mut conn = admin::connect(&server.admin_url(db))?;
    let mut lines = fingerprint(&mut conn)?;
    lines.push(crate::sql::text(
        &mut conn,
        "select coalesce(string_agg(format('history %s %s %s', version, name, statements), E'\\n' order by version), '') as v \
         from supabase_migrations.schema_migrations",
    )?);
    lines.push(crate::sql::text(
        &mut conn,
        "select coalesce(string_agg(format('seed %s %s', path, hash), E'\\n' order by path), '') as v from supabase_migrations.seed_files",
    )?);
    lines.extend(observe(&mut conn, CORPUS_VERSION)?.objects);
    Ok(lines.join("\n"))
}
