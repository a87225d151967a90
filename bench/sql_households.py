"""The generator's SQL, part 1: teams, officers, households, people, addresses and accounts.

Everything is set-based (INSERT … SELECT over generate_series). Random choices made once are kept
in UNLOGGED staging tables in the schema `bench_gen` (dropped at the end), so that the case,
its people, their addresses and later their changes agree with each other:

- `bench_gen.hh`: one row per case (size of the household, dates, team, address, shape);
- `bench_gen.pp`: one row per person (their role in the household, sex, birth, joined, left,
  partner); person ids are allocated contiguously per case (`hh.first_pid + k`), and each person
  has exactly one `case_person` row with the same id;
- `bench_gen.chg_case`: the active cases that changes are reported on (their primary applicants
  get portal accounts).

Parameters (psycopg named parameters): cases, officers, teams_with_cases, change_cases,
password_hash. Use mod() rather than the percent operator (it is the parameter marker).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One statement of the generator; `table` is the table it fills (None: staging only)."""

    label: str
    table: str | None
    sql: str

    @property
    def analyze(self) -> str:
        """The table to ANALYZE after the step: the one it fills or the staging one it makes."""
        if self.table is not None:
            return self.table
        words = self.sql.split()
        return words[words.index("TABLE" if "TABLE" in words else "ON") + 1]


FUNCTIONS = """
CREATE FUNCTION bench_gen.pick(words text[], r float8) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT words[1 + floor(r * cardinality(words))::int] $$;

CREATE FUNCTION bench_gen.skew(words text[], r float8) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT words[1 + floor(r * r * cardinality(words))::int] $$;

-- Half the names from the lists (skewed: a few very common), half put together from parts (a
-- long tail): r picks the half, then the stem, and what is left of it the ending.
CREATE FUNCTION bench_gen.compose(starts text[], ends text[], r float8) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT starts[1 + floor(r * cardinality(starts))::int]
          || ends[1 + floor((r * cardinality(starts) - floor(r * cardinality(starts)))
                            * cardinality(ends))::int] $$;

CREATE FUNCTION bench_gen.a_surname(r float8) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN r < 0.5 THEN bench_gen.skew(bench_gen.surnames(), r * 2)
               ELSE bench_gen.compose(bench_gen.surname_stems(), bench_gen.surname_ends(),
                                      (r - 0.5) * 2) END $$;

CREATE FUNCTION bench_gen.a_first_f(r float8) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN r < 0.5 THEN bench_gen.skew(bench_gen.first_f(), r * 2)
               ELSE bench_gen.compose(bench_gen.first_starts(), bench_gen.first_ends_f(),
                                      (r - 0.5) * 2) END $$;

CREATE FUNCTION bench_gen.a_first_m(r float8) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN r < 0.5 THEN bench_gen.skew(bench_gen.first_m(), r * 2)
               ELSE bench_gen.compose(bench_gen.first_starts(), bench_gen.first_ends_m(),
                                      (r - 0.5) * 2) END $$;

CREATE FUNCTION bench_gen.long_date(d date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT to_char(d, 'FMDD FMMonth YYYY') $$;

CREATE FUNCTION bench_gen.iso(d date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT to_char(d, 'YYYY-MM-DD') $$;

CREATE FUNCTION bench_gen.ref(prefix text, id bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT prefix || '-' || lpad(id::text, 6, '0') $$;

-- A person's search key, as domain.identity.search_name makes it (accents folded, apostrophes
-- dropped, other punctuation between words).
CREATE FUNCTION bench_gen.search_name(parts text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT btrim(regexp_replace(regexp_replace(
       lower(translate(parts, bench_gen.fold_from(), bench_gen.fold_to())),
       '[''’‘`]', '', 'g'), '[^a-z0-9]+', ' ', 'g')) $$;

CREATE FUNCTION bench_gen.postcode(x bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT 'NB' || (1 + mod(x, 9)) || ' ' || mod(x / 9, 10)
       || substr(bench_gen.letters(), 1 + mod(x / 90, 20)::int, 1)
       || substr(bench_gen.letters(), 1 + mod(x / 1800, 20)::int, 1) $$;

CREATE FUNCTION bench_gen.email_of(first text, last text, id bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT lower(regexp_replace(first || '.' || last, '[^A-Za-z.]', '', 'g'))
       || '.' || id || '@example.com' $$;

-- What a relationship becomes in a "relationship changed" report (always a different value).
CREATE FUNCTION bench_gen.next_relationship(rel text, sex text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE rel
     WHEN 'Partner' THEN 'Spouse' WHEN 'Spouse' THEN 'Partner' WHEN 'Civil partner' THEN 'Spouse'
     WHEN 'Son' THEN 'Stepchild' WHEN 'Daughter' THEN 'Stepchild'
     WHEN 'Stepchild' THEN CASE WHEN sex = 'F' THEN 'Daughter' ELSE 'Son' END
     WHEN 'Grandchild' THEN 'Other relative' WHEN 'Foster child' THEN 'Other relative'
     WHEN 'Parent' THEN 'Grandparent' WHEN 'Grandparent' THEN 'Parent'
     WHEN 'Brother' THEN 'Other relative' WHEN 'Sister' THEN 'Other relative'
     WHEN 'Other relative' THEN 'Other' WHEN 'Friend or lodger' THEN 'Other'
     WHEN 'Other' THEN 'Friend or lodger' ELSE 'Other relative' END $$;
"""

