-- Rollback of 20261126160100_revoke_client_truncate.sql: gives anon and authenticated back
-- TRUNCATE on the baseline tables and in the default privileges (Supabase's defaults).

set lock_timeout = '5s';
set statement_timeout = '60s';

alter default privileges for role postgres in schema public
  grant truncate on tables to anon, authenticated;

grant truncate on table
  public.chapters,
  public.peer_mentors,
  public.chapter_memberships,
  public.chapter_coordinators,
  public.assignments,
  public.activities
  to anon, authenticated;
