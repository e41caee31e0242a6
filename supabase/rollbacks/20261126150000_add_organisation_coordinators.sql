-- Rollback of 20261126150000_add_organisation_coordinators.sql: drops
-- public.organisation_coordinators (its grants and row-level security go with it). Who was
-- an organisation coordinator is lost (local and test databases; in production, prefer a
-- forward fix).
--
-- Roll back 20261126150100_add_status_notifications first: its trigger function reads this
-- table. No CASCADE: anything else still using the table makes this fail loudly instead of
-- dropping it silently.

set lock_timeout = '5s';
set statement_timeout = '60s';

drop table if exists public.organisation_coordinators;
