-- Event triggers need a superuser: refused on hosted Supabase, where postgres is not one,
-- and so refused on the local cluster too.
create function public.corpus_on_ddl() returns event_trigger language plpgsql as $$ begin end $$;
create event trigger corpus_on_ddl on ddl_command_end execute function public.corpus_on_ddl();
