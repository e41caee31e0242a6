//! Pass/fail lines of a check suite, ending with `N passed, M failed`.

use anyhow::{Result, bail};

/// `error` and its causes, `: `-joined as `{:#}` does, but without a cause its message
/// already holds: the library errors name their cause in their own message (`DbError` says
/// `reading …: <what PostgreSQL said>`) and also return it as their `source`.
pub fn render(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let cause = cause.to_string();
        if text.contains(&cause) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    text
}

#[derive(Default)]
pub struct Report {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Report {
    /// Records one check, printing `ok    label` or `FAIL  label: why`.
    pub fn check(&mut self, label: &str, outcome: Result<()>) {
        match outcome {
            Ok(()) => {
                self.passed += 1;
                println!("ok    {label}");
            }
            Err(e) => {
                self.failed += 1;
                println!("FAIL  {label}: {}", render(&e));
            }
        }
    }

    /// Records a check that could not run, printing `skip  label: why`.
    pub fn skip(&mut self, label: &str, why: &str) {
        self.skipped += 1;
        println!("skip  {label}: {why}");
    }

    /// Prints the closing line; an error when a check failed.
    pub fn finish(&self, suite: &str) -> Result<()> {
        if self.skipped > 0 {
            println!(
                "{} passed, {} failed, {} skipped",
                self.passed, self.failed, self.skipped
            );
        } else {
            println!("{} passed, {} failed", self.passed, self.failed);
        }
        if self.failed > 0 {
            bail!("{} {suite} check(s) failed", self.failed);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::render;

    /// Like the library errors: the cause in its message and as its source.
    #[derive(Debug)]
    struct Named {
        source: std::io::Error,
    }

    impl std::fmt::Display for Named {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "reading the mentor: {}", self.source)
        }
    }

    impl std::error::Error for Named {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.source)
        }
    }

    #[test]
    fn a_cause_the_message_already_names_is_said_once_and_contexts_all_are() {
        let named = Named {
            source: std::io::Error::other("connection reset"),
        };
        let error = anyhow::Error::new(named).context("migrate up");
        assert_eq!(
            render(&error),
            "migrate up: reading the mentor: connection reset"
        );
        assert_eq!(
            format!("{error:#}"),
            "migrate up: reading the mentor: connection reset: connection reset",
            "what `{{:#}}` alone prints"
        );
        let plain = anyhow::anyhow!("no such file").context("reading a seed");
        assert_eq!(render(&plain), "reading a seed: no such file");
    }
}
