-- Rollback of 20261126140100_peer_mentors_row_level_security.sql: drops the SELECT policies
-- on peer_mentors, public.mentor_pause_reason, the private helpers and the schema
-- `private`, and gives anon and authenticated back their table-level SELECT and UPDATE.
--
-- Roll back 20261126140200_add_mentor_status_changes and 20261126140300 first: they use
-- the helpers; without CASCADE this fails loudly (naming them) if they are still there.
-- After this, clients again see no peer_mentors row at all (row-level security enabled, no
-- policy), exactly as before the migration.

set lock_timeout = '5s';
set statement_timeout = '60s';

drop function if exists public.mentor_pause_reason(uuid);

drop policy if exists peer_mentors_select_coordinated on public.peer_mentors;
drop policy if exists peer_mentors_select_own on public.peer_mentors;

-- The migration replaced a role's table-level SELECT/UPDATE by column-level ones only where
-- the role held the table-level privilege, so column-level privileges mean "had it before".
-- A table-level REVOKE also revokes the column-level privileges of that kind; the GRANT then
-- puts the table-level privilege back into the role's existing ACL entry (the role keeps
-- its other privileges throughout), so the ACL reads exactly as before.
do $peer_mentors_table_privileges$
declare
  client_role text;
  privilege text;
begin
  foreach client_role in array array['anon', 'authenticated'] loop
    foreach privilege in array array['SELECT', 'UPDATE'] loop
      if exists (select 1
                   from pg_catalog.pg_attribute as a
                  cross join lateral pg_catalog.aclexplode(a.attacl) as acl
                  where a.attrelid = 'public.peer_mentors'::regclass
                    and acl.grantee = pg_catalog.to_regrole(client_role)
                    and acl.privilege_type = privilege) then
        execute format('revoke %s on table public.peer_mentors from %I', privilege, client_role);
        execute format('grant %s on table public.peer_mentors to %I', privilege, client_role);
      end if;
    end loop;
  end loop;
end
$peer_mentors_table_privileges$;

drop function if exists private.is_service_role();
drop function if exists private.is_coordinator_of(uuid);
drop schema if exists private;
