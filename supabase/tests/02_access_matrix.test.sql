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

-- the mentor (Bjørn)
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000002', null, $sql$select id from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'rows',
  'matrix | the mentor (Bjørn) | ReadRow | Rows');
select ok(pg_temp.attempt('a0000000-0000-4000-8000-000000000002', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select pause_reason from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null) in ('none', 'null'),
  'matrix | the mentor (Bjørn) | ReadReasonColumn | Null');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000002', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select public.mentor_pause_reason('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | the mentor (Bjørn) | ReadReasonFunction | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000002', null, $sql$select status from public.pause_mentor('b0000000-0000-4000-8000-000000000002', 'vacation')$sql$, 'paused'), 'changed',
  'matrix | the mentor (Bjørn) | Pause | Changed');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000002', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.resume_mentor('b0000000-0000-4000-8000-000000000002')$sql$, 'active'), 'changed',
  'matrix | the mentor (Bjørn) | Resume | Changed');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000002', null, $sql$select status from public.deactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | the mentor (Bjørn) | Deactivate | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000002', $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.reactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | the mentor (Bjørn) | Reactivate | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000002', null, $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002' returning status$sql$, null), 'denied',
  'matrix | the mentor (Bjørn) | UpdateStatus | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000002', null, $sql$select to_status from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'rows',
  'matrix | the mentor (Bjørn) | ReadAudit | Rows');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000002', null, $sql$select to_status from public.mentor_status_history('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | the mentor (Bjørn) | ReadHistory | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000002', null, $sql$insert into public.mentor_status_changes (mentor_id, from_status, to_status, changed_by, actor_role) values ('b0000000-0000-4000-8000-000000000002', 'active', 'inactive', 'a0000000-0000-4000-8000-000000000002', 'authenticated') returning id$sql$, null), 'denied',
  'matrix | the mentor (Bjørn) | WriteAudit | Denied | insert');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000002', null, $sql$update public.mentor_status_changes set to_status = 'inactive' where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | the mentor (Bjørn) | WriteAudit | Denied | update');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000002', null, $sql$delete from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | the mentor (Bjørn) | WriteAudit | Denied | delete');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000002', null, $sql$truncate public.mentor_status_changes$sql$, null), 'denied',
  'matrix | the mentor (Bjørn) | WriteAudit | Denied | truncate');

-- another mentor of the same chapter (Ada)
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000001', null, $sql$select id from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'none',
  'matrix | another mentor of the same chapter (Ada) | ReadRow | None');
select ok(pg_temp.attempt('a0000000-0000-4000-8000-000000000001', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select pause_reason from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null) in ('none', 'null'),
  'matrix | another mentor of the same chapter (Ada) | ReadReasonColumn | Null');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000001', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select public.mentor_pause_reason('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | another mentor of the same chapter (Ada) | ReadReasonFunction | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000001', null, $sql$select status from public.pause_mentor('b0000000-0000-4000-8000-000000000002', 'vacation')$sql$, null), 'denied',
  'matrix | another mentor of the same chapter (Ada) | Pause | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000001', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.resume_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | another mentor of the same chapter (Ada) | Resume | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000001', null, $sql$select status from public.deactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | another mentor of the same chapter (Ada) | Deactivate | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000001', $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.reactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | another mentor of the same chapter (Ada) | Reactivate | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000001', null, $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002' returning status$sql$, null), 'denied',
  'matrix | another mentor of the same chapter (Ada) | UpdateStatus | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000001', null, $sql$select to_status from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'none',
  'matrix | another mentor of the same chapter (Ada) | ReadAudit | None');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000001', null, $sql$select to_status from public.mentor_status_history('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | another mentor of the same chapter (Ada) | ReadHistory | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000001', null, $sql$insert into public.mentor_status_changes (mentor_id, from_status, to_status, changed_by, actor_role) values ('b0000000-0000-4000-8000-000000000002', 'active', 'inactive', 'a0000000-0000-4000-8000-000000000002', 'authenticated') returning id$sql$, null), 'denied',
  'matrix | another mentor of the same chapter (Ada) | WriteAudit | Denied | insert');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000001', null, $sql$update public.mentor_status_changes set to_status = 'inactive' where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | another mentor of the same chapter (Ada) | WriteAudit | Denied | update');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000001', null, $sql$delete from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | another mentor of the same chapter (Ada) | WriteAudit | Denied | delete');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000001', null, $sql$truncate public.mentor_status_changes$sql$, null), 'denied',
  'matrix | another mentor of the same chapter (Ada) | WriteAudit | Denied | truncate');

