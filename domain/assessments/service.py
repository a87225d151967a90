"""Reading, recalculating and overriding a case's bedroom assessment."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    bindparam,
    select,
)
from sqlalchemy.orm import Session, contains_eager

from domain import clock, history
from domain.assessments.inputs import HouseholdInput, household_for, household_of
from domain.assessments.model import (
    AUTOMATIC_CAUSES,
    CAUSES,
    MAX_OVERRIDE_BEDROOMS,
    OFFICER_RECALCULATION,
    OVERRIDE,
    POLICY_NAMES,
    BedroomAssessmentVersion,
    Cause,
    _bedrooms,
    _with_names,
)
from domain.assessments.policy import bedroom_policy
from domain.bedrooms import (
    BedroomInputError,
    BedroomNeed,
    LocalPolicy,
    assess,
)
from domain.errors import PermissionDenied, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.household_rules import LinkLike
from domain.models import Case
from domain.strands import BEDROOM_ASSESSMENT, Strand, set_data
from domain.vocab import ActorKind

# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------


def open_bedroom_assessment(session: Session, case_id: int) -> Strand | None:
    return session.scalars(_OPEN_ASSESSMENT, {"case_id": case_id}).first()


def latest_version(session: Session, strand_id: int) -> BedroomAssessmentVersion | None:
    return session.scalars(_LATEST_VERSION, {"strand_id": strand_id}).first()


# Built once: the review page and accepting a change read them.
_OPEN_ASSESSMENT = select(Strand).where(
    Strand.case_id == bindparam("case_id"),
    Strand.type_code == BEDROOM_ASSESSMENT,
    Strand.is_open,
)
_LATEST_VERSION = (
    select(BedroomAssessmentVersion)
    .where(BedroomAssessmentVersion.strand_id == bindparam("strand_id"))
    .order_by(BedroomAssessmentVersion.number.desc())
    .limit(1)
)


def current_assessment(session: Session, case_id: int) -> BedroomAssessmentVersion | None:
    """The latest version of the case's open bedroom assessment, if it has one."""
    return session.scalars(_CURRENT_ASSESSMENT, {"case_id": case_id}).first()


_CURRENT_ASSESSMENT = (
    select(BedroomAssessmentVersion)
    .join(Strand, Strand.id == BedroomAssessmentVersion.strand_id)
    .options(contains_eager(BedroomAssessmentVersion.strand))
    .where(
        Strand.case_id == bindparam("case_id"),
        Strand.type_code == BEDROOM_ASSESSMENT,
        Strand.is_open,
    )
    .order_by(BedroomAssessmentVersion.number.desc())
    .limit(1)
)


def assessment_history(session: Session, strand_id: int) -> list[BedroomAssessmentVersion]:
    """Every version of a bedroom assessment strand, newest first."""
    stmt = (
        select(BedroomAssessmentVersion)
        .where(BedroomAssessmentVersion.strand_id == strand_id)
        .order_by(BedroomAssessmentVersion.number.desc())
    )
    return list(session.scalars(stmt))


# --------------------------------------------------------------------------------------------
# Recalculation and overrides
# --------------------------------------------------------------------------------------------


def _calculate(
    household: HouseholdInput,
    on: dt.date,
    policy: str,
    local: LocalPolicy | None,
    *,
    foster_carer: bool,
) -> BedroomNeed:
    try:
        need = assess(
            household.occupants,
            on,
            policy,
            overnight_carer=household.overnight_carer,
            foster_carer=foster_carer,
            local=local,
        )
    except BedroomInputError as error:
        names = {str(entry["id"]): str(entry["name"]) for entry in household.snapshot}
        raise RuleBroken(
            "The bedroom need cannot be worked out: " + _with_names(names, str(error))
        ) from None
    return dataclasses.replace(need, notes=(*household.notes, *need.notes))


