-- Pause reasons live in protected tables; `select *` works again for every client role.
--
-- Why: PostgreSQL has no column-level row security and PostgREST's `select=*` is SQL's `*`,
-- so withholding peer_mentors.pause_reason (and mentor_status_changes.pause_reason) by a
-- column privilege made every client read without a column list fail with 42501
-- (supabase-js `.select()`, embeds, `Prefer: return=representation`, anon included).
-- Instead, the reasons now live in two tables of the unexposed schema `private`, with
-- row-level security and no client privilege at all:
--   private.mentor_pause_reasons         one row per paused mentor that has a reason;
--   private.mentor_status_change_reasons one row per audit row that has a reason.
-- The old columns stay (no rename, no drop, no rewrite) and read NULL; every writer keeps
-- writing them (RPCs, the Rust repository, service_role UPDATE, seeds, the console): BEFORE
-- triggers move the value into the protected table and store NULL. Clients get table-level
-- SELECT back, so `select *` works, and a column added later is readable as before.
-- The one documented way to read a reason: public.mentor_pause_reason(mentor_id) and
-- public.mentor_status_history(mentor_id) (service_role; coordinators sharing an active
-- chapter). See ARCHITECTURE.md, "Where pause reasons live".
--
-- Also in this file (issue 10):
--   * the audit row is written by a BEFORE trigger (it needs the reason before and after the
--     change, which only exists in the protected table); the actor settings
--     mentor_status.actor_id / actor_role are honoured only on the table owner's own
--     connection (the repository), never for service_role or client roles;
--   * no CHECK or NOT NULL violation on peer_mentors or mentor_status_changes echoes the row:
--     BEFORE triggers test the same predicates first and raise without values;
--   * anon and authenticated lose TRIGGER and REFERENCES on every table (and in the default
--     privileges), and every UPDATE on peer_mentors (no UPDATE policy exists, so they could
--     not use it; status changes go through the RPCs);
--   * SECURITY DEFINER functions search pg_catalog first and pg_temp last, so temporary
--     tables or types cannot steer them.
--
-- Locks (no table rewrite, no scan): CREATE TABLE with a foreign key, CREATE TRIGGER and
-- ALTER TABLE ... DISABLE TRIGGER take SHARE ROW EXCLUSIVE on peer_mentors (reads go on,
-- writes wait for the short transaction); nothing here takes ACCESS EXCLUSIVE, so no lock is
-- ever upgraded past what concurrent readers hold. GRANT/REVOKE, COMMENT and ALTER FUNCTION
-- are catalog updates. Reasons already stored are moved by the next file,
-- 20261201120100_move_pause_reasons, in its own transaction, so that its scan does not run
-- under these locks.
--
-- Rollback: supabase/rollbacks/20261201120000_protect_pause_reasons.sql (moves the reasons
-- back into the old columns before dropping the protected tables).

set lock_timeout = '5s';
set statement_timeout = '60s';

-- ---------------------------------------------------------------------------------------
-- What a stored pause reason may be. IMMUTABLE: used by CHECK constraints. The predicate of
-- chk_pause_reason_no_national_id (crates/domain/src/checks.rs mirrors it).
-- ---------------------------------------------------------------------------------------
create or replace function private.pause_reason_is_allowed(reason text)
  returns boolean
  language sql
  immutable
  parallel safe
  set search_path = pg_catalog, pg_temp
as $function$
  select reason is null
      or (pg_catalog.char_length(reason) <= 200
          and reason operator(pg_catalog.!~) '[0-9]{6}[ .-]?[0-9]{5}')
$function$;

comment on function private.pause_reason_is_allowed(text) is
  'Whether a text may be stored as a pause reason (the predicate of chk_pause_reason_no_national_id).';

