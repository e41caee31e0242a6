-- Indexes behind private.is_coordinator_of(mentor_id), the helper the row-level security
-- policies of 20261126140100_peer_mentors_row_level_security call for every row they check.
--
-- The helper asks "does the signed-in user actively coordinate a chapter in which this mentor
-- has an active membership?":
--   chapter_memberships m (mentor_id = $mentor, active)
--   join chapter_coordinators c on c.chapter_id = m.chapter_id (user_id = auth.uid(), active)
-- The primary keys (mentor_id, chapter_id) and (user_id, chapter_id) already find the rows,
-- but every match then needs a heap visit to read `active`. These partial indexes hold only
-- the active rows, so both sides of the join are answered from the index alone (index-only
-- scans once the visibility map is set), and they stay small: former coordinators and left
-- memberships are not in them. (tests/it/access_details.rs checks the helper's plan.)
--
-- CONCURRENTLY: a plain build takes a SHARE lock, so every write to the table waits for the
-- whole build. That was thought harmless ("thousands, not millions" of rows), but
-- `cargo xtask rehearse` measured 483 ms of blocked writes on chapter_memberships at 1M
-- memberships (issue 14), so the builds run concurrently; reads and writes go on. (This file
-- was changed before it reached production, which is still at the version before the status
-- migration; a database that applied the earlier text sees it flagged by `migrate status`:
-- reset it, or `migrate up --force`.) The Supabase CLI — and so the runner — runs each
-- CONCURRENTLY statement on its own, outside the file's transaction; the runner polls its
-- advisory lock, so a second runner waiting for it holds no snapshot the build would wait
-- for. squawk runs with --assume-in-transaction for every file, which is not true of these
-- statements: the ignore line below switches off only the rule that says CONCURRENTLY cannot
-- run in a transaction.
-- Rollback: supabase/rollbacks/20261126140000_add_chapter_access_indexes.sql.
-- squawk-ignore-file ban-concurrent-index-creation-in-transaction

-- lock_timeout bounds the wait for each build's SHARE UPDATE EXCLUSIVE lock and for older
-- transactions; statement_timeout bounds each build.
set lock_timeout = '5s';
set statement_timeout = '10min';

-- A failed concurrent build leaves an INVALID index that IF NOT EXISTS would then keep: drop
-- any leftover first, so running this file again after a failure repairs it.
drop index concurrently if exists public.chapter_coordinators_active_user_id_chapter_id_idx;
create index concurrently if not exists chapter_coordinators_active_user_id_chapter_id_idx
  on public.chapter_coordinators (user_id, chapter_id)
  where active;

drop index concurrently if exists public.chapter_memberships_active_mentor_id_chapter_id_idx;
create index concurrently if not exists chapter_memberships_active_mentor_id_chapter_id_idx
  on public.chapter_memberships (mentor_id, chapter_id)
  where active;
