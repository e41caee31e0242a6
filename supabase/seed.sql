-- Fixtures for local development and tests. Loaded after ALL migrations
-- (supabase db reset, and our local runner), so the mentor status columns exist.
-- Fixed UUIDs and timestamps: tests may name them. Every name, email and phone number is
-- made up (example.org). Re-running the file inserts nothing twice (ON CONFLICT DO NOTHING).
--
-- UUID patterns (all valid version-4 UUIDs):
--   auth users   a0000000-0000-4000-8000-0000000000NN
--   mentors      b0000000-0000-4000-8000-0000000000NN   (mentor NN belongs to user NN)
--   chapters     c0000000-0000-4000-8000-0000000000NN
--   assignments  d0000000-0000-4000-8000-0000000000NN
--   activities   e0000000-0000-4000-8000-0000000000NN
--
-- Chapters
--   c…01 Oslo       coordinators: Kari (active), Ingrid (INACTIVE)
--   c…02 Bergen     coordinator: Kari (active)
--   c…03 Trondheim  coordinator: Trond (active)
--   c…04 Tromsø     NO coordinator at all
--
-- Mentors (user a…0N, mentor b…0N)                 memberships                    status
--   01 Ada Hansen      ada.hansen@example.org       Oslo                           active
--   02 Bjørn Olsen     bjorn.olsen@example.org      Oslo + Bergen                  active
--   03 Camilla Berg    camilla.berg@example.org     Bergen                         paused since 2026-11-01 08:00Z, 'vacation'
--   04 Daniel Lund     daniel.lund@example.org      Trondheim                      active
--   05 Eva Nilsen      eva.nilsen@example.org       Trondheim + Tromsø             paused since 2026-10-15 00:00Z, 'personal'
--   06 Fredrik Dahl    fredrik.dahl@example.org     Tromsø                         active
--   07 Guro Moen       guro.moen@example.org        Oslo + Bergen (Bergen INACTIVE) active
--   08 Henrik Strand   henrik.strand@example.org    Bergen                         inactive
--
-- Other auth users (not mentors)
--   a…11 Kari Koordinator    kari.koordinator@example.org    coordinates Oslo + Bergen
--   a…12 Trond Koordinator   trond.koordinator@example.org   coordinates Trondheim
--   a…13 Ingrid Tidligere    ingrid.tidligere@example.org    former coordinator of Oslo (active = false)
--   a…99 Ola Utenfor         ola.utenfor@example.org         signed up, neither mentor nor coordinator
--
-- Who a coordinator should see, by active membership of an actively coordinated chapter:
--   Kari (Oslo, Bergen): Ada, Bjørn, Camilla, Guro, Henrik (Guro via Oslo only)
--   Trond (Trondheim):   Daniel, Eva
--   Ingrid, Ola:         nobody;  Fredrik (Tromsø only): no coordinator
--
-- Assignments (mentee_ref is a pseudonymous reference)
--   d…01 Ada      'OSL-1001'  2026-09-01 → ongoing
--   d…02 Bjørn    'BGO-2001'  2026-08-15 → ongoing
--   d…03 Bjørn    'OSL-1002'  2026-03-01 → 2026-10-15 (ended)
--   d…04 Camilla  'BGO-2002'  2026-09-10 → ongoing (mentor paused)
--   d…05 Daniel   'TRD-3001'  2026-10-01 → ongoing
--   d…06 Eva      'TOS-4001'  2026-05-01 → 2026-10-01 (ended)
--   d…07 Henrik   'BGO-2003'  2026-01-10 → 2026-06-30 (ended; mentor inactive)
--   Fredrik and Guro have no assignment.
--
-- Activities e…01–e…12: see the INSERT below (e…10 and e…11 have no assignment).

