"""A real SMTP server for tests (aiosmtpd on loopback) that keeps every message it receives.

    with smtp_server() as mail:
        settings = make_settings(..., SMTP_HOST=mail.host, SMTP_PORT=str(mail.port))
        ...                                  # the app sends something
        message = mail.wait_for(lambda m: "ada@example.com" in m.to)
        assert message.subject == "Confirm your email address"
        (link,) = mail.links(message)

`wait_for` blocks on a condition variable until a matching message arrives (or fails after the
timeout, listing what did arrive); it also matches messages that arrived before it was called.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.browser import free_port

URL = re.compile(r"https?://[^\s<>\"'()\[\]]+")


@dataclass(frozen=True)
class Message:
    """One message as received: the envelope, the main headers and the text and HTML bodies."""

    mail_from: str  # envelope sender (MAIL FROM)
    rcpt_tos: list[str]  # envelope recipients (RCPT TO)
    from_: str  # the From header, as written
    to: list[str]  # the addresses in the To header
    subject: str
    text: str  # the text/plain body ("" if there is none)
    html: str | None  # the text/html body, if any
    email: EmailMessage = field(repr=False)  # the whole parsed message

    def __getitem__(self, header: str) -> str | None:
        value = self.email[header]
        return None if value is None else str(value)


def links(message: Message) -> list[str]:
    """The http(s) URLs in the message's text body, in order."""
    return [url.rstrip(".,;:!?") for url in URL.findall(message.text)]


def parse(mail_from: str, rcpt_tos: list[str], content: bytes) -> Message:
    parsed = message_from_bytes(content, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    text_part = parsed.get_body(preferencelist=("plain",))
    html_part = parsed.get_body(preferencelist=("html",))
    return Message(
        mail_from=mail_from,
        rcpt_tos=list(rcpt_tos),
        from_=str(parsed["From"] or ""),
        to=[address for _, address in getaddresses([str(v) for v in parsed.get_all("To", [])])],
        subject=str(parsed["Subject"] or ""),
        text=text_part.get_content() if isinstance(text_part, EmailMessage) else "",
        html=html_part.get_content() if isinstance(html_part, EmailMessage) else None,
        email=parsed,
    )


class MailCatcher:
    """The aiosmtpd handler: stores each message and wakes anyone waiting for one."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._messages: list[Message] = []
        self._changed = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode()
        message = parse(envelope.mail_from, envelope.rcpt_tos, content)
        with self._changed:
            self._messages.append(message)
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[Message]:
        """A snapshot of every message received so far, oldest first."""
        with self._changed:
            return list(self._messages)

    def clear(self) -> None:
        with self._changed:
            self._messages.clear()

    def wait_for(
        self, predicate: Callable[[Message], bool] | None = None, timeout: float = 10
    ) -> Message:
        """The first message (received before or after the call) for which `predicate` holds."""

        def first_match() -> Message | None:
            for message in self._messages:
                if predicate is None or predicate(message):
                    return message
            return None

        with self._changed:
            found = self._changed.wait_for(first_match, timeout=timeout)
            if found is None:
                received = [(m.to, m.subject) for m in self._messages]
                raise AssertionError(
                    f"no matching message within {timeout}s; received (to, subject): {received}"
                )
            return found

    def links(self, message: Message) -> list[str]:
        return links(message)


@contextmanager
def smtp_server() -> Iterator[MailCatcher]:
    """An SMTP server on a free loopback port; yields its MailCatcher, stops it afterwards."""
    host = "127.0.0.1"
    catcher = MailCatcher(host, free_port())
    controller = Controller(catcher, hostname=host, port=catcher.port)
    controller.start()
    try:
        yield catcher
    finally:
        controller.stop()
