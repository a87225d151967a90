"""People in the back office: finding someone however they are known, adding a person after a
duplicate check, the person page, and editing details with history and optimistic locking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import people
from domain.history import SYSTEM
from domain.history_kinds import HistoryKind
from domain.models import Address, HistoryEvent, Person, User
from domain.vocab import CaseStatus, Permission
from tests.support.factories import make_case, make_person
from tests.support.pages import Page, Pages

D = dt.date


def _names(page: Page) -> list[str]:
    return [row.select_one("td a").get_text(strip=True) for row in page.select("table tbody tr")]


def _search(pages: Pages, q: str, status: int = 200) -> Page:
    return pages.get("backoffice:people", params={"q": q}, status=status)


def _person_form(**overrides: Any) -> dict[str, Any]:
    form = {
        "title": "",
        "first_name": "Jonathan",
        "middle_names": "",
        "last_name": "Okoro",
        "date_of_birth-day": "12",
        "date_of_birth-month": "3",
        "date_of_birth-year": "1985",
        "sex": "M",
        "ni_number": "",
        "email": "",
        "phone": "",
        "preferred_contact": "",
        "communication_needs": "",
    }
    form.update(overrides)
    return form


def test_people_pages_need_the_people_permission(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    person = make_person(db, "Amira", "Khan")
    db.commit()
    sign_in_officer(Permission.CASES)
    assert "You need the “People” permission" in pages.get("backoffice:people", status=403).text
    pages.get("backoffice:person", status=403, person_id=person.id)
    pages.get("backoffice:person_new", status=403)
    pages.post("backoffice:person_new", _person_form(), status=403)
    pages.get("backoffice:person_edit", status=403, person_id=person.id)
    assert "People" not in pages.get("backoffice:home").texts(".moj-primary-navigation__link")


def test_search_by_any_part_of_a_name_in_any_order_ignoring_accents_and_case(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    jonathan = make_person(db, "Jonathan", "Smith-O'Neill", born=D(1985, 3, 12))
    zoe = make_person(db, "Zoë", "Wiśniewski", born=D(1990, 1, 2))
    make_person(db, "Joanna", "Smith", born=D(1970, 7, 7))
    db.commit()
    sign_in_officer(Permission.PEOPLE)
    assert _names(_search(pages, "Jon")) == ["Jonathan Smith-O'Neill"]
    assert _names(_search(pages, "oneill jon")) == ["Jonathan Smith-O'Neill"]
    assert _names(_search(pages, "O'Neill")) == ["Jonathan Smith-O'Neill"]
    assert _names(_search(pages, "SMITH")) == ["Joanna Smith", "Jonathan Smith-O'Neill"]
    assert _names(_search(pages, "zoe wisniewski")) == ["Zoë Wiśniewski"]
    assert _names(_search(pages, "ZOË")) == ["Zoë Wiśniewski"]
    # Words match the start of a word of the name, not its middle (PostgreSQL then offers the
    # closest names, marked as such; SQLite finds no one).
    middle = _search(pages, "nathan")
    heading = middle.select("#results-heading")
    assert middle.select("#no-results") or "similar names" in heading[0].get_text()
    # A name and a date of birth narrow each other.
    assert _names(_search(pages, "smith 12/03/1985")) == ["Jonathan Smith-O'Neill"]
    assert _names(_search(pages, "12/3/1985")) == ["Jonathan Smith-O'Neill"]
    page = _search(pages, "smith 01/01/2000")
    assert page.select("#no-results")
    assert "Add a person" in page.text
    assert jonathan.id and zoe.id


def test_search_by_reference_phone_email_postcode_and_ni_number(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    mum = make_person(db, "Amira", "Khan", email="Amira.Khan@Example.com", address=None)
    mum.phone = "+44 7700 900123"
    mum.ni_number = "QQ123456C"
    mum.addresses.append(Address(line_1="4 Mill Lane", postcode="NB1 2AB", date_from=D(2020, 1, 1)))
    dad = make_person(db, "Tariq", "Khan", sex="M", address=None)
    dad.addresses.append(
        Address(
            line_1="9 Old Road", postcode="NB1 2AB", date_from=D(2010, 1, 1), date_to=D(2020, 1, 1)
        )
    )
    case = make_case(db, mum, [(dad, "Partner")])
    make_person(db, "Other", "Person")
    db.commit()
    sign_in_officer(Permission.PEOPLE)
    assert _names(_search(pages, case.reference)) == ["Amira Khan", "Tariq Khan"]
    assert _names(_search(pages, f"hc {case.id}")) == ["Amira Khan", "Tariq Khan"]
    assert _names(_search(pages, mum.reference)) == ["Amira Khan"]
    assert _names(_search(pages, "07700 900 123")) == ["Amira Khan"]
    assert _names(_search(pages, "amira.khan@example.COM")) == ["Amira Khan"]
    assert _names(_search(pages, "qq 12 34 56 c")) == ["Amira Khan"]
    # A postcode finds the people living there now, not those who lived there once.
    page = _search(pages, "nb12ab")
    assert _names(page) == ["Amira Khan"]
    row = page.select_one("table tbody tr").get_text(" ", strip=True)
    assert "4 Mill Lane, NB1 2AB" in row
    assert case.reference in row and "(primary applicant)" in row


def test_search_results_tell_people_of_the_same_name_apart_and_page(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    for n in range(30):
        make_person(db, f"Sam{n:02d}", "Taylor", born=D(1960 + n, 1, 1))
    closed_case = make_case(db, make_person(db, "Sam", "Taylor", born=D(2001, 5, 5)))
    closed_case.status = CaseStatus.CLOSED.value
    db.commit()
    sign_in_officer(Permission.PEOPLE)
    first = _search(pages, "taylor")
    assert len(_names(first)) == 25
    rows = [r.get_text(" ", strip=True) for r in first.select("table tbody tr")]
    assert "1 January 1960" in rows[1] and "1 Test Street" in rows[1]
    assert "No active case" in rows[1]
    assert "1 closed or past case" in rows[0]  # "Sam Taylor" sorts first, on a closed case
    more = first.select_one('a[rel="next"]')["href"]
    second = pages.fetch(f"{pages.url('backoffice:people')}{more[more.index('?') :]}")
    assert len(_names(second)) == 6
    assert not set(_names(first)) & set(_names(second))
    assert not second.select('a[rel="next"]')


def test_a_search_that_cannot_be_understood_says_why(
    pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    sign_in_officer(Permission.PEOPLE)
    page = _search(pages, "31/02/1990", status=400)
    assert page.error_summary == ["Date of birth must be a real date, for example 27/03/1985"]
    page = _search(pages, "x" * 101, status=400)
    assert page.error_summary == ["Search must be 100 characters or fewer"]
    assert "Error:" in page.select_one("title").get_text()
    page = _search(pages, "!!!", status=400)
    assert page.error_summary[0].startswith("Enter a name, a date of birth")


# --- adding a person ------------------------------------------------------------------------------


def test_a_person_with_no_likely_duplicate_is_added_with_history(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    officer = sign_in_officer(Permission.PEOPLE, name="Rina Patel")
    form = _person_form(
        title="Mr",
        ni_number="qq 65 43 21 a",
        email="Jon.Okoro@Example.com",
        phone="07700 900456",
        preferred_contact="Text message",
        communication_needs="Yoruba interpreter",
    )
    page = pages.post("backoffice:person_new", form)
    person = db.scalars(select(Person).where(Person.last_name == "Okoro")).one()
    assert page.location == pages.url("backoffice:person", person_id=person.id)
    assert (person.title, person.ni_number, person.email) == (
        "Mr",
        "QQ654321A",
        "jon.okoro@example.com",
    )
    assert person.communication_needs == "Yoruba interpreter"
    event = db.scalars(select(HistoryEvent).where(HistoryEvent.person_id == person.id)).one()
    assert event.kind == HistoryKind.PERSON_CREATED and event.actor_user_id == officer.id
    shown = pages.follow(page)
    assert "Jonathan Okoro has been added." in shown.text
    assert shown.h1 == "Jonathan Okoro"
    assert "Yoruba interpreter" in shown.select_one("#communication-needs").text


def test_likely_duplicates_are_shown_before_saving_and_the_officer_can_go_on(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    same_name = make_person(db, "Jonathan", "Okoro", born=D(1985, 3, 12))
    same_ni = make_person(db, "John", "Okoro", born=D(1984, 1, 1))
    same_ni.ni_number = "QQ654321A"
    same_email = make_person(db, "J", "O", email="jo@example.com")
    make_person(db, "Jonathan", "Okoro", born=D(1999, 9, 9))  # same name, another birthday
    db.commit()
    sign_in_officer(Permission.PEOPLE)
    before = db.scalar(select(Person.id).order_by(Person.id.desc()).limit(1))
    form = _person_form(first_name="jonathan ", ni_number="QQ654321A", email="JO@example.com")
    page = pages.post("backoffice:person_new", form, status=200)
    assert page.select("#possible-duplicates")
    shown = {int(tr["data-person"]) for tr in page.select("#matches tbody tr")}
    assert shown == {same_name.id, same_ni.id, same_email.id}
    assert db.scalar(select(Person.id).order_by(Person.id.desc()).limit(1)) == before
    open_link = page.select_one(f'#matches tr[data-person="{same_name.id}"] a')["href"]
    assert open_link == pages.url("backoffice:person", person_id=same_name.id)
    # The officer's answers are kept; confirming adds the person.
    assert page.select_one("#first_name")["value"] == "jonathan "
    seen = page.select_one('input[name="seen_matches"]')["value"]
    created = pages.post("backoffice:person_new", {**form, "seen_matches": seen})
    assert created.location is not None
    # Confirming against other matches than those shown checks again.
    again = pages.post(
        "backoffice:person_new", {**form, "seen_matches": str(same_name.id)}, status=200
    )
    assert again.select("#possible-duplicates")


def test_adding_a_person_with_wrong_answers_says_what_to_fix(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    sign_in_officer(Permission.PEOPLE)
    count = db.scalar(select(Person.id).order_by(Person.id.desc()).limit(1))
    page = pages.post(
        "backoffice:person_new",
        _person_form(
            first_name="",
            ni_number="12345",
            email="not-an-email",
            phone="call me",
            **{"date_of_birth-month": "13"},
        ),
        status=400,
    )
    assert page.error_summary == [
        "Enter the first name",
        "Date of birth must be a real date",
        "Enter a National Insurance number in the correct format, like QQ 12 34 56 C",
        "Enter an email address in the correct format, like name@example.com",
        "Enter a phone number, like 07700 900 982 or +44 808 157 0192",
    ]
    page = pages.post("backoffice:person_new", _person_form(preferred_contact="Email"), status=400)
    assert page.error_summary == ["Enter an email address, or choose another way to contact them"]
    assert db.scalar(select(Person.id).order_by(Person.id.desc()).limit(1)) == count


# --- the person page -----------------------------------------------------------------------------


def test_the_person_page_shows_details_addresses_cases_and_history(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    mum = make_person(db, "Amira", "Khan", address=None)
    mum.addresses.append(
        Address(
            line_1="9 Old Road", postcode="NB1 1AA", date_from=D(2015, 1, 1), date_to=D(2020, 1, 1)
        )
    )
    mum.addresses.append(Address(line_1="4 Mill Lane", postcode="NB1 2AB", date_from=D(2020, 1, 1)))
    dad = make_person(db, "Tariq", "Khan", sex="M")
    old = make_case(db, mum, joined=D(2015, 1, 1))
    old.status = CaseStatus.CLOSED.value
    case = make_case(db, dad, [(mum, "Partner")], joined=D(2020, 1, 1))
    people.change_contact_details(
        db, SYSTEM, mum, email="amira@example.com", phone=None, preferred_contact="Email"
    )
    db.commit()
    sign_in_officer(Permission.PEOPLE)
    page = pages.get("backoffice:person", person_id=mum.id)
    assert page.h1 == "Amira Khan"
    addresses = [r.get_text(" ", strip=True) for r in page.select("#addresses tbody tr")]
    assert addresses[0].startswith("4 Mill Lane, NB1 2AB Current")
    assert "9 Old Road" in addresses[1] and "1 January 2020" in addresses[1]
    cases = {
        int(r["data-case"]): r.get_text(" ", strip=True) for r in page.select("#cases tbody tr")
    }
    assert "Partner" in cases[case.id] and "Tariq Khan (primary applicant)" in cases[case.id]
    assert "Primary applicant" in cases[old.id] and "Closed" in cases[old.id]
    # Without the Cases permission, the references are not links (the case pages would refuse).
    assert not page.select(f'#cases a[href="{pages.url("backoffice:case", case_id=case.id)}"]')
    assert page.select(f'#cases a[href="{pages.url("backoffice:person", person_id=dad.id)}"]')
    timeline = page.texts(".moj-timeline__title")
    assert "Contact details changed" in timeline


def test_the_person_page_costs_the_same_however_long_the_record(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], queries: Any
) -> None:
    def count(person: Person) -> int:
        queries.count = 0
        pages.get("backoffice:person", person_id=person.id)
        return int(queries.count)

    sign_in_officer(Permission.PEOPLE, Permission.CASES)
    small = make_person(db, "Small", "Record")
    make_case(db, small, [(make_person(db), "Son")])
    big = make_person(db, "Big", "Record")
    for n in range(6):
        make_case(db, big, [(make_person(db), "Son"), (make_person(db), "Daughter")])
        people.change_contact_details(
            db, SYSTEM, big, email=f"big{n}@example.com", phone=None, preferred_contact="Email"
        )
    db.commit()
    assert count(big) == count(small)


# --- editing --------------------------------------------------------------------------------------


def test_editing_details_records_before_and_after(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    person = make_person(db, "Jon", "Okoro", born=D(1985, 3, 12), sex="M")
    db.commit()
    sign_in_officer(Permission.PEOPLE)
    page = pages.get("backoffice:person_edit", person_id=person.id)
    assert page.select_one("#first_name")["value"] == "Jon"
    form = _person_form(
        first_name="Jonathan",
        ni_number="QQ123456C",
        version=page.select_one('input[name="version"]')["value"],
    )
    saved = pages.post("backoffice:person_edit", form, person_id=person.id)
    assert saved.location == pages.url("backoffice:person", person_id=person.id)
    db.expire_all()
    assert (person.first_name, person.ni_number, person.search_name) == (
        "Jonathan",
        "QQ123456C",
        "jonathan okoro",
    )
    event = db.scalars(
        select(HistoryEvent).where(HistoryEvent.kind == HistoryKind.PERSON_DETAILS)
    ).one()
    assert event.before == {"first_name": "Jon", "ni_number": None}
    assert event.after == {"first_name": "Jonathan", "ni_number": "QQ123456C"}
    assert "first name, National Insurance number" in event.summary
    shown = pages.follow(saved)
    assert "Before and after" in shown.text


def test_an_edit_made_against_an_old_version_is_refused_and_shows_the_record_now(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    person = make_person(db, "Jon", "Okoro", born=D(1985, 3, 12), sex="M")
    db.commit()
    sign_in_officer(Permission.PEOPLE)
    seen = pages.get("backoffice:person_edit", person_id=person.id)
    version = seen.select_one('input[name="version"]')["value"]
    # Another officer saves a new phone number meanwhile.
    other = people.details_of(person)
    people.update_details(
        db,
        SYSTEM,
        person,
        people.PersonDetails(**{**other.__dict__, "phone": "07700 900999"}),
        expected_version=person.version,
    )
    db.commit()
    form = _person_form(first_name="Jonathan", version=version)
    page = pages.post("backoffice:person_edit", form, person_id=person.id, status=409)
    assert "was changed by Hearth (automatic)" in page.error_summary[0]
    assert "phone number" in page.error_summary[0]
    now = page.select_one("#record-now").get_text(" ", strip=True)
    assert "07700 900999" in now
    assert page.select_one("#first_name")["value"] == "Jonathan"
    db.expire_all()
    assert person.first_name == "Jon"
    # Saving again, having seen the record as it is now, goes through.
    new_version = page.select_one('input[name="version"]')["value"]
    assert new_version != version
    pages.post("backoffice:person_edit", {**form, "version": new_version}, person_id=person.id)
    db.expire_all()
    assert person.first_name == "Jonathan"


# --- PostgreSQL: typos, the index, and two officers at once -------------------------------------


@pytest.mark.postgresql_only
def test_a_misspelt_name_finds_the_closest_names_on_postgresql(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    make_person(db, "Jonathan", "Smith", born=D(1985, 3, 12))
    make_person(db, "Mary", "Jones")
    db.commit()
    sign_in_officer(Permission.PEOPLE)
    page = _search(pages, "Jonathon Smyth")
    assert "similar names" in page.select_one("#results-heading").get_text()
    assert _names(page) == ["Jonathan Smith"]
    assert _search(pages, "Xavier Quill").select("#no-results")


@pytest.mark.postgresql_only
def test_name_searches_can_use_the_trigram_index(db: Session) -> None:
    """With sequential scans priced out, the planner reads a name search from the words index
    and a typo search from the trigram index: the indexes exist and the searches' conditions
    are ones they serve."""
    from sqlalchemy import text

    from domain import person_search

    starts = db.scalar(text("SELECT to_tsvector('simple', name_prefixes('jo o2b'))"))
    assert str(starts) == "'j':1 'jo':2 'o':3 'o2':4 'o2b':5"
    db.execute(text("SET LOCAL enable_seqscan = off"))
    for query, index in (("jon smi", "ix_person_search_prefixes"),):
        search = person_search.parse(query)
        stmt = person_search._matches(person_search._shape(search), True).params(
            **person_search._params(search, True), limit=person_search.MAX_MATCHES + 1
        )
        compiled = stmt.compile(db.get_bind(), compile_kwargs={"literal_binds": True})
        plan = "\n".join(db.scalars(text(f"EXPLAIN {compiled}")))
        assert index in plan, plan
        assert "Seq Scan" not in plan, plan
    similar = (
        select(Person)
        .where(Person.search_name.op("%>")("jonathon smyth"))
        .compile(db.get_bind(), compile_kwargs={"literal_binds": True})
    )
    plan = "\n".join(r[0] for r in db.connection().exec_driver_sql(f"EXPLAIN {similar}"))
    assert "ix_person_search_name" in plan and "Seq Scan" not in plan, plan


def test_a_search_matching_too_many_asks_for_more_rather_than_listing_them(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    from domain import person_search

    for n in range(6):
        make_person(db, f"Sam{n}", "Common")
    db.commit()
    query = person_search.parse("common")
    capped = person_search.search(db, query, D(2026, 1, 1), max_matches=5)
    assert capped.too_many and capped.rows == []
    assert len(person_search.search(db, query, D(2026, 1, 1), max_matches=6).rows) == 6
    sign_in_officer(Permission.PEOPLE)
    assert len(_names(_search(pages, "common"))) == 6  # (under the real limit of 500)
