-- A statement pulled out to run alone, then a failure: what stays is what the CLI leaves.
create table public.corpus_conc_fail (n int);
create index concurrently corpus_conc_fail_n on public.corpus_conc_fail (n);
insert into public.corpus_conc_fail values ('not a number');