-- coordinator of both his chapters (Kari)
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000011', null, $sql$select id from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'rows',
  'matrix | coordinator of both his chapters (Kari) | ReadRow | Rows');
select ok(pg_temp.attempt('a0000000-0000-4000-8000-000000000011', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select pause_reason from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null) in ('none', 'null'),
  'matrix | coordinator of both his chapters (Kari) | ReadReasonColumn | Null');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000011', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select public.mentor_pause_reason('b0000000-0000-4000-8000-000000000002')$sql$, null), 'reason',
  'matrix | coordinator of both his chapters (Kari) | ReadReasonFunction | Reason');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000011', null, $sql$select status from public.pause_mentor('b0000000-0000-4000-8000-000000000002', 'vacation')$sql$, 'paused'), 'changed',
  'matrix | coordinator of both his chapters (Kari) | Pause | Changed');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000011', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.resume_mentor('b0000000-0000-4000-8000-000000000002')$sql$, 'active'), 'changed',
  'matrix | coordinator of both his chapters (Kari) | Resume | Changed');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000011', null, $sql$select status from public.deactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, 'inactive'), 'changed',
  'matrix | coordinator of both his chapters (Kari) | Deactivate | Changed');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000011', $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.reactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, 'active'), 'changed',
  'matrix | coordinator of both his chapters (Kari) | Reactivate | Changed');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000011', null, $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002' returning status$sql$, null), 'denied',
  'matrix | coordinator of both his chapters (Kari) | UpdateStatus | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000011', null, $sql$select to_status from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'rows',
  'matrix | coordinator of both his chapters (Kari) | ReadAudit | Rows');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000011', null, $sql$select to_status from public.mentor_status_history('b0000000-0000-4000-8000-000000000002')$sql$, null), 'rows',
  'matrix | coordinator of both his chapters (Kari) | ReadHistory | Rows');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000011', null, $sql$insert into public.mentor_status_changes (mentor_id, from_status, to_status, changed_by, actor_role) values ('b0000000-0000-4000-8000-000000000002', 'active', 'inactive', 'a0000000-0000-4000-8000-000000000002', 'authenticated') returning id$sql$, null), 'denied',
  'matrix | coordinator of both his chapters (Kari) | WriteAudit | Denied | insert');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000011', null, $sql$update public.mentor_status_changes set to_status = 'inactive' where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | coordinator of both his chapters (Kari) | WriteAudit | Denied | update');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000011', null, $sql$delete from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | coordinator of both his chapters (Kari) | WriteAudit | Denied | delete');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000011', null, $sql$truncate public.mentor_status_changes$sql$, null), 'denied',
  'matrix | coordinator of both his chapters (Kari) | WriteAudit | Denied | truncate');

-- coordinator sharing one of his two chapters (Berit)
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000014', null, $sql$select id from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'rows',
  'matrix | coordinator sharing one of his two chapters (Berit) | ReadRow | Rows');
