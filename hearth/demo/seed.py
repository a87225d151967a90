"""Seeding the demo council: teams, officers, households, assessments, accounts."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from changes.engine import Notifier
from domain import (
    case_tasks,
    clock,
    evidence_requests,
    files,
    household,
    message_templates,
    messages,
    notes,
    tasks,
)
from domain.accounts import create_officer, create_portal_account
from domain.assessments import HOUSEHOLD_CHANGE, recalculate
from domain.history import SYSTEM, Actor
from domain.models import Address, Case, CaseOfficer, Person, PortalAccount, Team, User
from domain.storage import FileStore
from domain.strands import HOMELESS_APPLICATION, HOUSING_REGISTER, open_strand, open_strands
from domain.vocab import OfficerRole
from domain.working_days import add_working_days, subtract_working_days
from hearth.demo.changes import _seed_changes
from hearth.demo.data import (
    DEMO_PASSWORD,
    EXPECTING,
    FIRST_F,
    FIRST_M,
    KIDS_F,
    KIDS_M,
    NEW_APPLICANT,
    OFFICERS,
    PORTAL_APPLICANTS,
    SHAPES,
    STREETS,
    SURNAMES,
    TEAMS,
    TODAY,
    P,
)
from hearth.demo.referrals import _seed_referrals
from web.settings import Settings


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


def seed_demo(
    session: Session,
    *,
    force: bool = False,
    settings: Settings | None = None,
    store: FileStore | None = None,
) -> bool:
    """Add the demo data. Returns False (and does nothing) if the database has any data.

    `settings` (the defaults if not given) word the emails the demo's decided changes send;
    given a file `store`, the demo case also gets two uploaded files."""
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
            register = open_strand(
                session, Actor.officer(officer), case, HOUSING_REGISTER, on=joined
            )
            # applied two years ago: the checks were done then, outside Hearth
            tasks.cancel_for_strand(
                session, SYSTEM, register, "Done before the council moved to Hearth", done=True
            )
            # The household has changed since the application (babies born, people left):
            # the assessment in force is worked out from the household as it is today.
            recalculate(
                session,
                Actor.officer(officer),
                case,
                cause=HOUSEHOLD_CHANGE,
                cause_detail="Household changes recorded by the officer",
                on=clock.today(),
            )
        if index in PORTAL_APPLICANTS and primary.email:
            account = create_portal_account(
                session, email=primary.email, password=DEMO_PASSWORD, verified=True
            )
            account.person_id = primary.id
            accounts[index] = (account, case)
    session.flush()
    settings = settings or Settings()
    notifier = Notifier(
        settings.service_name,
        settings.council_name,
        f"{settings.base_url}/your-changes",
        settings.council_phone,
    )
    _seed_changes(session, accounts, reviewer=officers[1], notifier=notifier)
    _seed_referrals(session, officer=officers[2])
    _seed_notes(session, accounts, officers[1])
    _seed_tasks(session, accounts, team_leader=officers[4])
    if store is not None:
        _seed_files(session, store, accounts, officers[1])
    _seed_messages(session, accounts, officers[1], settings)
    _seed_applying(session, accounts, team_leader=officers[4])
    # The council's case tasks, saved last: cases opened from now on (a referral, a new case in
    # the demo) set them going, the seeded ones above stay as they were.
    case_tasks.save(session, SYSTEM, case_tasks.EXAMPLE, expected_version=0)
    return True


def _seed_tasks(
    session: Session, accounts: dict[int, tuple[PortalAccount, Case]], *, team_leader: User
) -> None:
    """A homeless application opened four working days ago on the first portal applicant's case,
    so its tasks from the template are there (two of them overdue), one of them given to the
    team leader the demo signs in as, and an ad-hoc task of theirs: My work shows something."""
    if not accounts:
        return
    _account, case = accounts[min(accounts)]
    today = clock.today()
    opened = subtract_working_days(today, 4)
    application = open_strand(session, SYSTEM, case, HOMELESS_APPLICATION, on=opened)
    session.flush()
    made = {t.template_key: t for t in tasks.case_tasks(session, case.id, strand_id=application.id)}
    actor = Actor.officer(team_leader)
    tasks.reassign(
        session,
        actor,
        made["medical_evaluation"],
        assignee_id=team_leader.id,
        team_id=team_leader.team_id,
    )
    tasks.add_task(
        session,
        actor,
        case,
        name="Check the landlord's notice is valid",
        strand_id=application.id,
        assignee_id=team_leader.id,
        team_id=team_leader.team_id,
        target_date=add_working_days(today, 2),
        today=today,
    )


def _pdf(title: str) -> bytes:
    """A small, valid one-page PDF saying `title` (demo files open in any viewer)."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _seed_files(
    session: Session,
    store: FileStore,
    accounts: dict[int, tuple[PortalAccount, Case]],
    officer: User,
) -> None:
    """Two files an officer uploaded to the first portal applicant's case (the Files tab)."""
    if not accounts:
        return
    _account, case = accounts[min(accounts)]
    primary = case.primary
    assert primary is not None
    for category, name, title, person in (
        ("Proof of address", "council tax bill.pdf", "Council tax bill 2026/27", primary.person_id),
        ("Medical evidence", "GP letter.pdf", "Letter from the GP surgery", None),
    ):
        files.upload_to_case(
            session,
            store,
            Actor.officer(officer),
            officer,
            case,
            [files.Upload.of(name, _pdf(title))],
            category=category,
            description="",
            person_id=person,
            strand_id=None,
            max_bytes=10 * 1024 * 1024,
        )


