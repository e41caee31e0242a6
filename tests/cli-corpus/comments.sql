-- A line comment; with a semicolon
create table public.corpus_comments (n int); -- trailing; comment
/* a block comment; with /* a nested; one */ and more; */
insert into public.corpus_comments values (1);
/* comment only at the end; */
