-- DO blocks: the body is one statement for the CLI.
create table public.corpus_do (n int);

do $$
begin
  insert into public.corpus_do values (1);
  insert into public.corpus_do values (2);
end
$$;

do $body$ begin insert into public.corpus_do values (3); end $body$;