select ok(pg_temp.attempt('a0000000-0000-4000-8000-000000000014', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select pause_reason from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null) in ('none', 'null'),
  'matrix | coordinator sharing one of his two chapters (Berit) | ReadReasonColumn | Null');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000014', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select public.mentor_pause_reason('b0000000-0000-4000-8000-000000000002')$sql$, null), 'reason',
  'matrix | coordinator sharing one of his two chapters (Berit) | ReadReasonFunction | Reason');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000014', null, $sql$select status from public.pause_mentor('b0000000-0000-4000-8000-000000000002', 'vacation')$sql$, 'paused'), 'changed',
  'matrix | coordinator sharing one of his two chapters (Berit) | Pause | Changed');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000014', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.resume_mentor('b0000000-0000-4000-8000-000000000002')$sql$, 'active'), 'changed',
  'matrix | coordinator sharing one of his two chapters (Berit) | Resume | Changed');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000014', null, $sql$select status from public.deactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, 'inactive'), 'changed',
  'matrix | coordinator sharing one of his two chapters (Berit) | Deactivate | Changed');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000014', $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.reactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, 'active'), 'changed',
  'matrix | coordinator sharing one of his two chapters (Berit) | Reactivate | Changed');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000014', null, $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002' returning status$sql$, null), 'denied',
  'matrix | coordinator sharing one of his two chapters (Berit) | UpdateStatus | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000014', null, $sql$select to_status from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'rows',
  'matrix | coordinator sharing one of his two chapters (Berit) | ReadAudit | Rows');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000014', null, $sql$select to_status from public.mentor_status_history('b0000000-0000-4000-8000-000000000002')$sql$, null), 'rows',
  'matrix | coordinator sharing one of his two chapters (Berit) | ReadHistory | Rows');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000014', null, $sql$insert into public.mentor_status_changes (mentor_id, from_status, to_status, changed_by, actor_role) values ('b0000000-0000-4000-8000-000000000002', 'active', 'inactive', 'a0000000-0000-4000-8000-000000000002', 'authenticated') returning id$sql$, null), 'denied',
  'matrix | coordinator sharing one of his two chapters (Berit) | WriteAudit | Denied | insert');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000014', null, $sql$update public.mentor_status_changes set to_status = 'inactive' where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | coordinator sharing one of his two chapters (Berit) | WriteAudit | Denied | update');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000014', null, $sql$delete from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | coordinator sharing one of his two chapters (Berit) | WriteAudit | Denied | delete');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000014', null, $sql$truncate public.mentor_status_changes$sql$, null), 'denied',
  'matrix | coordinator sharing one of his two chapters (Berit) | WriteAudit | Denied | truncate');

-- coordinator of another chapter (Trond)
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000012', null, $sql$select id from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'none',
  'matrix | coordinator of another chapter (Trond) | ReadRow | None');
select ok(pg_temp.attempt('a0000000-0000-4000-8000-000000000012', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select pause_reason from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null) in ('none', 'null'),
  'matrix | coordinator of another chapter (Trond) | ReadReasonColumn | Null');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000012', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select public.mentor_pause_reason('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | coordinator of another chapter (Trond) | ReadReasonFunction | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000012', null, $sql$select status from public.pause_mentor('b0000000-0000-4000-8000-000000000002', 'vacation')$sql$, null), 'denied',
  'matrix | coordinator of another chapter (Trond) | Pause | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000012', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.resume_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | coordinator of another chapter (Trond) | Resume | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000012', null, $sql$select status from public.deactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | coordinator of another chapter (Trond) | Deactivate | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000012', $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.reactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | coordinator of another chapter (Trond) | Reactivate | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000012', null, $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002' returning status$sql$, null), 'denied',
  'matrix | coordinator of another chapter (Trond) | UpdateStatus | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000012', null, $sql$select to_status from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'none',
  'matrix | coordinator of another chapter (Trond) | ReadAudit | None');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000012', null, $sql$select to_status from public.mentor_status_history('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | coordinator of another chapter (Trond) | ReadHistory | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000012', null, $sql$insert into public.mentor_status_changes (mentor_id, from_status, to_status, changed_by, actor_role) values ('b0000000-0000-4000-8000-000000000002', 'active', 'inactive', 'a0000000-0000-4000-8000-000000000002', 'authenticated') returning id$sql$, null), 'denied',
  'matrix | coordinator of another chapter (Trond) | WriteAudit | Denied | insert');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000012', null, $sql$update public.mentor_status_changes set to_status = 'inactive' where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | coordinator of another chapter (Trond) | WriteAudit | Denied | update');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000012', null, $sql$delete from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | coordinator of another chapter (Trond) | WriteAudit | Denied | delete');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000012', null, $sql$truncate public.mentor_status_changes$sql$, null), 'denied',
  'matrix | coordinator of another chapter (Trond) | WriteAudit | Denied | truncate');

