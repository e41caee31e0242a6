-- BEGIN without COMMIT: the CLI reports success but its history row is never committed.
create table public.corpus_before_begin (n int);
begin;
create table public.corpus_inside (n int);
