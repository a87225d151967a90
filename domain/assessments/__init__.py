"""Bedroom assessments: the bedroom need of a case's household, stored as numbered versions.

A case has at most one open *Bedroom assessment* strand (see :mod:`domain.strands`). Each
calculation is a new :class:`BedroomAssessmentVersion` (1, 2, 3… per strand) holding the
calculator's result (:func:`domain.bedrooms.assess`), the council's policy at the time, the
cause, and a snapshot of the people counted, so its explanation can name them even after they
leave. History records every version in the same transaction.

Decisions, so they are written down once:

* **Who is counted.** The household on the assessment date (:func:`domain.household.members_on`).
  A member whose relationship to the primary applicant is "Carer" is treated as the household's
  overnight carer: not an occupant, and the calculation is asked for an overnight carer's room
  (which the size criteria and, if it allows, the local policy give). Everyone counted must
  have a date of birth; otherwise :class:`MissingDateOfBirth` names them.
* **Couples.** From `CasePerson.partner_person_id`, only when the partner is counted too and the
  link is recorded both ways. Otherwise the person is counted as single and the result carries
  a note saying why, so the officer can correct the record.
* **Pregnancy.** A member with a due date is pregnant until two weeks after it
  (:data:`PREGNANCY_GRACE`); after that the baby should have been added as a member.
* **Foster carers** are a flag on the assessment strand: ``strand.data["foster_carer"]``.
* **When a version is stored.** Always for the first calculation, for officer actions
  (officer recalculation, override, clearing an override) and for a policy change. For the
  automatic causes (household change, birthday, pregnancy) only when the result differs from
  the latest version: a different number of bedrooms or different rooms. Otherwise
  :func:`recalculate` stores nothing and returns None.
* **Overrides** are carried forward: a new calculation keeps the latest override (and its
  reason) so the officer's decision stands until they clear it; the calculated value is always
  stored and shown alongside. An automatic recalculation that moves the calculated value while
  an override is in place raises the review flag.
* **The review flag.** When a background recalculation (daily thresholds, policy change)
  changes the need, or cannot be done, ``strand.data["flag"]`` is set to
  ``{"reason", "raised_on", "cause"}`` (a later flag replaces an earlier one; history keeps
  both) and a "bedroom.need_changed" / "bedroom.recalculation_failed" history event is written.
  :func:`clear_flag` removes it.
* **Daily job.** "bedrooms.daily" for a date recalculates the cases where, on that date, a
  counted member reaches an age where the rules change (10, 16 and 21, and a local policy's own
  ages), a pregnancy reaches its due date, passes the two weeks' grace, or reaches the week from
  which a local policy counts it, or a member's recorded date joined or left falls. Each job
  queues the next day's (one per day, by its dedupe key), so a stopped worker catches up on
  the days it missed. Something must queue the first one: :func:`schedule_daily`.
"""

from __future__ import annotations

from domain.assessments.daily import (
    Trigger,
    birth_dates_turning,
    due_date_reaching_week,
    find_daily_triggers,
    find_threshold_crossings,
    recalculate_for_policy,
    run_daily_job,
    run_daily_recalculation,
    run_policy_change_job,
    schedule_daily,
    threshold_ages,
)
from domain.assessments.inputs import (
    HouseholdInput,
    household_for,
    household_of,
    is_carer,
    is_pregnant_on,
    occupants_for,
)
from domain.assessments.model import (
    APPLICATION,
    AUTOMATIC_CAUSES,
    BEDROOM_LOCAL_POLICY_KEY,
    BEDROOM_POLICY_KEY,
    BIRTHDAY,
    CARER_RELATIONSHIP,
    CAUSE_LABELS,
    CAUSES,
    DAILY_JOB,
    DEFAULT_POLICY,
    HOUSEHOLD_CHANGE,
    MAX_OVERRIDE_BEDROOMS,
    OFFICER_RECALCULATION,
    OVERRIDE,
    POLICY_CHANGE,
    POLICY_CHANGE_JOB,
    POLICY_NAMES,
    PREGNANCY_DUE,
    PREGNANCY_GRACE,
    THRESHOLD_AGES,
    BedroomAssessmentVersion,
    Cause,
    MissingDateOfBirth,
)
from domain.assessments.policy import (
    bedroom_policy,
    choose_bedroom_policy,
)
from domain.assessments.service import (
    NO_ASSESSMENT,
    assessment_history,
    clear_case_override,
    clear_flag,
    clear_override,
    current_assessment,
    latest_version,
    open_bedroom_assessment,
    override_need,
    preview_need,
    recalculate,
    recalculate_by_officer,
    record_override,
    set_case_foster_carer,
    set_foster_carer,
)

__all__ = [
    "APPLICATION",
    "AUTOMATIC_CAUSES",
    "BEDROOM_LOCAL_POLICY_KEY",
    "BEDROOM_POLICY_KEY",
    "BIRTHDAY",
    "CARER_RELATIONSHIP",
    "CAUSES",
    "CAUSE_LABELS",
    "DAILY_JOB",
    "DEFAULT_POLICY",
    "HOUSEHOLD_CHANGE",
    "MAX_OVERRIDE_BEDROOMS",
    "NO_ASSESSMENT",
    "OFFICER_RECALCULATION",
    "OVERRIDE",
    "POLICY_CHANGE",
    "POLICY_CHANGE_JOB",
    "POLICY_NAMES",
    "PREGNANCY_DUE",
    "PREGNANCY_GRACE",
    "THRESHOLD_AGES",
    "BedroomAssessmentVersion",
    "Cause",
    "HouseholdInput",
    "MissingDateOfBirth",
    "Trigger",
    "assessment_history",
    "bedroom_policy",
    "birth_dates_turning",
    "choose_bedroom_policy",
    "clear_case_override",
    "clear_flag",
    "clear_override",
    "current_assessment",
    "due_date_reaching_week",
    "find_daily_triggers",
    "find_threshold_crossings",
    "household_for",
    "household_of",
    "is_carer",
    "is_pregnant_on",
    "latest_version",
    "occupants_for",
    "open_bedroom_assessment",
    "override_need",
    "preview_need",
    "recalculate",
    "recalculate_by_officer",
    "recalculate_for_policy",
    "record_override",
    "run_daily_job",
    "run_daily_recalculation",
    "run_policy_change_job",
    "schedule_daily",
    "set_case_foster_carer",
    "set_foster_carer",
    "threshold_ages",
]
