-- CREATE INDEX CONCURRENTLY without any marker: it cannot run in a transaction block.
create table public.corpus_conc (n int);
create index concurrently corpus_conc_n on public.corpus_conc (n);
insert into public.corpus_conc values (1);