def _seed_notes(
    session: Session, accounts: dict[int, tuple[PortalAccount, Case]], officer: User
) -> None:
    """An alert, notes and an action on the first portal applicant's case, so the Notes &
    actions tab, the case header and the review page of its change show what they look like."""
    if not accounts:
        return
    _account, case = accounts[min(accounts)]
    actor = Actor.officer(officer)
    today = clock.today()
    primary = case.primary
    assert primary is not None
    notes.add_alert(
        session,
        actor,
        officer,
        notes.About(case=case, person=primary.person),
        alert_type="Interpreter needed",
        text="Prefers Urdu for anything about the tenancy; book the interpreting service",
        date_from=None,
        date_until=None,
        today=today,
    )
    notes.add_note(
        session,
        actor,
        officer,
        notes.About(case=case),
        category="Phone call",
        text="Called about the housing register band; explained the medical assessment route.",
    )
    notes.add_note(
        session,
        actor,
        officer,
        notes.About(case=case, person=primary.person),
        category="Office interview",
        text="Brought proof of address and the children's birth certificates; copies taken.",
    )
    notes.add_action(
        session,
        actor,
        officer,
        notes.About(case=case),
        what="Ask the GP for the medical evidence",
        assignee_id=officer.id,
        team_id=None,
        due_date=today + dt.timedelta(days=7),
        today=today,
    )


def _seed_applying(
    session: Session, accounts: dict[int, tuple[PortalAccount, Case]], *, team_leader: User
) -> None:
    """An account with no case yet, to apply to the register with; and evidence the team leader
    asked the first portal applicant for, now overdue (their case page and My work show it)."""
    create_portal_account(session, email=NEW_APPLICANT, password=DEMO_PASSWORD, verified=True)
    if not accounts:
        return
    _account, case = accounts[min(accounts)]
    register = next(iter(open_strands(session, case.id, HOUSING_REGISTER)), None)
    asked = evidence_requests.ask(
        session,
        Actor.officer(team_leader),
        team_leader,
        case,
        what="Proof of income for the last 3 months",
        why="To check your household's income is under the limit for the housing register.",
        due_date=clock.today(),
        strand=register,
        person_id=None,
        today=clock.today(),
    )
    asked.due_date = clock.today() - dt.timedelta(days=3)  # (asked 17 days ago, in the story)


def _seed_messages(
    session: Session,
    accounts: dict[int, tuple[PortalAccount, Case]],
    officer: User,
    settings: Settings,
) -> None:
    """An email and a text message template, and an email sent from the first portal
    applicant's case, so the Comms tab and the template admin show what they look like."""
    actor = Actor.officer(officer)
    email = message_templates.save_template(
        session,
        actor,
        template=None,
        channel="email",
        name="Appointment at the civic centre",
        subject="Your housing appointment – {{ case.reference }}",
        body=(
            "Dear {{ person.full_name }},\n\nPlease come to the civic centre to talk about your "
            "housing application. Bring proof of your address and income.\n\nIf you cannot "
            "come, call us on {{ council.phone }}.\n\n{{ officer.name }}\n{{ council.name }}"
        ),
    )
    message_templates.save_template(
        session,
        actor,
        template=None,
        channel="sms",
        name="Documents reminder",
        subject="",
        body=(
            "Hi {{ person.first_name }}, this is {{ council.name }}. Please send the documents "
            "we asked for (case {{ case.reference }}). Questions? Call {{ council.phone }}."
        ),
    )
    message_templates.save_template(
        session,
        actor,
        template=None,
        channel="email",
        name="Housing register decision",
        subject="Your housing register application {{ strand.reference }}",
        body=(
            "Dear {{ person.full_name }},\n\nWe have decided your application "
            "{{ strand.reference }} to join the housing register.\n\n"
            "{% if strand.decision == 'Qualifies' %}You qualify. You are in {{ strand.band }} "
            "from {{ strand.effective_date }}. Your bidding number is "
            "{{ strand.bidding_number }}: use it to bid for homes.{% else %}You do not qualify "
            "to join the register, because: {{ strand.reason }}\n\nYou can ask for a review of "
            "this decision within 21 days of this email.{% endif %}\n\n"
            "If you have questions, call us on {{ council.phone }}.\n\n"
            "{{ officer.name }}\n{{ council.name }}"
        ),
    )
    if not accounts:
        return
    _account, case = accounts[min(accounts)]
    primary = case.primary
    assert primary is not None
    if primary.person.email:
        draft = messages.draft(
            session,
            case,
            email,
            person_id=primary.person_id,
            strand_id=None,
            officer=officer,
            council=message_templates.Council(
                settings.council_name, settings.council_phone, settings.service_name
            ),
            today=clock.today(),
        )
        messages.send(
            session,
            actor,
            officer,
            case,
            email,
            person_id=primary.person_id,
            strand_id=None,
            subject=draft.subject,
            body=draft.body,
            today=clock.today(),
        )
