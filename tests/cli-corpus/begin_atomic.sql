-- SQL-standard function bodies (BEGIN ATOMIC … END) contain semicolons.
create table public.corpus_atomic (n int);

create function public.corpus_atomic_insert(v int) returns void
language sql
begin atomic
  insert into public.corpus_atomic values (v);
  insert into public.corpus_atomic values (v + 1);
end;

select public.corpus_atomic_insert(10);
