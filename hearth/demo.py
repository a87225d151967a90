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

from domain import household
from domain.accounts import create_officer, create_portal_account
from domain.history import SYSTEM, Actor
from domain.models import Address, Case, CaseOfficer, Person, Team, User
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
        if index in PORTAL_APPLICANTS and primary.email:
            account = create_portal_account(
                session, email=primary.email, password=DEMO_PASSWORD, verified=True
            )
            account.person_id = primary.id
    session.flush()
    return True
