//! The status migration written the naive ways, which `cargo xtask bench migration` and the
//! rehearse tests hold ours against. Both add the same type, columns and CHECK constraints
//! as ours, built from the domain ([`MentorStatus::ALL`], [`checks::ALL`]); a test compares
//! the domain's constraints with the migrated catalog, so none of them is restated here.

use mentor_status_domain::{MentorStatus, checks};

/// `create type public.mentor_status as enum (…)`, with the domain's labels in order.
fn create_type() -> String {
    let labels: Vec<String> = MentorStatus::ALL
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    format!(
        "create type public.mentor_status as enum ({});",
        labels.join(", ")
    )
}

/// `  add constraint … check (…)` for every CHECK of the domain (validated as it is added),
/// one clause a line, for an `alter table public.peer_mentors`.
fn add_checks() -> String {
    let clauses: Vec<String> = checks::ALL
        .iter()
        .map(|c| format!("  add constraint {} check ({})", c.name, c.sql))
        .collect();
    clauses.join(",\n")
}

/// One ALTER, columns and validated CHECKs together: it rewrites nothing (the default is a
/// constant), but it scans every row of `peer_mentors` (once, for all the CHECKs) under
/// ACCESS EXCLUSIVE, blocking reads and writes for the whole scan.
#[must_use]
pub fn one_alter() -> String {
    format!(
        "{}
alter table public.peer_mentors
  add column status public.mentor_status not null default 'active',
  add column pause_at timestamptz,
  add column pause_reason text,
{};",
        create_type(),
        add_checks()
    )
}

/// Nullable columns, an UPDATE of every row, then NOT NULL and validated CHECKs (one
/// transaction): the UPDATE writes a new version of every row and holds its row locks to
/// the end, and SET NOT NULL and the CHECKs each scan the table under ACCESS EXCLUSIVE.
#[must_use]
pub fn backfill() -> String {
    format!(
        "{}
alter table public.peer_mentors add column status public.mentor_status, add column pause_at timestamptz, add column pause_reason text;
update public.peer_mentors set status = 'active';
alter table public.peer_mentors alter column status set not null, alter column status set default 'active';
alter table public.peer_mentors
{};",
        create_type(),
        add_checks()
    )
}
