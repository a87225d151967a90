"""Deciding a Housing Register application: qualifies or not, on reason codes from the council's
list, with the band (the council's bands), the date it counts from and the bidding number; the
applicant told by email or letter from one of the council's templates — all in one transaction.

**The evidence rule**: an application cannot be decided while evidence asked for on it is still
waiting or not yet checked, unless the officer gives a reason to decide without it (kept on the
application and in its history).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from domain import evidence_requests, letters, messages, strands, tasks
from domain import message_templates as mt
from domain.council_settings import get_setting
from domain.errors import Conflict, FieldErrors, RuleBroken
from domain.history import Actor
from domain.models import Case, User
from domain.pending import EvidenceFile
from domain.storage import FileStore
from domain.strands import HOUSING_REGISTER, Strand

REASON_CODES_SETTING = "register.reason_codes"
BANDS_SETTING = "register.bands"
QUALIFIES, DOES_NOT_QUALIFY = "Qualifies", "Does not qualify"
OUTCOMES = {QUALIFIES: "Active on register", DOES_NOT_QUALIFY: "Not eligible"}
DECIDED_FROM = ("Application received", "Awaiting information", "Assessment")
REASON_MAX = 5000
EFFECTIVE_PAST_LIMIT = dt.timedelta(days=366 * 5)
_BIDDING = re.compile(r"^[A-Za-z0-9-]{1,20}$")

DEFAULT_REASON_CODES: tuple[tuple[str, str], ...] = (
    ("Q1", "Meets the eligibility and residence rules"),
    ("Q2", "Reasonable preference: overcrowded or unsanitary housing"),
    ("Q3", "Reasonable preference: medical or welfare grounds"),
    ("Q4", "Reasonable preference: homeless or threatened with homelessness"),
    ("N1", "Not eligible: immigration status"),
    ("N2", "No local connection"),
    ("N3", "No housing need"),
    ("N4", "Income or savings over the limit"),
    ("N5", "Serious unacceptable behaviour"),
    ("N6", "Information or evidence asked for was not given"),
)
TELL_BY = ("email", "letter", "none")
DECISION_TASKS = ("check", "decide")  # the type's tasks a decision does the work of


def reason_codes(session: Session) -> list[tuple[str, str]]:
    """The council's reason codes (setting "register.reason_codes": [[code, words], …])."""
    chosen = get_setting(session, REASON_CODES_SETTING)
    if isinstance(chosen, list) and chosen:
        return [(str(code), str(words)) for code, words in chosen]
    return list(DEFAULT_REASON_CODES)


def bands(session: Session) -> list[str]:
    """The council's bands (setting "register.bands"), else the type's choices."""
    chosen = get_setting(session, BANDS_SETTING)
    if isinstance(chosen, list) and chosen:
        return [str(band) for band in chosen]
    field = strands.strand_type(HOUSING_REGISTER).field("band")
    return list(field.choices) if field is not None else []


@dataclass(frozen=True)
class Decision:
    outcome: str | None
    reason_codes: tuple[str, ...] = ()
    reason: str | None = None
    band: str | None = None
    effective_date: dt.date | None = None
    bidding_number: str | None = None
    tell_by: str | None = None
    template_id: int | None = None
    override_reason: str | None = None


@dataclass(frozen=True)
class Decided:
    strand: Strand
    message: messages.Message | None
    letter: EvidenceFile | None


def suggested_bidding_number(strand: Strand) -> str:
    return f"BN{strand.id:06d}"


def may_decide(strand: Strand) -> str | None:
    """Why the application cannot be decided now (None: it can)."""
    if strand.type_code != HOUSING_REGISTER:
        return "Only a Housing Register application is decided here"
    if strand.status not in DECIDED_FROM:
        return (
            f"{strand.reference} is at “{strand.status}”: it has been decided or closed. Move it "
            "back to Assessment to decide it again"
        )
    return None


