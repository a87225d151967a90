"""The generator's SQL, part 3: pending changes (0.1 per case, every kind and status, over 18
months) and history (about ten events a case); and the fresh batch of acceptable changes the
benchmark inserts before it measures accepting them (`ACCEPT_BATCH`)."""

from __future__ import annotations

from bench.sql_households import Step

# Who in each case a change can be about (see the module notes of bench.sql_work).
CANDIDATES = Step(
    "change candidates (staging)",
    None,
    """
CREATE UNLOGGED TABLE bench_gen.cand AS
SELECT c.slot, c.case_id, h.created_at AS case_created, h.primary_sex, h.officer_id,
       p.person_id AS primary_pid, p.last_name AS surname, pr.email, pr.phone,
       pr.preferred_contact, a.id AS account_id, a.email AS account_email,
       h.line_1, h.town, h.postcode,
       greatest(h.addr_from, mx.max_joined) AS moved_from,
       mem.member_pid, mem.member_joined, mem.member_rel, mem.member_sex,
       mot.mother_pid, mot.mother_due
FROM bench_gen.chg_case AS c
JOIN bench_gen.hh AS h ON h.case_id = c.case_id
JOIN bench_gen.pp AS p ON p.case_id = c.case_id AND p.k = 0
JOIN person AS pr ON pr.id = p.person_id
JOIN portal_account AS a ON a.person_id = p.person_id
LEFT JOIN LATERAL (
  SELECT x.person_id AS member_pid, x.joined AS member_joined, x.rel AS member_rel,
         x.sex AS member_sex
  FROM bench_gen.pp AS x
  WHERE x.case_id = c.case_id AND x.k > 0 AND x.left_on IS NULL
  ORDER BY x.q_flag LIMIT 1) AS mem ON true
LEFT JOIN LATERAL (
  SELECT x.person_id AS mother_pid, x.due AS mother_due
  FROM bench_gen.pp AS x
  WHERE x.case_id = c.case_id AND x.sex = 'F' AND x.left_on IS NULL
    AND x.dob BETWEEN current_date - 16436 AND current_date - 5844
  ORDER BY x.q_flag LIMIT 1) AS mot ON true
LEFT JOIN LATERAL (
  SELECT max(x.joined) AS max_joined FROM bench_gen.pp AS x
  WHERE x.case_id = c.case_id AND x.left_on IS NULL) AS mx ON true
""",
)

# 60% pending (each on a case of its own, mostly recent with a long tail), the rest decided or
# withdrawn, spread evenly over 18 months on the same cases and others.
CHANGES_STAGING = Step(
    "changes (staging)",
    None,
    """
CREATE UNLOGGED TABLE bench_gen.chg AS
WITH j AS (
  SELECT j, j < %(pending)s AS is_pending,
         CASE WHEN j < %(pending)s THEN mod(j, %(change_cases)s)
              ELSE mod(j * 7 + 3, %(change_cases)s) END AS jslot,
         random() AS r_kind, random() AS r_status, random() AS r_when, random() AS r_x,
         random() AS r_y, random() AS r_assign
  FROM generate_series(0, %(changes)s - 1) AS j
), k AS (
  SELECT j.*, c.*,
         CASE WHEN r_kind < 0.16 THEN 'other' WHEN r_kind < 0.30 THEN 'address'
              WHEN r_kind < 0.44 THEN 'contact' WHEN r_kind < 0.56 THEN 'joined'
              WHEN r_kind < 0.70 THEN CASE WHEN member_pid IS NULL THEN 'joined' ELSE 'left' END
              WHEN r_kind < 0.78 THEN CASE WHEN member_pid IS NULL THEN 'other'
                                           ELSE 'relationship' END
              WHEN r_kind < 0.87 THEN CASE WHEN mother_pid IS NULL THEN 'other'
                                           ELSE 'pregnancy' END
              ELSE CASE WHEN mother_pid IS NULL THEN 'contact' ELSE 'birth' END END AS kind,
         CASE WHEN is_pending THEN 'pending' WHEN r_status < 0.625 THEN 'accepted'
              WHEN r_status < 0.825 THEN 'rejected' WHEN r_status < 0.95 THEN 'withdrawn'
              ELSE 'superseded' END AS status,
         least(now() - interval '1 minute', greatest(c.case_created + interval '1 day',
               now() - CASE WHEN is_pending THEN r_when ^ 8 ELSE r_when END
                       * interval '540 days')) AS submitted_at
  FROM j JOIN bench_gen.cand AS c ON c.slot = j.jslot
)
SELECT k.*, submitted_at::date AS sent_on,
       CASE WHEN r_y < 0.3 THEN 'Partner' WHEN r_y < 0.5 THEN 'Friend or lodger'
            WHEN r_y < 0.65 THEN 'Parent' WHEN r_y < 0.8 THEN 'Other relative'
            WHEN r_x < 0.5 THEN 'Son' ELSE 'Daughter' END AS new_rel,
       CASE WHEN r_y < 0.3 AND primary_sex = 'F' THEN 'M' WHEN r_y < 0.3 THEN 'F'
            WHEN r_y >= 0.8 AND r_x < 0.5 THEN 'M' WHEN r_y >= 0.8 THEN 'F'
            WHEN r_x < 0.5 THEN 'F' ELSE 'M' END AS new_sex
FROM k
""",
)

