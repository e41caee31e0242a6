use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::{LocalDbError, PgBinaries};

/// Settings for a throwaway development cluster: durability is traded for speed (nothing here
/// must survive a power cut), and enough connections for parallel tests with pools.
const SERVER_SETTINGS: &str = "
# --- mentor-status local cluster (written by mentor-status-localdb) ---
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
shared_buffers = 256MB
max_wal_size = 4GB
log_min_messages = warning
# As on the Supabase platform: pg_stat_statements (schema extensions) needs its library.
shared_preload_libraries = 'pg_stat_statements'
# Supabase runs logical replication (Realtime, the supabase_realtime publication).
wal_level = logical
";

/// The platform's bootstrap superuser; the cluster is initialised with it, as Supabase's image is.
pub const BOOTSTRAP_SUPERUSER: &str = "supabase_admin";

/// What the application, migrations, seeds and tests connect as: not a superuser, as on the
/// hosted platform (see `sql/supabase_platform.sql`).
pub const APP_USER: &str = "postgres";

/// Written into the data folder once the cluster is initialised and bootstrapped; a data folder
/// without it (or with another layout) was made by an earlier version and is rebuilt.
const LAYOUT_FILE: &str = "mentor-status-layout";
const LAYOUT: &str =
    "2: bootstrap superuser supabase_admin, platform baseline applied to postgres\n";

/// What [`LocalCluster::start`] found or did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Running {
    /// The port the server listens on.
    pub port: u16,
    /// Whether this call started it (it was not running).
    pub started: bool,
    /// The kept port it could not use (another program held it), when it had to move.
    pub moved_from: Option<u16>,
}

/// The project-local PostgreSQL cluster: one per major version, under
/// `<target>/localdb/pg<major>/`, started on demand on a port it keeps, and reused.
///
/// PostgreSQL refuses to run as root; when we are root the data folder belongs to the
/// `postgres` user and every server command runs through `runuser -u postgres` (or `setpriv`).
/// If that user cannot reach `<target>` (e.g. a clone inside a private temporary folder) the
/// cluster lives in the system temporary folder instead, named after `<target>`.
#[derive(Debug, Clone)]
pub struct LocalCluster {
    binaries: PgBinaries,
    root: PathBuf,
    as_postgres: bool,
}

impl LocalCluster {
    /// The cluster belonging to the cargo target folder `target`.
    pub fn for_target_dir(target: &Path, binaries: PgBinaries) -> Result<Self, LocalDbError> {
        let as_postgres = running_as_root()?;
        let leaf = format!("pg{}", binaries.major());
        let preferred = target.join("localdb").join(&leaf);
        let mut cluster = Self {
            binaries,
            root: preferred.clone(),
            as_postgres,
        };
        cluster.prepare_root()?;
        if as_postgres && !cluster.postgres_can_write(&preferred) {
            let digest = Sha256::digest(target.to_string_lossy().as_bytes());
            let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
            cluster.root = std::env::temp_dir()
                .join(format!("mentor-status-localdb-{hex}"))
                .join(leaf);
            cluster.prepare_root()?;
        }
        Ok(cluster)
    }

    /// The folder holding the data folder, the server log and the lock file.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The server log.
    #[must_use]
    pub fn log_file(&self) -> PathBuf {
        self.root.join("server.log")
    }

    /// The binaries this cluster runs.
    #[must_use]
    pub fn binaries(&self) -> &PgBinaries {
        &self.binaries
    }

    fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    /// The connection URL for `database` on a server listening on `port`, as [`APP_USER`]
    /// (`postgres`, not a superuser).
    #[must_use]
    pub fn url(port: u16, database: &str) -> String {
        format!("postgres://{APP_USER}@127.0.0.1:{port}/{database}")
    }

    /// The connection URL for `database` as the bootstrap superuser [`BOOTSTRAP_SUPERUSER`]:
    /// only for what the platform itself does (the baseline, `pg_dump` of everything).
    #[must_use]
    pub fn admin_url(port: u16, database: &str) -> String {
        format!("postgres://{BOOTSTRAP_SUPERUSER}@127.0.0.1:{port}/{database}")
    }

    /// Initialises the cluster if needed and starts it if it is not running; returns its port.
    /// Safe to call from several processes and threads at once (a file lock serialises them).
    pub fn ensure_running(&self) -> Result<u16, LocalDbError> {
        self.start().map(|running| running.port)
    }

