//! What a rehearsal measured, its verdict, and the table and JSON written from it.

use std::fmt::Write as _;
use std::time::Duration;

use super::locks::StatementLocks;

/// One applied file, measured.
#[derive(Debug, Clone, PartialEq)]
pub struct FileReport {
    /// Its version.
    pub version: String,
    /// Its name.
    pub name: String,
    /// How long the runner took for it.
    pub took: Duration,
    /// The probe's longest iteration in the idle window just before the file.
    pub idle_floor: Duration,
    /// The probe's longest iteration overlapping the file.
    pub worst: Duration,
    /// The table of that iteration.
    pub worst_table: Option<String>,
    /// Probe iterations overlapping the file.
    pub probe_iterations: usize,
    /// Errors the probe got during the file (distinct, first few).
    pub probe_errors: Vec<String>,
    /// Tables whose `relfilenode` changed (rewritten).
    pub rewritten: Vec<String>,
    /// `pg_stat_user_tables.seq_tup_read` growth per table (rows read by sequential scans).
    pub rows_scanned: Vec<(String, i64)>,
    /// Locks, per statement.
    pub statements: Vec<StatementLocks>,
}

/// Something that fails a file.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// The probe was blocked longer than `max_block`.
    Blocks {
        /// The table.
        table: String,
        /// For how long.
        blocked: Duration,
    },
    /// The file rewrote tables.
    Rewrites {
        /// The tables.
        tables: Vec<String>,
    },
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Blocks { table, blocked } => write!(
                f,
                "would block traffic for {:.0} ms on {table}",
                ms(*blocked)
            ),
            Self::Rewrites { tables } => write!(f, "rewrites {}", tables.join(", ")),
        }
    }
}

impl FileReport {
    /// What fails this file: blocking longer than `max_block`, rewriting a table.
    #[must_use]
    pub fn findings(&self, max_block: Duration) -> Vec<Finding> {
        let mut findings = Vec::new();
        if !self.rewritten.is_empty() {
            findings.push(Finding::Rewrites {
                tables: self.rewritten.clone(),
            });
        }
        if self.worst > max_block {
            findings.push(Finding::Blocks {
                table: self.worst_table.clone().unwrap_or_default(),
                blocked: self.worst,
            });
        }
        findings
    }

    /// `ok`, or the findings joined with `; `.
    #[must_use]
    pub fn verdict(&self, max_block: Duration) -> String {
        let findings = self.findings(max_block);
        if findings.is_empty() {
            "ok".to_owned()
        } else {
            findings
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        }
    }
}

/// How a post-rehearsal check came out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The catalog is exactly as expected.
    Exact,
    /// It differs: fingerprint lines only before (`- `) or only after (`+ `).
    Differs(Vec<String>),
    /// The step failed.
    Failed(String),
    /// Not run (an earlier step failed, or nothing was pending).
    Skipped,
}

impl Check {
    fn label(&self) -> String {
        match self {
            Self::Exact => "exact".to_owned(),
            Self::Differs(lines) => format!("DIFFERS ({} lines)", lines.len()),
            Self::Failed(e) => format!("FAILED: {e}"),
            Self::Skipped => "skipped".to_owned(),
        }
    }

    fn ok(&self) -> bool {
        matches!(self, Self::Exact | Self::Skipped)
    }
}

/// A whole rehearsal.
#[derive(Debug, Clone, PartialEq)]
pub struct Rehearsal {
    /// The scratch database's name.
    pub scratch_database: String,
    /// Whether it was kept.
    pub kept: bool,
    /// `pg_database_size` of the source.
    pub source_bytes: u64,
    /// `pg_database_size` of the copy.
    pub copied_bytes: u64,
    /// How long the copy took.
    pub copy_took: Duration,
    /// Free bytes where the copy went, when they could be read.
    pub free_bytes: Option<u64>,
    /// The source's server version.
    pub source_version: String,
    /// Applied versions on the source (and copy) before the rehearsal.
    pub applied_before: usize,
    /// The tables the probe read and wrote.
    pub probed_tables: Vec<String>,
    /// The threshold the verdict used.
    pub max_block: Duration,
    /// How often locks were polled.
    pub sample_every: Duration,
    /// Every pending file, in the order applied.
    pub files: Vec<FileReport>,
    /// Rolling back every file: does the catalog equal the pre-migration copy's?
    pub rollback: Check,
    /// Applying them again: does the catalog equal the first application's?
    pub reapply: Check,
}

