-- Rollback of 20261126140300_add_mentor_status_rpcs.sql: drops the four RPC functions and
-- their private implementation. Their privileges go with them. Afterwards clients cannot
-- change any status (they hold no UPDATE on the status columns), as before the migration
-- only the owner and the service role could.

set lock_timeout = '5s';
set statement_timeout = '60s';

drop function if exists public.reactivate_mentor(uuid);
drop function if exists public.deactivate_mentor(uuid);
drop function if exists public.resume_mentor(uuid);
drop function if exists public.pause_mentor(uuid, text);
drop function if exists private.change_mentor_status(uuid, text, text);
