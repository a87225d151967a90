"""Malformed input on every form: no answer is ever a 5xx.

Every POST route in the route table (every kind of change, every referral page) is sent a few
hundred malformed versions of its own form: control characters, invalid UTF-8, a megabyte of
text, huge and negative ids, impossible dates, fields repeated or missing. A seeded generator
picks the cases, so a failure repeats; the seed is in the failure message.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from changes import engine, evidence
from changes.kinds import KINDS
from domain.history import SYSTEM
from domain.models import User
from domain.strands import STRAND_TYPES, council_types
from domain.vocab import Permission
from hearth.app import build_routes
from portal.referrals import STEPS
from tests.support.factories import (
    TEST_PASSWORD,
    link_partners,
    make_case,
    make_person,
    make_portal_account,
    make_referral,
    make_team,
    open_housing_register,
)
from tests.support.pages import Pages
from tests.unit.test_strand_types import TENANCY
from tests.web.test_route_table import walk

SEED = 20261130
VARIANTS = 2  # random mixtures per form, besides one malformed value in every field

NASTY: list[str] = [
    "\x00",
    "a\x00b",
    "\x1b[31mred\x1b[0m",
    "\x7f\x08\x0c",
    "-1",
    "0",
    "2147483648",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "31",
    "13",
    "29",
    "0000",
    "",
    " ",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "😀" * 20,
    "é" * 500,
    "x" * 5000,
]
MEGABYTE = "m" * (1024 * 1024)


@pytest.fixture
def world(
    db: Session, pages: Pages, app: Any, sign_in_officer: Callable[..., User]
) -> Iterator[dict[str, Any]]:
    """A household with a change waiting (with a file), a referral, an officer with every
    permission (on `pages`) and the household's applicant (on a second client)."""
    team = make_team(db, "Housing Register")
    mum = make_person(db, "Amira", "Khan", born=dt.date(1988, 4, 2))
    dad = make_person(db, "Tariq", "Khan", born=dt.date(1986, 9, 9), sex="M")
    son = make_person(db, "Yusuf", "Khan", born=dt.date(2014, 1, 20), sex="M")
    case = make_case(db, mum, [(dad, "Partner"), (son, "Son")], team=team)
    link_partners(db, case, mum, dad)
    open_housing_register(db, case)
    account = make_portal_account(db, mum, email="amira@example.com")
    change = engine.submit(
        db,
        account,
        case,
        "other",
        {"person_id": mum.id, "details": "see letter"},
        idempotency_key=uuid.uuid4().hex,
        today=dt.date(2026, 11, 30),
    )
    referral = make_referral(db)
    council_types.save(db, SYSTEM, TENANCY)
    db.commit()
    officer = sign_in_officer(*Permission)
    with TestClient(app, raise_server_exceptions=False) as applicant_client:
        applicant = Pages(applicant_client)
        applicant.post("sign_in", {"email": "amira@example.com", "password": TEST_PASSWORD})
        yield {
            "ids": {
                "change_id": change.id,
                "case_id": case.id,
                "strand_id": referral.strand_id,
                "user_id": officer.id,
                "team_id": team.id,
                "person_id": mum.id,
            },
            "officer": pages,
            "applicant": applicant,
            "files": evidence,
        }


def _targets(ids: dict[str, int]) -> list[tuple[str, str]]:
    """(route name, URL) for every POST route, with each path parameter filled."""
    out = []
    for path, name, route in walk(build_routes()):
        if "POST" not in (route.methods or ()) or name.endswith("sign_out"):
            continue
        if "{kind}" in path:
            out += [(name, path.replace("{kind}", code)) for code in KINDS]
        elif "{step}" in path:
            out += [(name, path.replace("{step}", step.slug)) for step in STEPS]
        else:
            url = path
            for param in route.param_convertors:
                if param in ids:
                    url = url.replace(f"{{{param}:id}}", str(ids[param]))
            if "{type_code:str}" in url:
                out += [(name, url.replace("{type_code:str}", code)) for code in STRAND_TYPES]
                continue
            out.append((name, url.replace("{code:str}", "tenancy_sustainment")))
    return out


def _field_names(client: Pages, url: str) -> list[str]:
    """The names of the fields of the forms on the page at `url` posting to `url`."""
    response = client.client.get(url, follow_redirects=False)
    soup = BeautifulSoup(response.text, "html.parser")
    names: list[str] = []
    for form in soup.find_all("form"):
        action = str(form.get("action") or "").split("?")[0]
        if action != url and not action.endswith(url):
            continue
        for field in form.find_all(["input", "select", "textarea"]):
            name = field.get("name")
            if isinstance(name, str) and name != "csrf_token" and name not in names:
                names.append(name)
    return names or ["version", "reason", "details", "email", "password"]


EVERYWHERE = ["a\x00b", "\x01\x1f\x7f", "2147483648", MEGABYTE]


def _variants(rng: random.Random, names: list[str]) -> Iterator[list[tuple[str, str]]]:
    # The same malformed value in every field: each reaches whatever the form does with it.
    for value in EVERYWHERE:
        yield [(name, value) for name in names]
    # Then mixtures: some fields missing, one repeated, each value picked at random.
    for _ in range(VARIANTS):
        fields = [name for name in names if rng.random() > 0.25]
        if rng.random() < 0.3 and fields:
            fields.append(rng.choice(fields))
        yield [(name, rng.choice(NASTY)) for name in fields]


def test_no_form_answers_malformed_input_with_a_5xx(world: dict[str, Any]) -> None:
    rng = random.Random(SEED)  # noqa: S311  (a seeded fuzzer, not a secret)
    sent = 0
    statuses: dict[int, int] = {}
    failures = []
    for name, url in _targets(world["ids"]):
        client: Pages = world["officer"] if name.startswith("backoffice:") else world["applicant"]
        names = _field_names(client, url)
        token = client.csrf_token()
        for fields in _variants(rng, names):
            data: dict[str, list[str]] = {"csrf_token": [token]}
            for key, value in fields:
                data.setdefault(key, []).append(value)
            response = client.client.post(url, data=data, follow_redirects=False)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            sent += 1
            if response.status_code >= 500:
                failures.append(f"{url} {[(k, v[:20]) for k, v in fields]}")
        # invalid UTF-8, as a raw form body
        body = "&".join(f"{quote(n)}=%FF%FE%C3%28" for n in names) + f"&csrf_token={token}"
        response = client.client.post(
            url,
            content=body.encode(),
            headers={"content-type": "application/x-www-form-urlencoded"},
            follow_redirects=False,
        )
        sent += 1
        if response.status_code >= 500:
            failures.append(f"{url} invalid UTF-8")
    answers = ", ".join(f"{n}×{code}" for code, n in sorted(statuses.items()))
    print(f"\nfuzz: {sent} malformed forms sent to {len(_targets(world['ids']))} pages: {answers}")
    assert sent >= 400
    assert failures == [], f"seed {SEED}: " + "; ".join(failures[:10])
