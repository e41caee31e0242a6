//! Delivering the outbox: concurrent workers, leases that expire, back-off and dead letters.
//!
//! Time is injected: every call gets its `now`, so leases and back-off are tested by moving
//! that clock, never by sleeping. Notifications are made by real status changes (seeded Ada,
//! in Oslo: one notification for Kari per change).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use mentor_status_storage::PoolConfig;
use mentor_status_storage::notifications::{
    CoordinatorNotificationService, NotificationError, Notifier, NotifyError, RecordingNotifier,
    RetryPolicy, Summary, WorkerId, run_once,
};
use mentor_status_tests::TestDb;

use crate::notify::support::{ADA_ID, KARI, outbox_count};
use crate::support::{int, text};

/// `changes` status changes of Ada (pause, resume, pause, ...), committed: one notification
/// each, for Kari.
fn make_notifications(conn: &mut PgConnection, changes: usize) {
    conn.batch_execute(&format!(
        "do $make$
         begin
           for i in 1..{changes} loop
             if i % 2 = 1 then
               update public.peer_mentors set status = 'paused', pause_at = now() where id = '{ADA_ID}';
             else
               update public.peer_mentors set status = 'active', pause_at = null where id = '{ADA_ID}';
             end if;
           end loop;
         end
         $make$;"
    ))
    .unwrap();
    assert_eq!(outbox_count(conn), i64::try_from(changes).unwrap());
}

/// A clock reading after every row's creation (rows get the database's `now()`), in whole
/// microseconds like the database stores it.
fn start() -> DateTime<Utc> {
    (Utc::now() + TimeDelta::seconds(1)).trunc_subsecs(6)
}

fn secs(n: i64) -> TimeDelta {
    TimeDelta::seconds(n)
}

fn worker(name: &str) -> WorkerId {
    WorkerId::new(name).unwrap()
}

fn service(db: &TestDb, policy: RetryPolicy) -> CoordinatorNotificationService {
    CoordinatorNotificationService::new(PoolConfig::default().build(db.url()).unwrap())
        .with_policy(policy)
}

/// A fresh seeded database with `changes` notifications waiting (see
/// [`make_notifications`]), a connection to it, and the service over it with `policy`.
fn seeded_outbox(
    changes: usize,
    policy: RetryPolicy,
) -> (TestDb, PgConnection, CoordinatorNotificationService) {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    make_notifications(&mut conn, changes);
    let service = service(&db, policy);
    (db, conn, service)
}

/// Fails the first `failures` deliveries, then records like a [`RecordingNotifier`].
#[derive(Debug)]
struct FlakyNotifier {
    failures_left: Mutex<u32>,
    delivered: RecordingNotifier,
}

impl FlakyNotifier {
    fn failing(failures: u32) -> Self {
        FlakyNotifier {
            failures_left: Mutex::new(failures),
            delivered: RecordingNotifier::new(),
        }
    }
}

impl Notifier for FlakyNotifier {
    fn notify(
        &self,
        n: &mentor_status_storage::notifications::Notification,
    ) -> Result<(), NotifyError> {
        let mut left = self.failures_left.lock().unwrap();
        if *left > 0 {
            *left -= 1;
            return Err(NotifyError::new(format!(
                "smtp: 421 service not available (attempt {})",
                n.attempt
            )));
        }
        self.delivered.notify(n)
    }
}

/// The delivery columns of the only outbox row, as `attempts next_attempt_at-offset
/// claimed? sent? dead? last_error`, the offset in seconds from `t0`.
fn state(conn: &mut PgConnection, t0: DateTime<Utc>) -> String {
    text(
        conn,
        &format!(
            "select concat_ws(' ', attempts,
                              extract(epoch from next_attempt_at - '{t0}'::timestamptz)::bigint,
                              case when claimed_by is null then 'unclaimed' else 'claimed-by-' || claimed_by end,
                              case when sent_at is null then 'unsent' else 'sent' end,
                              case when dead_at is null then 'alive' else 'dead' end,
                              coalesce(last_error, '-')) as v
               from public.status_notifications"
        ),
    )
}

