"""Applying to join the housing register online (SPEC P7).

The portal's journey collects a :class:`RegisterApplication`; this module holds the rules it is
checked by — who may apply at all (:func:`eligibility_exit`: the exits the journey explains), what
a complete application needs (:func:`check`) — and what sending it does, in one transaction
(:func:`submit`):

- the applicant: the person record the portal account is linked to, else a new one (a record
  already held with the same name and date of birth is not linked to a stranger's account: it is
  named in the history so an officer can check, and the new record stands until they do);
- the household: each member matched to someone already on the applicant's active case (same
  name and date of birth), else to a person held with that name and date of birth, else created,
  and joined to the case from today;
- the case: the applicant's active case where they are the primary applicant, else a new one;
- a Housing Register application at its first status, holding the answers an officer decides on,
  which opens the Bedroom assessment (worked out for the whole household); a Health assessment
  for each person the applicant says has a medical condition or disability;
- the account linked to the applicant's record, history, and a receipt email.

The type's cardinality rule still holds: a primary applicant with a current Housing Register
application is refused, in words, before anything is created.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from domain import assessments, drafts, history, household, people, strands
from domain.accounts import Mailer
from domain.clock import long_date
from domain.council_settings import get_setting
from domain.errors import Conflict, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Address, Case, Person, PortalAccount
from domain.outbox import queue_email
from domain.referrals.submit import active_case_of, find_person, referral_team_id
from domain.strands import HEALTH_ASSESSMENT, HOUSING_REGISTER, Strand
from domain.vocab import CONTACT_METHODS, RELATIONSHIPS, Sex

JOURNEY = "apply"  # the draft's journey code (kept for 30 days: domain.drafts.MAX_AGE)
MIN_AGE = 18
HOUSEHOLD_MAX = 12
PREVIOUS_ADDRESSES_MAX = 5
ADDRESS_HISTORY_YEARS = 5  # previous addresses are asked for until they cover this long
TEAM_SETTING = "applications.team_id"  # the team new application cases go to (else referrals')

# Immigration status, in the applicant's words: code -> (words, what it means for applying).
ELIGIBLE, CHECK, NOT_ELIGIBLE = "eligible", "check", "not_eligible"
IMMIGRATION_STATUSES: dict[str, tuple[str, str]] = {
    "british_irish": ("I am a British or Irish citizen", ELIGIBLE),
    "settled": (
        "I have settled status under the EU Settlement Scheme, or indefinite leave to remain",
        ELIGIBLE,
    ),
    "refugee": ("I have refugee status or humanitarian protection", ELIGIBLE),
    "pre_settled": ("I have pre-settled status under the EU Settlement Scheme", CHECK),
    "visa": (
        "I have a visa or permission to stay for work, study or to join family, "
        "with no recourse to public funds",
        NOT_ELIGIBLE,
    ),
    "none": ("I do not have permission to stay in the UK", NOT_ELIGIBLE),
    "not_sure": ("I am not sure", CHECK),
}
# A connection with the council's area ({council} is its name).
LOCAL_CONNECTIONS: dict[str, str] = {
    "lived": "I have lived in {council} for the last 2 years or more",
    "work": "I work in {council} for 16 hours a week or more",
    "family": "A parent, brother, sister or adult child has lived in {council} for 5 years or more",
    "special": (
        "I need to move to {council} to be safe, to give or get care, or because I am leaving "
        "the armed forces"
    ),
    "none": "None of these",
}

# Why the journey stops, each explained on its own page.
EXIT_AGE, EXIT_IMMIGRATION, EXIT_CONNECTION, EXIT_REGISTERED = (
    "age",
    "immigration",
    "connection",
    "registered",
)


def eligibility_exit(
    *,
    over_18: str | None,
    immigration: str | None,
    connection: str | None,
    registered: str | None,
) -> str | None:
    """Which exit the eligibility answers so far lead to (None: the person may go on). Each
    argument is the answer's code, or None when not yet answered."""
    if over_18 == "no":
        return EXIT_AGE
    if immigration is not None and IMMIGRATION_STATUSES.get(immigration, ("", ""))[1] == (
        NOT_ELIGIBLE
    ):
        return EXIT_IMMIGRATION
    if connection == "none":
        return EXIT_CONNECTION
    if registered == "yes":
        return EXIT_REGISTERED
    return None


