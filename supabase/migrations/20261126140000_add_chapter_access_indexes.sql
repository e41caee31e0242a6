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
-- Why not CREATE INDEX CONCURRENTLY: our runner serializes runners with a session advisory
-- lock; a concurrent build waits for every transaction holding an older snapshot, including
-- a second runner blocked on that lock, and PostgreSQL then aborts one of them with
-- "deadlock detected" (seen in runner::two_runners_started_at_the_same_moment_...). Two app
-- instances starting together must not fail like that. A plain build takes a SHARE lock on
-- each table: reads go on, writes wait for the build, which is milliseconds here — one row
-- per mentor and chapter, one per coordinator and chapter (thousands, not millions). The
-- lock_timeout makes the file fail fast instead of queueing writers behind a long
-- transaction. Hence the squawk-ignore lines below, for this rule only.
-- Rollback: supabase/rollbacks/20261126140000_add_chapter_access_indexes.sql.

set lock_timeout = '5s';
set statement_timeout = '60s';

-- squawk-ignore require-concurrent-index-creation
create index if not exists chapter_coordinators_active_user_id_chapter_id_idx
  on public.chapter_coordinators (user_id, chapter_id)
  where active;

-- squawk-ignore require-concurrent-index-creation
create index if not exists chapter_memberships_active_mentor_id_chapter_id_idx
  on public.chapter_memberships (mentor_id, chapter_id)
  where active;
