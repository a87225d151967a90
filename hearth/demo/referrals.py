"""Demo homeless referrals, at several steps of their workflow."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.history import Actor
from domain.models import Case, User


def _seed_referrals(session: Session, *, officer: User) -> None:
    """Homeless referrals at different points of their workflow, for people already on demo
    cases (so no new cases: the demo cases stay HC-000001 to HC-000024). No emails are sent."""
    from domain import referrals, workflows
    from domain.models import utcnow
    from domain.referrals import HouseholdMember, ReferralSubmission

    every_case = list(session.scalars(select(Case).order_by(Case.id)))
    cases = [every_case[i] for i in (1, 4, 7, 10, 12) if i < len(every_case)]
    actor = Actor.officer(officer)
    plans: list[tuple[dict[str, object], list[tuple[str, str | None]]]] = [
        (
            {
                "org_type": "hospital_inpatient",
                "org_name": "Northbridge General Hospital, Ward 7",
                "referrer_name": "Nia Adebayo",
                "referrer_role": "Discharge coordinator",
                "referrer_email": "nia.adebayo@nhs.example",
                "safe_tonight": "no",
                "reason": "Due to be discharged on Friday; cannot return home up the stairs.",
                "support_needs": "Uses a wheelchair after surgery.",
            },
            [],
        ),
        (
            {
                "org_type": "probation",
                "org_name": "Northbridge Probation Service",
                "referrer_name": "Ollie Grant",
                "referrer_role": "Probation officer",
                "referrer_email": "ollie.grant@probation.example",
                "reason": "Family have asked them to leave; sofa surfing since last week.",
            },
            [
                ("action", workflows.UPDATE_REFERRER),
                ("move", workflows.CONTACT_CLIENT),
                ("action", workflows.CONTACT_ATTEMPT),
            ],
        ),
        (
            {"self_referral": True, "reason": "My landlord has served a section 21 notice."},
            [
                ("move", workflows.CONTACT_CLIENT),
                ("action", workflows.CLIENT_CONTACTED),
                ("move", workflows.TRIAGE),
            ],
        ),
        (
            {
                "org_type": "jobcentre_plus",
                "org_name": "Northbridge Jobcentre Plus",
                "referrer_name": "Priya Nair",
                "referrer_role": "Work coach",
                "referrer_email": "priya.nair@jobcentre.example",
                "reason": "Rent arrears after a change in hours; eviction hearing next month.",
            },
            [
                ("action", workflows.UPDATE_REFERRER),
                ("move", workflows.CONTACT_CLIENT),
                ("action", workflows.CLIENT_CONTACTED),
                ("move", workflows.TRIAGE),
                ("move", workflows.HNA_BOOKED),
            ],
        ),
        (
            {
                "org_type": "prison",
                "org_name": "HMP Northbridge",
                "referrer_name": "Dev Ramsay",
                "referrer_role": "Resettlement officer",
                "referrer_email": "dev.ramsay@justice.example",
                "reason": "Released on licence with no address to go to.",
            },
            [
                ("action", workflows.UPDATE_REFERRER),
                ("move", workflows.CONTACT_CLIENT),
                ("action", workflows.CLIENT_CONTACTED),
                ("move", workflows.TRIAGE),
                ("move", workflows.IAG_ONLY),
                ("move", workflows.CLOSURE),
                ("outcome", workflows.PRIMARY_OUTCOMES[1]),
                ("action", workflows.CONFIRM_CLOSURE),
                ("move", workflows.CLOSED),
            ],
        ),
    ]
    for days_ago, (case, (details, steps)) in enumerate(zip(cases, plans, strict=False), start=1):
        primary = case.primary
        if primary is None or primary.person.date_of_birth is None:
            continue
        person = primary.person
        values: dict[str, object] = {
            "self_referral": False,
            "consent_to_referral": True,
            "consent_to_share": True,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "date_of_birth": person.date_of_birth,
            "phone": person.phone,
            "email": person.email,
            "preferred_contact": "Phone",
            "housing_situation": "address",
            "address_line_1": "Current address on the case",
            "postcode": "NB1 1AA",
            "safe_tonight": "yes",
            "household": tuple(
                HouseholdMember(cp.person.full_name, cp.relationship_to_primary or "Other")
                for cp in case.people
                if not cp.is_primary and cp.date_left is None
            ),
            **details,
        }
        submitted = referrals.submit_referral(
            session,
            ReferralSubmission(**values),  # type: ignore[arg-type]
            mailer=None,
            client=None,
            now=utcnow() - dt.timedelta(days=days_ago * 3),
        )
        strand = submitted.referral.strand
        for kind, value in steps:
            assert value is not None
            if kind == "action":
                workflows.record_action(session, actor, strand, value)
            elif kind == "outcome":
                workflows.set_field(
                    session,
                    actor,
                    strand,
                    workflows.PRIMARY_OUTCOME,
                    value,
                    expected_version=strand.version,
                )
            else:
                referrals.move(
                    session, actor, strand, value, expected_version=strand.version, mailer=None
                )
    session.flush()
