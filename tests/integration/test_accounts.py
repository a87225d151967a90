"""Applicant accounts and external sign-in, against the database."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session

from tests.support.factories import make_portal_account


def test_an_unconfirmed_account_cannot_be_used_to_capture_an_external_sign_in(db: Session) -> None:
    from domain import accounts
    from domain.passwords import verify_password
    from domain.signin import Client

    squatter = make_portal_account(
        db, email="victim@example.com", password="attacker's password", verified=False
    )
    signed_in = accounts.applicant_from_provider(
        db, subject="victim-at-provider", email="victim@example.com", client=Client("192.0.2.1")
    )
    assert signed_in is not None and signed_in.account is not None
    merged = signed_in.account
    assert merged.id == squatter.id and merged.email_verified_at is not None
    assert not verify_password(merged.password_hash, "attacker's password")
    assert merged.password_hash is None and merged.person_id is None
    # a different subject claiming the same address is refused, not merged
    with pytest.raises(Exception, match="already signs in with a different account"):
        accounts.applicant_from_provider(
            db, subject="someone-else", email="victim@example.com", client=Client("192.0.2.1")
        )


def test_every_new_password_is_checked_against_common_passwords(db: Session) -> None:
    """Sign-up, reset and change for applicants, and officers' local passwords, share one rule."""
    from domain import accounts
    from domain.errors import RuleBroken
    from domain.history import SYSTEM
    from domain.passwords import TOO_COMMON
    from tests.support.factories import TEST_PASSWORD

    with pytest.raises(RuleBroken, match=re.escape(TOO_COMMON)) as refused:
        accounts.create_officer(
            db, SYSTEM, email="o@example.com", name="O", permissions=(), password="qwertyuiop"
        )
    assert refused.value.field == "password"
    account = make_portal_account(db, email="careful@example.com")
    with pytest.raises(RuleBroken, match=re.escape(TOO_COMMON)) as refused:
        accounts.change_password(db, account, TEST_PASSWORD, "Password1!")
    assert refused.value.field == "new_password"
