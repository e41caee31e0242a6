//! Small helpers for `postgres://` URLs (no general URL parser needed for these).

/// The URL (or keyword/value connection string) with every password replaced by `***`, safe
/// to print: the storage crate's one redactor (property-tested there).
pub use mentor_status_storage::redact_url as redact;

/// The database named in the URL (`postgres` when none is).
#[must_use]
pub fn database(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = rest.find('/').map_or("", |i| &rest[i + 1..]);
    let name = path.split('?').next().unwrap_or("");
    if name.is_empty() {
        "postgres".to_owned()
    } else {
        name.to_owned()
    }
}

/// The same server and credentials, another database.
#[must_use]
pub fn with_database(url: &str, database: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let query = rest.find('?').map_or("", |i| &rest[i..]);
    let without_query = &rest[..rest.len() - query.len()];
    let authority = without_query.split('/').next().unwrap_or(without_query);
    format!("{scheme}://{authority}/{database}{query}")
}

/// The same server, database and password, another user.
#[must_use]
pub fn with_user(url: &str, user: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (password, host) = match authority.rsplit_once('@') {
        Some((userinfo, host)) => (userinfo.split_once(':').map(|(_, p)| p), host),
        None => (None, authority),
    };
    match password {
        Some(password) => format!("{scheme}://{user}:{password}@{host}{tail}"),
        None => format!("{scheme}://{user}@{host}{tail}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_survive_redaction_also_in_query_parameters() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(
            redact("postgres://u@h/db?password=secret"),
            "postgres://u@h/db?password=***"
        );
        assert_eq!(redact("host=h password=secret"), "host=h password=***");
    }

    #[test]
    fn the_database_can_be_read_and_replaced() {
        assert_eq!(database("postgres://u:p@h:1/app?x=1"), "app");
        assert_eq!(database("postgres://u@h:1"), "postgres");
        assert_eq!(
            with_database("postgres://u:p@h:1/app?x=1", "t"),
            "postgres://u:p@h:1/t?x=1"
        );
        assert_eq!(with_database("postgresql://h", "t"), "postgresql://h/t");
    }

    #[test]
    fn the_user_can_be_replaced_keeping_password_host_and_database() {
        assert_eq!(
            with_user("postgres://u:p@h:1/app?x=1", "admin"),
            "postgres://admin:p@h:1/app?x=1"
        );
        assert_eq!(
            with_user("postgres://u@h:1/app", "admin"),
            "postgres://admin@h:1/app"
        );
        assert_eq!(
            with_user("postgresql://h/app", "admin"),
            "postgresql://admin@h/app"
        );
    }
}
