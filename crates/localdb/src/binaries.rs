use std::path::{Path, PathBuf};
use std::process::Command;

use crate::LocalDbError;

/// A folder holding PostgreSQL's server binaries, and their major version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgBinaries {
    dir: PathBuf,
    major: u32,
}

const REQUIRED: [&str; 3] = ["initdb", "pg_ctl", "postgres"];
const MIN_MAJOR: u32 = 15;

impl PgBinaries {
    /// Finds the server binaries, in this order: `PG_BIN`; `pg_config --bindir`; a `PATH` folder
    /// with `initdb` and `pg_ctl`; the highest `/usr/lib/postgresql/<major>/bin` (Debian's
    /// layout) with major ≥ 15.
    pub fn locate() -> Result<Self, LocalDbError> {
        let mut searched = Vec::new();
        if let Some(dir) = std::env::var_os("PG_BIN") {
            let dir = PathBuf::from(dir);
            // An explicit choice that does not work is an error, not a reason to look elsewhere.
            return Self::at(&dir).map_err(|why| LocalDbError::NoBinaries {
                searched: format!(" (PG_BIN={} {why})", dir.display()),
            });
        }
        let mut candidates = Vec::new();
        if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
            && out.status.success()
        {
            candidates.push(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
        }
        if let Some(path) = std::env::var_os("PATH") {
            candidates.extend(std::env::split_paths(&path));
        }
        candidates.extend(debian_bin_dirs());
        for dir in candidates {
            match Self::at(&dir) {
                Ok(found) => return Ok(found),
                Err(why) if dir.join("initdb").exists() => {
                    searched.push(format!("{} {why}", dir.display()))
                }
                Err(_) => {}
            }
        }
        let searched = if searched.is_empty() {
            String::new()
        } else {
            format!(" (rejected: {})", searched.join("; "))
        };
        Err(LocalDbError::NoBinaries { searched })
    }

    /// The binaries in `dir`, if all are there and the version is supported.
    pub fn at(dir: &Path) -> Result<Self, String> {
        // initdb finds `postgres` next to its own resolved path, so follow symlinks
        // (e.g. /usr/local/bin/initdb → /usr/lib/postgresql/15/bin/initdb).
        let dir = dir
            .join("initdb")
            .canonicalize()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .ok_or_else(|| "has no initdb".to_owned())?;
        if let Some(missing) = REQUIRED.iter().find(|b| !dir.join(b).is_file()) {
            return Err(format!("has no {missing}"));
        }
        let out = Command::new(dir.join("postgres"))
            .arg("--version")
            .output()
            .map_err(|e| format!("cannot run postgres --version: {e}"))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let major =
            parse_major(&text).ok_or_else(|| format!("has an unreadable version {text:?}"))?;
        if major < MIN_MAJOR {
            return Err(format!("is PostgreSQL {major}, older than {MIN_MAJOR}"));
        }
        Ok(Self { dir, major })
    }

    /// The folder.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The major version, e.g. 15.
    #[must_use]
    pub fn major(&self) -> u32 {
        self.major
    }

    /// The path of one binary of this installation (`pg_dump`, `psql`, …).
    #[must_use]
    pub fn tool(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// A client tool (`pg_dump`, `pg_restore`) that can work with a server of this major:
    /// beside these binaries, else in a Debian folder or on `PATH`, of this major or newer
    /// (pg_dump refuses newer servers). `None` when there is none (e.g. the server-only
    /// PostgreSQL 17 tree of `cargo xtask install-postgres` on a machine with client 15).
    #[must_use]
    pub fn client_tool(&self, name: &str) -> Option<PathBuf> {
        std::iter::once(self.tool(name))
            .chain(debian_bin_dirs().into_iter().map(|dir| dir.join(name)))
            .chain(std::iter::once(PathBuf::from(name)))
            .find(|path| {
                Command::new(path)
                    .arg("--version")
                    .output()
                    .is_ok_and(|out| {
                        out.status.success()
                            && parse_major(&String::from_utf8_lossy(&out.stdout))
                                .is_some_and(|major| major >= self.major)
                    })
            })
    }
}

fn debian_bin_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let major = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((major, entry.path().join("bin")))
        })
        .filter(|(major, _)| *major >= MIN_MAJOR)
        .collect();
    dirs.sort_by_key(|(major, _)| std::cmp::Reverse(*major));
    dirs.into_iter().map(|(_, dir)| dir).collect()
}

/// `postgres (PostgreSQL) 15.18 (Debian …)` → 15.
fn parse_major(version_output: &str) -> Option<u32> {
    let number = version_output
        .split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))?;
    number.split(['.', 'b', 'r']).next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::parse_major;

    #[test]
    fn major_versions_are_read_from_version_output() {
        assert_eq!(
            parse_major("postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n"),
            Some(15)
        );
        assert_eq!(parse_major("postgres (PostgreSQL) 17.6\n"), Some(17));
        assert_eq!(parse_major("postgres (PostgreSQL) 18beta1\n"), Some(18));
        assert_eq!(parse_major("nonsense"), None);
    }
}
