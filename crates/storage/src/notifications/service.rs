//! [`CoordinatorNotificationService`]: claims, marks and reads outbox rows.

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use mentor_status_domain::{
    ChapterId, CoordinatorLink, OrganisationCoordinator, Recipients, UserId, resolve_recipients,
};
use uuid::Uuid;

use super::{
    ClaimedBatch, DeadLetter, FailureOutcome, Notification, NotificationError, NotificationId,
    RetryPolicy, WorkerId,
};
use crate::Context as _;
use crate::pool::checkout;
use crate::schema::sql_types::MentorStatus as SqlMentorStatus;
use crate::{DbMentorStatus, MentorId, PgPool};

/// Longest `last_error` stored, in characters: a notifier's error is a diagnosis, not a log.
const LAST_ERROR_MAX_CHARS: usize = 2000;

/// The columns every read of a notification selects, aliased as [`NotificationRecord`]
/// expects (`s` is `public.status_notifications`).
const NOTIFICATION_COLUMNS: &str = "s.id, s.change_id, s.mentor_id, s.recipient_id, s.fallback, \
     s.from_status, s.to_status, s.created_at, s.attempts";

/// Delivers what the outbox `public.status_notifications` holds: workers claim due rows,
/// hand them to a [`Notifier`](super::Notifier) and mark them sent or failed.
///
/// Every method takes the time as `now` (truncated to whole microseconds, PostgreSQL's
/// precision) instead of reading a clock. Compare `now` only with times from the same
/// clock: rows are created with the database's `now()`, so a worker whose clock runs far
/// behind the database's sees new rows late.
///
/// Connects as the table owner, or as a role with the grants the migration gives
/// `service_role` (SELECT, UPDATE of the delivery columns).
#[derive(Debug, Clone)]
pub struct CoordinatorNotificationService {
    pool: PgPool,
    policy: RetryPolicy,
}

/// One row as [`NOTIFICATION_COLUMNS`] selects it.
#[derive(Debug, QueryableByName)]
struct NotificationRecord {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    change_id: i64,
    #[diesel(sql_type = SqlUuid)]
    mentor_id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    recipient_id: Uuid,
    #[diesel(sql_type = Bool)]
    fallback: bool,
    #[diesel(sql_type = SqlMentorStatus)]
    from_status: DbMentorStatus,
    #[diesel(sql_type = SqlMentorStatus)]
    to_status: DbMentorStatus,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = BigInt)]
    attempts: i64,
}

impl From<NotificationRecord> for Notification {
    fn from(r: NotificationRecord) -> Notification {
        Notification {
            id: NotificationId::new(r.id),
            change_id: r.change_id,
            mentor_id: MentorId::new(r.mentor_id),
            recipient: UserId::new(r.recipient_id),
            fallback: r.fallback,
            from: r.from_status.into(),
            to: r.to_status.into(),
            created_at: r.created_at,
            // The CHECK constraint keeps attempts >= 0; more than u32::MAX claims cannot
            // happen in practice, saturate rather than fail.
            attempt: u32::try_from(r.attempts).unwrap_or(u32::MAX),
        }
    }
}

#[derive(Debug, QueryableByName)]
struct ClaimRecord {
    #[diesel(embed)]
    notification: NotificationRecord,
    #[diesel(sql_type = Bool)]
    dead: bool,
}

#[derive(Debug, QueryableByName)]
struct DeadRecord {
    #[diesel(embed)]
    notification: NotificationRecord,
    #[diesel(sql_type = Timestamptz)]
    dead_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Text>)]
    last_error: Option<String>,
}

/// One row of the recipients query: a chapter link, or an organisation coordinator.
#[derive(Debug, QueryableByName)]
struct RecipientInputRecord {
    #[diesel(sql_type = Nullable<SqlUuid>)]
    chapter_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Bool>)]
    membership_active: Option<bool>,
    #[diesel(sql_type = SqlUuid)]
    user_id: Uuid,
    #[diesel(sql_type = Bool)]
    user_active: bool,
}

impl CoordinatorNotificationService {
    /// A service on `pool` with the default [`RetryPolicy`].
    #[must_use]
    pub fn new(pool: PgPool) -> Self {
        CoordinatorNotificationService {
            pool,
            policy: RetryPolicy::default(),
        }
    }

