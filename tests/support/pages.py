"""The page fixture: GET and POST by route name, parse HTML, check every page the same way.

Every HTML page fetched through `Pages` is checked for things that must hold site-wide:
exactly one h1, a title that starts with the h1 (after an optional "Error: "), every form has an
action and, when it posts, a CSRF field with the session's token, and no duplicate ids.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup, Tag
from starlette.testclient import TestClient


class PageCheckFailed(AssertionError):
    pass


@dataclass
class Page:
    response: Any
    soup: BeautifulSoup

    @property
    def status(self) -> int:
        return int(self.response.status_code)

    @property
    def text(self) -> str:
        return " ".join(self.soup.get_text(" ").split())

    def select(self, css: str) -> list[Tag]:
        return list(self.soup.select(css))

    def select_one(self, css: str) -> Tag:
        found = self.soup.select_one(css)
        if found is None:
            raise AssertionError(f"nothing matches {css!r} on {self.response.url}")
        return found

    def texts(self, css: str) -> list[str]:
        return [" ".join(t.get_text(" ").split()) for t in self.soup.select(css)]

    @property
    def h1(self) -> str:
        return " ".join(self.select_one("h1").get_text(" ").split())

    @property
    def error_summary(self) -> list[str]:
        return self.texts(".govuk-error-summary__list li")

    @property
    def location(self) -> str | None:
        value = self.response.headers.get("location")
        return str(value) if value is not None else None


def check_page(soup: BeautifulSoup, csrf: str | None, url: str) -> None:
    problems: list[str] = []
    h1s = soup.find_all("h1")
    if len(h1s) != 1:
        problems.append(f"expected exactly one h1, found {len(h1s)}")
    title = soup.title.get_text().strip() if soup.title else ""
    if h1s:
        h1_text = " ".join(h1s[0].get_text(" ").split())
        bare_title = title.removeprefix("Error: ")
        if not bare_title.startswith(h1_text):
            problems.append(f"title {title!r} does not start with the h1 {h1_text!r}")
    for form in soup.find_all("form"):
        if not form.get("action"):
            problems.append(f"a form has no action: {str(form)[:120]}")
        if (form.get("method") or "get").lower() == "post":
            field = form.find("input", attrs={"name": "csrf_token"})
            if field is None:
                problems.append(f"a POST form has no CSRF field: {form.get('action')}")
            elif csrf is not None and field.get("value") != csrf:
                problems.append(
                    f"a POST form's CSRF field is not the session's token: {form.get('action')}"
                )
    ids = Counter(el["id"] for el in soup.find_all(attrs={"id": True}))
    duplicates = sorted(i for i, n in ids.items() if n > 1)
    if duplicates:
        problems.append(f"duplicate ids: {duplicates}")
    if problems:
        raise PageCheckFailed(f"{url}: " + "; ".join(problems))


class Pages:
    """Requests by route name through Starlette's TestClient, with universal page checks."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self._csrf: str | None = None

    def url(self, name: str, /, **path_params: Any) -> str:
        return str(self.client.app.url_path_for(name, **path_params))  # type: ignore[attr-defined]

    def _page(self, response: Any) -> Page:
        soup = BeautifulSoup(response.text, "html.parser")
        if response.headers.get("content-type", "").startswith("text/html"):
            body = soup.find("body")
            token = body.get("data-csrf-token") if isinstance(body, Tag) else None
            if isinstance(token, str) and token:
                self._csrf = token
            if not response.request.headers.get("hx-request"):
                check_page(soup, self._csrf, str(response.url))
        return Page(response, soup)

    def fetch(self, url: str, *, status: int | None = 200, **kwargs: Any) -> Page:
        response = self.client.get(url, follow_redirects=False, **kwargs)
        page = self._page(response)
        if status is not None:
            assert response.status_code == status, (
                f"GET {url}: expected {status}, got {response.status_code}\n{page.text[:500]}"
            )
        return page

    def get(
        self,
        name: str,
        /,
        *,
        status: int | None = 200,
        params: dict[str, Any] | None = None,
        **path_params: Any,
    ) -> Page:
        return self.fetch(self.url(name, **path_params), status=status, params=params)

    def session(self) -> dict[str, Any]:
        """The signed session cookie's contents, as the server last set them."""
        cookie = self.client.cookies.get("hearth_session")
        if not cookie:
            return {}
        payload = cookie.split(".", 1)[0]
        return dict(json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4))))

    def csrf_token(self) -> str:
        """The session's CSRF token, as a browser would have it from the last page it showed."""
        token = self.session().get("csrf")
        if not token:
            self.get("home")
            token = self.session().get("csrf")
        assert token, "the service did not put a CSRF token in the session"
        return str(token)

    def submit(
        self,
        url: str,
        data: dict[str, Any] | None = None,
        *,
        status: int | None = 303,
        files: Any = None,
        csrf: bool = True,
        headers: dict[str, str] | None = None,
    ) -> Page:
        payload = dict(data or {})
        if csrf and "csrf_token" not in payload:
            payload["csrf_token"] = self.csrf_token()
        response = self.client.post(
            url, data=payload, files=files, follow_redirects=False, headers=headers
        )
        page = self._page(response)
        if status is not None:
            assert response.status_code == status, (
                f"POST {url}: expected {status}, got {response.status_code}\n{page.text[:800]}"
            )
        return page

    def post(
        self,
        name: str,
        /,
        data: dict[str, Any] | None = None,
        *,
        status: int | None = 303,
        files: Any = None,
        csrf: bool = True,
        **path_params: Any,
    ) -> Page:
        return self.submit(
            self.url(name, **path_params), data, status=status, files=files, csrf=csrf
        )

    def follow(self, page: Page, *, status: int | None = 200) -> Page:
        assert page.location, "the response did not redirect"
        return self.fetch(page.location, status=status)
