"""Message templates (SPEC N2): the emails and text messages officers send from a case, written by
an admin with merge fields from the case, the person it goes to, an application or assessment
(optional) and the officer sending it.

A template is Jinja run in a sandbox with strict undefined values: `{{ person.first_name }}`.
Only the fields in `MERGE_FIELDS` may be used; saving reads the template's syntax tree and
refuses any other name, saying which (`Unknown merge field: person.shoe_size`), so a template
that saves always merges. Saves are versioned (two admins cannot overwrite each other) and
written to history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from domain import history, restricted
from domain.base import Base, created_timestamp, intpk, one_of, timestamp, utcnow
from domain.clock import long_date
from domain.errors import Conflict, FieldErrors, NotFound, RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Case, Person, User, parse_case_reference
from domain.strands import Strand

CHANNELS = {"email": "Email", "sms": "Text message"}
NAME_MAX = 100
SUBJECT_MAX = 200
BODY_MAX = 5000
SMS_MAX = 918  # GOV.UK Notify's limit: 6 text messages' worth

# Every merge field, with what it gives. Grouped by what it comes from (the part before the dot).
MERGE_FIELDS: dict[str, str] = {
    "person.title": "The recipient's title (Ms, Mr, Dr…), if recorded",
    "person.first_name": "The recipient's first name",
    "person.last_name": "The recipient's last name",
    "person.full_name": "The recipient's full name",
    "person.reference": "The recipient's person reference (PN-…)",
    "case.reference": "The case reference (HC-…)",
    "officer.name": "The name of the officer sending the message",
    "officer.email": "The email address of the officer sending the message",
    "council.name": "The council's name",
    "council.phone": "The housing options team's phone number",
    "council.service": "The name of the service",
    "strand.reference": "The application or assessment's reference (chosen when sending)",
    "strand.type": "The kind of application or assessment, e.g. Housing Register",
    "strand.status": "The application or assessment's status",
    "strand.decision": "A housing register decision: Qualifies or Does not qualify",
    "strand.reason": "The reason for the decision, as the officer wrote it",
    "strand.band": "The band the applicant is in, e.g. Band B (high)",
    "strand.effective_date": "The date the band counts from, e.g. 3 March 2026",
    "strand.bidding_number": "The applicant's bidding number",
}
ROOTS = frozenset(name.split(".")[0] for name in MERGE_FIELDS)

_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


class MessageTemplate(Base):
    __tablename__ = "message_template"

    id: Mapped[intpk]
    channel: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    subject: Mapped[str | None] = mapped_column(String(SUBJECT_MAX))
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[created_timestamp]
    updated_at: Mapped[timestamp]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    updated_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(one_of("channel", CHANNELS), name="channel_known"),
        CheckConstraint("channel = 'sms' OR subject IS NOT NULL", name="email_has_subject"),
    )

    @property
    def channel_label(self) -> str:
        return CHANNELS[self.channel]


# --- reading a template ---------------------------------------------------------------------


def _dotted(node: nodes.Node) -> str | None:
    """`person.first_name` for the node of `person.first_name` (None if not a plain chain)."""
    parts: list[str] = []
    while isinstance(node, nodes.Getattr):
        parts.append(node.attr)
        node = node.node
    if isinstance(node, nodes.Getitem) or not isinstance(node, nodes.Name):
        return None
    parts.append(node.name)
    return ".".join(reversed(parts))


def _names(node: nodes.Node, local: frozenset[str]) -> Iterator[str]:
    """Every merge field (dotted name) the template reads, in order, including unknown ones."""
    if isinstance(node, nodes.Getattr):
        dotted = _dotted(node)
        if dotted is not None:
            if dotted.split(".")[0] not in local:
                yield dotted
            return
        yield f".{node.attr}"  # an attribute of something other than a merge field: refused
    if isinstance(node, nodes.Getitem):
        base = _dotted(node.node)
        if base is not None and base.split(".")[0] not in local:
            key = node.arg.value if isinstance(node.arg, nodes.Const) else "…"
            yield f"{base}[{key!r}]"  # never a merge field: refused with its name
            return
    if isinstance(node, nodes.Name) and node.ctx == "load" and node.name not in local:
        yield node.name
        return
    for child in node.iter_child_nodes():
        yield from _names(child, local)


def fields_used(source: str, *, what: str = "body") -> list[str]:
    """The merge fields `source` uses (refuses a template that does not read, on `what`)."""
    try:
        tree = _env.parse(source)
    except TemplateSyntaxError as error:
        raise RuleBroken(
            f"The {_word(what)} cannot be read, line {error.lineno}: {error.message}", field=what
        ) from None
    local = frozenset(n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param"))
    seen: dict[str, None] = {}
    for name in _names(tree, local):
        seen.setdefault(name, None)
    return list(seen)


def unknown_fields(source: str, *, what: str = "body") -> list[str]:
    """Names used in `source` that are not merge fields (a bare `person` counts as known: it
    can only be tested, as in `{% if strand %}`)."""
    return [n for n in fields_used(source, what=what) if n not in MERGE_FIELDS and n not in ROOTS]


def _word(what: str) -> str:
    return {"subject": "subject", "body": "message"}.get(what, what)


def _check_text(source: str, what: str, errors: dict[str, str]) -> None:
    try:
        unknown = unknown_fields(source, what=what)
    except RuleBroken as refusal:
        errors[what] = refusal.message
        return
    if unknown:
        errors[what] = f"Unknown merge field: {', '.join(unknown)}"


# --- merging --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Council:
    """What `council.*` gives (from the service's settings)."""

    name: str
    phone: str
    service: str


def merge_data(
    case: Case, person: Person, strand: Strand | None, officer: User, council: Council
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "person": {
            "title": person.title or "",
            "first_name": person.first_name,
            "last_name": person.last_name,
            "full_name": person.full_name,
            "reference": person.reference,
        },
        "case": {"reference": case.reference},
        "officer": {"name": officer.name, "email": officer.email},
        "council": {"name": council.name, "phone": council.phone, "service": council.service},
        "strand": None,  # so `{% if strand %}` works when none was chosen
    }
    if strand is not None:
        facts = strand.data or {}
        effective = facts.get("effective_date")
        data["strand"] = {
            "reference": strand.reference,
            "type": strand.type.name,
            "status": strand.status,
            "decision": facts.get("qualification_decision") or "",
            "reason": facts.get("qualification_reason") or "",
            "band": facts.get("band") or "",
            "effective_date": long_date(dt.date.fromisoformat(effective))
            if isinstance(effective, str) and effective
            else "",
            "bidding_number": facts.get("bidding_number") or "",
        }
    return data


def merge(source: str, data: Mapping[str, Any], *, what: str = "body") -> str:
    """`source` with the merge fields filled in; RuleBroken on `what` when it cannot be."""
    used = fields_used(source, what=what)
    try:
        return _env.from_string(source).render(**data)
    except TemplateError as error:
        if data.get("strand") is None and any(n.startswith("strand.") for n in used):
            raise RuleBroken(
                "This template uses details of an application or assessment: choose one",
                field="strand",
            ) from None
        raise RuleBroken(f"The {_word(what)} cannot be merged: {error}", field=what) from None


@dataclass(frozen=True)
class Merged:
    subject: str
    body: str


def merge_template(template: MessageTemplate, data: Mapping[str, Any]) -> Merged:
    subject = merge(template.subject or "", data, what="subject")
    return Merged(" ".join(subject.split()), merge(template.body, data).strip())


# --- saving ---------------------------------------------------------------------------------


def save_template(
    session: Session,
    actor: Actor,
    *,
    template: MessageTemplate | None,
    channel: str,
    name: str,
    subject: str,
    body: str,
    expected_version: int | None = None,
) -> MessageTemplate:
    """Add a template (`template` None) or change one. Refuses unknown merge fields by name."""
    errors: dict[str, str] = {}
    name = " ".join((name or "").split())
    subject = " ".join((subject or "").split())
    body = (body or "").replace("\r\n", "\n").strip()
    if template is not None:
        channel = template.channel  # a template's channel stays what it was
    if channel not in CHANNELS:
        errors["channel"] = "Choose email or text message"
    if not name:
        errors["name"] = "Enter a name for the template"
    elif len(name) > NAME_MAX:
        errors["name"] = f"The name must be {NAME_MAX} characters or fewer"
    elif session.scalar(
        select(MessageTemplate.id).where(
            MessageTemplate.name == name,
            MessageTemplate.id != (template.id if template is not None else -1),
        )
    ):
        errors["name"] = f"There is already a template called “{name}”"
    if channel == "email":
        if not subject:
            errors["subject"] = "Enter the subject of the email"
        elif len(subject) > SUBJECT_MAX:
            errors["subject"] = f"The subject must be {SUBJECT_MAX} characters or fewer"
        else:
            _check_text(subject, "subject", errors)
    limit = SMS_MAX if channel == "sms" else BODY_MAX
    if not body:
        errors["body"] = "Enter the message"
    elif len(body) > limit:
        errors["body"] = f"The message must be {limit:,} characters or fewer"
    else:
        _check_text(body, "body", errors)
    if errors:
        raise FieldErrors(errors)
    before = None
    if template is None:
        template = MessageTemplate(channel=channel)
        session.add(template)
    else:
        if expected_version is not None and template.version != expected_version:
            raise Conflict(
                f"“{template.name}” was saved by someone else after you opened it. Nothing was "
                "changed: reload the page to see the latest version."
            )
        before = {"name": template.name, "subject": template.subject, "body": template.body}
    template.name = name
    template.subject = subject if channel == "email" else None
    template.body = body
    template.updated_at = utcnow()
    template.updated_by_id = actor.user_id
    session.flush()
    history.record(
        session,
        actor,
        HistoryKind.MESSAGE_TEMPLATE_SAVED,
        f"{'Added' if before is None else 'Changed'} the {CHANNELS[channel].lower()} template "
        f"“{name}”",
        before=before,
        after={"template": template.id, "name": name, "subject": template.subject, "body": body},
    )
    return template


def get(session: Session, template_id: int) -> MessageTemplate:
    template = session.get(MessageTemplate, template_id)
    if template is None:
        raise NotFound("There is no such message template")
    return template


def templates(session: Session, *, active_only: bool = False) -> list[MessageTemplate]:
    stmt = select(MessageTemplate).order_by(MessageTemplate.channel, MessageTemplate.name)
    if active_only:
        stmt = stmt.where(MessageTemplate.active)
    return list(session.scalars(stmt))


def preview(
    session: Session,
    template: MessageTemplate,
    case_reference: str,
    officer: User,
    council: Council,
) -> tuple[Case, Merged]:
    """The template merged with a real case: its primary applicant as the recipient and its
    first application or assessment (if the template uses one)."""
    case_id = parse_case_reference(case_reference or "")
    case = session.get(Case, case_id) if case_id else None
    if case is None or (case.restricted and not restricted.may_open_case(session, officer, case)):
        raise RuleBroken(
            "Enter the reference of a case, like HC-000123"
            if not (case_reference or "").strip()
            else f"There is no case with the reference {case_reference.strip()}",
            field="case",
        )
    if case.primary is None:
        raise RuleBroken(f"Case {case.reference} has no primary applicant", field="case")
    person = case.primary.person
    strand = session.scalars(
        select(Strand).where(Strand.case_id == case.id).order_by(Strand.id).limit(1)
    ).first()
    data = merge_data(case, person, strand, officer, council)
    return case, merge_template(template, data)


__all__ = [
    "CHANNELS",
    "MERGE_FIELDS",
    "SMS_MAX",
    "Council",
    "Merged",
    "MessageTemplate",
    "fields_used",
    "get",
    "merge",
    "merge_data",
    "merge_template",
    "preview",
    "save_template",
    "templates",
    "unknown_fields",
]
