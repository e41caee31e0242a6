-- Rollback of 20261126120100_validate_mentor_status_checks.sql: nothing to undo.
--
-- PostgreSQL has no "un-validate" (a constraint cannot be turned back to NOT VALID), and
-- none is needed: a validated constraint behaves exactly like the NOT VALID one for new
-- writes, and the rollback of 20261126120000_add_mentor_status drops the constraints.
-- The single no-op statement is for runners that expect at least one statement per file.

select 1;