TEAMS = Step(
    "teams",
    "team",
    """
INSERT INTO team (id, name, allows_cases, active)
SELECT n, name, n <= %(teams_with_cases)s, true
FROM unnest(bench_gen.teams()) WITH ORDINALITY AS t(name, n)
""",
)

# Officers 1-8 lead teams and hold every permission but Admin (officer 1 has Admin too); then a
# repeating pattern of reviewers (Queue), assessors, reception and caseworkers.
OFFICERS = Step(
    "officers",
    "user_account",
    """
INSERT INTO user_account (id, email, name, active, password_hash, team_id, created_at,
                          last_sign_in_at, version)
SELECT i, bench_gen.email_of(f, l, i) , f || ' ' || l, true, %(password_hash)s,
       CASE WHEN i <= 8 THEN i ELSE 1 + mod(i, %(teams)s) END,
       now() - interval '2000 days' + i * interval '1 day', now() - mod(i, 30) * interval '1 day', 1
FROM (
  SELECT i,
         CASE WHEN mod(i, 2) = 0 THEN bench_gen.pick(bench_gen.first_f(), mod(i * 0.618034, 1))
              ELSE bench_gen.pick(bench_gen.first_m(), mod(i * 0.618034, 1)) END AS f,
         bench_gen.pick(bench_gen.surnames(), mod(i * 0.414214, 1)) AS l
  FROM generate_series(1, %(officers)s) AS i
) AS o
""",
)

PERMISSIONS = Step(
    "officer permissions",
    "user_permission",
    """
INSERT INTO user_permission (user_id, permission)
SELECT i, p
FROM generate_series(1, %(officers)s) AS i,
LATERAL unnest(CASE
  WHEN i = 1 THEN ARRAY['Admin', 'People', 'Cases', 'Queue', 'Cases: bedroom assessments',
                        'Move strands', 'Export']
  WHEN i <= 8 THEN ARRAY['People', 'Cases', 'Queue', 'Cases: bedroom assessments',
                         'Move strands', 'Export']
  WHEN mod(i, 10) IN (0, 1, 2, 3) THEN ARRAY['Queue', 'People', 'Cases']
  WHEN mod(i, 10) = 4 THEN ARRAY['People', 'Cases', 'Cases: bedroom assessments']
  WHEN mod(i, 10) = 5 THEN ARRAY['People']
  ELSE ARRAY['People', 'Cases'] END) AS p
""",
)