CHANGES = Step(
    "pending changes",
    "pending_change",
    """
INSERT INTO pending_change (id, case_id, kind, payload, basis, target_person_id, conflict_key,
    status, submitted_by_account_id, submitted_at, target_date, idempotency_key, assigned_to_id,
    assigned_at, decided_by_id, decided_at, decision_reason, withdrawn_at, version,
    decision_record)
SELECT j + 1, case_id, kind, payload, basis, target, CASE WHEN status = 'pending' THEN ckey END,
       status, account_id, submitted_at, sent_on + 14, 'bench-' || j,
       CASE WHEN status = 'pending' AND r_assign < 0.25 THEN queue_officer END,
       CASE WHEN status = 'pending' AND r_assign < 0.25
            THEN submitted_at + (now() - submitted_at) * 0.3 END,
       CASE WHEN status IN ('accepted', 'rejected') THEN queue_officer END,
       CASE WHEN status IN ('accepted', 'rejected') THEN decided_at END,
       CASE WHEN status = 'rejected' THEN bench_gen.pick(bench_gen.reject_reasons(), r_x) END,
       CASE WHEN status = 'withdrawn' THEN decided_at END,
       CASE WHEN status = 'pending' AND r_assign >= 0.25 THEN 1 ELSE 2 END,
       CASE WHEN status IN ('accepted', 'rejected') THEN json_build_object(
         'rows', json_build_array(json_build_object('label', bench_gen.kind_label(kind),
                                                    'before', '', 'after', 'As reported')),
         'need', NULL, 'stale', json_build_array()) END
FROM (
  SELECT chg.*,
    (bench_gen.queue_officers())[1 + floor(r_assign * cardinality(bench_gen.queue_officers()))::int]
      AS queue_officer,
    least(now(), submitted_at + (1 + r_x * 20) * interval '1 day') AS decided_at,
    CASE kind
      WHEN 'other' THEN json_build_object('person_id', primary_pid,
        'details', bench_gen.pick(bench_gen.other_details(), r_x))
      WHEN 'address' THEN json_build_object('person_id', primary_pid,
        'line_1', (1 + floor(r_x * 300)) || ' ' || bench_gen.pick(bench_gen.streets(), r_y),
        'line_2', NULL, 'town', 'Northbridge',
        'postcode', bench_gen.postcode(j::bigint * 7919 + 11),
        'moved_on', bench_gen.iso(greatest(moved_from, sent_on - (r_y * 20)::int)))
      WHEN 'contact' THEN json_build_object('person_id', primary_pid, 'email', email,
        'phone', '07700 8' || lpad(mod(j, 100000)::text, 5, '0'),
        'preferred_contact', 'Text message')
      WHEN 'joined' THEN json_build_object(
        'first_name', CASE WHEN new_rel IN ('Son', 'Daughter') AND new_sex = 'F'
                             THEN bench_gen.pick(bench_gen.kids_f(), r_x)
                           WHEN new_rel IN ('Son', 'Daughter')
                             THEN bench_gen.pick(bench_gen.kids_m(), r_x)
                           WHEN new_sex = 'F' THEN bench_gen.pick(bench_gen.first_f(), r_x)
                           ELSE bench_gen.pick(bench_gen.first_m(), r_x) END,
        'last_name', CASE WHEN new_rel IN ('Son', 'Daughter', 'Parent') THEN surname
                          ELSE bench_gen.pick(bench_gen.surnames(), r_y) END,
        'date_of_birth', bench_gen.iso(born), 'sex', new_sex, 'relationship', new_rel,
        'date_joined', bench_gen.iso(greatest(born, sent_on - (r_y * 20)::int)))
      WHEN 'left' THEN json_build_object('person_id', member_pid,
        'date_left', bench_gen.iso(greatest(member_joined, sent_on - (r_x * 25)::int)))
      WHEN 'relationship' THEN json_build_object('person_id', member_pid,
        'relationship', bench_gen.next_relationship(member_rel, member_sex))
      WHEN 'pregnancy' THEN json_build_object('person_id', mother_pid,
        'due_date', bench_gen.iso(sent_on + 30 + (r_x * 200)::int))
      ELSE json_build_object('person_id', mother_pid,
        'first_name', CASE WHEN r_y < 0.5 THEN bench_gen.pick(bench_gen.kids_m(), r_x)
                           ELSE bench_gen.pick(bench_gen.kids_f(), r_x) END,
        'last_name', surname, 'date_of_birth', bench_gen.iso(sent_on - (r_x * 40)::int),
        'sex', CASE WHEN r_y < 0.5 THEN 'M' ELSE 'F' END,
        'relationship', CASE WHEN r_y < 0.5 THEN 'Son' ELSE 'Daughter' END)
    END AS payload,
    CASE kind
      WHEN 'address' THEN json_build_object('address',
        concat_ws(', ', line_1, town, postcode))
      WHEN 'contact' THEN json_build_object('email', email, 'phone', phone,
        'preferred_contact', preferred_contact)
      WHEN 'left' THEN json_build_object('date_left', NULL,
        'date_joined', bench_gen.iso(member_joined))
      WHEN 'relationship' THEN json_build_object('relationship', member_rel)
      WHEN 'pregnancy' THEN json_build_object('due_date', bench_gen.iso(mother_due))
      WHEN 'other' THEN json_build_object()
      ELSE json_build_object('already_in_household', NULL)
    END AS basis,
    CASE kind WHEN 'joined' THEN NULL WHEN 'left' THEN member_pid
      WHEN 'relationship' THEN member_pid WHEN 'pregnancy' THEN mother_pid
      WHEN 'birth' THEN mother_pid ELSE primary_pid END AS target,
    CASE kind
      WHEN 'left' THEN 'person:' || member_pid || ':membership:' || case_id
      WHEN 'relationship' THEN 'person:' || member_pid || ':relationship:' || case_id
      WHEN 'pregnancy' THEN 'person:' || mother_pid || ':pregnancy'
      WHEN 'birth' THEN 'person:' || mother_pid || ':birth:'
                        || bench_gen.iso(sent_on - (r_x * 40)::int)
      WHEN 'contact' THEN 'person:' || primary_pid || ':contact'
      WHEN 'address' THEN 'case:' || case_id || ':address'
      WHEN 'joined' THEN left('case:' || case_id || ':joined:' || lower(
        CASE WHEN new_rel IN ('Son', 'Daughter') AND new_sex = 'F'
               THEN bench_gen.pick(bench_gen.kids_f(), r_x)
             WHEN new_rel IN ('Son', 'Daughter') THEN bench_gen.pick(bench_gen.kids_m(), r_x)
             WHEN new_sex = 'F' THEN bench_gen.pick(bench_gen.first_f(), r_x)
             ELSE bench_gen.pick(bench_gen.first_m(), r_x) END || ' ' ||
        CASE WHEN new_rel IN ('Son', 'Daughter', 'Parent') THEN surname
             ELSE bench_gen.pick(bench_gen.surnames(), r_y) END)
        || ':' || bench_gen.iso(born), 120)
    END AS ckey
  FROM (SELECT chg.*,
               CASE WHEN new_rel IN ('Son', 'Daughter') THEN sent_on - (r_x * 5000)::int - 60
                    WHEN new_rel = 'Parent' THEN sent_on - ((55 + r_x * 25) * 365.25)::int
                    ELSE sent_on - ((19 + r_x * 40) * 365.25)::int END AS born
        FROM bench_gen.chg) AS chg
) AS x
""",
)

