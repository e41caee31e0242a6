-- Pause reasons live in protected tables; `select *` works again for every client role.
--
-- Why: PostgreSQL has no column-level row security and PostgREST's `select=*` is SQL's `*`,
-- so withholding peer_mentors.pause_reason (and mentor_status_changes.pause_reason) by a
-- column privilege made every client read without a column list fail with 42501
-- (supabase-js `.select()`, embeds, `Prefer: return=representation`, anon included).
-- Instead, the reasons now live in two tables of the unexposed schema `private`, with
-- row-level security and no client privilege at all:
--   private.mentor_pause_reasons         one row per paused mentor that has a reason;
--   private.mentor_status_change_reasons one row per audit row that has a reason.
-- The old columns stay (no rename, no drop, no rewrite) and read NULL; every writer keeps
-- writing them (RPCs, the Rust repository, service_role UPDATE, seeds, the console): BEFORE
-- triggers move the value into the protected table and store NULL. Clients get table-level
-- SELECT back, so `select *` works, and a column added later is readable as before.
-- The one documented way to read a reason: public.mentor_pause_reason(mentor_id) and
-- public.mentor_status_history(mentor_id) (service_role; coordinators sharing an active
-- chapter). See ARCHITECTURE.md, "Where pause reasons live".
--
-- Also in this file (issue 10):
--   * the guard private.pause_reason_is_allowed: the protected tables accept, from every
--     writer, exactly what the domain's PauseReason::parse accepts;
--   * the audit row is written by a BEFORE trigger (it needs the reason before and after the
--     change, which only exists in the protected table); the actor settings
--     mentor_status.actor_id / actor_role are honoured only on the table owner's own
--     connection (the repository), never for service_role or client roles;
--   * no CHECK or NOT NULL violation on peer_mentors or mentor_status_changes echoes the row:
--     BEFORE triggers test the same predicates first and raise without values;
--   * anon and authenticated lose TRIGGER and REFERENCES on every table (and in the default
--     privileges), and every UPDATE on peer_mentors (no UPDATE policy exists, so they could
--     not use it; status changes go through the RPCs);
--   * SECURITY DEFINER functions search pg_catalog first and pg_temp last, so temporary
--     tables or types cannot steer them.
--
-- Locks (no table rewrite, no scan): CREATE TABLE with a foreign key, CREATE TRIGGER and
-- ALTER TABLE ... DISABLE TRIGGER take SHARE ROW EXCLUSIVE on peer_mentors (reads go on,
-- writes wait for the short transaction); nothing here takes ACCESS EXCLUSIVE, so no lock is
-- ever upgraded past what concurrent readers hold. GRANT/REVOKE, COMMENT and ALTER FUNCTION
-- are catalog updates. Reasons already stored are moved by the next file,
-- 20261201120100_move_pause_reasons, in its own transaction, so that its scan does not run
-- under these locks.
--
-- Rollback: supabase/rollbacks/20261201120000_protect_pause_reasons.sql (moves the reasons
-- back into the old columns before dropping the protected tables).

set lock_timeout = '5s';
set statement_timeout = '60s';

-- ---------------------------------------------------------------------------------------
-- What a stored pause reason may be: exactly what the domain's PauseReason::parse accepts
-- (a reason code, or an AuditLabel), for every writer. The rules and their data live once,
-- in Rust (crates/domain/src/audit_label.rs, national_id.rs, label_rules.rs,
-- reason_code.rs); the functions below return the same data, and tests/it/label_guard.rs
-- checks each against the Rust constants and compares this guard with AuditLabel on
-- generated strings. Change both together.
-- Explicit tables rather than lower(), [[:alpha:]] or unaccent: those depend on the
-- database's locale, and unaccent is no trusted extension.
-- IMMUTABLE: used by the CHECK constraints of the protected tables below.
-- ---------------------------------------------------------------------------------------
create or replace function private.label_whitespace()
  returns text
  language sql
  immutable
  parallel safe
  set search_path = pg_catalog, pg_temp
as $function$
  select U&'\0009\000A\000B\000C\000D \0085\00A0\1680\2000\2001\2002\2003\2004\2005\2006\2007\2008\2009\200A\2028\2029\202F\205F\3000'
$function$;

comment on function private.label_whitespace() is
  'What the guard trims: crates/domain/src/label_rules.rs WHITESPACE (Rust str::trim).';

create or replace function private.label_invisible_class()
  returns text
  language sql
  immutable
  parallel safe
  set search_path = pg_catalog, pg_temp
as $function$
  select '\u0001-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f-\u1160\u17b4-\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\uffa0\ufff0-\ufffb\U0001d173-\U0001d17a\U000e0000-\U000e0fff'::text
$function$;

comment on function private.label_invisible_class() is
  'Regex bracket body: label_rules.rs INVISIBLE (control and invisible formatting characters).';

create or replace function private.label_non_ascii_digit_class()
  returns text
  language sql
  immutable
  parallel safe
  set search_path = pg_catalog, pg_temp
