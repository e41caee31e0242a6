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
    redact(database_url, &mut |_| {})
}

/// Every password in `database_url`, wherever libpq would read one (it uses the last): the
/// URL's userinfo or a `password` query parameter (as written: percent-encoding not
/// decoded), or a keyword/value `password` (its quotes and escapes removed).
pub(crate) fn passwords(database_url: &str) -> Vec<String> {
    let mut found = Vec::new();
    redact(database_url, &mut |secret| found.push(secret.to_owned()));
    found
}

/// [`redact_url`], telling `on_password` each password it hides.
fn redact(database_url: &str, on_password: &mut dyn FnMut(&str)) -> String {
    match database_url.split_once("://") {
        Some((scheme, rest)) => redact_uri(scheme, rest, on_password),
        None => redact_keyword_value(database_url, on_password),
    }
}

fn redact_uri(scheme: &str, rest: &str, on_password: &mut dyn FnMut(&str)) -> String {
    let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, password)) => {
                on_password(password);
                format!("{user}:***@{host}")
            }
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, password)) if key.eq_ignore_ascii_case("password") => {
                        on_password(password);
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
fn redact_keyword_value(conninfo: &str, on_password: &mut dyn FnMut(&str)) -> String {
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
        // `value` as written, `plain` as libpq reads it (quotes and escapes removed).
        let (mut value, mut plain) = (String::new(), String::new());
        if chars.peek() == Some(&'\'') {
            value.push('\'');
            chars.next();
            while let Some(c) = chars.next() {
                value.push(c);
                match c {
                    '\\' => {
                        if let Some(escaped) = chars.next() {
                            value.push(escaped);
                            plain.push(escaped);
                        }
                    }
                    '\'' => break,
                    _ => plain.push(c),
                }
            }
        } else {
            // Unquoted, a backslash escapes the next character too (`\ ` is a space).
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                value.push(c);
                chars.next();
                if c == '\\' {
                    if let Some(escaped) = chars.next() {
                        value.push(escaped);
                        plain.push(escaped);
                    }
                } else {
                    plain.push(c);
                }
            }
        }
        if key == "password" {
            on_password(&plain);
            out.push_str("***");
        } else {
            out.push_str(&value);
        }
    }
    out
}

/// Removes each of `secrets` (of 3 characters or more) from a message: a last line of
/// defence for driver messages that might echo a connection string.
pub(crate) fn scrub(message: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .filter(|secret| secret.len() >= 3)
        .fold(message.to_owned(), |message, secret| {
            message.replace(secret.as_str(), "***")
        })
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
    fn every_password_is_found_and_scrubbed_from_messages() {
        let url = "postgres://u:hunter2@h/db";
        let secrets = passwords(url);
        assert_eq!(secrets, ["hunter2"]);
        assert_eq!(
            scrub("failed for hunter2 at h", &secrets),
            "failed for *** at h"
        );
        assert!(passwords("postgres://u@h/db").is_empty());
        assert_eq!(
            passwords("postgres://h/db?user=u&password=hunter3"),
            ["hunter3"]
        );
        assert_eq!(
            passwords("host=h password='it\\'s 4' dbname=db"),
            ["it's 4"]
        );
        assert_eq!(passwords("host=h password=hunter5"), ["hunter5"]);
        assert!(passwords("host=h dbname=db").is_empty());
        // libpq takes the last one; all are scrubbed.
        let both = passwords("postgres://u:first1@h/db?password=second2");
        assert_eq!(both, ["first1", "second2"]);
        assert_eq!(scrub("first1 second2", &both), "*** ***");
    }

    #[test]
    fn an_escaped_space_does_not_end_an_unquoted_password() {
        // libpq reads `password=abc\ def` as `abc def`: all of it is hidden.
        let conninfo = "password=abc\\ def host=h";
        assert_eq!(redact_url(conninfo), "password=*** host=h");
        assert_eq!(passwords(conninfo), ["abc def"]);
    }

    mod property {
        use proptest::prelude::*;

        use super::super::{passwords, redact_url};

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
                // And the scrubber of driver messages finds it.
                prop_assert_eq!(passwords(&url), [secret]);
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
                let plain = if quoted { format!("{secret}{quoted_extra} 'x") } else { secret };
                prop_assert_eq!(passwords(&conninfo), [plain]);
            }
        }
    }
}
