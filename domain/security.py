"""Records behind sign-in security: server-side sessions, attempts (for throttling), and the
outbox of emails waiting to be sent."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.base import Base, created_timestamp, intpk, str100, str320, timestamp
from domain.models import PortalAccount, User


class LoginSession(Base):
    """A signed-in session. The cookie carries only its random id; signing out deletes the row,
    so a copied cookie stops working everywhere at once."""

    __tablename__ = "login_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie's token
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    portal_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("portal_account.id", ondelete="CASCADE")
    )
    created_at: Mapped[created_timestamp]
    last_seen_at: Mapped[created_timestamp]
    client_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    id_token_hint: Mapped[str | None] = mapped_column(Text)  # for signing out at the provider

    # Loaded with the session in one query on every signed-in request (see web/signin.py).
    user: Mapped[User | None] = relationship()
    portal_account: Mapped[PortalAccount | None] = relationship()

    __table_args__ = (
        Index("ix_login_session_user_id", "user_id"),
        Index("ix_login_session_portal_account_id", "portal_account_id"),
    )


class AuthAttempt(Base):
    """One attempt at a throttled action (sign-in, reset, sign-up, linking), kept for throttling
    and for the security log."""

    __tablename__ = "auth_attempt"

    id: Mapped[intpk]
    action: Mapped[str] = mapped_column(String(40))
    account_key: Mapped[str100]  # e.g. a lowercased email, or a hash of it
    client_address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[created_timestamp]

    __table_args__ = (
        Index("ix_auth_attempt_action_account_key_at", "action", "account_key", "at"),
        Index("ix_auth_attempt_action_client_address_at", "action", "client_address", "at"),
    )


class OutboxEmail(Base):
    """An email to send. Written in the transaction that caused it; sent by a background job."""

    __tablename__ = "outbox_email"

    id: Mapped[intpk]
    to_address: Mapped[str320]
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(60))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("housing_case.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_timestamp]
    sent_at: Mapped[timestamp | None]

    __table_args__ = (
        Index("ix_outbox_email_status_created_at", "status", "created_at"),
        # The case's Comms tab pages through its emails newest first (backoffice.comms_queries).
        Index("ix_outbox_email_case_id_created_at_id", "case_id", "created_at", "id"),
    )
