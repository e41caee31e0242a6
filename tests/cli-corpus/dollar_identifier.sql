-- An identifier containing $: the CLI reads "$b$" as the opening of a dollar quote.
create table public.corpus_a$b$c (n int);
create table public.corpus_after_dollar (n int);