def preview_need(
    session: Session,
    case: Case,
    on: dt.date | None = None,
    *,
    links: Sequence[LinkLike] | None = None,
    strand: Strand | None = None,
) -> BedroomNeed | None:
    """The need the case would be assessed at now, without storing anything (None when the case
    has no open bedroom assessment, or the household cannot be assessed yet). With `links`, the
    need of that household instead of the case's records (what a change would leave). A caller
    that has the case's open bedroom assessment already passes it as `strand`."""
    if strand is not None and strand.case_id != case.id:
        raise ValueError("the bedroom assessment given is another case's")
    strand = strand or open_bedroom_assessment(session, case.id)
    if strand is None:
        return None
    on = on or clock.today()
    policy, local = bedroom_policy(session)
    try:
        household = household_of(case.people if links is None else links, on)
        return _calculate(
            household, on, policy, local, foster_carer=bool(strand.data.get("foster_carer"))
        )
    except RuleBroken:
        return None


def recalculate(
    session: Session,
    actor: Actor,
    case: Case,
    *,
    cause: str,
    cause_detail: str,
    cause_ref: str | None = None,
    on: dt.date | None = None,
    current: BedroomAssessmentVersion | None = None,
) -> BedroomAssessmentVersion | None:
    """Work out the case's bedroom need on `on` (default today) and store it as a new version.

    Uses the council's chosen policy. Returns the new version, or None when the case has no open
    bedroom assessment or, for an automatic cause, nothing changed (see the module notes).
    Writes a "bedroom.recalculated" history event in the caller's transaction. A caller that
    has just read the case's `current_assessment` (under the case's lock) passes it as
    `current`, and its strand and number are not read again.
    """
    if cause not in CAUSES or cause == OVERRIDE:
        raise ValueError(f"{cause!r} is not a recalculation cause")
    if current is not None and current.strand.case_id != case.id:
        raise ValueError("the current assessment given is another case's")
    strand = current.strand if current is not None else open_bedroom_assessment(session, case.id)
    if strand is None:
        return None
    on = on or clock.today()
    policy, local = bedroom_policy(session)
    household = household_for(case, on)
    need = _calculate(
        household, on, policy, local, foster_carer=bool(strand.data.get("foster_carer"))
    )
    previous = current if current is not None else latest_version(session, strand.id)
    rooms = [room.to_dict() for room in need.rooms]
    if (
        previous is not None
        and cause in AUTOMATIC_CAUSES
        and previous.bedrooms == need.bedrooms
        and previous.result.get("rooms") == rooms
    ):
        return None
    version = _add_version(
        session,
        strand,
        previous,
        BedroomAssessmentVersion(
            assessed_on=on,
            policy=policy,
            bedrooms=need.bedrooms,
            result=need.to_dict(),
            cause=cause,
            cause_detail=cause_detail[:500],
            cause_ref=cause_ref,
            override_bedrooms=previous.override_bedrooms if previous else None,
            override_reason=previous.override_reason if previous else None,
            officer_id=actor.user_id,
            household_snapshot=list(household.snapshot),
        ),
    )
    if previous is None:
        summary = f"Bedroom need assessed: {need.summary()} under {POLICY_NAMES[policy]}"
    elif previous.bedrooms == need.bedrooms:
        summary = f"Bedroom need recalculated: {need.summary()} (unchanged)"
    else:
        summary = f"Bedroom need recalculated: {need.summary()} (was {previous.bedrooms})"
    if version.override_bedrooms is not None:
        summary += f"; the override of {_bedrooms(version.override_bedrooms)} still applies"
    history.record(
        session,
        actor,
        HistoryKind.BEDROOM_RECALCULATED,
        f"{summary} — {cause_detail}",
        case_id=case.id,
        before=_facts(previous) if previous else None,
        after={
            **_facts(version),
            "cause": cause,
            "cause_detail": cause_detail,
            "cause_ref": cause_ref,
            "assessed_on": on,
        },
    )
    return version


