-- The status migration's contract (20261126120000_add_mentor_status and its VALIDATE file):
-- the enum, the columns, the CHECK constraints with rows they accept and refuse, and what
-- rows from before the migration look like. Run with `supabase test db` or
-- `cargo xtask test-db` (pg_prove); everything happens in one transaction, rolled back.
begin;
create extension if not exists pgtap with schema extensions;
\ir helpers/act_as.psql

select plan(40);

-- The enum: exactly these labels, in this order.
select has_type('public', 'mentor_status', 'type public.mentor_status exists');
select has_enum('public', 'mentor_status', 'mentor_status is an enum');
select enum_has_labels('public', 'mentor_status', array['active', 'paused', 'inactive'],
  'mentor_status has the labels active, paused, inactive in that order');

-- The columns: types, nullability, defaults.
select has_column('public', 'peer_mentors', 'status', 'peer_mentors.status exists');
select col_type_is('public', 'peer_mentors', 'status', 'mentor_status', 'status is a mentor_status');
select col_not_null('public', 'peer_mentors', 'status', 'status is NOT NULL');
select col_has_default('public', 'peer_mentors', 'status', 'status has a default');
select col_default_is('public', 'peer_mentors', 'status', 'active'::public.mentor_status, 'status defaults to active');
select has_column('public', 'peer_mentors', 'pause_at', 'peer_mentors.pause_at exists');
select col_type_is('public', 'peer_mentors', 'pause_at', 'timestamp with time zone', 'pause_at is a timestamptz');
select col_is_null('public', 'peer_mentors', 'pause_at', 'pause_at is nullable');
select col_hasnt_default('public', 'peer_mentors', 'pause_at', 'pause_at has no default');
select has_column('public', 'peer_mentors', 'pause_reason', 'peer_mentors.pause_reason exists');
select col_type_is('public', 'peer_mentors', 'pause_reason', 'text', 'pause_reason is text');
select col_is_null('public', 'peer_mentors', 'pause_reason', 'pause_reason is nullable');
select col_hasnt_default('public', 'peer_mentors', 'pause_reason', 'pause_reason has no default');

-- The CHECK constraints exist and are validated (the VALIDATE file ran).
select ok(exists (select 1 from pg_constraint where conrelid = 'public.peer_mentors'::regclass
                   and conname = c and contype = 'c' and convalidated),
          format('CHECK %s exists and is validated', c))
  from unnest(array['chk_pause_at_required', 'chk_pause_at_only_when_paused',
                    'chk_pause_reason_only_when_paused', 'chk_pause_reason_no_national_id']) as c;

-- Fixture: a user and a mentor inserted the way code from before the migration did (no
-- status columns named).
insert into auth.users (id, email) values ('d0000000-0000-4000-8000-0000000000c1', 'contract@example.org');
insert into public.peer_mentors (id, user_id, full_name, email)
values ('d0000000-0000-4000-8000-0000000000b1', 'd0000000-0000-4000-8000-0000000000c1', 'Contract Mentor', 'contract@example.org');

-- Legacy rows: a row written without the new columns is active, not paused, without reason.
select results_eq(
  $$select status::text, pause_at is null, pause_reason is null from public.peer_mentors
     where id = 'd0000000-0000-4000-8000-0000000000b1'$$,
  $$values ('active', true, true)$$,
  'a row inserted without the status columns is active with no pause time and no reason');
select is((select count(*)::int from public.peer_mentors where status is null), 0,
  'no mentor row lacks a status (the seed''s legacy rows included)');

-- Rows the constraints accept: each change in turn (they build on each other), on the
-- fixture mentor.
select lives_ok(format($$update public.peer_mentors set %s
                          where id = 'd0000000-0000-4000-8000-0000000000b1'$$, change), description)
  from (values
    ($$status = 'paused', pause_at = now()$$, 'paused with a pause time and no reason is accepted'),
    ($$pause_reason = 'vacation'$$, 'a paused mentor may have a reason code'),
    ($$pause_reason = 'ferie uke 27-30'$$, 'an everyday label with digits is accepted'),
    ($$status = 'active', pause_at = null, pause_reason = null$$, 'back to active: no pause time, no reason'),
    ($$status = 'inactive'$$, 'inactive without a pause time is accepted'),
    ($$status = 'active'$$, 'inactive back to active is accepted')
  ) as accepted(change, description);

-- Rows the constraints refuse (SQLSTATE 23514, check_violation, unless named), each naming
-- its rule; the fixture mentor is active.
select throws_ok(statement, sqlstate, null, description)
  from (values
    ($$update public.peer_mentors set status = 'paused', pause_at = null
        where id = 'd0000000-0000-4000-8000-0000000000b1'$$,
     '23514', 'paused without a pause time is refused'),
    ($$update public.peer_mentors set pause_at = now() where id = 'd0000000-0000-4000-8000-0000000000b1'$$,
     '23514', 'an active mentor with a pause time is refused'),
    ($$update public.peer_mentors set status = 'inactive', pause_at = now()
        where id = 'd0000000-0000-4000-8000-0000000000b1'$$,
     '23514', 'an inactive mentor with a pause time is refused'),
    ($$update public.peer_mentors set pause_reason = 'vacation' where id = 'd0000000-0000-4000-8000-0000000000b1'$$,
     '23514', 'an active mentor with a reason is refused'),
    ($$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = '010190 12345'
        where id = 'd0000000-0000-4000-8000-0000000000b1'$$,
     '23514', 'a national identity number as a reason is refused'),
    ($$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = repeat('x', 201)
        where id = 'd0000000-0000-4000-8000-0000000000b1'$$,
     '23514', 'a reason over 200 characters is refused'),
    ($$insert into public.peer_mentors (user_id, full_name, email, status)
        values ('d0000000-0000-4000-8000-0000000000c1', 'X', 'x@example.org', 'paused')$$,
     '23514', 'inserting a paused mentor without a pause time is refused'),
    ($$update public.peer_mentors set status = 'on_leave' where id = 'd0000000-0000-4000-8000-0000000000b1'$$,
     '22P02', 'a status outside the enum is refused'),
    ($$update public.peer_mentors set status = null where id = 'd0000000-0000-4000-8000-0000000000b1'$$,
     '23502', 'a NULL status is refused')
  ) as refused(statement, sqlstate, description);

-- A refused row is never echoed back: neither the message nor the detail of the error
-- carries a value of the row (a CHECK violation's DETAIL would repeat it).
create function pg_temp.error_of(statement text) returns text
  language plpgsql
as $$
declare
  message text;
  detail text;
  hint text;
begin
  execute statement;
  return 'no error';
exception when others then
  get stacked diagnostics message = message_text, detail = pg_exception_detail, hint = pg_exception_hint;
  return concat_ws(' | ', message, detail, hint);
end
$$;
select unalike(pg_temp.error_of($$update public.peer_mentors set status = 'paused', pause_at = null
                                   where id = 'd0000000-0000-4000-8000-0000000000b1'$$),
  '%contract@example.org%', 'a refused status change does not echo the row''s e-mail');
-- The enum is what the domain maps: every label round-trips through text.
select is(array(select unnest(enum_range(null::public.mentor_status))::text),
          array['active', 'paused', 'inactive'], 'enum_range gives the labels in order');
select is('paused'::public.mentor_status > 'active'::public.mentor_status, true,
  'labels sort in declaration order');

select * from finish();
rollback;
