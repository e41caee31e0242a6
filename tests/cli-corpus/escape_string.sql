-- An E'' string with a backslash-escaped quote and a semicolon inside it. The CLI's
-- splitter does not know backslash escapes inside quotes and splits at the semicolon.
create table public.corpus_escape (t text);
insert into public.corpus_escape values (E'it\'s; here');