-- former coordinator of his chapter (Ingrid)
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000013', null, $sql$select id from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'none',
  'matrix | former coordinator of his chapter (Ingrid) | ReadRow | None');
select ok(pg_temp.attempt('a0000000-0000-4000-8000-000000000013', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select pause_reason from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null) in ('none', 'null'),
  'matrix | former coordinator of his chapter (Ingrid) | ReadReasonColumn | Null');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000013', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select public.mentor_pause_reason('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | former coordinator of his chapter (Ingrid) | ReadReasonFunction | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000013', null, $sql$select status from public.pause_mentor('b0000000-0000-4000-8000-000000000002', 'vacation')$sql$, null), 'denied',
  'matrix | former coordinator of his chapter (Ingrid) | Pause | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000013', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.resume_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | former coordinator of his chapter (Ingrid) | Resume | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000013', null, $sql$select status from public.deactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | former coordinator of his chapter (Ingrid) | Deactivate | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000013', $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.reactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | former coordinator of his chapter (Ingrid) | Reactivate | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000013', null, $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002' returning status$sql$, null), 'denied',
  'matrix | former coordinator of his chapter (Ingrid) | UpdateStatus | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000013', null, $sql$select to_status from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'none',
  'matrix | former coordinator of his chapter (Ingrid) | ReadAudit | None');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000013', null, $sql$select to_status from public.mentor_status_history('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | former coordinator of his chapter (Ingrid) | ReadHistory | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000013', null, $sql$insert into public.mentor_status_changes (mentor_id, from_status, to_status, changed_by, actor_role) values ('b0000000-0000-4000-8000-000000000002', 'active', 'inactive', 'a0000000-0000-4000-8000-000000000002', 'authenticated') returning id$sql$, null), 'denied',
  'matrix | former coordinator of his chapter (Ingrid) | WriteAudit | Denied | insert');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000013', null, $sql$update public.mentor_status_changes set to_status = 'inactive' where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | former coordinator of his chapter (Ingrid) | WriteAudit | Denied | update');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000013', null, $sql$delete from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | former coordinator of his chapter (Ingrid) | WriteAudit | Denied | delete');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000013', null, $sql$truncate public.mentor_status_changes$sql$, null), 'denied',
  'matrix | former coordinator of his chapter (Ingrid) | WriteAudit | Denied | truncate');

-- coordinator of a chapter he left (Tove)
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000015', null, $sql$select id from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'none',
  'matrix | coordinator of a chapter he left (Tove) | ReadRow | None');
select ok(pg_temp.attempt('a0000000-0000-4000-8000-000000000015', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select pause_reason from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null) in ('none', 'null'),
  'matrix | coordinator of a chapter he left (Tove) | ReadReasonColumn | Null');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000015', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select public.mentor_pause_reason('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | coordinator of a chapter he left (Tove) | ReadReasonFunction | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000015', null, $sql$select status from public.pause_mentor('b0000000-0000-4000-8000-000000000002', 'vacation')$sql$, null), 'denied',
  'matrix | coordinator of a chapter he left (Tove) | Pause | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000015', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.resume_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | coordinator of a chapter he left (Tove) | Resume | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000015', null, $sql$select status from public.deactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | coordinator of a chapter he left (Tove) | Deactivate | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000015', $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.reactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | coordinator of a chapter he left (Tove) | Reactivate | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000015', null, $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002' returning status$sql$, null), 'denied',
  'matrix | coordinator of a chapter he left (Tove) | UpdateStatus | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000015', null, $sql$select to_status from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'none',
  'matrix | coordinator of a chapter he left (Tove) | ReadAudit | None');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000015', null, $sql$select to_status from public.mentor_status_history('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | coordinator of a chapter he left (Tove) | ReadHistory | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000015', null, $sql$insert into public.mentor_status_changes (mentor_id, from_status, to_status, changed_by, actor_role) values ('b0000000-0000-4000-8000-000000000002', 'active', 'inactive', 'a0000000-0000-4000-8000-000000000002', 'authenticated') returning id$sql$, null), 'denied',
  'matrix | coordinator of a chapter he left (Tove) | WriteAudit | Denied | insert');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000015', null, $sql$update public.mentor_status_changes set to_status = 'inactive' where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | coordinator of a chapter he left (Tove) | WriteAudit | Denied | update');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000015', null, $sql$delete from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | coordinator of a chapter he left (Tove) | WriteAudit | Denied | delete');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000015', null, $sql$truncate public.mentor_status_changes$sql$, null), 'denied',
  'matrix | coordinator of a chapter he left (Tove) | WriteAudit | Denied | truncate');

