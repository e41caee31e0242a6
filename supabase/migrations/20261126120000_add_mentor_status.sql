-- Mentor status: active / paused / inactive, with when a pause takes effect and why.
--
-- Adds enum public.mentor_status, the columns peer_mentors.status, pause_at, pause_reason,
-- and four CHECK constraints tying them together. Safe on a large, busy peer_mentors table:
--   * no table rewrite: the only default is a constant (see the ALTER below);
--   * no full-table scan under ACCESS EXCLUSIVE: the constraints are added NOT VALID here
--     and validated by the next migration, 20261126120100_validate_mentor_status_checks.sql,
--     in its own transaction. (NOT VALID then VALIDATE in the SAME transaction gains
--     nothing: the ACCESS EXCLUSIVE lock taken here is held until commit.) NOT VALID
--     constraints are already enforced for every row inserted or updated from now on;
--     only the check of the existing rows is deferred.
--   * idempotent: running the file again changes nothing.
--
-- The runner (like the Supabase CLI) wraps this file and its history row in ONE
-- transaction: no BEGIN/COMMIT here.
-- Rollback: supabase/rollbacks/20261126120000_add_mentor_status.sql.

-- An ALTER TABLE waiting for its ACCESS EXCLUSIVE lock (behind a long transaction) queues
-- every later query on peer_mentors behind it, freezing the app: give up after 5 s and let
-- the deploy be retried instead. statement_timeout bounds the whole statement as a safety
-- net. Plain SET, not SET LOCAL: the Supabase CLI runs the file as an implicit transaction
-- in which SET LOCAL misbehaves, and the runner does RESET ALL between files.
set lock_timeout = '5s';
set statement_timeout = '60s';

-- ---------------------------------------------------------------------------------------
-- The enum type.
-- CREATE TYPE has no IF NOT EXISTS (`CREATE TYPE IF NOT EXISTS` is a syntax error), so the
-- type is created only if missing. If a type of that name exists with other labels, stop:
-- silently reusing it would leave the columns below with the wrong set of statuses.
-- ---------------------------------------------------------------------------------------
do $mentor_status_type$
declare
  expected text[] := array['active', 'paused', 'inactive'];
  found_kind "char";
  found text[];
begin
  select t.typtype
    into found_kind
    from pg_catalog.pg_type as t
    join pg_catalog.pg_namespace as n on n.oid = t.typnamespace
   where n.nspname = 'public'
     and t.typname = 'mentor_status';

  if found_kind is null then
    create type public.mentor_status as enum ('active', 'paused', 'inactive');
    return;
  end if;

  if found_kind <> 'e' then
    raise exception 'type public.mentor_status already exists but is not an enum (pg_type.typtype = %); this migration expects enum labels %',
        found_kind, expected
      using errcode = 'duplicate_object',
            hint = 'Rename or drop the existing type public.mentor_status (and whatever uses it), then run this migration again.';
  end if;

  select coalesce(array_agg(e.enumlabel::text order by e.enumsortorder), '{}')
    into found
    from pg_catalog.pg_enum as e
   where e.enumtypid = 'public.mentor_status'::regtype;

  if found is distinct from expected then
    raise exception 'type public.mentor_status already exists with labels % but this migration expects exactly % (in that order)',
        found, expected
      using errcode = 'duplicate_object',
            detail = format('expected: %s; found: %s', expected, found),
            hint = 'This migration never alters an existing type. Either convert the existing type with a separate migration (ALTER TYPE ... RENAME VALUE / ADD VALUE, or a new type and a column conversion) or, if nothing uses it, drop it; then run this migration again.';
  end if;
end
$mentor_status_type$;

-- ---------------------------------------------------------------------------------------
-- The columns.
-- A constant default (here the enum constant 'active') is stored once in the catalog
-- (pg_attribute.attmissingval, the PostgreSQL 11+ "fast default"): existing rows are not
-- rewritten and NOT NULL needs no scan, so this takes ACCESS EXCLUSIVE for milliseconds.
-- A volatile default (now(), gen_random_uuid()) would rewrite the whole table.
-- ---------------------------------------------------------------------------------------
alter table public.peer_mentors
  add column if not exists status public.mentor_status not null default 'active',
  add column if not exists pause_at timestamptz null,
  add column if not exists pause_reason text null;