# One row per case. Household sizes 1-7 (mean ~2.5, people who left included).
HOUSEHOLDS = Step(
    "households (staging)",
    None,
    """
CREATE UNLOGGED TABLE bench_gen.hh AS
WITH r AS (
  SELECT c AS case_id,
         random() AS r_size, random() AS r_created, random() AS r_status, random() AS r_team,
         random() AS r_partner, random() AS r_pleft, random() AS r_sex, random() AS r_age,
         random() AS r_dob, random() AS r_surname, random() AS r_addr, random() AS r_street,
         random() AS r_town, random() AS r_pc, random() AS r_past, random() AS r_hr,
         random() AS r_ref, random() AS r_ha, random() AS r_other, random() AS r_officer,
         random() AS r_acct, random() AS r_addr_from, random() AS r_summary, random() AS r_extra
  FROM generate_series(1, %(cases)s) AS c
), s AS (
  SELECT r.*,
         CASE WHEN r_size < 0.35 THEN 1 WHEN r_size < 0.57 THEN 2 WHEN r_size < 0.74 THEN 3
              WHEN r_size < 0.87 THEN 4 WHEN r_size < 0.95 THEN 5 WHEN r_size < 0.985 THEN 6
              ELSE 7 END AS size,
         now() - (r_created ^ 1.5) * interval '2190 days' - interval '2 days' AS created_at,
         (18 + floor((r_age ^ 1.3) * 64))::int AS primary_age
  FROM r
)
SELECT case_id, size,
       (sum(size) OVER (ORDER BY case_id ROWS UNBOUNDED PRECEDING) - size + 1)::int AS first_pid,
       created_at, created_at::date AS opened_on,
       CASE WHEN r_status < 0.12 THEN 'Closed' ELSE 'Active' END AS status,
       CASE WHEN r_status < 0.12
            THEN created_at + (now() - created_at) * (0.3 + 0.6 * r_status / 0.12) END AS closed_at,
       CASE WHEN r_team < 0.03 THEN NULL
            ELSE 1 + floor((r_team ^ 1.4) * %(teams_with_cases)s)::int END AS team_id,
       size >= 2 AND r_partner < 0.6 AS has_partner,
       size >= 2 AND r_partner < 0.6 AND r_pleft < 0.08 AS partner_left,
       CASE WHEN r_sex < 0.56 THEN 'F' WHEN r_sex < 0.98 THEN 'M' ELSE 'X' END AS primary_sex,
       primary_age,
       current_date - (primary_age * 365.25 + r_dob * 360)::int AS primary_dob,
       bench_gen.a_surname(r_surname) AS surname,
       CASE WHEN r_addr < 0.25
            THEN 'Flat ' || (1 + floor(r_addr * 4 * 60)) || ', '
                 || bench_gen.pick(bench_gen.courts(), r_street)
            ELSE (1 + floor(r_addr * 220)) || ' ' || bench_gen.pick(bench_gen.streets(), r_street)
       END AS line_1,
       bench_gen.pick(bench_gen.towns(), r_town) AS town,
       bench_gen.postcode(floor(r_pc * 360000)::bigint) AS postcode,
       created_at::date - (r_addr_from * 1800)::int AS addr_from,
       r_past < 0.3 AS has_past_address,
       (1 + floor(r_past * 900)) || ' ' || bench_gen.pick(bench_gen.streets(), r_pc) AS past_line_1,
       bench_gen.postcode(floor(r_past * 360000)::bigint + 7) AS past_postcode,
       r_hr, r_ref, r_ha, r_other, r_acct, r_summary, r_extra,
       9 + floor(r_officer * (%(officers)s - 8))::int AS officer_id
FROM s
""",
)