as $function$
  select '\u00b2-\u00b3\u00b9\u00bc-\u00be\u0660-\u0669\u06f0-\u06f9\u07c0-\u07c9\u0966-\u096f\u09e6-\u09ef\u09f4-\u09f9\u0a66-\u0a6f\u0ae6-\u0aef\u0b66-\u0b6f\u0b72-\u0b77\u0be6-\u0bf2\u0c66-\u0c6f\u0c78-\u0c7e\u0ce6-\u0cef\u0d58-\u0d5e\u0d66-\u0d78\u0de6-\u0def\u0e50-\u0e59\u0ed0-\u0ed9\u0f20-\u0f33\u1040-\u1049\u1090-\u1099\u1369-\u137c\u16ee-\u16f0\u17e0-\u17e9\u17f0-\u17f9\u1810-\u1819\u1946-\u194f\u19d0-\u19da\u1a80-\u1a89\u1a90-\u1a99\u1b50-\u1b59\u1bb0-\u1bb9\u1c40-\u1c49\u1c50-\u1c59\u2070\u2074-\u2079\u2080-\u2089\u2150-\u2182\u2185-\u2189\u2460-\u249b\u24ea-\u24ff\u2776-\u2793\u2cfd\u3007\u3021-\u3029\u3038-\u303a\u3192-\u3195\u3220-\u3229\u3248-\u324f\u3251-\u325f\u3280-\u3289\u32b1-\u32bf\ua620-\ua629\ua6e6-\ua6ef\ua830-\ua835\ua8d0-\ua8d9\ua900-\ua909\ua9d0-\ua9d9\ua9f0-\ua9f9\uaa50-\uaa59\uabf0-\uabf9\uff10-\uff19\U00010107-\U00010133\U00010140-\U00010178\U0001018a-\U0001018b\U000102e1-\U000102fb\U00010320-\U00010323\U00010341\U0001034a\U000103d1-\U000103d5\U000104a0-\U000104a9\U00010858-\U0001085f\U00010879-\U0001087f\U000108a7-\U000108af\U000108fb-\U000108ff\U00010916-\U0001091b\U000109bc-\U000109bd\U000109c0-\U000109cf\U000109d2-\U000109ff\U00010a40-\U00010a48\U00010a7d-\U00010a7e\U00010a9d-\U00010a9f\U00010aeb-\U00010aef\U00010b58-\U00010b5f\U00010b78-\U00010b7f\U00010ba9-\U00010baf\U00010cfa-\U00010cff\U00010d30-\U00010d39\U00010e60-\U00010e7e\U00010f1d-\U00010f26\U00010f51-\U00010f54\U00010fc5-\U00010fcb\U00011052-\U0001106f\U000110f0-\U000110f9\U00011136-\U0001113f\U000111d0-\U000111d9\U000111e1-\U000111f4\U000112f0-\U000112f9\U00011450-\U00011459\U000114d0-\U000114d9\U00011650-\U00011659\U000116c0-\U000116c9\U00011730-\U0001173b\U000118e0-\U000118f2\U00011950-\U00011959\U00011c50-\U00011c6c\U00011d50-\U00011d59\U00011da0-\U00011da9\U00011fc0-\U00011fd4\U00012400-\U0001246e\U00016a60-\U00016a69\U00016ac0-\U00016ac9\U00016b50-\U00016b59\U00016b5b-\U00016b61\U00016e80-\U00016e96\U0001d2e0-\U0001d2f3\U0001d360-\U0001d378\U0001d7ce-\U0001d7ff\U0001e140-\U0001e149\U0001e2f0-\U0001e2f9\U0001e8c7-\U0001e8cf\U0001e950-\U0001e959\U0001ec71-\U0001ecab\U0001ecad-\U0001ecaf\U0001ecb1-\U0001ecb4\U0001ed01-\U0001ed2d\U0001ed2f-\U0001ed3d\U0001f100-\U0001f10c\U0001fbf0-\U0001fbf9'::text
$function$;

comment on function private.label_non_ascii_digit_class() is
  'Regex bracket body: label_rules.rs NON_ASCII_DIGITS (every digit and numeral but ASCII 0-9).';

create or replace function private.label_letter_class()
  returns text
  language sql
  immutable
  parallel safe
  set search_path = pg_catalog, pg_temp
as $function$
  select '\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f'::text
$function$;

comment on function private.label_letter_class() is
  'Regex bracket body: label_rules.rs LETTERS (letters beyond ASCII).';

create or replace function private.label_fold_from()
  returns text
  language sql
  immutable
  parallel safe
  set search_path = pg_catalog, pg_temp
as $function$
  select U&'ABCDEFGHIJKLMNOPQRSTUVWXYZ\00C0\00C1\00C2\00C3\00C4\00C5\00C6\00C7\00C8\00C9\00CA\00CB\00CC\00CD\00CE\00CF\00D0\00D1\00D2\00D3\00D4\00D5\00D6\00D8\00D9\00DA\00DB\00DC\00DD\00DE\00E0\00E1\00E2\00E3\00E4\00E7\00E8\00E9\00EA\00EB\00EC\00ED\00EE\00EF\00F1\00F2\00F3\00F4\00F5\00F6\00F9\00FA\00FB\00FC\00FD\00FF\0100\0101\0102\0103\0104\0105\0106\0107\0108\0109\010A\010B\010C\010D\010E\010F\0110\0112\0113\0114\0115\0116\0117\0118\0119\011A\011B\011C\011D\011E\011F\0120\0121\0122\0123\0124\0125\0126\0128\0129\012A\012B\012C\012D\012E\012F\0130\0132\0134\0135\0136\0137\0139\013A\013B\013C\013D\013E\013F\0141\0143\0144\0145\0146\0147\0148\014A\014C\014D\014E\014F\0150\0151\0152\0154\0155\0156\0157\0158\0159\015A\015B\015C\015D\015E\015F\0160\0161\0162\0163\0164\0165\0166\0168\0169\016A\016B\016C\016D\016E\016F\0170\0171\0172\0173\0174\0175\0176\0177\0178\0179\017A\017B\017C\017D\017E\017F\0181\0182\0184\0186\0187\0189\018A\018B\018E\018F\0190\0191\0193\0194\0196\0197\0198\019C\019D\019F\01A0\01A1\01A2\01A4\01A6\01A7\01A9\01AC\01AE\01AF\01B0\01B1\01B2\01B3\01B5\01B7\01B8\01BC\01C4\01C5\01C7\01C8\01CA\01CB\01CD\01CE\01CF\01D0\01D1\01D2\01D3\01D4\01D5\01D6\01D7\01D8\01D9\01DA\01DB\01DC\01DE\01DF\01E0\01E1\01E2\01E4\01E6\01E7\01E8\01E9\01EA\01EB\01EC\01ED\01EE\01F0\01F1\01F2\01F4\01F5\01F6\01F7\01F8\01F9\01FA\01FB\01FC\01FE\0200\0201\0202\0203\0204\0205\0206\0207\0208\0209\020A\020B\020C\020D\020E\020F\0210\0211\0212\0213\0214\0215\0216\0217\0218\0219\021A\021B\021C\021E\021F\0220\0222\0224\0226\0227\0228\0229\022A\022B\022C\022D\022E\022F\0230\0231\0232\0233\023A\023B\023D\023E\0241\0243\0244\0245\0246\0248\024A\024C\024E\FF21\FF22\FF23\FF24\FF25\FF26\FF27\FF28\FF29\FF2A\FF2B\FF2C\FF2D\FF2E\FF2F\FF30\FF31\FF32\FF33\FF34\FF35\FF36\FF37\FF38\FF39\FF3A\FF41\FF42\FF43\FF44\FF45\FF46\FF47\FF48\FF49\FF4A\FF4B\FF4C\FF4D\FF4E\FF4F\FF50\FF51\FF52\FF53\FF54\FF55\FF56\FF57\FF58\FF59\FF5A'
