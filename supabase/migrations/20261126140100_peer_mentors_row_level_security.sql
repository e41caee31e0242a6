-- Who may read a peer mentor, and who may read or write the status columns.
--
-- Clients reach the database through Supabase's Data API (PostgREST) as `anon` or
-- `authenticated` with the caller's JWT claims; `service_role` (BYPASSRLS) is the backend.
-- The rules mirror the domain crate (crates/domain/src/authz.rs) exactly:
--   * a mentor reads their own row;
--   * a coordinator reads the rows of mentors with whom they share at least one ACTIVE
--     chapter: the mentor's membership is active AND the coordinator's row is active
--     (several chapters count; a former coordinator or a chapter the mentor left does not);
--   * the service role reads everything (BYPASSRLS: no policy needed);
--   * nobody else reads anything (anon included: no policy names anon).
--   * pause_reason: only the service role (directly) and coordinators of the mentor's
--     chapters (through public.mentor_pause_reason) may read it. Not even the mentor: the
--     domain's may_read_pause_reason says so.
--   * status, pause_at, pause_reason cannot be UPDATEd by anon or authenticated at all:
--     status changes go through the RPC functions of 20261126140300_add_mentor_status_rpcs,
--     which apply the domain's transition table and authorization.
--
-- Consequence for clients (documented again on the objects below): with SELECT on
-- pause_reason revoked, `select=*` on peer_mentors (supabase-js `.select()` or
-- `.select('*')`) fails for anon and authenticated with SQLSTATE 42501 "permission denied
-- for table peer_mentors" (HTTP 403; 401 for anon), because `*` names every column,
-- pause_reason included. It does NOT silently leave the column out. Clients must list the
-- columns they want, e.g. `select=id,full_name,status,pause_at`.
--
-- Rollback: supabase/rollbacks/20261126140100_peer_mentors_row_level_security.sql.

set lock_timeout = '5s';
set statement_timeout = '60s';

-- ---------------------------------------------------------------------------------------
-- Schema `private`: helpers for policies and functions. Not exposed by PostgREST (only
-- `public` is), so nothing here is callable over HTTP. `authenticated` needs USAGE because
-- policies run with the privileges of the querying role and call private.is_coordinator_of.
-- ---------------------------------------------------------------------------------------
create schema if not exists private;

revoke all on schema private from public;
grant usage on schema private to authenticated;

comment on schema private is
  'Helpers for row-level security policies, triggers and RPC functions; not exposed through the Data API.';

-- Whether the signed-in user (auth.uid()) actively coordinates a chapter in which the mentor
-- has an active membership: the domain's authorize() for Actor::Coordinator.
-- SECURITY DEFINER: the caller cannot read chapter_memberships or chapter_coordinators
-- (row-level security, no client policies), and the policy must not depend on that.
-- STABLE, so PostgreSQL may evaluate it once per distinct argument within a statement.
-- Backed by the partial indexes of 20261126140000_add_chapter_access_indexes.
create or replace function private.is_coordinator_of(p_mentor_id uuid)
  returns boolean
  language sql
  stable
  security definer
  set search_path = ''
as $function$
  select exists (
    select 1
      from public.chapter_memberships as m
      join public.chapter_coordinators as c
        on c.chapter_id = m.chapter_id
     where m.mentor_id = p_mentor_id
       and m.active
       and c.user_id = (select auth.uid())
       and c.active
  )
$function$;

comment on function private.is_coordinator_of(uuid) is
  'True when auth.uid() actively coordinates a chapter in which the mentor has an active membership (domain: authorize for a coordinator).';

-- Whether the current request runs as the service role: the SQL role PostgREST switched to
-- (SET ROLE service_role), which is also what BYPASSRLS keys on. Read from the `role`
-- setting rather than from the JWT claims: a SECURITY DEFINER function runs as its owner,
-- but the `role` setting still names the caller's role, and unlike request.jwt.claims it
-- cannot be set to service_role by a session whose login role is not a member of it.
create or replace function private.is_service_role()
  returns boolean
  language sql
  stable
  set search_path = ''
as $function$
  select pg_catalog.current_setting('role', true) = 'service_role'
$function$;

comment on function private.is_service_role() is
  'True when the current request runs as the SQL role service_role (SET ROLE by PostgREST).';

-- Functions get EXECUTE for PUBLIC by default: only the roles whose policies call them.
revoke all on function private.is_coordinator_of(uuid) from public, anon, authenticated, service_role;
grant execute on function private.is_coordinator_of(uuid) to authenticated;
revoke all on function private.is_service_role() from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- SELECT policies on peer_mentors (row-level security is already enabled by the baseline;
-- until now there was no policy, so clients saw no row at all).
-- (select auth.uid()) is evaluated once per statement instead of once per row (Supabase's
-- advice for policies). No INSERT/UPDATE/DELETE policy: clients change nothing directly.
-- DROP ... IF EXISTS first, so running the file again converges instead of failing.
-- ---------------------------------------------------------------------------------------
drop policy if exists peer_mentors_select_own on public.peer_mentors;
create policy peer_mentors_select_own
  on public.peer_mentors
  for select
  to authenticated
  using (user_id = (select auth.uid()));

drop policy if exists peer_mentors_select_coordinated on public.peer_mentors;
create policy peer_mentors_select_coordinated
  on public.peer_mentors
  for select
  to authenticated
  using (private.is_coordinator_of(id));

