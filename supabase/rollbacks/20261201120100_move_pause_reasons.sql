-- Rollback of 20261201120100_move_pause_reasons.sql: nothing to do here. While the triggers
-- of 20261201120000 exist, a reason written back into the old columns would be moved again;
-- the rollback of 20261201120000 drops them first and then moves every reason back.

select 1;
