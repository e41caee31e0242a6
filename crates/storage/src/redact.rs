//! [`redact_url`]: a connection string that is safe to print.

/// `database_url` with every password replaced by `***`, for error messages and logs.
///
/// Handles both forms libpq accepts:
/// - URLs: `postgres://user:secret@host/db` → `postgres://user:***@host/db`, and a
///   `password=` query parameter;
/// - keyword/value strings: `host=h password=secret` → `host=h password=***` (quoted values
///   included).
///
/// ```
/// use mentor_status_storage::redact_url;
///
/// assert_eq!(redact_url("postgres://app:s3cret@db:5432/x"), "postgres://app:***@db:5432/x");
/// assert_eq!(redact_url("host=db password='a b' dbname=x"), "host=db password=*** dbname=x");
/// ```
#[must_use]
pub fn redact_url(database_url: &str) -> String {
    match database_url.split_once("://") {
        Some((scheme, rest)) => redact_uri(scheme, rest),
        None => redact_keyword_value(database_url),
    }
}

fn redact_uri(scheme: &str, rest: &str) -> String {
    let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                        format!("{key}=***")
                    }
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// `key = value` pairs separated by whitespace; values may be single-quoted with `\'` and
/// `\\` escapes (libpq's `PQconnectdb` syntax).
fn redact_keyword_value(conninfo: &str) -> String {
    let mut out = String::with_capacity(conninfo.len());
    let mut chars = conninfo.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            out.push(c);
            chars.next();
            continue;
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        out.push_str(&key);
        while let Some(&c) = chars.peek() {
            if !c.is_whitespace() {
                break;
            }
            out.push(c);
            chars.next();
        }
        if chars.peek() != Some(&'=') {
            continue;
        }
        out.push('=');
        chars.next();
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'\'') {
            value.push('\'');
            chars.next();
            while let Some(c) = chars.next() {
                value.push(c);
                match c {
                    '\\' => {
                        if let Some(escaped) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '\'' => break,
                    _ => {}
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        if key == "password" {
            out.push_str("***");
        } else {
            out.push_str(&value);
        }
    }
    out
}

/// Removes `secret` from a message (a last line of defence for driver messages that might
/// echo a connection string).
pub(crate) fn scrub(message: &str, secret: Option<&str>) -> String {
    match secret {
        Some(secret) if secret.len() >= 3 => message.replace(secret, "***"),
        _ => message.to_owned(),
    }
}

/// The password in `database_url`, as written (percent-encoding not decoded), if any.
pub(crate) fn password(database_url: &str) -> Option<String> {
    let (_, rest) = database_url.split_once("://")?;
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (_, password) = userinfo.split_once(':')?;
    Some(password.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_passwords_never_survive_redaction() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(
            redact_url("postgresql://u:p%40ss@h/db?sslmode=require"),
            "postgresql://u:***@h/db?sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://u:p@ss@h/db"),
            "postgres://u:***@h/db",
            "an unencoded @ in the password"
        );
        assert_eq!(
            redact_url("postgres://h/db?user=u&password=secret&sslmode=disable"),
            "postgres://h/db?user=u&password=***&sslmode=disable"
        );
    }

    #[test]
    fn urls_without_a_password_are_unchanged() {
        for url in [
            "postgres://u@h/db",
            "postgres://h:5432",
            "postgres:///db?host=/tmp",
        ] {
            assert_eq!(redact_url(url), url);
        }
    }

    #[test]
    fn keyword_value_passwords_never_survive_redaction() {
        assert_eq!(
            redact_url("host=h port=5432 password=secret dbname=db"),
            "host=h port=5432 password=*** dbname=db"
        );
        assert_eq!(
            redact_url("password = 'it\\'s secret' host=h"),
            "password =*** host=h"
        );
        assert_eq!(redact_url("host=h dbname=db"), "host=h dbname=db");
    }

    #[test]
    fn the_password_is_found_and_scrubbed_from_messages() {
        let url = "postgres://u:hunter2@h/db";
        let secret = password(url);
        assert_eq!(secret.as_deref(), Some("hunter2"));
        assert_eq!(
            scrub("failed for hunter2 at h", secret.as_deref()),
            "failed for *** at h"
        );
        assert_eq!(password("postgres://u@h/db"), None);
    }

    mod property {
        use proptest::prelude::*;

        use super::super::redact_url;

        /// A secret no other part can contain: other parts use lower-case letters and digits only.
        fn secret() -> impl Strategy<Value = String> {
            "[A-Z][A-Za-z0-9!*~.-]{5,16}".prop_map(|s| format!("Q{s}"))
        }

        fn word() -> impl Strategy<Value = String> {
            "[a-z][a-z0-9]{0,8}"
        }

        proptest! {
            #[test]
            fn no_password_survives_in_any_url_form(
                secret in secret(),
                user in word(),
                host in word(),
                db in word(),
                port in 1u16..,
                before in prop::collection::vec((word(), word()), 0..3),
                after in prop::collection::vec((word(), word()), 0..3),
                scheme in prop::sample::select(vec!["postgres", "postgresql"]),
                in_userinfo in any::<bool>(),
            ) {
                let params = |pairs: &[(String, String)]| {
                    pairs.iter().map(|(k, v)| format!("{k}={v}&")).collect::<String>()
                };
                let url = if in_userinfo {
                    format!("{scheme}://{user}:{secret}@{host}:{port}/{db}?{}{}sslmode=disable", params(&before), params(&after))
                } else {
                    format!("{scheme}://{host}:{port}/{db}?{}password={secret}&{}user={user}", params(&before), params(&after))
                };
                let redacted = redact_url(&url);
                prop_assert!(!redacted.contains(&secret), "{url} -> {redacted}");
                prop_assert!(redacted.contains(&host) && redacted.contains(&db), "{redacted}");
            }

            #[test]
            fn no_password_survives_in_any_keyword_value_form(
                secret in secret(),
                quoted_extra in "[a-z ]{0,6}",
                others in prop::collection::vec((word(), word()), 0..4),
                at in 0usize..5,
                quoted in any::<bool>(),
                spaced in any::<bool>(),
            ) {
                let value = if quoted {
                    format!("'{secret}{quoted_extra} \\'x'")
                } else {
                    secret.clone()
                };
                let eq = if spaced { " = " } else { "=" };
                let mut pairs: Vec<String> = others.iter().map(|(k, v)| format!("{k}={v}")).collect();
                pairs.insert(at.min(pairs.len()), format!("password{eq}{value}"));
                let conninfo = pairs.join(" ");
                let redacted = redact_url(&conninfo);
                prop_assert!(!redacted.contains(&secret), "{conninfo} -> {redacted}");
            }
        }
    }
}