# One row per person. k = 0 is the primary applicant; k = 1 the partner when there is one.
PEOPLE = Step(
    "people (staging)",
    None,
    """
CREATE UNLOGGED TABLE bench_gen.pp AS
WITH m AS (
  SELECT h.case_id, h.first_pid, h.opened_on, h.has_partner, h.partner_left, h.primary_sex,
         h.primary_age, h.primary_dob, h.surname, h.created_at, k,
         random() AS q_role, random() AS q_sex, random() AS q_age, random() AS q_rel,
         random() AS q_join, random() AS q_left, random() AS q_when, random() AS q_first,
         random() AS q_last, random() AS q_mid, random() AS q_flag, random() AS q_contact
  FROM bench_gen.hh AS h, generate_series(0, h.size - 1) AS k
), a AS (
  SELECT m.*,
         CASE WHEN k = 0 THEN 'primary' WHEN k = 1 AND has_partner THEN 'partner'
              WHEN q_role < 0.8 THEN 'child' ELSE 'adult' END AS role
  FROM m
), b AS (
  SELECT a.*,
         CASE role
           WHEN 'primary' THEN primary_sex
           WHEN 'partner' THEN CASE WHEN q_sex < 0.93 AND primary_sex = 'F' THEN 'M'
                                    WHEN q_sex < 0.93 THEN 'F'
                                    WHEN primary_sex = 'X' THEN 'M' ELSE primary_sex END
           ELSE CASE WHEN q_sex < 0.49 THEN 'F' WHEN q_sex < 0.995 THEN 'M' ELSE 'X' END
         END AS sex
  FROM a
), c AS (
  SELECT b.*,
         CASE role
           WHEN 'primary' THEN 'Self'
           WHEN 'partner' THEN CASE WHEN q_rel < 0.55 THEN 'Partner' WHEN q_rel < 0.95 THEN 'Spouse'
                                    ELSE 'Civil partner' END
           WHEN 'child' THEN CASE WHEN q_rel < 0.86 AND sex = 'F' THEN 'Daughter'
                                  WHEN q_rel < 0.86 AND sex = 'M' THEN 'Son'
                                  WHEN q_rel < 0.92 THEN 'Stepchild'
                                  WHEN q_rel < 0.96 THEN 'Grandchild' ELSE 'Foster child' END
           ELSE CASE WHEN q_rel < 0.22 THEN 'Parent' WHEN q_rel < 0.28 THEN 'Grandparent'
                     WHEN q_rel < 0.45 AND sex = 'F' THEN 'Sister'
                     WHEN q_rel < 0.45 THEN 'Brother'
                     WHEN q_rel < 0.65 THEN 'Other relative'
                     WHEN q_rel < 0.88 THEN 'Friend or lodger'
                     WHEN q_rel < 0.95 THEN 'Other' ELSE 'Carer' END
         END AS rel
  FROM b
), d AS (
  SELECT c.*,
         CASE
           WHEN role = 'primary' THEN primary_dob
           WHEN role = 'partner' THEN least(primary_dob + ((q_age * 14 - 7) * 365.25)::int,
                                            current_date - 6575)
           WHEN role = 'child' THEN current_date
                - (q_age * least(24, primary_age - 17) * 365.25)::int
           WHEN rel = 'Parent' THEN greatest(primary_dob - ((20 + q_age * 15) * 365.25)::int,
                                             current_date - 36500)
           WHEN rel = 'Grandparent' THEN greatest(primary_dob - ((40 + q_age * 10) * 365.25)::int,
                                                  current_date - 36500)
           WHEN rel IN ('Brother', 'Sister')
             THEN least(primary_dob + ((q_age * 16 - 8) * 365.25)::int, current_date - 5844)
           ELSE current_date - ((18 + q_age * 55) * 365.25)::int
         END AS dob
  FROM c
), e AS (
  SELECT d.*,
         CASE WHEN role = 'child' AND dob > opened_on THEN dob
              WHEN role <> 'primary' AND q_join < 0.1
              THEN opened_on + floor(q_join * 10 * (current_date - opened_on))::int
              ELSE opened_on END AS joined
  FROM d
)
SELECT first_pid + k AS person_id, case_id, k, role, sex, rel, dob, joined,
       CASE WHEN role = 'partner' AND partner_left
              OR role IN ('child', 'adult') AND q_left < 0.07
            THEN joined + floor(q_when * (current_date - joined))::int END AS left_on,
       CASE WHEN role = 'primary' AND has_partner AND NOT partner_left THEN first_pid + 1
            WHEN role = 'partner' AND NOT partner_left THEN first_pid END AS partner_pid,
       role = 'partner' AND NOT partner_left AS joint,
       CASE WHEN dob > current_date - 6575 AND (sex = 'F' OR sex = 'X' AND q_first < 0.5)
              THEN bench_gen.skew(bench_gen.kids_f(), q_first)
            WHEN dob > current_date - 6575 THEN bench_gen.skew(bench_gen.kids_m(), q_first)
            WHEN sex = 'F' OR sex = 'X' AND q_first < 0.5
              THEN bench_gen.a_first_f(q_first)
            ELSE bench_gen.a_first_m(q_first) END AS first_name,
       CASE WHEN q_mid < 0.15 AND sex = 'F' THEN bench_gen.pick(bench_gen.first_f(), q_mid * 6)
            WHEN q_mid < 0.15 THEN bench_gen.pick(bench_gen.first_m(), q_mid * 6) END
         AS middle_names,
       CASE WHEN role IN ('primary', 'child')
              OR rel IN ('Parent', 'Grandparent', 'Brother', 'Sister')
              OR role = 'partner' AND q_last >= 0.3 THEN surname
            ELSE bench_gen.a_surname(q_last) END AS last_name,
       q_contact, q_flag, q_mid,
       q_flag < 0.02 AS cannot_share,
       CASE WHEN sex = 'F' AND q_flag BETWEEN 0.02 AND 0.035 AND role <> 'child'
             AND dob BETWEEN current_date - 15340 AND current_date - 6575
            THEN current_date + (14 + q_contact * 230)::int END AS due,
       least(now(), created_at + (joined - opened_on) * interval '1 day' + interval '5 minutes')
         AS created_at
FROM e
""",
)

