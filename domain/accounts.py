"""Officer and applicant accounts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from domain import history, login_sessions, throttle
from domain.errors import Conflict, RuleBroken, TooManyAttempts
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import (
    Case,
    PortalAccount,
    Team,
    User,
    UserPermission,
    parse_case_reference,
    utcnow,
)
from domain.outbox import queue_email
from domain.passwords import hash_password, password_problem, verify_password
from domain.signin import Client, SignedIn, start_for
from domain.tokens import (
    LinkExpired,
    LinkInvalid,
    make_reset_token,
    make_verify_token,
    password_fingerprint,
    read_reset_token,
    read_verify_token,
)
from domain.vocab import CaseStatus, Permission


def email_problem(email: str) -> str | None:
    """What is wrong with an email address, or None (for a form's own check of the field)."""
    try:
        normalise_email(email)
    except RuleBroken as exc:
        return str(exc)
    return None


def normalise_email(email: str) -> str:
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise RuleBroken(
            "Enter an email address in the correct format, like name@example.com", field="email"
        ) from None
    return result.normalized.lower()


def create_officer(
    session: Session,
    actor: Actor,
    *,
    email: str,
    name: str,
    permissions: Iterable[Permission],
    password: str | None = None,
    team: Team | None = None,
) -> User:
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise RuleBroken("Enter the officer's name", field="name")
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise RuleBroken(f"An officer with the email {email} already exists", field="email")
    if password is not None:
        problem = password_problem(password)
        if problem:
            raise RuleBroken(problem, field="password")
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password) if password else None,
        team=team,
        permission_rows=[UserPermission(permission=p.value) for p in sorted(set(permissions))],
    )
    session.add(user)
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.OFFICER_CREATED,
        f"Officer {name} <{email}> created",
        after={"email": email, "permissions": sorted(p.value for p in permissions)},
    )
    return user


def create_portal_account(
    session: Session, *, email: str, password: str, verified: bool = False
) -> PortalAccount:
    email = normalise_email(email)
    problem = password_problem(password)
    if problem:
        raise RuleBroken(problem, field="password")
    account = PortalAccount(
        email=email,
        password_hash=hash_password(password),
        email_verified_at=utcnow() if verified else None,
    )
    session.add(account)
    session.flush()
    return account


# --- applicants ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkDetailsWrong:
    """The case reference and date of birth do not match an applicant on an active case."""

    message: str


@dataclass(frozen=True)
class Mailer:
    """What account and referral emails need to know about the service, and how to build
    links."""

    council_name: str
    service_name: str
    secret: str
    link: Callable[[str, str], str]  # (route name, token) -> absolute URL
    council_phone: str  # the housing options team's number (settings.council_phone)
    out_of_hours_phone: str  # the out-of-hours emergency number


def _find_account(session: Session, email: str) -> PortalAccount | None:
    return session.scalar(
        select(PortalAccount).where(func.lower(PortalAccount.email) == email.strip().lower())
    )


def send_verification(session: Session, account: PortalAccount, mailer: Mailer) -> None:
    token = make_verify_token(mailer.secret, account.id, account.email)
    queue_email(
        session,
        to=account.email,
        subject=f"Confirm your email address – {mailer.service_name}",
        body=(
            f"Confirm your email address to finish creating your {mailer.service_name} account "
            f"with {mailer.council_name}:\n\n{mailer.link('account_verify', token)}\n\n"
            "The link works for 3 days. If you did not create an account, ignore this email."
        ),
        kind="account.verify",
    )