def _check(
    session: Session, strand: Strand, d: Decision, today: dt.date
) -> tuple[dict[str, str], list[evidence_requests.EvidenceRequest]]:
    errors: dict[str, str] = {}
    if d.outcome not in OUTCOMES:
        errors["outcome"] = "Select whether the applicant qualifies to join the register"
    known = dict(reason_codes(session))
    if not d.reason_codes:
        errors["reason_codes"] = "Select at least one reason for the decision"
    elif any(code not in known for code in d.reason_codes):
        errors["reason_codes"] = "Select reasons from the council's list"
    reason = (d.reason or "").strip()
    if d.outcome == DOES_NOT_QUALIFY and not reason:
        errors["reason"] = "Explain why the applicant does not qualify: they will read this"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"The reason must be {REASON_MAX:,} characters or fewer"
    if d.outcome == QUALIFIES:
        if d.band not in bands(session):
            errors["band"] = "Select the band"
        if d.effective_date is None:
            errors["effective_date"] = "Enter the date the band counts from"
        elif d.effective_date > today:
            errors["effective_date"] = "The date the band counts from must be today or earlier"
        elif d.effective_date < today - EFFECTIVE_PAST_LIMIT:
            errors["effective_date"] = "The date the band counts from must be within 5 years"
        if not d.bidding_number or not _BIDDING.match(d.bidding_number.strip()):
            errors["bidding_number"] = (
                "Enter the bidding number: up to 20 letters, numbers and hyphens"
            )
    if d.tell_by not in TELL_BY:
        errors["tell_by"] = "Select how to tell the applicant"
    elif d.tell_by != "none" and d.template_id is None:
        errors[f"{d.tell_by}_template"] = f"Select the {d.tell_by} to send"
    outstanding = evidence_requests.outstanding_for_strand(session, strand.id)
    if outstanding and not (d.override_reason or "").strip():
        listed = "; ".join(f"{r.what} ({r.state.words.lower()})" for r in outstanding)
        errors["override_reason"] = (
            f"Evidence asked for is not accepted yet: {listed}. Accept or cancel it first, or "
            "give a reason to decide without it"
        )
    return errors, outstanding


def decide(
    session: Session,
    store: FileStore,
    actor: Actor,
    officer: User,
    strand: Strand,
    decision: Decision,
    *,
    expected_version: int,
    today: dt.date,
    council: mt.Council,
) -> Decided:
    """Record the decision, move the application to its outcome, and tell the applicant."""
    if strand.version != expected_version:
        raise Conflict(
            f"Someone else has changed {strand.reference} since you opened it. Check it again "
            "before deciding."
        )
    refusal = may_decide(strand)
    if refusal is not None:
        raise RuleBroken(refusal)
    errors, outstanding = _check(session, strand, decision, today)
    if errors:
        raise FieldErrors(errors)
    assert decision.outcome is not None
    qualifies = decision.outcome == QUALIFIES
    known = dict(reason_codes(session))
    override = (decision.override_reason or "").strip() if outstanding else ""
    strands.set_data(
        session,
        actor,
        strand,
        qualification_decision=decision.outcome,
        decision_date=today.isoformat(),
        qualification_reason=(decision.reason or "").strip() or None,
        reason_codes="\n".join(f"{code} – {known[code]}" for code in decision.reason_codes),
        band=decision.band if qualifies else None,
        effective_date=decision.effective_date.isoformat()
        if qualifies and decision.effective_date
        else None,
        bidding_number=(decision.bidding_number or "").strip() if qualifies else None,
        evidence_override=override or None,
    )
    if strand.status != "Assessment":
        strands.change_status(session, actor, strand, "Assessment")
    strands.change_status(
        session, actor, strand, OUTCOMES[decision.outcome], workflow={"reason": override or None}
    )
    tasks.cancel_for_strand(
        session, actor, strand, f"Decided: {decision.outcome}", done=True, keys=DECISION_TASKS
    )
    case = strand.case
    message = letter = None
    if decision.tell_by == "email":
        message = _email(session, actor, officer, case, strand, decision, today, council)
    elif decision.tell_by == "letter":
        letter = letters.generate(
            session,
            store,
            actor,
            officer,
            case,
            template_id=decision.template_id,
            person_id=_applicant_id(case),
            strand_id=strand.id,
            council=council,
        )
    return Decided(strand, message, letter)


def _applicant_id(case: Case) -> int | None:
    primary = case.primary
    return primary.person_id if primary is not None else None


def _email(
    session: Session,
    actor: Actor,
    officer: User,
    case: Case,
    strand: Strand,
    decision: Decision,
    today: dt.date,
    council: mt.Council,
) -> messages.Message:
    template = session.get(mt.MessageTemplate, decision.template_id)
    if template is None or not template.active or template.channel != "email":
        raise FieldErrors({"email_template": "Select the email to send"})
    merged = messages.draft(
        session,
        case,
        template,
        person_id=_applicant_id(case),
        strand_id=strand.id,
        officer=officer,
        council=council,
        today=today,
    )
    return messages.send(
        session,
        actor,
        officer,
        case,
        template,
        person_id=_applicant_id(case),
        strand_id=strand.id,
        subject=merged.subject,
        body=merged.body,
        today=today,
    )


def templates_for(session: Session) -> tuple[Sequence[mt.MessageTemplate], Sequence[object]]:
    """The active email templates and letter templates an officer may choose from."""
    emails = [t for t in mt.templates(session, active_only=True) if t.channel == "email"]
    return emails, list(letters.templates(session, active_only=True))


__all__ = [
    "BANDS_SETTING",
    "DOES_NOT_QUALIFY",
    "QUALIFIES",
    "REASON_CODES_SETTING",
    "Decided",
    "Decision",
    "bands",
    "decide",
    "may_decide",
    "reason_codes",
    "suggested_bidding_number",
    "templates_for",
]
