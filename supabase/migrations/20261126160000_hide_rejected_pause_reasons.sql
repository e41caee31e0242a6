-- Rejected pause reasons are never echoed back.
--
-- chk_pause_reason_no_national_id (20261126120000) rejects an over-long reason or one shaped
-- like a national identity number, but a CHECK violation's DETAIL repeats the whole failing
-- row ("Failing row contains (…)"): the very number we refuse to store would reach the
-- caller (PostgREST passes the detail on) and the server log, with the mentor's e-mail and
-- phone beside it. This BEFORE trigger applies the same predicate first and raises the same
-- SQLSTATE (23514) naming the same constraint, without the value. The CHECK stays as the
-- guarantee (triggers can be disabled; constraints cannot be bypassed).
--
-- Cost: a trigger on INSERT and on UPDATE OF pause_reason only; no table scan, no rewrite.
-- CREATE TRIGGER takes SHARE ROW EXCLUSIVE on peer_mentors briefly (reads go on; writes
-- wait for the catalog change), hence lock_timeout.
--
-- Rollback: supabase/rollbacks/20261126160000_hide_rejected_pause_reasons.sql.

set lock_timeout = '5s';
set statement_timeout = '60s';

create or replace function private.reject_invalid_pause_reason()
  returns trigger
  language plpgsql
  set search_path = ''
as $function$
begin
  -- Exactly the predicate of chk_pause_reason_no_national_id, negated.
  if new.pause_reason is not null
     and (pg_catalog.char_length(new.pause_reason) > 200
          or new.pause_reason operator(pg_catalog.~) '[0-9]{6}[ .-]?[0-9]{5}') then
    raise exception using
      errcode = '23514',
      constraint = 'chk_pause_reason_no_national_id',
      message = 'pause_reason violates chk_pause_reason_no_national_id: at most 200 characters, and no national identity number (6 digits, an optional space, dot or dash, 5 digits)',
      detail = 'The rejected value is not repeated, so it reaches neither the caller nor the log.',
      hint = 'Use a reason code (vacation, personal, capacity, training, relocation, other) or a short label without personal data.';
  end if;
  return new;
end
$function$;

comment on function private.reject_invalid_pause_reason() is
  'Trigger: rejects what chk_pause_reason_no_national_id rejects, without echoing the value (a CHECK violation repeats the failing row).';

revoke all on function private.reject_invalid_pause_reason() from public, anon, authenticated, service_role;

create or replace trigger peer_mentors_reject_invalid_pause_reason
  before insert or update of pause_reason on public.peer_mentors
  for each row
  execute function private.reject_invalid_pause_reason();
