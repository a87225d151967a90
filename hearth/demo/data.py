"""The invented council: officers, teams, streets, names and the shapes of its households."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from domain.vocab import Permission

DEMO_PASSWORD = "hearth-demo-2026"
TODAY = dt.date(2026, 11, 1)

P = Permission
OFFICERS = [
    (
        "admin@northbridge.example",
        "Ada Okafor",
        [P.ADMIN, P.PEOPLE, P.CASES, P.EXPORT, P.SUPERVISE],
    ),
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
        [
            P.PEOPLE,
            P.CASES,
            P.QUEUE,
            P.BEDROOM_ASSESSMENTS,
            P.RESTRICTED,
            P.MOVE_STRANDS,
            P.EXPORT,
            P.SUPERVISE,
        ],
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

NEW_APPLICANT = "jo.bright@example.com"  # an account with no case yet, to apply with
PORTAL_APPLICANTS = {0, 3, 4, 7, 9}  # indexes into SHAPES whose primary applicant has an account
