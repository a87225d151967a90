"""The generator's SQL, part 4: the history of each case (about ten events a case, with the
changes' own in `sql_changes`): opened, people added and joining, couples, leavers, strands
opened and moved on, bedroom calculations, moves home, and notes along the way."""

from __future__ import annotations

from bench.sql_households import Step

_INSERT = """
INSERT INTO history_event (occurred_at, actor_kind, actor_user_id, actor_portal_account_id,
                           actor_label, kind, summary, case_id, person_id, before, after)
"""

HOUSEHOLD_HISTORY = Step(
    "history: households",
    "history_event",
    _INSERT
    + """
SELECT h.created_at, 'officer', u.id, NULL::int, u.name, 'case.created',
       'Case ' || bench_gen.ref('HC', h.case_id) || ' opened', h.case_id, h.first_pid, NULL::json,
       json_build_object('status', 'Active')
FROM bench_gen.hh AS h JOIN user_account AS u ON u.id = h.officer_id
UNION ALL
SELECT p.created_at, 'officer', u.id, NULL, u.name, 'person.created',
       concat_ws(' ', p.first_name, p.middle_names, p.last_name) || ' added (born '
         || bench_gen.long_date(p.dob) || ')',
       p.case_id, p.person_id, NULL, json_build_object('date_of_birth', bench_gen.iso(p.dob))
FROM bench_gen.pp AS p JOIN bench_gen.hh AS h USING (case_id)
JOIN user_account AS u ON u.id = h.officer_id
UNION ALL
SELECT p.created_at + interval '1 minute', 'officer', u.id, NULL, u.name, 'household.joined',
       concat_ws(' ', p.first_name, p.last_name) || ' joined the household on '
         || bench_gen.long_date(p.joined) || ' (' || p.rel || ')',
       p.case_id, p.person_id, NULL,
       json_build_object('relationship', p.rel, 'date_joined', bench_gen.iso(p.joined),
                         'joint_applicant', p.joint)
FROM bench_gen.pp AS p JOIN bench_gen.hh AS h USING (case_id)
JOIN user_account AS u ON u.id = h.officer_id
WHERE p.k > 0
UNION ALL
SELECT p.created_at + interval '2 minutes', 'officer', u.id, NULL, u.name, 'household.couple',
       concat_ws(' ', q.first_name, q.last_name) || ' and '
         || concat_ws(' ', p.first_name, p.last_name) || ' recorded as a couple',
       p.case_id, p.person_id, NULL,
       json_build_object('couple', json_build_array(concat_ws(' ', q.first_name, q.last_name),
                                                    concat_ws(' ', p.first_name, p.last_name)))
FROM bench_gen.pp AS p JOIN bench_gen.hh AS h USING (case_id)
JOIN bench_gen.pp AS q ON q.case_id = p.case_id AND q.k = 0
JOIN user_account AS u ON u.id = h.officer_id
WHERE p.role = 'partner'
UNION ALL
SELECT least(now(), p.left_on + interval '10 hours'), 'officer', u.id, NULL, u.name,
       'household.left',
       concat_ws(' ', p.first_name, p.last_name) || ' left the household on '
         || bench_gen.long_date(p.left_on),
       p.case_id, p.person_id, json_build_object('date_left', NULL),
       json_build_object('date_left', bench_gen.iso(p.left_on))
FROM bench_gen.pp AS p JOIN bench_gen.hh AS h USING (case_id)
JOIN user_account AS u ON u.id = h.officer_id
WHERE p.left_on IS NOT NULL
""",
)