comment on policy peer_mentors_select_own on public.peer_mentors is
  'A mentor reads their own row, without pause_reason (column privilege): list columns, select=* fails with 42501.';
comment on policy peer_mentors_select_coordinated on public.peer_mentors is
  'Coordinators read mentors sharing an active chapter (private.is_coordinator_of); pause_reason via public.mentor_pause_reason.';

-- ---------------------------------------------------------------------------------------
-- Column privileges. PostgreSQL has no negative grants: a column-level REVOKE while the role
-- still holds the table-level privilege does nothing. So, for each of anon and
-- authenticated that holds table-level SELECT (or UPDATE) today (Supabase's default
-- privileges grant them everything), replace it with the same privilege on every column
-- but the protected ones:
--   SELECT: every column except pause_reason;
--   UPDATE: every column except status, pause_at, pause_reason.
-- Columns are listed from the catalog, not hard-coded, so a column another migration added
-- before this one keeps its privileges. A role that did not hold the privilege gets
-- nothing: this never widens access. INSERT, DELETE, REFERENCES, TRIGGER are unchanged
-- (no INSERT/DELETE policy exists, so row-level security refuses every row anyway).
-- TRUNCATE (not subject to row-level security) stays as well: mentor_status_changes
-- (20261126140200) references peer_mentors and clients hold no TRUNCATE on it, so
-- `truncate peer_mentors [cascade]` fails for them.
-- Running the file again finds no table-level privilege left and changes nothing.
-- ---------------------------------------------------------------------------------------
do $peer_mentors_column_privileges$
declare
  client_role text;
  readable text;
  updatable text;
begin
  select string_agg(pg_catalog.quote_ident(a.attname), ', ' order by a.attnum)
           filter (where a.attname <> 'pause_reason'),
         string_agg(pg_catalog.quote_ident(a.attname), ', ' order by a.attnum)
           filter (where a.attname not in ('status', 'pause_at', 'pause_reason'))
    into readable, updatable
    from pg_catalog.pg_attribute as a
   where a.attrelid = 'public.peer_mentors'::regclass
     and a.attnum > 0
     and not a.attisdropped;

  foreach client_role in array array['anon', 'authenticated'] loop
    if exists (select 1
                 from pg_catalog.pg_class as c
                cross join lateral pg_catalog.aclexplode(c.relacl) as acl
                where c.oid = 'public.peer_mentors'::regclass
                  and acl.grantee = pg_catalog.to_regrole(client_role)
                  and acl.privilege_type = 'SELECT') then
      execute format('revoke select on table public.peer_mentors from %I', client_role);
      execute format('grant select (%s) on table public.peer_mentors to %I', readable, client_role);
    end if;

    if exists (select 1
                 from pg_catalog.pg_class as c
                cross join lateral pg_catalog.aclexplode(c.relacl) as acl
                where c.oid = 'public.peer_mentors'::regclass
                  and acl.grantee = pg_catalog.to_regrole(client_role)
                  and acl.privilege_type = 'UPDATE') then
      execute format('revoke update on table public.peer_mentors from %I', client_role);
      execute format('grant update (%s) on table public.peer_mentors to %I', updatable, client_role);
    end if;
  end loop;
end
$peer_mentors_column_privileges$;

-- ---------------------------------------------------------------------------------------
-- Reading a pause reason as a coordinator. The service role reads peer_mentors.pause_reason
-- directly (it keeps table-level SELECT); everyone else gets 42501 here, including the
-- mentor themselves (domain: may_read_pause_reason).
-- A function rather than a view: a view would run with its owner's rights and bypass
-- row-level security (Supabase's linter flags such views); this function checks the caller
-- itself and is exposed as POST/GET /rpc/mentor_pause_reason?mentor_id=….
-- Errors (see also the RPCs in 20261126140300):
--   42501 not allowed            -> HTTP 403 (401 for anon)
--   PT404 no mentor with this id -> HTTP 404; only the service role can see it, everyone
--         else gets 42501 for an unknown id, so ids cannot be probed.
-- ---------------------------------------------------------------------------------------
create or replace function public.mentor_pause_reason(mentor_id uuid)
  returns text
  language plpgsql
  stable
  security definer
  set search_path = ''
as $function$
declare
  reason text;
begin
  if not (private.is_service_role() or private.is_coordinator_of(mentor_pause_reason.mentor_id)) then
    raise exception using
      errcode = '42501',
      message = 'only the service role and coordinators of the mentor''s chapters may read the pause reason';
  end if;

  select m.pause_reason
    into reason
    from public.peer_mentors as m
   where m.id = mentor_pause_reason.mentor_id;
  if not found then
    raise exception using errcode = 'PT404', message = 'no mentor with this id';
  end if;
  return reason;
end
$function$;

comment on function public.mentor_pause_reason(uuid) is
  'The pause reason of a mentor, for the service role and coordinators sharing an active chapter with the mentor; 42501 for anyone else, the mentor included. peer_mentors.pause_reason itself is not selectable by anon/authenticated, so select=* on peer_mentors fails (42501): list the columns.';

revoke all on function public.mentor_pause_reason(uuid) from public, anon, authenticated, service_role;
grant execute on function public.mentor_pause_reason(uuid) to authenticated, service_role;
