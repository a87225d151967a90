"""Running a case in the back office: starting one (from the cases list, from a person with the
people related to them), officers, team and summary, people joining and leaving with the bedroom
need recalculated, closing and reopening; and relationships between people."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import assessments, relationships
from domain.history import SYSTEM
from domain.history_kinds import HistoryKind
from domain.models import Case, CaseOfficer, HistoryEvent, User
from domain.pending import PendingChange
from domain.vocab import CaseStatus, Permission
from tests.support.factories import TEST_PASSWORD, make_officer, make_person, make_team
from tests.support.pages import Pages
from tests.web.case_fixtures import TODAY, D, _link, submit


def _events(db: Session, kind: HistoryKind) -> list[HistoryEvent]:
    return list(db.scalars(select(HistoryEvent).where(HistoryEvent.kind == kind.value)))


def _date(prefix: str, day: Any) -> dict[str, str]:
    return {
        f"{prefix}-day": str(day.day),
        f"{prefix}-month": str(day.month),
        f"{prefix}-year": str(day.year),
    }


def test_a_case_is_built_as_a_draft_and_saved_with_its_people(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    mum = make_person(db, "Amira", "Khan", born=D(1988, 4, 2))
    son = make_person(db, "Yusuf", "Khan", born=D(2014, 1, 20), sex="M")
    lodger = make_person(db, "Lee", "Lodger")
    team = make_team(db, "Housing Options")
    closed_team = make_team(db, "Finance")
    closed_team.allows_cases = False
    db.commit()
    officer = sign_in_officer(Permission.CASES, Permission.PEOPLE, name="Sam Whitfield")
    page = pages.get("backoffice:case_new")
    assert page.select("#no-people")
    # Saving with nobody says so; searching finds people to add.
    page = pages.post("backoffice:case_new", {"action": "save"}, status=400)
    assert page.error_summary == ["Add at least one person before saving the case"]
    page = pages.post("backoffice:case_new", {"action": "search", "q": "khan"}, status=200)
    found = {int(tr["data-person"]) for tr in page.select("#found tbody tr")}
    assert found == {mum.id, son.id}
    form: dict[str, Any] = {"q": "khan", "add": str(mum.id)}
    page = pages.post("backoffice:case_new", form, status=200)
    assert [int(tr["data-person"]) for tr in page.select("#draft-people tbody tr")] == [mum.id]
    form = {"member": [str(mum.id)], "primary": str(mum.id), "add": str(son.id)}
    page = pages.post("backoffice:case_new", form, status=200)
    form = {"member": [str(mum.id), str(son.id)], "primary": str(mum.id), "add": str(lodger.id)}
    page = pages.post("backoffice:case_new", form, status=200)
    rows = [int(tr["data-person"]) for tr in page.select("#draft-people tbody tr")]
    assert rows == [mum.id, son.id, lodger.id]
    # Before saving, a person can be taken off again.
    members = [str(mum.id), str(son.id), str(lodger.id)]
    page = pages.post(
        "backoffice:case_new",
        {"member": members, "primary": str(mum.id), "remove": str(lodger.id)},
        status=200,
    )
    assert [int(tr["data-person"]) for tr in page.select("#draft-people tbody tr")] == [
        mum.id,
        son.id,
    ]
    # Everyone but the primary applicant needs a relationship; a team that holds no cases is
    # refused.
    draft = {"member": [str(mum.id), str(son.id)], "primary": str(mum.id), "action": "save"}
    page = pages.post("backoffice:case_new", draft, status=400)
    assert page.error_summary == ["Choose Yusuf Khan's relationship to Amira Khan"]
    assert db.scalar(select(Case.id)) is None
    draft[f"relationship_{son.id}"] = "Son"
    draft["team"] = str(closed_team.id)
    page = pages.post("backoffice:case_new", draft, status=400)
    assert page.error_summary == ["Choose a team that holds cases"]
    draft["team"] = str(team.id)
    saved = pages.post("backoffice:case_new", draft)
    case = db.scalars(select(Case)).one()
    assert saved.location == pages.url("backoffice:case", case_id=case.id)
    assert case.responsible_team_id == team.id
    assert [(cp.person_id, cp.relationship_to_primary) for cp in case.people] == [
        (mum.id, "Self"),
        (son.id, "Son"),
    ]
    assert all(cp.date_joined == TODAY for cp in case.people)
    assert [(o.user_id, o.role) for o in case.officers] == [(officer.id, "Primary")]
    # The relationship is on the people too: Yusuf is Amira's child.
    related = relationships.related_to(db, mum.id)
    assert [(r.person.id, r.words()) for r in related] == [(son.id, "Son")]
    assert _events(db, HistoryKind.CASE_CREATED) and _events(db, HistoryKind.CASE_OFFICERS)


def test_a_case_started_from_a_person_brings_the_people_related_to_them(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    mum = make_person(db, "Amira", "Khan")
    dad = make_person(db, "Tariq", "Khan", sex="M")
    daughter = make_person(db, "Noor", "Khan", born=D(2016, 5, 5))
    relationships.relate(db, SYSTEM, mum, dad, relationships.Role.PARTNER)
    relationships.relate(db, SYSTEM, daughter, mum, relationships.Role.PARENT)
    db.commit()
    sign_in_officer(Permission.CASES, Permission.PEOPLE)
    person_page = pages.get("backoffice:person", person_id=mum.id)
    start = person_page.select_one("#start-case")["href"]
    page = pages.fetch(start)
    rows = {int(tr["data-person"]): tr for tr in page.select("#draft-people tbody tr")}
    assert list(rows) == [mum.id, dad.id, daughter.id]
    chosen = {pid: tr.select_one("select option[selected]") for pid, tr in rows.items()}
    assert chosen[dad.id].get_text() == "Partner"
    assert chosen[daughter.id].get_text() == "Daughter"
    assert rows[mum.id].select_one('input[name="primary"]').has_attr("checked")
    assert rows[dad.id].select_one(f'input[name="joint_{dad.id}"]').has_attr("checked")


def test_officers_team_and_summary_are_changed_on_the_details_tab(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    case = family["case"]
    other_team = make_team(db, "Housing Options")
    quinn = make_officer(db, Permission.CASES, name="Quinn Harper")
    tom = make_officer(db, Permission.CASES, name="Tom Adeyemi")
    change = submit(db, family, "other", {"details": "New job"})
    officer = sign_in_officer(Permission.CASES, name="Sam Whitfield")
    page = pages.get("backoffice:case_details", case_id=case.id)
    version = page.select_one('input[name="version"]')["value"]
    form = {
        "version": version,
        "officer": [str(officer.id), str(quinn.id), str(tom.id), ""],
        "role": ["Primary", "Secondary", "Secondary", "Other"],
        "team": str(other_team.id),
        "summary": "Overcrowded; medical priority pending",
    }
    saved = pages.post("backoffice:case_details", form, case_id=case.id)
    assert saved.location == pages.url("backoffice:case_summary", case_id=case.id)
    db.expire_all()
    assert sorted((o.user.name, o.role) for o in case.officers) == [
        ("Quinn Harper", "Secondary"),
        ("Sam Whitfield", "Primary"),
        ("Tom Adeyemi", "Secondary"),
    ]
    assert case.responsible_team_id == other_team.id
    assert db.get(PendingChange, change.id).team_id == other_team.id  # type: ignore[union-attr]
    tab = pages.follow(saved)
    assert "Overcrowded; medical priority pending" in tab.select_one("#summary").text
    assert len(tab.select("#officers tbody tr")) == 3
    # The same form again, from the version seen before the save: refused, nothing lost.
    stale = pages.post(
        "backoffice:case_details", {**form, "summary": "x"}, case_id=case.id, status=409
    )
    assert "This case was changed by Sam Whitfield" in stale.error_summary[0]
    db.expire_all()
    assert case.summary == "Overcrowded; medical priority pending"
    # An officer without the Cases permission cannot be put on a case.
    reception = make_officer(db, Permission.PEOPLE, name="Rina Patel")
    db.commit()
    fresh = pages.get("backoffice:case_details", case_id=case.id)
    refused = pages.post(
        "backoffice:case_details",
        {
            **form,
            "version": fresh.select_one('input[name="version"]')["value"],
            "officer": [str(reception.id)],
            "role": ["Other"],
        },
        case_id=case.id,
        status=400,
    )
    assert refused.error_summary == ["Rina Patel cannot work on cases (no Cases permission)"]
    assert (
        db.scalars(select(CaseOfficer).where(CaseOfficer.user_id == reception.id)).first() is None
    )


def test_people_join_and_leave_with_the_bedroom_need_recalculated(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    case = family["case"]
    auntie = make_person(db, "Farah", "Khan", born=D(1992, 8, 8))
    db.commit()
    sign_in_officer(Permission.CASES, Permission.PEOPLE, name="Sam Whitfield")
    before = assessments.current_assessment(db, case.id)
    assert before is not None
    found = pages.get("backoffice:case_add_person", case_id=case.id, params={"q": "farah"})
    choose = found.select_one(f'#found tr[data-person="{auntie.id}"] a')["href"]
    page = pages.fetch(choose)
    assert page.select_one("#date_joined-day")["value"] == str(TODAY.day)
    refused = pages.post(
        "backoffice:case_add_person",
        {"person": str(auntie.id), **_date("date_joined", TODAY)},
        case_id=case.id,
        status=400,
    )
    assert refused.error_summary == ["Choose their relationship to the primary applicant"]
    pages.post(
        "backoffice:case_add_person",
        {"person": str(auntie.id), "relationship": "Other relative", **_date("date_joined", TODAY)},
        case_id=case.id,
    )
    db.expire_all()
    added = assessments.current_assessment(db, case.id)
    assert added is not None and added.number == before.number + 1
    assert added.cause == "household_change"
    assert "Farah Khan added to the household" in added.cause_detail
    assert "Sam Whitfield" in added.cause_detail
    # Setting a date left recalculates again, with that cause.
    link = _link(case, auntie.id)
    edit = pages.get("backoffice:case_edit_member", case_id=case.id, person_id=auntie.id)
    form = {
        "version": edit.select_one('input[name="version"]')["value"],
        "relationship": "Other relative",
        **_date("date_joined", TODAY),
        **_date("date_left", TODAY),
    }
    done = pages.post("backoffice:case_edit_member", form, case_id=case.id, person_id=auntie.id)
    assert "left on" in pages.follow(done).text
    db.expire_all()
    assert link.date_left == TODAY
    left = assessments.current_assessment(db, case.id)
    assert left is not None and left.number == added.number + 1
    assert "Farah Khan's place changed: left on" in left.cause_detail
    assert _events(db, HistoryKind.HOUSEHOLD_LEFT)
    # The form again from the old version: refused and told who changed it.
    stale = pages.post(
        "backoffice:case_edit_member", form, case_id=case.id, person_id=auntie.id, status=409
    )
    assert "Farah Khan's place was changed by Sam Whitfield" in stale.error_summary[0]
    # A date left before the date joined is refused by the field.
    edit = pages.get("backoffice:case_edit_member", case_id=case.id, person_id=auntie.id)
    bad = {
        **form,
        "version": edit.select_one('input[name="version"]')["value"],
        **_date("date_left", D(2000, 1, 1)),
    }
    page = pages.post(
        "backoffice:case_edit_member", bad, case_id=case.id, person_id=auntie.id, status=400
    )
    assert page.error_summary == ["Date left must be the same as or after the date joined"]


def test_closing_lists_what_is_open_refuses_with_changes_waiting_and_reopens(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    case = family["case"]
    change = submit(db, family, "other", {"details": "New job"})
    sign_in_officer(Permission.CASES, Permission.QUEUE, name="Sam Whitfield")
    page = pages.get("backoffice:case_close", case_id=case.id)
    assert page.select("#pending-changes")
    assert "Housing Register" in page.select_one("#open-strands").text
    form = {"version": page.select_one('input[name="version"]')["value"], "reason": "Rehoused"}
    refused = pages.post("backoffice:case_close", form, case_id=case.id, status=400)
    assert "waiting for a decision" in refused.error_summary[0]
    change.status = "rejected"
    db.commit()
    refused = pages.post("backoffice:case_close", form, case_id=case.id, status=400)
    assert refused.error_summary == [
        "Confirm that the case should close with applications or assessments still open"
    ]
    refused = pages.post(
        "backoffice:case_close",
        {**form, "reason": " ", "confirm_open_strands": "yes"},
        case_id=case.id,
        status=400,
    )
    assert refused.error_summary == ["Enter why the case is being closed"]
    closed = pages.post(
        "backoffice:case_close", {**form, "confirm_open_strands": "yes"}, case_id=case.id
    )
    tab = pages.follow(closed)
    assert "Closed" in tab.select_one("#closed").text and "Rehoused" in tab.text
    db.expire_all()
    assert case.status == CaseStatus.CLOSED.value and case.close_reason == "Rehoused"
    (event,) = _events(db, HistoryKind.CASE_CLOSED)
    assert "left open: Housing Register" in event.summary
    # A closed household takes no edits.
    edit = pages.get("backoffice:case_edit_member", case_id=case.id, person_id=family["son"].id)
    refused = pages.post(
        "backoffice:case_edit_member",
        {
            "version": edit.select_one('input[name="version"]')["value"],
            "relationship": "Son",
            **_date("date_joined", D(2024, 1, 1)),
            **_date("date_left", TODAY),
        },
        case_id=case.id,
        person_id=family["son"].id,
        status=400,
    )
    assert "is closed: reopen it" in refused.error_summary[0]
    reopen = pages.get("backoffice:case_reopen", case_id=case.id)
    pages.post(
        "backoffice:case_reopen",
        {"version": reopen.select_one('input[name="version"]')["value"], "reason": "Back in touch"},
        case_id=case.id,
    )
    db.expire_all()
    assert case.status == CaseStatus.ACTIVE.value and case.closed_at is None
    assert _events(db, HistoryKind.CASE_REOPENED)


def test_a_closed_case_takes_no_portal_changes_and_the_portal_says_so(
    db: Session, pages: Pages, family: dict[str, Any]
) -> None:
    case = family["case"]
    case.status = CaseStatus.CLOSED.value
    case.closed_at = case.created_at
    db.commit()
    applicant = pages
    applicant.post("sign_in", {"email": "amira@example.com", "password": TEST_PASSWORD})
    page = applicant.get("your_case")
    assert page.h1 == "Your case is closed"
    assert "You cannot report changes on a closed case" in page.text
    report = applicant.get("report_change", status=303)
    assert report.location == applicant.url("your_case")


def test_relationships_are_recorded_once_and_read_from_both_sides(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    mum = make_person(db, "Amira", "Khan")
    son = make_person(db, "Yusuf", "Khan", sex="M")
    db.commit()
    sign_in_officer(Permission.PEOPLE)
    found = pages.get("backoffice:relationship_add", person_id=mum.id, params={"q": "yusuf"})
    choose = found.select_one(f'#found tr[data-person="{son.id}"] a')["href"]
    pages.fetch(choose)
    refused = pages.post(
        "backoffice:relationship_add", {"other": str(son.id)}, person_id=mum.id, status=400
    )
    assert refused.error_summary == ["Choose what Yusuf Khan is to Amira Khan"]
    pages.post(
        "backoffice:relationship_add", {"other": str(son.id), "role": "Child"}, person_id=mum.id
    )
    mum_page = pages.get("backoffice:person", person_id=mum.id)
    assert (
        mum_page.select_one("#relationships tbody tr")
        .get_text(" ", strip=True)
        .startswith("Yusuf Khan Son")
    )
    son_page = pages.get("backoffice:person", person_id=son.id)
    assert "Amira Khan Mother" in son_page.select_one("#relationships tbody tr").get_text(
        " ", strip=True
    )
    rows = db.scalars(select(relationships.PersonRelationship)).all()
    assert [(r.person_id, r.related_person_id, r.kind) for r in rows] == [
        (mum.id, son.id, "parent")
    ]
    # Recording it again from the other side replaces it rather than adding a second.
    pages.post(
        "backoffice:relationship_add", {"other": str(mum.id), "role": "Carer"}, person_id=son.id
    )
    db.expire_all()
    rows = db.scalars(select(relationships.PersonRelationship)).all()
    assert [(r.person_id, r.related_person_id, r.kind) for r in rows] == [(mum.id, son.id, "carer")]
    pages.post("backoffice:relationship_end", {"other": str(son.id)}, person_id=mum.id)
    assert db.scalars(select(relationships.PersonRelationship)).all() == []
    assert len(_events(db, HistoryKind.PERSON_RELATIONSHIP)) == 3


def test_reception_finds_people_and_sees_who_is_on_which_case_but_not_the_case(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    sign_in_officer(Permission.PEOPLE, name="Rina Patel")
    page = pages.get("backoffice:people", params={"q": "khan"})
    assert "Amira Khan" in page.text
    person = pages.get("backoffice:person", person_id=family["mum"].id)
    row = person.select_one(f'#cases tr[data-case="{family["case"].id}"]').get_text(" ", strip=True)
    assert "Tariq Khan" in row and "Noor Khan" in row
    assert not person.select("#start-case")
    pages.get("backoffice:case", case_id=family["case"].id, status=403)
    pages.get("backoffice:case_new", status=403)


def test_officer_roles_are_any_number_of_each(db: Session, family: dict[str, Any]) -> None:
    from domain import cases

    case = family["case"]
    a, b, c = (make_officer(db, Permission.CASES, name=n) for n in ("A One", "B Two", "C Three"))
    db.commit()
    cases.set_officers(
        db,
        SYSTEM,
        case,
        [(a, "Primary"), (b, "Primary"), (c, "Supervisor"), (a, "Supervisor")],
        expected_version=case.version,
    )
    assert sorted((o.user.name, o.role) for o in case.officers) == [
        ("A One", "Primary"),
        ("A One", "Supervisor"),
        ("B Two", "Primary"),
        ("C Three", "Supervisor"),
    ]


def test_a_relationship_recorded_on_people_offers_to_change_the_case_too(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    """Noor is recorded on the people as cared for by Amira (fostered); their case, which says
    Daughter, is offered for change with the relationship that implies."""
    mum, noor, case = family["mum"], family["daughter"], family["case"]
    sign_in_officer(Permission.PEOPLE, Permission.CASES)
    page = pages.post(
        "backoffice:relationship_add",
        {"other": str(noor.id), "role": "Cared for by them"},
        person_id=mum.id,
    )
    assert (
        page.location
        == pages.url("backoffice:case_edit_member", case_id=case.id, person_id=noor.id)
        + "?relationship=Foster+child"
    )
    offered = pages.follow(page)
    assert "is recorded as daughter: change it to foster child" in offered.text
    chosen = offered.select_one("#relationship option[selected]")
    assert chosen.get_text() == "Foster child"


def test_a_new_person_added_while_starting_a_case_joins_the_draft(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User]
) -> None:
    mum = make_person(db, "Amira", "Khan")
    team = make_team(db, "Housing Options")
    db.commit()
    sign_in_officer(Permission.CASES, Permission.PEOPLE)
    draft = {
        "member": [str(mum.id)],
        "primary": str(mum.id),
        "team": str(team.id),
        "action": "new_person",
    }
    page = pages.post("backoffice:case_new", draft)
    assert page.location is not None and page.location.startswith(
        pages.url("backoffice:person_new")
    )
    form = pages.fetch(page.location)
    carried = form.select_one('input[name="draft"]')["value"]
    assert f"member={mum.id}" in carried and f"team={team.id}" in carried
    # Anything but the draft's own keys is dropped on the way through.
    created = pages.post(
        "backoffice:person_new",
        {
            "draft": carried + "&next=https://evil.example",
            "first_name": "Yusuf",
            "last_name": "Khan",
            "sex": "M",
            "preferred_contact": "",
        },
    )
    assert created.location is not None and "evil" not in created.location
    back = pages.follow(created)
    rows = [tr.get_text(" ", strip=True) for tr in back.select("#draft-people tbody tr")]
    assert len(rows) == 2 and rows[1].startswith("Yusuf Khan")
    assert back.select_one("#team option[selected]").get_text() == "Housing Options"


def test_a_new_person_added_from_a_case_comes_back_to_be_added(
    db: Session, pages: Pages, sign_in_officer: Callable[..., User], family: dict[str, Any]
) -> None:
    case = family["case"]
    sign_in_officer(Permission.CASES, Permission.PEOPLE)
    page = pages.get("backoffice:case_add_person", case_id=case.id, params={"q": "zzz"})
    new = page.select_one("#add-new")["href"]
    form = pages.fetch(new)
    assert form.select_one('input[name="for_case"]')["value"] == str(case.id)
    created = pages.post(
        "backoffice:person_new",
        {"for_case": str(case.id), "first_name": "Ola", "last_name": "Khan", "sex": "F"},
    )
    chosen = pages.follow(created)
    assert "Adding Ola Khan" in chosen.text


def test_every_kind_of_relationship_reads_right_from_both_sides(db: Session) -> None:
    a = make_person(db, "Ann", "One")
    b = make_person(db, "Ben", "Two", sex="M")
    expected = {
        relationships.Role.PARTNER: ("Partner", "Partner"),
        relationships.Role.SIBLING: ("Brother", "Sister"),
        relationships.Role.OTHER: ("Other", "Other"),
        relationships.Role.CHILD: ("Son", "Mother"),
        relationships.Role.PARENT: ("Father", "Daughter"),
        relationships.Role.CARER: ("Carer", "Cared for by them"),
        relationships.Role.CARED_FOR: ("Cared for by them", "Carer"),
    }
    for role, (to_ann, to_ben) in expected.items():
        relationships.relate(db, SYSTEM, a, b, role)
        (from_a,) = relationships.related_to(db, a.id)
        (from_b,) = relationships.related_to(db, b.id)
        assert (from_a.person.id, from_a.words()) == (b.id, to_ann), role
        assert (from_b.person.id, from_b.words()) == (a.id, to_ben), role
