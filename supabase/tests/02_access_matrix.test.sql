-- Who may do what to a mentor, as PostgREST runs each request (a role and the JWT claims,
-- transaction-local): every actor × every operation of the Rust matrix in
-- tests/it/access/matrix.rs — the same actors, operations and expected outcomes, checked to
-- be the same by the Rust test `the_pgtap_matrix_and_the_rust_matrix_cover_the_same_cells` —
-- plus `select *` for every actor, the RPCs' SQLSTATEs and notifications.
--
-- The target is Bjørn Olsen (mentor b…02, user a…02) of supabase/seed.sql, member of Oslo and
-- Bergen. The fixture adds Berit (coordinator of Bergen only), Tove (coordinator of Tromsø,
-- a chapter Bjørn left) and two history rows. Each cell runs in a subtransaction that is
-- rolled back, so cells never see each other's changes; the whole file rolls back at the end.
-- Run with `supabase test db` or `cargo xtask test-db` (pg_prove).
begin;
create extension if not exists pgtap with schema extensions;
\ir helpers/act_as.psql

select plan(170);

-- fixture: begin (tests/it/access/matrix.rs runs these lines for the Rust matrix too)
insert into auth.users (id, email) values
  ('a0000000-0000-4000-8000-000000000014', 'berit.bergen@example.org'),
  ('a0000000-0000-4000-8000-000000000015', 'tove.tromso@example.org');
insert into public.chapter_coordinators (user_id, chapter_id) values
  ('a0000000-0000-4000-8000-000000000014', 'c0000000-0000-4000-8000-000000000002'), -- Berit: Bergen
  ('a0000000-0000-4000-8000-000000000015', 'c0000000-0000-4000-8000-000000000004'); -- Tove: Tromsø
insert into public.chapter_memberships (mentor_id, chapter_id, active) values
  ('b0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000004', false); -- Bjørn left Tromsø
update public.peer_mentors set status = 'paused', pause_at = '2026-06-01 00:00Z', pause_reason = 'training'
 where id = 'b0000000-0000-4000-8000-000000000002';
update public.peer_mentors set status = 'active', pause_at = null, pause_reason = null
 where id = 'b0000000-0000-4000-8000-000000000002';
-- fixture: end

-- Acts as `caller` (a user id, 'anon' or 'service_role').
create function pg_temp.act(caller text) returns void
  language plpgsql
as $$
begin
  case caller
    when 'anon' then perform tests.act_as_anon();
    when 'service_role' then perform tests.authenticate_as_service_role();
    else perform tests.authenticate_as(caller::uuid);
  end case;
end
$$;

-- One cell: as the owner, put Bjørn in `precondition`'s state; as `caller`, run `statement`;
-- back as the owner, say what happened; then undo all of it (the exception rolls the
-- subtransaction back). Outcomes: 'denied' (42501), 'error <SQLSTATE>', for reads 'none' (no
-- row), 'null' (a NULL value; a Null cell accepts 'none' too: no value came back either way,
-- as in the Rust matrix), 'reason' (the reason 'capacity'), 'rows' (the target's rows:
-- one mentor row, or all its audit rows), and for changes with `to_status` 'changed' (one new
-- audit row naming the caller, the mentor now `to_status`) or what went wrong instead.
create function pg_temp.attempt(caller text, precondition text, statement text, to_status text)
  returns text
  language plpgsql
as $$
declare
  target constant uuid := 'b0000000-0000-4000-8000-000000000002';
  audit_before bigint;
  history_rows bigint;
  returned bigint;
  first_value text;
  result text;
  newest record;