def area_of(council: str) -> str:
    """The council's area, from its name: "Northbridge Borough Council" -> "Northbridge"."""
    for suffix in (
        " Metropolitan Borough Council",
        " Royal Borough Council",
        " Borough Council",
        " District Council",
        " City Council",
        " County Council",
        " Council",
    ):
        if council.endswith(suffix) and len(council) > len(suffix):
            return council.removesuffix(suffix)
    return council


def connection_words(code: str, council: str) -> str:
    return LOCAL_CONNECTIONS.get(code, code).format(council=area_of(council))


def immigration_words(code: str) -> str:
    return IMMIGRATION_STATUSES.get(code, (code, ""))[0]


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    return (
        on.year
        - date_of_birth.year
        - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    )


@dataclass(frozen=True)
class Member:
    first_name: str
    last_name: str
    date_of_birth: dt.date
    sex: str  # Sex value
    relationship: str  # to the applicant

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class Home:
    line_1: str
    line_2: str | None
    town: str | None
    postcode: str | None
    date_from: dt.date

    def words(self) -> str:
        lines = [self.line_1, self.line_2, self.town, self.postcode]
        return ", ".join(line for line in lines if line)


@dataclass(frozen=True)
class RegisterApplication:
    """What the journey collected, typed. :func:`check` checks it again."""

    immigration_status: str
    local_connection: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    sex: str
    address: Home
    preferred_contact: str
    declaration: bool
    ni_number: str | None = None
    members: tuple[Member, ...] = ()
    previous_addresses: tuple[Home, ...] = ()
    email: str | None = None
    phone: str | None = None
    communication_needs: str | None = None
    preferred_areas: str | None = None
    medical_people: tuple[int, ...] = ()  # 0 the applicant, n the n-th member
    medical_details: str | None = None
    council_name: str = field(default="the council", compare=False)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def needs_previous_addresses(moved_in: dt.date | None, today: dt.date) -> bool:
    """Previous addresses are asked for when the current one covers less than five years."""
    if moved_in is None:
        return False
    try:
        since = today.replace(year=today.year - ADDRESS_HISTORY_YEARS)
    except ValueError:  # 29 February
        since = today.replace(year=today.year - ADDRESS_HISTORY_YEARS, day=28)
    return moved_in > since


def check(application: RegisterApplication, today: dt.date) -> None:
    """The rules an application must meet, whatever sent it (the portal's forms check them
    first); refused with every problem named."""
    a = application
    problems: list[str] = []
    exit_code = eligibility_exit(
        over_18="yes" if age_on(a.date_of_birth, today) >= MIN_AGE else "no",
        immigration=a.immigration_status,
        connection=a.local_connection,
        registered=None,
    )
    if exit_code is not None or a.immigration_status not in IMMIGRATION_STATUSES:
        problems.append("an applicant who can join the register (see 'Check you can apply')")
    if not a.first_name.strip() or not a.last_name.strip():
        problems.append("your first and last name")
    if a.sex not in {s.value for s in Sex}:
        problems.append("your sex")
    if not a.address.line_1.strip() or a.address.date_from > today:
        problems.append("your address and when you moved there")
    if a.preferred_contact not in CONTACT_METHODS:
        problems.append("how we should contact you")
    if a.preferred_contact == "Email" and not a.email:
        problems.append("an email address to contact you by")
    if a.preferred_contact in ("Phone", "Text message") and not a.phone:
        problems.append("a phone number to contact you on")
    if len(a.members) > HOUSEHOLD_MAX:
        problems.append(f"no more than {HOUSEHOLD_MAX} other people in your household")
    for member in a.members:
        if member.relationship not in RELATIONSHIPS or member.date_of_birth > today:
            problems.append(f"{member.full_name}'s relationship to you and date of birth")
    if len(a.previous_addresses) > PREVIOUS_ADDRESSES_MAX:
        problems.append(f"no more than {PREVIOUS_ADDRESSES_MAX} previous addresses")
    if any(home.date_from >= a.address.date_from for home in a.previous_addresses):
        problems.append("previous addresses you moved to before your address now")
    if any(i < 0 or i > len(a.members) for i in a.medical_people):
        problems.append("who has a medical condition, from the people in your household")
    if a.medical_people and not (a.medical_details or "").strip():
        problems.append("how the medical condition or disability affects where you can live")
    if not a.declaration:
        problems.append("your agreement to the declaration")
    if problems:
        raise RuleBroken("Your application needs " + "; ".join(problems) + ".")


