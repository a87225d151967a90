"""The generator's SQL, part 2: strands (applications and assessments), bedroom assessment
versions, referrals, pending changes and history. See `sql_households` for the staging tables.

More staging: `bench_gen.st` (one row per strand, ids allocated here so versions and referrals
can name them), `bench_gen.need` (each assessed household's bedroom need and snapshot, as the
calculator would store them, approximately), `bench_gen.cand` and `bench_gen.chg` (the cases
changes are reported on, who in them a change can be about, and the changes).

Pending changes carry payloads the change engine accepts: a member who leaves or whose
relationship changes is a current member other than the primary applicant; a pregnancy or a birth
is about a woman of 16 to 45 in the household; a move is dated on or after every mover's current
address; the basis is the record as it stands, so only time makes a change stale.
"""

from __future__ import annotations

from bench.sql_households import Step

CLOSED_STATUSES = (
    "'Housed', 'Cancelled', 'Not eligible', 'Closed', 'Closed (moved)', 'Main duty accepted', "
    "'Duty ended', 'Withdrawn', 'Decision made', 'Completed', 'Decision upheld', "
    "'Decision changed', 'Paid', 'Declined', 'Accommodated', 'Lost contact'"
)

STRANDS_STAGING = Step(
    "strands (staging)",
    None,
    f"""
CREATE UNLOGGED TABLE bench_gen.st AS
WITH hr AS (
  SELECT h.case_id, h.created_at, h.closed_at AS case_closed, h.officer_id,
         CASE WHEN h.status = 'Closed'
              THEN CASE WHEN h.r_hr < 0.3 THEN 'Housed' ELSE 'Cancelled' END
              ELSE bench_gen.pick(ARRAY['Application received', 'Application received',
                'Awaiting information', 'Awaiting information', 'Assessment', 'Assessment',
                'Assessment', 'Active on register', 'Active on register', 'Active on register',
                'Active on register', 'Active on register', 'Active on register',
                'Active on register', 'Active on register', 'Active on register',
                'Active on register', 'Housed', 'Cancelled', 'Not eligible'], h.r_hr / 0.65)
         END AS status
  FROM bench_gen.hh AS h WHERE h.r_hr < 0.65
), base AS (
  SELECT case_id, 1 AS ord, 'housing_register' AS type_code, status,
         created_at + interval '2 hours' AS created_at, case_closed, 'officer' AS by_kind,
         officer_id AS by_id, '{{}}'::json AS data
  FROM hr
  UNION ALL
  SELECT case_id, 2, 'bedroom_assessment',
         CASE WHEN status IN ({CLOSED_STATUSES}) THEN 'Closed' ELSE 'Active' END,
         created_at + interval '2 hours', case_closed, 'officer', officer_id, '{{}}'::json
  FROM hr
  UNION ALL
  SELECT case_id, 3, 'homeless_referral',
         CASE WHEN status = 'Closed' THEN 'Closed'
              ELSE bench_gen.pick(ARRAY['01 Referral Entered', '01 Referral Entered',
                '01 Referral Entered', '02 Contact Client', '02 Contact Client',
                '02 Contact Client', '03 Triage', '03 Triage', '04 IAG only', '05 HNA booked',
                '05 HNA booked', '08 HNA completed', '08 HNA completed', '98 Closure', 'Closed',
                'Closed', 'Closed', 'Closed', 'Closed', 'Closed'], r_ref / 0.12) END,
         created_at, closed_at, 'referrer', NULL,
         json_build_object('self_referral', mod(case_id, 10) < 3)
  FROM bench_gen.hh WHERE r_ref < 0.12
  UNION ALL
  SELECT case_id, 4, 'homeless_application',
         CASE WHEN status = 'Closed' THEN 'Duty ended'
              ELSE bench_gen.pick(ARRAY['Initial assessment', 'Initial assessment',
                'Initial assessment', 'Prevention duty', 'Prevention duty', 'Prevention duty',
                'Relief duty', 'Relief duty', 'Main duty decision', 'Main duty accepted',
                'Main duty accepted', 'Duty ended', 'Duty ended', 'Withdrawn'], r_ha / 0.08) END,
         created_at + interval '3 hours', closed_at, 'officer', officer_id, '{{}}'::json
  FROM bench_gen.hh WHERE r_ha < 0.08
  UNION ALL
  SELECT case_id, 5, t.type_code, bench_gen.pick(t.statuses, r_extra),
         created_at + interval '1 day', closed_at, 'officer', officer_id, '{{}}'::json
  FROM bench_gen.hh,
  LATERAL (SELECT CASE floor(r_other / 0.012)::int
      WHEN 0 THEN 'health_assessment' WHEN 1 THEN 'risk_assessment' WHEN 2 THEN 'review'
      WHEN 3 THEN 'financial_assistance' ELSE 'rough_sleeper' END AS type_code) AS c,
  LATERAL (SELECT CASE c.type_code
      WHEN 'health_assessment' THEN ARRAY['Requested', 'In progress', 'Completed', 'Cancelled']
      WHEN 'risk_assessment' THEN ARRAY['Requested', 'In progress', 'Completed', 'Cancelled']
      WHEN 'review' THEN ARRAY['Requested', 'In progress', 'Decision upheld', 'Decision changed']
      WHEN 'financial_assistance' THEN ARRAY['Requested', 'Approved', 'Paid', 'Declined']
      ELSE ARRAY['Seen rough sleeping', 'Engaged', 'Accommodated', 'Lost contact'] END
      AS statuses, c.type_code) AS t
  WHERE r_other < 0.06
)
SELECT (row_number() OVER (ORDER BY case_id, ord))::int AS strand_id, case_id, type_code,
       status, status NOT IN ({CLOSED_STATUSES}) AS is_open,
       least(now() - interval '1 minute', created_at) AS created_at,
       CASE WHEN status IN ({CLOSED_STATUSES})
            THEN least(now(), coalesce(case_closed, created_at + (now() - created_at) * 0.6))
       END AS closed_at,
       by_kind, by_id, data, random() AS r,
       CASE type_code WHEN 'housing_register' THEN 'HR' WHEN 'bedroom_assessment' THEN 'BA'
         WHEN 'homeless_referral' THEN 'RF' WHEN 'homeless_application' THEN 'HA'
         WHEN 'health_assessment' THEN 'HE' WHEN 'risk_assessment' THEN 'RA'
         WHEN 'review' THEN 'RV' WHEN 'financial_assistance' THEN 'FA' ELSE 'RS' END AS prefix,
       CASE type_code WHEN 'housing_register' THEN 'Housing Register application'
         WHEN 'bedroom_assessment' THEN 'Bedroom assessment'
         WHEN 'homeless_referral' THEN 'Homeless referral'
         WHEN 'homeless_application' THEN 'Homeless application'
         WHEN 'health_assessment' THEN 'Health assessment'
         WHEN 'risk_assessment' THEN 'Risk assessment' WHEN 'review' THEN 'Review'
         WHEN 'financial_assistance' THEN 'Financial assistance' ELSE 'Rough sleeper' END
         AS type_name,
       CASE type_code WHEN 'housing_register' THEN 'Application received'
         WHEN 'bedroom_assessment' THEN 'Active' WHEN 'homeless_referral' THEN '01 Referral Entered'
         WHEN 'homeless_application' THEN 'Initial assessment'
         WHEN 'financial_assistance' THEN 'Requested'
         WHEN 'rough_sleeper' THEN 'Seen rough sleeping' ELSE 'Requested' END AS initial_status
FROM base
""",  # noqa: S608 (constant fragments, no input)
)