begin
  begin
    if precondition is not null then
      execute precondition;
    end if;
    select count(*) into audit_before from public.mentor_status_changes where mentor_id = target;
    history_rows := audit_before;
    perform pg_temp.act(caller);
    if statement like 'truncate%' then
      execute statement;
      returned := 0;
    else
      -- A CTE takes SELECTs and data-changing statements with RETURNING alike.
      execute format('with q(v) as (%s) select count(*), (array_agg(v::text))[1] from q', statement)
        into returned, first_value;
    end if;
    perform tests.clear_authentication();
    if to_status is not null then
      select c.to_status::text as to_status, c.changed_by, c.actor_role into newest
        from public.mentor_status_changes as c
       where c.mentor_id = target order by c.id desc limit 1;
      result := case
        when (select count(*) from public.mentor_status_changes where mentor_id = target) <> audit_before + 1
          then 'no single new audit row'
        when (select p.status::text from public.peer_mentors as p where p.id = target) <> to_status
          then 'the mentor is not ' || to_status
        when newest.to_status <> to_status then 'the audit row says ' || newest.to_status
        when newest.actor_role <> case when caller in ('anon', 'service_role') then caller else 'authenticated' end
          then 'the audit row names role ' || newest.actor_role
        when newest.changed_by is distinct from (case when caller in ('anon', 'service_role') then null else caller::uuid end)
          then 'the audit row names another user'
        else 'changed'
      end;
    elsif (select count(*) from public.mentor_status_changes where mentor_id = target) <> audit_before then
      result := 'the audit trail changed';
    elsif returned = 0 then
      result := 'none';
    elsif first_value is null then
      result := 'null';
    elsif first_value = 'capacity' then
      result := 'reason';
    elsif statement like '%mentor_status_%' and returned <> history_rows then
      result := format('%s of %s audit rows', returned, history_rows);
    else
      result := 'rows';
    end if;
    raise exception using errcode = 'P0001', message = 'cell-outcome', detail = result;
  exception
    when others then
      declare
        state text := sqlstate;
        message text := sqlerrm;
        detail text;
      begin
        get stacked diagnostics detail = pg_exception_detail;
        if message = 'cell-outcome' then
          return detail;
        elsif state = '42501' then
          return 'denied';
        else
          return 'error ' || state;
        end if;
      end;
  end;
end
$$;

-- The operations, as the Rust matrix's OPS (`position`: the operation's place there): what
-- the owner sets up first, what the caller runs, and the status a change leaves. WriteAudit
-- is four statements.
create temp table matrix_ops (
  seq int generated always as identity, position int, op text, detail text, precondition text, statement text, to_status text);