@dataclass(frozen=True)
class Submitted:
    case: Case
    application: Strand
    applicant: Person


def submit(
    session: Session,
    account: PortalAccount,
    draft_id: str,
    application: RegisterApplication,
    *,
    mailer: Mailer | None,
    today: dt.date,
) -> Submitted:
    """Send the application (see the module docstring), using up the journey's draft so a second
    "Send" creates nothing (Conflict)."""
    check(application, today)
    if not drafts.consume(session, draft_id):
        raise Conflict("This application has already been sent")
    actor = Actor.applicant(account)
    applicant = account.person or _new_applicant(session, actor, application, today)
    case = _case_for(session, actor, applicant, today)
    _refuse_second_application(session, case, applicant)
    already_open = bool(strands.open_strands(session, case.id, strands.BEDROOM_ASSESSMENT))
    joined = _join_household(session, actor, case, applicant, application, today)
    if already_open and application.members:  # (a new Bedroom assessment works it out itself)
        assessments.recalculate(
            session,
            actor,
            case,
            cause=assessments.HOUSEHOLD_CHANGE,
            cause_detail="Household named in an online housing register application",
            on=today,
        )
    register = strands.open_strand(
        session,
        actor,
        case,
        HOUSING_REGISTER,
        _register_data(application, today),
        on=today,
    )
    if account.person is not None:
        people.change_contact_details(
            session,
            actor,
            applicant,
            email=application.email,
            phone=application.phone,
            preferred_contact=application.preferred_contact,
            case_id=case.id,
        )
    _health_assessments(session, actor, case, [applicant, *joined], application, today)
    if account.person_id is None:
        account.person = applicant
        session.flush()
        history.record(
            session,
            actor,
            HistoryKind.PORTAL_LINKED,
            f"{applicant.full_name} linked their portal account ({account.email}) by applying "
            "online",
            case_id=case.id,
            person_id=applicant.id,
            after={"portal_account": account.email},
        )
    history.record(
        session,
        actor,
        HistoryKind.APPLICATION_SUBMITTED,
        f"{applicant.full_name} applied online to join the housing register ({register.reference})",
        case_id=case.id,
        person_id=applicant.id,
        after={
            "strand": register.reference,
            "household": [m.full_name for m in joined],
            "address": application.address.words(),
            "previous_addresses": [h.words() for h in application.previous_addresses],
        },
    )
    if mailer is not None:
        _send_receipt(session, account, case, register, mailer)
    return Submitted(case, register, applicant)


def _new_applicant(
    session: Session, actor: Actor, a: RegisterApplication, today: dt.date
) -> Person:
    held = find_person(session, a.first_name, a.last_name, a.date_of_birth, on=today)
    person = people.create_person(
        session,
        actor,
        first_name=a.first_name,
        last_name=a.last_name,
        date_of_birth=a.date_of_birth,
        sex=a.sex,
        email=a.email,
        phone=a.phone,
        preferred_contact=a.preferred_contact,
        ni_number=a.ni_number,
        communication_needs=a.communication_needs,
        address=None,
        source="from an online housing register application"
        + (
            f" (a person with the same name and date of birth is held: {held.reference})"
            if held
            else ""
        ),
    )
    # Their addresses, newest first as given: each earlier one ends when the next began.
    homes = [a.address, *a.previous_addresses]
    for newer, home in zip([None, *homes], homes, strict=False):
        person.addresses.append(
            _address(home, date_to=newer.date_from if newer is not None else None)
        )
    session.flush()
    return person


def _address(home: Home, *, date_to: dt.date | None) -> Address:
    return Address(
        line_1=home.line_1,
        line_2=home.line_2,
        town=home.town,
        postcode=home.postcode,
        date_from=home.date_from,
        date_to=date_to,
    )


def _case_for(session: Session, actor: Actor, applicant: Person, today: dt.date) -> Case:
    """The applicant's active case when they are its primary applicant, locked; else a new one."""
    if applicant.id is not None:
        active = active_case_of(session, applicant.id, today)
        primary = active.primary if active is not None else None
        if active is not None and primary is not None and primary.person_id == applicant.id:
            return household.lock_case(session, active.id)
    return household.open_case(
        session,
        actor,
        applicant,
        team_id=application_team_id(session),
        date_joined=today,
        summary="Opened from an online housing register application.",
    )


