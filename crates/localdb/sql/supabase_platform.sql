-- Supabase platform baseline for a plain PostgreSQL server.
--
-- What this stands in for: what the Supabase Postgres image and the Supabase Auth service
-- create before a project's first migration. Built from the source of truth, the public
-- supabase/postgres repository:
--   migrations/db/init-scripts/00000000000000-initial-schema.sql   roles, extensions schema, default privileges
--   migrations/db/init-scripts/00000000000001-auth-schema.sql      auth schema (AUTHORIZATION supabase_admin)
--   migrations/db/init-scripts/00000000000003-post-setup.sql       search paths, dashboard_user
--   migrations/db/migrations/10000000000000_demote-postgres.sql    postgres is NOT a superuser
--   migrations/db/migrations/2021…–2024…                          role settings, memberships, grants
--   ansible/files/pgbouncer_config/pgbouncer_auth_schema.sql       pgbouncer role and schema
-- and, for the current shape of auth.users and the auth functions, the Supabase CLI's dump of
-- a full stack (supabase/cli internal/utils/templates/initial_schemas/) and supabase/auth
-- migrations 20240214120130 (is_anonymous) and 20240612123726 (RLS on auth tables).
--
-- It runs as the bootstrap superuser `supabase_admin` (the local cluster is initialised with
-- it, as the platform is), on every new database, before the migrations; the migrations, the
-- seed and the tests then run as `postgres`, which has the platform's attributes and no more:
-- a migration that needs superuser fails here as it fails on hosted Supabase.
--
-- Emulated: the roles with their attributes, settings and memberships; schemas `extensions`
-- (uuid-ossp, pgcrypto, pg_stat_statements), `auth` (auth.users with its columns, owner and
-- RLS; auth.uid/role/jwt/email), `pgbouncer`; publication supabase_realtime; the grants and
-- default privileges of those files.
-- Not emulated (no such extension or service here): pgjwt, pgsodium/vault, pg_graphql,
-- pg_net, pg_cron, supautils (so reserved-role protections are absent), safeupdate, the
-- storage and realtime schemas, the other auth tables, the PostgREST event triggers.
--
-- Idempotent, because it runs on every fresh database of a cluster: roles are cluster-wide
-- and converge only when they differ (two databases set up at once must not fail on each
-- other's CREATE ROLE); everything else uses IF NOT EXISTS / CREATE OR REPLACE.

-- ---------------------------------------------------------------------------------------
-- Roles (cluster-wide)
-- ---------------------------------------------------------------------------------------
do $platform_roles$
declare
  wanted record;
  existing record;
  attributes text;
begin
  -- The platform's bootstrap superuser. The project-local cluster is initialised with it; a
  -- plain server initialised with another superuser gets it as an extra superuser.
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'supabase_admin') then
    begin
      create role supabase_admin superuser createdb createrole replication bypassrls login;
    exception
      when duplicate_object or unique_violation then
        null;
    end;
  end if;

  for wanted in
    select *
    from (values
      -- name,                        login, inherit, createrole, createdb, replication, bypassrls
      ('postgres',                    true,  true,    true,       true,     true,        true),
      ('anon',                        false, true,    false,      false,    false,       false),
      ('authenticated',               false, true,    false,      false,    false,       false),
      ('service_role',                false, true,    false,      false,    false,       true),
      ('authenticator',               true,  false,   false,      false,    false,       false),
      ('supabase_auth_admin',         true,  false,   true,       false,    false,       false),
      ('supabase_storage_admin',      true,  false,   true,       false,    false,       false),
      ('supabase_replication_admin',  true,  true,    false,      false,    true,        false),
      ('supabase_read_only_user',     true,  true,    false,      false,    false,       true),
      ('dashboard_user',              false, true,    true,       true,     true,        false),
      ('pgbouncer',                   true,  true,    false,      false,    false,       false)
    ) as v(rolname, can_login, inherit, create_role, create_db, replication, bypass_rls)
  loop
    attributes := concat_ws(' ',
      case when wanted.can_login then 'login' else 'nologin' end,
      case when wanted.inherit then 'inherit' else 'noinherit' end,
      case when wanted.create_role then 'createrole' else 'nocreaterole' end,
      case when wanted.create_db then 'createdb' else 'nocreatedb' end,
      case when wanted.replication then 'replication' else 'noreplication' end,
      case when wanted.bypass_rls then 'bypassrls' else 'nobypassrls' end);

    select r.rolsuper, r.rolcanlogin, r.rolinherit, r.rolcreaterole, r.rolcreatedb,
           r.rolreplication, r.rolbypassrls, r.oid
      into existing
      from pg_catalog.pg_roles as r
     where r.rolname = wanted.rolname;

    if not found then
      begin
        execute format('create role %I nosuperuser %s', wanted.rolname, attributes);
      exception
        -- Another database of this cluster created it between our check and our CREATE.
        when duplicate_object or unique_violation then
          null;
      end;
    elsif existing.oid = 10 then
      -- The bootstrap superuser of a plain server cannot lose SUPERUSER. Say so: here
      -- migrations run with more rights than on the platform.
      raise warning 'role % is this server''s bootstrap superuser and stays one; migrations run as it will not fail where hosted Supabase refuses them (the project-local cluster is initialised with supabase_admin instead)', wanted.rolname;
    elsif existing.rolsuper
       or existing.rolcanlogin is distinct from wanted.can_login
       or existing.rolinherit is distinct from wanted.inherit
       or existing.rolcreaterole is distinct from wanted.create_role
       or existing.rolcreatedb is distinct from wanted.create_db
       or existing.rolreplication is distinct from wanted.replication
       or existing.rolbypassrls is distinct from wanted.bypass_rls then
      -- Converge a role left over with other attributes; only when it differs, so that
      -- repeated runs do not rewrite pg_authid.
      execute format('alter role %I nosuperuser %s', wanted.rolname, attributes);
    end if;
  end loop;

  -- Memberships: PostgREST's authenticator switches to the API roles; postgres may act as
  -- them and as the service admins; storage's admin logs in through authenticator.
  for wanted in
    select *
    from (values
      ('anon', 'authenticator'), ('authenticated', 'authenticator'), ('service_role', 'authenticator'),
      ('anon', 'postgres'), ('authenticated', 'postgres'), ('service_role', 'postgres'),
      ('supabase_auth_admin', 'postgres'), ('supabase_storage_admin', 'postgres'),
      ('authenticator', 'supabase_storage_admin'),
      ('pg_monitor', 'postgres'), ('pg_read_all_data', 'postgres'), ('pg_signal_backend', 'postgres'),
      ('pg_read_all_data', 'supabase_read_only_user')
    ) as v(granted, member)
  loop
    if not exists (
      select 1
        from pg_catalog.pg_auth_members as m
       where m.roleid = wanted.granted::regrole and m.member = wanted.member::regrole
    ) then
      begin
        execute format('grant %I to %I', wanted.granted, wanted.member);
      exception
        when duplicate_object or unique_violation then
          null;
      end;
    end if;
  end loop;

  -- Role settings (pg_db_role_setting), written only when they differ.
  for wanted in
    select *
    from (values
      ('anon',                  'statement_timeout', '3s'),
      ('authenticated',         'statement_timeout', '8s'),
      ('authenticator',         'statement_timeout', '8s'),
      ('authenticator',         'lock_timeout', '8s'),
      ('supabase_admin',        'search_path', '"$user", public, auth, extensions'),
      ('postgres',              'search_path', '"$user", public, extensions'),
      ('supabase_auth_admin',   'search_path', 'auth'),
      ('supabase_auth_admin',   'idle_in_transaction_session_timeout', '60000'),
      ('supabase_storage_admin','search_path', 'storage')
    ) as v(rolname, setting, value)
  loop
    if not exists (
      select 1
        from pg_catalog.pg_db_role_setting as s
       where s.setrole = wanted.rolname::regrole and s.setdatabase = 0
         and format('%s=%s', wanted.setting, wanted.value) = any (s.setconfig)
    ) then
      execute format('alter role %I set %s = %s', wanted.rolname, wanted.setting,
        case when wanted.setting = 'search_path' then wanted.value else quote_literal(wanted.value) end);
    end if;
  end loop;