revoke all on function private.pause_reason_is_allowed(text) from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- The protected tables. Foreign keys DEFERRABLE INITIALLY DEFERRED: the BEFORE INSERT
-- trigger on peer_mentors stores the reason before the mentor row itself exists; the key is
-- checked at commit. ON DELETE CASCADE: the reason belongs to the row.
-- No privilege for anon, authenticated or service_role (Supabase's default privileges do
-- not apply in `private`, revoked anyway); row-level security on, no policy: even a grant
-- added by mistake later shows nobody a row. Only the owner and the SECURITY DEFINER
-- functions below read and write them.
-- ---------------------------------------------------------------------------------------
create table if not exists private.mentor_pause_reasons (
  mentor_id uuid not null primary key
    references public.peer_mentors (id) on delete cascade deferrable initially deferred,
  reason    text not null,
  constraint mentor_pause_reasons_reason_allowed check (private.pause_reason_is_allowed(reason))
);

comment on table private.mentor_pause_reasons is
  'The pause reason of each paused mentor that has one (peer_mentors.pause_reason reads NULL). Read through public.mentor_pause_reason.';

create table if not exists private.mentor_status_change_reasons (
  change_id bigint not null primary key
    references public.mentor_status_changes (id) on delete cascade deferrable initially deferred,
  reason    text   not null,
  constraint mentor_status_change_reasons_reason_allowed check (private.pause_reason_is_allowed(reason))
);

comment on table private.mentor_status_change_reasons is
  'The pause reason of each audit row that has one (mentor_status_changes.pause_reason reads NULL). Read through public.mentor_status_history.';

revoke all on table private.mentor_pause_reasons from public, anon, authenticated, service_role;
revoke all on table private.mentor_status_change_reasons from public, anon, authenticated, service_role;
alter table private.mentor_pause_reasons enable row level security;
alter table private.mentor_status_change_reasons enable row level security;

-- A rejected reason written straight into a protected table (the owner's console) is not
-- echoed either: the same predicate, raised without the row.
create or replace function private.reject_invalid_stored_reason()
  returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
as $function$
begin
  if new.reason is null then
    raise exception using
      errcode = '23502',
      message = format('reason of %s must not be NULL: delete the row instead', tg_table_name);
  end if;
  if not private.pause_reason_is_allowed(new.reason) then
    raise exception using
      errcode = '23514',
      constraint = tg_table_name || '_reason_allowed',
      message = 'pause_reason violates chk_pause_reason_no_national_id: at most 200 characters, and no national identity number (6 digits, an optional space, dot or dash, 5 digits)',
      detail = 'The rejected value is not repeated, so it reaches neither the caller nor the log.',
      hint = 'Use a reason code (vacation, personal, capacity, training, relocation, other) or a short label without personal data.';
  end if;
  return new;
end
$function$;

comment on function private.reject_invalid_stored_reason() is
  'Trigger: rejects a reason the protected tables'' CHECK rejects, without echoing the value.';

revoke all on function private.reject_invalid_stored_reason() from public, anon, authenticated, service_role;

create or replace trigger mentor_pause_reasons_reject_invalid_reason
  before insert or update on private.mentor_pause_reasons
  for each row
  execute function private.reject_invalid_stored_reason();
create or replace trigger mentor_status_change_reasons_reject_invalid_reason
  before insert or update on private.mentor_status_change_reasons
  for each row
  execute function private.reject_invalid_stored_reason();

-- ---------------------------------------------------------------------------------------
-- Who acts, for the audit row.
--   changed_by = auth.uid() (the JWT `sub` of an API request); else, ONLY on the table
--                owner's own connection (session_user owns peer_mentors and no SET ROLE is
--                in effect: the Rust repository), the setting mentor_status.actor_id.
--   actor_role = the SQL role the request runs as (PostgREST's SET ROLE: authenticated,
--                service_role; the same as the JWT `role` PostgREST switched by); else, on
--                the owner's connection, the setting mentor_status.actor_role; else
--                'maintenance'.
-- current_setting('role') names the role of SET ROLE even inside a SECURITY DEFINER
-- function (current_user is then the definer), and a session can only SET ROLE to roles it
-- is a member of: service_role and the client roles cannot pass for the owner, and claims
-- they set themselves do not change the role.
-- ---------------------------------------------------------------------------------------
create or replace function private.audit_actor(out changed_by uuid, out actor_role text)
  language plpgsql
  stable
  set search_path = pg_catalog, pg_temp
