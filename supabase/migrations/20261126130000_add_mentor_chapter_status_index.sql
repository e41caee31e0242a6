-- migrate:no-transaction
-- squawk-ignore-file ban-concurrent-index-creation-in-transaction
-- Index for a coordinator's view of a chapter, MentorStatusRepository::list(chapter, status):
--
--   select m.* from public.peer_mentors m
--     join public.chapter_memberships cm on cm.mentor_id = m.id
--    where cm.chapter_id = $1 and cm.active [and m.status = $2]
--    order by m.full_name, m.id
--
-- The chapter is the selective part: a chapter holds a few hundred of many thousand
-- mentors, while status is not (three values, most mentors active), so an index on
-- peer_mentors (status) would be ignored or worse. This partial index holds only the active
-- memberships, keyed by chapter, and carries mentor_id: the planner reads a chapter's
-- active members from the index alone (index-only scan, no heap visit to check `active`,
-- left memberships skipped) and fetches each mentor by primary key, filtering on status
-- there. chapter_memberships_chapter_id_idx stays: foreign-key checks on chapters need
-- all memberships, also inactive ones. EXPLAIN figures: see the storage issue's report.
--
-- CREATE INDEX without CONCURRENTLY blocks writes to the table for the whole build;
-- CONCURRENTLY does not, but PostgreSQL refuses it inside a transaction, hence the marker on
-- the first line: the runner applies this file statement by statement outside a
-- transaction (as the Supabase CLI does for such statements). squawk runs with
-- --assume-in-transaction for every file, which is not true of this one: the ignore line
-- above switches off only the rule that says CONCURRENTLY cannot run in a transaction.
-- Rollback: supabase/rollbacks/20261126130000_add_mentor_chapter_status_index.sql.

-- lock_timeout bounds the wait for the SHARE UPDATE EXCLUSIVE lock and for transactions
-- older than the build; statement_timeout bounds the whole build.
set lock_timeout = '5s';
set statement_timeout = '10min';

-- A failed concurrent build leaves an INVALID index that IF NOT EXISTS would then keep:
-- drop any leftover first, so running this file again after a failure repairs it. (Once the
-- file has succeeded the runner never runs it again.)
drop index concurrently if exists public.chapter_memberships_active_chapter_id_mentor_id_idx;

create index concurrently if not exists chapter_memberships_active_chapter_id_mentor_id_idx
  on public.chapter_memberships (chapter_id, mentor_id)
  where active;

comment on index public.chapter_memberships_active_chapter_id_mentor_id_idx is
  'Active members of a chapter (MentorStatusRepository::list); partial, covering mentor_id.';
