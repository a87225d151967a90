"""OpenID Connect sign-in (authorization code with PKCE) with authlib, ID tokens checked with
joserfc. Used for officers (the council's provider) and, when configured, for applicants.

The flow keeps its state in the signed session cookie between the redirect and the callback:
`state`, `nonce` and the PKCE `code_verifier`.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from web.settings import OIDCConfig


class OIDCError(Exception):
    """Sign-in through the provider did not complete; the message is safe to show."""


@dataclass(frozen=True)
class OIDCIdentity:
    subject: str
    email: str
    name: str
    id_token: str


@dataclass(frozen=True)
class PendingLogin:
    url: str
    state: str
    nonce: str
    code_verifier: str


class OIDCClient:
    """One relying-party registration at one provider. Metadata and keys are cached."""

    CACHE_SECONDS = 3600

    def __init__(self, config: OIDCConfig, *, timeout: float = 10.0) -> None:
        self.config = config
        self.timeout = timeout
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def _client(self, redirect_uri: str | None = None) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.config.client_id,
            client_secret=self.config.client_secret,
            scope="openid email profile",
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic",  # noqa: S106 - a method name
            timeout=self.timeout,
        )

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            fresh = time.monotonic() - self._fetched_at < self.CACHE_SECONDS
            if self._metadata is None or not fresh:
                url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
                try:
                    with self._client() as client:
                        response = client.request("GET", url, withhold_token=True)
                        response.raise_for_status()
                        metadata = response.json()
                        keys = client.request("GET", metadata["jwks_uri"], withhold_token=True)
                        keys.raise_for_status()
                except Exception as exc:
                    raise OIDCError(
                        "Sign-in is not available because the sign-in service could not be "
                        "reached. Try again in a few minutes."
                    ) from exc
                if metadata.get("issuer") != self.config.issuer:
                    raise OIDCError("The sign-in service is misconfigured (issuer mismatch).")
                self._metadata = metadata
                self._keys = KeySet.import_key_set(keys.json())
                self._fetched_at = time.monotonic()
            return self._metadata

    def begin(self, redirect_uri: str) -> PendingLogin:
        metadata = self.metadata()
        code_verifier = generate_token(64)
        nonce = secrets.token_urlsafe(24)
        with self._client(redirect_uri) as client:
            url, state = client.create_authorization_url(
                metadata["authorization_endpoint"], code_verifier=code_verifier, nonce=nonce
            )
        return PendingLogin(url=url, state=state, nonce=nonce, code_verifier=code_verifier)

    def complete(
        self,
        *,
        redirect_uri: str,
        params: dict[str, str],
        expected_state: str,
        nonce: str,
        code_verifier: str,
        require_verified_email: bool = False,
    ) -> OIDCIdentity:
        if params.get("error"):
            raise OIDCError("Sign-in was cancelled or refused by the sign-in service.")
        if not expected_state or params.get("state") != expected_state:
            raise OIDCError("Sign-in could not be completed: start again from the sign-in page.")
        code = params.get("code")
        if not code:
            raise OIDCError("Sign-in could not be completed: start again from the sign-in page.")
        metadata = self.metadata()
        try:
            with self._client(redirect_uri) as client:
                token = client.fetch_token(
                    metadata["token_endpoint"], code=code, code_verifier=code_verifier
                )
                userinfo = client.get(metadata["userinfo_endpoint"])
                userinfo.raise_for_status()
                info = userinfo.json()
        except Exception as exc:
            raise OIDCError("Sign-in could not be completed: try again.") from exc
        id_token = str(token.get("id_token") or "")
        claims = self._check_id_token(id_token, nonce)
        if info.get("sub") != claims.get("sub"):
            raise OIDCError("Sign-in could not be completed: the account details did not match.")
        email = str(info.get("email") or "").strip().lower()
        verified = info.get("email_verified")
        if not email or verified is False or (require_verified_email and verified is not True):
            raise OIDCError("Your account at the sign-in service has no confirmed email address.")
        name = str(info.get("name") or email.split("@", 1)[0]).strip()
        return OIDCIdentity(subject=str(claims["sub"]), email=email, name=name, id_token=id_token)

    def _check_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        assert self._keys is not None
        try:
            decoded = jwt.decode(id_token, self._keys)
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.config.issuer},
                aud={"essential": True, "value": self.config.client_id},
                nonce={"essential": True, "value": nonce},
                sub={"essential": True},
                exp={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise OIDCError(
                "Sign-in could not be completed: the sign-in token was not valid."
            ) from exc
        return dict(decoded.claims)

    def logout_url(self, id_token_hint: str | None, post_logout_redirect_uri: str) -> str | None:
        """Where to send the browser to end the session at the provider too, if it supports it."""
        try:
            endpoint = self.metadata().get("end_session_endpoint")
        except OIDCError:
            return None
        if not endpoint:
            return None
        query = {
            "post_logout_redirect_uri": post_logout_redirect_uri,
            "client_id": self.config.client_id,
        }
        if id_token_hint:
            query["id_token_hint"] = id_token_hint
        return f"{endpoint}?{urlencode(query)}"


def start_flow(
    client: OIDCClient, store: dict[str, Any], key: str, *, redirect_uri: str, next_url: str
) -> str:
    """Begin a sign-in: remember state, nonce and verifier under `key`; return where to go."""
    pending = client.begin(redirect_uri)
    store[key] = {
        "state": pending.state,
        "nonce": pending.nonce,
        "verifier": pending.code_verifier,
        "next": next_url,
    }
    return pending.url


def finish_flow(
    client: OIDCClient,
    store: dict[str, Any],
    key: str,
    *,
    redirect_uri: str,
    params: dict[str, str],
    require_verified_email: bool = False,
) -> tuple[OIDCIdentity, str]:
    """Complete a sign-in begun by `start_flow` (once: the remembered state is used up).
    Returns the identity and the `next` URL remembered at the start."""
    flow = store.pop(key, None) or {}
    identity = client.complete(
        redirect_uri=redirect_uri,
        params=params,
        expected_state=str(flow.get("state", "")),
        nonce=str(flow.get("nonce", "")),
        code_verifier=str(flow.get("verifier", "")),
        require_verified_email=require_verified_email,
    )
    return identity, str(flow.get("next") or "")