-- ADD COLUMN IF NOT EXISTS skips a column that already exists, whatever its type: make
-- sure a re-run did not silently accept columns of another shape.
do $mentor_status_columns$
declare
  mismatches text;
begin
  select string_agg(format('%s is %s, expected %s',
                           w.column_name,
                           case when a.attnum is null then 'missing'
                                else format_type(a.atttypid, a.atttypmod)
                                     || case when a.attnotnull then ' not null' else ' null' end
                           end,
                           format_type(w.expected_type, null)
                             || case when w.expected_not_null then ' not null' else ' null' end),
                    '; ' order by w.column_name)
    into mismatches
    from (values
      ('status',       'public.mentor_status'::regtype, true),
      ('pause_at',     'timestamptz'::regtype,          false),
      ('pause_reason', 'text'::regtype,                 false)
    ) as w(column_name, expected_type, expected_not_null)
    left join pg_catalog.pg_attribute as a
      on a.attrelid = 'public.peer_mentors'::regclass
     and a.attname = w.column_name
     and not a.attisdropped
   where a.attnum is null
      or a.atttypid <> w.expected_type
      or a.attnotnull <> w.expected_not_null;

  if mismatches is not null then
    raise exception 'public.peer_mentors already has status columns of another shape: %', mismatches
      using errcode = 'duplicate_column',
            hint = 'Migrate or drop those columns with a separate migration, then run this migration again.';
  end if;
end
$mentor_status_columns$;

-- ---------------------------------------------------------------------------------------
-- The CHECK constraints, NOT VALID: adding them is a catalog change only (no scan of the
-- existing rows while ACCESS EXCLUSIVE is held). ADD CONSTRAINT has no IF NOT EXISTS
-- either (syntax error), so each is added only if pg_constraint does not have it yet.
-- chk_pause_reason_no_national_id: the Rust domain crate mirrors this exact predicate
-- (at most 200 characters, nothing shaped like a Norwegian national identity number:
-- 6 digits, optional separator, 5 digits). Change both together.
-- ---------------------------------------------------------------------------------------
do $mentor_status_checks$
begin
  if not exists (select 1 from pg_catalog.pg_constraint
                  where conrelid = 'public.peer_mentors'::regclass
                    and conname = 'chk_pause_at_required') then
    alter table public.peer_mentors
      add constraint chk_pause_at_required
      check (status <> 'paused' or pause_at is not null) not valid;
  end if;

  if not exists (select 1 from pg_catalog.pg_constraint
                  where conrelid = 'public.peer_mentors'::regclass
                    and conname = 'chk_pause_at_only_when_paused') then
    alter table public.peer_mentors
      add constraint chk_pause_at_only_when_paused
      check (status = 'paused' or pause_at is null) not valid;
  end if;

  if not exists (select 1 from pg_catalog.pg_constraint
                  where conrelid = 'public.peer_mentors'::regclass
                    and conname = 'chk_pause_reason_only_when_paused') then
    alter table public.peer_mentors
      add constraint chk_pause_reason_only_when_paused
      check (status = 'paused' or pause_reason is null) not valid;
  end if;

  if not exists (select 1 from pg_catalog.pg_constraint
                  where conrelid = 'public.peer_mentors'::regclass
                    and conname = 'chk_pause_reason_no_national_id') then
    alter table public.peer_mentors
      add constraint chk_pause_reason_no_national_id
      check (pause_reason is null or (char_length(pause_reason) <= 200 and pause_reason !~ '[0-9]{6}[ .-]?[0-9]{5}')) not valid;
  end if;
end
$mentor_status_checks$;

-- ---------------------------------------------------------------------------------------
-- Documentation in the catalog (shown by psql \d+, Supabase Studio, pg_dump).
-- ---------------------------------------------------------------------------------------
comment on type public.mentor_status is
  'Status of a peer mentor: active (takes assignments), paused (temporarily not, from pause_at), inactive (left).';
comment on column public.peer_mentors.status is
  'Mentor status: active, paused or inactive. Defaults to active.';
comment on column public.peer_mentors.pause_at is
  'When the pause takes effect. Set if and only if status = paused (chk_pause_at_required, chk_pause_at_only_when_paused).';
comment on column public.peer_mentors.pause_reason is
  'Optional short reason code for a pause (e.g. vacation), only when paused, at most 200 characters. Never a national identity number or health data (chk_pause_reason_no_national_id rejects ID-number-shaped text).';
