-- Dollar-quoted bodies with and without tags; semicolons inside them never split.
create function public.corpus_tagged() returns int language plpgsql as $fn$
begin
  perform 1; -- a semicolon; in a comment
  return 1;
end;
$fn$;

create function public.corpus_nested() returns text language plpgsql as $outer$
begin
  return $inner$ a; b $inner$;
end;
$outer$;

comment on function public.corpus_tagged() is $$ one; two $$;
