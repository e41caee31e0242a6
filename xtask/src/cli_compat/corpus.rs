//! The edge-case corpus of `tests/cli-corpus/`: each file applied by the real CLI and by the
//! runner on fresh platform databases; the states must match each other and the golden file.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use mentor_status_localdb::admin;
use mentor_status_localdb::fingerprint::{diff, fingerprint};
use mentor_status_localdb::observed::{CORPUS_VERSION, Golden, Observed, cli_error, observe};
use mentor_status_localdb::supabase_cli::SupabaseCli;
use mentor_status_storage::migrations::{Migrations, Migrator, SqlMigration, SqlScript};

use super::Server;
use crate::report::Report;

pub(super) fn corpus_checks(
    root: &Path,
    target: &Path,
    cli: &SupabaseCli,
    server: &Server,
    write_golden: bool,
    report: &mut Report,
    scratch: &mut Vec<String>,
) -> Result<()> {
    for case in corpus_cases(root)? {
        let (cli_db, runner_db) = (
            format!("cc_{}_cli", case.name),
            format!("cc_{}_runner", case.name),
        );
        scratch.extend([cli_db.clone(), runner_db.clone()]);
        let label = format!(
            "corpus {}.sql: the CLI and the runner leave the same state",
            case.name
        );
        report.check(
            &label,
            (|| {
                let by_cli = apply_with_cli(target, cli, server, &case, &cli_db)?;
                let by_runner = apply_with_runner(server, &case, &runner_db)?;
                if by_cli.observed != by_runner {
                    bail!(
                        "CLI:\n{}\nrunner:\n{}",
                        by_cli.observed.lines(),
                        by_runner.lines()
                    );
                }
                let catalog = diff(
                    &fingerprint(&mut admin::connect(&server.url(&cli_db))?)?,
                    &fingerprint(&mut admin::connect(&server.url(&runner_db))?)?,
                );
                if !catalog.is_empty() {
                    bail!("the catalogs differ:\n  {}", catalog.join("\n  "));
                }
                let golden = case.golden_path();
                if write_golden {
                    std::fs::write(&golden, by_cli.to_text(&golden_header(cli, &case.name)))
                        .with_context(|| format!("writing {}", golden.display()))?;
                    println!("      wrote {}", golden.display());
                } else {
                    let recorded = std::fs::read_to_string(&golden).with_context(|| {
                        format!(
                            "reading {} (write it with --write-golden)",
                            golden.display()
                        )
                    })?;
                    if Golden::from_text(&recorded)? != by_cli {
                        bail!(
                            "the CLI no longer does what {} records: check, then --write-golden",
                            golden.display()
                        );
                    }
                }
                Ok(())
            })(),
        );
    }
    Ok(())
}

/// The header of a golden file.
fn golden_header(cli: &SupabaseCli, case: &str) -> String {
    format!(
        "What the Supabase CLI {} did with {case}.sql (`supabase db push --db-url` on a database\n\
         with only the platform baseline): its history row and the objects of schema public.\n\
         Written by `cargo xtask cli-compat --write-golden`; the test cli_corpus holds the runner to it.",
        cli.version()
    )
}

/// A file of `tests/cli-corpus/`.
struct CorpusCase {
    name: String,
    path: PathBuf,
}

impl CorpusCase {
    fn golden_path(&self) -> PathBuf {
        self.path.with_extension("golden")
    }
}

fn corpus_cases(root: &Path) -> Result<Vec<CorpusCase>> {
    let dir = root.join("tests/cli-corpus");
    let mut cases: Vec<CorpusCase> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .filter_map(|path| {
            let name = path.file_stem()?.to_str()?.to_owned();
            Some(CorpusCase { name, path })
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(cases)
}

fn apply_with_cli(
    target: &Path,
    cli: &SupabaseCli,
    server: &Server,
    case: &CorpusCase,
    db: &str,
) -> Result<Golden> {
    server.fresh_platform_db(db)?;
    let project = target.join("cli-compat").join(&case.name);
    let migrations = project.join("supabase/migrations");
    if project.exists() {
        std::fs::remove_dir_all(&project)
            .with_context(|| format!("clearing {}", project.display()))?;
    }
    std::fs::create_dir_all(&migrations)
        .with_context(|| format!("creating {}", migrations.display()))?;
    std::fs::write(
        project.join("supabase/config.toml"),
        "project_id = \"cli-compat\"\n",
    )?;
    std::fs::copy(
        &case.path,
        migrations.join(format!("{CORPUS_VERSION}_{}.sql", case.name)),
    )?;
    // Success or failure is part of what is compared, through the state and the error.
    let out = server.supabase(cli, &project, &["db", "push"], db)?;
    Ok(Golden {
        observed: observe(&mut admin::connect(&server.url(db))?, CORPUS_VERSION)?,
        error: cli_error(&out.both()),
    })
}

fn apply_with_runner(server: &Server, case: &CorpusCase, db: &str) -> Result<Observed> {
    server.fresh_platform_db(db)?;
    let text = std::fs::read_to_string(&case.path)?;
    let mut conn = admin::connect(&server.url(db))?;
    let migrations = Migrations::from_migrations(vec![SqlMigration::new(
        CORPUS_VERSION,
        case.name.as_str(),
        SqlScript::new(text),
        None,
    )]);
    // Failing or not is part of what is compared, through the state it leaves.
    let _outcome = Migrator::with_migrations(&mut conn, migrations).up(None);
    Ok(observe(&mut conn, CORPUS_VERSION)?)
}
