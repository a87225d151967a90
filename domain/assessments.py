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

import calendar
import contextlib
import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from domain import clock, history, jobs
from domain.base import Base, created_timestamp, intpk, json_data
from domain.bedrooms import (
    POLICIES,
    UNBORN_SUFFIX,
    BedroomInputError,
    BedroomNeed,
    InvalidLocalPolicy,
    LocalPolicy,
    Occupant,
    assess,
    pregnancy_week,
)
from domain.clock import age_on, long_date
from domain.council_settings import get_setting, set_setting
from domain.errors import Conflict, DomainError, PermissionDenied, RuleBroken
from domain.history import SYSTEM, Actor
from domain.household import members_on
from domain.models import Case, CasePerson, Job, Person, User
from domain.strands import BEDROOM_ASSESSMENT, Strand, set_data
from domain.vocab import ActorKind, CaseStatus

# Why a version was made.
APPLICATION = "application"
HOUSEHOLD_CHANGE = "household_change"
BIRTHDAY = "birthday"
PREGNANCY_DUE = "pregnancy_due"
OFFICER_RECALCULATION = "officer_recalculation"
POLICY_CHANGE = "policy_change"
OVERRIDE = "override"
CAUSES = (
    APPLICATION,
    HOUSEHOLD_CHANGE,
    BIRTHDAY,
    PREGNANCY_DUE,
    OFFICER_RECALCULATION,
    POLICY_CHANGE,
    OVERRIDE,
)
# Automatic causes store a version only when the need changed. A household change (an accepted
# pending change, or an officer's edit) always stores one, so the assessment cites the change.
AUTOMATIC_CAUSES = frozenset({BIRTHDAY, PREGNANCY_DUE})

CARER_RELATIONSHIP = "Carer"
PREGNANCY_GRACE = dt.timedelta(days=14)
THRESHOLD_AGES = (10, 16, 21)
MAX_OVERRIDE_BEDROOMS = 15

BEDROOM_POLICY_KEY = "bedroom_policy"
BEDROOM_LOCAL_POLICY_KEY = "bedroom_local_policy"
DEFAULT_POLICY = "size-criteria"  # what allocations use

DAILY_JOB = "bedrooms.daily"
POLICY_CHANGE_JOB = "bedrooms.policy_change"

POLICY_NAMES = {
    "bedroom-standard": "the bedroom standard",
    "size-criteria": "the size criteria",
    "local": "the council's local policy",
}


class MissingDateOfBirth(RuleBroken):
    """Someone counted in the household has no date of birth recorded."""


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------


