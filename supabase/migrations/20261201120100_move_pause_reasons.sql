-- Move the pause reasons stored before 20261201120000_protect_pause_reasons into the
-- protected tables, so that peer_mentors.pause_reason and mentor_status_changes.pause_reason
-- read NULL for every row.
--
-- A separate file, hence a separate transaction: the UPDATEs scan each table, and they must
-- not do so while the previous file's SHARE ROW EXCLUSIVE locks (CREATE TRIGGER) are held.
-- Here they take only ROW EXCLUSIVE (what any UPDATE takes: reads and writes of other rows
-- go on) and lock just the rows that still hold a reason. No rewrite: only those rows get
-- new versions. The triggers of the previous file do the move (`set pause_reason =
-- pause_reason` hands them the value); the status is unchanged, so no audit row is written.
-- (peer_mentors_set_updated_at bumps updated_at of the moved rows.)
-- Running it again finds nothing to move.
-- Rollback: supabase/rollbacks/20261201120100_move_pause_reasons.sql (nothing to undo: the
-- rollback of 20261201120000 moves the reasons back).

set lock_timeout = '5s';
set statement_timeout = '10min';

-- A reason stored before the guard existed that the guard refuses (a health term, a phone
-- number, ...) is exactly what must not be kept anywhere: it becomes the code `other`,
-- counted (never shown) in a NOTICE. Replacing a mentor's current reason is a change of the
-- reason, so the audit trail records it (paused -> paused, maintenance, reason other). This
-- cannot be undone by the rollback.
do $redacted$
declare
  mentors bigint;
  changes bigint;
begin
  select count(*) into mentors from public.peer_mentors
   where pause_reason is not null and not private.pause_reason_is_allowed(pause_reason);
  select count(*) into changes from public.mentor_status_changes
   where pause_reason is not null and not private.pause_reason_is_allowed(pause_reason);
  if mentors + changes > 0 then
    raise notice 'replacing % mentor and % audit pause reasons the guard refuses by the code other', mentors, changes;
  end if;
end
$redacted$;

update public.peer_mentors
   set pause_reason = case when private.pause_reason_is_allowed(pause_reason) then pause_reason else 'other' end
 where pause_reason is not null;

update public.mentor_status_changes
   set pause_reason = case when private.pause_reason_is_allowed(pause_reason) then pause_reason else 'other' end
 where pause_reason is not null;