end
$platform_roles$;

-- Databases are created by postgres (CREATEDB), so it owns them and the public schema
-- (pg_database_owner); on the platform it owns database postgres too.
do $database_owner$
begin
  if (select d.datdba from pg_catalog.pg_database as d where d.datname = current_database())
     <> 'postgres'::regrole then
    execute format('alter database %I owner to postgres', current_database());
  end if;
end
$database_owner$;

-- ---------------------------------------------------------------------------------------
-- Realtime's publication (empty until tables are added to it)
-- ---------------------------------------------------------------------------------------
do $publication$
begin
  if not exists (select 1 from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$publication$;

-- ---------------------------------------------------------------------------------------
-- Schema extensions: extensions live here, not in public
-- ---------------------------------------------------------------------------------------
-- Owned by postgres, as on the platform (its init scripts create it as postgres), so postgres
-- can create the extensions supautils lets it create (pgtap, plpgsql_check, …) here.
create schema if not exists extensions;
alter schema extensions owner to postgres;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists pg_stat_statements with schema extensions;

grant usage on schema extensions to postgres, anon, authenticated, service_role;
grant all on schema extensions to dashboard_user;
grant all privileges on all tables in schema extensions to postgres with grant option;
grant all privileges on all routines in schema extensions to postgres with grant option;
grant all privileges on all sequences in schema extensions to postgres with grant option;
grant all on all tables in schema extensions to dashboard_user;
grant all on all sequences in schema extensions to dashboard_user;
grant all on all routines in schema extensions to dashboard_user;
alter default privileges in schema extensions grant all on tables to postgres with grant option;
alter default privileges in schema extensions grant all on routines to postgres with grant option;
alter default privileges in schema extensions grant all on sequences to postgres with grant option;

-- ---------------------------------------------------------------------------------------
-- Schema public: row-level security, not table grants, protects rows. Everything postgres
-- or supabase_admin creates here is usable by the API roles unless a migration revokes it.
-- ---------------------------------------------------------------------------------------
grant usage on schema public to postgres, anon, authenticated, service_role;
alter default privileges for role postgres, supabase_admin in schema public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres, supabase_admin in schema public
  grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role postgres, supabase_admin in schema public
  grant all on sequences to postgres, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Schema auth (owned by supabase_admin; its tables and functions by supabase_auth_admin)
-- ---------------------------------------------------------------------------------------
create schema if not exists auth authorization supabase_admin;

create table if not exists auth.users (
  instance_id                 uuid,
  id                          uuid not null,
  aud                         character varying(255),
  role                        character varying(255),
  email                       character varying(255),
  encrypted_password          character varying(255),
  email_confirmed_at          timestamp with time zone,
  invited_at                  timestamp with time zone,
  confirmation_token          character varying(255),
  confirmation_sent_at        timestamp with time zone,
  recovery_token              character varying(255),
  recovery_sent_at            timestamp with time zone,
  email_change_token_new      character varying(255),
  email_change                character varying(255),
  email_change_sent_at        timestamp with time zone,
  last_sign_in_at             timestamp with time zone,
  raw_app_meta_data           jsonb,
  raw_user_meta_data          jsonb,
  is_super_admin              boolean,
  created_at                  timestamp with time zone,
  updated_at                  timestamp with time zone,
  phone                       text default null::character varying,
  phone_confirmed_at          timestamp with time zone,
  phone_change                text default ''::character varying,
  phone_change_token          character varying(255) default ''::character varying,
  phone_change_sent_at        timestamp with time zone,
  confirmed_at                timestamp with time zone
                              generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
  email_change_token_current  character varying(255) default ''::character varying,
  email_change_confirm_status smallint default 0,
  banned_until                timestamp with time zone,
  reauthentication_token      character varying(255) default ''::character varying,
  reauthentication_sent_at    timestamp with time zone,
  is_sso_user                 boolean default false not null,
  deleted_at                  timestamp with time zone,
  is_anonymous                boolean default false not null,
  constraint users_pkey primary key (id),
  constraint users_phone_key unique (phone),
  constraint users_email_change_confirm_status_check
    check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2)
);
create unique index if not exists confirmation_token_idx on auth.users using btree (confirmation_token)
  where ((confirmation_token)::text !~ '^[0-9 ]*$'::text);
