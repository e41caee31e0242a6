-- Clients cannot TRUNCATE.
--
-- Supabase's default privileges grant anon and authenticated ALL on every new table in
-- public, TRUNCATE included, and TRUNCATE is not subject to row-level security: any signed-in
-- user, or anyone with the anon key, could empty chapters, memberships, coordinators,
-- assignments or activities through SQL the Data API exposes to them. No client needs it.
-- This revokes it from the baseline tables and from the default privileges for tables that
-- postgres creates later. The service role keeps it (the backend, trusted).
-- (Tables added by later migrations of this project revoke client privileges themselves.)
--
-- Lock: REVOKE updates the catalog only (no table lock beyond a brief catalog update).
--
-- Rollback: supabase/rollbacks/20261126160100_revoke_client_truncate.sql.

set lock_timeout = '5s';
set statement_timeout = '60s';

revoke truncate on table
  public.chapters,
  public.peer_mentors,
  public.chapter_memberships,
  public.chapter_coordinators,
  public.assignments,
  public.activities
  from anon, authenticated;

alter default privileges for role postgres in schema public
  revoke truncate on tables from anon, authenticated;
