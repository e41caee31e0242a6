-- Rollback of 20261126120000_add_mentor_status.sql: drops the four CHECK constraints, the
-- columns status, pause_at, pause_reason of public.peer_mentors, and the type
-- public.mentor_status. The status data is lost (local and test databases; in production,
-- prefer a forward fix).
--
-- Roll back 20261126120100_validate_mentor_status_checks.sql first (a no-op).
-- Idempotent: every DROP has IF EXISTS. No CASCADE: if anything other than these columns
-- uses the type, this stops with a message naming it instead of dropping it silently. The
-- file runs as one transaction, so a failure leaves the columns in place too.
-- Dropping a column is a catalog change (no rewrite); the column stays as a dropped
-- attribute, each up/down cycle uses 3 of the table's 1600 attribute numbers.

-- Fail fast rather than queue every query on peer_mentors behind a waiting ALTER.
set lock_timeout = '5s';
set statement_timeout = '60s';

alter table if exists public.peer_mentors
  drop constraint if exists chk_pause_reason_no_national_id,
  drop constraint if exists chk_pause_reason_only_when_paused,
  drop constraint if exists chk_pause_at_only_when_paused,
  drop constraint if exists chk_pause_at_required,
  drop column if exists pause_reason,
  drop column if exists pause_at,
  drop column if exists status;

-- Whatever still depends on the type now is not ours: name it and stop.
do $mentor_status_dependents$
declare
  type_oid oid := to_regtype('public.mentor_status');
  dependents text;
begin
  if type_oid is null then
    return;  -- already rolled back
  end if;

  select string_agg(description, '; ' order by description)
    into dependents
    from (
      -- Columns (of tables, views, composite types) of the type or of its array type.
      select format('%s %s', o.type, o.identity) as description
        from pg_catalog.pg_attribute as a
        cross join lateral pg_catalog.pg_identify_object('pg_catalog.pg_class'::regclass,
                                                         a.attrelid, a.attnum) as o
       where a.atttypid in (select t.oid from pg_catalog.pg_type as t
                             where t.oid = type_oid or t.typelem = type_oid)
         and not a.attisdropped
      union
      -- Every other object recorded as depending on the type or its array type: column
      -- defaults, constraints, functions, views, domains, ...
      select format('%s %s', o.type, o.identity)
        from pg_catalog.pg_depend as d
        cross join lateral pg_catalog.pg_identify_object(d.classid, d.objid, d.objsubid) as o
       where d.refclassid = 'pg_catalog.pg_type'::regclass
         and d.refobjid in (select t.oid from pg_catalog.pg_type as t
                             where t.oid = type_oid or t.typelem = type_oid)
         and d.deptype <> 'i'                              -- the array type's own link
         and not (d.classid = 'pg_catalog.pg_class'::regclass
                  and d.objsubid <> 0)                     -- columns: listed above
    ) as found;

  if dependents is not null then
    raise exception 'cannot roll back 20261126120000_add_mentor_status: type public.mentor_status is still used by: %', dependents
      using errcode = 'dependent_objects_still_exist',
            hint = 'Roll back (or migrate away from the type) the migrations that added those objects first, then run this rollback again. It never drops the type with CASCADE.';
  end if;
end
$mentor_status_dependents$;

drop type if exists public.mentor_status;
