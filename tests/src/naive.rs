//! The status migration written the naive way, which `cargo xtask bench migration` and the
//! rehearse tests hold ours against.

/// One ALTER with validated CHECKs: under ACCESS EXCLUSIVE it scans every row of
/// `peer_mentors` once per constraint, blocking reads and writes for the whole scan.
pub const ONE_ALTER: &str = "
create type public.mentor_status as enum ('active', 'paused', 'inactive');
alter table public.peer_mentors
  add column status public.mentor_status not null default 'active',
  add column pause_at timestamptz,
  add column pause_reason text,
  add constraint chk_pause_at_required check (status <> 'paused' or pause_at is not null),
  add constraint chk_pause_at_only_when_paused check (status = 'paused' or pause_at is null),
  add constraint chk_pause_reason_only_when_paused check (status = 'paused' or pause_reason is null),
  add constraint chk_pause_reason_no_national_id check (pause_reason is null or (char_length(pause_reason) <= 200 and pause_reason !~ '[0-9]{6}[ .-]?[0-9]{5}'));";