def sign_up(session: Session, *, email: str, password: str, mailer: Mailer, client: str) -> None:
    """Create an account and email a confirmation link.

    If the email already has an account, nothing is created and the owner is emailed instead.
    Both paths do the same work — the password is hashed, one email is queued for the worker to
    send — so neither the page nor its timing tells anyone who has an account.
    """
    email = normalise_email(email)
    problem = password_problem(password)
    if problem:
        raise RuleBroken(problem, field="password")
    gate = throttle.reserve(session, "sign_up", email, client)
    if isinstance(gate, throttle.Throttled):
        raise TooManyAttempts(gate.message, retry_after_seconds=gate.seconds)
    gate.succeeded()
    password_hash = hash_password(password)
    existing = _find_account(session, email)
    if existing is not None:
        queue_email(
            session,
            to=existing.email,
            subject=f"You already have an account – {mailer.service_name}",
            body=(
                f"Someone tried to create a {mailer.service_name} account with this email "
                "address, but you already have one. Sign in, or reset your password if you "
                f"have forgotten it:\n\n{mailer.link('password_reset_request', '')}\n\n"
                "If this was not you, you do not need to do anything."
            ),
            kind="account.exists",
        )
        return
    account = PortalAccount(email=email, password_hash=password_hash)
    session.add(account)
    session.flush()
    send_verification(session, account, mailer)


@dataclass(frozen=True)
class LinkProblem:
    """A link from an email that cannot be used: too old (`expired`), or not genuine or used."""

    expired: bool


def verify_email(session: Session, token: str, secret: str) -> PortalAccount | LinkProblem:
    try:
        account_id, email = read_verify_token(secret, token)
    except LinkExpired:
        return LinkProblem(expired=True)
    except LinkInvalid:
        return LinkProblem(expired=False)
    account = session.get(PortalAccount, account_id)
    if account is None or account.email != email:
        return LinkProblem(expired=False)
    if account.email_verified_at is None:
        account.email_verified_at = utcnow()
    return account


def request_password_reset(session: Session, email: str, mailer: Mailer, client: str) -> None:
    """Email a reset link if there is such an account; the caller shows the same page anyway."""
    email = email.strip().lower()
    gate = throttle.reserve(session, "password_reset", email, client)
    if isinstance(gate, throttle.Throttled):
        raise TooManyAttempts(gate.message, retry_after_seconds=gate.seconds)
    gate.succeeded()
    account = _find_account(session, email)
    if account is None or not account.active:
        return
    token = make_reset_token(mailer.secret, account.id, account.password_hash)
    queue_email(
        session,
        to=account.email,
        subject=f"Reset your password – {mailer.service_name}",
        body=(
            "Use this link to choose a new password. It works once, for 1 hour:\n\n"
            f"{mailer.link('password_reset', token)}\n\n"
            "If you did not ask to reset your password, ignore this email: your password has "
            "not changed."
        ),
        kind="account.reset",
    )


def account_for_reset(session: Session, token: str, secret: str) -> PortalAccount | LinkProblem:
    """The account a password reset link is for, if the link can still be used."""
    try:
        account_id, fingerprint = read_reset_token(secret, token)
    except LinkExpired:
        return LinkProblem(expired=True)
    except LinkInvalid:
        return LinkProblem(expired=False)
    account = session.get(PortalAccount, account_id)
    if account is None or password_fingerprint(account.password_hash) != fingerprint:
        return LinkProblem(expired=False)
    return account


def reset_password(
    session: Session, token: str, new_password: str, secret: str
) -> PortalAccount | LinkProblem:
    """Set a new password through a reset link; every session of the account ends."""
    account = account_for_reset(session, token, secret)
    if isinstance(account, LinkProblem):
        return account
    problem = password_problem(new_password)
    if problem:
        raise RuleBroken(problem, field="password")
    account.password_hash = hash_password(new_password)
    # Following a link from the inbox also proves the email address.
    if account.email_verified_at is None:
        account.email_verified_at = utcnow()
    login_sessions.end_all(session, account_id=account.id)
    return account


def change_password(
    session: Session,
    account: PortalAccount,
    current: str,
    new_password: str,
    *,
    keep_session: str | None = None,
) -> None:
    """Change the password; every other session of the account ends (this one, whose token is
    `keep_session`, stays signed in)."""
    if not verify_password(account.password_hash, current):
        raise RuleBroken("Your current password is not right", field="current_password")
    problem = password_problem(new_password)
    if problem:
        raise RuleBroken(problem, field="new_password")
    account.password_hash = hash_password(new_password)
    login_sessions.end_all(session, account_id=account.id, keep_token=keep_session)


