//! Pass/fail lines of a check suite, ending with `N passed, M failed`.

use anyhow::{Result, bail};

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
                println!("FAIL  {label}: {e:#}");
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
