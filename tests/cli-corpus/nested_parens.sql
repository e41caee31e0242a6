-- Nested parentheses, with a semicolon inside a string inside them.
create table public.corpus_parens (
  a int check ((a > 0) and (a < (10 * (2 + 3)))),
  b text default ('x;' || ('y'))
);
insert into public.corpus_parens (a) values ((1 + (2)));