CHANGE_HISTORY = Step(
    "history: changes",
    "history_event",
    """
INSERT INTO history_event (occurred_at, actor_kind, actor_user_id, actor_portal_account_id,
                           actor_label, kind, summary, case_id, person_id, before, after)
SELECT pc.submitted_at, 'applicant', NULL, c.account_id, c.account_email, 'change.submitted',
       bench_gen.kind_label(pc.kind) || ' reported through the portal ('
         || bench_gen.ref('PC', pc.id) || ')',
       pc.case_id, pc.target_person_id, NULL::json,
       json_build_object('reference', bench_gen.ref('PC', pc.id), 'kind', pc.kind)
FROM pending_change AS pc JOIN bench_gen.chg AS c ON c.j + 1 = pc.id
UNION ALL
SELECT coalesce(pc.decided_at, pc.withdrawn_at),
       CASE WHEN pc.status = 'withdrawn' THEN 'applicant' ELSE 'officer' END,
       pc.decided_by_id, CASE WHEN pc.status = 'withdrawn' THEN c.account_id END,
       coalesce(u.name, c.account_email),
       'change.' || pc.status,
       'Change ' || bench_gen.ref('PC', pc.id) || ' ' || pc.status
         || coalesce(': ' || pc.decision_reason, ''),
       pc.case_id, pc.target_person_id, json_build_object('status', 'pending'),
       json_build_object('status', pc.status)
FROM pending_change AS pc JOIN bench_gen.chg AS c ON c.j + 1 = pc.id
LEFT JOIN user_account AS u ON u.id = pc.decided_by_id
WHERE pc.status IN ('accepted', 'rejected', 'withdrawn')
""",
)