@dataclass(frozen=True)
class Linked:
    case: Case


def link_case(
    session: Session,
    account: PortalAccount,
    reference: str,
    date_of_birth: dt.date,
    *,
    today: dt.date,
    client: str,
) -> Linked | LinkDetailsWrong | throttle.Throttled:
    """Link the account to its holder's person record on an active case.

    The reference and date of birth must match a person who is the primary or a joint applicant
    on that active case and is still in the household. Any mismatch gets the same error and
    counts as a failed attempt (throttled per account and per address); a throttled attempt is
    returned rather than raised, so the record of the failures stands.
    """
    gate = throttle.reserve(session, "link_case", account.email, client)
    if isinstance(gate, throttle.Throttled):
        return gate
    case_id = parse_case_reference(reference)
    case = session.get(Case, case_id) if case_id else None
    match = None
    if case is not None and case.status == CaseStatus.ACTIVE.value:
        match = next(
            (
                cp
                for cp in case.people
                if (cp.is_primary or cp.joint_applicant)
                and cp.is_member_on(today)
                and cp.person.date_of_birth == date_of_birth
            ),
            None,
        )
    if case is None or match is None:
        return LinkDetailsWrong(WRONG_LINK_DETAILS)
    taken = session.scalar(
        select(PortalAccount.id).where(
            PortalAccount.person_id == match.person_id, PortalAccount.id != account.id
        )
    )
    gate.succeeded()
    if taken is not None:
        raise RuleBroken(
            "Another account is already linked to this case for this person. Contact the "
            "council's housing options team if you think this is wrong."
        )
    account.person_id = match.person_id
    history.record(
        session,
        Actor.applicant(account),
        HistoryKind.PORTAL_LINKED,
        f"{match.person.full_name} linked their portal account ({account.email})",
        case_id=case.id,
        person_id=match.person_id,
        after={"portal_account": account.email},
    )
    return Linked(case)


WRONG_LINK_DETAILS = (
    "We could not find a case with those details. Check the case reference and date of birth "
    "are the ones in the letters we sent you."
)


def officer_from_provider(
    session: Session,
    actor: Actor,
    *,
    email: str,
    name: str,
    client: Client,
    id_token: str | None = None,
) -> SignedIn | None:
    """Sign in the officer for an identity confirmed by the council's provider, matched by
    email; None when they cannot sign in (yet).

    Someone the provider knows but Hearth does not is recorded as an inactive officer with no
    permissions, so an administrator can see them and give them access; they cannot sign in
    until then. A known officer's name follows the provider.
    """
    email = email.strip().lower()
    user = session.scalar(select(User).where(func.lower(User.email) == email))
    if user is None:
        user = User(email=email, name=name or email, active=False)
        session.add(user)
        session.flush()
        history.record(
            session,
            actor,
            HistoryKind.OFFICER_PROVISIONED,
            f"{user.name} <{email}> signed in through the council's provider for the first "
            "time and is waiting for access",
            after={"email": email, "active": False},
        )
        return None
    if name and user.name != name:
        history.record(
            session,
            actor,
            HistoryKind.OFFICER_RENAMED,
            f"Officer {user.name} is now {name} (from the council's provider)",
            before={"name": user.name},
            after={"name": name},
        )
        user.name = name
    if not user.active:
        return None
    user.last_sign_in_at = utcnow()
    return start_for(session, user=user, client=client, id_token_hint=id_token)


