"""Who may see what: applicants see only their own case."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from domain.models import Case, CasePerson, PortalAccount
from domain.vocab import CaseStatus


def applicant_case(session: Session, account: PortalAccount, on: dt.date) -> Case | None:
    """The active case on which the account's person is the primary or a joint applicant."""
    if account.person_id is None:
        return None
    stmt = (
        select(Case)
        .join(CasePerson, CasePerson.case_id == Case.id)
        .where(
            CasePerson.person_id == account.person_id,
            Case.status == CaseStatus.ACTIVE.value,
            (CasePerson.is_primary | CasePerson.joint_applicant),
        )
        .order_by(Case.created_at.desc())
        .options(selectinload(Case.people).selectinload(CasePerson.person))
    )
    for case in session.scalars(stmt):
        link = next(cp for cp in case.people if cp.person_id == account.person_id)
        if link.is_member_on(on):
            return case
    return None
