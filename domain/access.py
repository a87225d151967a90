"""Who may see what: applicants see only their own case."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from domain.models import Case, CasePerson, PortalAccount
from domain.vocab import CaseStatus

# Built once (every portal page of a signed-in applicant runs it): the active cases on which
# the person applies, newest first, each with its household and their people.
_APPLICANT_CASES = (
    select(Case)
    .join(CasePerson, CasePerson.case_id == Case.id)
    .where(
        CasePerson.person_id == bindparam("person_id"),
        Case.status == CaseStatus.ACTIVE.value,
        (CasePerson.is_primary | CasePerson.joint_applicant),
    )
    .order_by(Case.created_at.desc())
    .options(joinedload(Case.people).joinedload(CasePerson.person))  # one query
)


def applicant_case(session: Session, account: PortalAccount, on: dt.date) -> Case | None:
    """The active case on which the account's person is the primary or a joint applicant."""
    if account.person_id is None:
        return None
    for case in session.scalars(_APPLICANT_CASES, {"person_id": account.person_id}).unique():
        link = next(cp for cp in case.people if cp.person_id == account.person_id)
        if link.is_member_on(on):
            return case
    return None


_CLOSED_CASES = (
    select(Case)
    .join(CasePerson, CasePerson.case_id == Case.id)
    .where(
        CasePerson.person_id == bindparam("person_id"),
        Case.status == CaseStatus.CLOSED.value,
        (CasePerson.is_primary | CasePerson.joint_applicant),
    )
    .order_by(Case.closed_at.desc(), Case.id.desc())
    .limit(1)
)


def closed_case(session: Session, account: PortalAccount) -> Case | None:
    """The case the account's person applied on most recently closed, when they have no active
    one: the portal tells them it is closed rather than asking them to link a case."""
    if account.person_id is None:
        return None
    return session.scalars(_CLOSED_CASES, {"person_id": account.person_id}).first()
