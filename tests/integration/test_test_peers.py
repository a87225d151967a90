"""The real peers the suite signs in and sends mail with work on their own, without the app:
an aiosmtpd server that keeps what it receives, and npm's oidc-provider on loopback."""

from __future__ import annotations

import base64
import html
import json
import re
import smtplib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx2
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client

from tests.support.browser import free_port
from tests.support.oidc import (
    OIDCProvider,
    block_external,
    confirm_provider_logout,
    login_through_provider,
    oidc_provider,
)
from tests.support.smtp import smtp_server

CLIENT_ID = "hearth-test"
CLIENT_SECRET = "a-client-secret-for-tests-only-0123456789"
SCOPE = "openid email profile"


# --- SMTP ----------------------------------------------------------------------------------


def test_smtp_server_keeps_what_it_receives() -> None:
    with smtp_server() as mail:
        message = EmailMessage()
        message["From"] = "Hearth <no-reply@hearth.example>"
        message["To"] = "Ada Okafor <ada.okafor@northbridge.example>"
        message["Subject"] = "Confirm your email address"
        message.set_content(
            "Hello Ada,\n\nConfirm your address: http://127.0.0.1:8000/confirm?token=abc123.\n"
            "Or read https://hearth.example/help/email (it is short).\n"
        )
        message.add_alternative(
            '<p><a href="http://127.0.0.1:8000/confirm">Confirm</a></p>', "html"
        )
        with smtplib.SMTP(mail.host, mail.port, timeout=10) as smtp:
            smtp.send_message(message)

        received = mail.wait_for(lambda m: "ada.okafor@northbridge.example" in m.to)

        assert received.subject == "Confirm your email address"
        assert received.mail_from == "no-reply@hearth.example"
        assert received.rcpt_tos == ["ada.okafor@northbridge.example"]
        assert received.from_ == "Hearth <no-reply@hearth.example>"
        assert "Hello Ada," in received.text
        assert received.html is not None
        assert "Confirm" in received.html
        assert mail.links(received) == [
            "http://127.0.0.1:8000/confirm?token=abc123",
            "https://hearth.example/help/email",
        ]
        assert mail.messages == [received]


def test_smtp_wait_for_wakes_on_a_message_sent_later_and_times_out_otherwise() -> None:
    with smtp_server() as mail:

        def send_later() -> None:
            with smtplib.SMTP(mail.host, mail.port, timeout=10) as smtp:
                smtp.sendmail("a@example.com", ["b@example.com"], b"Subject: later\r\n\r\nbody\r\n")

        timer = threading.Timer(0.2, send_later)
        timer.start()
        try:
            received = mail.wait_for(lambda m: m.subject == "later", timeout=10)
        finally:
            timer.join()
        assert received.rcpt_tos == ["b@example.com"]
        assert received.text.strip() == "body"

        with pytest.raises(AssertionError, match="no matching message"):
            mail.wait_for(lambda m: m.subject == "never", timeout=0.2)


# --- OpenID Connect ------------------------------------------------------------------------


