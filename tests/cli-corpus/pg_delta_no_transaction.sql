-- pg-delta: transaction=false
create table public.corpus_no_tx (n int);
create index concurrently corpus_no_tx_n on public.corpus_no_tx (n);
