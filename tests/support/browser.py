"""Browser harness: a live uvicorn server on a free port, Debian's Chromium through Playwright,
and axe-core checks (WCAG 2.2 AA) on every page a test visits.

`Visit` wraps a Playwright page. Every main-frame navigation is recorded; `check()` runs axe on
the current page. At the end of the test, a navigation that was never checked fails the test,
as does any console error (a Content-Security-Policy violation shows up as one).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from playwright.sync_api import Browser, Page

from hearth.settings import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Whether clicking this element is answered by htmx (a boosted link or form of ours).
BOOSTED = "el => !!window.htmx && el.closest('[hx-boost]')?.getAttribute('hx-boost') === 'true'"
# Settled means the page swap settled: a field check answered meanwhile (a form group swapped
# when a field was left) settles too, and must not count, or the page would be checked before
# the new one arrives (and the new one never).
ARM_SETTLED = (
    "() => { window.hearthSettled = false; const settled = (event) => {"
    " if (event.target && event.target.id === 'hearth-page') {"
    " window.hearthSettled = true; document.removeEventListener('htmx:afterSettle', settled); } };"
    " document.addEventListener('htmx:afterSettle', settled); }"
)
AXE_SOURCE = (PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text()
SCREENSHOTS = PROJECT_ROOT / "test-results"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(app: Any, port: int | None = None, **options: Any) -> Iterator[str]:
    """Serve `app` with uvicorn in a thread (with uvicorn `options`); yields the base URL."""
    port = port or free_port()
    options.setdefault("log_level", "warning")
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        threading.Event().wait(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class AxeViolations(AssertionError):
    pass


@dataclass
class Visit:
    page: Page
    base_url: str
    swaps: int = 0  # pages htmx swapped in place (boosted links and forms)
    htmx_requests: set[str] = field(default_factory=set)
    navigations: list[str] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)
    console_errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("framenavigated", self._navigated)
        self.page.on("request", self._request)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))

    def _request(self, request: Any) -> None:
        if request.headers.get("hx-request") == "true":
            self.htmx_requests.add(request.url)

    def _navigated(self, frame: Any) -> None:
        if frame == self.page.main_frame:
            self.navigations.append(frame.url)

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        # A form re-shown with errors is answered 400 on purpose; Chromium logs that against the
        # document itself. A failed image, script or stylesheet still counts as an error.
        if message.text.startswith("Failed to load resource") and message.location.get("url") in (
            self.page.url,
            *self.navigations[-1:],
        ):
            return
        # The same, answered to htmx (a boosted form), whose answer is swapped in as a page.
        if (
            message.text.startswith("Failed to load resource")
            and message.location.get("url") in self.htmx_requests
            and re.search(r"status of (400|409|429)\b", message.text)
        ):
            return
        self.console_errors.append(message.text)

    def goto(self, path: str, *, check: bool = True) -> Page:
        self.page.goto(self.base_url + path)
        if check:
            self.check()
        return self.page

    def back(self, *, check: bool = True) -> Page:
        """The browser's back button. A page htmx swapped in is loaded afresh (history is not
        kept in the browser's storage), so wait for that load."""
        with self.page.expect_event("load"):
            self.page.go_back()
        if check:
            self.check()
        return self.page

    def click(self, locator: Any, *, check: bool = True) -> Page:
        """Click something that loads a new page, wait for it, then check it with axe. On a
        boosted portal page htmx answers a link or form by swapping the page's content in
        place: then wait for that swap to settle (the address may or may not change)."""
        if locator.evaluate(BOOSTED):
            self.swaps += 1
            self.page.evaluate(ARM_SETTLED)
            locator.click()
            self.page.wait_for_function("() => window.hearthSettled === true")
        else:
            with self.page.expect_navigation():
                locator.click()
        if check:
            self.check()
        return self.page

    def check(self) -> None:
        """Run axe-core on the page as it is now; fail on any WCAG 2.2 AA violation."""
        self.page.wait_for_load_state("load")
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            # evaluate() is not subject to the page's CSP, so the page keeps its real policy.
            self.page.evaluate(AXE_SOURCE + "\n;true")
        result = self.page.evaluate(
            "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        violations = result["violations"]
        if violations:
            summary = [
                {
                    "id": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "nodes": [n["target"] for n in v["nodes"]][:5],
                }
                for v in violations
            ]
            raise AxeViolations(f"{self.page.url}: {json.dumps(summary, indent=1)}")
        # The document's own address: after htmx pushes a new one, Playwright may not have
        # heard of it yet (page.url lags behind), and the page checked is the new one.
        self.checked.add(self.page.evaluate("() => location.href"))

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def finish(self) -> None:
        unchecked = [u for u in dict.fromkeys(self.navigations) if u not in self.checked]
        # Our pages must all be checked; another site's (an identity provider's) are not ours.
        unchecked = [u for u in unchecked if u.startswith(self.base_url)]
        if unchecked:
            raise AssertionError(f"pages visited without an axe check: {unchecked}")
        if self.console_errors:
            raise AssertionError(f"browser console errors: {self.console_errors}")


def new_visit(browser: Browser, base_url: str, viewport: dict[str, int]) -> tuple[Visit, Any]:
    context = browser.new_context(viewport=viewport, base_url=base_url)  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(10_000)
    return Visit(page, base_url), context