class BedroomAssessmentVersion(Base):
    """One calculation (or override) of a bedroom assessment. Versions are never edited."""

    __tablename__ = "bedroom_assessment_version"

    id: Mapped[intpk]
    strand_id: Mapped[int] = mapped_column(ForeignKey("strand.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    calculated_at: Mapped[created_timestamp]
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    policy: Mapped[str] = mapped_column(String(20))
    bedrooms: Mapped[int] = mapped_column(Integer)
    result: Mapped[json_data]
    cause: Mapped[str] = mapped_column(String(30))
    cause_detail: Mapped[str] = mapped_column(String(500))
    cause_ref: Mapped[str | None] = mapped_column(String(60))
    override_bedrooms: Mapped[int | None] = mapped_column(Integer)
    override_reason: Mapped[str | None] = mapped_column(Text)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    household_snapshot: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    strand: Mapped[Strand] = relationship()
    officer: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("strand_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("bedrooms >= 0", name="bedrooms_not_negative"),
        CheckConstraint(
            "cause IN ('application', 'household_change', 'birthday', 'pregnancy_due', "
            "'officer_recalculation', 'policy_change', 'override')",
            name="cause_known",
        ),
        CheckConstraint(
            f"override_bedrooms IS NULL OR "
            f"(override_bedrooms >= 0 AND override_bedrooms <= {MAX_OVERRIDE_BEDROOMS})",
            name="override_in_range",
        ),
        CheckConstraint(
            "(override_bedrooms IS NULL AND override_reason IS NULL) OR "
            "(override_bedrooms IS NOT NULL AND override_reason IS NOT NULL)",
            name="override_has_reason",
        ),
    )

    @property
    def effective_bedrooms(self) -> int:
        """The need that counts: the officer's override if there is one, else the calculation."""
        return self.override_bedrooms if self.override_bedrooms is not None else self.bedrooms

    @property
    def is_overridden(self) -> bool:
        return self.override_bedrooms is not None

    @property
    def need(self) -> BedroomNeed:
        return BedroomNeed.from_dict(self.result)

    def summary(self) -> str:
        """E.g. "3 bedrooms", or "2 bedrooms (override; calculated 3 bedrooms)"."""
        if self.override_bedrooms is None:
            return self.need.summary()
        return f"{_bedrooms(self.override_bedrooms)} (override; calculated {self.need.summary()})"

    def names(self) -> dict[str, str]:
        """Occupant id → name, from the snapshot taken at the time."""
        return {str(entry["id"]): str(entry["name"]) for entry in self.household_snapshot}

    def explanation(self) -> list[str]:
        """One line per bedroom naming who sleeps there and why, then notes, then any override."""
        names = self.names()
        need = self.need
        lines = []
        for number, room in enumerate(need.rooms, start=1):
            who = (
                f" for {_and([_name(names, i) for i in room.occupants])}" if room.occupants else ""
            )
            lines.append(f"Bedroom {number}{who}: {room.reason}")
        lines += [_with_names(names, note) for note in need.notes]
        if self.override_bedrooms is not None:
            lines.append(
                f"An officer set the need to {_bedrooms(self.override_bedrooms)}: "
                f"{self.override_reason}"
            )
        return lines

    def __repr__(self) -> str:
        return f"<BedroomAssessmentVersion strand={self.strand_id} #{self.number} {self.summary()}>"


def _bedrooms(count: int) -> str:
    return f"{count} bedroom" if count == 1 else f"{count} bedrooms"


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _name(names: Mapping[str, str], occupant_id: str) -> str:
    if occupant_id.endswith(UNBORN_SUFFIX):
        parent = occupant_id.removesuffix(UNBORN_SUFFIX)
        return f"the expected baby of {names.get(parent, parent)}"
    return names.get(occupant_id, occupant_id)


_QUOTED_ID = re.compile(r"'([^']+)'")


def _with_names(names: Mapping[str, str], text: str) -> str:
    """Replace the calculator's quoted ids ('12', '12/unborn') with people's names."""

    def replace(match: re.Match[str]) -> str:
        occupant_id = match.group(1)
        base = occupant_id.removesuffix(UNBORN_SUFFIX)
        return _name(names, occupant_id) if base in names else match.group(0)

    return _QUOTED_ID.sub(replace, text)


# --------------------------------------------------------------------------------------------
# From the household to the calculator's input
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdInput:
    """What the calculator is given for a household on a date, and what it is told about it."""

    occupants: tuple[Occupant, ...]
    overnight_carer: bool
    snapshot: tuple[dict[str, Any], ...]
    notes: tuple[str, ...]


def is_carer(link: CasePerson) -> bool:
    return not link.is_primary and link.relationship_to_primary == CARER_RELATIONSHIP


def is_pregnant_on(person: Person, on: dt.date) -> bool:
    due = person.pregnancy_due_date
    return due is not None and on <= due + PREGNANCY_GRACE


def household_for(case: Case, on: dt.date) -> HouseholdInput:
    """The calculator's input for the household of a loaded case on `on` (see module notes)."""
    members = members_on(case, on)
    carers = [link for link in members if is_carer(link)]
    counted = [link for link in members if not is_carer(link)]
    missing = [link.person.full_name for link in counted if link.person.date_of_birth is None]
    if missing:
        raise MissingDateOfBirth(
            "Record the date of birth of "
            + _and(missing)
            + " before the bedroom need can be worked out"
        )
    by_person = {link.person_id: link for link in counted}
    notes: list[str] = []
    partner_of: dict[int, int] = {}
    for link in counted:
        partner_id = link.partner_person_id
        if partner_id is None:
            continue
        name = link.person.full_name
        partner = by_person.get(partner_id)
        if partner_id == link.person_id:
            notes.append(f"{name} is recorded as their own partner, so is counted as single.")
        elif partner is None:
            notes.append(
                f"{name}'s recorded partner is not counted in the household on "
                f"{long_date(on)}, so {name} is counted as single."
            )
        elif partner.partner_person_id != link.person_id:
            notes.append(
                f"{name} names {partner.person.full_name} as partner but the link is not "
                f"recorded both ways, so neither is counted as a couple until it is."
            )
        else:
            partner_of[link.person_id] = partner_id

    occupants: list[Occupant] = []
    snapshot: list[dict[str, Any]] = []
    for link in counted:
        person = link.person
        assert person.date_of_birth is not None
        pregnant = is_pregnant_on(person, on)
        partner_id = partner_of.get(person.id)
        occupant = Occupant(
            id=str(person.id),
            born=person.date_of_birth,
            sex=person.sex,
            partner=str(partner_id) if partner_id is not None else None,
            cannot_share=person.cannot_share_bedroom,
            pregnant=pregnant,
            due=person.pregnancy_due_date if pregnant else None,
        )
        occupants.append(occupant)
        snapshot.append(
            _snapshot_entry(
                link,
                counted=True,
                partner=occupant.partner,
                flags={
                    "cannot_share": occupant.cannot_share,
                    "pregnant": pregnant,
                    "due": occupant.due.isoformat() if occupant.due else None,
                },
            )
        )
    for link in carers:
        snapshot.append(
            _snapshot_entry(link, counted=False, partner=None, flags={"overnight_carer": True})
        )
        notes.append(
            f"{link.person.full_name} is the household's overnight carer: not counted as an "
            "occupant; a room for an overnight carer is asked for."
        )
    return HouseholdInput(tuple(occupants), bool(carers), tuple(snapshot), tuple(notes))


def _snapshot_entry(
    link: CasePerson, *, counted: bool, partner: str | None, flags: dict[str, Any]
) -> dict[str, Any]:
    person = link.person
    return {
        "id": str(person.id),
        "person_id": person.id,
        "name": person.full_name,
        "born": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "sex": person.sex,
        "relationship": link.relationship_to_primary,
        "partner": partner,
        "counted": counted,
        "flags": flags,
    }


def occupants_for(case: Case, on: dt.date) -> list[Occupant]:
    """The people counted in the household of `case` on `on`, as the calculator's occupants."""
    return list(household_for(case, on).occupants)


# --------------------------------------------------------------------------------------------
# The council's policy
# --------------------------------------------------------------------------------------------


def bedroom_policy(session: Session) -> tuple[str, LocalPolicy | None]:
    """The council's chosen policy, and its local settings when that policy is "local"."""
    policy = get_setting(session, BEDROOM_POLICY_KEY, DEFAULT_POLICY)
    if policy not in POLICIES:
        raise RuleBroken(f"The council's bedroom policy setting {policy!r} is not a policy")
    if policy != "local":
        return str(policy), None
    return "local", _local_policy(get_setting(session, BEDROOM_LOCAL_POLICY_KEY, {}))


def _local_policy(value: object) -> LocalPolicy:
    if isinstance(value, LocalPolicy):
        return value
    if not isinstance(value, Mapping):
        raise RuleBroken("The local bedroom policy must be a set of named settings")
    try:
        return LocalPolicy.from_dict(value)
    except InvalidLocalPolicy as error:
        raise RuleBroken(str(error)) from None


def choose_bedroom_policy(
    session: Session,
    actor: Actor,
    policy: str,
    local: LocalPolicy | Mapping[str, object] | None = None,
) -> Job | None:
    """Choose the council's bedroom policy (and local settings), then recalculate in background.

    `local` (settings for the "local" policy) is stored whenever it is given. Choosing "local"
    without it uses the stored settings (or the defaults). Returns the queued recalculation
    job, or None when the policy in force does not change.
    """
    if policy not in POLICIES:
        known = ", ".join(POLICY_NAMES[name] for name in POLICIES)
        raise RuleBroken(f"{policy!r} is not a bedroom policy; choose one of {known}")
    old_policy, old_local = bedroom_policy(session)
    new_local = _local_policy(local) if local is not None else None
    if new_local is not None:  # kept even while another policy is in use
        set_setting(session, actor, BEDROOM_LOCAL_POLICY_KEY, new_local.to_dict())
    elif policy == "local":
        new_local = _local_policy(get_setting(session, BEDROOM_LOCAL_POLICY_KEY, {}))
    before = _policy_key(old_policy, old_local)
    after = _policy_key(policy, new_local if policy == "local" else None)
    if before == after:
        return None
    set_setting(session, actor, BEDROOM_POLICY_KEY, policy)
    summary = f"Council bedroom policy changed from {POLICY_NAMES[old_policy]} to "
    summary += POLICY_NAMES[policy]
    if old_policy == policy == "local":
        summary = "The council's local bedroom policy settings changed"
    history.record(
        session,
        actor,
        "bedroom.policy_changed",
        summary + "; open bedroom assessments will be recalculated",
        before={"policy": before[0], "local": before[1]},
        after={"policy": after[0], "local": after[1]},
    )
    return jobs.enqueue(session, POLICY_CHANGE_JOB, {"policy": policy, "by": actor.label})


def _policy_key(policy: str, local: LocalPolicy | None) -> tuple[str, dict[str, object] | None]:
    return (policy, local.to_dict() if local is not None and policy == "local" else None)


# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------


def open_bedroom_assessment(session: Session, case_id: int) -> Strand | None:
    stmt = select(Strand).where(
        Strand.case_id == case_id, Strand.type_code == BEDROOM_ASSESSMENT, Strand.is_open
    )
    return session.scalars(stmt).first()


def latest_version(session: Session, strand_id: int) -> BedroomAssessmentVersion | None:
    stmt = (
        select(BedroomAssessmentVersion)
        .where(BedroomAssessmentVersion.strand_id == strand_id)
        .order_by(BedroomAssessmentVersion.number.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def current_assessment(session: Session, case_id: int) -> BedroomAssessmentVersion | None:
    """The latest version of the case's open bedroom assessment, if it has one."""
    stmt = (
        select(BedroomAssessmentVersion)
        .join(Strand, Strand.id == BedroomAssessmentVersion.strand_id)
        .where(
            Strand.case_id == case_id,
            Strand.type_code == BEDROOM_ASSESSMENT,
            Strand.is_open,
        )
        .order_by(BedroomAssessmentVersion.number.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


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


def preview_need(session: Session, case: Case, on: dt.date | None = None) -> BedroomNeed | None:
    """The need the case would be assessed at now, without storing anything (None when the case
    has no open bedroom assessment, or the household cannot be assessed yet)."""
    strand = open_bedroom_assessment(session, case.id)
    if strand is None:
        return None
    on = on or clock.today()
    policy, local = bedroom_policy(session)
    try:
        household = household_for(case, on)
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
) -> BedroomAssessmentVersion | None:
    """Work out the case's bedroom need on `on` (default today) and store it as a new version.

    Uses the council's chosen policy. Returns the new version, or None when the case has no open
    bedroom assessment or, for an automatic cause, nothing changed (see the module notes).
    Writes a "bedroom.recalculated" history event in the caller's transaction.
    """
    if cause not in CAUSES or cause == OVERRIDE:
        raise ValueError(f"{cause!r} is not a recalculation cause")
    strand = open_bedroom_assessment(session, case.id)
    if strand is None:
        return None
    on = on or clock.today()
    policy, local = bedroom_policy(session)
    household = household_for(case, on)
    need = _calculate(
        household, on, policy, local, foster_carer=bool(strand.data.get("foster_carer"))
    )
    previous = latest_version(session, strand.id)
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
        "bedroom.recalculated",
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
    version.strand = strand
    version.number = (previous.number if previous else 0) + 1
    try:
        with session.begin_nested():
            session.add(version)
    except IntegrityError:
        raise Conflict(
            f"{strand.label} was changed by someone else at the same moment; try again"
        ) from None
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
        "bedroom.overridden",
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
        "bedroom.override_removed",
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
        "bedroom.flag_cleared",
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
            "bedroom.recalculation_failed",
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
        "bedroom.need_changed",
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


def _daily_run_after(on: dt.date) -> dt.datetime:
    """The first moment of `on` in England: the job is due as soon as the council's day is."""
    return dt.datetime.combine(on, dt.time(0, 0), clock.COUNCIL_TZ).astimezone(dt.UTC)


def schedule_daily(session: Session, on: dt.date) -> Job | None:
    """Queue the daily recalculation for `on` (once per day: None if it is already queued)."""
    return jobs.enqueue(
        session,
        DAILY_JOB,
        {"on": on.isoformat()},
        run_after=_daily_run_after(on),
        dedupe_key=f"{DAILY_JOB}:{on.isoformat()}",
    )


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
    "APPLICATION",
    "AUTOMATIC_CAUSES",
    "BIRTHDAY",
    "CAUSES",
    "DAILY_JOB",
    "DEFAULT_POLICY",
    "HOUSEHOLD_CHANGE",
    "OFFICER_RECALCULATION",
    "OVERRIDE",
    "POLICY_CHANGE",
    "POLICY_CHANGE_JOB",
    "PREGNANCY_DUE",
    "BedroomAssessmentVersion",
    "HouseholdInput",
    "MissingDateOfBirth",
    "Trigger",
    "assessment_history",
    "bedroom_policy",
    "birth_dates_turning",
    "choose_bedroom_policy",
    "clear_flag",
    "clear_override",
    "current_assessment",
    "due_date_reaching_week",
    "find_daily_triggers",
    "find_threshold_crossings",
    "household_for",
    "latest_version",
    "occupants_for",
    "open_bedroom_assessment",
    "recalculate",
    "recalculate_for_policy",
    "record_override",
    "run_daily_job",
    "run_daily_recalculation",
    "run_policy_change_job",
    "schedule_daily",
    "set_foster_carer",
]
