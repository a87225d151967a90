"""The service as a whole: branded pages, health, headers, static assets, error pages."""

from __future__ import annotations

import gzip

import pytest
from starlette.testclient import TestClient

from tests.support.pages import Pages


def test_portal_home_is_branded_for_the_council_not_govuk(pages: Pages) -> None:
    page = pages.get("home")
    assert page.h1 == "Housing help from Testshire District Council"
    assert (
        page.select_one(".govuk-generic-header").get_text(strip=True)
        == "Testshire District Council"
    )
    assert (
        page.select_one(".govuk-service-navigation__service-name").get_text(strip=True)
        == "Housing options"
    )
    html = page.response.text
    assert "GOV.UK" not in html
    assert "govuk-header__logotype" not in html
    assert "Crown copyright" not in html
    assert (
        page.select_one("title").get_text().endswith("Housing options – Testshire District Council")
    )
    # the brand colour comes from settings through a stylesheet, not an inline style
    brand = page.select_one('link[href^="/brand-"]')["href"]
    assert brand == "/brand-1d4f91.css"
    assert "<style" not in html
    assert " style=" not in html


def test_brand_stylesheet_sets_the_council_colour(client: TestClient) -> None:
    response = client.get("/brand-1d4f91.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert ":root{--hearth-brand:#1d4f91}" in response.text


def test_pages_work_without_javascript_no_inline_script(pages: Pages) -> None:
    page = pages.get("home")
    for script in page.select("script"):
        assert script.get("src"), "inline script would break the CSP and no-JS use"


def test_healthz_checks_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_security_headers_on_every_response(client: TestClient) -> None:
    for path in ("/", "/healthz", "/backoffice/sign-in", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert "camera=()" in headers["permissions-policy"]


def test_session_cookie_is_httponly_and_lax(client: TestClient, pages: Pages) -> None:
    header = pages.get("backoffice:sign_in").response.headers["set-cookie"].lower()
    assert header.startswith("hearth_session=")
    assert "httponly" in header
    assert "samesite=lax" in header
    assert "secure" not in header  # the embedded default runs on plain http://127.0.0.1


def test_html_is_gzipped(client: TestClient) -> None:
    response = client.get("/", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"


def test_fingerprinted_assets_are_cached_for_a_year_and_gzipped(
    pages: Pages, client: TestClient
) -> None:
    page = pages.get("home")
    css = page.select_one('link[rel="stylesheet"][href^="/static/"]')["href"]
    response = client.get(css, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-encoding"] == "gzip"
    raw = client.get(css, headers={"accept-encoding": "identity"}).content
    assert len(gzip.compress(raw)) < len(raw) / 3
    assert b"GDS Transport" not in raw
    assert b"@font-face" not in raw


def test_images_under_assets_are_served(client: TestClient) -> None:
    response = client.get("/assets/images/favicon.svg")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=86400"


def test_portal_404_page(pages: Pages) -> None:
    page = pages.fetch("/no-such-page", status=404)
    assert page.h1 == "Page not found"
    assert page.select(".govuk-generic-header")  # portal style


def test_backoffice_404_page_uses_the_back_office_style(pages: Pages) -> None:
    page = pages.fetch("/backoffice/no-such-page", status=404)
    assert page.h1 == "Page not found"
    assert page.select(".moj-header")


def test_wrong_method_gets_a_styled_page(pages: Pages) -> None:
    response = pages.client.put("/")
    assert response.status_code == 405
    assert "This page cannot do that" in response.text


@pytest.mark.parametrize(
    ("status", "title"),
    [
        (400, "There is a problem with your request"),
        (403, "You do not have access to this page"),
        (409, "Somebody else got there first"),
        (500, "Sorry, there is a problem with the service"),
    ],
)
def test_error_pages_in_both_styles(app, status: int, title: str) -> None:  # type: ignore[no-untyped-def]
    from starlette.exceptions import HTTPException
    from starlette.routing import Route

    async def boom(request):  # type: ignore[no-untyped-def]
        if status == 500:
            raise RuntimeError("an unexpected failure")
        raise HTTPException(status, "The reason, in words a person can act on.")

    app.router.routes.insert(0, Route("/boom", boom))
    app.router.routes.insert(0, Route("/backoffice/boom", boom))
    with TestClient(app, raise_server_exceptions=False) as client:
        pages = Pages(client)
        for path, marker in (
            ("/boom", ".govuk-generic-header"),
            ("/backoffice/boom", ".moj-header"),
        ):
            page = pages.fetch(path, status=status)
            assert page.h1 == title
            assert page.select(marker)
            # Error pages, the unexpected 500 included, carry every security header.
            headers = page.response.headers
            assert "frame-ancestors 'none'" in headers["content-security-policy"]
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["x-frame-options"] == "DENY"
            assert headers["cache-control"] == "no-store"
            if status == 500:
                assert "an unexpected failure" not in page.text  # no internals leak
            else:
                assert "The reason, in words a person can act on." in page.text