#[test]
fn four_concurrent_workers_over_1000_notifications_deliver_each_exactly_once() {
    let (_db, mut conn, service) = seeded_outbox(1000, RetryPolicy::default());
    let notifier = RecordingNotifier::new();
    let now = start();

    let summaries: Vec<Summary> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|w| {
                let (service, notifier) = (&service, &notifier);
                scope.spawn(move || {
                    let me = worker(&format!("worker-{w}"));
                    let mut total = Summary::default();
                    loop {
                        let round = run_once(service, notifier, &me, 25, now).unwrap();
                        if round.is_idle() {
                            return total;
                        }
                        total += round;
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    let mut per_id: BTreeMap<i64, usize> = BTreeMap::new();
    for n in notifier.recorded() {
        assert_eq!(n.recipient.as_uuid(), &KARI);
        *per_id.entry(n.id.get()).or_default() += 1;
    }
    assert_eq!(per_id.len(), 1000, "every notification delivered");
    assert!(per_id.values().all(|&count| count == 1), "none twice");
    let sent: usize = summaries.iter().map(|s| s.sent).sum();
    assert_eq!(sent, 1000);
    assert!(
        summaries
            .iter()
            .all(|s| s.failed == 0 && s.dead == 0 && s.lost == 0)
    );
    assert_eq!(
        int(
            &mut conn,
            "select count(*) as v from public.status_notifications
              where sent_at is not null and attempts = 1 and dead_at is null"
        ),
        1000
    );
    // What each worker did (several took part, unless the machine ran them one by one).
    eprintln!(
        "sent per worker: {:?}",
        summaries.iter().map(|s| s.sent).collect::<Vec<_>>()
    );
}

#[test]
fn a_worker_that_dies_after_claiming_does_not_lose_the_notification() {
    let policy = RetryPolicy {
        lease: Duration::from_secs(60),
        ..RetryPolicy::default()
    };
    let (_db, mut conn, service) = seeded_outbox(1, policy);
    let (a, b) = (worker("a"), worker("b"));
    let t0 = start();

    // Worker a claims, then dies before delivering or marking anything.
    let claimed = service.claim_batch(&a, 10, t0).unwrap();
    assert_eq!(claimed.notifications.len(), 1);
    let lost_claim = claimed.notifications[0].clone();
    assert_eq!(lost_claim.attempt, 1);
    assert_eq!(state(&mut conn, t0), "1 60 claimed-by-a unsent alive -");

    // While the lease runs, nobody else gets it.
    let notifier = RecordingNotifier::new();
    let idle = run_once(&service, &notifier, &b, 10, t0 + secs(59)).unwrap();
    assert!(idle.is_idle(), "{idle:?}");

    // When it has run out, worker b takes over and delivers.
    let round = run_once(&service, &notifier, &b, 10, t0 + secs(60)).unwrap();
    assert_eq!(
        round,
        Summary {
            claimed: 1,
            sent: 1,
            ..Summary::default()
        }
    );
    let delivered = notifier.recorded();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].id, lost_claim.id);
    assert_eq!(delivered[0].attempt, 2);
    assert_eq!(state(&mut conn, t0), "2 120 claimed-by-b sent alive -");

    // Worker a coming back to life cannot mark the claim it lost.
    for result in [
        service.mark_sent(&lost_claim, &a, t0 + secs(61)),
        service
            .mark_failed(&lost_claim, &a, "late", t0 + secs(61))
            .map(|_| ()),
    ] {
        assert!(
            matches!(result, Err(NotificationError::LeaseLost { attempt: 1, .. })),
            "{result:?}"
        );
    }
    assert_eq!(state(&mut conn, t0), "2 120 claimed-by-b sent alive -");
    // And nothing is due any more.
    assert!(
        run_once(&service, &notifier, &a, 10, t0 + secs(100_000))
            .unwrap()
            .is_idle()
    );
}

#[test]
fn a_worker_may_still_mark_its_claim_after_the_lease_ran_out_if_nobody_took_it_over() {
    let (_db, mut conn, service) = seeded_outbox(1, RetryPolicy::default());
    let a = worker("a");
    let t0 = start();
    let claimed = service.claim_batch(&a, 1, t0).unwrap().notifications;
    // A slow delivery: the lease (60 s) ended, but the notification was delivered, so
    // recording it avoids a repeat.
    service.mark_sent(&claimed[0], &a, t0 + secs(90)).unwrap();
    assert_eq!(state(&mut conn, t0), "1 60 claimed-by-a sent alive -");
    // A second mark of the same claim is refused.
    assert!(matches!(
        service.mark_sent(&claimed[0], &a, t0 + secs(91)),
        Err(NotificationError::LeaseLost { .. })
    ));
}

#[test]
fn a_notifier_that_keeps_failing_leads_to_exponential_back_off_then_a_dead_letter() {
    let policy = RetryPolicy {
        base: Duration::from_secs(30),
        cap: Duration::from_secs(100),
        max_attempts: 4,
        lease: Duration::from_secs(10),
    };
    let (_db, mut conn, service) = seeded_outbox(1, policy);
    let notifier = FlakyNotifier::failing(u32::MAX);
    let w = worker("w");
    let t0 = start();
    let failed_once = Summary {
        claimed: 1,
        failed: 1,
        ..Summary::default()
    };

    // Attempts 1 to 3 fail, each due again after twice the wait (capped): when it runs, the
    // state it leaves, and the last second at which nothing is due yet.
    for (at, after, idle_until) in [
        // Due again after 30 s.
        (
            0,
            "1 30 unclaimed unsent alive smtp: 421 service not available (attempt 1)",
            Some(29),
        ),
        // At 30 s: 60 s more.
        (
            30,
            "2 90 unclaimed unsent alive smtp: 421 service not available (attempt 2)",
            Some(89),
        ),
        // At 90 s: 120 s capped to 100 s.
        (
            90,
            "3 190 unclaimed unsent alive smtp: 421 service not available (attempt 3)",
            None,
        ),
    ] {
        assert_eq!(
            run_once(&service, &notifier, &w, 10, t0 + secs(at)).unwrap(),
            failed_once,
            "attempt at {at} s"
        );
        assert_eq!(state(&mut conn, t0), after);
        if let Some(idle_until) = idle_until {
            // Not before.
            assert!(
                run_once(&service, &notifier, &w, 10, t0 + secs(idle_until))
                    .unwrap()
                    .is_idle(),
                "due before {idle_until} s"
            );
        }
    }
    // Attempt 4, the last allowed, fails: a dead letter.
    assert_eq!(
        run_once(&service, &notifier, &w, 10, t0 + secs(190)).unwrap(),
        Summary {
            claimed: 1,
            dead: 1,
            ..Summary::default()
        }
    );
    // (next_attempt_at stays at the last lease's end, 190 + 10 s: never read once dead.)
    assert_eq!(
        state(&mut conn, t0),
        "4 200 unclaimed unsent dead smtp: 421 service not available (attempt 4)"
    );
    // Never claimed again, and visible.
    assert!(
        run_once(&service, &notifier, &w, 10, t0 + secs(1_000_000))
            .unwrap()
            .is_idle()
    );
    let dead = service.dead_letters().unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].notification.attempt, 4);
    assert_eq!(dead[0].notification.recipient.as_uuid(), &KARI);
    assert_eq!(dead[0].dead_at, t0 + secs(190));
    assert_eq!(
        dead[0].last_error.as_deref(),
        Some("smtp: 421 service not available (attempt 4)")
    );
    assert!(notifier.delivered.recorded().is_empty());
}