    /// The same service with another lease and retry policy.
    #[must_use]
    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The lease and retry policy in use.
    #[must_use]
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Claims up to `limit` due notifications for `worker` until `now` + the lease.
    ///
    /// Due: not sent, not dead, `next_attempt_at <= now` (new, retried after a back-off, or
    /// whose previous claim's lease expired), oldest first. One statement: the rows are
    /// picked with `FOR UPDATE SKIP LOCKED`, so concurrent workers skip each other's rows
    /// instead of waiting or taking them twice, and the claim (`attempts + 1`, `claimed_at`,
    /// `claimed_by`, `next_attempt_at = now + lease`) commits before any delivery starts.
    /// A worker that dies after this simply never marks its rows: they are due again when
    /// the lease ends.
    ///
    /// A due row whose attempts are all used up (the last claims' leases expired: workers
    /// crashed on it) is dead-lettered instead of claimed, and counted in
    /// [`ClaimedBatch::dead_lettered`].
    ///
    /// # Errors
    ///
    /// A pool or database error; nothing is claimed then.
    pub fn claim_batch(
        &self,
        worker: &WorkerId,
        limit: u32,
        now: DateTime<Utc>,
    ) -> Result<ClaimedBatch, NotificationError> {
        let now = now.trunc_subsecs(6);
        let lease_until = self.policy.lease_until(now).trunc_subsecs(6);
        let max_attempts = i64::from(self.policy.attempts_allowed());
        // The CTE, not `where id in (select … limit … for update skip locked)`: a CTE with a
        // locking clause is evaluated exactly once, so the rows locked are the rows updated.
        // Every SET expression sees the row as it was before this update.
        let records: Vec<ClaimRecord> = diesel::sql_query(format!(
            "with picked as (
               select s.id
                 from public.status_notifications as s
                where s.sent_at is null
                  and s.dead_at is null
                  and s.next_attempt_at <= $1
                order by s.next_attempt_at, s.id
                limit $2
                  for update skip locked
             )
             update public.status_notifications as s
                set attempts        = case when s.attempts >= $5 then s.attempts else s.attempts + 1 end,
                    claimed_at      = case when s.attempts >= $5 then null else $1 end,
                    claimed_by      = case when s.attempts >= $5 then null else $3 end,
                    next_attempt_at = case when s.attempts >= $5 then s.next_attempt_at else $4 end,
                    dead_at         = case when s.attempts >= $5 then $1 end,
                    last_error      = case when s.attempts >= $5 and s.claimed_by is not null
                                           then pg_catalog.format(
                                                  'gave up: the lease of attempt %s (worker %s) expired without a result',
                                                  s.attempts, s.claimed_by)
                                           else s.last_error end
               from picked
              where s.id = picked.id
             returning {NOTIFICATION_COLUMNS}, s.dead_at is not null as dead"
        ))
        .bind::<Timestamptz, _>(now)
        .bind::<BigInt, _>(i64::from(limit))
        .bind::<Text, _>(worker.as_ref())
        .bind::<Timestamptz, _>(lease_until)
        .bind::<BigInt, _>(max_attempts)
        .load(&mut checkout(&self.pool)?)
        .with_context(|| format!(
            "claiming up to {limit} notifications for worker {worker}"
        ))?;