PEOPLE_INDEX = Step("people (staging index)", None, "CREATE INDEX ON bench_gen.pp (case_id, k)")

CHANGE_CASES = Step(
    "change cases (staging)",
    None,
    """
CREATE UNLOGGED TABLE bench_gen.chg_case AS
SELECT (row_number() OVER () - 1)::int AS slot, case_id
FROM (SELECT case_id FROM bench_gen.hh WHERE status = 'Active'
      ORDER BY random() LIMIT %(change_cases)s) AS x
""",
)

CASES = Step(
    "cases",
    "housing_case",
    """
INSERT INTO housing_case (id, status, responsible_team_id, summary, created_by_id,
                          created_by_kind, created_at, closed_at, version, applicant_sort)
SELECT hh.case_id, status, team_id,
       CASE WHEN r_summary < 0.3
            THEN bench_gen.pick(bench_gen.case_summaries(), r_summary / 0.3) END,
       officer_id, 'officer', hh.created_at, closed_at, 1,
       lower(pp.last_name || ', ' || pp.first_name)  -- as domain.models keeps it
FROM bench_gen.hh JOIN bench_gen.pp ON pp.case_id = hh.case_id AND pp.k = 0
""",
)

PERSONS = Step(
    "people",
    "person",
    """
INSERT INTO person (id, title, first_name, middle_names, last_name, date_of_birth, sex, email,
                    phone, preferred_contact, ni_number, cannot_share_bedroom,
                    pregnancy_due_date, created_at, updated_at, version, search_name, phone_key)
SELECT person_id,
       CASE WHEN role IN ('primary', 'partner') AND q_mid > 0.6
            THEN CASE sex WHEN 'F' THEN 'Ms' WHEN 'M' THEN 'Mr' ELSE 'Mx' END END,
       first_name, middle_names, last_name, dob, sex,
       CASE WHEN role = 'primary' OR role = 'partner' AND q_contact < 0.5
              OR role = 'adult' AND q_contact < 0.2
            THEN bench_gen.email_of(first_name, last_name, person_id) END,
       CASE WHEN role = 'primary' AND q_flag > 0.05 OR role IN ('partner', 'adult') AND q_flag > 0.4
            THEN '07700 9' || lpad(mod(person_id, 100000)::text, 5, '0') END,
       CASE WHEN role <> 'primary' THEN NULL
            WHEN q_contact < 0.4 THEN 'Email'
            WHEN q_contact < 0.7 AND q_flag > 0.05 THEN 'Text message'
            WHEN q_contact < 0.9 AND q_flag > 0.05 THEN 'Phone' ELSE 'Letter' END,
       CASE WHEN dob < current_date - 6575 AND q_mid > 0.5
            THEN 'QQ' || lpad(mod(person_id, 1000000)::text, 6, '0') || 'C' END,
       cannot_share, due, created_at, created_at, 1,
       bench_gen.search_name(concat_ws(' ', first_name, middle_names, last_name)),
       CASE WHEN role = 'primary' AND q_flag > 0.05 OR role IN ('partner', 'adult') AND q_flag > 0.4
            THEN '077009' || lpad(mod(person_id, 100000)::text, 5, '0') END
FROM bench_gen.pp
""",
)

HOUSEHOLD_LINKS = Step(
    "household members",
    "case_person",
    """
INSERT INTO case_person (id, case_id, person_id, is_primary, joint_applicant,
                         relationship_to_primary, partner_person_id, date_joined, date_left,
                         version)
SELECT person_id, case_id, person_id, k = 0, joint, rel, partner_pid, joined, left_on, 1
FROM bench_gen.pp
""",
)

