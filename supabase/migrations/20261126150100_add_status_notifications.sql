-- Coordinator notifications through a transactional outbox: public.status_notifications,
-- filled by a trigger on the audit trail public.mentor_status_changes.
--
-- Flow: a status change -> its audit row (trigger of 20261126140200) -> one outbox row per
-- recipient (trigger below), all in the change's transaction -> a worker claims rows
-- (crates/storage, CoordinatorNotificationService; `cargo xtask notify-worker`) and hands
-- them to a Notifier (e-mail, push, ...), marking each sent, retried later or dead.
--
-- Why a trigger on the audit trail, not the Rust repository:
--   * every path that changes a status (the RPCs of 20261126140300, the Rust repository,
--     the service role's direct UPDATE, the SQL console) already writes exactly one audit
--     row in its own transaction, with changed_by = the acting user. Hanging the outbox on
--     that row means no path can forget to notify, and a notification exists if and only
--     if its change committed: a rolled-back change takes its notifications with it, a
--     committed one cannot lose them (the worker reads them from the table, not from
--     memory, so a crash loses nothing either).
--   * the repository writes through a compare-and-set retried in new transactions; each
--     attempt that rolls back takes its rows with it, so no retry inserts twice. The unique
--     (change_id, recipient_id) says the same thing to the database itself.
--
-- Who is told: EXACTLY the rules of the Rust domain's resolve_recipients
-- (crates/domain/src/recipients.rs), which is the specification; change both together
-- (tests/it/notify_differential.rs compares them on random chapter graphs):
--   1. every active coordinator of every chapter where the mentor's membership is active,
--      once (DISTINCT), ...
--   2. ... except the user who made the change (changed_by);
--   3. if nobody is left, the active organisation coordinators
--      (20261126150000_add_organisation_coordinators) except the actor, marked fallback;
--   4. if nobody is left even then, no row (the audit trail still has the change).
-- Only changes of the status itself are announced (pause, resume, deactivate, reactivate):
-- an audit row whose from_status = to_status (a console edit of pause_at or of the reason)
-- notifies nobody.
--
-- What a notification carries: the mentor, the recipient, from/to status, fallback, the
-- change id and time: enough to phrase the message without reading anything else. NEVER
-- the pause reason: it may be personal, it is readable only by the service role and
-- through mentor_status_history, and an e-mail or push message must not spread it.
--
-- Delivery state (the worker's contract, crates/storage/src/notifications/):
--   claimable     sent_at is null and dead_at is null and next_attempt_at <= now
--   claim         attempts + 1, claimed_at/by = now/worker, next_attempt_at = now + lease:
--                 a lease is only next_attempt_at in the future, so a worker that dies
--                 holding a claim delays the row by one lease, never loses it;
--   sent          sent_at = now (only by the worker holding the claim);
--   failed        claimed_at/by cleared, last_error, next_attempt_at = now + back-off;
--   dead          dead_at = now after the maximum number of attempts: kept, visible, never
--                 claimed again (a dead letter to inspect or re-queue by hand).
--
-- Who reads it: a signed-in user reads the notifications addressed to them (policy on
-- recipient_id); anon nothing; nobody writes through the Data API. The service role (a
-- worker using the service key) reads everything and may update only the delivery columns;
-- a worker connecting as the owner needs no grant.
--
-- Rollback: supabase/rollbacks/20261126150100_add_status_notifications.sql.

set lock_timeout = '5s';
set statement_timeout = '60s';

create table if not exists public.status_notifications (
  id              bigint      generated always as identity primary key,
  -- ON DELETE CASCADE: a notification is derived from its audit row. Clients cannot delete
  -- audit rows; the owner may, for maintenance (20261126140200: the way to delete a mentor
  -- with a history), and the messages about those changes must not block that or outlive it.
  change_id       bigint      not null references public.mentor_status_changes (id) on delete cascade,
  mentor_id       uuid        not null references public.peer_mentors (id),
  -- ON DELETE CASCADE: erasing an Auth user erases the messages addressed to them; the
  -- change itself stays in the audit trail.
  recipient_id    uuid        not null references auth.users (id) on delete cascade,
  -- true when the recipients are organisation coordinators standing in for missing chapter
  -- coordinators (rule 3 above).
  fallback        boolean     not null,
  from_status     public.mentor_status not null,
  to_status       public.mentor_status not null,
  created_at      timestamptz not null default now(),
  claimed_at      timestamptz,
  claimed_by      text,
  sent_at         timestamptz,
  -- bigint rather than integer: squawk bans 32-bit columns; the CHECK bounds the value.
  attempts        bigint      not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error      text,
  dead_at         timestamptz,
  -- One row per recipient and change, whatever retries the writer makes.
  constraint status_notifications_change_id_recipient_id_key unique (change_id, recipient_id),
  constraint status_notifications_attempts_not_negative check (attempts >= 0),
  -- A claim names both when and who, or neither (released after a failure).
  constraint status_notifications_claim_complete check ((claimed_at is null) = (claimed_by is null)),
  constraint status_notifications_claimed_by_not_blank check (btrim(claimed_by) <> ''),
  -- Delivered or given up, never both.
  constraint status_notifications_sent_or_dead check (sent_at is null or dead_at is null)
);

comment on table public.status_notifications is
  'Outbox of coordinator notifications about mentor status changes: one row per recipient, written by trigger mentor_status_changes_enqueue_notifications in the change''s transaction, delivered by CoordinatorNotificationService workers. Never holds the pause reason.';
comment on column public.status_notifications.fallback is
  'true: the recipient is an organisation coordinator told because no active coordinator of the mentor''s chapters was left to tell.';
comment on column public.status_notifications.next_attempt_at is
  'Earliest time a worker may claim the row: creation time, then claim time + lease while claimed, then failure time + back-off.';
comment on column public.status_notifications.dead_at is
  'Set when the maximum number of attempts is used up: the row is a dead letter, never claimed again.';

-- Indexes: plain CREATE INDEX (not CONCURRENTLY) because the table is created, empty, in
-- this same transaction; nobody else can be waiting on it.
-- The claim query: oldest due rows first among those still to deliver. Partial, so it
-- holds only the (few) undelivered rows however long the history grows.
create index if not exists status_notifications_claimable_idx
  on public.status_notifications (next_attempt_at, id)
  where sent_at is null and dead_at is null;

-- A user's own notifications, newest first (the row-level security policy below), and the
-- foreign key when an Auth user is deleted.
create index if not exists status_notifications_recipient_id_created_at_idx
  on public.status_notifications (recipient_id, created_at);

-- The foreign key when a mentor is deleted.
create index if not exists status_notifications_mentor_id_idx
  on public.status_notifications (mentor_id);

-- Dead letters, for the operator's list; partial, so it stays tiny.
create index if not exists status_notifications_dead_at_idx
  on public.status_notifications (dead_at, id)
  where dead_at is not null;

-- ---------------------------------------------------------------------------------------
-- Privileges. Supabase's default privileges grant anon, authenticated and service_role ALL
-- on new tables and sequences in public: revoke everything, then grant back only
--   authenticated: SELECT, rows limited to their own by the policy below;
--   service_role:  SELECT, and UPDATE of the delivery columns only (a worker cannot
--                  re-address or rewrite a notification). No INSERT: only the trigger
--                  creates rows. No DELETE: the outbox is the delivery record.
-- ---------------------------------------------------------------------------------------
revoke all on table public.status_notifications from public, anon, authenticated, service_role;
revoke all on sequence public.status_notifications_id_seq from public, anon, authenticated, service_role;
grant select on table public.status_notifications to authenticated, service_role;
grant update (claimed_at, claimed_by, sent_at, attempts, next_attempt_at, last_error, dead_at)
  on table public.status_notifications to service_role;

alter table public.status_notifications enable row level security;

-- (select auth.uid()) is evaluated once per statement, not once per row.
drop policy if exists status_notifications_select_own on public.status_notifications;
create policy status_notifications_select_own
  on public.status_notifications
  for select
  to authenticated
  using (recipient_id = (select auth.uid()));

comment on policy status_notifications_select_own on public.status_notifications is
  'A signed-in user reads the notifications addressed to them, and nothing else.';

-- ---------------------------------------------------------------------------------------
-- The trigger. SECURITY DEFINER: the session making the change (the service role, the
-- repository as the owner, an RPC running as its definer) neither can nor should insert
-- into the outbox itself, and the rules must read chapter_memberships, chapter_coordinators
-- and organisation_coordinators whatever the caller may see.
-- ---------------------------------------------------------------------------------------
create or replace function private.enqueue_status_notifications()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $function$
begin
  insert into public.status_notifications
    (change_id, mentor_id, recipient_id, fallback, from_status, to_status)
  with chapter_recipients as (
    -- Rules 1 and 2: DISTINCT, so a coordinator of two of the mentor's chapters is one
    -- recipient. `is distinct from`, so a change without an actor (NULL) excludes nobody.
    select distinct c.user_id
      from public.chapter_memberships as m
      join public.chapter_coordinators as c
        on c.chapter_id = m.chapter_id
     where m.mentor_id = new.mentor_id
       and m.active
       and c.active
       and c.user_id is distinct from new.changed_by
  ),
  organisation_recipients as (
    -- Rule 3: only when rules 1 and 2 leave nobody. user_id is the primary key: no
    -- duplicates.
    select o.user_id
      from public.organisation_coordinators as o
     where o.active
       and o.user_id is distinct from new.changed_by
       and not exists (select 1 from chapter_recipients)
  )
  select new.id, new.mentor_id, r.user_id, r.fallback, new.from_status, new.to_status
    from (select cr.user_id, false as fallback from chapter_recipients as cr
          union all
          select orr.user_id, true as fallback from organisation_recipients as orr) as r;
  return null;
end
$function$;

comment on function private.enqueue_status_notifications() is
  'Trigger function: writes one public.status_notifications row per recipient of a status change (rules of the domain''s resolve_recipients).';

revoke all on function private.enqueue_status_notifications() from public, anon, authenticated, service_role;

-- AFTER INSERT on the audit row, in the change's transaction. The WHEN clause skips audit
-- rows that do not change the status (see the header).
create or replace trigger mentor_status_changes_enqueue_notifications
  after insert on public.mentor_status_changes
  for each row
  when (new.from_status is distinct from new.to_status)
  execute function private.enqueue_status_notifications();
