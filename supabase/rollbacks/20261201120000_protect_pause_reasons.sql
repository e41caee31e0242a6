-- Rollback of 20261201120000_protect_pause_reasons.sql: the reasons move back into
-- peer_mentors.pause_reason and mentor_status_changes.pause_reason (no reason is lost), the
-- protected tables and the new triggers go, the AFTER audit trigger, the functions, comments
-- and client privileges of 20261126140100/140200/160100 come back exactly.
-- Roll back 20261201120100_move_pause_reasons first (it is a no-op down).

set lock_timeout = '5s';
set statement_timeout = '10min';

-- 1. Stop moving reasons, so that the restore below stays in the old columns.
drop trigger if exists mentor_status_changes_check_row on public.mentor_status_changes;
drop trigger if exists mentor_status_changes_store_pause_reason on public.mentor_status_changes;
drop trigger if exists peer_mentors_store_pause_reason on public.peer_mentors;
drop trigger if exists peer_mentors_mark_assigned_pause_reason on public.peer_mentors;
drop trigger if exists peer_mentors_check_row on public.peer_mentors;

-- 2. Move the reasons back (before the old audit trigger exists again: this is not a
-- status change and must not be recorded as one).
update public.peer_mentors as m
   set pause_reason = r.reason
  from private.mentor_pause_reasons as r
 where r.mentor_id = m.id;
update public.mentor_status_changes as c
   set pause_reason = r.reason
  from private.mentor_status_change_reasons as r
 where r.change_id = c.id;

-- 3. The audit trigger of 20261126140200 records again.
alter table public.peer_mentors enable trigger peer_mentors_record_status_change;

comment on function private.record_mentor_status_change() is
  'Trigger function: appends a row to public.mentor_status_changes for a peer_mentors status change.';

-- 4. The read functions of 20261126140100 and 20261126140200, as they were.
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

comment on table public.mentor_status_changes is
  'Append-only audit trail of peer_mentors status changes, written by trigger peer_mentors_record_status_change. Clients cannot write it; pause_reason is readable only by the service role and (via mentor_status_history) coordinators.';
comment on column public.mentor_status_changes.pause_reason is
  'The pause reason the change is about: the new reason when the mentor is paused after the change, otherwise the reason of the pause that ended.';
comment on column public.mentor_status_changes.changed_by is
  'auth.uid() of the request, else the setting mentor_status.actor_id (Rust repository); NULL for maintenance or the service role without a user.';
comment on column public.mentor_status_changes.actor_role is
  'auth.role() of the request (authenticated, service_role), else the setting mentor_status.actor_role, else maintenance.';
comment on policy peer_mentors_select_own on public.peer_mentors is
  'A mentor reads their own row, without pause_reason (column privilege): list columns, select=* fails with 42501.';
comment on policy mentor_status_changes_select_own on public.mentor_status_changes is
  'A mentor reads their own history, without pause_reason (column privilege).';

-- 5. The new objects.
drop table if exists private.mentor_status_change_reasons;
drop table if exists private.mentor_pause_reasons;
drop function if exists private.check_status_change_row();
drop function if exists private.check_peer_mentor_row();
drop function if exists private.store_status_change_reason();
drop function if exists private.store_pause_reason();
drop function if exists private.mark_assigned_pause_reason();
drop function if exists private.audit_actor();
drop function if exists private.reject_invalid_stored_reason();
drop function if exists private.pause_reason_is_allowed(text);
drop function if exists private.is_national_id_number(text);
drop function if exists private.label_reason_codes();
drop function if exists private.label_health_words();
drop function if exists private.label_health_stems();
drop function if exists private.label_fold_to();
drop function if exists private.label_fold_from();
drop function if exists private.label_letter_class();
drop function if exists private.label_non_ascii_digit_class();
drop function if exists private.label_invisible_class();
drop function if exists private.label_whitespace();

-- 6. SECURITY DEFINER functions: back to search_path = '' (what every one of them had).
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
    execute format('alter function %s set search_path = %L', fn, '');
  end loop;
end
$security_definer_search_path$;

-- 7. Client privileges as before: TRIGGER and REFERENCES on the baseline tables and in the
-- default privileges (Supabase's defaults; later tables revoked everything themselves);
-- column-level UPDATE of peer_mentors without the status columns; column-level SELECT
-- without pause_reason (a table-level REVOKE also revokes the column-level privileges of
-- that kind, hence the grant after it).
alter default privileges for role postgres in schema public
  grant trigger, references on tables to anon, authenticated;

grant trigger, references on table
  public.chapters,
  public.peer_mentors,
  public.chapter_memberships,
  public.chapter_coordinators,
  public.assignments,
  public.activities
  to anon, authenticated;

revoke select on table public.mentor_status_changes from anon;

do $client_column_privileges$
declare
  client_role text;
  tbl regclass;
  readable text;
  updatable text;
begin
  foreach tbl in array array['public.peer_mentors'::regclass, 'public.mentor_status_changes'::regclass] loop
    select string_agg(pg_catalog.quote_ident(a.attname), ', ' order by a.attnum)
             filter (where a.attname <> 'pause_reason'),
           string_agg(pg_catalog.quote_ident(a.attname), ', ' order by a.attnum)
             filter (where a.attname not in ('status', 'pause_at', 'pause_reason'))
      into readable, updatable
      from pg_catalog.pg_attribute as a
     where a.attrelid = tbl
       and a.attnum > 0
       and not a.attisdropped;
    foreach client_role in array array['anon', 'authenticated'] loop
      if exists (select 1
                   from pg_catalog.pg_class as c
                  cross join lateral pg_catalog.aclexplode(c.relacl) as acl
                  where c.oid = tbl
                    and acl.grantee = pg_catalog.to_regrole(client_role)
                    and acl.privilege_type = 'SELECT') then
        execute format('revoke select on table %s from %I', tbl, client_role);
        execute format('grant select (%s) on table %s to %I', readable, tbl, client_role);
      end if;
      if tbl = 'public.peer_mentors'::regclass then
        execute format('grant update (%s) on table %s to %I', updatable, tbl, client_role);
      end if;
    end loop;
  end loop;
end
$client_column_privileges$;
