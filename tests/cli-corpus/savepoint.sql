-- Savepoints: accepted in a transaction block, refused in the implicit transaction the CLI sends.
create table public.corpus_savepoint (n int);
savepoint before_insert;
insert into public.corpus_savepoint values (1);
release savepoint before_insert;
