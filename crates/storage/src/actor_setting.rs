//! Who acts, as the database hears it: two transaction-local settings that the audit and
//! notification triggers read with `current_setting(…, true)`. Their names and the SQL that
//! sets them live here once; the repository, `cargo xtask bench status`'s pgbench script and
//! the tests all take them from this module.
//!
//! The triggers honour the settings only on the table owner's connection (a client cannot
//! claim to be someone else); see the migrations' `private.acting_*` functions.

use mentor_status_domain::Actor;

/// The name of the acting user's id setting, as a literal for `concat!`.
macro_rules! actor_id_name {
    () => {
        "mentor_status.actor_id"
    };
}

/// The name of the acting role setting, as a literal for `concat!`.
macro_rules! actor_role_name {
    () => {
        "mentor_status.actor_role"
    };
}

pub(crate) use {actor_id_name, actor_role_name};

/// The acting user's id (`''` for the service role).
pub const ACTOR_ID: &str = actor_id_name!();

/// The acting role: `authenticated` (a mentor or a coordinator) or `service_role`.
pub const ACTOR_ROLE: &str = actor_role_name!();

/// The two values the database is told for `actor`: `(actor_id, actor_role)`.
#[must_use]
pub fn actor_settings(actor: &Actor) -> (String, &'static str) {
    match actor {
        Actor::Mentor { user_id } | Actor::Coordinator { user_id } => {
            (user_id.to_string(), "authenticated")
        }
        Actor::ServiceRole => (String::new(), "service_role"),
    }
}

/// A `select` statement that sets both settings for `actor` in the current transaction
/// (they end with it), for scripts and SQL written by hand: pgbench, psql, tests.
#[must_use]
pub fn set_actor_sql(actor: &Actor) -> String {
    let (id, role) = actor_settings(actor);
    set_settings_sql(&id, role)
}

/// [`set_actor_sql`] for any two values, quoted as SQL literals: for a caller that must
/// tell the database something no [`Actor`] says (a test of what the triggers do with it).
#[must_use]
pub fn set_settings_sql(actor_id: &str, actor_role: &str) -> String {
    format!(
        "select set_config('{ACTOR_ID}', {}, true) as actor_id_set, \
                set_config('{ACTOR_ROLE}', {}, true) as actor_role_set",
        quote_literal(actor_id),
        quote_literal(actor_role)
    )
}

/// `value` as a standard-conforming SQL string literal.
fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_as_literals() {
        assert_eq!(
            set_settings_sql("o'brien", "service_role"),
            "select set_config('mentor_status.actor_id', 'o''brien', true) as actor_id_set, \
             set_config('mentor_status.actor_role', 'service_role', true) as actor_role_set"
        );
    }

    #[test]
    fn each_actor_is_told_as_its_user_id_and_sql_role() {
        let user = mentor_status_domain::UserId::new(uuid::Uuid::from_u128(0x42));
        let id = "00000000-0000-0000-0000-000000000042".to_owned();
        assert_eq!(
            actor_settings(&Actor::Mentor { user_id: user }),
            (id.clone(), "authenticated")
        );
        assert_eq!(
            actor_settings(&Actor::Coordinator { user_id: user }),
            (id, "authenticated")
        );
        assert_eq!(
            actor_settings(&Actor::ServiceRole),
            (String::new(), "service_role")
        );
    }
}