def update_officer(
    session: Session,
    actor: Actor,
    user: User,
    *,
    expected_version: int,
    name: str,
    team_id: int | None,
    active: bool,
    permissions: Iterable[Permission],
    acting_user_id: int | None = None,
) -> User:
    """Change an officer's details and permission groups, with history.

    `expected_version` is the version the administrator saw; if the record has moved on since,
    nothing is saved (Conflict). Administrators cannot lock themselves out.
    """
    if user.version != expected_version:
        raise Conflict(
            f"{user.name}'s account was changed by someone else while you were editing it. "
            "Nothing was saved: reload the page to see the latest version."
        )
    wanted = sorted({Permission(p) for p in permissions})
    if acting_user_id == user.id and (not active or Permission.ADMIN not in wanted):
        raise RuleBroken("You cannot remove your own Admin permission or deactivate yourself")
    name = name.strip()
    if not name:
        raise RuleBroken("Enter the officer's name", field="name")
    if team_id is not None and session.get(Team, team_id) is None:
        raise RuleBroken("Choose a team from the list", field="team")
    before = _officer_snapshot(user)
    user.name = name
    user.team_id = team_id
    user.active = active
    current = {row.permission: row for row in user.permission_rows}
    for value, row in current.items():
        if Permission(value) not in wanted:
            user.permission_rows.remove(row)
    for permission in wanted:
        if permission.value not in current:
            user.permission_rows.append(UserPermission(permission=permission.value))
    if not active:
        login_sessions.end_all(session, user_id=user.id)
    flag_modified(user, "name")  # always write the row, so its version moves on
    session.flush()
    session.refresh(user)
    after = _officer_snapshot(user)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if changed:
        history.record(
            session,
            actor,
            HistoryKind.OFFICER_UPDATED,
            f"Officer {user.name} updated: {', '.join(sorted(changed))}",
            before={k: before[k] for k in changed},
            after=changed,
        )
    return user


def _officer_snapshot(user: User) -> dict[str, object]:
    return {
        "name": user.name,
        "team": user.team.name if user.team else None,
        "active": user.active,
        "permissions": sorted(p.value for p in user.permissions),
    }


def save_team(
    session: Session,
    actor: Actor,
    team: Team | None,
    *,
    name: str,
    allows_cases: bool,
    active: bool = True,
) -> Team:
    name = name.strip()
    if not name:
        raise RuleBroken("Enter the team's name", field="name")
    clash = session.scalar(
        select(Team.id).where(
            func.lower(Team.name) == name.lower(), Team.id != (team.id if team else -1)
        )
    )
    if clash is not None:
        raise RuleBroken(f"There is already a team called {name}", field="name")
    if team is None:
        team = Team(name=name, allows_cases=allows_cases, active=active)
        session.add(team)
        session.flush()
        history.record(
            session,
            actor,
            HistoryKind.TEAM_CREATED,
            f"Team {name} created",
            after={"name": name, "allows_cases": allows_cases},
        )
        return team
    before = {"name": team.name, "allows_cases": team.allows_cases, "active": team.active}
    team.name, team.allows_cases, team.active = name, allows_cases, active
    after = {"name": name, "allows_cases": allows_cases, "active": active}
    if before != after:
        history.record(
            session,
            actor,
            HistoryKind.TEAM_UPDATED,
            f"Team {name} updated",
            before=before,
            after=after,
        )
    return team


def applicant_from_provider(
    session: Session, *, subject: str, email: str, client: Client
) -> SignedIn | None:
    """Sign in the portal account for someone confirmed by an external provider (None when the
    account has been closed).

    Matched by the provider's subject, else by the (provider-confirmed) email, which then
    remembers the subject; otherwise a new account is made, already confirmed, with no password.
    """
    key = subject[:255]
    account = session.scalar(select(PortalAccount).where(PortalAccount.external_subject == key))
    if account is None:
        account = _find_account(session, email)
        if account is None:
            account = PortalAccount(email=normalise_email(email), password_hash=None)
            session.add(account)
        elif account.external_subject is not None:
            raise RuleBroken(
                "This email address already signs in with a different account at that service. "
                "Contact the council's housing options team."
            )
        elif account.email_verified_at is None:
            # Somebody created this account with the address but never proved they own it:
            # the provider has now proved who does, so nothing the creator set survives.
            account.password_hash = None
            account.person_id = None
            login_sessions.end_all(session, account_id=account.id)
        account.external_subject = key
    if account.email_verified_at is None:
        account.email_verified_at = utcnow()
    session.flush()
    if not account.active:
        return None
    account.last_sign_in_at = utcnow()
    return start_for(session, account=account, client=client)
