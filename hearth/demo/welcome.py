"""What `hearth serve` says once it is listening on a database that holds the demo data: where
the portal and back office are, and how to sign in."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.models import User
from hearth.demo.data import DEMO_PASSWORD

DEMO_OFFICER = "teamleader@northbridge.example"
DEMO_APPLICANT = "leah.mensah@example.com"


def has_demo_data(session: Session) -> bool:
    return session.scalar(select(User.id).where(func.lower(User.email) == DEMO_OFFICER)) is not None


def address(host: str, port: int) -> str:
    """The address to open in a browser: a server listening on every interface is reached on
    this machine through the loopback address."""
    if host in ("0.0.0.0", ""):  # noqa: S104  (a comparison, not a bind)
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def welcome(host: str, port: int) -> str:
    """The block itself (embedded mode, where emails are shown at /dev/mail)."""
    base = address(host, port)
    lines = [
        "Hearth is running.",
        f"  Portal:       {base}/",
        f"  Back office:  {base}/backoffice/",
        f"  Emails:       {base}/dev/mail",
        f"Sign in to the back office as {DEMO_OFFICER}, and to the portal as",
        f"{DEMO_APPLICANT} (or any demo account in README.md), with the password",
        f"{DEMO_PASSWORD}. Press Ctrl+C to stop.",
    ]
    return "\n".join(lines)
