-- A rule with several parenthesised actions separated by semicolons.
create table public.corpus_rule_target (n int);
create table public.corpus_rule_log (n int, what text);

create rule corpus_log_insert as on insert to public.corpus_rule_target
do also (
  insert into public.corpus_rule_log values (new.n, 'first');
  insert into public.corpus_rule_log values (new.n, 'second')
);

insert into public.corpus_rule_target values (7);
