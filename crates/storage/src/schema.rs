// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::query_builder::QueryId, std::fmt::Debug, diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "mentor_status"))]
    pub struct MentorStatus;
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

diesel::joinable!(chapter_memberships -> peer_mentors (mentor_id));

diesel::allow_tables_to_appear_in_same_query!(chapter_memberships, peer_mentors,);
