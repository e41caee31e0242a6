//! Production-like data for benchmarks, rehearsals and chaos runs (feature `test-support`).

/// One `insert` statement that adds mentors `first..=last` of a legacy organisation: an
/// Auth user each (`mentor<n>@example.org`) and a `peer_mentors` row with a name, that email
/// and a phone number derived from it — every column the baseline schema has, none of the
/// status columns (they take their defaults, or do not exist yet). Run it in batches for
/// millions of rows.
#[must_use]
pub fn legacy_mentors_sql(first: u64, last: u64) -> String {
    format!(
        "with u as (
           insert into auth.users (id, email)
           select gen_random_uuid(), 'mentor' || i || '@example.org' from generate_series({first}, {last}) i
           returning id, email)
         insert into public.peer_mentors (user_id, full_name, email, phone)
         select id, 'Mentor ' || split_part(email, '@', 1), email,
                '+47 4' || lpad((abs(hashtext(email)) % 10000000)::text, 7, '0')
           from u"
    )
}
