//! The replay of the audit trail (see the [module docs](super)).

use std::collections::{BTreeSet, HashMap};

use chrono::DateTime;
use mentor_status_domain::{Command, CommandKind, MentorState, MentorStatus, PauseReason};
use uuid::Uuid;

use super::note;
use crate::snapshot::{AuditRow, MentorRowState, StatusState};

/// What the replay found.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    /// Audit rows replayed.
    pub rows: u64,
    /// Audit rows the replay could not account for (wrong start, not a transition).
    pub unaccounted: u64,
    /// Mentors whose replay does not end in their current row, or with unaccounted rows.
    pub mismatching_mentors: u64,
    /// The first messages, each naming the mentor.
    pub messages: Vec<String>,
}

/// Whether `row` is a transition of the domain's state machine from `from` to its "to".
fn domain_step(from: &StatusState, row: &AuditRow) -> Result<(), String> {
    let status = |s: &str| s.parse::<MentorStatus>().map_err(|e| format!("{s}: {e}"));
    let micros = |p: Option<i64>| p.and_then(DateTime::from_timestamp_micros);
    let state = MentorState::from_row(
        status(&from.status)?,
        micros(from.pause_at),
        from.reason.as_deref(),
    )
    .map_err(|e| format!("the state before is not a valid MentorState: {e}"))?;
    let to_status = status(&row.to_status)?;
    let command = match CommandKind::between(state.status(), to_status) {
        Some(CommandKind::Pause) => Command::Pause {
            reason: row
                .reason
                .as_deref()
                .map(PauseReason::parse)
                .transpose()
                .map_err(|e| format!("the reason is not a PauseReason: {e}"))?,
        },
        Some(CommandKind::Resume) => Command::Resume,
        Some(CommandKind::Deactivate) => Command::Deactivate,
        Some(CommandKind::Reactivate) => Command::Reactivate,
        None => {
            return Err(format!(
                "{} -> {to_status} is no transition of the state machine",
                state.status()
            ));
        }
    };
    let at = micros(row.to_pause_at.or(Some(row.changed_at)))
        .ok_or_else(|| "a time out of range".to_owned())?;
    let transition = state
        .apply(command, at)
        .map_err(|e| format!("the state machine refuses it: {e}"))?;
    let to = transition.to().to_row();
    let expected = row.to_state();
    let got = StatusState {
        status: to.status.as_str().to_owned(),
        pause_at: to.pause_at.map(|t| t.timestamp_micros()),
        reason: to.pause_reason,
    };
    if got == expected {
        Ok(())
    } else {
        Err(format!(
            "the state machine gives {} but the row says {}",
            got.describe(),
            expected.describe()
        ))
    }
}

/// Replays `audit` from `initial` and compares with `current`.
#[must_use]
pub fn replay(
    initial: &[MentorRowState],
    audit: &[AuditRow],
    current: &[MentorRowState],
) -> Replay {
    let mut out = Replay::default();
    let mut by_mentor: HashMap<Uuid, Vec<&AuditRow>> = HashMap::new();
    for row in audit {
        by_mentor.entry(row.mentor_id).or_default().push(row);
    }
    let now: HashMap<Uuid, &MentorRowState> = current.iter().map(|m| (m.id, m)).collect();
    let mut seen = BTreeSet::new();
    for start in initial {
        seen.insert(start.id);
        let mut state = start.state.clone();
        let mut bad = false;
        for row in by_mentor.get(&start.id).map(Vec::as_slice).unwrap_or(&[]) {
            out.rows += 1;
            let starts_right = row.from_status == state.status
                && row.from_pause_at == state.pause_at
                && (state.status != "paused"
                    || row.to_status == "paused"
                    || row.reason == state.reason);
            let mismatch = if starts_right {
                domain_step(&state, row).err().map(|e| {
                    format!(
                        "replay mismatch: mentor {}: audit row {}: {e}",
                        start.id, row.id
                    )
                })
            } else {
                Some(format!(
                    "replay mismatch: mentor {}: audit row {} starts from {} but the previous row left {}",
                    start.id,
                    row.id,
                    row.from_state().describe(),
                    state.describe()
                ))
            };
            if let Some(message) = mismatch {
                out.unaccounted += 1;
                bad = true;
                note(&mut out.messages, message);
            }
            state = row.to_state();
        }
        match now.get(&start.id) {
            Some(current) if current.state == state => {}
            Some(current) => {
                bad = true;
                note(
                    &mut out.messages,
                    format!(
                        "replay mismatch: mentor {}: the audit trail ends in {} but the row holds {}",
                        start.id,
                        state.describe(),
                        current.state.describe()
                    ),
                );
            }
            None => {
                bad = true;
                note(
                    &mut out.messages,
                    format!("replay mismatch: mentor {} is gone", start.id),
                );
            }
        }
        if bad {
            out.mismatching_mentors += 1;
        }
    }
    for row in audit.iter().filter(|r| !seen.contains(&r.mentor_id)) {
        out.unaccounted += 1;
        note(
            &mut out.messages,
            format!(
                "replay mismatch: mentor {}: audit row {} for a mentor not in the fixture",
                row.mentor_id, row.id
            ),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_rows::{T, mentor, row};

    #[test]
    fn a_chain_of_transitions_replays_to_the_current_row() {
        let audit = [
            row(1, ("active", None), ("paused", Some(T)), Some("vacation")),
            row(2, ("paused", Some(T)), ("active", None), Some("vacation")),
            row(3, ("active", None), ("inactive", None), None),
        ];
        let r = replay(
            &[mentor("active", None, None)],
            &audit,
            &[mentor("inactive", None, None)],
        );
        assert_eq!(
            (r.rows, r.unaccounted, r.mismatching_mentors),
            (3, 0, 0),
            "{:?}",
            r.messages
        );
    }

    #[test]
    fn a_change_missing_from_the_trail_is_a_mismatch_naming_the_mentor() {
        // Paused, then (unaudited) resumed, then deactivated from active.
        let audit = [
            row(1, ("active", None), ("paused", Some(T)), None),
            row(3, ("active", None), ("inactive", None), None),
        ];
        let r = replay(
            &[mentor("active", None, None)],
            &audit,
            &[mentor("inactive", None, None)],
        );
        assert_eq!((r.unaccounted, r.mismatching_mentors), (1, 1));
        assert!(
            r.messages[0].contains(&Uuid::from_u128(1).to_string()),
            "{:?}",
            r.messages
        );
        // And a final row that differs from the replay.
        let r = replay(
            &[mentor("active", None, None)],
            &audit[..1],
            &[mentor("active", None, None)],
        );
        assert_eq!(r.mismatching_mentors, 1);
        assert!(r.messages[0].contains("ends in paused"), "{:?}", r.messages);
    }

    #[test]
    fn a_row_outside_the_state_machine_is_unaccounted() {
        let audit = [row(1, ("inactive", None), ("paused", Some(T)), None)];
        let r = replay(
            &[mentor("inactive", None, None)],
            &audit,
            &[mentor("paused", Some(T), None)],
        );
        assert_eq!(r.unaccounted, 1, "{:?}", r.messages);
        assert!(r.messages[0].contains("no transition"), "{:?}", r.messages);
    }
}