CURRENT_ADDRESSES = Step(
    "current addresses",
    "address",
    """
INSERT INTO address (person_id, line_1, line_2, town, postcode, date_from, date_to)
SELECT p.person_id,
       CASE WHEN p.left_on IS NULL THEN h.line_1
            ELSE (1 + mod(p.person_id::bigint * 7919, 240)) || ' '
                 || bench_gen.pick(bench_gen.streets(), p.q_flag) END,
       NULL,
       CASE WHEN p.left_on IS NULL THEN h.town ELSE bench_gen.pick(bench_gen.towns(), p.q_mid) END,
       CASE WHEN p.left_on IS NULL THEN h.postcode
            ELSE bench_gen.postcode(p.person_id::bigint * 104729) END,
       CASE WHEN p.left_on IS NULL THEN greatest(h.addr_from, p.joined) ELSE p.left_on END,
       NULL
FROM bench_gen.pp AS p JOIN bench_gen.hh AS h USING (case_id)
""",
)

PAST_ADDRESSES = Step(
    "past addresses",
    "address",
    """
INSERT INTO address (person_id, line_1, line_2, town, postcode, date_from, date_to)
SELECT h.first_pid, h.past_line_1, NULL, 'Northbridge', h.past_postcode,
       h.addr_from - (365 + h.r_extra * 2500)::int, h.addr_from
FROM bench_gen.hh AS h WHERE h.has_past_address
UNION ALL
SELECT p.person_id, h.line_1, NULL, h.town, h.postcode, greatest(h.addr_from, p.joined), p.left_on
FROM bench_gen.pp AS p JOIN bench_gen.hh AS h USING (case_id)
WHERE p.left_on IS NOT NULL AND p.left_on > greatest(h.addr_from, p.joined)
""",
)

# Primary applicants of the cases changes are reported on, and some others; a few accounts not
# linked to anyone yet (signed up, never linked a case) and a few never confirmed.
ACCOUNTS = Step(
    "portal accounts",
    "portal_account",
    """
INSERT INTO portal_account (email, password_hash, email_verified_at, person_id, external_subject,
                            active, created_at, last_sign_in_at, version)
SELECT bench_gen.email_of(p.first_name, p.last_name, p.person_id), %(password_hash)s,
       h.created_at + interval '1 day', p.person_id, NULL, true, h.created_at + interval '1 day',
       now() - h.r_acct * interval '200 days', 1
FROM bench_gen.hh AS h JOIN bench_gen.pp AS p ON p.case_id = h.case_id AND p.k = 0
WHERE h.case_id IN (SELECT case_id FROM bench_gen.chg_case)
   OR h.status = 'Active' AND h.r_acct < 0.3 OR h.status = 'Closed' AND h.r_acct < 0.15
UNION ALL
SELECT 'new.applicant.' || i || '@example.com', %(password_hash)s,
       CASE WHEN mod(i, 4) <> 0 THEN now() - i * interval '1 minute' END, NULL, NULL, true,
       now() - i * interval '1 minute', NULL, 1
FROM generate_series(1, greatest(1, %(cases)s / 100)) AS i
""",
)

CASE_OFFICERS = Step(
    "case officers",
    "case_officer",
    """
INSERT INTO case_officer (case_id, user_id, role, assigned_at, case_team_id, case_active,
                          applicant_sort)
SELECT hh.case_id, hh.officer_id, 'Primary', least(now(), hh.created_at + interval '1 hour'),
       hh.team_id, hh.status = 'Active',  -- the case's, as domain.kept_copies keeps them
       lower(pp.last_name || ', ' || pp.first_name)
FROM bench_gen.hh JOIN bench_gen.pp ON pp.case_id = hh.case_id AND pp.k = 0
WHERE hh.r_extra < 0.88
UNION ALL
SELECT hh.case_id, 1 + mod(hh.case_id, 8), 'Supervisor',
       least(now(), hh.created_at + interval '2 days'), hh.team_id, hh.status = 'Active',
       lower(pp.last_name || ', ' || pp.first_name)
FROM bench_gen.hh JOIN bench_gen.pp ON pp.case_id = hh.case_id AND pp.k = 0
WHERE hh.r_summary > 0.85
""",
)

STEPS = [
    TEAMS,
    OFFICERS,
    PERMISSIONS,
    HOUSEHOLDS,
    PEOPLE,
    PEOPLE_INDEX,
    CHANGE_CASES,
    CASES,
    PERSONS,
    HOUSEHOLD_LINKS,
    CURRENT_ADDRESSES,
    PAST_ADDRESSES,
    ACCOUNTS,
    CASE_OFFICERS,
]