# Each change carries its case's team (as `changes.engine.submit` does), for the queue's filter.
CHANGE_TEAMS = Step(
    "pending changes' teams",
    "pending_change",
    """
UPDATE pending_change AS pc SET team_id = c.responsible_team_id
FROM housing_case AS c WHERE c.id = pc.case_id
""",
)

STEPS = [CANDIDATES, CHANGES_STAGING, CHANGES, CHANGE_TEAMS, CHANGE_HISTORY]

# A fresh batch of changes officers can accept at once (the accept phase consumes them): people
# leaving and relationships changing, so every accept locks the case, recalculates the bedroom
# need, writes history and emails the applicant when they have an account. Only current members
# other than the primary applicant, on active cases with an open bedroom assessment and no
# change pending, drawn from a random sample of cases (cheap at any size).
ACCEPT_BATCH = """
WITH pick AS (
  SELECT DISTINCT (1 + floor(random() * (SELECT max(id) FROM housing_case)))::int AS case_id
  FROM generate_series(1, %(sample)s)
), cand AS (
  SELECT cp.case_id, cp.person_id, cp.relationship_to_primary AS rel, cp.date_joined, p.sex,
         a.id AS account_id, c.responsible_team_id AS team_id, random() AS r
  FROM pick
  JOIN housing_case AS c ON c.id = pick.case_id AND c.status = 'Active'
  JOIN case_person AS pr ON pr.case_id = c.id AND pr.is_primary
  LEFT JOIN portal_account AS a ON a.person_id = pr.person_id
  JOIN case_person AS cp ON cp.case_id = c.id AND NOT cp.is_primary AND cp.date_left IS NULL
                         AND cp.date_joined <= current_date
  JOIN person AS p ON p.id = cp.person_id
  WHERE EXISTS (SELECT 1 FROM strand AS s WHERE s.case_id = c.id
                AND s.type_code = 'bedroom_assessment' AND s.is_open)
    AND NOT EXISTS (SELECT 1 FROM pending_change AS pc WHERE pc.case_id = c.id
                    AND pc.status = 'pending')
  ORDER BY a.id IS NULL, r
  LIMIT %(count)s
), numbered AS (
  SELECT cand.*, row_number() OVER (ORDER BY r) AS n FROM cand
), kinds AS (
  SELECT numbered.*, CASE WHEN mod(n, 2) = 0 THEN 'left' ELSE 'relationship' END AS kind
  FROM numbered
)
INSERT INTO pending_change (case_id, team_id, kind, payload, basis, target_person_id,
    conflict_key, status, submitted_by_account_id, submitted_at, target_date, idempotency_key,
    version)
SELECT case_id, team_id, kind,
       CASE kind WHEN 'left'
            THEN json_build_object('person_id', person_id,
                                   'date_left', to_char(current_date, 'YYYY-MM-DD'))
            ELSE json_build_object('person_id', person_id, 'relationship', CASE rel
              WHEN 'Partner' THEN 'Spouse' WHEN 'Spouse' THEN 'Partner'
              WHEN 'Civil partner' THEN 'Spouse' WHEN 'Stepchild' THEN
                CASE WHEN sex = 'F' THEN 'Daughter' ELSE 'Son' END
              WHEN 'Son' THEN 'Stepchild' WHEN 'Daughter' THEN 'Stepchild'
              WHEN 'Other' THEN 'Friend or lodger' WHEN 'Other relative' THEN 'Other'
              ELSE 'Other relative' END) END,
       CASE kind WHEN 'left'
            THEN json_build_object('date_left', NULL,
                                   'date_joined', to_char(date_joined, 'YYYY-MM-DD'))
            ELSE json_build_object('relationship', rel) END,
       person_id,
       'person:' || person_id || CASE kind WHEN 'left' THEN ':membership:' ELSE ':relationship:' END
         || case_id,
       'pending', account_id, now() - interval '1 hour', current_date + 14,
       'bench-accept-' || gen_random_uuid(), 1
FROM kinds
RETURNING id, case_id, version
"""
