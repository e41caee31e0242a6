-- Status changes for clients: the RPC functions pause_mentor, resume_mentor,
-- deactivate_mentor and reactivate_mentor (PostgREST: POST /rpc/<name>).
--
-- They apply the domain crate's rules exactly (crates/domain/src/authz.rs, transition.rs):
--
--   authorization (checked first)   | pause (code/none) | resume | deactivate | reactivate
--   the mentor, on themselves       | yes               | yes    | no         | no
--   a coordinator sharing an ACTIVE | yes               | yes    | yes        | yes
--     chapter with the mentor       |                   |        |            |
--   the service role                | yes               | yes    | yes        | yes
--   anyone else (anon included)     | no                | no     | no         | no
--
--   transition                      | pause             | resume | deactivate | reactivate
--   active                          | paused, now()     | error  | inactive   | error
--   paused                          | error             | active | inactive   | error
--   inactive                        | error             | error  | error      | active
--   Leaving paused clears pause_at and pause_reason; a double click is an error, never a
--   silent no-op.
--
-- The domain gives one role per request; the database only knows the signed-in user, so a
-- user who is both the mentor and a coordinator of one of their chapters gets the union of
-- both rules (what either role may do).
--
-- Pause reasons: these functions accept ONLY a reason code (vacation, personal, capacity,
-- training, relocation, other; surrounding blanks ignored) or NULL, from every caller. A
-- free-text label needs the domain's checks (national identity numbers with check digits,
-- phone numbers, e-mail addresses, health words, invisible characters) that the database
-- cannot run; labels are therefore recorded only through the backend (Rust repository),
-- which is stricter than the CHECK constraint on the column. A mentor passing anything but
-- a code is refused as the domain refuses it (not allowed); a coordinator or the service
-- role passing a non-code gets invalid_parameter_value.
--
-- Errors (SQLSTATE -> HTTP status as PostgREST maps it; messages are the domain's):
--   42501 insufficient_privilege: not allowed -> 403 (401 for anon)
--     'a mentor may only change their own status'
--     'a mentor may not deactivate themselves, ask a coordinator' (and reactivate)
--     'a mentor may pause only with a reason code or no reason, not a free-text label'
--     'the coordinator shares no active chapter with the mentor'
--     'sign in to change a mentor''s status'               (no JWT sub)
--     An unknown mentor id gives 42501 as well (except to the service role), so a client
--     cannot probe which ids exist. anon has no EXECUTE: "permission denied for function".
--   PT409: invalid transition -> 409 Conflict
--     'the mentor is already paused'
--     'an inactive mentor cannot be paused, reactivate first'
--     'the mentor is not paused (status is active|inactive)'
--     'the mentor is already inactive'
--     'the mentor is not inactive (status is active|paused)'
--   PT404: no mentor with this id (service role only) -> 404 Not Found
--   22023 invalid_parameter_value: a reason that is not a code, from a coordinator or the
--     service role -> 400
--   Authorization is checked before the reason and the transition, so a caller who may not
--   act learns nothing about the mentor's state.
--
-- Each function returns the new (id, status, pause_at) — never pause_reason. The row is
-- locked (FOR UPDATE) before the transition is checked, so two concurrent commands are
-- serialized and the second one sees the first one's result (and fails, e.g. already
-- paused). The update fires the audit trigger of 20261126140200.
--
-- Rollback: supabase/rollbacks/20261126140300_add_mentor_status_rpcs.sql.

set lock_timeout = '5s';
set statement_timeout = '60s';

-- The one implementation; the public functions below are thin wrappers so each command is
-- its own endpoint with its own arguments. Not callable by clients (no EXECUTE, and the
-- schema is not exposed).
create or replace function private.change_mentor_status(p_mentor_id uuid, p_command text, p_reason text)
  returns void
  language plpgsql
  security definer
  set search_path = ''
as $function$
declare
  caller constant uuid := auth.uid();
  as_service_role constant boolean := private.is_service_role();
  -- crates/domain/src/reason_code.rs, ReasonCode::ALL. Change both together.
  reason_codes constant text[] := array['vacation', 'personal', 'capacity', 'training', 'relocation', 'other'];
  reason_code text := pg_catalog.btrim(p_reason);
  reason_is_code boolean;
  is_self boolean;
  is_coordinator boolean;
  mentor_may boolean;
  current_status public.mentor_status;
