-- Organisation-level coordinators: public.organisation_coordinators.
--
-- Who is told about a mentor's status change (crates/domain/src/recipients.rs,
-- resolve_recipients) falls back to these users when the mentor's chapters have no active
-- coordinator left to tell (a chapter without a coordinator, such as Tromsø in the seed, or
-- a change made by the only coordinator). Modelled as a table of its own rather than as a
-- flag in JWT claims or a magic chapter: the outbox trigger of
-- 20261126150100_add_status_notifications reads it in the same transaction as the change,
-- and `active = false` keeps a former organisation coordinator's row, like
-- chapter_coordinators.active does.
--
-- Who reads and writes it: nobody through the Data API. Supabase's default privileges grant
-- anon, authenticated and service_role ALL on new tables in public, so everything is revoked
-- explicitly; the service role (the backend) may read it and add or (de)activate rows; the
-- owner (console, migrations) does the rest. No client policy: row-level security is on, so
-- even a grant added by mistake later shows clients no row.
--
-- Rollback: supabase/rollbacks/20261126150000_add_organisation_coordinators.sql.

set lock_timeout = '5s';
set statement_timeout = '60s';

create table if not exists public.organisation_coordinators (
  -- The primary key: a user is an organisation coordinator once (or was: active = false).
  user_id    uuid        not null primary key references auth.users (id),
  active     boolean     not null default true,
  created_at timestamptz not null default now()
);

comment on table public.organisation_coordinators is
  'Organisation-level coordinators: told about a mentor''s status change when no active coordinator of the mentor''s chapters is (fallback). Not readable or writable by clients.';
comment on column public.organisation_coordinators.active is
  'false for a former organisation coordinator (kept for history, never notified).';

revoke all on table public.organisation_coordinators from public, anon, authenticated, service_role;
-- No DELETE: deactivate instead, so who was responsible stays answerable.
grant select, insert, update on table public.organisation_coordinators to service_role;

alter table public.organisation_coordinators enable row level security;
