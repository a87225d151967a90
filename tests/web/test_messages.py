"""Messages (SPEC N2): templates an admin writes (unknown merge fields refused by name, previewed
with a real case, versioned), an email and a text message sent from a case's Comms tab (through
the outbox and SMTP, and through the Notify peer), a failure shown with its reason and sent again,
the service's own emails about the case on the same tab, and no Comms for officers without Cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from changes import engine
from domain import message_templates as mt
from domain import messages, outbox
from domain.history import Actor
from domain.messages import Message
from domain.models import HistoryEvent, User, utcnow
from domain.security import OutboxEmail
from domain.vocab import Permission
from hearth.worker import Worker
from tests.conftest import _savepoint_sessions, make_settings
from tests.support.notify_server import NotifyPeer, notify_server
from tests.support.pages import Pages
from tests.support.smtp import MailCatcher, smtp_server
from tests.web.case_fixtures import NOTIFIER, TODAY, QueryCounter, submit
from web.settings import Settings

CASES = (Permission.CASES, Permission.PEOPLE, Permission.QUEUE)
EMAIL = {
    "channel": "email",
    "name": "Appointment",
    "subject": "Your appointment, {{ person.first_name }}",
    "body": "Dear {{ person.full_name }},\n\nAbout case {{ case.reference }}.\n\n"
    "{{ officer.name }}",
}


@pytest.fixture
def mail() -> Iterator[MailCatcher]:
    with smtp_server() as catcher:
        yield catcher


@pytest.fixture
def notify() -> Iterator[NotifyPeer]:
    with notify_server() as peer:
        yield peer


@pytest.fixture
def settings(  # the app's settings: mail to the SMTP peer, text messages to the Notify peer
    test_database: Any, tmp_path: Any, mail: MailCatcher, notify: NotifyPeer
) -> Settings:
    return make_settings(
        test_database.url, tmp_path, SMTP_HOST=mail.host, SMTP_PORT=str(mail.port), **notify.env
    )


def run_jobs(connection: Connection, settings: Settings) -> None:
    Worker(_savepoint_sessions(connection), settings, name="web-test").run_until_idle()


def _template(db: Session, officer: User, **fields: str) -> mt.MessageTemplate:
    values = {**EMAIL, "subject": EMAIL["subject"], **fields}
    template = mt.save_template(
        db,
        Actor.officer(officer),
        template=None,
        channel=values["channel"],
        name=values["name"],
        subject=values["subject"],
        body=values["body"],
    )
    db.commit()
    return template


def test_an_admin_writes_a_template_refused_for_an_unknown_field_and_previews_it(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    sign_in_officer(Permission.ADMIN, name="Ada Admin")
    page = pages.get("backoffice:admin_message_template_new")
    assert "person.first_name" in page.select_one("#merge-fields").get_text()
    bad = {**EMAIL, "body": "Dear {{ person.first_name }}, your size is {{ person.shoe_size }}"}
    page = pages.post("backoffice:admin_message_template_new", bad, status=400)
    assert page.error_summary == ["Unknown merge field: person.shoe_size"]
    assert "Unknown merge field: person.shoe_size" in page.select_one("#body-error").get_text()
    assert page.select_one("title").get_text().startswith("Error: ")
    page = pages.post(
        "backoffice:admin_message_template_new",
        {**EMAIL, "body": "{{ person.first_name"},
        status=400,
    )
    assert page.error_summary[0].startswith("The message cannot be read, line 1:")

    pages.post("backoffice:admin_message_template_new", EMAIL)
    template = db.scalars(select(mt.MessageTemplate)).one()
    listing = pages.get("backoffice:admin_message_templates")
    assert "Appointment" in listing.select_one("#message-templates").get_text()

    case = family["case"]
    preview = pages.get(
        "backoffice:admin_message_template_preview",
        template_id=template.id,
        params={"case": case.reference},
    )
    assert preview.select_one("#preview-subject").get_text() == "Your appointment, Amira"
    body = preview.select_one("#preview-body").get_text()
    assert f"Dear Amira Khan,\n\nAbout case {case.reference}.\n\nAda Admin" in body
    missing = pages.get(
        "backoffice:admin_message_template_preview",
        template_id=template.id,
        params={"case": "HC-999999"},
        status=400,
    )
    assert missing.error_summary == ["There is no case with the reference HC-999999"]

    # Saved again from a stale page: refused, nothing changed; then saved properly.
    form = {**EMAIL, "body": "Hello {{ person.first_name }}", "version": str(template.version)}
    pages.post("backoffice:admin_message_template", form, template_id=template.id)
    stale = pages.post(
        "backoffice:admin_message_template", form, status=409, template_id=template.id
    )
    assert "saved by someone else" in stale.error_summary[0]
    saves = db.scalars(
        select(HistoryEvent).where(HistoryEvent.kind == "message_template.saved")
    ).all()
    assert len(saves) == 2 and saves[1].before["body"] == template.body  # type: ignore[index]


def test_an_officer_sends_an_email_that_goes_through_the_outbox_and_shows_on_comms(
    db: Session,
    pages: Pages,
    sign_in_officer: Callable[..., User],
    family: dict[str, Any],
    connection: Connection,
    settings: Settings,
    mail: MailCatcher,
) -> None:
    case, mum = family["case"], family["mum"]
    mum.email = "amira.khan@example.com"
    officer = sign_in_officer(*CASES, name="Rina Patel")
    template = _template(db, officer)
    tab = pages.get("backoffice:case_messages", case_id=case.id)
    assert tab.select_one('.moj-sub-navigation__link[aria-current="page"]').get_text() == "Comms"
    assert tab.select("#nothing")

    page = pages.get(
        "backoffice:message_new",
        case_id=case.id,
        params={"template": template.id, "recipient": mum.id},
    )
    recipients = [o.get_text() for o in page.select("#recipient option")]
    assert recipients == ["Choose who it goes to", "Amira Khan (amira.khan@example.com)"]
    assert page.select_one("#subject")["value"] == "Your appointment, Amira"
    assert "About case " + case.reference in page.select_one("#body").get_text()

    form = {
        "template": str(template.id),
        "recipient": str(mum.id),
        "strand": "",
        "subject": "Your appointment on Monday",
        "body": "Dear Amira,\n\nSee you on Monday at 10am.",
    }
    refused = pages.post(
        "backoffice:message_new", {**form, "body": " "}, status=400, case_id=case.id
    )
    assert refused.error_summary == ["Enter the message"]
    assert db.scalars(select(Message)).all() == []
    pages.post("backoffice:message_new", form, case_id=case.id)
    message = db.scalars(select(Message)).one()
    email = db.get(OutboxEmail, message.outbox_id)
    assert email is not None and (email.kind, email.case_id) == ("message", case.id)
    (event,) = db.scalars(select(HistoryEvent).where(HistoryEvent.kind == "message.sent"))
    assert event.case_id == case.id and "amira.khan@example.com" in event.summary

    item = pages.get("backoffice:case_messages", case_id=case.id).select_one(
        f'[data-kind="message"][data-id="{message.id}"]'
    )
    assert item["data-status"] == "queued" and "Rina Patel" in item.get_text()
    run_jobs(connection, settings)
    received = mail.wait_for(lambda m: "amira.khan@example.com" in m.to)
    assert received.subject == "Your appointment on Monday"
    assert "See you on Monday at 10am." in received.text
    tab = pages.get("backoffice:case_messages", case_id=case.id)
    item = tab.select_one(f'[data-kind="message"][data-id="{message.id}"]')
    assert item["data-status"] == "sent"
    assert "See you on Monday at 10am." in item.select_one("details").get_text()
    assert len(tab.select("#comms-list > li")) == 1  # the outbox's copy is not listed twice


def test_a_text_message_goes_through_notify_fails_then_is_retried_and_delivered(
    db: Session,
    pages: Pages,
    sign_in_officer: Callable[..., User],
    family: dict[str, Any],
    connection: Connection,
    settings: Settings,
    notify: NotifyPeer,
) -> None:
    case, mum, dad, register = (
        family["case"],
        family["mum"],
        family["dad"],
        family["housing_register"],
    )
    mum.phone, dad.phone = "07700 900123", "020 7946 0000"  # a landline cannot take a text
    officer = sign_in_officer(*CASES, name="Rina Patel")
    template = _template(
        db,
        officer,
        channel="sms",
        name="Band",
        subject="",
        body="Hi {{ person.first_name }}, {{ strand.reference }} is {{ strand.status }}.",
    )
    choose = {"template": template.id, "recipient": mum.id}
    page = pages.get("backoffice:message_new", case_id=case.id, params=choose, status=400)
    assert page.error_summary == [
        "This template uses details of an application or assessment: choose one"
    ]
    assert [o.get_text() for o in page.select("#recipient option")][1:] == [
        "Amira Khan (07700900123)"
    ]
    page = pages.get(
        "backoffice:message_new", case_id=case.id, params={**choose, "strand": register.id}
    )
    text = page.select_one("#body").get_text().strip()
    assert text == f"Hi Amira, {register.reference} is {register.status}."

    notify.fail_next("Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds", 429)
    form = {**{k: str(v) for k, v in choose.items()}, "strand": str(register.id), "body": text}
    pages.post("backoffice:message_new", form, case_id=case.id)
    run_jobs(connection, settings)
    message = db.scalars(select(Message)).one()
    db.refresh(message)
    tab = pages.get("backoffice:case_messages", case_id=case.id)
    item = tab.select_one(f'[data-id="{message.id}"]')
    assert item["data-status"] == "failed"
    assert "Exceeded rate limit" in item.select_one("[data-error]").get_text()
    retry = {"version": str(message.version)}
    pages.post("backoffice:message_retry", retry, case_id=case.id, message_id=message.id)
    again = pages.post(
        "backoffice:message_retry", retry, status=400, case_id=case.id, message_id=message.id
    )
    assert again.error_summary == ["Only a message that failed can be sent again"]
    run_jobs(connection, settings)
    (sms,) = notify.received()
    assert (sms["phone_number"], sms["body"]) == ("07700900123", text)
    notify.set_status(sms["id"], "delivered")
    Worker(
        _savepoint_sessions(connection),
        settings,
        name="later",
        now=lambda: utcnow() + dt.timedelta(hours=1),  # when Notify is asked again
    ).run_until_idle()
    tab = pages.get("backoffice:case_messages", case_id=case.id)
    assert tab.select_one(f'[data-id="{message.id}"]')["data-status"] == "delivered"


def test_the_applicants_system_emails_are_on_the_comms_tab(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    case = family["case"]
    officer = sign_in_officer(*CASES, name="Rina Patel")
    change = submit(db, family, "other", {"person_id": family["mum"].id, "details": "new job"})
    engine.reject(
        db,
        officer,
        change,
        reason="We need a letter from your employer",
        expected_version=change.version,
        notifier=NOTIFIER,
    )
    db.commit()
    tab = pages.get("backoffice:case_messages", case_id=case.id)
    (item,) = tab.select('#comms-list > li[data-kind="email"]')
    assert "amira@example.com" in item.get_text()
    assert "We need a letter from your employer" in item.select_one("details").get_text()
    assert "Hearth (automatic)" in item.get_text()


def test_an_officer_without_cases_cannot_send_or_see_comms(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    case = family["case"]
    sign_in_officer(Permission.PEOPLE, Permission.QUEUE)
    pages.get("backoffice:case_messages", status=403, case_id=case.id)
    pages.get("backoffice:message_new", status=403, case_id=case.id)
    pages.post("backoffice:message_new", {"template": "1"}, status=403, case_id=case.id)
    pages.post(
        "backoffice:message_retry", {"version": "1"}, status=403, case_id=case.id, message_id=1
    )
    pages.get("backoffice:admin_message_templates", status=403)


def test_the_tab_pages_newest_first_with_the_same_queries_for_a_few_or_many(
    db: Session,
    pages: Pages,
    sign_in_officer: Callable[..., User],
    family: dict[str, Any],
    queries: QueryCounter,
) -> None:
    case, mum = family["case"], family["mum"]
    mum.email = "amira.khan@example.com"
    officer = sign_in_officer(*CASES, name="Rina Patel")
    template = _template(db, officer)

    def send(n: int) -> None:
        for i in range(n):
            messages.send(
                db,
                Actor.officer(officer),
                officer,
                case,
                template,
                person_id=mum.id,
                strand_id=None,
                subject=f"Subject {i}",
                body=f"Body {i}",
                today=TODAY,
            )
            outbox.queue_email(
                db,
                to="amira@example.com",
                subject="Decision",
                body="b",
                kind="change.x",
                case_id=case.id,
            )
        db.commit()

    def count() -> int:
        queries.count = 0
        pages.get("backoffice:case_messages", case_id=case.id)
        return queries.count

    send(1)
    few = count()
    send(20)
    assert count() == few  # no query per row
    first = pages.get("backoffice:case_messages", case_id=case.id)
    seen = [li["data-kind"] + li["data-id"] for li in first.select("#comms-list > li")]
    assert len(seen) == 25
    older = first.select_one('a[rel="next"]')["href"]
    second = pages.fetch(pages.url("backoffice:case_messages", case_id=case.id) + older)
    more = [li["data-kind"] + li["data-id"] for li in second.select("#comms-list > li")]
    assert len(more) == 42 - 25 and not set(seen) & set(more)