impl Rehearsal {
    /// Whether a deploy may go ahead: no file blocks longer than `max_block` or rewrites a
    /// table, and rollback and re-apply came out exact.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.files
            .iter()
            .all(|f| f.findings(self.max_block).is_empty())
            && self.rollback.ok()
            && self.reapply.ok()
    }

    /// The probe's idle floor for the run: the longest idle iteration of all the windows
    /// measured before the files (one 300 ms window is too short to catch the machine's
    /// usual hiccups), and at least 1 ms (below that the clock and the scheduler decide).
    #[must_use]
    pub fn idle_floor(&self) -> Duration {
        self.files
            .iter()
            .map(|f| f.idle_floor)
            .max()
            .unwrap_or_default()
            .max(Duration::from_millis(1))
    }

    /// Whether `file` blocked the probe no longer than `factor` × [`Rehearsal::idle_floor`]:
    /// indistinguishable from the machine's noise.
    #[must_use]
    pub fn within_noise(&self, file: &FileReport, factor: u32) -> bool {
        file.worst <= self.idle_floor() * factor
    }

    /// The overall verdict line.
    #[must_use]
    pub fn verdict(&self) -> String {
        let mut findings: Vec<String> = self
            .files
            .iter()
            .flat_map(|f| {
                f.findings(self.max_block)
                    .into_iter()
                    .map(move |x| format!("{}_{}: {x}", f.version, f.name))
            })
            .collect();
        if !self.rollback.ok() {
            findings.push(format!("rollback: {}", self.rollback.label()));
        }
        if !self.reapply.ok() {
            findings.push(format!("re-apply: {}", self.reapply.label()));
        }
        if findings.is_empty() {
            "ok".to_owned()
        } else {
            findings.join("\n")
        }
    }

    /// The table printed at the end.
    #[must_use]
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<46} {:>10} {:>10} {:>10}  {:<28} {:>7} {:>10}  verdict",
            "file", "took", "blocked", "idle", "worst on", "rewrite", "seq rows"
        );
        for f in &self.files {
            let _ = writeln!(
                out,
                "{:<46} {:>7.1} ms {:>7.1} ms {:>7.1} ms  {:<28} {:>7} {:>10}  {}",
                format!("{}_{}", f.version, f.name),
                ms(f.took),
                ms(f.worst),
                ms(f.idle_floor),
                f.worst_table.as_deref().unwrap_or("-"),
                if f.rewritten.is_empty() { "no" } else { "YES" },
                f.rows_scanned.iter().map(|(_, n)| n).sum::<i64>(),
                f.verdict(self.max_block)
            );
        }
        let _ = writeln!(
            out,
            "\nlocks per statement (sampled every {:.0} ms; hold = longest continuous hold seen):",
            ms(self.sample_every)
        );
        for f in &self.files {
            let _ = writeln!(out, "  {}_{}", f.version, f.name);
            for s in &f.statements {
                let at = s.statement.map_or("  ?".to_owned(), |n| format!("{n:>3}"));
                let _ = writeln!(out, "    {at} {}", s.text);
                for l in &s.locks {
                    let _ = writeln!(
                        out,
                        "          {:<24} {:<40} hold {:>7.1} ms{}",
                        l.mode,
                        l.relation,
                        ms(l.longest_hold),
                        if l.waited { "  (waited for it)" } else { "" }
                    );
                }
            }
            for (table, rows) in f.rows_scanned.iter().filter(|(_, n)| *n > 0) {
                let _ = writeln!(out, "          rows scanned {rows:>10} {table}");
            }
            for e in &f.probe_errors {
                let _ = writeln!(out, "          probe error: {e}");
            }
        }
        let _ = writeln!(
            out,
            "\nprobe idle floor (longest idle iteration before any file): {:.1} ms\nrollback (newest first) restores the pre-migration catalog: {}\nre-apply: {}",
            ms(self.idle_floor()),
            self.rollback.label(),
            self.reapply.label()
        );
        out
    }

    /// Every figure, as JSON.
    #[must_use]
    pub fn json(&self) -> String {
        let mut o = String::from("{\n");
        let _ = writeln!(o, "  \"verdict\": {},", q(&self.verdict()));
        let _ = writeln!(o, "  \"passed\": {},", self.passed());
        let _ = writeln!(o, "  \"max_block_ms\": {:.3},", ms(self.max_block));
        let _ = writeln!(o, "  \"sample_every_ms\": {:.3},", ms(self.sample_every));
        let _ = writeln!(
            o,
            "  \"probe_idle_floor_ms\": {:.3},",
            ms(self.idle_floor())
        );
        let _ = writeln!(o, "  \"scratch_database\": {},", q(&self.scratch_database));
        let _ = writeln!(o, "  \"kept\": {},", self.kept);
        let _ = writeln!(
            o,
            "  \"source_server_version\": {},",
            q(&self.source_version)
        );
        let _ = writeln!(o, "  \"source_bytes\": {},", self.source_bytes);
        let _ = writeln!(o, "  \"copied_bytes\": {},", self.copied_bytes);
        let _ = writeln!(o, "  \"copy_ms\": {:.3},", ms(self.copy_took));
        let _ = writeln!(
            o,
            "  \"free_bytes\": {},",
            self.free_bytes.map_or("null".to_owned(), |b| b.to_string())
        );
        let _ = writeln!(o, "  \"applied_before\": {},", self.applied_before);
        let _ = writeln!(
            o,
            "  \"probed_tables\": [{}],",
            strings(&self.probed_tables)
        );
        let _ = writeln!(o, "  \"rollback\": {},", check(&self.rollback));
        let _ = writeln!(o, "  \"reapply\": {},", check(&self.reapply));
        o.push_str("  \"files\": [");
        for (i, f) in self.files.iter().enumerate() {
            o.push_str(if i == 0 { "\n" } else { ",\n" });
            o.push_str(&file_json(f, self.max_block));
        }
        o.push_str("\n  ]\n}\n");
        o
    }
}

