//! [`MentorId`]: the id of a row of `public.peer_mentors`.

mentor_status_domain::uuid_id!(
    /// The id of a mentor record (`public.peer_mentors.id`).
    ///
    /// Not the mentor's user id: a mentor row links to its Auth user through `user_id`,
    /// which the domain calls [`UserId`](mentor_status_domain::UserId).
    MentorId,
    "a mentor row"
);
