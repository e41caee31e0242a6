//! The real Supabase CLI, the oracle for compatibility: found, version-checked and run against
//! a database URL (`--db-url`; everything that needs Docker is out of reach here).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::LocalDbError;

/// The CLI version the project is checked against (and whose results `tests/cli-corpus/`
/// keeps). `npm i -E supabase@2.117.0` installs it; the binary comes in its optional
/// dependency `@supabase/cli-linux-x64`.
pub const PINNED_VERSION: &str = "2.117.0";

/// Where `cargo xtask cli-compat --install` puts the npm package, under the target folder.
pub const INSTALL_DIR: &str = "supabase-cli";

/// An installed Supabase CLI.
#[derive(Debug, Clone)]
pub struct SupabaseCli {
    program: PathBuf,
    version: String,
}

/// What one CLI command did.
#[derive(Debug, Clone)]
pub struct CliOutput {
    /// Whether it exited with status 0.
    pub success: bool,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

impl CliOutput {
    /// Standard output and error together, for messages.
    #[must_use]
    pub fn both(&self) -> String {
        format!("{}{}", self.stdout, self.stderr).trim().to_owned()
    }
}

impl SupabaseCli {
    /// The CLI from `SUPABASE_CLI` (a path), else `<target>/supabase-cli` (npm), else
    /// `supabase` on `PATH`; `None` when none runs.
    pub fn locate(target_dir: &Path) -> Result<Option<Self>, LocalDbError> {
        let mut candidates = Vec::new();
        if let Some(path) = std::env::var_os("SUPABASE_CLI").filter(|p| !p.is_empty()) {
            candidates.push(PathBuf::from(path));
        }
        candidates.push(
            target_dir
                .join(INSTALL_DIR)
                .join("node_modules/.bin/supabase"),
        );
        candidates.push(PathBuf::from("supabase"));
        for program in candidates {
            let Ok(out) = Command::new(&program).arg("--version").output() else {
                continue;
            };
            if out.status.success() {
                let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
                return Ok(Some(Self { program, version }));
            }
        }
        Ok(None)
    }

    /// The version it reports.
    #[must_use]
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The program run.
    #[must_use]
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// Runs `supabase <args> --yes` in `workdir` (a folder holding `supabase/`), without
    /// telemetry prompts or colours.
    pub fn run(&self, workdir: &Path, args: &[&str]) -> Result<CliOutput, LocalDbError> {
        let out = Command::new(&self.program)
            .args(args)
            .arg("--yes")
            .current_dir(workdir)
            .env("SUPABASE_TELEMETRY_DISABLED", "1")
            .env("DO_NOT_TRACK", "1")
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| LocalDbError::Command {
                command: format!("{} {}", self.program.display(), args.join(" ")),
                output: format!("could not start it: {e}"),
            })?;
        Ok(CliOutput {
            success: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }
}

/// A URL the CLI accepts for a local server: TLS off (the CLI insists on it otherwise).
#[must_use]
pub fn cli_url(url: &str) -> String {
    if url.contains("sslmode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}