def first_calculation(
    session: Session,
    actor: Actor,
    strand: Strand,
    opened_with: Strand | None,
    on: dt.date | None,
) -> None:
    """A new bedroom assessment's first version (the strand type's `on_open`)."""
    detail = f"{opened_with.label} opened" if opened_with else f"{strand.label} opened"
    recalculate(session, actor, strand.case, cause=Cause.APPLICATION, cause_detail=detail, on=on)


def _facts(version: BedroomAssessmentVersion) -> dict[str, Any]:
    return {
        "strand": version.strand.reference,
        "version": version.number,
        "policy": version.policy,
        "bedrooms": version.bedrooms,
        "effective_bedrooms": version.effective_bedrooms,
        "override_bedrooms": version.override_bedrooms,
    }


def _add_version(
    session: Session,
    strand: Strand,
    previous: BedroomAssessmentVersion | None,
    version: BedroomAssessmentVersion,
) -> BedroomAssessmentVersion:
    """The strand's next version, written with the rest of the caller's work. Two writers of
    one strand's next number at the same moment are told apart by its unique (strand, number):
    the second's whole request is refused as a write clash (the request's all-or-nothing
    attempt), so nothing it sent is saved. (A savepoint of its own here, to word that clash, cost
    every acceptance a flush and three statements.)"""
    version.strand = strand
    version.number = (previous.number if previous else 0) + 1
    session.add(version)
    return version


def _require_officer(actor: Actor, action: str) -> None:
    if actor.kind != ActorKind.OFFICER:
        raise PermissionDenied(f"Only an officer can {action}")


def _open_assessment_version(session: Session, strand: Strand) -> BedroomAssessmentVersion:
    if strand.type_code != BEDROOM_ASSESSMENT:
        raise RuleBroken(f"{strand.label} is not a bedroom assessment")
    if not strand.is_open:
        raise RuleBroken(f"{strand.label} is closed")
    latest = latest_version(session, strand.id)
    if latest is None:
        raise RuleBroken(f"{strand.label} has not been calculated yet")
    return latest


def _copy(
    latest: BedroomAssessmentVersion, actor: Actor, **changes: Any
) -> BedroomAssessmentVersion:
    return BedroomAssessmentVersion(
        assessed_on=latest.assessed_on,
        policy=latest.policy,
        bedrooms=latest.bedrooms,
        result=dict(latest.result),
        cause=OVERRIDE,
        cause_ref=None,
        officer_id=actor.user_id,
        household_snapshot=list(latest.household_snapshot),
        **changes,
    )


def record_override(
    session: Session, actor: Actor, strand: Strand, bedrooms: int, reason: str
) -> BedroomAssessmentVersion:
    """An officer sets the bedroom need by hand, with a reason; the calculation stays visible."""
    _require_officer(actor, "override a bedroom need")
    latest = _open_assessment_version(session, strand)
    reason = (reason or "").strip()
    if not reason:
        raise RuleBroken(
            "Give the reason for overriding the calculated bedroom need", field="reason"
        )
    if (
        isinstance(bedrooms, bool)
        or not isinstance(bedrooms, int)
        or not 0 <= bedrooms <= MAX_OVERRIDE_BEDROOMS
    ):
        raise RuleBroken(
            f"The bedroom need must be a whole number from 0 to {MAX_OVERRIDE_BEDROOMS}",
            field="bedrooms",
        )
    version = _add_version(
        session,
        strand,
        latest,
        _copy(
            latest,
            actor,
            cause_detail=f"Overridden to {_bedrooms(bedrooms)}: {reason}"[:500],
            override_bedrooms=bedrooms,
            override_reason=reason,
        ),
    )
    history.record(
        session,
        actor,
        HistoryKind.BEDROOM_OVERRIDDEN,
        f"Bedroom need overridden: {_bedrooms(bedrooms)} "
        f"(calculated {_bedrooms(latest.bedrooms)}) — {reason}",
        case_id=strand.case_id,
        before=_facts(latest),
        after={**_facts(version), "override_reason": reason},
    )
    return version