STRAND_HISTORY = Step(
    "history: strands",
    "history_event",
    _INSERT
    + """
SELECT s.created_at,
       CASE WHEN s.by_kind = 'referrer' THEN 'referrer' ELSE 'officer' END, u.id, NULL::int,
       coalesce(u.name, 'Referrer'),
       CASE WHEN s.by_kind = 'referrer' THEN 'referral.received' ELSE 'strand.opened' END,
       s.type_name || ' ' || bench_gen.ref(s.prefix, s.strand_id)
         || CASE WHEN s.by_kind = 'referrer' THEN ' received' ELSE ' opened' END,
       s.case_id, NULL::int, NULL::json, json_build_object('status', s.initial_status)
FROM bench_gen.st AS s LEFT JOIN user_account AS u ON u.id = s.by_id
UNION ALL
SELECT least(now(), s.created_at + (now() - s.created_at) * 0.3), 'officer', u.id, NULL, u.name,
       'strand.status_changed',
       s.type_name || ' ' || bench_gen.ref(s.prefix, s.strand_id) || ': ' || s.initial_status
         || ' → ' || s.status,
       s.case_id, NULL, json_build_object('status', s.initial_status),
       json_build_object('status', s.status)
FROM bench_gen.st AS s JOIN bench_gen.hh AS h USING (case_id)
JOIN user_account AS u ON u.id = h.officer_id
WHERE s.status <> s.initial_status
""",
)

BEDROOM_HISTORY = Step(
    "history: bedroom need",
    "history_event",
    _INSERT
    + """
SELECT v.calculated_at, 'officer', u.id, NULL, u.name,
       CASE WHEN v.cause = 'override' THEN 'bedroom.overridden' ELSE 'bedroom.recalculated' END,
       CASE WHEN v.cause = 'override'
              THEN 'Bedroom need set to ' || v.override_bedrooms || ' bedrooms by an officer: '
                   || v.override_reason
            WHEN v.number = 1
              THEN 'Bedroom need assessed: ' || v.bedrooms
                   || CASE WHEN v.bedrooms = 1 THEN ' bedroom' ELSE ' bedrooms' END
                   || ' under the size criteria — ' || v.cause_detail
            ELSE 'Bedroom need recalculated: ' || v.bedrooms
                 || CASE WHEN v.bedrooms = 1 THEN ' bedroom' ELSE ' bedrooms' END
                 || ' (unchanged) — ' || v.cause_detail END,
       s.case_id, NULL, NULL,
       json_build_object('bedrooms', v.bedrooms, 'cause', v.cause,
                         'assessed_on', bench_gen.iso(v.assessed_on))
FROM bedroom_assessment_version AS v
JOIN bench_gen.st AS s ON s.strand_id = v.strand_id
JOIN user_account AS u ON u.id = v.officer_id
""",
)

# Moves home, and notes and contact updates along the way (0-3 a case).
ACTIVITY_HISTORY = Step(
    "history: activity",
    "history_event",
    _INSERT
    + """
SELECT least(now(), h.created_at + interval '30 minutes'), 'officer', u.id, NULL::int, u.name,
       'person.address',
       'Address recorded: ' || h.line_1 || ', ' || h.postcode || ' from '
         || bench_gen.long_date(h.addr_from),
       h.case_id, h.first_pid,
       json_build_object('address', h.past_line_1 || ', ' || h.past_postcode),
       json_build_object('address', h.line_1 || ', ' || h.postcode)
FROM bench_gen.hh AS h JOIN user_account AS u ON u.id = h.officer_id
WHERE h.has_past_address
UNION ALL
SELECT least(now(), h.created_at + (now() - h.created_at) * (n / 4.0)), 'officer', u.id, NULL,
       u.name,
       CASE WHEN mod(h.case_id + n, 3) = 0 THEN 'person.contact' ELSE 'case.circumstances' END,
       CASE WHEN mod(h.case_id + n, 3) = 0 THEN 'Contact details updated: phone'
            ELSE 'Change of circumstances noted: '
                 || bench_gen.pick(bench_gen.other_details(),
                                   mod((h.r_summary * 7 + n * 0.37)::numeric, 1))
       END,
       h.case_id, h.first_pid, NULL, NULL
FROM bench_gen.hh AS h JOIN user_account AS u ON u.id = h.officer_id,
LATERAL generate_series(1, floor(h.r_extra * 3.6)::int) AS n
""",
)

STEPS = [HOUSEHOLD_HISTORY, STRAND_HISTORY, BEDROOM_HISTORY, ACTIVITY_HISTORY]
