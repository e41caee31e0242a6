// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, std::fmt::Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "mentor_status"))]
    pub struct MentorStatus;
}

diesel::table! {
    activities (id) {
        id -> Uuid,
        mentor_id -> Uuid,
        assignment_id -> Nullable<Uuid>,
        occurred_at -> Timestamptz,
        kind -> Text,
        duration_minutes -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    assignments (id) {
        id -> Uuid,
        mentor_id -> Uuid,
        mentee_ref -> Text,
        started_at -> Timestamptz,
        ended_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    chapter_coordinators (user_id, chapter_id) {
        user_id -> Uuid,
        chapter_id -> Uuid,
        active -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    chapter_memberships (mentor_id, chapter_id) {
        mentor_id -> Uuid,
        chapter_id -> Uuid,
        active -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    chapters (id) {
        id -> Uuid,
        name -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::MentorStatus;

    mentor_status_changes (id) {
        id -> Int8,
        mentor_id -> Uuid,
        from_status -> MentorStatus,
        to_status -> MentorStatus,
        from_pause_at -> Nullable<Timestamptz>,
        to_pause_at -> Nullable<Timestamptz>,
        pause_reason -> Nullable<Text>,
        changed_by -> Nullable<Uuid>,
        actor_role -> Text,
        changed_at -> Timestamptz,
    }
}

diesel::table! {
    organisation_coordinators (user_id) {
        user_id -> Uuid,
        active -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::MentorStatus;

    peer_mentors (id) {
        id -> Uuid,
        user_id -> Uuid,
        full_name -> Text,
        email -> Text,
        phone -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        status -> MentorStatus,
        pause_at -> Nullable<Timestamptz>,
        pause_reason -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::MentorStatus;

    status_notifications (id) {
        id -> Int8,
        change_id -> Int8,
        mentor_id -> Uuid,
        recipient_id -> Uuid,
        fallback -> Bool,
        from_status -> MentorStatus,
        to_status -> MentorStatus,
        created_at -> Timestamptz,
        claimed_at -> Nullable<Timestamptz>,
        claimed_by -> Nullable<Text>,
        sent_at -> Nullable<Timestamptz>,
        attempts -> Int8,
        next_attempt_at -> Timestamptz,
        last_error -> Nullable<Text>,
        dead_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(activities -> assignments (assignment_id));
diesel::joinable!(activities -> peer_mentors (mentor_id));
diesel::joinable!(assignments -> peer_mentors (mentor_id));
diesel::joinable!(chapter_coordinators -> chapters (chapter_id));
diesel::joinable!(chapter_memberships -> chapters (chapter_id));
diesel::joinable!(chapter_memberships -> peer_mentors (mentor_id));
diesel::joinable!(mentor_status_changes -> peer_mentors (mentor_id));
diesel::joinable!(status_notifications -> mentor_status_changes (change_id));
diesel::joinable!(status_notifications -> peer_mentors (mentor_id));

diesel::allow_tables_to_appear_in_same_query!(
    activities,
    assignments,
    chapter_coordinators,
    chapter_memberships,
    chapters,
    mentor_status_changes,
    organisation_coordinators,
    peer_mentors,
    status_notifications,
);