-- signed-in user with no role (Ola)
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000099', null, $sql$select id from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'none',
  'matrix | signed-in user with no role (Ola) | ReadRow | None');
select ok(pg_temp.attempt('a0000000-0000-4000-8000-000000000099', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select pause_reason from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null) in ('none', 'null'),
  'matrix | signed-in user with no role (Ola) | ReadReasonColumn | Null');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000099', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select public.mentor_pause_reason('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | signed-in user with no role (Ola) | ReadReasonFunction | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000099', null, $sql$select status from public.pause_mentor('b0000000-0000-4000-8000-000000000002', 'vacation')$sql$, null), 'denied',
  'matrix | signed-in user with no role (Ola) | Pause | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000099', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.resume_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | signed-in user with no role (Ola) | Resume | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000099', null, $sql$select status from public.deactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | signed-in user with no role (Ola) | Deactivate | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000099', $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.reactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | signed-in user with no role (Ola) | Reactivate | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000099', null, $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002' returning status$sql$, null), 'denied',
  'matrix | signed-in user with no role (Ola) | UpdateStatus | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000099', null, $sql$select to_status from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'none',
  'matrix | signed-in user with no role (Ola) | ReadAudit | None');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000099', null, $sql$select to_status from public.mentor_status_history('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | signed-in user with no role (Ola) | ReadHistory | Denied');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000099', null, $sql$insert into public.mentor_status_changes (mentor_id, from_status, to_status, changed_by, actor_role) values ('b0000000-0000-4000-8000-000000000002', 'active', 'inactive', 'a0000000-0000-4000-8000-000000000002', 'authenticated') returning id$sql$, null), 'denied',
  'matrix | signed-in user with no role (Ola) | WriteAudit | Denied | insert');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000099', null, $sql$update public.mentor_status_changes set to_status = 'inactive' where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | signed-in user with no role (Ola) | WriteAudit | Denied | update');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000099', null, $sql$delete from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | signed-in user with no role (Ola) | WriteAudit | Denied | delete');
select is(pg_temp.attempt('a0000000-0000-4000-8000-000000000099', null, $sql$truncate public.mentor_status_changes$sql$, null), 'denied',
  'matrix | signed-in user with no role (Ola) | WriteAudit | Denied | truncate');