$function$;

comment on function private.label_fold_from() is
  'translate() from: label_rules.rs FOLD, first characters.';

create or replace function private.label_fold_to()
  returns text
  language sql
  immutable
  parallel safe
  set search_path = pg_catalog, pg_temp
as $function$
  select U&'abcdefghijklmnopqrstuvwxyzaaaaa\00E5\00E6ceeeeiiii\00F0nooooo\00F8uuuuy\00FEaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccdd\0111eeeeeeeeeegggggggghh\0127iiiiiiiii\0133jjkkllllll\0140\0142nnnnnn\014Boooooo\0153rrrrrrsssssssstttt\0167uuuuuuuuuuuuwwyyyzzzzzzs\0253\0183\0185\0254\0188\0256\0257\018C\01DD\0259\025B\0192\0260\0263\0269\0268\0199\026F\0272\0275oo\01A3\01A5\0280\01A8\0283\01AD\0288uu\028A\028B\01B4\01B6\0292\01B9\01BD\01C6\01C6\01C9\01C9\01CC\01CCaaiioouuuuuuuuuuaaaa\01E3\01E5ggkkoooo\01EFj\01F3\01F3gg\0195\01BFnnaa\01FD\01FFaaaaeeeeiiiioooorrrruuuusstt\021Dhh\019E\0223\0225aaeeooooooooyy\2C65\023C\019A\2C66\0242\0180\0289\028C\0247\0249\024B\024D\024Fabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz'
$function$;

comment on function private.label_fold_to() is
  'translate() to: label_rules.rs FOLD, second characters.';

create or replace function private.label_health_stems()
  returns text[]
  language sql
  immutable
  parallel safe
  set search_path = pg_catalog, pg_temp
as $function$
  select array['diagnos', 'sykdom', 'sjukdom', 'syke', 'sykmeld', 'sjukmeld', 'sjukehus', 'kreft', 'svulst', 'depresj', 'deprimert', 'angst', 'psyk', 'helse', 'fastlege', 'legevakt', 'legeerklæring', 'medisin', 'medikament', 'terapi', 'rehabilit', 'innlagt', 'innleggelse', 'gravid', 'svangerskap', 'utbrent', 'smerte', 'migrene', 'epilepsi', 'diabet', 'astma', 'allergi', 'demens', 'autis', 'adhd', 'spiseforstyrr', 'selvmord', 'suicid', 'rusmiddel', 'rusavhengig', 'alkohol', 'narkotika', 'overdose', 'abort', 'infarkt', 'hjerneslag', 'kirurg', 'influensa', 'covid', 'korona', 'smitte', 'uføre', 'funksjonsnedsett', 'illness', 'sick', 'disease', 'cancer', 'tumor', 'tumour', 'depress', 'anxiety', 'therap', 'hospital', 'surgery', 'surgical', 'medic', 'pregnan', 'burnout', 'burn-out', 'injur', 'disorder', 'dementia', 'epilep', 'migraine', 'asthma', 'allerg', 'psych', 'health', 'rehab', 'addict', 'alcohol', 'chemo', 'symptom', 'clinic', 'infection', 'disabilit', 'influenza']
$function$;

comment on function private.label_health_stems() is
  'crates/domain/src/audit_label.rs HEALTH_STEMS (folded).';

create or replace function private.label_health_words()
  returns text[]
  language sql
  immutable
  parallel safe
  set search_path = pg_catalog, pg_temp
as $function$
  select array['syk', 'sykt', 'sjuk', 'lege', 'legen', 'legetime', 'rus', 'vondt', 'feber', 'operasjon', 'operert', 'kols', 'ill', 'flu', 'fever', 'mental', 'mentally', 'doctor', 'doctors', 'hiv', 'ptsd', 'ocd', 'copd']
$function$;

comment on function private.label_health_words() is
  'crates/domain/src/audit_label.rs HEALTH_WORDS (folded).';

create or replace function private.label_reason_codes()
  returns text[]
  language sql
  immutable
  parallel safe
  set search_path = pg_catalog, pg_temp
as $function$
  select array['vacation', 'personal', 'capacity', 'training', 'relocation', 'other']
$function$;

comment on function private.label_reason_codes() is
  'crates/domain/src/reason_code.rs ReasonCode::ALL.';

-- 11 ASCII digits with valid mod-11 check digits (national_id.rs: is_valid).
create or replace function private.is_national_id_number(d text)
  returns boolean
  language plpgsql
  immutable
  parallel safe
  set search_path = pg_catalog, pg_temp
