-- Rollback of 20261126140000_add_chapter_access_indexes.sql: drops the two partial indexes.
--
-- Roll back 20261126140100_peer_mentors_row_level_security first (it uses them; without
-- them its policies still work, only slower). DROP INDEX CONCURRENTLY does not block reads
-- or writes of the table; it runs on its own, outside a transaction, as the CLI runs it.

set lock_timeout = '5s';
set statement_timeout = '60s';

drop index concurrently if exists public.chapter_memberships_active_mentor_id_chapter_id_idx;
drop index concurrently if exists public.chapter_coordinators_active_user_id_chapter_id_idx;
