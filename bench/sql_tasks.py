"""Tasks (migration 0018): one on every active case, for its primary officer and team — a
quarter still to do (one in ten of those on hold), the rest done — which at a million cases
gives each caseworker about 500 open tasks; and "the My work officer" (the officer after the
last, with Cases), who has exactly 500 open tasks among them at every size, so My work is
measured for the same load at 10,000 cases and at 1,000,000."""

from __future__ import annotations

from bench.sql_households import Step

MY_WORK_EMAIL = "my.work@bench.example"
MY_WORK_ITEMS = 500

MY_WORK_OFFICER = Step(
    "the My work officer",
    "user_account",
    """
INSERT INTO user_account (id, email, name, active, password_hash, team_id, created_at,
                          last_sign_in_at, version, work_digest)
VALUES (%(officers)s + 1, %(my_work_email)s, 'Morgan Work', true, %(password_hash)s, 1,
        now() - interval '400 days', now(), 1, true)
""",
)

MY_WORK_PERMISSIONS = Step(
    "the My work officer's permissions",
    "user_permission",
    """
INSERT INTO user_permission (user_id, permission)
VALUES (%(officers)s + 1, 'Cases'), (%(officers)s + 1, 'People')
""",
)

TASKS = Step(
    "tasks",
    "task",
    """
INSERT INTO task (id, case_id, strand_id, template_key, name, status, assignee_id, team_id,
                  after_id, days, target_date, opened_on, hold_reason, hold_from, hold_until,
                  held_days, done_at, done_by_id, outcome, created_at, created_by_id, version)
SELECT n, case_id, NULL, NULL, name,
       CASE WHEN live AND r < 0.1 THEN 'on_hold' WHEN live THEN 'open' ELSE 'done' END,
       who, team_id, NULL, 5, opened + 7, opened,
       CASE WHEN live AND r < 0.1 THEN 'Waiting for evidence' END,
       CASE WHEN live AND r < 0.1 THEN current_date - 3 END,
       CASE WHEN live AND r < 0.1 THEN current_date + 10 END, 0,
       CASE WHEN NOT live THEN opened + interval '5 days' END,
       CASE WHEN NOT live THEN who END, CASE WHEN NOT live THEN 'Done' END,
       opened::timestamptz, who, 1
FROM (
  SELECT row_number() OVER (ORDER BY h.case_id) AS n, h.case_id, h.team_id,
         CASE WHEN m.rank IS NOT NULL THEN %(officers)s + 1 ELSE h.officer_id END AS who,
         m.rank IS NOT NULL OR (h.case_id %% 4 = 0) AS live, random() AS r,
         bench_gen.pick(ARRAY['Check the evidence', 'Home visit', 'Ring the landlord',
                              'Assess the application', 'Send the decision letter',
                              'Follow up with the GP'], random()) AS name,
         CASE WHEN m.rank IS NOT NULL THEN current_date - 30 + (m.rank %% 60)::int
              ELSE greatest(h.created_at::date, current_date - (h.case_id %% 400)::int)
         END AS opened
  FROM bench_gen.hh AS h
  LEFT JOIN (
    SELECT case_id, row_number() OVER (ORDER BY case_id) AS rank
    FROM bench_gen.hh WHERE status = 'Active' AND case_id %% 4 <> 0
    ORDER BY case_id %% 997, case_id LIMIT %(my_work_items)s
  ) AS m ON m.case_id = h.case_id
  WHERE h.status = 'Active'
) AS t
""",
)

STEPS = [MY_WORK_OFFICER, MY_WORK_PERMISSIONS, TASKS]
