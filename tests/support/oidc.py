"""A real OpenID Connect provider for tests: npm's `oidc-provider` 9.x
(tests/support/oidc_provider.mjs) started with `node` on loopback, with one confidential client
(authorization code + PKCE S256, scopes openid email profile, client_secret_basic or
client_secret_post).

Its development login page accepts any login and any password. The login becomes the subject;
userinfo gives `email` (the login if it has an "@", else login@example.com), `email_verified` and a
`name` made from it ("ada.okafor@northbridge.example" -> "Ada Okafor"). Consent is automatic.

    with oidc_provider("hearth", SECRET, [f"{base}/auth/callback"]) as op:
        settings = make_settings(..., OIDC_DISCOVERY_URL=op.discovery_url, ...)
        page.goto(...)                       # the app redirects to the provider
        login_through_provider(page, "ada.okafor@northbridge.example")   # back on the app

The provider's own pages import nothing from elsewhere; a browser context can still refuse
anything off the machine with `block_external(context)`.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from hearth.settings import PROJECT_ROOT
from tests.support.browser import free_port

SCRIPT = PROJECT_ROOT / "tests" / "support" / "oidc_provider.mjs"
START_TIMEOUT = 20.0
ANY_PASSWORD = "any-password"

# Route patterns (Playwright globs) for Google Fonts, which oidc-provider's stock pages import.
BLOCK_FONTS = "**/fonts.googleapis.com/**"
BLOCK_FONT_FILES = "**/fonts.gstatic.com/**"
FONT_PATTERNS = (BLOCK_FONTS, BLOCK_FONT_FILES)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


@dataclass(frozen=True)
class OIDCProvider:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)
    post_logout_redirect_uris: list[str] = field(default_factory=list)

    @property
    def discovery_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    @property
    def authorization_endpoint(self) -> str:
        return self.issuer + "/auth"

    @property
    def token_endpoint(self) -> str:
        return self.issuer + "/token"

    @property
    def userinfo_endpoint(self) -> str:
        return self.issuer + "/me"

    @property
    def end_session_endpoint(self) -> str:
        return self.issuer + "/session/end"


def _drain(stream: Any, sink: list[str] | queue.Queue[str | None]) -> None:
    for line in iter(stream.readline, ""):
        if isinstance(sink, list):
            sink.append(line)
        else:
            sink.put(line)
    if isinstance(sink, queue.Queue):
        sink.put(None)  # end of output: the process has gone
    stream.close()


def _stop(process: subprocess.Popen[str], readers: list[threading.Thread]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for reader in readers:
        reader.join(timeout=5)


@contextmanager
def oidc_provider(
    client_id: str,
    client_secret: str,
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str] | None = None,
) -> Iterator[OIDCProvider]:
    """Start oidc-provider on a free loopback port; stop it when the block ends."""
    port = free_port()
    client = {
        "client_id": client_id,
        "client_secret": client_secret,
        "redirect_uris": list(redirect_uris),
        "post_logout_redirect_uris": list(post_logout_redirect_uris or []),
    }
    process = subprocess.Popen(
        ["node", str(SCRIPT), str(port), json.dumps(client)],
        cwd=PROJECT_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout: queue.Queue[str | None] = queue.Queue()
    stderr: list[str] = []
    readers = [
        threading.Thread(target=_drain, args=(process.stdout, stdout), daemon=True),
        threading.Thread(target=_drain, args=(process.stderr, stderr), daemon=True),
    ]
    for reader in readers:
        reader.start()

    try:
        line = stdout.get(timeout=START_TIMEOUT) or ""
    except queue.Empty:
        line = ""
    if not line.startswith("READY "):
        _stop(process, readers)
        raise RuntimeError(
            f"oidc-provider did not start (exit code {process.returncode}, "
            f"waited at most {START_TIMEOUT:.0f}s); stdout: {line!r}; stderr:\n{''.join(stderr)}"
        )
    try:
        yield OIDCProvider(
            issuer=line.split(" ", 1)[1].strip(),
            client_id=client_id,
            client_secret=client_secret,
            redirect_uris=list(redirect_uris),
            post_logout_redirect_uris=list(post_logout_redirect_uris or []),
        )
    finally:
        _stop(process, readers)


# --- browser -------------------------------------------------------------------------------


def login_through_provider(page: Any, login: str, password: str = ANY_PASSWORD) -> None:
    """On the provider's login page, sign in as `login` and follow it back to the client.

    Returns once the browser has left the provider's interaction pages (normally on the
    client's redirect URI); a consent screen, should one appear, is accepted.
    """
    provider_origin = _origin(page.url)
    page.wait_for_selector('input[name="login"]')
    page.fill('input[name="login"]', login)
    page.fill('input[name="password"]', password)
    with page.expect_navigation():
        page.click('button[type="submit"]')
    if _on_consent(page, provider_origin):
        with page.expect_navigation():
            page.click('button[type="submit"]')
    if _origin(page.url) == provider_origin and "/interaction/" in page.url:
        raise AssertionError(f"still on the provider after signing in: {page.url}")


def confirm_provider_logout(page: Any) -> None:
    """On the provider's "Sign out" question (RP-initiated logout), answer yes and follow it."""
    with page.expect_navigation():
        page.click('button[name="logout"][value="yes"]')


def _on_consent(page: Any, provider_origin: str) -> bool:
    if _origin(page.url) != provider_origin or "/interaction/" not in page.url:
        return False
    return page.locator('input[name="prompt"][value="consent"]').count() > 0


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def block_fonts(context: Any) -> None:
    """Abort requests to Google Fonts in a Playwright BrowserContext."""
    for pattern in FONT_PATTERNS:
        context.route(pattern, lambda route: route.abort())


def block_external(context: Any) -> None:
    """Abort every request from a Playwright BrowserContext that is not to this machine."""

    def handle(route: Any) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if host in LOCAL_HOSTS:
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context.route("**/*", handle)