def clear_override(
    session: Session, actor: Actor, strand: Strand, reason: str | None = None
) -> BedroomAssessmentVersion:
    """Remove an officer's override: the calculated need applies again."""
    _require_officer(actor, "remove a bedroom need override")
    latest = _open_assessment_version(session, strand)
    if latest.override_bedrooms is None:
        raise RuleBroken(f"{strand.label} has no override to remove")
    detail = "Override removed" + (f": {reason.strip()}" if reason and reason.strip() else "")
    version = _add_version(
        session,
        strand,
        latest,
        _copy(
            latest, actor, cause_detail=detail[:500], override_bedrooms=None, override_reason=None
        ),
    )
    history.record(
        session,
        actor,
        HistoryKind.BEDROOM_OVERRIDE_REMOVED,
        f"Bedroom need override removed: {_bedrooms(latest.bedrooms)} as calculated "
        f"(the override was {_bedrooms(latest.effective_bedrooms)})",
        case_id=strand.case_id,
        before=_facts(latest),
        after=_facts(version),
    )
    return version


def set_foster_carer(
    session: Session, actor: Actor, strand: Strand, foster_carer: bool
) -> BedroomAssessmentVersion | None:
    """Record whether the household are approved foster carers, and recalculate."""
    _open_assessment_version(session, strand)
    if bool(strand.data.get("foster_carer")) == foster_carer:
        return None
    set_data(session, actor, strand, foster_carer=foster_carer)
    return recalculate(
        session,
        actor,
        strand.case,
        cause=OFFICER_RECALCULATION,
        cause_detail=f"Approved foster carers: {'yes' if foster_carer else 'no'}",
    )


def clear_flag(session: Session, actor: Actor, strand: Strand) -> None:
    """An officer has reviewed a flagged change of bedroom need."""
    flag = strand.data.get("flag")
    if flag is None:
        return
    strand.data = {key: value for key, value in strand.data.items() if key != "flag"}
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.BEDROOM_FLAG_CLEARED,
        f"{strand.label}: review flag cleared",
        case_id=strand.case_id,
        before={"strand": strand.reference, "flag": flag},
        after={"strand": strand.reference, "flag": None},
    )


NO_ASSESSMENT = "This case has no open bedroom assessment"


def _case_assessment(session: Session, case: Case) -> Strand:
    strand = open_bedroom_assessment(session, case.id)
    if strand is None:
        raise RuleBroken(NO_ASSESSMENT)
    return strand


def recalculate_by_officer(
    session: Session, actor: Actor, case: Case, *, on: dt.date | None = None
) -> BedroomAssessmentVersion:
    """An officer's "Recalculate now" on the case's open bedroom assessment."""
    _require_officer(actor, "recalculate a bedroom need")
    _case_assessment(session, case)
    version = recalculate(
        session,
        actor,
        case,
        cause=OFFICER_RECALCULATION,
        cause_detail=f"Recalculated by {actor.label}",
        on=on,
    )
    assert version is not None  # an officer's recalculation always stores a version
    return version


def override_need(
    session: Session, actor: Actor, case: Case, bedrooms: int, reason: str
) -> BedroomAssessmentVersion:
    """Override the bedroom need of the case's open assessment (see record_override)."""
    return record_override(session, actor, _case_assessment(session, case), bedrooms, reason)


def clear_case_override(session: Session, actor: Actor, case: Case) -> BedroomAssessmentVersion:
    return clear_override(session, actor, _case_assessment(session, case))


def set_case_foster_carer(
    session: Session, actor: Actor, case: Case, foster_carer: bool
) -> BedroomAssessmentVersion | None:
    return set_foster_carer(session, actor, _case_assessment(session, case), foster_carer)


__all__ = [
    "NO_ASSESSMENT",
    "assessment_history",
    "clear_case_override",
    "clear_flag",
    "clear_override",
    "current_assessment",
    "first_calculation",
    "latest_version",
    "open_bedroom_assessment",
    "override_need",
    "preview_need",
    "recalculate",
    "recalculate_by_officer",
    "record_override",
    "set_case_foster_carer",
    "set_foster_carer",
]
