//! [`RetryPolicy`]: leases, exponential back-off and the dead-letter limit.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

/// How long a claim lasts and how failures are retried.
///
/// After failed attempt `k` (counting from 1) the notification is due again after
/// `base × 2^(k−1)`, at most `cap`; a failure of attempt `max_attempts` dead-letters it.
/// With the defaults (30 s, 1 h, 8 attempts, 60 s lease) the retries come after 30 s, 1 min,
/// 2 min, 4 min, 8 min, 16 min and 32 min, and the eighth failure, about an hour after the
/// first, is final.
///
/// ```
/// use std::time::Duration;
/// use mentor_status_storage::notifications::RetryPolicy;
///
/// let policy = RetryPolicy::default();
/// assert_eq!(policy.backoff(1), Duration::from_secs(30));
/// assert_eq!(policy.backoff(3), Duration::from_secs(120));
/// assert_eq!(policy.backoff(20), Duration::from_secs(3600)); // capped
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The delay after the first failure (default 30 s).
    pub base: Duration,
    /// The longest delay between attempts (default 1 h).
    pub cap: Duration,
    /// Attempts before a notification is dead-lettered (default 8; at least 1 is used).
    /// A claim whose lease expires counts as an attempt, so a notification that crashes
    /// every worker that takes it is dead-lettered too.
    pub max_attempts: u32,
    /// How long a claim keeps other workers off a notification (default 60 s). Longer than
    /// one delivery takes, or a slow delivery may be repeated by another worker.
    pub lease: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(30),
            cap: Duration::from_secs(3600),
            max_attempts: 8,
            lease: Duration::from_secs(60),
        }
    }
}

/// What a failed attempt leads to: [`RetryPolicy::after_failure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum FailureOutcome {
    /// Tried again from `at`.
    Retry {
        /// When the notification is due again.
        at: DateTime<Utc>,
    },
    /// Given up: a dead letter.
    Dead,
}

impl RetryPolicy {
    /// The delay after failed attempt `attempt` (from 1; 0 counts as 1): `base × 2^(attempt−1)`,
    /// at most `cap`.
    #[must_use]
    pub fn backoff(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1);
        2u32.checked_pow(doublings)
            .and_then(|factor| self.base.checked_mul(factor))
            .map_or(self.cap, |delay| delay.min(self.cap))
    }

    /// The effective maximum number of attempts (at least 1).
    #[must_use]
    pub fn attempts_allowed(&self) -> u32 {
        self.max_attempts.max(1)
    }

    /// What failed attempt `attempt` at `now` leads to.
    pub fn after_failure(&self, attempt: u32, now: DateTime<Utc>) -> FailureOutcome {
        if attempt >= self.attempts_allowed() {
            FailureOutcome::Dead
        } else {
            FailureOutcome::Retry {
                at: later(now, self.backoff(attempt)),
            }
        }
    }

    /// When a claim made at `now` expires.
    #[must_use]
    pub fn lease_until(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        later(now, self.lease)
    }
}

/// `now + delay`, saturating at the latest representable time.
fn later(now: DateTime<Utc>, delay: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(delay)
        .ok()
        .and_then(|delay| now.checked_add_signed(delay))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            base: Duration::from_secs(10),
            cap: Duration::from_secs(100),
            max_attempts: 4,
            lease: Duration::from_secs(5),
        }
    }

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    #[test]
    fn the_delay_doubles_from_the_base_after_each_failed_attempt() {
        let p = policy();
        let delays: Vec<u64> = (1..=4).map(|a| p.backoff(a).as_secs()).collect();
        assert_eq!(delays, [10, 20, 40, 80]);
        assert_eq!(p.backoff(0), p.backoff(1));
    }

    #[test]
    fn the_delay_never_exceeds_the_cap_even_for_huge_attempt_numbers() {
        let p = policy();
        assert_eq!(p.backoff(5).as_secs(), 100);
        assert_eq!(p.backoff(64).as_secs(), 100);
        assert_eq!(p.backoff(u32::MAX).as_secs(), 100);
        let huge = RetryPolicy {
            base: Duration::MAX,
            cap: Duration::MAX,
            ..p
        };
        assert_eq!(huge.backoff(3), Duration::MAX);
        assert!(
            matches!(huge.after_failure(1, t0()), FailureOutcome::Retry { at } if at == DateTime::<Utc>::MAX_UTC)
        );
    }

    #[test]
    fn the_last_allowed_attempt_failing_dead_letters_the_notification() {
        let p = policy();
        assert_eq!(
            p.after_failure(1, t0()),
            FailureOutcome::Retry {
                at: t0() + TimeDelta::seconds(10)
            }
        );
        assert_eq!(
            p.after_failure(3, t0()),
            FailureOutcome::Retry {
                at: t0() + TimeDelta::seconds(40)
            }
        );
        assert_eq!(p.after_failure(4, t0()), FailureOutcome::Dead);
        assert_eq!(p.after_failure(9, t0()), FailureOutcome::Dead);
    }

    #[test]
    fn a_policy_allowing_zero_attempts_still_makes_one() {
        let p = RetryPolicy {
            max_attempts: 0,
            ..policy()
        };
        assert_eq!(p.attempts_allowed(), 1);
        assert_eq!(p.after_failure(1, t0()), FailureOutcome::Dead);
    }

    #[test]
    fn a_lease_ends_its_length_after_the_claim() {
        assert_eq!(policy().lease_until(t0()), t0() + TimeDelta::seconds(5));
    }
}
