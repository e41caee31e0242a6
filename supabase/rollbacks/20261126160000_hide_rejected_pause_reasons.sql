-- Rollback of 20261126160000_hide_rejected_pause_reasons.sql: the CHECK constraint alone
-- guards pause_reason again (and its violations repeat the failing row).

set lock_timeout = '5s';
set statement_timeout = '60s';

drop trigger if exists peer_mentors_reject_invalid_pause_reason on public.peer_mentors;
drop function if exists private.reject_invalid_pause_reason();