    /// Like [`LocalCluster::ensure_running`], saying whether this call started the server.
    ///
    /// The port is chosen once per cluster (a free one) and kept in `<root>/port`, so URLs stay
    /// valid across restarts; when another program holds it, a new free port is chosen and
    /// kept, and [`Running::moved_from`] says so.
    pub fn start(&self) -> Result<Running, LocalDbError> {
        let _lock = self.lock()?;
        let data = self.data_dir();
        if data.join("PG_VERSION").is_file() && !self.has_current_layout() {
            eprintln!(
                "note: the local PostgreSQL in {} was made by an earlier version of this project \
                 (bootstrap superuser postgres, no platform roles); rebuilding it with \
                 {BOOTSTRAP_SUPERUSER} as on the Supabase platform. Its databases are scratch \
                 databases and are not kept.",
                data.display()
            );
            if self.running_port()?.is_some() {
                self.stop_unlocked()?;
            }
            std::fs::remove_dir_all(&data).map_err(LocalDbError::io("removing", &data))?;
        }
        if let Some(port) = self.running_port()? {
            return Ok(Running {
                port,
                started: false,
                moved_from: None,
            });
        }
        let fresh = !data.join("PG_VERSION").is_file();
        if fresh {
            self.init()?;
        }
        let stored = self.stored_port();
        let preferred = stored.filter(|&port| port_is_free(port));
        let mut last_error = None;
        // The kept port first; a free port can be taken between our probe and the server's
        // bind, so try a few new ones after it.
        for attempt in 0..4 {
            let port = match (attempt, preferred) {
                (0, Some(port)) => port,
                _ => free_port()?,
            };
            match self.start_on(port) {
                Ok(()) => {
                    if fresh {
                        self.bootstrap(port)?;
                    }
                    if stored != Some(port) {
                        let file = self.port_file();
                        std::fs::write(&file, format!("{port}\n"))
                            .map_err(LocalDbError::io("writing", &file))?;
                    }
                    return Ok(Running {
                        port,
                        started: true,
                        moved_from: stored.filter(|&kept| kept != port),
                    });
                }
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error
            .unwrap_or_else(|| LocalDbError::Config("the server did not start".to_owned())))
    }

    fn port_file(&self) -> PathBuf {
        self.root.join("port")
    }

    /// The port this cluster keeps, if one was chosen before.
    #[must_use]
    pub fn stored_port(&self) -> Option<u16> {
        std::fs::read_to_string(self.port_file())
            .ok()
            .and_then(|text| text.trim().parse().ok())
    }

    fn has_current_layout(&self) -> bool {
        std::fs::read_to_string(self.data_dir().join(LAYOUT_FILE)).is_ok_and(|l| l == LAYOUT)
    }

    /// First start of a new cluster: the platform baseline on database `postgres` (roles,
    /// `postgres` as its owner, `extensions`, `auth`), as the bootstrap superuser; then the
    /// layout marker, so a half-bootstrapped folder is rebuilt next time.
    fn bootstrap(&self, port: u16) -> Result<(), LocalDbError> {
        let mut conn = crate::admin::connect(&Self::admin_url(port, "postgres"))?;
        crate::platform::apply(&mut conn)?;
        let marker = self.data_dir().join(LAYOUT_FILE);
        std::fs::write(&marker, LAYOUT).map_err(LocalDbError::io("writing", &marker))
    }

    /// The port of the running server, or `None` when it is not running.
    pub fn running_port(&self) -> Result<Option<u16>, LocalDbError> {
        self.running_pid_file_line(3)
    }

    /// The process id of the running server's postmaster (every backend is its child), or
    /// `None` when it is not running.
    pub fn postmaster_pid(&self) -> Result<Option<u32>, LocalDbError> {
        self.running_pid_file_line(0)
    }

    /// Line `n` of `postmaster.pid` (pid, data dir, start time, port, socket dir, listen
    /// address, …), parsed, while the server runs; `None` when it does not.
    fn running_pid_file_line<T: std::str::FromStr>(
        &self,
        n: usize,
    ) -> Result<Option<T>, LocalDbError> {
        let pid_file = self.data_dir().join("postmaster.pid");
        if !pid_file.is_file() {
            return Ok(None);
        }
        let status = self
            .pg_command("pg_ctl")
            .arg("status")
            .arg("-D")
            .arg(self.data_dir())
            .output()
            .map_err(|e| self.spawn_error("pg_ctl status", &e))?;
        if !status.status.success() {
            return Ok(None);
        }
        let text =
            std::fs::read_to_string(&pid_file).map_err(LocalDbError::io("reading", &pid_file))?;
        Ok(text
            .lines()
            .nth(n)
            .and_then(|line| line.trim().parse().ok()))
    }

    /// Stops the server if it runs; returns whether it was running.
    pub fn stop(&self) -> Result<bool, LocalDbError> {
        let _lock = self.lock()?;
        if self.running_port()?.is_none() {
            return Ok(false);
        }
        self.stop_unlocked()?;
        Ok(true)
    }

    /// Stops the server at once, as a crash would (`pg_ctl stop -m immediate`): no
    /// checkpoint, every connection cut, crash recovery on the next
    /// [`start`](LocalCluster::start), which keeps the port. Returns whether it was running.
    ///
    /// For fault tests on a cluster of their own (e.g. one under a temporary folder), never
    /// on the project-local cluster that other tests share.
    pub fn crash(&self) -> Result<bool, LocalDbError> {
        let _lock = self.lock()?;
        if self.running_port()?.is_none() {
            return Ok(false);
        }
        let mut cmd = self.pg_command("pg_ctl");
        cmd.args(["stop", "-w", "-m", "immediate", "-D"])
            .arg(self.data_dir());
        self.run(cmd, "pg_ctl stop -m immediate")?;
        Ok(true)
    }

    fn stop_unlocked(&self) -> Result<(), LocalDbError> {
        let mut cmd = self.pg_command("pg_ctl");
        cmd.args(["stop", "-w", "-m", "fast", "-D"])
            .arg(self.data_dir());
        self.run(cmd, "pg_ctl stop")
    }

    fn init(&self) -> Result<(), LocalDbError> {
        let staging = self.root.join("data.init");
        if staging.exists() {
            std::fs::remove_dir_all(&staging)
                .map_err(LocalDbError::io("removing a half-made", &staging))?;
        }
        let mut cmd = self.pg_command("initdb");
        cmd.arg("-D").arg(&staging).args([
            "-A",
            "trust",
            "-U",
            BOOTSTRAP_SUPERUSER,
            "-N",
            "-E",
            "UTF8",
            "--locale=C",
        ]);
        self.run(cmd, "initdb")?;
        let conf = staging.join("postgresql.conf");
        OpenOptions::new()
            .append(true)
            .open(&conf)
            .and_then(|mut f| f.write_all(SERVER_SETTINGS.as_bytes()))
            .map_err(LocalDbError::io("configuring", &conf))?;
        // Only a fully initialised folder gets the real name.
        std::fs::rename(&staging, self.data_dir()).map_err(LocalDbError::io("renaming", &staging))
    }

    fn start_on(&self, port: u16) -> Result<(), LocalDbError> {
        let options = format!(
            "-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={}",
            self.root.display()
        );
        let mut cmd = self.pg_command("pg_ctl");
        cmd.args(["start", "-w", "-t", "60", "-D"])
            .arg(self.data_dir())
            .arg("-l")
            .arg(self.log_file())
            .arg("-o")
            .arg(options);
        self.run(cmd, "pg_ctl start").map_err(|e| match e {
            LocalDbError::Command { command, output } => LocalDbError::Command {
                command,
                output: format!("{output}\n(server log: {})", self.log_file().display()),
            },
            other => other,
        })
    }

    fn prepare_root(&self) -> Result<(), LocalDbError> {
        std::fs::create_dir_all(&self.root).map_err(LocalDbError::io("creating", &self.root))?;
        if self.as_postgres {
            let mut cmd = Command::new("chown");
            cmd.arg("postgres:").arg(&self.root);
            self.run(cmd, "chown postgres: (the cluster folder)")?;
        }
        Ok(())
    }

    fn postgres_can_write(&self, dir: &Path) -> bool {
        let mut cmd = as_user_postgres("test");
        cmd.arg("-w").arg(dir);
        cmd.status().is_ok_and(|s| s.success())
    }

    fn lock(&self) -> Result<File, LocalDbError> {
        let path = self.root.join("lock");
        let file = File::create(&path).map_err(LocalDbError::io("creating", &path))?;
        file.lock().map_err(LocalDbError::io("locking", &path))?;
        Ok(file)
    }

    fn pg_command(&self, tool: &str) -> Command {
        let program = self.binaries.tool(tool);
        if self.as_postgres {
            let mut cmd = as_user_postgres(&program.to_string_lossy());
            cmd.current_dir(&self.root);
            cmd
        } else {
            Command::new(program)
        }
    }

    fn run(&self, mut cmd: Command, what: &str) -> Result<(), LocalDbError> {
        let out = cmd.output().map_err(|e| self.spawn_error(what, &e))?;
        if out.status.success() {
            return Ok(());
        }
        let mut output = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        if output.is_empty() {
            output = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        }
        Err(LocalDbError::Command {
            command: what.to_owned(),
            output,
        })
    }

    fn spawn_error(&self, what: &str, e: &std::io::Error) -> LocalDbError {
        LocalDbError::Command {
            command: what.to_owned(),
            output: format!("could not start it: {e}"),
        }
    }
}

/// A command that runs `program` as the `postgres` user: `runuser` where it exists (no `sudo`
/// needed), else `setpriv`.
fn as_user_postgres(program: &str) -> Command {
    if Path::new("/usr/sbin/runuser").exists() || Path::new("/sbin/runuser").exists() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--", program]);
        cmd
    } else {
        let mut cmd = Command::new("setpriv");
        cmd.args([
            "--reuid=postgres",
            "--regid=postgres",
            "--init-groups",
            "--",
            program,
        ]);
        cmd
    }
}

fn running_as_root() -> Result<bool, LocalDbError> {
    let out = Command::new("id")
        .arg("-u")
        .output()
        .map_err(|e| LocalDbError::Command {
            command: "id -u".to_owned(),
            output: e.to_string(),
        })?;
    Ok(String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// Whether nothing listens on 127.0.0.1:`port` (we can bind it).
fn port_is_free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

fn free_port() -> Result<u16, LocalDbError> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(LocalDbError::io("binding a probe socket on", "127.0.0.1:0"))?;
    let port = listener
        .local_addr()
        .map_err(LocalDbError::io(
            "reading the probe socket of",
            "127.0.0.1:0",
        ))?
        .port();
    Ok(port)
}