#[test]
fn a_notifier_that_fails_twice_then_works_delivers_on_the_third_attempt() {
    let (_db, mut conn, service) = seeded_outbox(1, RetryPolicy::default()); // 30 s, 1 min, ...
    let notifier = FlakyNotifier::failing(2);
    let w = worker("w");
    let t0 = start();
    let mut total = Summary::default();
    for at in [0, 30, 90] {
        total += run_once(&service, &notifier, &w, 10, t0 + secs(at)).unwrap();
    }
    assert_eq!(
        total,
        Summary {
            claimed: 3,
            sent: 1,
            failed: 2,
            ..Summary::default()
        }
    );
    assert_eq!(notifier.delivered.recorded().len(), 1);
    assert_eq!(notifier.delivered.recorded()[0].attempt, 3);
    // The last error stays as a record of what happened before success.
    assert_eq!(
        state(&mut conn, t0),
        "3 150 claimed-by-w sent alive smtp: 421 service not available (attempt 2)"
    );
    assert!(service.dead_letters().unwrap().is_empty());
}

#[test]
fn a_notification_that_crashes_every_worker_ends_as_a_dead_letter() {
    let policy = RetryPolicy {
        max_attempts: 2,
        lease: Duration::from_secs(10),
        ..RetryPolicy::default()
    };
    let (_db, mut conn, service) = seeded_outbox(1, policy);
    let t0 = start();
    // Two workers claim it in turn and die (their leases expire, nothing is marked).
    assert_eq!(
        service
            .claim_batch(&worker("a"), 5, t0)
            .unwrap()
            .notifications
            .len(),
        1
    );
    let second = service.claim_batch(&worker("b"), 5, t0 + secs(10)).unwrap();
    assert_eq!(second.notifications[0].attempt, 2);
    // The third claim finds every attempt used up: dead-lettered, not handed out.
    let third = service.claim_batch(&worker("c"), 5, t0 + secs(20)).unwrap();
    assert!(third.notifications.is_empty());
    assert_eq!(third.dead_lettered, 1);
    let dead = service.dead_letters().unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        dead[0].last_error.as_deref(),
        Some("gave up: the lease of attempt 2 (worker b) expired without a result")
    );
    assert_eq!(state(&mut conn, t0).split(' ').nth(4), Some("dead"));
}

#[test]
fn a_claim_takes_the_oldest_due_notifications_first_and_at_most_the_batch_size() {
    let (_db, mut conn, service) = seeded_outbox(5, RetryPolicy::default());
    let t0 = start();
    let first = service
        .claim_batch(&worker("a"), 3, t0)
        .unwrap()
        .notifications;
    let second = service
        .claim_batch(&worker("b"), 3, t0)
        .unwrap()
        .notifications;
    let ids = |batch: &[mentor_status_storage::notifications::Notification]| -> Vec<i64> {
        batch.iter().map(|n| n.id.get()).collect()
    };
    let all = int(
        &mut conn,
        "select min(id) as v from public.status_notifications",
    );
    assert_eq!(ids(&first), [all, all + 1, all + 2]);
    assert_eq!(ids(&second), [all + 3, all + 4]);
    assert!(
        service
            .claim_batch(&worker("c"), 3, t0)
            .unwrap()
            .notifications
            .is_empty()
    );
}