@contextmanager
def redirect_receiver() -> Iterator[tuple[str, list[dict[str, list[str]]]]]:
    """A tiny web server standing in for the client: it records the query of each request."""
    received: list[dict[str, list[str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            received.append(
                {"path": [urlsplit(self.path).path], **parse_qs(urlsplit(self.path).query)}
            )
            body = b"<!DOCTYPE html><html lang='en'><title>Back</title><h1>Back at the client</h1>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def id_token_claims(id_token: str) -> dict[str, Any]:
    payload = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def oauth_client(op: OIDCProvider, redirect_uri: str, **kwargs: Any) -> OAuth2Client:
    return OAuth2Client(
        client_id=op.client_id,
        client_secret=op.client_secret,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        timeout=10,
        **kwargs,
    )


def test_discovery_describes_the_provider_we_configured() -> None:
    with oidc_provider(CLIENT_ID, CLIENT_SECRET, ["http://127.0.0.1:1/cb"]) as op:
        meta = httpx2.get(op.discovery_url, timeout=10).json()
    assert meta["issuer"] == op.issuer
    assert op.issuer.startswith("http://127.0.0.1:")
    assert meta["authorization_endpoint"] == op.authorization_endpoint
    assert meta["token_endpoint"] == op.token_endpoint
    assert meta["userinfo_endpoint"] == op.userinfo_endpoint
    assert meta["end_session_endpoint"] == op.end_session_endpoint
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["response_types_supported"] == ["code"]
    assert set(meta["scopes_supported"]) == {"openid", "email", "profile"}


def test_code_flow_without_a_browser_and_pkce_is_required() -> None:
    """The login form posted with httpx; client_secret_post at the token endpoint."""
    with (
        redirect_receiver() as (base, _received),
        oidc_provider(CLIENT_ID, CLIENT_SECRET, [f"{base}/callback"]) as op,
    ):
        redirect_uri = f"{base}/callback"
        with httpx2.Client(timeout=10) as http:
            # Without a code challenge the provider refuses, back at the client.
            refused = http.get(
                op.authorization_endpoint,
                params={
                    "client_id": CLIENT_ID,
                    "response_type": "code",
                    "scope": SCOPE,
                    "redirect_uri": redirect_uri,
                    "state": "s1",
                },
            )
            assert refused.status_code == 303
            query = parse_qs(urlsplit(refused.headers["location"]).query)
            assert query["error"] == ["invalid_request"]
            assert "PKCE" in query["error_description"][0]

            client = oauth_client(op, redirect_uri, token_endpoint_auth_method="client_secret_post")
            verifier = generate_token(48)
            url, state = client.create_authorization_url(
                op.authorization_endpoint, code_verifier=verifier
            )
            to_login = http.get(url)
            assert to_login.status_code == 303
            login_url = urljoin(op.issuer, to_login.headers["location"])
            login_page = http.get(login_url)
            assert login_page.status_code == 200
            assert 'name="login"' in login_page.text
            assert "fonts.googleapis.com" not in login_page.text
            assert "https://" not in login_page.text

            action = re.search(r'<form[^>]*action="([^"]+)"', login_page.text)
            assert action is not None
            submitted = http.post(
                urljoin(login_url, html.unescape(action[1])),
                data={"prompt": "login", "login": "grace", "password": "whatever"},
            )
            assert submitted.status_code == 303, (submitted.status_code, submitted.text[:800])
            location = urljoin(op.issuer, submitted.headers["location"])
            back = http.get(location)  # resumes the authorization; consent is automatic
            assert back.status_code == 303, back.text[:500]
            callback = back.headers["location"]
            assert callback.startswith(redirect_uri + "?")

        token = client.fetch_token(
            op.token_endpoint, authorization_response=callback, code_verifier=verifier, state=state
        )
        userinfo = client.get(op.userinfo_endpoint).json()
        client.close()

    assert id_token_claims(token["id_token"])["sub"] == "grace"
    assert userinfo == {
        "sub": "grace",
        "email": "grace@example.com",
        "email_verified": True,
        "name": "Grace",
    }


@pytest.mark.browser
def test_code_flow_with_pkce_through_the_login_page_in_chromium(browser: Any) -> None:
    with (
        redirect_receiver() as (base, received),
        oidc_provider(
            CLIENT_ID,
            CLIENT_SECRET,
            [f"{base}/callback"],
            post_logout_redirect_uris=[f"{base}/signed-out"],
        ) as op,
    ):
        context = browser.new_context(viewport={"width": 390, "height": 844})
        requested: list[str] = []
        console_errors: list[str] = []
        context.on("request", lambda request: requested.append(request.url))
        block_external(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
        try:
            client = oauth_client(op, f"{base}/callback")
            verifier = generate_token(48)
            nonce = generate_token(16)
            url, state = client.create_authorization_url(
                op.authorization_endpoint, code_verifier=verifier, nonce=nonce
            )

            page.goto(url)
            assert page.url.startswith(op.issuer + "/interaction/")
            login_through_provider(page, "ada.okafor@northbridge.example")

            assert page.url.startswith(f"{base}/callback?")
            assert received[-1]["state"] == [state]
            assert received[-1]["iss"] == [op.issuer]
            token = client.fetch_token(
                op.token_endpoint,
                authorization_response=page.url,
                code_verifier=verifier,
                state=state,
            )
            userinfo = client.get(op.userinfo_endpoint).json()
            client.close()

            assert userinfo["sub"] == "ada.okafor@northbridge.example"
            assert userinfo["email"] == "ada.okafor@northbridge.example"
            assert userinfo["email_verified"] is True
            assert userinfo["name"] == "Ada Okafor"
            claims = id_token_claims(token["id_token"])
            assert claims["iss"] == op.issuer
            assert claims["aud"] == CLIENT_ID
            assert claims["nonce"] == nonce

            # RP-initiated logout through the end-session endpoint, back to the client.
            page.goto(
                op.end_session_endpoint
                + "?"
                + urlencode(
                    {
                        "id_token_hint": token["id_token"],
                        "post_logout_redirect_uri": f"{base}/signed-out",
                        "state": "bye",
                    }
                )
            )
            confirm_provider_logout(page)
            assert page.url == f"{base}/signed-out?state=bye"

            # Signed out at the provider: the next authorization asks for a login again.
            url, _ = client.create_authorization_url(
                op.authorization_endpoint, code_verifier=generate_token(48)
            )
            page.goto(url)
            assert page.url.startswith(op.issuer + "/interaction/")
            assert page.locator('input[name="login"]').count() == 1
        finally:
            context.close()

    off_machine = [u for u in requested if urlsplit(u).hostname not in ("127.0.0.1", "localhost")]
    assert off_machine == []
    assert console_errors == []
