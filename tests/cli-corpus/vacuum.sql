-- VACUUM cannot run in a transaction block either.
create table public.corpus_vacuum (n int);
insert into public.corpus_vacuum values (1);
vacuum (analyze) public.corpus_vacuum;
