"""Meta-tests over the route table: every route is wrapped by a view decorator, every
back-office route declares its permission, and every POST refuses a missing or wrong CSRF token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.routing import Mount, Route

from hearth.app import build_routes
from tests.support.pages import Pages

# Routes served outside the page views: plain infrastructure, no forms, no session data.
INFRASTRUCTURE = {"healthz", "brand_css"}
PUBLIC_BACKOFFICE = {
    "backoffice:sign_in",
    "backoffice:oidc_start",
    "backoffice:oidc_callback",
    "backoffice:signed_out",
}


def walk(
    routes: list[Any], prefix: str = "", name_prefix: str = ""
) -> Iterator[tuple[str, str, Route]]:
    for route in routes:
        if isinstance(route, Mount):
            yield from walk(route.routes, prefix + route.path, f"{name_prefix}{route.name}:")
        elif isinstance(route, Route):
            yield prefix + route.path, name_prefix + route.name, route


ALL_ROUTES = list(walk(build_routes()))
POST_ROUTES = [(path, name) for path, name, r in ALL_ROUTES if "POST" in (r.methods or ())]


def test_route_table_is_not_empty() -> None:
    names = {name for _, name, _ in ALL_ROUTES}
    assert {"home", "backoffice:home", "backoffice:sign_in", "backoffice:sign_out"} <= names
    assert POST_ROUTES, "there should be POST routes to check"


_SEGMENT = re.compile(r"^([a-z0-9]+(-[a-z0-9]+)*(\.[a-z]+)?|\{[a-z_]+(:[a-z]+)?\})$")


def test_every_url_is_kebab_case() -> None:
    """Lower case words joined by hyphens (plus {parameters} and a file extension)."""
    wrong = []
    for path, name, _ in ALL_ROUTES:
        for segment in path.strip("/").split("/"):
            pieces = re.split(r"(\{[^}]*\})", segment)
            words = "".join("x" if p.startswith("{") else p for p in pieces if p)
            if segment and not (_SEGMENT.match(segment) or _SEGMENT.match(words)):
                wrong.append(f"{name}: {path}")
    assert wrong == []


@pytest.mark.parametrize(("path", "name", "route"), ALL_ROUTES, ids=[n for _, n, _ in ALL_ROUTES])
def test_every_route_goes_through_a_view_decorator(path: str, name: str, route: Route) -> None:
    area = getattr(route.endpoint, "hearth_area", None)
    if name in INFRASTRUCTURE:  # plain endpoints with no session, form or personal data
        assert area is None
        return
    expected = "backoffice" if path.startswith("/backoffice") else "portal"
    assert area == expected, f"{name} ({path}) is not wrapped by the {expected} view decorator"


@pytest.mark.parametrize(
    ("path", "name", "route"),
    [r for r in ALL_ROUTES if r[0].startswith("/backoffice")],
    ids=[n for p, n, _ in ALL_ROUTES if p.startswith("/backoffice")],
)
def test_every_back_office_route_declares_its_permission(
    path: str, name: str, route: Route
) -> None:
    endpoint = route.endpoint
    assert hasattr(endpoint, "hearth_permission"), f"{name} declares no permission"
    public = getattr(endpoint, "hearth_public", False)
    if public:
        # Only the sign-in journey may be reached without signing in.
        assert name in PUBLIC_BACKOFFICE, f"{name} is public but should not be"


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}:]+(:[^}]+)?\}", "1", path)


@pytest.mark.parametrize(("path", "name"), POST_ROUTES, ids=[n for _, n in POST_ROUTES])
def test_every_post_refuses_a_missing_or_wrong_csrf_token(
    pages: Pages, path: str, name: str
) -> None:
    pages.get("home")  # start a session with a real token
    url = _concrete(path)
    missing = pages.submit(url, {"anything": "x"}, csrf=False, status=None)
    assert missing.status == 403, f"{name} accepted a POST without a CSRF token"
    assert "expired" in missing.text
    wrong = pages.submit(url, {"csrf_token": "forged"}, status=None)
    assert wrong.status == 403, f"{name} accepted a POST with a wrong CSRF token"
    htmx_wrong = pages.client.post(url, headers={"HX-Request": "true", "X-CSRF-Token": "forged"})
    assert htmx_wrong.status_code == 403


def test_htmx_requests_may_send_the_token_in_a_header(pages: Pages) -> None:
    token = pages.csrf_token()
    response = pages.client.post(
        "/backoffice/sign-in",
        data={"email": "", "password": ""},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert response.status_code == 400  # got past CSRF to the form's own validation


def test_ids_too_large_for_the_database_are_simply_not_found(
    pages: Pages, sign_in_officer: Any
) -> None:
    from domain.vocab import Permission

    sign_in_officer(*Permission)
    huge = "9" * 30
    with_ids = [p for p, _, r in ALL_ROUTES if ":id}" in p and "GET" in (r.methods or ())]
    assert with_ids
    for path in with_ids:
        url = re.sub(r"\{[^}:]+:id\}", huge, re.sub(r"\{[^}:]+\}", "x", path))
        page = pages.fetch(url, status=None)
        assert page.status == 404, f"{url} answered {page.status}"
    # a filter value the queue cannot use is an error by that filter; a bad cursor starts over
    for query in ("team=" + huge, "assigned=" + huge):
        assert pages.fetch("/backoffice/queue?" + query, status=None).status == 400
    for query in ("after=1_" + huge, "after=1e999_1"):
        assert pages.fetch("/backoffice/queue?" + query, status=None).status == 200