as $function$
declare
  set_role constant text := pg_catalog.current_setting('role');
  owner_connection constant boolean :=
    (select pg_catalog.pg_get_userbyid(c.relowner) = session_user
            and set_role in ('none', pg_catalog.pg_get_userbyid(c.relowner))
       from pg_catalog.pg_class as c
      where c.oid = 'public.peer_mentors'::pg_catalog.regclass);
begin
  changed_by := coalesce(auth.uid(),
                         case when owner_connection
                              then nullif(pg_catalog.current_setting('mentor_status.actor_id', true), '')::uuid
                         end);
  actor_role := coalesce(case when not owner_connection and set_role <> 'none' then set_role end,
                         case when owner_connection
                              then nullif(pg_catalog.current_setting('mentor_status.actor_role', true), '')
                         end,
                         'maintenance');
end
$function$;

comment on function private.audit_actor() is
  'Who acts, for the audit trail: auth.uid() and the SET ROLE role of an API request; the mentor_status.actor_* settings only on the owner''s own connection; else maintenance.';

revoke all on function private.audit_actor() from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Moving the reason out of peer_mentors.
--
-- A row trigger cannot tell "SET pause_reason = NULL" from "pause_reason not mentioned"
-- (both give NULL, since the stored value is always NULL). So a first trigger that fires
-- only when pause_reason is a target of the UPDATE (UPDATE OF pause_reason) marks an
-- assigned NULL with a one-character marker, chr(1), which no reason can be (the national-id
-- trigger passes it; it is never stored). Triggers of one kind fire in name order:
--   peer_mentors_check_row                    (no-echo checks, below)
--   peer_mentors_mark_assigned_pause_reason   (the marker)
--   peer_mentors_reject_invalid_pause_reason  (20261126160000: the reason's own rule)
--   peer_mentors_set_updated_at               (baseline)
--   peer_mentors_store_pause_reason           (moves the reason, writes the audit row)
-- ---------------------------------------------------------------------------------------
create or replace function private.mark_assigned_pause_reason()
  returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
as $function$
begin
  if new.pause_reason is null then
    new.pause_reason := pg_catalog.chr(1);
  end if;
  return new;
end
$function$;

comment on function private.mark_assigned_pause_reason() is
  'Trigger: marks SET pause_reason = NULL (chr(1)) for peer_mentors_store_pause_reason, which cannot otherwise tell it from an UPDATE that leaves pause_reason alone.';

revoke all on function private.mark_assigned_pause_reason() from public, anon, authenticated, service_role;

-- The reason before and after the change, the rule "a reason only while paused" (formerly
-- enforced by chk_pause_reason_only_when_paused on the column, which now always holds), the
-- move, and the audit row (formerly the AFTER trigger peer_mentors_record_status_change:
-- an AFTER trigger can no longer see the reason of a pause that just ended). Writing the
-- audit row in a BEFORE trigger is as atomic: a CHECK that fails later fails the statement,
-- and the audit row and its notifications go with it.
-- SECURITY DEFINER: the writer (service_role, an RPC's definer, the owner) may not write the
-- protected tables or the audit trail itself.
create or replace function private.store_pause_reason()
  returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog, pg_temp
as $function$
declare
  cleared constant boolean := new.pause_reason is not distinct from pg_catalog.chr(1);
  old_reason text;
  new_reason text;
  actor record;
begin
  if tg_op = 'UPDATE' then
    select r.reason into old_reason
      from private.mentor_pause_reasons as r
     where r.mentor_id = old.id;
    -- A reason stored before this migration that 20261201120100 has not moved yet.
    old_reason := coalesce(old_reason, old.pause_reason);
  end if;
  new_reason := case when cleared then null
                     when new.pause_reason is not null then new.pause_reason
                     else old_reason
                end;

  if new_reason is not null and new.status is distinct from 'paused' then
    raise exception using
      errcode = '23514',
      constraint = 'chk_pause_reason_only_when_paused',
      message = format('pause_reason must be NULL when status is %s (chk_pause_reason_only_when_paused)', new.status),
      detail = 'The row''s values are not repeated.',
      hint = 'Set pause_reason = NULL together with the status.';
  end if;

  if tg_op = 'UPDATE' and new.id is distinct from old.id and old_reason is not null then
    raise exception using
      errcode = '0A000',
      message = 'the id of a mentor with a pause reason cannot change';
  end if;

  if new_reason is null then
    delete from private.mentor_pause_reasons as r where r.mentor_id = new.id;
  elsif new_reason is distinct from old_reason or new.pause_reason is not null then
    insert into private.mentor_pause_reasons as r (mentor_id, reason)
    values (new.id, new_reason)
    on conflict (mentor_id) do update set reason = excluded.reason;
  end if;
  new.pause_reason := null;

  if tg_op = 'UPDATE'
     and (old.status is distinct from new.status
          or old.pause_at is distinct from new.pause_at
          or old_reason is distinct from new_reason) then
    select * into actor from private.audit_actor();
    -- The trigger of mentor_status_changes moves the reason on into
    -- private.mentor_status_change_reasons.
    insert into public.mentor_status_changes
      (mentor_id, from_status, to_status, from_pause_at, to_pause_at, pause_reason, changed_by, actor_role)
    values (
      new.id,
      old.status,
      new.status,
      old.pause_at,
      new.pause_at,
      case when new.status = 'paused' then new_reason else old_reason end,
      actor.changed_by,
      actor.actor_role
    );
  end if;
  return new;
end
$function$;

comment on function private.store_pause_reason() is
  'Trigger: keeps peer_mentors.pause_reason NULL by moving the reason into private.mentor_pause_reasons, enforces "a reason only while paused", and appends the audit row of a status change.';

revoke all on function private.store_pause_reason() from public, anon, authenticated, service_role;

-- The audit row used to be written AFTER the update; now by the BEFORE trigger above. The old
-- trigger is disabled, not dropped: DROP TRIGGER takes ACCESS EXCLUSIVE, and upgrading to it
-- from the SHARE ROW EXCLUSIVE this file already holds deadlocks with any transaction that
-- read peer_mentors and now waits to write it (measured: `cargo xtask bench migration`).
-- DISABLE TRIGGER takes SHARE ROW EXCLUSIVE, like everything else here.
alter table public.peer_mentors disable trigger peer_mentors_record_status_change;

create or replace trigger peer_mentors_mark_assigned_pause_reason
  before update of pause_reason on public.peer_mentors
  for each row
  execute function private.mark_assigned_pause_reason();

create or replace trigger peer_mentors_store_pause_reason
  before insert or update on public.peer_mentors
  for each row
  execute function private.store_pause_reason();

-- The same for the audit trail: its pause_reason moves to
-- private.mentor_status_change_reasons (the identity id is assigned before BEFORE INSERT
-- triggers run). On UPDATE (owner's maintenance only) a NULL leaves the stored reason.
create or replace function private.store_status_change_reason()
  returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog, pg_temp
as $function$
begin
  if new.pause_reason is not null then
    insert into private.mentor_status_change_reasons as r (change_id, reason)
    values (new.id, new.pause_reason)
    on conflict (change_id) do update set reason = excluded.reason;
    new.pause_reason := null;
  end if;
  return new;
end
$function$;

comment on function private.store_status_change_reason() is
  'Trigger: keeps mentor_status_changes.pause_reason NULL by moving the reason into private.mentor_status_change_reasons.';

revoke all on function private.store_status_change_reason() from public, anon, authenticated, service_role;

create or replace trigger mentor_status_changes_store_pause_reason
  before insert or update on public.mentor_status_changes
  for each row
  execute function private.store_status_change_reason();

-- The former audit trigger function stays with its (disabled) trigger.
comment on function private.record_mentor_status_change() is
  'Unused since 20261201120000_protect_pause_reasons (private.store_pause_reason writes the audit row; trigger peer_mentors_record_status_change is disabled); its rollback enables it again.';

-- ---------------------------------------------------------------------------------------
-- No CHECK or NOT NULL violation echoes the row. A violated constraint's DETAIL repeats the
-- whole failing row ("Failing row contains (…)": e-mail, phone, reason), which reaches
-- service-role API responses and the server log. These BEFORE triggers test the same
-- predicates first and raise the same SQLSTATE naming the constraint, without values. The
-- constraints stay as the guarantee (a trigger can be disabled by the owner; a constraint
-- cannot be bypassed). On UPDATE, updated_at is left to peer_mentors_set_updated_at, which
-- fires later and always sets it.
-- tests/it/no_echo.rs reads every CHECK and NOT NULL from the catalog and violates each.
-- ---------------------------------------------------------------------------------------
create or replace function private.check_peer_mentor_row()
  returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
as $function$
declare
  missing text;
begin
  missing := case
    when new.id is null then 'id'
    when new.user_id is null then 'user_id'
    when new.full_name is null then 'full_name'
    when new.email is null then 'email'
    when new.created_at is null then 'created_at'
    when new.updated_at is null and tg_op = 'INSERT' then 'updated_at'
    when new.status is null then 'status'
  end;
  if missing is not null then
    raise exception using
      errcode = '23502',
      column = missing,
      message = format('peer_mentors.%s must not be NULL', missing),
      detail = 'The row''s values are not repeated.',
      hint = format('Give %s a value.', missing);
  end if;
  if pg_catalog.btrim(new.full_name) = '' then
    raise exception using
      errcode = '23514',
      constraint = 'peer_mentors_full_name_not_blank',
      message = 'full_name must not be blank (peer_mentors_full_name_not_blank)',
      detail = 'The row''s values are not repeated.',
      hint = 'Give the mentor''s name.';
  end if;
  if new.status = 'paused' and new.pause_at is null then
    raise exception using
      errcode = '23514',
      constraint = 'chk_pause_at_required',
      message = 'pause_at is required when status is paused (chk_pause_at_required)',
      detail = 'The row''s values are not repeated.',
      hint = 'Set pause_at together with status = paused.';
  end if;
  if new.status <> 'paused' and new.pause_at is not null then
    raise exception using
      errcode = '23514',
      constraint = 'chk_pause_at_only_when_paused',
      message = format('pause_at must be NULL when status is %s (chk_pause_at_only_when_paused)', new.status),
      detail = 'The row''s values are not repeated.',
      hint = 'Set pause_at = NULL together with the status.';
  end if;
  return new;
end
$function$;

comment on function private.check_peer_mentor_row() is
  'Trigger: rejects what the NOT NULL and CHECK constraints of peer_mentors reject, naming the constraint, without echoing the row.';

revoke all on function private.check_peer_mentor_row() from public, anon, authenticated, service_role;

create or replace trigger peer_mentors_check_row
  before insert or update on public.peer_mentors
  for each row
  execute function private.check_peer_mentor_row();

create or replace function private.check_status_change_row()
  returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
as $function$
declare
  missing text;
begin
  missing := case
    when new.id is null then 'id'
    when new.mentor_id is null then 'mentor_id'
    when new.from_status is null then 'from_status'
    when new.to_status is null then 'to_status'
    when new.actor_role is null then 'actor_role'
    when new.changed_at is null then 'changed_at'
  end;
  if missing is not null then
    raise exception using
      errcode = '23502',
      column = missing,
      message = format('mentor_status_changes.%s must not be NULL', missing),
      detail = 'The row''s values are not repeated.',
      hint = format('Give %s a value.', missing);
  end if;
  if new.changed_by is null and new.actor_role = 'authenticated' then
    raise exception using
      errcode = '23514',
      constraint = 'mentor_status_changes_authenticated_actor_known',
      message = 'a change by a signed-in user must name the user (mentor_status_changes_authenticated_actor_known)',
      detail = 'The row''s values are not repeated.',
      hint = 'Set mentor_status.actor_id to the acting user, or use actor_role service_role.';
  end if;
  return new;
end
$function$;

comment on function private.check_status_change_row() is
  'Trigger: rejects what the NOT NULL and CHECK constraints of mentor_status_changes reject, naming the constraint, without echoing the row.';

revoke all on function private.check_status_change_row() from public, anon, authenticated, service_role;

-- "check" sorts before "store": the checks see the row as written.
create or replace trigger mentor_status_changes_check_row
  before insert or update on public.mentor_status_changes
  for each row
  execute function private.check_status_change_row();

-- ---------------------------------------------------------------------------------------
-- The documented read path, now reading the protected tables. Same signatures, errors and
-- grants as before (20261126140100, 20261126140200).
-- ---------------------------------------------------------------------------------------
create or replace function public.mentor_pause_reason(mentor_id uuid)
  returns text
  language plpgsql
  stable
  security definer
  set search_path = pg_catalog, pg_temp
as $function$
declare
  reason text;
begin
  if not (private.is_service_role() or private.is_coordinator_of(mentor_pause_reason.mentor_id)) then
    raise exception using
      errcode = '42501',
      message = 'only the service role and coordinators of the mentor''s chapters may read the pause reason';
  end if;

  if not exists (select 1 from public.peer_mentors as m where m.id = mentor_pause_reason.mentor_id) then
    raise exception using errcode = 'PT404', message = 'no mentor with this id';
  end if;
  select r.reason
    into reason
    from private.mentor_pause_reasons as r
   where r.mentor_id = mentor_pause_reason.mentor_id;
  return reason;
end
$function$;

comment on function public.mentor_pause_reason(uuid) is
  'The pause reason of a mentor, for the service role and coordinators sharing an active chapter with the mentor; 42501 for anyone else, the mentor included. The one way to read it: peer_mentors.pause_reason reads NULL (the reason lives in private.mentor_pause_reasons).';

create or replace function public.mentor_status_history(mentor_id uuid)
  returns setof public.mentor_status_changes
  language plpgsql
  stable
  security definer
  set search_path = pg_catalog, pg_temp
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
    select c.id, c.mentor_id, c.from_status, c.to_status, c.from_pause_at, c.to_pause_at,
           coalesce(r.reason, c.pause_reason), c.changed_by, c.actor_role, c.changed_at
      from public.mentor_status_changes as c
      left join private.mentor_status_change_reasons as r on r.change_id = c.id
     where c.mentor_id = mentor_status_history.mentor_id
     order by c.id;
end
$function$;

comment on function public.mentor_status_history(uuid) is
  'A mentor''s status history including pause reasons, for the service role and coordinators sharing an active chapter; 42501 for anyone else. mentor_status_changes.pause_reason itself reads NULL.';

-- (The comment on peer_mentors.pause_reason belongs to 20261126120000, which sets it again
-- when re-applied; the table comment of mentor_pause_reasons says where the value went.)
comment on column public.mentor_status_changes.pause_reason is
  'Reads NULL: a trigger moves the reason into private.mentor_status_change_reasons. Read it with public.mentor_status_history(mentor_id).';
comment on table public.mentor_status_changes is
  'Append-only audit trail of peer_mentors status changes, written by trigger peer_mentors_store_pause_reason. Clients cannot write it; pause_reason reads NULL, reasons are readable only by the service role and coordinators via mentor_status_history.';
comment on column public.mentor_status_changes.changed_by is
  'auth.uid() of the request, else (only on the table owner''s own connection: the Rust repository) the setting mentor_status.actor_id; NULL for maintenance or the service role without a user.';
comment on column public.mentor_status_changes.actor_role is
  'The SQL role of the request (authenticated, service_role), else (owner''s connection only) the setting mentor_status.actor_role, else maintenance.';
comment on policy peer_mentors_select_own on public.peer_mentors is
  'A mentor reads their own row (pause_reason reads NULL for everyone; the reason is not theirs to read).';
comment on policy mentor_status_changes_select_own on public.mentor_status_changes is
  'A mentor reads their own history (pause_reason reads NULL).';

-- ---------------------------------------------------------------------------------------
-- Client privileges.
-- SELECT: table-level again (20261126140100 and 20261126140200 had replaced it by every
-- column but pause_reason), so `select *` works and a column added later is readable
-- without another grant. Row-level security decides the rows; anon has no policy and
-- reads []. Granted only to a role that held column-level SELECT (never widens).
-- UPDATE on peer_mentors: revoked. No UPDATE policy exists, so row-level security refused
-- every row anyway; status changes go through the RPCs (SECURITY DEFINER).
-- ---------------------------------------------------------------------------------------
do $client_table_privileges$
declare
  client_role text;
  tbl regclass;
begin
  foreach tbl in array array['public.peer_mentors'::regclass, 'public.mentor_status_changes'::regclass] loop
    foreach client_role in array array['anon', 'authenticated'] loop
      if exists (select 1
                   from pg_catalog.pg_attribute as a
                  cross join lateral pg_catalog.aclexplode(a.attacl) as acl
                  where a.attrelid = tbl
                    and acl.grantee = pg_catalog.to_regrole(client_role)
                    and acl.privilege_type = 'SELECT') then
        execute format('grant select on table %s to %I', tbl, client_role);
      end if;
    end loop;
  end loop;
end
$client_table_privileges$;

-- anon on the audit trail too, so that `select *` gives it [] (no policy names anon) as on
-- every other table, instead of an error.
grant select on table public.mentor_status_changes to anon;

revoke update on table public.peer_mentors from anon, authenticated;

-- TRIGGER and REFERENCES: not subject to row-level security. TRIGGER lets a client attach a
-- trigger that makes every status change fail (or worse); REFERENCES lets a client create a
-- foreign key that blocks deletes and probes key existence. No client needs either.
do $revoke_client_trigger_references$
declare
  tbl regclass;
begin
  for tbl in
    select c.oid
      from pg_catalog.pg_class as c
      join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
     where n.nspname in ('public', 'private')
       and c.relkind in ('r', 'p', 'v', 'm', 'f')
     order by c.oid
  loop
    execute format('revoke trigger, references on table %s from anon, authenticated', tbl);
  end loop;
end
$revoke_client_trigger_references$;

alter default privileges for role postgres in schema public
  revoke trigger, references on tables from anon, authenticated;

-- ---------------------------------------------------------------------------------------
-- SECURITY DEFINER functions: `set search_path = ''` still searches pg_temp FIRST for
-- relations and types (PostgreSQL docs, "Writing SECURITY DEFINER Functions Safely"), so a
-- caller's temporary table or type named like a type a function declares (text, uuid, ...)
-- would be used instead. pg_catalog, then pg_temp last: built-in types and functions are
-- found first; every project object is schema-qualified anyway.
-- Catalog-driven, so every such function in public and private is covered;
-- tests/it/temp_objects.rs checks that none is left out.
-- ---------------------------------------------------------------------------------------
do $security_definer_search_path$
declare
  fn regprocedure;
begin
  for fn in
    select p.oid
      from pg_catalog.pg_proc as p
      join pg_catalog.pg_namespace as n on n.oid = p.pronamespace
     where n.nspname in ('public', 'private')
       and p.prosecdef
     order by p.oid
  loop
    execute format('alter function %s set search_path = pg_catalog, pg_temp', fn);
  end loop;
end
$security_definer_search_path$;
