"""Signed, expiring tokens for links sent by email (itsdangerous).

- Email verification: names the account and the email it was sent to (3 days).
- Password reset: names the account and a fingerprint of its current password hash, so the link
  stops working as soon as the password changes — it can be used once (1 hour).
"""

from __future__ import annotations

import hashlib
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

VERIFY_MAX_AGE = 3 * 24 * 3600
RESET_MAX_AGE = 3600


class LinkInvalid(Exception):
    """The link was changed, is for something else, or has already been used."""


class LinkExpired(Exception):
    """The link is genuine but too old."""


def _serializer(secret: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=salt)


def _loads(secret: str, salt: str, token: str, max_age: int) -> Any:
    try:
        return _serializer(secret, salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkExpired() from None
    except BadSignature:
        raise LinkInvalid() from None


def password_fingerprint(password_hash: str | None) -> str:
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def make_verify_token(secret: str, account_id: int, email: str) -> str:
    return _serializer(secret, "verify-email").dumps({"a": account_id, "e": email})


def read_verify_token(secret: str, token: str) -> tuple[int, str]:
    data = _loads(secret, "verify-email", token, VERIFY_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("a"), int):
        raise LinkInvalid()
    return int(data["a"]), str(data.get("e", ""))


def make_reset_token(secret: str, account_id: int, password_hash: str | None) -> str:
    return _serializer(secret, "reset-password").dumps(
        {"a": account_id, "p": password_fingerprint(password_hash)}
    )


def read_reset_token(secret: str, token: str) -> tuple[int, str]:
    data = _loads(secret, "reset-password", token, RESET_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("a"), int):
        raise LinkInvalid()
    return int(data["a"]), str(data.get("p", ""))


def make_signed(secret: str, salt: str, payload: Any) -> str:
    return _serializer(secret, salt).dumps(payload)


def read_signed(secret: str, salt: str, token: str, max_age: int) -> Any:
    return _loads(secret, salt, token, max_age)
