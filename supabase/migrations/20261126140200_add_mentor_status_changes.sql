-- The status-change audit trail: public.mentor_status_changes, written by a trigger on
-- peer_mentors whenever status, pause_at or pause_reason changes.
--
-- A trigger, not the RPC functions, writes it, so every path is recorded the same way:
-- the RPCs of 20261126140300 (clients), the Rust repository (crates/storage, as the table
-- owner), the service role's direct UPDATE, and the SQL console.
--
-- Who acted (the contract with the Rust repository):
--   changed_by = auth.uid() (the JWT `sub` of an API request), else the session setting
--                mentor_status.actor_id that the repository sets in its transaction with
--                set_config('mentor_status.actor_id', '<uuid or empty>', true);
--                NULL for maintenance, and for the service role acting without a user.
--   actor_role = auth.role() (the JWT `role`: authenticated or service_role), else the
--                setting mentor_status.actor_role ('authenticated' or 'service_role'),
--                else 'maintenance' (owner or console without either).
-- auth.role() and auth.uid() return NULL, not '', without claims; nullif also covers a
-- setting that was reset to ''. So a change through the RPC and the same change through
-- the repository produce identical audit rows.
--
-- Append-only: anon, authenticated and service_role get no INSERT, UPDATE, DELETE or
-- TRUNCATE (Supabase's default privileges grant them ALL on new tables in public, so
-- everything is revoked explicitly, the identity sequence included). Only the table owner
-- can change rows, for maintenance. Rows are inserted by the SECURITY DEFINER trigger
-- function only. The foreign key to peer_mentors has no ON DELETE action: a mentor with a
-- history cannot be deleted (not even by the service role) until the owner deletes the
-- history, so deleting a mentor cannot quietly erase it.
--
-- Who reads it: the service role (SELECT); coordinators sharing an active chapter with the
-- mentor, all columns but pause_reason directly and whole rows (with the reason) through
-- public.mentor_status_history(mentor_id); the mentor, their own rows without
-- pause_reason. pause_reason is withheld from `authenticated` by a column privilege, as on
-- peer_mentors, so `select=*` fails with 42501 for clients: list the columns.
--
-- Rollback: supabase/rollbacks/20261126140200_add_mentor_status_changes.sql.

set lock_timeout = '5s';
set statement_timeout = '60s';

create table if not exists public.mentor_status_changes (
  id            bigint      generated always as identity primary key,
  mentor_id     uuid        not null references public.peer_mentors (id),
  -- The same enum as peer_mentors.status, so the trail cannot hold a status that does not
  -- exist.
  from_status   public.mentor_status not null,
  to_status     public.mentor_status not null,
  from_pause_at timestamptz,
  to_pause_at   timestamptz,
  pause_reason  text,
  changed_by    uuid,
  actor_role    text        not null,
  changed_at    timestamptz not null default now(),
  -- A change by a signed-in user always says who: a repository call that claims
  -- 'authenticated' without an actor id fails instead of writing an anonymous row.
  constraint mentor_status_changes_authenticated_actor_known
    check (changed_by is not null or actor_role <> 'authenticated')
);

-- A mentor's history in order; also serves the foreign key (deleting a mentor).
create index if not exists mentor_status_changes_mentor_id_changed_at_idx
  on public.mentor_status_changes (mentor_id, changed_at);

comment on table public.mentor_status_changes is
  'Append-only audit trail of peer_mentors status changes, written by trigger peer_mentors_record_status_change. Clients cannot write it; pause_reason is readable only by the service role and (via mentor_status_history) coordinators.';
comment on column public.mentor_status_changes.pause_reason is
  'The pause reason the change is about: the new reason when the mentor is paused after the change, otherwise the reason of the pause that ended.';
comment on column public.mentor_status_changes.changed_by is
  'auth.uid() of the request, else the setting mentor_status.actor_id (Rust repository); NULL for maintenance or the service role without a user.';
comment on column public.mentor_status_changes.actor_role is
  'auth.role() of the request (authenticated, service_role), else the setting mentor_status.actor_role, else maintenance.';

