"""Demo data: teams, one officer per role, two dozen households of different shapes.

Everything here is invented. The same data is produced on every run (fixed seed), so the README
can name the demo sign-ins and a few case references.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from changes import engine
from changes.engine import Notifier
from domain import clock, household
from domain.accounts import create_officer, create_portal_account
from domain.assessments import HOUSEHOLD_CHANGE, recalculate
from domain.history import SYSTEM, Actor
from domain.models import Address, Case, CaseOfficer, Person, PortalAccount, Team, User
from domain.pending import PendingChange
from domain.strands import HOUSING_REGISTER, open_strand
from domain.vocab import OfficerRole, Permission

DEMO_PASSWORD = "hearth-demo-2026"
TODAY = dt.date(2026, 11, 1)

P = Permission
OFFICERS = [
    ("admin@northbridge.example", "Ada Okafor", [P.ADMIN, P.PEOPLE, P.CASES, P.EXPORT]),
    ("reviewer@northbridge.example", "Quinn Harper", [P.QUEUE, P.PEOPLE, P.CASES]),
    ("caseworker@northbridge.example", "Sam Whitfield", [P.PEOPLE, P.CASES]),
    (
        "assessor@northbridge.example",
        "Bea Lindqvist",
        [P.PEOPLE, P.CASES, P.BEDROOM_ASSESSMENTS],
    ),
    (
        "teamleader@northbridge.example",
        "Tom Adeyemi",
        [P.PEOPLE, P.CASES, P.QUEUE, P.BEDROOM_ASSESSMENTS, P.MOVE_STRANDS, P.EXPORT],
    ),
    ("reception@northbridge.example", "Rina Patel", [P.PEOPLE]),
]

TEAMS = [
    ("Housing Options", True),
    ("Housing Register", True),
    ("Homelessness Prevention", True),
    ("Rough Sleeper Outreach", True),
    ("Customer Services", False),
]

STREETS = [
    "Mill Lane",
    "Station Road",
    "Chapel Street",
    "Orchard Close",
    "Victoria Terrace",
    "Canal Walk",
    "Beech Avenue",
    "Foundry Court",
    "Market Row",
    "Willow Crescent",
]
FIRST_F = ["Amira", "Grace", "Zofia", "Chloe", "Aisha", "Megan", "Priya", "Hannah", "Leah", "Ruth"]
FIRST_M = ["Daniel", "Tariq", "Owen", "Marek", "Kwame", "Liam", "Ibrahim", "Callum", "Ravi", "Joel"]
KIDS_F = ["Maya", "Isla", "Noor", "Ava", "Lily", "Esme", "Ruby", "Zara"]
KIDS_M = ["Leo", "Yusuf", "Alfie", "Kai", "Theo", "Finn", "Omar", "Jack"]
SURNAMES = [
    "Khan",
    "Brennan",
    "Nowak",
    "Mensah",
    "Taylor",
    "Hughes",
    "Begum",
    "O'Connor",
    "Sharma",
    "Evans",
    "Kowalski",
    "Ali",
    "Morgan",
    "Osei",
    "Reid",
    "Hussain",
    "Clarke",
    "Davies",
    "Ahmed",
    "Walsh",
    "Campbell",
    "Lewis",
    "Rahman",
    "Fraser",
]


@dataclass
class Member:
    relationship: str
    sex: str
    age: int
    joined_years_ago: int = 1
    left_months_ago: int | None = None
    joint: bool = False
    cannot_share: bool = False
    due_in_weeks: int | None = None


@dataclass
class Shape:
    label: str
    primary_sex: str
    primary_age: int
    members: list[Member] = field(default_factory=list)


M = Member
SHAPES = [
    Shape("single adult", "M", 34),
    Shape("single adult", "F", 58),
    Shape("couple", "F", 29, [M("Partner", "M", 31, joint=True)]),
    Shape(
        "couple with two children",
        "F",
        36,
        [M("Spouse", "M", 38, joint=True), M("Son", "M", 9), M("Daughter", "F", 6)],
    ),
    Shape("lone parent with a baby", "F", 22, [M("Daughter", "F", 0)]),
    Shape("lone parent with teenagers", "F", 44, [M("Son", "M", 15), M("Daughter", "F", 13)]),
    Shape(
        "couple with an adult son", "M", 52, [M("Spouse", "F", 50, joint=True), M("Son", "M", 23)]
    ),
    Shape(
        "partner has left", "F", 33, [M("Partner", "M", 35, left_months_ago=4), M("Son", "M", 7)]
    ),
    Shape(
        "grandparents raising a grandchild",
        "F",
        63,
        [M("Spouse", "M", 66, joint=True), M("Grandchild", "F", 11)],
    ),
    Shape(
        "three generations",
        "M",
        41,
        [
            M("Partner", "F", 39, joint=True),
            M("Parent", "F", 72),
            M("Son", "M", 12),
            M("Son", "M", 10),
        ],
    ),
    Shape("adult siblings", "F", 27, [M("Brother", "M", 24)]),
    Shape(
        "lone father, older child moved out",
        "M",
        47,
        [M("Daughter", "F", 19, left_months_ago=2), M("Son", "M", 16)],
    ),
    Shape("couple expecting a baby", "F", 26, [M("Partner", "M", 28, joint=True)]),
    Shape(
        "child who cannot share a bedroom",
        "F",
        38,
        [M("Son", "M", 8, cannot_share=True), M("Son", "M", 5)],
    ),
    Shape(
        "large family",
        "M",
        45,
        [
            M("Spouse", "F", 43, joint=True),
            M("Son", "M", 17),
            M("Daughter", "F", 14),
            M("Son", "M", 12),
            M("Daughter", "F", 4),
        ],
    ),
    Shape("single adult with a carer", "M", 61, [M("Carer", "F", 45)]),
    Shape(
        "two couples",
        "F",
        49,
        [M("Spouse", "M", 51, joint=True), M("Son", "M", 25), M("Other relative", "F", 24)],
    ),
    Shape("young person leaving care", "M", 18),
    Shape(
        "lone parent, children aged 9 and 10", "M", 37, [M("Daughter", "F", 10), M("Son", "M", 9)]
    ),
    Shape(
        "couple, lodger left",
        "F",
        55,
        [M("Partner", "F", 53, joint=True), M("Friend or lodger", "M", 30, left_months_ago=7)],
    ),
    Shape("lone parent with twins", "F", 31, [M("Daughter", "F", 3), M("Son", "M", 3)]),
    Shape("older person", "F", 81),
    Shape(
        "couple with a disabled adult son",
        "M",
        58,
        [M("Spouse", "F", 57, joint=True), M("Son", "M", 26, cannot_share=True)],
    ),
    Shape(
        "lone parent expecting",
        "F",
        24,
        [M("Son", "M", 2)],
    ),
]
# Invariant the README relies on: the couple expecting a baby has a due date.
EXPECTING = {"couple expecting a baby": 10, "lone parent expecting": 14}

PORTAL_APPLICANTS = {0, 3, 4, 7, 9}  # indexes into SHAPES whose primary applicant has an account


def _born(rng: random.Random, age: int) -> dt.date:
    """A date of birth giving `age` on TODAY."""
    latest = TODAY.replace(year=TODAY.year - age)
    return latest - dt.timedelta(days=rng.randint(1, 360))


def _person(rng: random.Random, sex: str, age: int, surname: str, used: set[str]) -> Person:
    if age < 18:
        pool = KIDS_F if sex == "F" else KIDS_M
    else:
        pool = FIRST_F if sex == "F" else FIRST_M
    choices = [n for n in pool if n not in used] or pool
    first = rng.choice(choices)
    used.add(first)
    return Person(first_name=first, last_name=surname, date_of_birth=_born(rng, age), sex=sex)


def seed_demo(session: Session, *, force: bool = False) -> bool:
    """Add the demo data. Returns False (and does nothing) if the database has any data."""
    if not force and (
        session.scalar(select(User.id).limit(1)) is not None
        or session.scalar(select(Case.id).limit(1)) is not None
    ):
        return False
    rng = random.Random(2026)
    teams = {name: Team(name=name, allows_cases=allows) for name, allows in TEAMS}
    session.add_all(teams.values())
    session.flush()

    officers: list[User] = []
    for email, name, permissions in OFFICERS:
        team = teams["Housing Register"] if P.QUEUE in permissions else teams["Housing Options"]
        officers.append(
            create_officer(
                session,
                SYSTEM,
                email=email,
                name=name,
                permissions=permissions,
                password=DEMO_PASSWORD,
                team=team,
            )
        )
    caseworkers = [u for u in officers if P.CASES in u.permissions]
    accounts: dict[int, tuple[PortalAccount, Case]] = {}
    case_teams = [t for t in teams.values() if t.allows_cases]

    for index, shape in enumerate(SHAPES):
        surname = SURNAMES[index % len(SURNAMES)]
        used: set[str] = set()
        primary = _person(rng, shape.primary_sex, shape.primary_age, surname, used)
        primary.phone = f"07700 900{index:03d}"
        primary.email = (
            f"{primary.first_name.lower()}.{surname.lower().replace(chr(39), '')}@example.com"
        )
        primary.preferred_contact = rng.choice(["Email", "Phone", "Text message"])
        primary.addresses.append(
            Address(
                line_1=f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
                town="Northbridge",
                postcode=f"NB{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                date_from=TODAY - dt.timedelta(days=365 * 3),
            )
        )
        if index % 3 == 0:
            primary.addresses.append(
                Address(
                    line_1=f"Flat {rng.randint(1, 30)}, {rng.choice(STREETS)}",
                    town="Northbridge",
                    postcode="NB2 4QT",
                    date_from=TODAY - dt.timedelta(days=365 * 6),
                    date_to=TODAY - dt.timedelta(days=365 * 3),
                )
            )
        if shape.label in EXPECTING:
            primary.pregnancy_due_date = TODAY + dt.timedelta(weeks=EXPECTING[shape.label])
        officer = caseworkers[index % len(caseworkers)]
        joined = TODAY - dt.timedelta(days=365 * 2 + index * 11)
        case = household.open_case(
            session,
            Actor.officer(officer),
            primary,
            team_id=case_teams[index % len(case_teams)].id,
            date_joined=joined,
            officer=officer,
            summary=f"Demo household: {shape.label}.",
        )
        case.created_at = dt.datetime.combine(joined, dt.time(10, 0), dt.UTC)
        if index % 4 == 1:
            case.officers.append(CaseOfficer(user=officers[4], role=OfficerRole.SUPERVISOR.value))
        for member in shape.members:
            person = _person(rng, member.sex, member.age, surname, used)
            person.cannot_share_bedroom = member.cannot_share
            member_joined = max(joined, person.date_of_birth or joined)
            link = household.add_member(
                session,
                Actor.officer(officer),
                case,
                person,
                relationship=member.relationship,
                date_joined=member_joined,
                joint_applicant=member.joint,
            )
            if member.relationship in ("Partner", "Spouse", "Civil partner"):
                link.partner_person_id = primary.id
                primary_link = case.primary
                assert primary_link is not None
                primary_link.partner_person_id = person.id
            if member.left_months_ago is not None:
                household.record_leaving(
                    session,
                    Actor.officer(officer),
                    link,
                    TODAY - dt.timedelta(days=30 * member.left_months_ago),
                )
        if index % 6 != 5:  # most households are on the housing register
            open_strand(session, Actor.officer(officer), case, HOUSING_REGISTER, on=joined)
            if any(m.left_months_ago is not None for m in shape.members):
                recalculate(
                    session,
                    Actor.officer(officer),
                    case,
                    cause=HOUSEHOLD_CHANGE,
                    cause_detail="Household changes recorded by the officer",
                    on=TODAY,
                )
        if index in PORTAL_APPLICANTS and primary.email:
            account = create_portal_account(
                session, email=primary.email, password=DEMO_PASSWORD, verified=True
            )
            account.person_id = primary.id
            accounts[index] = (account, case)
    session.flush()
    _seed_changes(session, accounts, reviewer=officers[1])
    _seed_referrals(session, officer=officers[2])
    return True


def _seed_changes(
    session: Session, accounts: dict[int, tuple[PortalAccount, Case]], *, reviewer: User
) -> None:
    """A few changes reported through the portal: some waiting (one overdue), some decided."""
    notifier = Notifier("Housing options", "Northbridge Borough Council", "/your-changes")
    today = clock.today()

    def primary_id(case: Case) -> int:
        assert case.primary is not None
        return case.primary.person_id

    def member_id(case: Case, relationship: str) -> int:
        return next(
            cp.person_id for cp in case.people if cp.relationship_to_primary == relationship
        )

    def report(index: int, kind: str, payload: dict[str, object], days_ago: int) -> PendingChange:
        account, case = accounts[index]
        change = engine.submit(
            session,
            account,
            case,
            kind,
            payload,
            idempotency_key=f"demo-{index}-{kind}-{days_ago}",
            today=today - dt.timedelta(days=days_ago),
        )
        change.submitted_at = change.submitted_at - dt.timedelta(days=days_ago)
        return change

    account, case = accounts[0]
    report(
        0,
        "contact",
        {
            "person_id": primary_id(case),
            "email": account.email,
            "phone": "07700 900555",
            "preferred_contact": "Text message",
        },
        2,
    )
    _, case = accounts[3]
    report(
        3,
        "left",
        {
            "person_id": member_id(case, "Spouse"),
            "date_left": (today - dt.timedelta(days=25)).isoformat(),
        },
        20,
    )
    report(
        4,
        "joined",
        {
            "first_name": "Callum",
            "last_name": "Hughes",
            "date_of_birth": "1999-07-14",
            "sex": "M",
            "relationship": "Partner",
            "date_joined": (today - dt.timedelta(days=10)).isoformat(),
        },
        6,
    )
    _, case = accounts[9]
    report(
        9, "relationship", {"person_id": member_id(case, "Partner"), "relationship": "Spouse"}, 1
    )
    _, case = accounts[7]
    applicant = primary_id(case)
    accepted = report(
        7,
        "other",
        {
            "person_id": applicant,
            "details": "I have started work at the hospital, 20 hours a week.",
        },
        30,
    )
    engine.accept(
        session,
        reviewer,
        accepted,
        expected_version=accepted.version,
        today=today - dt.timedelta(days=25),
        notifier=notifier,
    )
    rejected = report(
        7,
        "pregnancy",
        {"person_id": applicant, "due_date": (today + dt.timedelta(weeks=20)).isoformat()},
        14,
    )
    engine.reject(
        session,
        reviewer,
        rejected,
        reason="We need the MATB1 form or a letter from your midwife. Please report it again with one of these.",
        expected_version=rejected.version,
        notifier=notifier,
    )
    session.flush()


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
