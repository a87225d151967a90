"""Background recalculation: review flags, the daily thresholds job, a policy change."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    select,
)
from sqlalchemy.orm import Session, selectinload

from domain import clock, history, jobs
from domain.assessments.inputs import is_carer
from domain.assessments.model import (
    BIRTHDAY,
    DAILY_JOB,
    HOUSEHOLD_CHANGE,
    POLICY_CHANGE,
    POLICY_NAMES,
    PREGNANCY_DUE,
    PREGNANCY_GRACE,
    THRESHOLD_AGES,
    _bedrooms,
)
from domain.assessments.policy import bedroom_policy
from domain.assessments.service import (
    _facts,
    current_assessment,
    latest_version,
    open_bedroom_assessment,
    recalculate,
)
from domain.bedrooms import (
    pregnancy_week,
)
from domain.clock import age_on, long_date
from domain.errors import DomainError
from domain.history import SYSTEM
from domain.history_kinds import HistoryKind
from domain.models import Case, CasePerson, Job, Person
from domain.strands import BEDROOM_ASSESSMENT, Strand
from domain.vocab import CaseStatus

# --------------------------------------------------------------------------------------------
# Background recalculation: flags, daily thresholds, policy change
# --------------------------------------------------------------------------------------------


def _raise_flag(strand: Strand, reason: str, on: dt.date, cause: str) -> None:
    flag = {"reason": reason[:500], "raised_on": on.isoformat(), "cause": cause}
    strand.data = {**strand.data, "flag": flag}


def _system_recalculation(
    session: Session, case: Case, *, cause: str, detail: str, on: dt.date
) -> str:
    """Recalculate for a background job; flag the strand when the need changed or it failed.

    Returns "unchanged", "recalculated", "changed", "failed" or "skipped" (nothing open).
    """
    strand = open_bedroom_assessment(session, case.id)
    if strand is None:
        return "skipped"
    before = latest_version(session, strand.id)
    try:
        with session.begin_nested():
            version = recalculate(session, SYSTEM, case, cause=cause, cause_detail=detail, on=on)
    except DomainError as error:
        reason = f"The bedroom need could not be recalculated ({detail}): {error}"
        _raise_flag(strand, reason, on, cause)
        session.flush()
        history.record(
            session,
            SYSTEM,
            HistoryKind.BEDROOM_RECALCULATION_FAILED,
            f"{strand.label}: {reason}",
            case_id=case.id,
            after={"strand": strand.reference, "cause": cause, "error": str(error)},
        )
        return "failed"
    if version is None:
        return "unchanged"
    if before is None or (
        before.bedrooms == version.bedrooms
        and before.effective_bedrooms == version.effective_bedrooms
    ):
        return "recalculated"
    reason = f"Bedroom need changed from {before.bedrooms} to {version.bedrooms} — {detail}"
    if version.override_bedrooms is not None:
        reason += f"; the override of {_bedrooms(version.override_bedrooms)} needs review"
    _raise_flag(strand, reason, on, cause)
    session.flush()
    history.record(
        session,
        SYSTEM,
        HistoryKind.BEDROOM_NEED_CHANGED,
        f"{strand.label}: {reason}",
        case_id=case.id,
        before=_facts(before),
        after={**_facts(version), "flag": strand.data["flag"]},
    )
    return "changed"


@dataclass(frozen=True)
class Trigger:
    """Something that happens to a household on a date and may change its bedroom need."""

    case_id: int
    cause: str
    detail: str


def threshold_ages(session: Session) -> tuple[int, ...]:
    """Ages at which the council's rules can change someone's room: 10, 16, 21 and local ones."""
    ages = set(THRESHOLD_AGES)
    policy, local = bedroom_policy(session)
    if policy == "local" and local is not None:
        ages |= {local.own_room_age, local.any_sex_sharing_under, local.same_sex_sharing_under}
        if local.lone_parent_shares_with_child_under is not None:
            ages.add(local.lone_parent_shares_with_child_under)
    return tuple(sorted(age for age in ages if age > 0))


def birth_dates_turning(on: dt.date, ages: Iterable[int]) -> dict[dt.date, int]:
    """Dates of birth of people who reach one of `ages` on `on`, with the age they reach.

    Someone born on 29 February reaches their new age on 1 March in a year without one.
    """
    found: dict[dt.date, int] = {}
    for age in ages:
        year = on.year - age
        if year < dt.MINYEAR:
            continue
        with contextlib.suppress(ValueError):  # 29 February in a year without one: nobody
            found[dt.date(year, on.month, on.day)] = age
        if (on.month, on.day) == (3, 1) and calendar.isleap(year) and not calendar.isleap(on.year):
            found[dt.date(year, 2, 29)] = age
    return {born: age for born, age in found.items() if _turns(born, on, age)}


def _turns(born: dt.date, on: dt.date, age: int) -> bool:
    return age_on(born, on) == age and age_on(born, on - dt.timedelta(days=1)) == age - 1


def due_date_reaching_week(on: dt.date, week: int) -> dt.date:
    """The due date of a pregnancy that reaches `week` (see bedrooms.pregnancy_week) on `on`."""
    if week <= 40:
        return on + dt.timedelta(days=(41 - week) * 7 - 1)
    return on - dt.timedelta(days=(week - 40) * 7)


def _households_where(
    session: Session, condition: ColumnElement[bool]
) -> Sequence[tuple[CasePerson, Person]]:
    """Members matching `condition` on active cases with an open bedroom assessment."""
    stmt = (
        select(CasePerson, Person)
        .join(Person, Person.id == CasePerson.person_id)
        .join(Case, Case.id == CasePerson.case_id)
        .join(
            Strand,
            and_(
                Strand.case_id == CasePerson.case_id,
                Strand.type_code == BEDROOM_ASSESSMENT,
                Strand.is_open,
            ),
        )
        .where(Case.status == CaseStatus.ACTIVE.value, condition)
        .order_by(CasePerson.case_id, CasePerson.id)
    )
    return [(row[0], row[1]) for row in session.execute(stmt)]


def _threshold_triggers(session: Session, on: dt.date) -> list[Trigger]:
    triggers: list[Trigger] = []
    births = birth_dates_turning(on, threshold_ages(session))
    if births:
        for link, person in _households_where(
            session, and_(CasePerson.member_on(on), Person.date_of_birth.in_(list(births)))
        ):
            assert person.date_of_birth is not None
            if not is_carer(link):
                age = births[person.date_of_birth]
                triggers.append(Trigger(link.case_id, BIRTHDAY, f"{person.full_name} turned {age}"))

    lapsed = on - PREGNANCY_GRACE - dt.timedelta(days=1)
    dues = {on: "due", lapsed: "lapsed"}
    policy, local = bedroom_policy(session)
    from_week = local.count_pregnancy_from_week if local is not None else None
    if policy == "local" and from_week is not None:
        dues.setdefault(due_date_reaching_week(on, from_week), "counted")
    for link, person in _households_where(
        session, and_(CasePerson.member_on(on), Person.pregnancy_due_date.in_(list(dues)))
    ):
        due = person.pregnancy_due_date
        if due is None or is_carer(link):
            continue
        name = person.full_name
        what = dues[due]
        if what == "due":
            detail = f"{name}'s baby is due on {long_date(due)}"
        elif what == "lapsed":
            detail = (
                f"{name}'s baby was due on {long_date(due)}, over two weeks ago: "
                "the expected baby is no longer counted"
            )
        else:
            detail = f"{name}'s pregnancy reached week {pregnancy_week(due, on)}"
        triggers.append(Trigger(link.case_id, PREGNANCY_DUE, detail))
    return triggers


def find_threshold_crossings(session: Session, on: dt.date) -> list[tuple[int, str]]:
    """(case id, what happened) for households where, on `on`, a counted member reaches an age
    where the rules change or a pregnancy reaches its due date (or a date a policy counts).

    Only active cases with an open bedroom assessment. The birthday query looks up the exact
    dates of birth concerned (on the indexed column), so it is the same on SQLite and PostgreSQL.
    """
    return [(trigger.case_id, trigger.detail) for trigger in _threshold_triggers(session, on)]


def find_daily_triggers(session: Session, on: dt.date) -> list[Trigger]:
    """Threshold crossings, plus members whose recorded date joined or left is `on`."""
    triggers = _threshold_triggers(session, on)
    for link, person in _households_where(session, CasePerson.date_joined == on):
        triggers.append(
            Trigger(
                link.case_id,
                HOUSEHOLD_CHANGE,
                f"{person.full_name} joined the household on {long_date(on)}",
            )
        )
    for link, person in _households_where(session, CasePerson.date_left == on):
        triggers.append(
            Trigger(
                link.case_id,
                HOUSEHOLD_CHANGE,
                f"{person.full_name} left the household on {long_date(on)}",
            )
        )
    return triggers


def _load_cases(session: Session, case_ids: Iterable[int]) -> list[Case]:
    ids = sorted(set(case_ids))
    if not ids:
        return []
    stmt = (
        select(Case)
        .where(Case.id.in_(ids))
        .options(selectinload(Case.people).selectinload(CasePerson.person))
        .order_by(Case.id)
    )
    return list(session.scalars(stmt))


def run_daily_recalculation(session: Session, on: dt.date) -> dict[str, Any]:
    """Recalculate every household with something on `on` that may change its bedroom need.

    One version per case, citing everything that happened (the first thing's cause). Cases
    whose need changed, or could not be worked out, are flagged for review. Returns counts.
    """
    by_case: dict[int, list[Trigger]] = {}
    for trigger in find_daily_triggers(session, on):
        by_case.setdefault(trigger.case_id, []).append(trigger)
    counts = {"unchanged": 0, "recalculated": 0, "changed": 0, "failed": 0, "skipped": 0}
    for case in _load_cases(session, by_case):
        triggers = by_case[case.id]
        detail = "; ".join(trigger.detail for trigger in triggers)
        outcome = _system_recalculation(
            session, case, cause=triggers[0].cause, detail=detail, on=on
        )
        counts[outcome] += 1
    return {"on": on.isoformat(), "cases": len(by_case), **counts}


def recalculate_for_policy(session: Session, on: dt.date | None = None) -> dict[str, Any]:
    """Recalculate every open bedroom assessment not yet worked out under the current policy."""
    on = on or clock.today()
    policy, local = bedroom_policy(session)
    local_dict = local.to_dict() if local is not None else None
    stmt = (
        select(Strand.case_id)
        .join(Case, Case.id == Strand.case_id)
        .where(
            Strand.type_code == BEDROOM_ASSESSMENT,
            Strand.is_open,
            Case.status == CaseStatus.ACTIVE.value,
        )
    )
    counts = {"unchanged": 0, "recalculated": 0, "changed": 0, "failed": 0, "skipped": 0}
    detail = f"Council bedroom policy changed to {POLICY_NAMES[policy]}"
    for case in _load_cases(session, session.scalars(stmt)):
        current = current_assessment(session, case.id)
        if (
            current is not None
            and current.policy == policy
            and current.result.get("local") == local_dict
        ):
            counts["skipped"] += 1  # already worked out under this policy
            continue
        outcome = _system_recalculation(session, case, cause=POLICY_CHANGE, detail=detail, on=on)
        counts[outcome] += 1
    return {"policy": policy, "on": on.isoformat(), **counts}


def schedule_daily(session: Session, on: dt.date) -> Job | None:
    """Queue the daily recalculation for `on` (once per day: None if it is already queued)."""
    return jobs.enqueue_daily(session, DAILY_JOB, on)


def run_daily_job(session: Session, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The "bedrooms.daily" job: run the day's recalculations, then queue the next day's."""
    on = dt.date.fromisoformat(str(payload["on"]))
    result = run_daily_recalculation(session, on)
    schedule_daily(session, on + dt.timedelta(days=1))
    return result


def run_policy_change_job(session: Session, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The "bedrooms.policy_change" job: recalculate under the policy chosen now."""
    return recalculate_for_policy(session)


__all__ = [
    "Trigger",
    "birth_dates_turning",
    "due_date_reaching_week",
    "find_daily_triggers",
    "find_threshold_crossings",
    "recalculate_for_policy",
    "run_daily_job",
    "run_daily_recalculation",
    "run_policy_change_job",
    "schedule_daily",
    "threshold_ages",
]