-- ---------------------------------------------------------------------------------------
-- Privileges: read-only for the service role, column-limited for authenticated (rows
-- limited by the policies below), nothing for anon; no one but the owner writes.
-- ---------------------------------------------------------------------------------------
revoke all on table public.mentor_status_changes from public, anon, authenticated, service_role;
revoke all on sequence public.mentor_status_changes_id_seq from public, anon, authenticated, service_role;
grant select on table public.mentor_status_changes to service_role;
grant select (id, mentor_id, from_status, to_status, from_pause_at, to_pause_at, changed_by, actor_role, changed_at)
  on table public.mentor_status_changes to authenticated;

alter table public.mentor_status_changes enable row level security;

drop policy if exists mentor_status_changes_select_own on public.mentor_status_changes;
create policy mentor_status_changes_select_own
  on public.mentor_status_changes
  for select
  to authenticated
  using (mentor_id in (select m.id from public.peer_mentors as m where m.user_id = (select auth.uid())));

drop policy if exists mentor_status_changes_select_coordinated on public.mentor_status_changes;
create policy mentor_status_changes_select_coordinated
  on public.mentor_status_changes
  for select
  to authenticated
  using (private.is_coordinator_of(mentor_id));

comment on policy mentor_status_changes_select_own on public.mentor_status_changes is
  'A mentor reads their own history, without pause_reason (column privilege).';
comment on policy mentor_status_changes_select_coordinated on public.mentor_status_changes is
  'Coordinators read the history of mentors sharing an active chapter; with reasons via public.mentor_status_history.';

-- ---------------------------------------------------------------------------------------
-- The trigger. SECURITY DEFINER: whoever updates peer_mentors (the service role, say) may
-- not insert into the trail themselves, and must not need to.
-- ---------------------------------------------------------------------------------------
create or replace function private.record_mentor_status_change()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $function$
begin
  insert into public.mentor_status_changes
    (mentor_id, from_status, to_status, from_pause_at, to_pause_at, pause_reason, changed_by, actor_role)
  values (
    new.id,
    old.status,
    new.status,
    old.pause_at,
    new.pause_at,
    case when new.status = 'paused' then new.pause_reason else old.pause_reason end,
    coalesce(auth.uid(),
             nullif(pg_catalog.current_setting('mentor_status.actor_id', true), '')::uuid),
    coalesce(nullif(auth.role(), ''),
             nullif(pg_catalog.current_setting('mentor_status.actor_role', true), ''),
             'maintenance')
  );
  return null;
end
$function$;

comment on function private.record_mentor_status_change() is
  'Trigger function: appends a row to public.mentor_status_changes for a peer_mentors status change.';

revoke all on function private.record_mentor_status_change() from public, anon, authenticated, service_role;

-- AFTER, so the row is recorded only once every CHECK constraint has accepted it; the WHEN
-- clause skips updates that leave the three columns as they were (name, phone, ...).
create or replace trigger peer_mentors_record_status_change
  after update on public.peer_mentors
  for each row
  when (old.status is distinct from new.status
        or old.pause_at is distinct from new.pause_at
        or old.pause_reason is distinct from new.pause_reason)
  execute function private.record_mentor_status_change();

-- ---------------------------------------------------------------------------------------
-- Whole history rows, reason included, for coordinators of the mentor's chapters and the
-- service role; 42501 for everyone else (the mentor reads the table without the reason).
-- PT404 (service role only) for an unknown mentor; others get 42501, so ids cannot be
-- probed.
-- ---------------------------------------------------------------------------------------
create or replace function public.mentor_status_history(mentor_id uuid)
  returns setof public.mentor_status_changes
  language plpgsql
  stable
  security definer
  set search_path = ''
as $function$
begin
  if not (private.is_service_role() or private.is_coordinator_of(mentor_status_history.mentor_id)) then
    raise exception using
      errcode = '42501',
      message = 'only the service role and coordinators of the mentor''s chapters may read the status history with reasons';
  end if;
  if not exists (select 1 from public.peer_mentors as m where m.id = mentor_status_history.mentor_id) then
    raise exception using errcode = 'PT404', message = 'no mentor with this id';
  end if;

  return query
    select c.*
      from public.mentor_status_changes as c
     where c.mentor_id = mentor_status_history.mentor_id
     order by c.id;
end
$function$;

comment on function public.mentor_status_history(uuid) is
  'A mentor''s status history including pause reasons, for the service role and coordinators sharing an active chapter; 42501 for anyone else.';

revoke all on function public.mentor_status_history(uuid) from public, anon, authenticated, service_role;
grant execute on function public.mentor_status_history(uuid) to authenticated, service_role;