fn file_json(f: &FileReport, max_block: Duration) -> String {
    let mut o = String::from("    {\n");
    let _ = writeln!(o, "      \"version\": {},", q(&f.version));
    let _ = writeln!(o, "      \"name\": {},", q(&f.name));
    let _ = writeln!(o, "      \"verdict\": {},", q(&f.verdict(max_block)));
    let _ = writeln!(o, "      \"took_ms\": {:.3},", ms(f.took));
    let _ = writeln!(o, "      \"probe_blocked_ms\": {:.3},", ms(f.worst));
    let _ = writeln!(
        o,
        "      \"probe_blocked_table\": {},",
        f.worst_table.as_deref().map_or("null".to_owned(), q)
    );
    let _ = writeln!(o, "      \"probe_idle_floor_ms\": {:.3},", ms(f.idle_floor));
    let _ = writeln!(o, "      \"probe_iterations\": {},", f.probe_iterations);
    let _ = writeln!(o, "      \"probe_errors\": [{}],", strings(&f.probe_errors));
    let _ = writeln!(o, "      \"rewritten\": [{}],", strings(&f.rewritten));
    let rows: Vec<String> = f
        .rows_scanned
        .iter()
        .map(|(t, n)| format!("{}: {n}", q(t)))
        .collect();
    let _ = writeln!(o, "      \"rows_scanned\": {{{}}},", rows.join(", "));
    o.push_str("      \"statements\": [");
    for (i, s) in f.statements.iter().enumerate() {
        o.push_str(if i == 0 { "\n" } else { ",\n" });
        let locks: Vec<String> = s
            .locks
            .iter()
            .map(|l| {
                format!(
                    "{{\"relation\": {}, \"mode\": {}, \"waited\": {}, \"polls\": {}, \"longest_hold_ms\": {:.3}}}",
                    q(&l.relation),
                    q(&l.mode),
                    l.waited,
                    l.polls,
                    ms(l.longest_hold)
                )
            })
            .collect();
        let _ = write!(
            o,
            "        {{\"statement\": {}, \"text\": {}, \"locks\": [{}]}}",
            s.statement.map_or("null".to_owned(), |n| n.to_string()),
            q(&s.text),
            locks.join(", ")
        );
    }
    o.push_str("\n      ]\n    }");
    o
}

fn check(c: &Check) -> String {
    match c {
        Check::Exact => "{\"result\": \"exact\"}".to_owned(),
        Check::Skipped => "{\"result\": \"skipped\"}".to_owned(),
        Check::Failed(e) => format!("{{\"result\": \"failed\", \"error\": {}}}", q(e)),
        Check::Differs(lines) => {
            format!(
                "{{\"result\": \"differs\", \"diff\": [{}]}}",
                strings(lines)
            )
        }
    }
}

fn strings(items: &[String]) -> String {
    items.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
}

/// A JSON string literal (RFC 8259 escaping).
#[must_use]
pub(super) fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_escape_quotes_backslashes_and_control_characters() {
        assert_eq!(q("a\"b\\c\nd\u{1}é"), "\"a\\\"b\\\\c\\nd\\u0001é\"");
    }
}