begin
  if p_command is null or p_command not in ('pause', 'resume', 'deactivate', 'reactivate') then
    raise exception 'unknown mentor status command %', p_command using errcode = '22023';
  end if;
  reason_is_code := reason_code is not null and reason_code = any (reason_codes);

  -- Authorization, exactly as the domain's authorize() (see the table above).
  is_self := caller is not null
             and exists (select 1 from public.peer_mentors as m
                          where m.id = p_mentor_id and m.user_id = caller);
  is_coordinator := caller is not null and private.is_coordinator_of(p_mentor_id);
  mentor_may := p_command = 'resume'
                or (p_command = 'pause' and (p_reason is null or reason_is_code));

  if not (as_service_role or is_coordinator or (is_self and mentor_may)) then
    if caller is null then
      raise exception using errcode = '42501', message = 'sign in to change a mentor''s status';
    elsif is_self and p_command = 'pause' then
      raise exception using errcode = '42501',
        message = 'a mentor may pause only with a reason code or no reason, not a free-text label';
    elsif is_self then
      raise exception using errcode = '42501',
        message = format('a mentor may not %s themselves, ask a coordinator', p_command);
    elsif exists (select 1 from public.chapter_coordinators as c
                   where c.user_id = caller and c.active) then
      raise exception using errcode = '42501',
        message = 'the coordinator shares no active chapter with the mentor';
    else
      raise exception using errcode = '42501',
        message = 'a mentor may only change their own status';
    end if;
  end if;

  if p_command = 'pause' and p_reason is not null and not reason_is_code then
    raise exception using errcode = '22023',
      message = 'a pause reason given here must be a reason code: vacation, personal, capacity, training, relocation or other',
      hint = 'Free-text labels are recorded through the backend, which checks them for personal data.';
  end if;

  select m.status
    into current_status
    from public.peer_mentors as m
   where m.id = p_mentor_id
     for update;
  if not found then
    raise exception using errcode = 'PT404', message = 'no mentor with this id';
  end if;

  -- The transition table (domain: MentorState::apply).
  if p_command = 'pause' then
    if current_status = 'paused' then
      raise exception using errcode = 'PT409', message = 'the mentor is already paused';
    elsif current_status = 'inactive' then
      raise exception using errcode = 'PT409',
        message = 'an inactive mentor cannot be paused, reactivate first';
    end if;
    update public.peer_mentors as m
       set status = 'paused', pause_at = pg_catalog.now(), pause_reason = reason_code
     where m.id = p_mentor_id;
  elsif p_command = 'resume' then
    if current_status <> 'paused' then
      raise exception using errcode = 'PT409',
        message = format('the mentor is not paused (status is %s)', current_status);
    end if;
    update public.peer_mentors as m
       set status = 'active', pause_at = null, pause_reason = null
     where m.id = p_mentor_id;
  elsif p_command = 'deactivate' then
    if current_status = 'inactive' then
      raise exception using errcode = 'PT409', message = 'the mentor is already inactive';
    end if;
    update public.peer_mentors as m
       set status = 'inactive', pause_at = null, pause_reason = null
     where m.id = p_mentor_id;
  else
    if current_status <> 'inactive' then
      raise exception using errcode = 'PT409',
        message = format('the mentor is not inactive (status is %s)', current_status);
    end if;
    update public.peer_mentors as m
       set status = 'active'
     where m.id = p_mentor_id;
  end if;
end
$function$;

comment on function private.change_mentor_status(uuid, text, text) is
  'Applies a status command (pause, resume, deactivate, reactivate) with the domain''s authorization and transition rules; called by the public RPC functions.';

revoke all on function private.change_mentor_status(uuid, text, text) from public, anon, authenticated, service_role;

-- The endpoints. SECURITY DEFINER so they may call the private function; they add nothing
-- but the command name and read back the new status. Callable by authenticated and
-- service_role only.
create or replace function public.pause_mentor(mentor_id uuid, reason text default null)
  returns table (id uuid, status public.mentor_status, pause_at timestamptz)
  language sql
  security definer
  set search_path = ''
as $function$
  select private.change_mentor_status(pause_mentor.mentor_id, 'pause', pause_mentor.reason);
  select m.id, m.status, m.pause_at from public.peer_mentors as m where m.id = pause_mentor.mentor_id;
$function$;

create or replace function public.resume_mentor(mentor_id uuid)
  returns table (id uuid, status public.mentor_status, pause_at timestamptz)
  language sql
  security definer
  set search_path = ''
as $function$
  select private.change_mentor_status(resume_mentor.mentor_id, 'resume', null);
  select m.id, m.status, m.pause_at from public.peer_mentors as m where m.id = resume_mentor.mentor_id;
$function$;

create or replace function public.deactivate_mentor(mentor_id uuid)
  returns table (id uuid, status public.mentor_status, pause_at timestamptz)
  language sql
  security definer
  set search_path = ''
as $function$
  select private.change_mentor_status(deactivate_mentor.mentor_id, 'deactivate', null);
  select m.id, m.status, m.pause_at from public.peer_mentors as m where m.id = deactivate_mentor.mentor_id;
$function$;

create or replace function public.reactivate_mentor(mentor_id uuid)
  returns table (id uuid, status public.mentor_status, pause_at timestamptz)
  language sql
  security definer
  set search_path = ''
as $function$
  select private.change_mentor_status(reactivate_mentor.mentor_id, 'reactivate', null);
  select m.id, m.status, m.pause_at from public.peer_mentors as m where m.id = reactivate_mentor.mentor_id;
$function$;

comment on function public.pause_mentor(uuid, text) is
  'Pauses an active mentor from now(), with a reason code or none. 42501 not allowed, PT409 invalid transition, PT404 unknown mentor (service role), 22023 reason not a code.';
comment on function public.resume_mentor(uuid) is
  'Ends a pause. 42501 not allowed, PT409 invalid transition, PT404 unknown mentor (service role).';
comment on function public.deactivate_mentor(uuid) is
  'Makes an active or paused mentor inactive (coordinators, service role). 42501 not allowed, PT409 invalid transition, PT404 unknown mentor (service role).';
comment on function public.reactivate_mentor(uuid) is
  'Makes an inactive mentor active (coordinators, service role). 42501 not allowed, PT409 invalid transition, PT404 unknown mentor (service role).';

revoke all on function public.pause_mentor(uuid, text) from public, anon, authenticated, service_role;
revoke all on function public.resume_mentor(uuid) from public, anon, authenticated, service_role;
revoke all on function public.deactivate_mentor(uuid) from public, anon, authenticated, service_role;
revoke all on function public.reactivate_mentor(uuid) from public, anon, authenticated, service_role;
grant execute on function public.pause_mentor(uuid, text) to authenticated, service_role;
grant execute on function public.resume_mentor(uuid) to authenticated, service_role;
grant execute on function public.deactivate_mentor(uuid) to authenticated, service_role;
grant execute on function public.reactivate_mentor(uuid) to authenticated, service_role;
