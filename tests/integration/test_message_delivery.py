"""Delivering messages sent from a case (SPEC N2) through the real peers, by the worker's job
handlers: an email over SMTP (aiosmtpd), a text message and an email through the Notify peer
(its own process, checking the client's JWT), Notify's status asked until delivered or failed,
a refusal recorded with Notify's words and sent again on retry, and text messages in production
without Notify failing clearly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain import message_templates as mt
from domain import messages
from domain.history import Actor
from domain.messages import Message
from domain.models import HistoryEvent, utcnow
from hearth.worker import Worker
from tests.conftest import make_settings
from tests.support.factories import make_case, make_officer, make_person
from tests.support.notify_server import EMAIL_TEMPLATE_ID, NotifyPeer, notify_server
from tests.support.smtp import smtp_server
from web.settings import Settings

TODAY = dt.date.today()


@pytest.fixture
def notify() -> Iterator[NotifyPeer]:
    with notify_server() as peer:
        yield peer


def _setup(committed: sessionmaker[Session]) -> dict[str, int]:
    with committed.begin() as db:
        amira = make_person(db, "Amira", "Khan", email="amira@example.com")
        amira.phone = "07700 900123"
        case = make_case(db, amira)
        officer = make_officer(db, name="Rina Patel")
        actor = Actor.officer(officer)
        email = mt.save_template(
            db,
            actor,
            template=None,
            channel="email",
            name="Appointment",
            subject="Your appointment, {{ person.first_name }}",
            body="Dear {{ person.full_name }}, case {{ case.reference }}. {{ officer.name }}",
        )
        sms = mt.save_template(
            db,
            actor,
            template=None,
            channel="sms",
            name="Reminder",
            subject="",
            body="Hi {{ person.first_name }}, call {{ council.phone }}",
        )
        db.flush()
        return {
            "case": case.id,
            "person": amira.id,
            "officer": officer.id,
            "email": email.id,
            "sms": sms.id,
        }


def _send(committed: sessionmaker[Session], ids: dict[str, int], which: str, body: str) -> int:
    from domain.models import Case, User

    with committed.begin() as db:
        officer = db.get(User, ids["officer"])
        template = db.get(mt.MessageTemplate, ids[which])
        assert officer is not None and template is not None
        message = messages.send(
            db,
            Actor.officer(officer),
            officer,
            db.get(Case, ids["case"]),  # type: ignore[arg-type]
            template,
            person_id=ids["person"],
            strand_id=None,
            subject="Your appointment" if which == "email" else "",
            body=body,
            today=TODAY,
        )
        return message.id


def _message(committed: sessionmaker[Session], message_id: int) -> Message:
    with committed() as db:
        message = db.get(Message, message_id)
        assert message is not None
        db.expunge(message)
        return message


def _run(committed: sessionmaker[Session], settings: Settings, later: int = 0) -> None:
    moment = utcnow() + dt.timedelta(hours=later)
    Worker(committed, settings, name="test", now=lambda: moment).run_until_idle()


def test_an_email_goes_over_smtp_and_a_text_through_notify_until_delivered(
    committed: sessionmaker[Session], tmp_path: Path, notify: NotifyPeer
) -> None:
    ids = _setup(committed)
    with smtp_server() as mail:
        settings = make_settings(
            committed.kw["bind"].url.render_as_string(hide_password=False),
            tmp_path,
            SMTP_HOST=mail.host,
            SMTP_PORT=str(mail.port),
            **notify.env,
        )
        email_id = _send(committed, ids, "email", "Dear Amira, see you on Monday.")
        sms_id = _send(committed, ids, "sms", "Hi Amira, call us")
        _run(committed, settings)
        received = mail.wait_for(lambda m: "amira@example.com" in m.to)
        assert received.subject == "Your appointment"
        assert "Dear Amira, see you on Monday." in received.text
    email = _message(committed, email_id)
    assert (email.status, email.provider) == ("sent", "smtp")

    (sms,) = notify.received()
    assert (sms["phone_number"], sms["body"], sms["type"]) == (
        "07700900123",
        "Hi Amira, call us",
        "sms",
    )
    text = _message(committed, sms_id)
    assert (text.status, text.provider, text.provider_id) == ("sent", "notify", sms["id"])

    _run(committed, settings, later=1)  # Notify still says "sending": asked again later
    assert _message(committed, sms_id).status == "sent"
    notify.set_status(sms["id"], "delivered")
    _run(committed, settings, later=3)
    assert _message(committed, sms_id).status == "delivered"


def test_a_failure_is_recorded_with_its_reason_and_a_retry_sends_it(
    committed: sessionmaker[Session], tmp_path: Path, notify: NotifyPeer
) -> None:
    ids = _setup(committed)
    settings = _settings_for(committed, tmp_path, notify)
    notify.fail_next("phone_number Not a UK mobile number", error="ValidationError")
    sms_id = _send(committed, ids, "sms", "First try")
    _run(committed, settings)
    failed = _message(committed, sms_id)
    assert failed.status == "failed"
    assert failed.error == "GOV.UK Notify refused it (400): phone_number Not a UK mobile number"
    with committed() as db:
        (event,) = db.scalars(select(HistoryEvent).where(HistoryEvent.kind == "message.failed"))
        assert event.case_id == ids["case"]

    with committed.begin() as db:
        message = db.get(Message, sms_id)
        assert message is not None
        messages.retry(
            db, Actor.officer(message.sent_by), message, expected_version=message.version
        )
    _run(committed, settings)
    (sms,) = notify.received()
    assert sms["body"] == "First try"
    assert _message(committed, sms_id).status == "sent"

    notify.set_status(sms["id"], "permanent-failure")
    _run(committed, settings, later=1)
    gone = _message(committed, sms_id)
    assert gone.status == "failed" and "permanent failure" in (gone.error or "")


def test_emails_go_through_notify_when_its_email_template_is_set(
    committed: sessionmaker[Session], tmp_path: Path, notify: NotifyPeer
) -> None:
    ids = _setup(committed)
    settings = _settings_for(
        committed, tmp_path, notify, NOTIFY_EMAIL_TEMPLATE_ID=EMAIL_TEMPLATE_ID
    )
    email_id = _send(committed, ids, "email", "Dear Amira")
    _run(committed, settings)
    (email,) = notify.received()
    assert (email["email_address"], email["subject"], email["body"]) == (
        "amira@example.com",
        "Your appointment",
        "Dear Amira",
    )
    notify.set_status(email["id"], "delivered")
    _run(committed, settings, later=1)
    assert _message(committed, email_id).status == "delivered"


def test_the_peer_refuses_a_token_signed_with_another_key(
    committed: sessionmaker[Session], tmp_path: Path, notify: NotifyPeer
) -> None:
    ids = _setup(committed)
    wrong = notify.api_key[:-36] + "00000000-0000-4000-8000-000000000000"
    settings = _settings_for(committed, tmp_path, notify, NOTIFY_API_KEY=wrong)
    sms_id = _send(committed, ids, "sms", "Hello")
    _run(committed, settings)
    message = _message(committed, sms_id)
    assert message.status == "failed"
    assert message.error == (
        "GOV.UK Notify refused it (403): Invalid token: signature, api token not found"
    )
    assert notify.received() == []


def test_text_messages_without_notify_go_to_a_folder_or_fail_in_production(
    committed: sessionmaker[Session], tmp_path: Path
) -> None:
    ids = _setup(committed)
    url = committed.kw["bind"].url.render_as_string(hide_password=False)
    embedded = make_settings(url, tmp_path)
    sms_id = _send(committed, ids, "sms", "Kept locally")
    _run(committed, embedded)
    assert _message(committed, sms_id).provider == "folder"
    assert "Kept locally" in (tmp_path / "sms" / f"{sms_id:06d}.txt").read_text()

    production = make_settings(url, tmp_path, HEARTH_MODE="production")
    other = _send(committed, ids, "sms", "Nowhere to go")
    _run(committed, production)
    failed = _message(committed, other)
    assert failed.status == "failed"
    assert failed.error == (
        "NotifyNotConfigured: Text messages need GOV.UK Notify: set NOTIFY_API_KEY and "
        "NOTIFY_SMS_TEMPLATE_ID"
    )


def _settings_for(
    committed: sessionmaker[Session], tmp_path: Path, notify: NotifyPeer, **env: Any
) -> Settings:
    url = committed.kw["bind"].url.render_as_string(hide_password=False)
    return make_settings(url, tmp_path, **{**notify.env, **env})