-- anon
select is(pg_temp.attempt('anon', null, $sql$select id from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'none',
  'matrix | anon | ReadRow | None');
select ok(pg_temp.attempt('anon', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select pause_reason from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null) in ('none', 'null'),
  'matrix | anon | ReadReasonColumn | Null');
select is(pg_temp.attempt('anon', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select public.mentor_pause_reason('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | anon | ReadReasonFunction | Denied');
select is(pg_temp.attempt('anon', null, $sql$select status from public.pause_mentor('b0000000-0000-4000-8000-000000000002', 'vacation')$sql$, null), 'denied',
  'matrix | anon | Pause | Denied');
select is(pg_temp.attempt('anon', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.resume_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | anon | Resume | Denied');
select is(pg_temp.attempt('anon', null, $sql$select status from public.deactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | anon | Deactivate | Denied');
select is(pg_temp.attempt('anon', $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.reactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | anon | Reactivate | Denied');
select is(pg_temp.attempt('anon', null, $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002' returning status$sql$, null), 'denied',
  'matrix | anon | UpdateStatus | Denied');
select is(pg_temp.attempt('anon', null, $sql$select to_status from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'none',
  'matrix | anon | ReadAudit | None');
select is(pg_temp.attempt('anon', null, $sql$select to_status from public.mentor_status_history('b0000000-0000-4000-8000-000000000002')$sql$, null), 'denied',
  'matrix | anon | ReadHistory | Denied');
select is(pg_temp.attempt('anon', null, $sql$insert into public.mentor_status_changes (mentor_id, from_status, to_status, changed_by, actor_role) values ('b0000000-0000-4000-8000-000000000002', 'active', 'inactive', 'a0000000-0000-4000-8000-000000000002', 'authenticated') returning id$sql$, null), 'denied',
  'matrix | anon | WriteAudit | Denied | insert');
select is(pg_temp.attempt('anon', null, $sql$update public.mentor_status_changes set to_status = 'inactive' where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | anon | WriteAudit | Denied | update');
select is(pg_temp.attempt('anon', null, $sql$delete from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | anon | WriteAudit | Denied | delete');
select is(pg_temp.attempt('anon', null, $sql$truncate public.mentor_status_changes$sql$, null), 'denied',
  'matrix | anon | WriteAudit | Denied | truncate');

-- service_role
select is(pg_temp.attempt('service_role', null, $sql$select id from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'rows',
  'matrix | service_role | ReadRow | Rows');
select ok(pg_temp.attempt('service_role', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select pause_reason from public.peer_mentors where id = 'b0000000-0000-4000-8000-000000000002'$sql$, null) in ('none', 'null'),
  'matrix | service_role | ReadReasonColumn | Null');
select is(pg_temp.attempt('service_role', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select public.mentor_pause_reason('b0000000-0000-4000-8000-000000000002')$sql$, null), 'reason',
  'matrix | service_role | ReadReasonFunction | Reason');
select is(pg_temp.attempt('service_role', null, $sql$select status from public.pause_mentor('b0000000-0000-4000-8000-000000000002', 'vacation')$sql$, 'paused'), 'changed',
  'matrix | service_role | Pause | Changed');
select is(pg_temp.attempt('service_role', $sql$update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.resume_mentor('b0000000-0000-4000-8000-000000000002')$sql$, 'active'), 'changed',
  'matrix | service_role | Resume | Changed');
select is(pg_temp.attempt('service_role', null, $sql$select status from public.deactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, 'inactive'), 'changed',
  'matrix | service_role | Deactivate | Changed');
select is(pg_temp.attempt('service_role', $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002'$sql$, $sql$select status from public.reactivate_mentor('b0000000-0000-4000-8000-000000000002')$sql$, 'active'), 'changed',
  'matrix | service_role | Reactivate | Changed');
select is(pg_temp.attempt('service_role', null, $sql$update public.peer_mentors set status = 'inactive' where id = 'b0000000-0000-4000-8000-000000000002' returning status$sql$, 'inactive'), 'changed',
  'matrix | service_role | UpdateStatus | Changed');
select is(pg_temp.attempt('service_role', null, $sql$select to_status from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002'$sql$, null), 'rows',
  'matrix | service_role | ReadAudit | Rows');
select is(pg_temp.attempt('service_role', null, $sql$select to_status from public.mentor_status_history('b0000000-0000-4000-8000-000000000002')$sql$, null), 'rows',
  'matrix | service_role | ReadHistory | Rows');
select is(pg_temp.attempt('service_role', null, $sql$insert into public.mentor_status_changes (mentor_id, from_status, to_status, changed_by, actor_role) values ('b0000000-0000-4000-8000-000000000002', 'active', 'inactive', 'a0000000-0000-4000-8000-000000000002', 'authenticated') returning id$sql$, null), 'denied',
  'matrix | service_role | WriteAudit | Denied | insert');
select is(pg_temp.attempt('service_role', null, $sql$update public.mentor_status_changes set to_status = 'inactive' where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | service_role | WriteAudit | Denied | update');
select is(pg_temp.attempt('service_role', null, $sql$delete from public.mentor_status_changes where mentor_id = 'b0000000-0000-4000-8000-000000000002' returning id$sql$, null), 'denied',
  'matrix | service_role | WriteAudit | Denied | delete');
select is(pg_temp.attempt('service_role', null, $sql$truncate public.mentor_status_changes$sql$, null), 'denied',
  'matrix | service_role | WriteAudit | Denied | truncate');

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
