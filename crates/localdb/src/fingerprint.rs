//! A schema fingerprint: every user-visible object of the database as sorted text lines, so two
//! databases (or one database before and after `up` → `down`) can be compared.
//!
//! Unlike `pg_dump --schema-only` this works against a server of any major version with any
//! client, and it ignores what PostgreSQL cannot undo and nobody can see: dropped columns stay
//! in `pg_attribute` as `attisdropped` (their numbers are never reused), so columns are listed
//! in order without their numbers. History (`supabase_migrations`) is left out. A missing ACL
//! reads as the owner's default (`acldefault`), which is what it means: an ACL spelled out
//! equal to the default and no ACL at all grant the same (and `pg_dump` restores the former as
//! the latter).

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::LocalDbError;
use mentor_status_storage::Context as _;

const USER_SCHEMAS: &str = "n.nspname not in ('pg_catalog', 'information_schema', 'supabase_migrations') \
                            and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp\\_%'";

fn query() -> String {
    format!(
        "
select 'schema ' || n.nspname || ' owner=' || pg_get_userbyid(n.nspowner) || ' acl=' || coalesce(n.nspacl, acldefault('n'::\"char\", n.nspowner))::text as line
  from pg_namespace n where {USER_SCHEMAS}
union all
select 'type ' || n.nspname || '.' || t.typname || ' ' || t.typtype::text || ' labels=' ||
       coalesce((select string_agg(e.enumlabel, ',' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid), '-')
  from pg_type t join pg_namespace n on n.oid = t.typnamespace
 where {USER_SCHEMAS} and t.typtype in ('e', 'd', 'r', 'm')
union all
select 'relation ' || n.nspname || '.' || c.relname || ' kind=' || c.relkind::text || ' rls=' || c.relrowsecurity || ',' || c.relforcerowsecurity
       || ' acl=' || coalesce(c.relacl, acldefault((case when c.relkind = 'S' then 's' else 'r' end)::\"char\", c.relowner))::text || ' options=' || coalesce(c.reloptions::text, '-')
       || ' comment=' || coalesce(obj_description(c.oid, 'pg_class'), '-')
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where {USER_SCHEMAS} and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
union all
select 'column ' || n.nspname || '.' || c.relname || ' #' ||
       (row_number() over (partition by c.oid order by a.attnum)) || ' ' || a.attname || ' ' ||
       format_type(a.atttypid, a.atttypmod) || case when a.attnotnull then ' not null' else '' end ||
       coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') || coalesce(' generated=' || nullif(a.attgenerated::text, ''), '') ||
       ' acl=' || coalesce(a.attacl::text, '-') || ' comment=' || coalesce(col_description(c.oid, a.attnum), '-')
  from pg_attribute a
  join pg_class c on c.oid = a.attrelid
  join pg_namespace n on n.oid = c.relnamespace
  left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
 where {USER_SCHEMAS} and c.relkind in ('r', 'p', 'v', 'm', 'f') and a.attnum > 0 and not a.attisdropped
union all
select 'constraint ' || n.nspname || '.' || c.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid) ||
       ' validated=' || k.convalidated
  from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
 where {USER_SCHEMAS}
union all
select 'index ' || pg_get_indexdef(i.indexrelid) || ' valid=' || i.indisvalid
  from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
 where {USER_SCHEMAS}
union all
select 'function ' || pg_get_functiondef(p.oid) || ' acl=' || coalesce(p.proacl, acldefault('f'::\"char\", p.proowner))::text
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
 where {USER_SCHEMAS} and p.prokind in ('f', 'p', 'w')
union all
select 'trigger ' || pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
  from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
 where {USER_SCHEMAS} and not t.tgisinternal
union all
select 'policy ' || schemaname || '.' || tablename || ' ' || policyname || ' ' || permissive || ' ' || cmd ||
       ' roles=' || roles::text || ' using=' || coalesce(qual, '-') || ' check=' || coalesce(with_check, '-')
  from pg_policies
union all
select 'default-acl ' || pg_get_userbyid(d.defaclrole) || ' ' || coalesce(n.nspname, '*') || ' ' || d.defaclobjtype::text || ' ' ||
       d.defaclacl::text
  from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace
union all
select 'extension ' || e.extname || ' ' || e.extversion from pg_extension e
order by 1"
    )
}

/// The fingerprint of the database `conn` is connected to, as sorted lines.
pub fn fingerprint(conn: &mut PgConnection) -> Result<Vec<String>, LocalDbError> {
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = Text)]
        line: String,
    }
    let lines: Vec<Line> = diesel::sql_query(query())
        .load(conn)
        .context("reading the schema catalog for a fingerprint")?;
    Ok(lines.into_iter().map(|l| l.line).collect())
}

/// Lines only in `before` (prefixed `- `) and only in `after` (prefixed `+ `); empty when equal.
#[must_use]
pub fn diff(before: &[String], after: &[String]) -> Vec<String> {
    let removed = before
        .iter()
        .filter(|l| !after.contains(l))
        .map(|l| format!("- {l}"));
    let added = after
        .iter()
        .filter(|l| !before.contains(l))
        .map(|l| format!("+ {l}"));
    removed.chain(added).collect()
}