as $function$
declare
  k1_weights constant integer[] := array[3, 7, 6, 1, 8, 9, 4, 5, 2];
  k2_weights constant integer[] := array[5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  total integer := 0;
  k1 integer;
  k2 integer;
begin
  for i in 1..9 loop
    total := total + substr(d, i, 1)::integer * k1_weights[i];
  end loop;
  k1 := 11 - total % 11;
  if k1 = 11 then k1 := 0; elsif k1 = 10 then return false; end if;
  if k1 <> substr(d, 10, 1)::integer then return false; end if;
  total := 0;
  for i in 1..9 loop
    total := total + substr(d, i, 1)::integer * k2_weights[i];
  end loop;
  total := total + k1 * k2_weights[10];
  k2 := 11 - total % 11;
  if k2 = 11 then k2 := 0; elsif k2 = 10 then return false; end if;
  return k2 = substr(d, 11, 1)::integer;
end
$function$;

comment on function private.is_national_id_number(text) is
  'Whether 11 ASCII digits have valid national identity number check digits (crates/domain/src/national_id.rs).';

create or replace function private.pause_reason_is_allowed(reason text)
  returns boolean
  language plpgsql
  immutable
  parallel safe
  set search_path = pg_catalog, pg_temp
as $function$
declare
  letters constant text := private.label_letter_class();
  -- A word character: an ASCII digit or a letter (label_rules.rs is_word_char).
  word constant text := '0-9A-Za-z' || letters;
  codes constant text[] := private.label_reason_codes();
  t text;
  folded text;
  chain text[];
  digits text;
  groups text[];
  separators text;
  total integer;
  year_pair boolean;
begin
  if reason is null then
    return true;
  end if;
  -- AuditLabel::parse: trimmed, not empty, at most 200 characters, nothing invisible, no
  -- digit but ASCII 0-9.
  t := btrim(reason, private.label_whitespace());
  if t = '' or char_length(t) > 200
     or t ~ ('[' || private.label_invisible_class() || ']')
     or t ~ ('[' || private.label_non_ascii_digit_class() || ']') then
    return false;
  end if;
  -- PauseReason::parse: a reason code as such; its name in another (ASCII) case is not.
  if t = any (codes) then
    return true;
  end if;
  if translate(t, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = any (codes) then
    return false;
  end if;
  -- A national identity number or D-number: digits with at most three separators (any
  -- character but a letter or digit) between them; every window of 11.
  for chain in select regexp_matches(t, '[0-9](?:[^' || word || ']{0,3}[0-9])*', 'g') loop
    digits := regexp_replace(chain[1], '[^0-9]', '', 'g');
    for i in 1..(char_length(digits) - 10) loop
      if private.is_national_id_number(substr(digits, i, 11)) then
        return false;
      end if;
    end loop;
  end loop;
  -- The column CHECK's pattern, and 9 or more digits in a row.
  if t ~ '[0-9]{6}[ .-]?[0-9]{5}' or t ~ '[0-9]{9}' then
    return false;
  end if;
  -- An e-mail address: a name character, @, a domain of word characters, dots and dashes
  -- whose last dot is followed by two or more letters (trailing dots and dashes ignored).
  if t ~ ('[' || word || '._%+''-]@[' || word || '.-]+\.[A-Za-z' || letters || ']{2,}[.-]*(?:$|[^' || word || '.-])') then
    return false;
  end if;
  -- A phone number: a chain of digit groups joined by single spaces, dots or dashes.
  for chain in select regexp_matches(t, '(\+?)([0-9]+(?:[ .-][0-9]+)*)', 'g') loop
    groups := regexp_split_to_array(chain[2], '[ .-]');
    separators := regexp_replace(chain[2], '[0-9]', '', 'g');
    total := char_length(chain[2]) - char_length(separators);
    year_pair := cardinality(groups) = 2
                 and groups[1] ~ '^(19|20)[0-9]{2}$' and groups[2] ~ '^(19|20)[0-9]{2}$';
    if (chain[1] = '+' and total >= 7)
       or (separators ~ '^ *$' and total >= 8 and not year_pair)
       or (separators <> ''
           and replace(separators, left(separators, 1), '') = ''
           and (array(select char_length(g) from unnest(groups) as g) in (array[3, 2, 3], array[2, 2, 2, 2])
                or (array(select char_length(g) from unnest(groups) as g) = array[4, 4] and not year_pair))) then
      return false;
    end if;
  end loop;
  -- Health terms, case and accents folded: stems anywhere, words as whole words.
  folded := translate(regexp_replace(t, '[\u0300-\u036f]', '', 'g'),
                      private.label_fold_from(), private.label_fold_to());
  if exists (select 1 from unnest(private.label_health_stems()) as s where strpos(folded, s) > 0)
     or exists (select 1 from regexp_split_to_table(folded, '[^' || word || ']+') as w
                 where w = any (private.label_health_words())) then
    return false;
  end if;
  return true;
end
$function$;

comment on function private.pause_reason_is_allowed(text) is
  'Whether a text may be stored as a pause reason: exactly what the domain''s PauseReason::parse accepts (a reason code, or a label without national identity numbers in any digit script or with any separators, long digit runs, e-mail addresses, phone numbers, health terms or invisible characters).';

revoke all on function private.pause_reason_is_allowed(text) from public, anon, authenticated, service_role;
revoke all on function private.is_national_id_number(text) from public, anon, authenticated, service_role;


-- A rejected reason written straight into a protected table (the owner's console) is not
-- echoed either: the same predicate, raised without the row.
create or replace function private.reject_invalid_stored_reason()
  returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
as $function$
begin
  if new.reason is null then
    raise exception using
      errcode = '23502',
      message = format('reason of %s must not be NULL: delete the row instead', tg_table_name);
  end if;
  if not private.pause_reason_is_allowed(new.reason) then
    raise exception using
      errcode = '23514',
      constraint = tg_table_name || '_reason_allowed',
      message = format('pause_reason is not an allowed pause reason (%s_reason_allowed): a reason code, or a label of at most 200 characters without a national identity number, 9 or more digits in a row, an e-mail address, a phone number, a health term, digits other than 0-9 or invisible characters', tg_table_name),
      detail = 'The rejected value is not repeated, so it reaches neither the caller nor the log.',
      hint = 'Use a reason code (vacation, personal, capacity, training, relocation, other) or a short label without personal data.';
  end if;
  return new;
end
$function$;

comment on function private.reject_invalid_stored_reason() is
  'Trigger: rejects a reason the protected tables'' CHECK rejects, without echoing the value.';

revoke all on function private.reject_invalid_stored_reason() from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Who acts, for the audit row.
--   changed_by = auth.uid() (the JWT `sub` of an API request); else, ONLY on the table
--                owner's own connection (session_user owns peer_mentors and no SET ROLE is
--                in effect: the Rust repository), the setting mentor_status.actor_id.
--   actor_role = the SQL role the request runs as (PostgREST's SET ROLE: authenticated,
--                service_role; the same as the JWT `role` PostgREST switched by); else, on
--                the owner's connection, the setting mentor_status.actor_role; else
--                'maintenance'.
-- current_setting('role') names the role of SET ROLE even inside a SECURITY DEFINER
-- function (current_user is then the definer), and a session can only SET ROLE to roles it
-- is a member of: service_role and the client roles cannot pass for the owner, and claims
-- they set themselves do not change the role.
-- ---------------------------------------------------------------------------------------
create or replace function private.audit_actor(out changed_by uuid, out actor_role text)
  language plpgsql
  stable
  set search_path = pg_catalog, pg_temp
as $function$
declare
  set_role constant text := pg_catalog.current_setting('role');
  owner_connection constant boolean :=
    (select pg_catalog.pg_get_userbyid(c.relowner) = session_user
            and set_role in ('none', pg_catalog.pg_get_userbyid(c.relowner))
       from pg_catalog.pg_class as c
      where c.oid = 'public.peer_mentors'::pg_catalog.regclass);
begin
  changed_by := coalesce(auth.uid(),
                         case when owner_connection
                              then nullif(pg_catalog.current_setting('mentor_status.actor_id', true), '')::uuid
                         end);
  actor_role := coalesce(case when not owner_connection and set_role <> 'none' then set_role end,
                         case when owner_connection
                              then nullif(pg_catalog.current_setting('mentor_status.actor_role', true), '')
                         end,
                         'maintenance');
end
$function$;

comment on function private.audit_actor() is
  'Who acts, for the audit trail: auth.uid() and the SET ROLE role of an API request; the mentor_status.actor_* settings only on the owner''s own connection; else maintenance.';

revoke all on function private.audit_actor() from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- Moving the reason out of peer_mentors.
--
-- A row trigger cannot tell "SET pause_reason = NULL" from "pause_reason not mentioned"
-- (both give NULL, since the stored value is always NULL). So a first trigger that fires
-- only when pause_reason is a target of the UPDATE (UPDATE OF pause_reason) marks an
-- assigned NULL with a one-character marker, chr(1), which no reason can be (the national-id
-- trigger passes it; it is never stored). Triggers of one kind fire in name order:
--   peer_mentors_check_row                    (no-echo checks, below)
--   peer_mentors_mark_assigned_pause_reason   (the marker)
--   peer_mentors_reject_invalid_pause_reason  (20261126160000: the reason's own rule)
--   peer_mentors_set_updated_at               (baseline)
--   peer_mentors_store_pause_reason           (moves the reason, writes the audit row)
-- ---------------------------------------------------------------------------------------
create or replace function private.mark_assigned_pause_reason()
  returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
as $function$
begin
  if new.pause_reason is null then
    new.pause_reason := pg_catalog.chr(1);
  end if;
  return new;
end
$function$;

comment on function private.mark_assigned_pause_reason() is
  'Trigger: marks SET pause_reason = NULL (chr(1)) for peer_mentors_store_pause_reason, which cannot otherwise tell it from an UPDATE that leaves pause_reason alone.';

revoke all on function private.mark_assigned_pause_reason() from public, anon, authenticated, service_role;

-- The reason before and after the change, the rule "a reason only while paused" (formerly
-- enforced by chk_pause_reason_only_when_paused on the column, which now always holds), the
-- move, and the audit row (formerly the AFTER trigger peer_mentors_record_status_change:
-- an AFTER trigger can no longer see the reason of a pause that just ended). Writing the
-- audit row in a BEFORE trigger is as atomic: a CHECK that fails later fails the statement,
-- and the audit row and its notifications go with it.
-- SECURITY DEFINER: the writer (service_role, an RPC's definer, the owner) may not write the
-- protected tables or the audit trail itself.
create or replace function private.store_pause_reason()
  returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog, pg_temp
as $function$
declare
  cleared constant boolean := new.pause_reason is not distinct from pg_catalog.chr(1);
  old_reason text;
  new_reason text;
  actor record;
begin
  if tg_op = 'UPDATE' then
    select r.reason into old_reason
      from private.mentor_pause_reasons as r
     where r.mentor_id = old.id;
    -- A reason stored before this migration that 20261201120100 has not moved yet.
    old_reason := coalesce(old_reason, old.pause_reason);
  end if;
  new_reason := case when cleared then null
                     when new.pause_reason is not null then new.pause_reason
                     else old_reason
                end;

  if new_reason is not null and new.status is distinct from 'paused' then
    raise exception using
      errcode = '23514',
      constraint = 'chk_pause_reason_only_when_paused',
      message = format('pause_reason must be NULL when status is %s (chk_pause_reason_only_when_paused)', new.status),
      detail = 'The row''s values are not repeated.',
      hint = 'Set pause_reason = NULL together with the status.';
  end if;

  if tg_op = 'UPDATE' and new.id is distinct from old.id and old_reason is not null then
    raise exception using
      errcode = '0A000',
      message = 'the id of a mentor with a pause reason cannot change';
  end if;

  if new_reason is null then
    delete from private.mentor_pause_reasons as r where r.mentor_id = new.id;
  elsif new_reason is distinct from old_reason or new.pause_reason is not null then
    insert into private.mentor_pause_reasons as r (mentor_id, reason)
    values (new.id, new_reason)
    on conflict (mentor_id) do update set reason = excluded.reason;
  end if;
  new.pause_reason := null;

  if tg_op = 'UPDATE'
     and (old.status is distinct from new.status
          or old.pause_at is distinct from new.pause_at
          or old_reason is distinct from new_reason) then
    select * into actor from private.audit_actor();
    -- The trigger of mentor_status_changes moves the reason on into
    -- private.mentor_status_change_reasons.
    insert into public.mentor_status_changes
      (mentor_id, from_status, to_status, from_pause_at, to_pause_at, pause_reason, changed_by, actor_role)
    values (
      new.id,
      old.status,
      new.status,
      old.pause_at,
      new.pause_at,
      case when new.status = 'paused' then new_reason else old_reason end,
      actor.changed_by,
      actor.actor_role
    );
  end if;
  return new;
end
$function$;

comment on function private.store_pause_reason() is
  'Trigger: keeps peer_mentors.pause_reason NULL by moving the reason into private.mentor_pause_reasons, enforces "a reason only while paused", and appends the audit row of a status change.';

revoke all on function private.store_pause_reason() from public, anon, authenticated, service_role;


-- The same for the audit trail: its pause_reason moves to
-- private.mentor_status_change_reasons (the identity id is assigned before BEFORE INSERT
-- triggers run). On UPDATE (owner's maintenance only) a NULL leaves the stored reason.
create or replace function private.store_status_change_reason()
  returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog, pg_temp
as $function$
begin
  if new.pause_reason is not null then
    insert into private.mentor_status_change_reasons as r (change_id, reason)
    values (new.id, new.pause_reason)
    on conflict (change_id) do update set reason = excluded.reason;
    new.pause_reason := null;
  end if;
  return new;
end
$function$;

comment on function private.store_status_change_reason() is
  'Trigger: keeps mentor_status_changes.pause_reason NULL by moving the reason into private.mentor_status_change_reasons.';

revoke all on function private.store_status_change_reason() from public, anon, authenticated, service_role;


-- The former audit trigger function stays with its (disabled) trigger.
comment on function private.record_mentor_status_change() is
  'Unused since 20261201120000_protect_pause_reasons (private.store_pause_reason writes the audit row; trigger peer_mentors_record_status_change is disabled); its rollback enables it again.';

-- ---------------------------------------------------------------------------------------
-- No CHECK or NOT NULL violation echoes the row. A violated constraint's DETAIL repeats the
-- whole failing row ("Failing row contains (…)": e-mail, phone, reason), which reaches
-- service-role API responses and the server log. These BEFORE triggers test the same
-- predicates first and raise the same SQLSTATE naming the constraint, without values. The
-- constraints stay as the guarantee (a trigger can be disabled by the owner; a constraint
-- cannot be bypassed). On UPDATE, updated_at is left to peer_mentors_set_updated_at, which
-- fires later and always sets it.
-- tests/it/no_echo.rs reads every CHECK and NOT NULL from the catalog and violates each.
-- ---------------------------------------------------------------------------------------
create or replace function private.check_peer_mentor_row()
  returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
as $function$
declare
  missing text;
begin
  missing := case
    when new.id is null then 'id'
    when new.user_id is null then 'user_id'
    when new.full_name is null then 'full_name'
    when new.email is null then 'email'
    when new.created_at is null then 'created_at'
    when new.updated_at is null and tg_op = 'INSERT' then 'updated_at'
    when new.status is null then 'status'
  end;
  if missing is not null then
    raise exception using
      errcode = '23502',
      column = missing,
      message = format('peer_mentors.%s must not be NULL', missing),
      detail = 'The row''s values are not repeated.',
      hint = format('Give %s a value.', missing);
  end if;
  if pg_catalog.btrim(new.full_name) = '' then
    raise exception using
      errcode = '23514',
      constraint = 'peer_mentors_full_name_not_blank',
      message = 'full_name must not be blank (peer_mentors_full_name_not_blank)',
      detail = 'The row''s values are not repeated.',
      hint = 'Give the mentor''s name.';
  end if;
  if new.status = 'paused' and new.pause_at is null then
    raise exception using
      errcode = '23514',
      constraint = 'chk_pause_at_required',
      message = 'pause_at is required when status is paused (chk_pause_at_required)',
      detail = 'The row''s values are not repeated.',
      hint = 'Set pause_at together with status = paused.';
  end if;
  if new.status <> 'paused' and new.pause_at is not null then
    raise exception using
      errcode = '23514',
      constraint = 'chk_pause_at_only_when_paused',
      message = format('pause_at must be NULL when status is %s (chk_pause_at_only_when_paused)', new.status),
      detail = 'The row''s values are not repeated.',
      hint = 'Set pause_at = NULL together with the status.';
  end if;
  return new;
end
$function$;

comment on function private.check_peer_mentor_row() is
  'Trigger: rejects what the NOT NULL and CHECK constraints of peer_mentors reject, naming the constraint, without echoing the row.';

revoke all on function private.check_peer_mentor_row() from public, anon, authenticated, service_role;


create or replace function private.check_status_change_row()
  returns trigger
  language plpgsql
  set search_path = pg_catalog, pg_temp
as $function$
declare
  missing text;
begin
  missing := case
    when new.id is null then 'id'
    when new.mentor_id is null then 'mentor_id'
    when new.from_status is null then 'from_status'
    when new.to_status is null then 'to_status'
    when new.actor_role is null then 'actor_role'
    when new.changed_at is null then 'changed_at'
  end;
  if missing is not null then
    raise exception using
      errcode = '23502',
      column = missing,
      message = format('mentor_status_changes.%s must not be NULL', missing),
      detail = 'The row''s values are not repeated.',
      hint = format('Give %s a value.', missing);
  end if;
  if new.changed_by is null and new.actor_role = 'authenticated' then
    raise exception using
      errcode = '23514',
      constraint = 'mentor_status_changes_authenticated_actor_known',
      message = 'a change by a signed-in user must name the user (mentor_status_changes_authenticated_actor_known)',
      detail = 'The row''s values are not repeated.',
      hint = 'Set mentor_status.actor_id to the acting user, or use actor_role service_role.';
  end if;
  return new;
end
$function$;

comment on function private.check_status_change_row() is
  'Trigger: rejects what the NOT NULL and CHECK constraints of mentor_status_changes reject, naming the constraint, without echoing the row.';

revoke all on function private.check_status_change_row() from public, anon, authenticated, service_role;


-- ---------------------------------------------------------------------------------------
-- The documented read path, now reading the protected tables. Same signatures, errors and
-- grants as before (20261126140100, 20261126140200).
-- ---------------------------------------------------------------------------------------
create or replace function public.mentor_pause_reason(mentor_id uuid)
  returns text
  language plpgsql
  stable
  security definer
  set search_path = pg_catalog, pg_temp
as $function$
declare
  reason text;
begin
  if not (private.is_service_role() or private.is_coordinator_of(mentor_pause_reason.mentor_id)) then
    raise exception using
      errcode = '42501',
      message = 'only the service role and coordinators of the mentor''s chapters may read the pause reason';
  end if;

  if not exists (select 1 from public.peer_mentors as m where m.id = mentor_pause_reason.mentor_id) then
    raise exception using errcode = 'PT404', message = 'no mentor with this id';
  end if;
  select r.reason
    into reason
    from private.mentor_pause_reasons as r
   where r.mentor_id = mentor_pause_reason.mentor_id;
  return reason;
end
$function$;

comment on function public.mentor_pause_reason(uuid) is
  'The pause reason of a mentor, for the service role and coordinators sharing an active chapter with the mentor; 42501 for anyone else, the mentor included. The one way to read it: peer_mentors.pause_reason reads NULL (the reason lives in private.mentor_pause_reasons).';

create or replace function public.mentor_status_history(mentor_id uuid)
  returns setof public.mentor_status_changes
  language plpgsql
  stable
  security definer
  set search_path = pg_catalog, pg_temp
as $function$
begin
  if not (private.is_service_role() or private.is_coordinator_of(mentor_status_history.mentor_id)) then
    raise exception using
      errcode = '42501',
      message = 'only the service role and coordinators of the mentor''s chapters may read the status history with reasons';
  end if;
  if not exists (select 1 from public.peer_mentors as m where m.id = mentor_status_history.mentor_id) then
    raise exception using errcode = 'PT404', message = 'no mentor with this id';
  end if;

  return query
    select c.id, c.mentor_id, c.from_status, c.to_status, c.from_pause_at, c.to_pause_at,
           coalesce(r.reason, c.pause_reason), c.changed_by, c.actor_role, c.changed_at
      from public.mentor_status_changes as c
      left join private.mentor_status_change_reasons as r on r.change_id = c.id
     where c.mentor_id = mentor_status_history.mentor_id
     order by c.id;
end
$function$;

comment on function public.mentor_status_history(uuid) is
  'A mentor''s status history including pause reasons, for the service role and coordinators sharing an active chapter; 42501 for anyone else. mentor_status_changes.pause_reason itself reads NULL.';

-- (The comment on peer_mentors.pause_reason belongs to 20261126120000, which sets it again
-- when re-applied; the table comment of mentor_pause_reasons says where the value went.)
comment on column public.mentor_status_changes.pause_reason is
  'Reads NULL: a trigger moves the reason into private.mentor_status_change_reasons. Read it with public.mentor_status_history(mentor_id).';
comment on table public.mentor_status_changes is
  'Append-only audit trail of peer_mentors status changes, written by trigger peer_mentors_store_pause_reason. Clients cannot write it; pause_reason reads NULL, reasons are readable only by the service role and coordinators via mentor_status_history.';
comment on column public.mentor_status_changes.changed_by is
  'auth.uid() of the request, else (only on the table owner''s own connection: the Rust repository) the setting mentor_status.actor_id; NULL for maintenance or the service role without a user.';
comment on column public.mentor_status_changes.actor_role is
  'The SQL role of the request (authenticated, service_role), else (owner''s connection only) the setting mentor_status.actor_role, else maintenance.';
comment on policy peer_mentors_select_own on public.peer_mentors is
  'A mentor reads their own row (pause_reason reads NULL for everyone; the reason is not theirs to read).';
comment on policy mentor_status_changes_select_own on public.mentor_status_changes is
  'A mentor reads their own history (pause_reason reads NULL).';

-- ---------------------------------------------------------------------------------------
-- Client privileges.
-- SELECT: table-level again (20261126140100 and 20261126140200 had replaced it by every
-- column but pause_reason), so `select *` works and a column added later is readable
-- without another grant. Row-level security decides the rows; anon has no policy and
-- reads []. Granted only to a role that held column-level SELECT (never widens).
-- UPDATE on peer_mentors: revoked. No UPDATE policy exists, so row-level security refused
-- every row anyway; status changes go through the RPCs (SECURITY DEFINER).
-- ---------------------------------------------------------------------------------------
do $client_table_privileges$
declare
  client_role text;
  tbl regclass;
begin
  foreach tbl in array array['public.peer_mentors'::regclass, 'public.mentor_status_changes'::regclass] loop
    foreach client_role in array array['anon', 'authenticated'] loop
      if exists (select 1
                   from pg_catalog.pg_attribute as a
                  cross join lateral pg_catalog.aclexplode(a.attacl) as acl
                  where a.attrelid = tbl
                    and acl.grantee = pg_catalog.to_regrole(client_role)
                    and acl.privilege_type = 'SELECT') then
        execute format('grant select on table %s to %I', tbl, client_role);
      end if;
    end loop;
  end loop;
end
$client_table_privileges$;

-- anon on the audit trail too, so that `select *` gives it [] (no policy names anon) as on
-- every other table, instead of an error.
grant select on table public.mentor_status_changes to anon;

revoke update on table public.peer_mentors from anon, authenticated;

-- TRIGGER and REFERENCES: not subject to row-level security. TRIGGER lets a client attach a
-- trigger that makes every status change fail (or worse); REFERENCES lets a client create a
-- foreign key that blocks deletes and probes key existence. No client needs either.
do $revoke_client_trigger_references$
declare
  tbl regclass;
begin
  for tbl in
    select c.oid
      from pg_catalog.pg_class as c
      join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
     where n.nspname in ('public', 'private')
       and c.relkind in ('r', 'p', 'v', 'm', 'f')
     order by c.oid
  loop
    execute format('revoke trigger, references on table %s from anon, authenticated', tbl);
  end loop;
end
$revoke_client_trigger_references$;

alter default privileges for role postgres in schema public
  revoke trigger, references on tables from anon, authenticated;

-- ---------------------------------------------------------------------------------------
-- SECURITY DEFINER functions: `set search_path = ''` still searches pg_temp FIRST for
-- relations and types (PostgreSQL docs, "Writing SECURITY DEFINER Functions Safely"), so a
-- caller's temporary table or type named like a type a function declares (text, uuid, ...)
-- would be used instead. pg_catalog, then pg_temp last: built-in types and functions are
-- found first; every project object is schema-qualified anyway.
-- Catalog-driven, so every such function in public and private is covered;
-- tests/it/temp_objects.rs checks that none is left out.
-- ---------------------------------------------------------------------------------------
do $security_definer_search_path$
declare
  fn regprocedure;
begin
  for fn in
    select p.oid
      from pg_catalog.pg_proc as p
      join pg_catalog.pg_namespace as n on n.oid = p.pronamespace
     where n.nspname in ('public', 'private')
       and p.prosecdef
     order by p.oid
  loop
    execute format('alter function %s set search_path = pg_catalog, pg_temp', fn);
  end loop;
end
$security_definer_search_path$;

-- ---------------------------------------------------------------------------------------
-- Last, the statements that lock peer_mentors and mentor_status_changes (SHARE ROW
-- EXCLUSIVE, held until commit): everything else is done by then, so writers of
-- peer_mentors wait only for its foreign key (on an empty table: nothing to check) and its
-- triggers, a few catalog changes.
-- ---------------------------------------------------------------------------------------

-- The protected tables. Foreign keys DEFERRABLE INITIALLY DEFERRED: the BEFORE INSERT
-- trigger on peer_mentors stores the reason before the mentor row itself exists; the key is
-- checked at commit. ON DELETE CASCADE: the reason belongs to the row.
-- No privilege for anon, authenticated or service_role (Supabase's default privileges do
-- not apply in `private`, revoked anyway); row-level security on, no policy: even a grant
-- added by mistake later shows nobody a row. Only the owner and the SECURITY DEFINER
-- functions above read and write them.
create table if not exists private.mentor_status_change_reasons (
  change_id bigint not null primary key
    references public.mentor_status_changes (id) on delete cascade deferrable initially deferred,
  reason    text   not null,
  constraint mentor_status_change_reasons_reason_allowed check (private.pause_reason_is_allowed(reason))
);

comment on table private.mentor_status_change_reasons is
  'The pause reason of each audit row that has one (mentor_status_changes.pause_reason reads NULL). Read through public.mentor_status_history.';

revoke all on table private.mentor_status_change_reasons from public, anon, authenticated, service_role;
alter table private.mentor_status_change_reasons enable row level security;

create or replace trigger mentor_status_change_reasons_reject_invalid_reason
  before insert or update on private.mentor_status_change_reasons
  for each row
  execute function private.reject_invalid_stored_reason();

create or replace trigger mentor_status_changes_store_pause_reason
  before insert or update on public.mentor_status_changes
  for each row
  execute function private.store_status_change_reason();

-- "check" sorts before "store": the checks see the row as written.
create or replace trigger mentor_status_changes_check_row
  before insert or update on public.mentor_status_changes
  for each row
  execute function private.check_status_change_row();

-- Its foreign key is added last (below), so that creating the table locks nothing else.
create table if not exists private.mentor_pause_reasons (
  mentor_id uuid not null primary key,
  reason    text not null,
  constraint mentor_pause_reasons_reason_allowed check (private.pause_reason_is_allowed(reason))
);

comment on table private.mentor_pause_reasons is
  'The pause reason of each paused mentor that has one (peer_mentors.pause_reason reads NULL). Read through public.mentor_pause_reason.';

revoke all on table private.mentor_pause_reasons from public, anon, authenticated, service_role;
alter table private.mentor_pause_reasons enable row level security;

create or replace trigger mentor_pause_reasons_reject_invalid_reason
  before insert or update on private.mentor_pause_reasons
  for each row
  execute function private.reject_invalid_stored_reason();

-- From here on peer_mentors is locked (SHARE ROW EXCLUSIVE). ADD CONSTRAINT has no IF NOT
-- EXISTS: added only if missing, so the file can run again.
do $mentor_pause_reasons_fkey$
begin
  if not exists (select 1 from pg_catalog.pg_constraint
                  where conrelid = 'private.mentor_pause_reasons'::regclass
                    and conname = 'mentor_pause_reasons_mentor_id_fkey') then
    alter table private.mentor_pause_reasons
      add constraint mentor_pause_reasons_mentor_id_fkey
      foreign key (mentor_id) references public.peer_mentors (id)
      on delete cascade deferrable initially deferred;
  end if;
end
$mentor_pause_reasons_fkey$;

-- The audit row used to be written AFTER the update; now by the BEFORE trigger
-- peer_mentors_store_pause_reason. The old trigger is disabled, not dropped: DROP TRIGGER
-- takes ACCESS EXCLUSIVE, and upgrading to it from the SHARE ROW EXCLUSIVE this file already
-- holds deadlocks with any transaction that read peer_mentors and now waits to write it
-- (seen with `cargo xtask bench migration`). DISABLE TRIGGER takes SHARE ROW EXCLUSIVE.
alter table public.peer_mentors disable trigger peer_mentors_record_status_change;

create or replace trigger peer_mentors_check_row
  before insert or update on public.peer_mentors
  for each row
  execute function private.check_peer_mentor_row();

create or replace trigger peer_mentors_mark_assigned_pause_reason
  before update of pause_reason on public.peer_mentors
  for each row
  execute function private.mark_assigned_pause_reason();

create or replace trigger peer_mentors_store_pause_reason
  before insert or update on public.peer_mentors
  for each row
  execute function private.store_pause_reason();
