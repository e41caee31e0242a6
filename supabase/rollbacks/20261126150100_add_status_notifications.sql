-- Rollback of 20261126150100_add_status_notifications.sql: drops the trigger on
-- public.mentor_status_changes, its function, and the outbox public.status_notifications
-- with its indexes, policy, grants and identity sequence. Undelivered notifications are
-- lost (local and test databases; in production, prefer a forward fix, or drain the outbox
-- with `cargo xtask notify-worker --idle-exit` first).
--
-- The trigger goes first, so no status change can enqueue into a table that is being
-- dropped. No CASCADE: anything else still using the table makes this fail loudly.

set lock_timeout = '5s';
set statement_timeout = '60s';

drop trigger if exists mentor_status_changes_enqueue_notifications on public.mentor_status_changes;
drop function if exists private.enqueue_status_notifications();
drop table if exists public.status_notifications;
