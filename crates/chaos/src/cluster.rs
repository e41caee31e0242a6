//! [`ChaosCluster`]: a PostgreSQL cluster of the run's own, which the fault injector may
//! crash; stopped and removed when dropped, also when the run fails or panics.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use mentor_status_localdb::{LocalCluster, PgBinaries, admin, platform};
use mentor_status_storage::Context as _;

use crate::ChaosError;

/// A cluster under a folder of the run's own (never the project-local cluster the test suite
/// shares), shaped like the others (platform bootstrap superuser, `postgres` not a
/// superuser), with two settings the checks rely on:
///
/// - `synchronous_commit = on`: a commit the client saw survives an immediate stop (the
///   project-local clusters trade that for speed; the platform does not);
/// - `track_commit_timestamp = on`: the notification check reads when each change and each
///   membership or coordinator change committed.
#[derive(Debug)]
pub struct ChaosCluster {
    cluster: LocalCluster,
    port: u16,
    folder: PathBuf,
    keep: bool,
}

impl ChaosCluster {
    /// Initialises and starts a cluster under `folder` (created; removed again on drop).
    ///
    /// # Errors
    ///
    /// When `initdb`, starting, configuring or restarting the server fails.
    pub fn create(folder: &Path, binaries: PgBinaries) -> Result<ChaosCluster, ChaosError> {
        std::fs::create_dir_all(folder)
            .map_err(|e| ChaosError::Run(format!("creating {}: {e}", folder.display())))?;
        let cluster = LocalCluster::for_target_dir(folder, binaries)?;
        let mut this = ChaosCluster {
            port: 0,
            cluster,
            folder: folder.to_path_buf(),
            keep: false,
        };
        this.port = this.cluster.start()?.port;
        {
            let mut conn = admin::connect(&LocalCluster::admin_url(this.port, "postgres"))?;
            for setting in ["synchronous_commit = on", "track_commit_timestamp = on"] {
                conn.batch_execute(&format!("alter system set {setting}"))
                    .with_context(|| format!("configuring the chaos cluster: {setting}"))?;
            }
        }
        this.cluster.stop()?;
        this.restart()?;
        Ok(this)
    }

    /// Keep the cluster's folder when dropped (for a post-mortem); it is still stopped.
    pub fn keep_files(&mut self, keep: bool) {
        self.keep = keep;
    }

    /// The folder holding the cluster (data, server log).
    #[must_use]
    pub fn root(&self) -> &Path {
        self.cluster.root()
    }

    /// The server's port (kept across crashes).
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of `database` as `postgres` (the table owner, not a superuser).
    #[must_use]
    pub fn url(&self, database: &str) -> String {
        LocalCluster::url(self.port, database)
    }

    /// The URL of `database` as `user` (e.g. `authenticator`, as PostgREST logs in).
    #[must_use]
    pub fn url_as(&self, user: &str, database: &str) -> String {
        mentor_status_localdb::url::with_user(&self.url(database), user)
    }

    /// The URL of `database` as the bootstrap superuser.
    #[must_use]
    pub fn admin_url(&self, database: &str) -> String {
        LocalCluster::admin_url(self.port, database)
    }

    /// Creates database `name` (dropping a leftover) with the platform baseline; returns its
    /// URL as `postgres`.
    ///
    /// # Errors
    ///
    /// When creating it or applying the baseline fails.
    pub fn create_database(&self, name: &str) -> Result<String, ChaosError> {
        let mut conn = admin::connect(&self.url("postgres"))?;
        admin::drop_database(&mut conn, name)?;
        admin::create_database(&mut conn, name, None)?;
        let url = self.url(name);
        platform::apply_to(&url)?;
        Ok(url)
    }

    /// Crashes the server (`pg_ctl stop -m immediate`) and starts it again on the same
    /// port; returns how long it was down.
    ///
    /// # Errors
    ///
    /// When stopping or starting fails, or the server came back on another port.
    pub fn crash_and_restart(&self) -> Result<Duration, ChaosError> {
        let started = Instant::now();
        self.cluster.crash()?;
        self.restart()?;
        Ok(started.elapsed())
    }

    /// Crashes the server without starting it again.
    ///
    /// # Errors
    ///
    /// When `pg_ctl stop -m immediate` fails.
    pub fn crash(&self) -> Result<(), ChaosError> {
        self.cluster.crash()?;
        Ok(())
    }

    /// Starts the server (after [`crash`](Self::crash)) on the port it had.
    ///
    /// # Errors
    ///
    /// When starting fails or the port moved.
    pub fn restart(&self) -> Result<(), ChaosError> {
        let running = self.cluster.start()?;
        if self.port != 0 && running.port != self.port {
            return Err(ChaosError::Run(format!(
                "the chaos cluster came back on port {} instead of {}",
                running.port, self.port
            )));
        }
        Ok(())
    }
}

impl Drop for ChaosCluster {
    fn drop(&mut self) {
        if let Err(e) = self.cluster.stop() {
            eprintln!("warning: stopping the chaos cluster: {e}");
        }
        if self.keep {
            eprintln!(
                "note: chaos cluster kept in {}",
                self.cluster.root().display()
            );
            return;
        }
        let root = self.cluster.root().to_path_buf();
        let _ = std::fs::remove_dir_all(&root);
        // A cluster outside the folder (postgres could not write there) lives in a folder of
        // its own in the temporary folder: remove that too.
        if let Some(parent) = root.parent() {
            let own = parent
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("mentor-status-localdb-"));
            if own {
                let _ = std::fs::remove_dir_all(parent);
            }
        }
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}
