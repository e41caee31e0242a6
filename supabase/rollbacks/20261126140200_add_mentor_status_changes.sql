-- Rollback of 20261126140200_add_mentor_status_changes.sql: drops the trigger, its
-- function, public.mentor_status_history and the table public.mentor_status_changes with
-- its policies, index and identity sequence. The audit trail is lost (local and test
-- databases; in production, prefer a forward fix).
--
-- Roll back 20261126140300_add_mentor_status_rpcs first. No CASCADE: anything else still
-- using the table makes this fail loudly instead of dropping it silently.

set lock_timeout = '5s';
set statement_timeout = '60s';

drop trigger if exists peer_mentors_record_status_change on public.peer_mentors;
drop function if exists private.record_mentor_status_change();
drop function if exists public.mentor_status_history(uuid);
drop table if exists public.mentor_status_changes;
