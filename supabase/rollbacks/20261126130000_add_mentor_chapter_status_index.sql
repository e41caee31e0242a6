-- migrate:no-transaction
-- Rollback of 20261126130000_add_mentor_chapter_status_index.sql: drop the index without
-- blocking writes (DROP INDEX CONCURRENTLY cannot run in a transaction, hence the marker).
set lock_timeout = '5s';

drop index concurrently if exists public.chapter_memberships_active_chapter_id_mentor_id_idx;
