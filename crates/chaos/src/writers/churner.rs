//! The churner: memberships and coordinator roles toggled under the writers.

use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;

use super::session::Session;
use super::{Context, Path, WriterResult, finish};
use crate::SplitMix64;
use crate::outcome::{Outcome, Tally, from_diesel};

/// What the churner did: its counts, and when each of its statements was answered.
#[derive(Debug, Clone)]
pub struct ChurnResult {
    /// Its counts (path [`Path::Churner`]).
    pub writer: WriterResult,
    /// When each statement returned to the churner, committed or not (µs since the epoch,
    /// ascending). The churner runs one statement at a time, so a logged change committed
    /// at `t` was answered at the first of these at or after `t`, and was visible to every
    /// snapshot taken after that answer (see `check::recipients`).
    pub answered: Vec<i64>,
}

/// Microseconds since the epoch on this machine's clock (the server's clock too: the
/// cluster runs here).
fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// Toggles memberships and coordinator roles (as the owner), logging each change in
/// `chaos.churn_log` in the same statement, so the checker knows when it committed, and
/// noting when each statement was answered, so the checker knows by when it was visible.
pub fn churner(ctx: &Arc<Context>, mut rng: SplitMix64) -> ChurnResult {
    let mut session = Session::new(&ctx.owner_url, "chaos-churner", ctx.lock_timeout);
    let mut tally = Tally::default();
    let mut answered = Vec::new();
    let coordinators: Vec<_> = ctx.fixture.coordinators().collect();
    while ctx.running() {
        let sql = if rng.chance(50) {
            let m = &ctx.fixture.mentors[rng.index(ctx.fixture.mentors.len())];
            let chapter = m.chapters[rng.index(m.chapters.len())];
            format!(
                "with t as (update public.chapter_memberships set active = not active
                             where mentor_id = '{id}' and chapter_id = '{chapter}' returning active)
                 insert into chaos.churn_log (kind, subject, chapter_id, active)
                 select 'membership', '{id}', '{chapter}', t.active from t",
                id = m.id
            )
        } else {
            let Some(c) = rng.pick(&coordinators) else {
                break;
            };
            let chapter = c.chapters[rng.index(c.chapters.len())];
            format!(
                "with t as (update public.chapter_coordinators set active = not active
                             where user_id = '{id}' and chapter_id = '{chapter}' returning active)
                 insert into chaos.churn_log (kind, subject, chapter_id, active)
                 select 'coordinator', '{id}', '{chapter}', t.active from t",
                id = c.user_id
            )
        };
        let outcome = match session.get() {
            Ok(conn) => match conn.batch_execute(&sql) {
                Ok(()) => Outcome::Committed,
                Err(e) => {
                    session.reset();
                    from_diesel(&e)
                }
            },
            Err(outcome) => {
                session.reset();
                outcome
            }
        };
        answered.push(now_micros());
        tally.record(outcome);
        std::thread::sleep(Duration::from_millis(15));
    }
    ChurnResult {
        writer: finish(Path::Churner, tally, Vec::new()),
        answered,
    }
}
