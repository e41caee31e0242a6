//! Test harness: every test gets its own database on the project-local PostgreSQL, cloned from
//! a template that is built once (per content of the platform baseline, migrations and seed)
//! and reused across test runs. Cloning takes tens of milliseconds; the database is dropped
//! when the [`TestDb`] goes out of scope, also when the test panics.
//!
//! Nothing needs to run beforehand: the first test starts the cluster (see
//! `mentor-status-localdb`), later runs reuse it. Set `PG_BIN` to test another PostgreSQL.
#![forbid(unsafe_code)]
// A harness that cannot set up has nothing better to do than fail the test, loudly.
#![allow(clippy::expect_used, clippy::unwrap_used)]

pub mod naive;
pub mod rehearsal;
pub mod smoke;
pub mod snapshot;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use diesel::prelude::*;
use mentor_status_localdb::{LocalCluster, PgBinaries, admin, platform, seed};
use mentor_status_storage::migrations::Migrator;
use sha2::{Digest, Sha256};

/// What a fresh test database starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// Only the Supabase platform baseline (roles, `auth`): no migration applied.
    Platform,
    /// Every migration applied.
    Migrated,
    /// Every migration applied and `supabase/seed.sql` loaded.
    Seeded,
}

/// The workspace root.
#[must_use]
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

struct Server {
    cluster: LocalCluster,
    port: u16,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let binaries = PgBinaries::locate().unwrap_or_else(|e| panic!("{e}"));
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| project_root().join("target"), PathBuf::from);
        let cluster =
            LocalCluster::for_target_dir(&target, binaries).unwrap_or_else(|e| panic!("{e}"));
        let port = cluster.ensure_running().unwrap_or_else(|e| panic!("{e}"));
        Server { cluster, port }
    })
}

/// The URL of `database` on the test server.
#[must_use]
pub fn server_url(database: &str) -> String {
    LocalCluster::url(server().port, database)
}

/// The test server's binaries (for `pg_dump` and friends).
#[must_use]
pub fn binaries() -> &'static PgBinaries {
    server().cluster.binaries()
}

fn template(start: Start) -> String {
    static TEMPLATES: Mutex<Vec<(Start, String)>> = Mutex::new(Vec::new());
    let mut known = TEMPLATES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, name)) = known.iter().find(|(s, _)| *s == start) {
        return name.clone();
    }
    let name = build_template(start);
    known.push((start, name.clone()));
    name
}

/// Builds the template for `start` unless a previous run already did (same content → same
/// name), under a file lock so concurrent test processes build it once.
fn build_template(start: Start) -> String {
    let root = project_root();
    let seeds = if start == Start::Seeded {
        seed::seed_files(&root).expect("supabase/config.toml seeds")
    } else {
        Vec::new()
    };
    let mut hasher = Sha256::new();
    hasher.update(platform::PLATFORM_SQL);
    if start != Start::Platform {
        for m in &mentor_status_storage::migrations::Migrations::embedded() {
            hasher.update(m.file_stem());
            hasher.update(m.up().text());
        }
    }
    for s in &seeds {
        hasher.update(std::fs::read(&s.file).expect("seed file readable"));
    }
    let digest: String = hasher
        .finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect();
    let kind = format!("{start:?}").to_lowercase();
    let name = format!("tmpl_{kind}_{digest}");

    let lock_path = server().cluster.root().join("templates.lock");
    let lock = File::create(&lock_path).expect("template lock file");
    lock.lock().expect("template lock");
    let mut admin_conn = admin::connect(&server_url("postgres")).unwrap_or_else(|e| panic!("{e}"));
    if !admin::database_exists(&mut admin_conn, &name).expect("pg_database readable") {
        let building = format!("{name}_building");
        admin::drop_database(&mut admin_conn, &building).expect("drop leftover template");
        admin::create_database(&mut admin_conn, &building, None).expect("create template");
        {
            platform::apply_to(&server_url(&building)).unwrap_or_else(|e| panic!("{e}"));
            let mut conn = admin::connect(&server_url(&building)).unwrap_or_else(|e| panic!("{e}"));
            if start != Start::Platform {
                Migrator::new(&mut conn)
                    .up(None)
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            for s in &seeds {
                seed::apply(&mut conn, s).unwrap_or_else(|e| panic!("{e}"));
            }
        }
        // Only a complete template gets the real name; older templates of this kind go.
        diesel::sql_query(format!(
            "alter database {} rename to {}",
            admin::quote_ident(&building),
            admin::quote_ident(&name)
        ))
        .execute(&mut admin_conn)
        .expect("rename template");
        #[derive(QueryableByName)]
        struct Name {
            #[diesel(sql_type = diesel::sql_types::Text)]
            datname: String,
        }
        let stale: Vec<Name> = diesel::sql_query(
            "select datname from pg_database where datname like $1 and datname <> $2",
        )
        .bind::<diesel::sql_types::Text, _>(format!("tmpl\\_{kind}\\_%"))
        .bind::<diesel::sql_types::Text, _>(&name)
        .load(&mut admin_conn)
        .expect("list templates");
        for old in stale {
            admin::drop_database(&mut admin_conn, &old.datname).expect("drop stale template");
        }
    }
    name
}

/// A database of its own for one test, dropped when this value is.
#[derive(Debug)]
pub struct TestDb {
    name: String,
    url: String,
}

impl TestDb {
    /// A fresh database starting from `start`.
    #[must_use]
    pub fn new(start: Start) -> Self {
        let template = template(start);
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        let mut admin_conn =
            admin::connect(&server_url("postgres")).unwrap_or_else(|e| panic!("{e}"));
        admin::create_database(&mut admin_conn, &name, Some(&template))
            .unwrap_or_else(|e| panic!("{e}"));
        let url = server_url(&name);
        Self { name, url }
    }

    /// Platform baseline only, no migration.
    #[must_use]
    pub fn platform() -> Self {
        Self::new(Start::Platform)
    }

    /// All migrations applied.
    #[must_use]
    pub fn migrated() -> Self {
        Self::new(Start::Migrated)
    }

    /// All migrations applied and the seed loaded.
    #[must_use]
    pub fn seeded() -> Self {
        Self::new(Start::Seeded)
    }

    /// The database's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its connection URL.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A new connection to it.
    #[must_use]
    pub fn conn(&self) -> PgConnection {
        admin::connect(&self.url).unwrap_or_else(|e| panic!("{e}"))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // WITH (FORCE) ends connections a test left open. A failure here must not hide the
        // test's own result, so it is only reported.
        match admin::connect(&server_url("postgres")) {
            Ok(mut conn) => {
                if let Err(e) = admin::drop_database(&mut conn, &self.name) {
                    eprintln!("warning: {e}");
                }
            }
            Err(e) => eprintln!("warning: could not drop test database {}: {e}", self.name),
        }
    }
}