-- ---------------------------------------------------------------------------------------
-- Auth users (the columns exist in Supabase's auth.users and in our local stand-in,
-- crates/localdb/sql/supabase_platform.sql). No password: tests sign in by setting JWT
-- claims, not through the Auth API.
-- ---------------------------------------------------------------------------------------
insert into auth.users
  (id, aud, role, email, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
values
  ('a0000000-0000-4000-8000-000000000001', 'authenticated', 'authenticated', 'ada.hansen@example.org',       '2026-01-05 09:00:00+00', '{"provider": "email", "providers": ["email"]}', '{"full_name": "Ada Hansen"}',        '2026-01-05 09:00:00+00', '2026-01-05 09:00:00+00'),
  ('a0000000-0000-4000-8000-000000000002', 'authenticated', 'authenticated', 'bjorn.olsen@example.org',      '2026-01-06 09:00:00+00', '{"provider": "email", "providers": ["email"]}', '{"full_name": "Bjørn Olsen"}',       '2026-01-06 09:00:00+00', '2026-01-06 09:00:00+00'),
  ('a0000000-0000-4000-8000-000000000003', 'authenticated', 'authenticated', 'camilla.berg@example.org',     '2026-01-07 09:00:00+00', '{"provider": "email", "providers": ["email"]}', '{"full_name": "Camilla Berg"}',      '2026-01-07 09:00:00+00', '2026-01-07 09:00:00+00'),
  ('a0000000-0000-4000-8000-000000000004', 'authenticated', 'authenticated', 'daniel.lund@example.org',      '2026-01-08 09:00:00+00', '{"provider": "email", "providers": ["email"]}', '{"full_name": "Daniel Lund"}',       '2026-01-08 09:00:00+00', '2026-01-08 09:00:00+00'),
  ('a0000000-0000-4000-8000-000000000005', 'authenticated', 'authenticated', 'eva.nilsen@example.org',       '2026-01-09 09:00:00+00', '{"provider": "email", "providers": ["email"]}', '{"full_name": "Eva Nilsen"}',        '2026-01-09 09:00:00+00', '2026-01-09 09:00:00+00'),
  ('a0000000-0000-4000-8000-000000000006', 'authenticated', 'authenticated', 'fredrik.dahl@example.org',     '2026-01-10 09:00:00+00', '{"provider": "email", "providers": ["email"]}', '{"full_name": "Fredrik Dahl"}',      '2026-01-10 09:00:00+00', '2026-01-10 09:00:00+00'),
  ('a0000000-0000-4000-8000-000000000007', 'authenticated', 'authenticated', 'guro.moen@example.org',        '2026-01-11 09:00:00+00', '{"provider": "email", "providers": ["email"]}', '{"full_name": "Guro Moen"}',         '2026-01-11 09:00:00+00', '2026-01-11 09:00:00+00'),
  ('a0000000-0000-4000-8000-000000000008', 'authenticated', 'authenticated', 'henrik.strand@example.org',    '2026-01-12 09:00:00+00', '{"provider": "email", "providers": ["email"]}', '{"full_name": "Henrik Strand"}',     '2026-01-12 09:00:00+00', '2026-01-12 09:00:00+00'),
  ('a0000000-0000-4000-8000-000000000011', 'authenticated', 'authenticated', 'kari.koordinator@example.org', '2026-01-02 09:00:00+00', '{"provider": "email", "providers": ["email"]}', '{"full_name": "Kari Koordinator"}',  '2026-01-02 09:00:00+00', '2026-01-02 09:00:00+00'),
  ('a0000000-0000-4000-8000-000000000012', 'authenticated', 'authenticated', 'trond.koordinator@example.org','2026-01-03 09:00:00+00', '{"provider": "email", "providers": ["email"]}', '{"full_name": "Trond Koordinator"}', '2026-01-03 09:00:00+00', '2026-01-03 09:00:00+00'),
  ('a0000000-0000-4000-8000-000000000013', 'authenticated', 'authenticated', 'ingrid.tidligere@example.org', '2025-06-01 09:00:00+00', '{"provider": "email", "providers": ["email"]}', '{"full_name": "Ingrid Tidligere"}',  '2025-06-01 09:00:00+00', '2025-06-01 09:00:00+00'),
  ('a0000000-0000-4000-8000-000000000099', 'authenticated', 'authenticated', 'ola.utenfor@example.org',      '2026-02-01 09:00:00+00', '{"provider": "email", "providers": ["email"]}', '{"full_name": "Ola Utenfor"}',       '2026-02-01 09:00:00+00', '2026-02-01 09:00:00+00')
on conflict do nothing;

-- ---------------------------------------------------------------------------------------
-- Chapters
-- ---------------------------------------------------------------------------------------
insert into public.chapters (id, name, created_at)
values
  ('c0000000-0000-4000-8000-000000000001', 'Oslo',      '2025-01-01 00:00:00+00'),
  ('c0000000-0000-4000-8000-000000000002', 'Bergen',    '2025-01-01 00:00:00+00'),
  ('c0000000-0000-4000-8000-000000000003', 'Trondheim', '2025-01-01 00:00:00+00'),
  ('c0000000-0000-4000-8000-000000000004', 'Tromsø',    '2025-03-01 00:00:00+00')
on conflict do nothing;

-- ---------------------------------------------------------------------------------------
-- Peer mentors, with their status (columns from 20261126120000_add_mentor_status)
-- ---------------------------------------------------------------------------------------
insert into public.peer_mentors
  (id, user_id, full_name, email, phone, status, pause_at, pause_reason, created_at, updated_at)
values
  ('b0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', 'Ada Hansen',    'ada.hansen@example.org',    '+47 400 00 001', 'active',   null,                     null,          '2026-01-05 09:00:00+00', '2026-01-05 09:00:00+00'),
  ('b0000000-0000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000002', 'Bjørn Olsen',   'bjorn.olsen@example.org',   '+47 400 00 002', 'active',   null,                     null,          '2026-01-06 09:00:00+00', '2026-01-06 09:00:00+00'),
  ('b0000000-0000-4000-8000-000000000003', 'a0000000-0000-4000-8000-000000000003', 'Camilla Berg',  'camilla.berg@example.org',  '+47 400 00 003', 'paused',   '2026-11-01 08:00:00+00', 'vacation',    '2026-01-07 09:00:00+00', '2026-10-25 12:00:00+00'),
  ('b0000000-0000-4000-8000-000000000004', 'a0000000-0000-4000-8000-000000000004', 'Daniel Lund',   'daniel.lund@example.org',   null,             'active',   null,                     null,          '2026-01-08 09:00:00+00', '2026-01-08 09:00:00+00'),
  ('b0000000-0000-4000-8000-000000000005', 'a0000000-0000-4000-8000-000000000005', 'Eva Nilsen',    'eva.nilsen@example.org',    '+47 400 00 005', 'paused',   '2026-10-15 00:00:00+00', 'personal',    '2026-01-09 09:00:00+00', '2026-10-10 12:00:00+00'),
  ('b0000000-0000-4000-8000-000000000006', 'a0000000-0000-4000-8000-000000000006', 'Fredrik Dahl',  'fredrik.dahl@example.org',  '+47 400 00 006', 'active',   null,                     null,          '2026-01-10 09:00:00+00', '2026-01-10 09:00:00+00'),
  ('b0000000-0000-4000-8000-000000000007', 'a0000000-0000-4000-8000-000000000007', 'Guro Moen',     'guro.moen@example.org',     '+47 400 00 007', 'active',   null,                     null,          '2026-01-11 09:00:00+00', '2026-01-11 09:00:00+00'),
  ('b0000000-0000-4000-8000-000000000008', 'a0000000-0000-4000-8000-000000000008', 'Henrik Strand', 'henrik.strand@example.org', '+47 400 00 008', 'inactive', null,                     null,          '2026-01-12 09:00:00+00', '2026-07-01 12:00:00+00')
on conflict do nothing;

-- ---------------------------------------------------------------------------------------
-- Chapter memberships (Bjørn, Eva and Guro in two chapters; Guro has left Bergen)
-- ---------------------------------------------------------------------------------------
insert into public.chapter_memberships (mentor_id, chapter_id, active, created_at)
values
  ('b0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001', true,  '2026-01-05 09:00:00+00'), -- Ada: Oslo
  ('b0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000001', true,  '2026-01-06 09:00:00+00'), -- Bjørn: Oslo
  ('b0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000002', true,  '2026-02-01 09:00:00+00'), -- Bjørn: Bergen
  ('b0000000-0000-4000-8000-000000000003', 'c0000000-0000-4000-8000-000000000002', true,  '2026-01-07 09:00:00+00'), -- Camilla: Bergen
  ('b0000000-0000-4000-8000-000000000004', 'c0000000-0000-4000-8000-000000000003', true,  '2026-01-08 09:00:00+00'), -- Daniel: Trondheim
  ('b0000000-0000-4000-8000-000000000005', 'c0000000-0000-4000-8000-000000000003', true,  '2026-01-09 09:00:00+00'), -- Eva: Trondheim
  ('b0000000-0000-4000-8000-000000000005', 'c0000000-0000-4000-8000-000000000004', true,  '2026-03-01 09:00:00+00'), -- Eva: Tromsø
  ('b0000000-0000-4000-8000-000000000006', 'c0000000-0000-4000-8000-000000000004', true,  '2026-01-10 09:00:00+00'), -- Fredrik: Tromsø
  ('b0000000-0000-4000-8000-000000000007', 'c0000000-0000-4000-8000-000000000001', true,  '2026-01-11 09:00:00+00'), -- Guro: Oslo
  ('b0000000-0000-4000-8000-000000000007', 'c0000000-0000-4000-8000-000000000002', false, '2026-01-11 09:00:00+00'), -- Guro: Bergen, left
  ('b0000000-0000-4000-8000-000000000008', 'c0000000-0000-4000-8000-000000000002', true,  '2026-01-12 09:00:00+00')  -- Henrik: Bergen
on conflict do nothing;

-- ---------------------------------------------------------------------------------------
-- Chapter coordinators (Kari: two chapters; Ingrid: former; Tromsø: none)
-- ---------------------------------------------------------------------------------------
insert into public.chapter_coordinators (user_id, chapter_id, active, created_at)
values
  ('a0000000-0000-4000-8000-000000000011', 'c0000000-0000-4000-8000-000000000001', true,  '2026-01-02 09:00:00+00'), -- Kari: Oslo
  ('a0000000-0000-4000-8000-000000000011', 'c0000000-0000-4000-8000-000000000002', true,  '2026-01-02 09:00:00+00'), -- Kari: Bergen
  ('a0000000-0000-4000-8000-000000000012', 'c0000000-0000-4000-8000-000000000003', true,  '2026-01-03 09:00:00+00'), -- Trond: Trondheim
  ('a0000000-0000-4000-8000-000000000013', 'c0000000-0000-4000-8000-000000000001', false, '2025-06-01 09:00:00+00')  -- Ingrid: Oslo, former
on conflict do nothing;

-- ---------------------------------------------------------------------------------------
-- Assignments
-- ---------------------------------------------------------------------------------------
insert into public.assignments (id, mentor_id, mentee_ref, started_at, ended_at, created_at)
values
  ('d0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000001', 'OSL-1001', '2026-09-01 10:00:00+00', null,                     '2026-09-01 10:00:00+00'),
  ('d0000000-0000-4000-8000-000000000002', 'b0000000-0000-4000-8000-000000000002', 'BGO-2001', '2026-08-15 10:00:00+00', null,                     '2026-08-15 10:00:00+00'),
  ('d0000000-0000-4000-8000-000000000003', 'b0000000-0000-4000-8000-000000000002', 'OSL-1002', '2026-03-01 10:00:00+00', '2026-10-15 10:00:00+00', '2026-03-01 10:00:00+00'),
  ('d0000000-0000-4000-8000-000000000004', 'b0000000-0000-4000-8000-000000000003', 'BGO-2002', '2026-09-10 10:00:00+00', null,                     '2026-09-10 10:00:00+00'),
  ('d0000000-0000-4000-8000-000000000005', 'b0000000-0000-4000-8000-000000000004', 'TRD-3001', '2026-10-01 10:00:00+00', null,                     '2026-10-01 10:00:00+00'),
  ('d0000000-0000-4000-8000-000000000006', 'b0000000-0000-4000-8000-000000000005', 'TOS-4001', '2026-05-01 10:00:00+00', '2026-10-01 10:00:00+00', '2026-05-01 10:00:00+00'),
  ('d0000000-0000-4000-8000-000000000007', 'b0000000-0000-4000-8000-000000000008', 'BGO-2003', '2026-01-10 10:00:00+00', '2026-06-30 10:00:00+00', '2026-01-10 10:00:00+00')
on conflict do nothing;

-- ---------------------------------------------------------------------------------------
-- Activities
-- ---------------------------------------------------------------------------------------
insert into public.activities (id, mentor_id, assignment_id, occurred_at, kind, duration_minutes, created_at)
values
  ('e0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000001', '2026-09-08 16:00:00+00', 'meeting',       60,  '2026-09-08 18:00:00+00'),
  ('e0000000-0000-4000-8000-000000000002', 'b0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000001', '2026-10-06 16:00:00+00', 'phone_call',    20,  '2026-10-06 18:00:00+00'),
  ('e0000000-0000-4000-8000-000000000003', 'b0000000-0000-4000-8000-000000000002', 'd0000000-0000-4000-8000-000000000002', '2026-09-02 17:00:00+00', 'meeting',       90,  '2026-09-02 19:00:00+00'),
  ('e0000000-0000-4000-8000-000000000004', 'b0000000-0000-4000-8000-000000000002', 'd0000000-0000-4000-8000-000000000003', '2026-04-14 17:00:00+00', 'meeting',       45,  '2026-04-14 19:00:00+00'),
  ('e0000000-0000-4000-8000-000000000005', 'b0000000-0000-4000-8000-000000000002', 'd0000000-0000-4000-8000-000000000003', '2026-10-14 17:00:00+00', 'follow_up',     30,  '2026-10-14 19:00:00+00'),
  ('e0000000-0000-4000-8000-000000000006', 'b0000000-0000-4000-8000-000000000003', 'd0000000-0000-4000-8000-000000000004', '2026-09-17 15:00:00+00', 'meeting',       60,  '2026-09-17 17:00:00+00'),
  ('e0000000-0000-4000-8000-000000000007', 'b0000000-0000-4000-8000-000000000003', 'd0000000-0000-4000-8000-000000000004', '2026-10-29 15:00:00+00', 'phone_call',    15,  '2026-10-29 17:00:00+00'),
  ('e0000000-0000-4000-8000-000000000008', 'b0000000-0000-4000-8000-000000000004', 'd0000000-0000-4000-8000-000000000005', '2026-10-08 12:00:00+00', 'meeting',       75,  '2026-10-08 14:00:00+00'),
  ('e0000000-0000-4000-8000-000000000009', 'b0000000-0000-4000-8000-000000000005', 'd0000000-0000-4000-8000-000000000006', '2026-06-03 12:00:00+00', 'meeting',       60,  '2026-06-03 14:00:00+00'),
  ('e0000000-0000-4000-8000-000000000010', 'b0000000-0000-4000-8000-000000000006', null,                                   '2026-10-20 17:00:00+00', 'group_session', 120, '2026-10-20 20:00:00+00'),
  ('e0000000-0000-4000-8000-000000000011', 'b0000000-0000-4000-8000-000000000007', null,                                   '2026-11-03 17:00:00+00', 'training',      180, '2026-11-03 21:00:00+00'),
  ('e0000000-0000-4000-8000-000000000012', 'b0000000-0000-4000-8000-000000000008', 'd0000000-0000-4000-8000-000000000007', '2026-03-05 16:00:00+00', 'meeting',       60,  '2026-03-05 18:00:00+00')
on conflict do nothing;