STRANDS = Step(
    "strands",
    "strand",
    """
INSERT INTO strand (id, case_id, type_code, status, is_open, data, created_at, created_by_kind,
                    created_by_id, closed_at, version, current_key)
SELECT strand_id, case_id, type_code, status, is_open, data, created_at, by_kind, by_id, closed_at,
       CASE WHEN type_code = 'homeless_referral' AND status <> initial_status THEN 2 ELSE 1 END,
       -- the key of "one open per case" (the per-applicant rule's keys are left out: the
       -- generated data is not re-checked against it)
       CASE WHEN is_open AND type_code IN ('bedroom_assessment', 'financial_assistance',
                                           'rough_sleeper') THEN 'c' || case_id END
FROM bench_gen.st
""",
)

# Each assessed household's need on the size criteria, roughly as the calculator works it out:
# the primary applicant (with a partner, as a couple), a room for each other person aged 16 or
# over or who cannot share, children under 16 two to a room; carers are not counted.
NEED = Step(
    "bedroom need (staging)",
    None,
    """
CREATE UNLOGGED TABLE bench_gen.need AS
WITH m AS (
  SELECT p.case_id, p.person_id, p.role, p.rel, p.dob, p.sex, p.partner_pid, p.cannot_share,
         p.due, concat_ws(' ', p.first_name, p.middle_names, p.last_name) AS name,
         date_part('year', age(current_date, p.dob))::int AS age
  FROM bench_gen.pp AS p
  WHERE p.left_on IS NULL
    AND p.case_id IN (SELECT case_id FROM bench_gen.st WHERE type_code = 'bedroom_assessment')
), r AS (
  SELECT m.*,
         rel = 'Carer' AND role <> 'primary' AS carer,
         CASE WHEN rel = 'Carer' AND role <> 'primary' THEN NULL
              WHEN role = 'primary' OR role = 'partner' AND partner_pid IS NOT NULL THEN 'a'
              WHEN age >= 16 OR cannot_share THEN 'b' || person_id
              ELSE 'c' || (row_number() OVER (
                PARTITION BY case_id, role IN ('child', 'adult') AND age < 16 AND NOT cannot_share
                ORDER BY dob DESC, person_id) - 1) / 2
         END AS room
  FROM m
), rooms AS (
  SELECT case_id, room, json_agg(person_id::text ORDER BY dob, person_id) AS occupants,
         count(*) AS n, bool_or(cannot_share) AS cs
  FROM r WHERE room IS NOT NULL GROUP BY case_id, room
), need AS (
  SELECT case_id, count(*)::int AS bedrooms,
         json_agg(json_build_object('occupants', occupants, 'reason',
           CASE WHEN room = 'a' AND n = 2 THEN 'couple'
                WHEN room LIKE 'c%%' AND n = 2 THEN 'two children sharing'
                WHEN room LIKE 'c%%' THEN 'child with no one to share with'
                WHEN cs THEN 'child who cannot share because of a disability'
                ELSE 'person aged 16 or over' END) ORDER BY room) AS rooms
  FROM rooms GROUP BY case_id
), snap AS (
  SELECT case_id, json_agg(json_build_object(
           'id', person_id::text, 'person_id', person_id, 'name', name,
           'born', bench_gen.iso(dob), 'sex', sex, 'relationship', rel,
           'partner', CASE WHEN room = 'a' AND partner_pid IS NOT NULL THEN partner_pid::text END,
           'counted', NOT carer,
           'flags', CASE WHEN carer THEN json_build_object('overnight_carer', true)
                         ELSE json_build_object('cannot_share', cannot_share,
                                                'pregnant', due IS NOT NULL,
                                                'due', bench_gen.iso(due)) END)
           ORDER BY role <> 'primary', person_id) AS snapshot
  FROM r GROUP BY case_id
)
SELECT need.case_id, need.bedrooms, need.rooms, snap.snapshot
FROM need JOIN snap USING (case_id)
""",
)