def application_team_id(session: Session) -> int | None:
    chosen = get_setting(session, TEAM_SETTING)
    return chosen if isinstance(chosen, int) else referral_team_id(session)


def _refuse_second_application(session: Session, case: Case, applicant: Person) -> None:
    clash = strands.blocking_strand(session, case, strands.strand_type(HOUSING_REGISTER))
    if clash is not None:
        raise RuleBroken(
            f"You already have a housing register application ({clash.reference}), so you do not "
            "need to apply again. Tell us about any change in your household or circumstances "
            "from your case page instead."
        )


def _join_household(
    session: Session,
    actor: Actor,
    case: Case,
    applicant: Person,
    a: RegisterApplication,
    today: dt.date,
) -> list[Person]:
    """Each member, matched or created, on the case from today (already there: left as is).
    Returns the members' records in the order given."""
    records: list[Person] = []
    for member in a.members:
        on_case = next(
            (
                cp.person
                for cp in case.people
                if cp.is_member_on(today)
                and cp.person.first_name.lower() == member.first_name.strip().lower()
                and cp.person.last_name.lower() == member.last_name.strip().lower()
                and cp.person.date_of_birth == member.date_of_birth
            ),
            None,
        )
        if on_case is not None:
            records.append(on_case)
            continue
        person = find_person(
            session, member.first_name, member.last_name, member.date_of_birth, on=today
        )
        if person is None or person.id == applicant.id or person in records:
            person = people.create_person(
                session,
                actor,
                first_name=member.first_name,
                last_name=member.last_name,
                date_of_birth=member.date_of_birth,
                sex=member.sex,
                source=f"named in {applicant.full_name}'s online housing register application",
                case_id=case.id,
            )
        household.join(
            session, actor, case, person, relationship=member.relationship, date_joined=today
        )
        records.append(person)
    return records


def _register_data(a: RegisterApplication, today: dt.date) -> dict[str, object]:
    data: dict[str, object] = {
        "application_date": today.isoformat(),
        "applied_online": True,
        "immigration_status": immigration_words(a.immigration_status),
        "local_connection": connection_words(a.local_connection, a.council_name),
        "addresses": "\n".join(
            f"{home.words()} (from {long_date(home.date_from)})"
            for home in (a.address, *a.previous_addresses)
        ),
    }
    if a.preferred_areas:
        data["preferred_areas"] = a.preferred_areas
    if a.medical_details:
        data["medical_needs"] = a.medical_details
    return data


def _health_assessments(
    session: Session,
    actor: Actor,
    case: Case,
    household_people: Sequence[Person],
    a: RegisterApplication,
    today: dt.date,
) -> None:
    for index in sorted(set(a.medical_people)):
        person = household_people[index]
        strands.open_strand(
            session,
            actor,
            case,
            HEALTH_ASSESSMENT,
            {"person": person.id, "medical_condition": a.medical_details},
            on=today,
        )


def _send_receipt(
    session: Session, account: PortalAccount, case: Case, register: Strand, mailer: Mailer
) -> None:
    queue_email(
        session,
        to=account.email,
        subject=f"Housing register application {register.reference} received – "
        f"{mailer.service_name}",
        body=(
            f"{mailer.council_name} has received your application to join the housing "
            f"register.\n\n"
            f"Your application reference is {register.reference}. Your case reference is "
            f"{case.reference}.\n\n"
            "What happens next: an officer will check your application and may ask you for "
            "documents, such as proof of your identity, address and income. We aim to decide "
            "within 8 weeks. You can see where your application stands, and send us anything we "
            f"ask for, by signing in to {mailer.service_name}.\n\n"
            "Tell us straight away if anything changes in your household or where you live."
        ),
        kind="application.receipt",
        case_id=case.id,
    )


__all__ = [
    "EXIT_AGE",
    "EXIT_CONNECTION",
    "EXIT_IMMIGRATION",
    "EXIT_REGISTERED",
    "HOUSEHOLD_MAX",
    "IMMIGRATION_STATUSES",
    "JOURNEY",
    "LOCAL_CONNECTIONS",
    "MIN_AGE",
    "PREVIOUS_ADDRESSES_MAX",
    "Home",
    "Member",
    "RegisterApplication",
    "Submitted",
    "age_on",
    "area_of",
    "check",
    "connection_words",
    "eligibility_exit",
    "immigration_words",
    "needs_previous_addresses",
    "submit",
]
