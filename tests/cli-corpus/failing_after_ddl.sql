-- The second statement fails: nothing of the file may stay, and no history row.
create table public.corpus_fail (n int);
insert into public.corpus_fail values ('not a number');