VERSIONS = Step(
    "bedroom assessment versions",
    "bedroom_assessment_version",
    """
INSERT INTO bedroom_assessment_version (strand_id, number, calculated_at, assessed_on, policy,
    bedrooms, result, cause, cause_detail, cause_ref, override_bedrooms, override_reason,
    officer_id, household_snapshot)
SELECT ba.strand_id, v, least(now(), on_day + interval '9 hours'), on_day, 'size-criteria',
       n.bedrooms,
       json_build_object('bedrooms', n.bedrooms, 'policy', 'size-criteria',
                         'on', bench_gen.iso(on_day), 'rooms', n.rooms, 'notes', json_build_array(),
                         'capped_from', NULL, 'local', NULL),
       cause,
       CASE cause WHEN 'application' THEN bench_gen.ref('Housing Register application HR',
                                                        hr.strand_id) || ' opened'
         WHEN 'household_change' THEN 'Household changes recorded by the officer'
         WHEN 'birthday' THEN 'A member of the household reached an age that changes the need'
         WHEN 'override' THEN 'Officer override'
         ELSE 'Recalculated by the officer' END,
       NULL,
       CASE WHEN cause = 'override' THEN n.bedrooms + 1 END,
       CASE WHEN cause = 'override'
            THEN 'Medical evidence: a separate room is needed for equipment.' END,
       hr.by_id, n.snapshot
FROM bench_gen.st AS ba
JOIN bench_gen.st AS hr ON hr.case_id = ba.case_id AND hr.type_code = 'housing_register'
JOIN bench_gen.need AS n ON n.case_id = ba.case_id,
LATERAL generate_series(1, CASE WHEN ba.r < 0.5 THEN 1 WHEN ba.r < 0.8 THEN 2
                               WHEN ba.r < 0.95 THEN 3 ELSE 4 END) AS v,
LATERAL (SELECT ba.created_at::date + floor((current_date - ba.created_at::date) * (v - 1)
                  / (CASE WHEN ba.r < 0.5 THEN 1 WHEN ba.r < 0.8 THEN 2
                          WHEN ba.r < 0.95 THEN 3 ELSE 4 END))::int AS on_day,
                CASE WHEN v = 1 THEN 'application'
                     WHEN ba.r > 0.97 AND v = 4 THEN 'override'
                     WHEN mod(ba.strand_id + v, 10) < 5 THEN 'household_change'
                     WHEN mod(ba.strand_id + v, 10) < 7 THEN 'birthday'
                     ELSE 'officer_recalculation' END AS cause) AS w
WHERE ba.type_code = 'bedroom_assessment'
""",
)

