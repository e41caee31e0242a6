-- Supabase platform baseline for a plain PostgreSQL server.
--
-- What this stands in for: the part of the Supabase Postgres image and of the Supabase Auth
-- service that this project's migrations, seed and tests rely on — the API roles
-- (anon, authenticated, service_role, authenticator), the `auth` schema with a minimal
-- `auth.users`, the functions `auth.uid()`, `auth.role()`, `auth.jwt()`, and Supabase's
-- default grants. Sources: supabase/postgres `migrations/db/init-scripts/` (roles, grants)
-- and supabase/auth `migrations/20240624145325_recreate_auth_functions.up.sql` (functions).
--
-- On a real Supabase stack (`supabase start` / `supabase db reset`, hosted projects) the
-- image and the Auth service provide all of this: this file is NOT applied there. It is only
-- for local databases created from a plain PostgreSQL (tests, CI), before the migrations.
--
-- It runs on every fresh database of a cluster, so it must be idempotent:
--   * roles are cluster-wide: each is created only if missing (and two databases being set
--     up at the same moment must not fail on each other's CREATE ROLE);
--   * everything else is per database and uses IF NOT EXISTS / CREATE OR REPLACE.
-- It must run as a superuser (BYPASSRLS, role attributes) — `postgres` locally.
-- Not reproduced: auth.users' other ~30 columns, the other auth tables, storage, realtime,
-- the `extensions` schema, the API roles' statement_timeout settings.

-- ---------------------------------------------------------------------------------------
-- Roles (cluster-wide)
-- ---------------------------------------------------------------------------------------
do $platform_roles$
declare
  wanted record;
  existing record;
begin
  for wanted in
    select *
    from (values
      -- name,          login, inherit, bypassrls
      ('anon',          false, false,   false),
      ('authenticated', false, false,   false),
      ('service_role',  false, false,   true),
      ('authenticator', true,  false,   false)
    ) as v(rolname, can_login, inherit, bypass_rls)
  loop
    select r.rolcanlogin, r.rolinherit, r.rolbypassrls
      into existing
      from pg_catalog.pg_roles as r
     where r.rolname = wanted.rolname;

    if not found then
      begin
        execute format(
          'create role %I %s %s %s',
          wanted.rolname,
          case when wanted.can_login then 'login' else 'nologin' end,
          case when wanted.inherit then 'inherit' else 'noinherit' end,
          case when wanted.bypass_rls then 'bypassrls' else 'nobypassrls' end
        );
      exception
        -- Another database of this cluster created it between our check and our CREATE.
        when duplicate_object or unique_violation then
          null;
      end;
    elsif existing.rolcanlogin is distinct from wanted.can_login
       or existing.rolinherit is distinct from wanted.inherit
       or existing.rolbypassrls is distinct from wanted.bypass_rls then
      -- Converge a role left over with other attributes; only when it differs, so that
      -- repeated runs do not rewrite pg_authid.
      execute format(
        'alter role %I %s %s %s',
        wanted.rolname,
        case when wanted.can_login then 'login' else 'nologin' end,
        case when wanted.inherit then 'inherit' else 'noinherit' end,
        case when wanted.bypass_rls then 'bypassrls' else 'nobypassrls' end
      );
    end if;
  end loop;

  -- PostgREST connects as authenticator and switches to one of these per request.
  for wanted in
    select unnest(array['anon', 'authenticated', 'service_role']) as rolname
  loop
    if not pg_catalog.pg_has_role('authenticator', wanted.rolname, 'member') then
      begin
        execute format('grant %I to authenticator', wanted.rolname);
      exception
        when duplicate_object or unique_violation then
          null;
      end;
    end if;
  end loop;
end
$platform_roles$;

-- ---------------------------------------------------------------------------------------
-- Schema auth and a minimal auth.users (a subset of Supabase Auth's real table)
-- ---------------------------------------------------------------------------------------
create schema if not exists auth;

create table if not exists auth.users (
  id                 uuid        not null primary key,
  aud                varchar(255),
  role               varchar(255),
  email              text        unique,
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  raw_app_meta_data  jsonb,
  raw_user_meta_data jsonb,
  created_at         timestamptz,
  updated_at         timestamptz
);

comment on table auth.users is
  'Auth: Stores user login data within a secure schema. (Local stand-in: a subset of Supabase Auth''s columns.)';

-- ---------------------------------------------------------------------------------------
-- auth.uid(), auth.role(), auth.jwt() — as Supabase Auth defines them.
-- PostgREST sets `request.jwt.claims` (JSON) per request; older versions set one
-- `request.jwt.claim.<name>` setting per claim. Both are read, the per-claim one first.
-- ---------------------------------------------------------------------------------------
create or replace function auth.uid()
  returns uuid
  set search_path to ''
as $func$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim.sub', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
    )::uuid
$func$ language sql stable;

create or replace function auth.role()
  returns text
  set search_path to ''
as $func$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim.role', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
    )::text
$func$ language sql stable;

create or replace function auth.jwt()
  returns jsonb
  set search_path to ''
as $func$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim', true), ''),
      nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$func$ language sql stable;

comment on function auth.uid() is 'Deprecated. Use auth.jwt() -> ''sub'' instead.';
comment on function auth.role() is 'Deprecated. Use auth.jwt() -> ''role'' instead.';

-- ---------------------------------------------------------------------------------------
-- Grants, as on a Supabase database. Row-level security, not table grants, is what
-- protects rows: every table in public is readable/writable by the API roles unless RLS
-- (enabled on every table by the migrations) says otherwise.
-- ---------------------------------------------------------------------------------------
grant usage on schema public to anon, authenticated, service_role;
grant usage on schema auth to anon, authenticated, service_role;

grant execute on function auth.uid(), auth.role(), auth.jwt()
  to anon, authenticated, service_role;

-- Objects that postgres creates in public later (i.e. by the migrations).
alter default privileges for role postgres in schema public
  grant all on tables to anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on functions to anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on sequences to anon, authenticated, service_role;
