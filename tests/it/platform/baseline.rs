//! The platform baseline: the local cluster behaves like hosted Supabase where migrations can
//! tell the difference (roles and their attributes, schemas and owners, extensions, auth).

use std::path::{Path, PathBuf};

use mentor_status_localdb::{LocalCluster, platform};
use mentor_status_tests::TestDb;

use crate::support::{int, text};

/// A cluster of its own in a fresh target directory (`mentor-status-{purpose}-…`), and that
/// directory.
fn scratch_cluster(purpose: &str) -> (PathBuf, LocalCluster) {
    let target = std::env::temp_dir().join(format!(
        "mentor-status-{purpose}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    let cluster =
        LocalCluster::for_target_dir(&target, mentor_status_tests::binaries().clone()).unwrap();
    (target, cluster)
}

/// Stops a [`scratch_cluster`] and removes its files.
fn remove_scratch_cluster(target: &Path, cluster: &LocalCluster) {
    cluster.stop().unwrap();
    let root = cluster.root().to_path_buf();
    let _ = std::fs::remove_dir_all(&root);
    let _ = std::fs::remove_dir_all(target);
}

#[test]
fn the_app_connects_as_postgres_which_is_not_a_superuser_as_on_the_platform() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    for (sql, expected) in [
        (
            "select format('%s super=%s createdb=%s createrole=%s replication=%s bypassrls=%s', \
             rolname, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls) as v \
             from pg_roles where rolname = current_user",
            "postgres super=f createdb=t createrole=t replication=t bypassrls=t",
        ),
        // The bootstrap superuser is supabase_admin, as on the platform.
        (
            "select rolname::text as v from pg_roles where oid = 10",
            "supabase_admin",
        ),
        (
            "select string_agg(format('%s:%s:%s', rolname, rolinherit, rolbypassrls), ' ' order by rolname) as v \
             from pg_roles where rolname in ('anon', 'authenticated', 'service_role', 'authenticator')",
            "anon:t:f authenticated:t:f authenticator:f:f service_role:t:t",
        ),
        (
            "select array_to_string(setconfig, ',') as v from pg_db_role_setting \
             where setrole = 'authenticated'::regrole and setdatabase = 0",
            "statement_timeout=8s",
        ),
    ] {
        assert_eq!(text(&mut conn, sql), expected, "{sql}");
    }
    for role in [
        "anon",
        "authenticated",
        "service_role",
        "supabase_auth_admin",
        "supabase_storage_admin",
        "pg_read_all_data",
        "pg_signal_backend",
    ] {
        assert_eq!(
            int(
                &mut conn,
                &format!("select pg_has_role('postgres', '{role}', 'member')::int::bigint as v")
            ),
            1,
            "postgres is a member of {role}"
        );
    }
    for role in [
        "supabase_admin",
        "supabase_auth_admin",
        "supabase_storage_admin",
        "dashboard_user",
        "pgbouncer",
        "supabase_replication_admin",
        "supabase_read_only_user",
    ] {
        assert_eq!(
            int(
                &mut conn,
                &format!("select count(*) as v from pg_roles where rolname = '{role}'")
            ),
            1,
            "{role}"
        );
    }
}

#[test]
fn auth_and_extensions_are_where_and_whose_they_are_on_the_platform() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    // The columns of auth.users; usable as on the platform: uuid-ossp and pgcrypto from
    // extensions, and pg_stat_statements collecting (its library is preloaded).
    for (sql, expected) in [
        (
            "select count(*) as v from pg_attribute where attrelid = 'auth.users'::regclass and attnum > 0 and not attisdropped",
            35,
        ),
        (
            "select length(extensions.uuid_generate_v4()::text)::bigint as v",
            36,
        ),
        (
            "select length(extensions.digest('x', 'sha256'))::bigint as v",
            32,
        ),
    ] {
        assert_eq!(int(&mut conn, sql), expected, "{sql}");
    }
    for (sql, expected) in [
        (
            "select string_agg(nspname || ':' || nspowner::regrole::text, ' ' order by nspname) as v \
             from pg_namespace where nspname in ('auth', 'extensions', 'pgbouncer')",
            "auth:supabase_admin extensions:postgres pgbouncer:pgbouncer",
        ),
        (
            "select format('%s rls=%s', relowner::regrole, relrowsecurity) as v from pg_class where oid = 'auth.users'::regclass",
            "supabase_auth_admin rls=t",
        ),
        (
            "select string_agg(extname || ':' || extnamespace::regnamespace::text, ' ' order by extname) as v \
             from pg_extension where extname <> 'plpgsql'",
            "pg_stat_statements:extensions pgcrypto:extensions uuid-ossp:extensions",
        ),
    ] {
        assert_eq!(text(&mut conn, sql), expected, "{sql}");
    }
    assert!(
        int(
            &mut conn,
            "select count(*) as v from extensions.pg_stat_statements"
        ) >= 0
    );
    for function in ["uid", "role", "email", "jwt"] {
        assert_eq!(
            text(
                &mut conn,
                &format!(
                    "select proowner::regrole::text as v from pg_proc where oid = 'auth.{function}'::regproc"
                )
            ),
            "supabase_auth_admin"
        );
    }
    // Our own baseline must never look like a real Supabase server.
    assert!(!platform::is_supabase_stack(&mut conn).unwrap());
}