REFERRALS = Step(
    "referrals",
    "referral",
    """
INSERT INTO referral (strand_id, person_id, is_self_referral, org_type, org_name, referrer_name,
    referrer_role, referrer_email, referrer_phone, first_name, last_name, date_of_birth, email,
    phone, preferred_contact, housing_situation, address_line_1, address_line_2, town, postcode,
    safe_tonight, reason, leaving_date, household, support_needs, consent_to_referral,
    consent_to_share, fingerprint, submitted_at, outcome)
SELECT s.strand_id, p.person_id, self,
       CASE WHEN NOT self THEN org[1] END, CASE WHEN NOT self THEN org[2] END,
       CASE WHEN NOT self THEN bench_gen.pick(bench_gen.first_f(), s.r) || ' '
                               || bench_gen.pick(bench_gen.surnames(), 1 - s.r) END,
       CASE WHEN NOT self THEN 'Support worker' END,
       CASE WHEN NOT self THEN 'referrals.' || s.strand_id || '@partner.example' END,
       NULL, p.first_name, p.last_name, p.dob,
       bench_gen.email_of(p.first_name, p.last_name, p.person_id),
       '07700 9' || lpad(mod(p.person_id, 100000)::text, 5, '0'),
       CASE WHEN s.r < 0.5 THEN 'Phone' WHEN s.r < 0.8 THEN 'Text message' ELSE 'Email' END,
       CASE WHEN s.r < 0.75 THEN 'address' WHEN s.r < 0.9 THEN 'no_fixed_address'
            ELSE 'sleeping_rough' END,
       CASE WHEN s.r < 0.75 THEN h.line_1 END, NULL, CASE WHEN s.r < 0.75 THEN h.town END,
       CASE WHEN s.r < 0.75 THEN h.postcode END,
       CASE WHEN s.r < 0.6 THEN 'yes' WHEN s.r < 0.85 THEN 'no' ELSE 'not_known' END,
       bench_gen.pick(bench_gen.referral_reasons(), s.r),
       CASE WHEN org[1] IN ('prison', 'hospital_inpatient') THEN s.created_at::date + 14 END,
       '[]'::json, NULL, true, true,
       md5('referral' || s.strand_id) || md5('person' || p.person_id), s.created_at,
       CASE WHEN s.status = 'Closed' THEN 'Advice and information given' END
FROM bench_gen.st AS s
JOIN bench_gen.hh AS h ON h.case_id = s.case_id
JOIN bench_gen.pp AS p ON p.case_id = s.case_id AND p.k = 0,
LATERAL (SELECT (s.data ->> 'self_referral')::boolean AS self,
                ARRAY[bench_gen.pick(bench_gen.org_types(), s.r),
                      bench_gen.pick(bench_gen.org_names(), s.r)] AS org) AS x
WHERE s.type_code = 'homeless_referral'
""",
)

STRAND_MOVES = Step(
    "referral status moves",
    "strand_move",
    """
INSERT INTO strand_move (strand_id, from_status, to_status, reason, reopens, strand_version,
                         actor_kind, actor_user_id, actor_label, moved_at)
SELECT s.strand_id, s.initial_status, s.status, NULL, false, 2, 'officer', u.id, u.name,
       least(now(), s.created_at + (now() - s.created_at) * 0.3)
FROM bench_gen.st AS s
JOIN bench_gen.hh AS h ON h.case_id = s.case_id
JOIN user_account AS u ON u.id = h.officer_id
WHERE s.type_code = 'homeless_referral' AND s.status <> s.initial_status
""",
)

STEPS = [STRANDS_STAGING, STRANDS, NEED, VERSIONS, REFERRALS, STRAND_MOVES]
