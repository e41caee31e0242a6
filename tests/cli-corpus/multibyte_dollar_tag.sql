-- A dollar tag with a non-ASCII letter: one statement for the CLI, as for PostgreSQL.
create table public.corpus_multibyte (n int);
comment on table public.corpus_multibyte is $ø$ en; to $ø$;
