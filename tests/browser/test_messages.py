"""Messages in Chromium, axe on every page: an admin writes an email template (refused once for
an unknown merge field) and previews it with the case; an officer sends an email from it on the
Comms tab, changing the merged text, and it arrives at the real SMTP server; then a text message
through the Notify peer, shown as delivered once Notify says so."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from domain import message_templates as mt
from domain.history import Actor
from domain.messages import Message
from domain.vocab import Permission
from hearth.notify import poll_message
from tests.browser.conftest import Live, StartLive, visiting
from tests.browser.test_case_running import _sign_in
from tests.support.factories import make_case, make_officer, make_person
from tests.support.notify_server import NotifyPeer, notify_server
from tests.support.smtp import smtp_server


@pytest.fixture
def notify() -> Iterator[NotifyPeer]:
    with notify_server() as peer:
        yield peer


def _wait_for(check: object, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not get there in time")
        time.sleep(0.2)


def _status(live: Live, channel: str) -> str | None:
    with live.sessions() as db:
        return db.scalar(select(Message.status).where(Message.channel == channel))


def test_an_admin_writes_a_template_and_an_officer_sends_an_email_and_a_text(
    browser: object, start_live: StartLive, notify: NotifyPeer
) -> None:
    with (
        smtp_server() as mail,
        start_live(SMTP_HOST=mail.host, SMTP_PORT=str(mail.port), **notify.env) as live,
    ):
        with live.sessions.begin() as db:
            amira = make_person(db, "Amira", "Khan", email="amira@example.com")
            amira.phone = "07700 900123"
            case = make_case(db, amira)
            admin = make_officer(db, *Permission, name="Ada Admin")
            mt.save_template(
                db,
                Actor.officer(admin),
                template=None,
                channel="sms",
                name="Reminder",
                subject="",
                body="Hi {{ person.first_name }}, please call {{ council.phone }}.",
            )
            email, case_id, reference = admin.email, case.id, case.reference

        with visiting(browser, live, {"width": 1366, "height": 900}) as visit:
            page = visit.page
            _sign_in(visit, email)
            visit.goto("/backoffice/admin/message-templates")
            visit.click(page.locator("#add-template"))
            page.get_by_label("Email", exact=True).check()
            page.get_by_label("Name").fill("Appointment")
            page.get_by_label("Subject (emails only)").fill("Your appointment")
            page.get_by_label("Message", exact=True).fill(
                "Dear {{ person.first_name }} {{ person.shoe_size }}"
            )
            visit.click(page.get_by_role("button", name="Save the template"))
            summary = page.locator(".govuk-error-summary").inner_text()
            assert "Unknown merge field: person.shoe_size" in summary
            page.get_by_label("Message", exact=True).fill(
                "Dear {{ person.first_name }}, see you on Monday.\n\n{{ officer.name }}"
            )
            visit.click(page.get_by_role("button", name="Save the template"))
            visit.click(page.locator("#preview-link"))
            page.get_by_label("Case reference").fill(reference)
            visit.click(page.get_by_role("button", name="Preview"))
            assert "Dear Amira, see you on Monday." in page.locator("#preview-body").inner_text()

            visit.goto(f"/backoffice/cases/{case_id}/messages")
            visit.click(page.locator("#send-message"))
            page.get_by_label("Template").select_option(label="Appointment (email)")
            visit.click(page.get_by_role("button", name="Continue"))
            page.get_by_label("Send it to").select_option(label="Amira Khan (amira@example.com)")
            visit.click(page.get_by_role("button", name="Show the message"))
            body = page.get_by_label("Message", exact=True)
            assert body.input_value() == "Dear Amira, see you on Monday.\n\nAda Admin"
            body.fill("Dear Amira, see you on Monday at 10am.\n\nAda Admin")
            visit.click(page.get_by_role("button", name="Send the email"))
            received = mail.wait_for(lambda m: "amira@example.com" in m.to)
            assert "see you on Monday at 10am." in received.text

            visit.click(page.locator("#send-message"))
            page.get_by_label("Template").select_option(label="Reminder (text message)")
            visit.click(page.get_by_role("button", name="Continue"))
            page.get_by_label("Send it to").select_option(label="Amira Khan (07700900123)")
            visit.click(page.get_by_role("button", name="Show the message"))
            visit.click(page.get_by_role("button", name="Send the text message"))
            _wait_for(lambda: _status(live, "sms") == "sent" and _status(live, "email") == "sent")
            (sms,) = notify.received()
            assert sms["body"].startswith("Hi Amira, please call")
            notify.set_status(sms["id"], "delivered")
            with live.sessions.begin() as db:  # the worker would ask Notify in 30 seconds
                message = db.scalars(select(Message).where(Message.channel == "sms")).one()
                poll_message(db, {"message_id": message.id}, live)
            visit.goto(f"/backoffice/cases/{case_id}/messages")
            statuses = page.locator("#comms-list > li").evaluate_all(
                "els => els.map(e => e.dataset.status)"
            )
            assert statuses == ["delivered", "sent"]
