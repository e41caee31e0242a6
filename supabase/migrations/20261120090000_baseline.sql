-- Baseline: the schema as it already exists in production before the mentor-status work.
--
-- Production got these tables before this repository tracked migrations; this file lets a
-- fresh local database (supabase db reset, tests) start from the same shape. Every
-- statement is written so that it also does nothing harmful on a database that already has
-- the tables (IF NOT EXISTS / OR REPLACE).
--
-- Needs the Supabase platform (roles anon/authenticated/service_role, schema auth with
-- auth.users). Row-level security is enabled on every table here; the policies come in a
-- later migration, so until then only the table owner and service_role see rows.
-- Rollback: supabase/rollbacks/20261120090000_baseline.sql.

-- An ALTER or CREATE waiting for a lock queues every later query on the table behind it:
-- fail fast instead (the runner resets settings between files).
set lock_timeout = '5s';
set statement_timeout = '60s';

-- ---------------------------------------------------------------------------------------
-- Chapters: local branches of the organisation (Oslo, Bergen, ...)
-- ---------------------------------------------------------------------------------------
create table if not exists public.chapters (
  id         uuid        not null default gen_random_uuid() primary key,
  name       text        not null unique,
  created_at timestamptz not null default now(),
  constraint chapters_name_not_blank check (btrim(name) <> '')
);

comment on table public.chapters is 'Local chapters of the organisation; mentors and coordinators belong to chapters.';

-- ---------------------------------------------------------------------------------------
-- Peer mentors: one row per volunteer, linked to their Supabase Auth user
-- ---------------------------------------------------------------------------------------
create table if not exists public.peer_mentors (
  id         uuid        not null default gen_random_uuid() primary key,
  user_id    uuid        not null unique references auth.users (id),
  full_name  text        not null,
  email      text        not null,
  phone      text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint peer_mentors_full_name_not_blank check (btrim(full_name) <> '')
);

comment on table public.peer_mentors is 'Peer mentors (volunteers). user_id is their Supabase Auth user.';

-- Keeps updated_at true whatever client writes the row.
create or replace function public.set_updated_at()
  returns trigger
  language plpgsql
  set search_path to ''
as $func$
begin
  new.updated_at := now();
  return new;
end
$func$;

comment on function public.set_updated_at() is 'Trigger function: sets updated_at to now() on UPDATE.';

create or replace trigger peer_mentors_set_updated_at
  before update on public.peer_mentors
  for each row
  execute function public.set_updated_at();

-- ---------------------------------------------------------------------------------------
-- Chapter memberships: a mentor can belong to several chapters
-- ---------------------------------------------------------------------------------------
create table if not exists public.chapter_memberships (
  mentor_id  uuid        not null references public.peer_mentors (id),
  chapter_id uuid        not null references public.chapters (id),
  active     boolean     not null default true,
  created_at timestamptz not null default now(),
  primary key (mentor_id, chapter_id)
);

-- The primary key covers mentor_id; chapter_id needs its own index ("mentors of a chapter",
-- and deletes on chapters checking the foreign key).
create index if not exists chapter_memberships_chapter_id_idx
  on public.chapter_memberships (chapter_id);

comment on table public.chapter_memberships is 'Which chapters a mentor belongs to; active = false keeps the history of a mentor who left a chapter.';

-- ---------------------------------------------------------------------------------------
-- Chapter coordinators: Auth users who coordinate the mentors of a chapter
-- ---------------------------------------------------------------------------------------
create table if not exists public.chapter_coordinators (
  user_id    uuid        not null references auth.users (id),
  chapter_id uuid        not null references public.chapters (id),
  active     boolean     not null default true,
  created_at timestamptz not null default now(),
  primary key (user_id, chapter_id)
);

create index if not exists chapter_coordinators_chapter_id_idx
  on public.chapter_coordinators (chapter_id);

comment on table public.chapter_coordinators is 'Coordinators of a chapter (Auth users); active = false for former coordinators.';

-- ---------------------------------------------------------------------------------------
-- Assignments: a mentor supporting one person for a period
-- ---------------------------------------------------------------------------------------
create table if not exists public.assignments (
  id         uuid        not null default gen_random_uuid() primary key,
  mentor_id  uuid        not null references public.peer_mentors (id),
  mentee_ref text        not null,
  started_at timestamptz not null default now(),
  ended_at   timestamptz,
  created_at timestamptz not null default now(),
  constraint assignments_mentee_ref_not_blank check (btrim(mentee_ref) <> ''),
  constraint assignments_ended_after_started check (ended_at is null or ended_at >= started_at)
);

create index if not exists assignments_mentor_id_idx
  on public.assignments (mentor_id);

comment on table public.assignments is 'A mentor supporting one person from started_at until ended_at (null = ongoing).';
comment on column public.assignments.mentee_ref is 'The supported person: a first name or a pseudonymous reference. Never a national identity number or health data.';

-- ---------------------------------------------------------------------------------------
-- Activities: logged mentoring work
-- ---------------------------------------------------------------------------------------
create table if not exists public.activities (
  id               uuid        not null default gen_random_uuid() primary key,
  mentor_id        uuid        not null references public.peer_mentors (id),
  assignment_id    uuid        references public.assignments (id),
  occurred_at      timestamptz not null,
  kind             text        not null,
  -- bigint rather than integer: the project's linter (squawk) bans 32-bit columns; the
  -- range check below is what bounds the value.
  duration_minutes bigint      not null,
  created_at       timestamptz not null default now(),
  constraint activities_kind_not_blank check (btrim(kind) <> ''),
  constraint activities_duration_minutes_range check (duration_minutes between 0 and 1440)
);

-- (mentor_id, occurred_at) serves the foreign key and "a mentor's activities by date".
create index if not exists activities_mentor_id_occurred_at_idx
  on public.activities (mentor_id, occurred_at);
create index if not exists activities_assignment_id_idx
  on public.activities (assignment_id);

comment on table public.activities is 'Mentoring activities logged by a mentor, optionally for one assignment.';
comment on column public.activities.kind is 'What happened, e.g. meeting, phone_call, group_session.';

-- ---------------------------------------------------------------------------------------
-- Row-level security on every table; policies come in a later migration.
-- ---------------------------------------------------------------------------------------
alter table public.chapters enable row level security;
alter table public.peer_mentors enable row level security;
alter table public.chapter_memberships enable row level security;
alter table public.chapter_coordinators enable row level security;
alter table public.assignments enable row level security;
alter table public.activities enable row level security;