create unique index if not exists email_change_token_current_idx on auth.users using btree (email_change_token_current)
  where ((email_change_token_current)::text !~ '^[0-9 ]*$'::text);
create unique index if not exists email_change_token_new_idx on auth.users using btree (email_change_token_new)
  where ((email_change_token_new)::text !~ '^[0-9 ]*$'::text);
create unique index if not exists reauthentication_token_idx on auth.users using btree (reauthentication_token)
  where ((reauthentication_token)::text !~ '^[0-9 ]*$'::text);
create unique index if not exists recovery_token_idx on auth.users using btree (recovery_token)
  where ((recovery_token)::text !~ '^[0-9 ]*$'::text);
create unique index if not exists users_email_partial_key on auth.users using btree (email)
  where (is_sso_user = false);
create index if not exists users_instance_id_email_idx on auth.users using btree (instance_id, lower((email)::text));
create index if not exists users_instance_id_idx on auth.users using btree (instance_id);
create index if not exists users_is_anonymous_idx on auth.users using btree (is_anonymous);

alter table auth.users owner to supabase_auth_admin;
alter table auth.users enable row level security;
comment on table auth.users is 'Auth: Stores user login data within a secure schema.';
comment on column auth.users.is_sso_user is
  'Auth: Set this column to true when the account comes from SSO. These accounts can have duplicate emails.';