        let mut batch = ClaimedBatch::default();
        for record in records {
            if record.dead {
                batch.dead_lettered += 1;
            } else {
                batch.notifications.push(record.notification.into());
            }
        }
        // Oldest first (RETURNING has no order of its own).
        batch.notifications.sort_by_key(|n| n.id);
        Ok(batch)
    }

    /// Marks `notification`, claimed by `worker`, as delivered at `now`.
    ///
    /// Succeeds only for the claim that `worker` holds (same worker, same attempt, not yet
    /// marked), also after its lease ended as long as nobody claimed the notification again
    /// meanwhile: the delivery did happen, so recording it avoids a repeat.
    ///
    /// # Errors
    ///
    /// [`NotificationError::LeaseLost`] when the claim is no longer `worker`'s; a pool or
    /// database error. Nothing is changed then.
    pub fn mark_sent(
        &self,
        notification: &Notification,
        worker: &WorkerId,
        now: DateTime<Utc>,
    ) -> Result<(), NotificationError> {
        let now = now.trunc_subsecs(6);
        let updated = diesel::sql_query(
            "update public.status_notifications as s
                set sent_at = $1
              where s.id = $2
                and s.claimed_by = $3
                and s.attempts = $4
                and s.sent_at is null
                and s.dead_at is null",
        )
        .bind::<Timestamptz, _>(now)
        .bind::<BigInt, _>(notification.id.get())
        .bind::<Text, _>(worker.as_ref())
        .bind::<BigInt, _>(i64::from(notification.attempt))
        .execute(&mut checkout(&self.pool)?)
        .with_context(|| format!("marking notification {} as sent", notification.id))?;
        lease_held(updated, notification, worker)
    }

    /// Records that `worker`'s attempt at `notification` failed with `error` at `now`, and
    /// releases the claim: the notification is due again after the policy's back-off, or is
    /// dead-lettered when that was its last allowed attempt.
    ///
    /// `error` is stored (at most 2,000 characters) in `last_error` for the operator: keep
    /// personal data out of it.
    ///
    /// # Errors
    ///
    /// [`NotificationError::LeaseLost`] when the claim is no longer `worker`'s; a pool or
    /// database error. Nothing is changed then.
    pub fn mark_failed(
        &self,
        notification: &Notification,
        worker: &WorkerId,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<FailureOutcome, NotificationError> {
        let now = now.trunc_subsecs(6);
        let outcome = match self.policy.after_failure(notification.attempt, now) {
            FailureOutcome::Retry { at } => FailureOutcome::Retry {
                at: at.trunc_subsecs(6),
            },
            FailureOutcome::Dead => FailureOutcome::Dead,
        };
        let (next_attempt_at, dead_at) = match outcome {
            FailureOutcome::Retry { at } => (Some(at), None),
            FailureOutcome::Dead => (None, Some(now)),
        };
        let error: String = error.chars().take(LAST_ERROR_MAX_CHARS).collect();
        let updated = diesel::sql_query(
            "update public.status_notifications as s
                set claimed_at = null,
                    claimed_by = null,
                    last_error = $1,
                    next_attempt_at = coalesce($2, s.next_attempt_at),
                    dead_at = $3
              where s.id = $4
                and s.claimed_by = $5
                and s.attempts = $6
                and s.sent_at is null
                and s.dead_at is null",
        )
        .bind::<Text, _>(&error)
        .bind::<Nullable<Timestamptz>, _>(next_attempt_at)
        .bind::<Nullable<Timestamptz>, _>(dead_at)
        .bind::<BigInt, _>(notification.id.get())
        .bind::<Text, _>(worker.as_ref())
        .bind::<BigInt, _>(i64::from(notification.attempt))
        .execute(&mut checkout(&self.pool)?)
        .with_context(|| {
            format!(
                "recording the failed attempt {} of notification {}",
                notification.attempt, notification.id
            )
        })?;
        lease_held(updated, notification, worker)?;
        Ok(outcome)
    }

    /// Every dead letter, oldest first: notifications given up on after the maximum number
    /// of attempts, with their last error. They stay in the outbox until someone re-queues
    /// (`update … set dead_at = null, attempts = 0, next_attempt_at = now()`) or deletes
    /// them as the owner.
    ///
    /// # Errors
    ///
    /// A pool or database error.
    pub fn dead_letters(&self) -> Result<Vec<DeadLetter>, NotificationError> {
        let records: Vec<DeadRecord> = diesel::sql_query(format!(
            "select {NOTIFICATION_COLUMNS}, s.dead_at, s.last_error
               from public.status_notifications as s
              where s.dead_at is not null
              order by s.dead_at, s.id"
        ))
        .load(&mut checkout(&self.pool)?)
        .context("reading the dead letters")?;
        Ok(records
            .into_iter()
            .map(|r| DeadLetter {
                notification: r.notification.into(),
                dead_at: r.dead_at,
                last_error: r.last_error,
            })
            .collect())
    }

    /// Who would be told now if `actor` (`None`: nobody in particular, e.g. maintenance)
    /// changed the mentor's status: the domain's
    /// [`resolve_recipients`] fed by one query over the mentor's chapter memberships, their
    /// coordinators and the organisation coordinators.
    ///
    /// For diagnostics and tests: the outbox itself is written by the database trigger,
    /// which implements the same rules (a test compares the two on random chapter graphs).
    /// An unknown mentor has no chapters, so the answer is the fallback.
    ///
    /// # Errors
    ///
    /// A pool or database error.
    pub fn preview_recipients(
        &self,
        mentor_id: MentorId,
        actor: Option<UserId>,
    ) -> Result<Recipients, NotificationError> {
        let records: Vec<RecipientInputRecord> = diesel::sql_query(
            "select m.chapter_id, m.active as membership_active, c.user_id, c.active as user_active
               from public.chapter_memberships as m
               join public.chapter_coordinators as c on c.chapter_id = m.chapter_id
              where m.mentor_id = $1
             union all
             select null, null, o.user_id, o.active
               from public.organisation_coordinators as o",
        )
        .bind::<SqlUuid, _>(mentor_id.as_uuid())
        .load(&mut checkout(&self.pool)?)
        .with_context(|| format!("reading the chapters and coordinators of mentor {mentor_id}"))?;

        let mut links = Vec::new();
        let mut organisation = Vec::new();
        for r in records {
            match (r.chapter_id, r.membership_active) {
                (Some(chapter), Some(membership_active)) => links.push(CoordinatorLink {
                    chapter: ChapterId::new(chapter),
                    membership_active,
                    coordinator: UserId::new(r.user_id),
                    coordinator_active: r.user_active,
                }),
                _ => organisation.push(OrganisationCoordinator {
                    user: UserId::new(r.user_id),
                    active: r.user_active,
                }),
            }
        }
        Ok(resolve_recipients(&links, &organisation, actor))
    }
}

/// `Ok` when the marking statement changed the row, else [`NotificationError::LeaseLost`].
fn lease_held(
    updated: usize,
    notification: &Notification,
    worker: &WorkerId,
) -> Result<(), NotificationError> {
    if updated == 1 {
        Ok(())
    } else {
        Err(NotificationError::LeaseLost {
            id: notification.id,
            worker: worker.to_string(),
            attempt: notification.attempt,
        })
    }
}
