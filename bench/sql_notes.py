"""Notes, alerts and actions (migration 0014): about 1.5 notes a case (three in ten about the
primary applicant), an alert on one case in thirty (on its primary applicant), and half an
action a case (most done), spread over each case's life."""

from __future__ import annotations

from bench.sql_households import Step

NOTES = Step(
    "notes",
    "note",
    """
INSERT INTO note (id, case_id, person_id, strand_id, category, text, created_by_id, created_at,
                  version)
SELECT row_number() OVER (), h.case_id,
       CASE WHEN random() < 0.3 THEN h.first_pid END, NULL,
       (ARRAY['General', 'Phone call', 'Visit', 'Office interview', 'Email', 'Letter',
              'Safeguarding', 'Other'])[1 + floor(random() * 8)::int],
       'Spoke to the household about ' || bench_gen.pick(bench_gen.case_summaries(), random()),
       1 + floor(random() * %(officers)s)::int,
       h.created_at + (now() - h.created_at) * random(), 1
FROM bench_gen.hh AS h
CROSS JOIN LATERAL generate_series(1, (h.case_id %% 4)) AS n
""",
)

ALERTS = Step(
    "alerts",
    "alert",
    """
INSERT INTO alert (id, case_id, person_id, alert_type, text, date_from, date_until,
                   created_by_id, created_at, version)
SELECT row_number() OVER (), h.case_id, h.first_pid,
       (ARRAY['Violent or aggressive', 'Risk to staff: do not visit alone', 'Safeguarding',
              'Vulnerable adult', 'Interpreter needed', 'Medical', 'Other'])
         [1 + floor(random() * 7)::int],
       'See the notes before contacting the household',
       h.created_at::date, NULL, 1 + floor(random() * %(officers)s)::int, h.created_at, 1
FROM bench_gen.hh AS h
WHERE h.case_id %% 30 = 7
""",
)

ACTIONS = Step(
    "actions",
    "action",
    """
INSERT INTO action (id, case_id, person_id, strand_id, what, assignee_id, team_id, due_date,
                    created_by_id, created_at, done_at, outcome, version)
SELECT row_number() OVER (), case_id, NULL, NULL, 'Follow up: ' || what, officer, NULL, due,
       officer, made, CASE WHEN done THEN made + interval '3 days' END,
       CASE WHEN done THEN 'Done' END, 1
FROM (
  SELECT h.case_id, bench_gen.pick(bench_gen.case_summaries(), random()) AS what,
         1 + floor(random() * %(officers)s)::int AS officer,
         h.created_at + (now() - h.created_at) * random() AS made,
         random() < 0.7 AS done
  FROM bench_gen.hh AS h
  WHERE h.case_id %% 2 = 0
) AS a
CROSS JOIN LATERAL (SELECT (a.made + interval '14 days')::date AS due) AS d
""",
)

STEPS = [NOTES, ALERTS, ACTIONS]
