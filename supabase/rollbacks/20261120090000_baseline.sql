-- Rollback of 20261120090000_baseline.sql: drops the baseline tables, newest dependency
-- first, and the updated_at trigger function.
--
-- Only for local and test databases: on production this would delete every mentor,
-- assignment and activity. Roll back the later migrations first (their rollbacks are in
-- this folder); no CASCADE, so anything still depending on these tables makes this fail
-- loudly instead of silently dropping it.

set lock_timeout = '5s';
set statement_timeout = '60s';

drop table if exists public.activities;
drop table if exists public.assignments;
drop table if exists public.chapter_coordinators;
drop table if exists public.chapter_memberships;
-- Dropping the table drops its trigger peer_mentors_set_updated_at with it.
drop table if exists public.peer_mentors;
drop function if exists public.set_updated_at();
drop table if exists public.chapters;
