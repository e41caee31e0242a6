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
        // (log kind, table, its subject column, subject, chapter)
        let (kind, table, column, subject, chapter) = if rng.chance(50) {
            let m = &ctx.fixture.mentors[rng.index(ctx.fixture.mentors.len())];
            let chapter = m.chapters[rng.index(m.chapters.len())];
            (
                "membership",
                "chapter_memberships",
                "mentor_id",
                m.id,
                chapter,
            )
        } else {
            let Some(c) = rng.pick(&coordinators) else {
                break;
            };
            let chapter = c.chapters[rng.index(c.chapters.len())];
            (
                "coordinator",
                "chapter_coordinators",
                "user_id",
                c.user_id,
                chapter,
            )
        };
        let sql = format!(
            "with t as (update public.{table} set active = not active
                         where {column} = '{subject}' and chapter_id = '{chapter}' returning active)
             insert into chaos.churn_log (kind, subject, chapter_id, active)
             select '{kind}', '{subject}', '{chapter}', t.active from t"
        );
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