#[test]
fn a_cluster_made_by_an_earlier_version_is_rebuilt_on_first_use() {
    use diesel::connection::SimpleConnection;
    use mentor_status_localdb::admin;

    let (target, cluster) = scratch_cluster("layout");
    let port = cluster.ensure_running().unwrap();
    admin::connect(&LocalCluster::url(port, "postgres"))
        .unwrap()
        .batch_execute("create database left_from_before")
        .unwrap();
    cluster.stop().unwrap();
    // What an earlier version left: a data folder without this version's layout marker.
    std::fs::remove_file(cluster.root().join("data/mentor-status-layout")).unwrap();
    let port = cluster.ensure_running().unwrap();
    let mut conn = admin::connect(&LocalCluster::url(port, "postgres")).unwrap();
    assert!(!admin::database_exists(&mut conn, "left_from_before").unwrap());
    assert_eq!(
        text(
            &mut conn,
            "select rolname::text as v from pg_roles where oid = 10"
        ),
        "supabase_admin"
    );
    assert!(cluster.root().join("data/mentor-status-layout").is_file());
    drop(conn);
    remove_scratch_cluster(&target, &cluster);
}

#[test]
fn a_cluster_keeps_its_port_across_restarts_and_moves_only_when_another_program_holds_it() {
    let (target, cluster) = scratch_cluster("port");
    let first = cluster.start().unwrap();
    assert!(first.started);
    assert_eq!(first.moved_from, None);
    assert_eq!(
        cluster.start().unwrap(),
        mentor_status_localdb::Running {
            started: false,
            ..first
        }
    );
    for _ in 0..2 {
        cluster.stop().unwrap();
        let again = cluster.start().unwrap();
        assert_eq!(
            (again.port, again.started, again.moved_from),
            (first.port, true, None)
        );
    }
    cluster.stop().unwrap();
    let squatter = std::net::TcpListener::bind(("127.0.0.1", first.port)).unwrap();
    let moved = cluster.start().unwrap();
    assert_ne!(moved.port, first.port);
    assert_eq!(moved.moved_from, Some(first.port));
    assert_eq!(cluster.stored_port(), Some(moved.port));
    drop(squatter);
    remove_scratch_cluster(&target, &cluster);
}

/// `postmaster_pid` names the process every backend is forked from (what `bench --cpus split`
/// pins), follows a restart, and is `None` once the server is stopped.
#[test]
fn the_postmaster_pid_is_the_parent_of_every_backend_and_follows_restarts() {
    let (target, cluster) = scratch_cluster("postmaster");
    let parent_of = |pid: i64| -> u32 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        let (_, rest) = stat.rsplit_once(')').unwrap();
        rest.split_whitespace().nth(1).unwrap().parse().unwrap()
    };
    let mut seen = Vec::new();
    for _ in 0..2 {
        let running = cluster.start().unwrap();
        let postmaster = cluster.postmaster_pid().unwrap().expect("a running server");
        let mut conn =
            mentor_status_localdb::admin::connect(&LocalCluster::url(running.port, "postgres"))
                .unwrap();
        let backend = int(&mut conn, "select pg_backend_pid()::bigint as v");
        assert_eq!(parent_of(backend), postmaster, "backend {backend}");
        drop(conn);
        seen.push(postmaster);
        cluster.stop().unwrap();
        assert_eq!(cluster.postmaster_pid().unwrap(), None);
    }
    assert_ne!(seen[0], seen[1], "a restart has a new postmaster");
    remove_scratch_cluster(&target, &cluster);
}
