-- Validate the four CHECK constraints added NOT VALID by 20261126120000_add_mentor_status.
--
-- A separate file, hence a separate transaction: VALIDATE CONSTRAINT scans every existing
-- row, but only under SHARE UPDATE EXCLUSIVE, so reads and writes on peer_mentors go on
-- while it runs (it blocks only other DDL, VACUUM and another VALIDATE). Had it run in the
-- previous file's transaction, the ACCESS EXCLUSIVE lock of its ALTER TABLE would have been
-- held for the whole scan, blocking every read and write.
-- Validating an already valid constraint does nothing, so running this twice is harmless.
-- If a row violates a rule, this fails (SQLSTATE 23514, naming the constraint): fix the
-- data, then run it again; the constraints keep checking new writes meanwhile.

-- Do not queue the app behind us if something holds a conflicting lock; but give the scan
-- itself plenty of time (a few seconds for millions of rows on our hardware).
set lock_timeout = '5s';
set statement_timeout = '10min';

alter table public.peer_mentors validate constraint chk_pause_at_required;
alter table public.peer_mentors validate constraint chk_pause_at_only_when_paused;
alter table public.peer_mentors validate constraint chk_pause_reason_only_when_paused;
alter table public.peer_mentors validate constraint chk_pause_reason_no_national_id;
