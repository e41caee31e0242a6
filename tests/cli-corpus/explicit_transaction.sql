-- A file with its own BEGIN/COMMIT.
begin;
create table public.corpus_explicit (n int);
insert into public.corpus_explicit values (1);
commit;