comment on index auth.users_email_partial_key is
  'Auth: A partial unique index that applies only when is_sso_user is false';

-- auth.uid(), auth.role(), auth.email(), auth.jwt() as Supabase Auth defines them. PostgREST
-- sets `request.jwt.claims` (JSON) per request; older versions set one
-- `request.jwt.claim.<name>` setting per claim. Both are read, the per-claim one first.
-- The first three differ only in their claim and cast, so one template writes them; each
-- function's definition is the platform's to the byte (`pg_get_functiondef`).
do $claim_functions$
declare
  f record;
begin
  for f in
    select *
      from (values ('uid', 'sub', 'uuid'),
                   ('role', 'role', 'text'),
                   ('email', 'email', 'text')) as c(name, claim, type)
  loop
    execute format($create$
create or replace function auth.%1$s() returns %3$s
  language sql stable
as $func$
  select
  coalesce(
    nullif(current_setting('request.jwt.claim.%2$s', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> '%2$s')
  )::%3$s
$func$$create$, f.name, f.claim, f.type);
  end loop;
end
$claim_functions$;

create or replace function auth.jwt() returns jsonb
  language sql stable
as $func$
  select
    coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$func$;

alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
alter function auth.jwt() owner to supabase_auth_admin;
comment on function auth.uid() is 'Deprecated. Use auth.jwt() -> ''sub'' instead.';
comment on function auth.role() is 'Deprecated. Use auth.jwt() -> ''role'' instead.';
comment on function auth.email() is 'Deprecated. Use auth.jwt() -> ''email'' instead.';

grant usage on schema auth to anon, authenticated, service_role, postgres;
grant all privileges on schema auth to supabase_auth_admin, dashboard_user, postgres;
grant all on all tables in schema auth to supabase_auth_admin, dashboard_user, postgres;
grant select on auth.users to postgres with grant option;
grant all on all sequences in schema auth to supabase_auth_admin, dashboard_user, postgres;
grant all on all routines in schema auth to dashboard_user, postgres;
alter default privileges for role supabase_auth_admin in schema auth
  grant all on tables to postgres, dashboard_user;
alter default privileges for role supabase_auth_admin in schema auth
  grant all on sequences to postgres, dashboard_user;
alter default privileges for role supabase_auth_admin in schema auth
  grant all on routines to postgres, dashboard_user;

-- ---------------------------------------------------------------------------------------
-- pgbouncer's auth lookup (the CLI's remote reset keeps this schema)
-- ---------------------------------------------------------------------------------------
create schema if not exists pgbouncer authorization pgbouncer;
revoke all privileges on schema public from pgbouncer;

create or replace function pgbouncer.get_auth(p_usename text)
  returns table (username text, password text)
  language plpgsql security definer
  set search_path = ''
as $func$
begin
  raise warning 'PgBouncer auth request: %', p_usename;
  return query
  select usename::text, passwd::text from pg_catalog.pg_shadow
  where usename = p_usename;
end;
$func$;
revoke all on function pgbouncer.get_auth(text) from public;
grant execute on function pgbouncer.get_auth(text) to pgbouncer;