insert into matrix_ops (position, op, detail, precondition, statement, to_status) values
  (1, 'ReadRow', null, null, $sql$select id from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null),
  (2, 'ReadReasonColumn', null, $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select pause_reason from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null),
  (3, 'ReadReasonFunction', null, $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select public.mentor_pause_reason('b0000000-0000-4000-8000-000000000002')$sql$, null),
  (4, 'Pause', null, null, $sql$select status from public.pause_mentor('b0000000-0000-4000-8000-000000000002', 'vacation')$sql$, 'paused'),
  (5, 'Resume', null, $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.resume_mentor('b0000000-0000-4000-8000-000000000002')$sql$, 'active'),
  (6, 'Deactivate', null, null, $sql$select status from public.deactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, 'inactive'),
  (7, 'Reactivate', null, $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.reactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, 'active'),
  (8, 'UpdateStatus', null, null, $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002' returning status$sql$, 'inactive'),
  (9, 'ReadAudit', null, null, $sql$select to_status from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002'$sql$, null),
  (10, 'ReadHistory', null, null, $sql$select to_status from public.mentor_status_history('b0000000-0000-4000-8000-000000000002')$sql$, null),
  (11, 'WriteAudit', 'insert', null, $sql$insert into public.mentor_status_changes (mentor_id, from_status, to_status, changed_by, actor_role) values ('b0000000-0000-4000-8000-000000000002', 'active', 'inactive', 'a0000000-0000-4000-8000-000000000002', 'authenticated') returning id$sql$, null),
  (11, 'WriteAudit', 'update', null, $sql$update public.mentor_status_changes set to_status = 'inactive' where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null),
  (11, 'WriteAudit', 'delete', null, $sql$delete from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null),
  (11, 'WriteAudit', 'truncate', null, $sql$truncate public.mentor_status_changes$sql$, null);

-- The actors, as the Rust matrix's MATRIX: whom each acts as, and the expected outcome of
-- each operation in OPS's order (an array constructor: in an array literal, Null is NULL).
create temp table matrix_actors (position int, actor text, caller text, expected text[]);
insert into matrix_actors values
  (1, 'the mentor (Bjørn)', 'a0000000-0000-4000-8000-000000000002', array['Rows', 'Null', 'Denied', 'Changed', 'Changed', 'Denied', 'Denied', 'Denied', 'Rows', 'Denied', 'Denied']),
  (2, 'another mentor of the same chapter (Ada)', 'a0000000-0000-4000-8000-000000000001', array['None', 'Null', 'Denied', 'Denied', 'Denied', 'Denied', 'Denied', 'Denied', 'None', 'Denied', 'Denied']),
  (3, 'coordinator of both his chapters (Kari)', 'a0000000-0000-4000-8000-000000000011', array['Rows', 'Null', 'Reason', 'Changed', 'Changed', 'Changed', 'Changed', 'Denied', 'Rows', 'Rows', 'Denied']),
  (4, 'coordinator sharing one of his two chapters (Berit)', 'a0000000-0000-4000-8000-000000000014', array['Rows', 'Null', 'Reason', 'Changed', 'Changed', 'Changed', 'Changed', 'Denied', 'Rows', 'Rows', 'Denied']),
  (5, 'coordinator of another chapter (Trond)', 'a0000000-0000-4000-8000-000000000012', array['None', 'Null', 'Denied', 'Denied', 'Denied', 'Denied', 'Denied', 'Denied', 'None', 'Denied', 'Denied']),
  (6, 'former coordinator of his chapter (Ingrid)', 'a0000000-0000-4000-8000-000000000013', array['None', 'Null', 'Denied', 'Denied', 'Denied', 'Denied', 'Denied', 'Denied', 'None', 'Denied', 'Denied']),
  (7, 'coordinator of a chapter he left (Tove)', 'a0000000-0000-4000-8000-000000000015', array['None', 'Null', 'Denied', 'Denied', 'Denied', 'Denied', 'Denied', 'Denied', 'None', 'Denied', 'Denied']),
  (8, 'signed-in user with no role (Ola)', 'a0000000-0000-4000-8000-000000000099', array['None', 'Null', 'Denied', 'Denied', 'Denied', 'Denied', 'Denied', 'Denied', 'None', 'Denied', 'Denied']),
  (9, 'anon', 'anon', array['None', 'Null', 'Denied', 'Denied', 'Denied', 'Denied', 'Denied', 'Denied', 'None', 'Denied', 'Denied']),
  (10, 'service_role', 'service_role', array['Rows', 'Null', 'Reason', 'Changed', 'Changed', 'Changed', 'Changed', 'Changed', 'Rows', 'Rows', 'Denied']);

-- Every cell, in the order above. A Null cell accepts 'none' too: no value came back either
-- way, as in the Rust matrix. Only a cell expected to change the mentor checks the change.
select is(
         case when cell.expected = 'Null' and outcome = 'none' then 'null' else outcome end,
         lower(cell.expected),
         format('matrix | %s | %s | %s', cell.actor, cell.op, cell.expected) || coalesce(' | ' || cell.detail, ''))
  from (select a.actor, a.caller, o.op, o.detail, o.precondition, o.statement,
               case when a.expected[o.position] = 'Changed' then o.to_status end as to_status,
               a.expected[o.position] as expected
          from matrix_actors as a cross join matrix_ops as o
         order by a.position, o.seq) as cell
 cross join lateral pg_temp.attempt(cell.caller, cell.precondition, cell.statement, cell.to_status) as outcome;
-- `select *` works for every actor (PostgREST's GET without select=): no column is withheld.
select ok(pg_temp.attempt(who, null, format('select * from %s', tab), null) in ('rows', 'none'),
          format('select * from %s works for %s', tab, label))
  from (values ('a0000000-0000-4000-8000-000000000002', 'the mentor (Bjørn)'),
               ('a0000000-0000-4000-8000-000000000001', 'another mentor (Ada)'),
               ('a0000000-0000-4000-8000-000000000011', 'a coordinator (Kari)'),
               ('a0000000-0000-4000-8000-000000000014', 'a coordinator of one chapter (Berit)'),
               ('a0000000-0000-4000-8000-000000000012', 'a coordinator of another chapter (Trond)'),
               ('a0000000-0000-4000-8000-000000000013', 'a former coordinator (Ingrid)'),
               ('a0000000-0000-4000-8000-000000000015', 'a coordinator of a chapter he left (Tove)'),
               ('a0000000-0000-4000-8000-000000000099', 'a user with no role (Ola)'),
               ('anon', 'anon'),
               ('service_role', 'service_role')) as actors(who, label)
 cross join (values ('public.peer_mentors'), ('public.mentor_status_changes')) as tables(tab);
select is(pg_temp.attempt('anon', null, 'select * from public.peer_mentors', null), 'none',
  'anon reads no mentor row, and no error: PostgREST answers []');

-- The RPCs' SQLSTATEs, as PostgREST maps them to HTTP statuses.
select tests.authenticate_as('a0000000-0000-4000-8000-000000000011');
select throws_ok($$select public.resume_mentor('b0000000-0000-4000-8000-000000000002')$$, 'PT409', null,
  'resuming an active mentor is an invalid transition (PT409 → 409)');
select throws_ok($$select public.pause_mentor('b0000000-0000-4000-8000-000000000002', 'my own words')$$, '22023', null,
  'a pause reason that is not a code is refused (22023 → 400)');
select throws_ok($$select public.pause_mentor('b0000000-0000-4000-8000-0000000000ff')$$, '42501', null,
  'an unknown mentor is not allowed for a coordinator (42501 → 403: ids cannot be probed)');
select tests.authenticate_as_service_role();
select throws_ok($$select public.pause_mentor('b0000000-0000-4000-8000-0000000000ff')$$, 'PT404', null,
  'an unknown mentor is not found for the service role (PT404 → 404)');

-- Notifications: Kari pauses Bjørn; Berit (who shares Bergen) is told, Kari (the actor) is
-- not; each reads only her own notifications.
select tests.authenticate_as('a0000000-0000-4000-8000-000000000011');
select lives_ok($$select public.pause_mentor('b0000000-0000-4000-8000-000000000002', 'vacation')$$,
  'Kari pauses Bjørn');
select tests.authenticate_as('a0000000-0000-4000-8000-000000000014');
select is((select count(*)::int from public.status_notifications
            where change_id = (select max(id) from public.mentor_status_changes
                                where mentor_id = 'b0000000-0000-4000-8000-000000000002')), 1,
  'Berit, who shares a chapter with Bjørn, has one notification of the pause');
select tests.authenticate_as('a0000000-0000-4000-8000-000000000011');
select is((select count(*)::int from public.status_notifications
            where change_id = (select max(id) from public.mentor_status_changes
                                where mentor_id = 'b0000000-0000-4000-8000-000000000002')), 0,
  'Kari, who acted, is not notified of her own change');
select tests.authenticate_as('a0000000-0000-4000-8000-000000000002');
select is((select count(*)::int from public.status_notifications), 0,
  'Bjørn reads nobody''s notifications');
select tests.clear_authentication();
select is(array(select recipient_id::text from public.status_notifications
                 where change_id = (select max(id) from public.mentor_status_changes
                                     where mentor_id = 'b0000000-0000-4000-8000-000000000002')),
          array['a0000000-0000-4000-8000-000000000014'],
  'the outbox holds exactly one notification of the pause, Berit''s');

select * from finish();
rollback;
