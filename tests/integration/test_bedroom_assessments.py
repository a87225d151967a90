"""Bedroom assessment strands against a real database: opening, cardinality and versions."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain import assessments, household, strands
from domain.assessments import (
    MissingDateOfBirth,
    current_assessment,
    recalculate,
)
from domain.errors import RuleBroken
from domain.history import SYSTEM, Actor
from domain.strands import BEDROOM_ASSESSMENT, HOUSING_REGISTER, Strand, open_strand
from domain.vocab import CaseStatus
from tests.integration.bedroom_helpers import (
    DAY,
    ON,
    D,
    bedroom_strand,
    events,
    family_with_children,
    officer,
    versions,
)
from tests.support.factories import (
    link_partners,
    make_case,
    make_person,
    open_housing_register,
)

# --- opening -------------------------------------------------------------------------------


def test_opening_a_housing_register_opens_and_calculates_a_bedroom_assessment(db: Session) -> None:
    case = make_case(
        db,
        make_person(db, "Amira", "Khan", born=D(1988, 4, 2)),
        [
            (make_person(db, "Yusuf", "Khan", born=D(2018, 3, 10), sex="M"), "Son"),
            (make_person(db, "Noor", "Khan", born=D(2021, 7, 1)), "Daughter"),
        ],
    )
    user = officer(db)
    register = open_strand(db, Actor.officer(user), case, HOUSING_REGISTER, on=ON)

    open_now = strands.open_strands(db, case.id)
    assert [s.type_code for s in open_now] == [HOUSING_REGISTER, BEDROOM_ASSESSMENT]
    assessment = open_now[1]
    assert register.reference == f"HR-{register.id:06d}"
    assert assessment.reference == f"BA-{assessment.id:06d}"
    assert strands.find_by_reference(db, assessment.reference.lower()) is assessment
    assert strands.find_by_reference(db, f"HR-{assessment.id:06d}") is None
    assert assessment.status == "Active"
    assert assessment.created_by_id == user.id

    version = current_assessment(db, case.id)
    assert version is not None
    assert version.number == 1
    assert version.cause == "application"
    assert version.cause_detail == f"Housing Register application {register.reference} opened"
    assert version.policy == "size-criteria"
    assert version.assessed_on == ON
    assert version.bedrooms == version.effective_bedrooms == 2
    assert version.officer_id == user.id
    assert [entry["name"] for entry in version.household_snapshot] == [
        "Amira Khan",
        "Yusuf Khan",
        "Noor Khan",
    ]
    assert version.explanation() == [
        "Bedroom 1 for Amira Khan: person aged 16 or over",
        "Bedroom 2 for Yusuf Khan and Noor Khan: two children under 10",
    ]
    # (then the application's own tasks: domain/strands/definitions/housing_register.toml)
    assert [e.kind for e in events(db, case)][-5:] == [
        "strand.opened",
        "strand.opened",
        "bedroom.recalculated",
        "task.created",
        "task.created",
    ]
    opened = events(db, case, "strand.opened")[1]
    assert opened.summary.endswith(f"with Housing Register application {register.reference}")
    (calculated,) = events(db, case, "bedroom.recalculated")
    assert calculated.actor_user_id == user.id
    assert calculated.summary.startswith(
        "Bedroom need assessed: 2 bedrooms under the size criteria"
    )
    assert calculated.before is None
    assert calculated.after is not None
    assert calculated.after["bedrooms"] == 2
    assert calculated.after["strand"] == assessment.reference


def test_a_housing_register_keeps_an_existing_open_bedroom_assessment(db: Session) -> None:
    case = make_case(db, make_person(db))
    first = open_strand(db, SYSTEM, case, BEDROOM_ASSESSMENT, on=ON)
    open_strand(db, SYSTEM, case, HOUSING_REGISTER, on=ON)
    assert strands.open_strands(db, case.id, BEDROOM_ASSESSMENT) == [first]
    assert len(versions(db, case)) == 1


def test_the_database_refuses_a_second_open_bedroom_assessment(db: Session) -> None:
    case = make_case(db, make_person(db))
    first = open_strand(db, SYSTEM, case, BEDROOM_ASSESSMENT, on=ON)

    with pytest.raises(IntegrityError), db.begin_nested():  # bypassing the code check
        db.add(
            Strand(
                case_id=case.id,
                type_code=BEDROOM_ASSESSMENT,
                status="Active",
                is_open=True,
                created_by_kind="system",
                current_key=first.current_key,  # the key the rule gives it: the case
            )
        )
    assert first.current_key == f"c{case.id}"
    with pytest.raises(
        RuleBroken, match=rf"already has an open Bedroom assessment \({first.reference}\)"
    ):
        open_strand(db, SYSTEM, case, BEDROOM_ASSESSMENT, on=ON)

    strands.change_status(db, SYSTEM, first, "Closed")
    assert first.is_open is False
    assert first.closed_at is not None
    assert current_assessment(db, case.id) is None
    second = open_strand(db, SYSTEM, case, BEDROOM_ASSESSMENT, on=ON)
    assert current_assessment(db, case.id).strand_id == second.id  # type: ignore[union-attr]
    with pytest.raises(RuleBroken, match="already has an open Bedroom assessment"):
        strands.change_status(db, SYSTEM, first, "Active")
    with pytest.raises(RuleBroken, match="not a status of a Bedroom assessment"):
        strands.change_status(db, SYSTEM, second, "Housed")
    changed = events(db, case, "strand.status_changed")
    assert [(e.before["status"], e.after["status"]) for e in changed] == [("Active", "Closed")]  # type: ignore[index]


def test_the_database_allows_closed_and_other_strands_beside_an_open_assessment(
    db: Session,
) -> None:
    case = make_case(db, make_person(db))
    first = open_strand(db, SYSTEM, case, BEDROOM_ASSESSMENT, on=ON)
    with db.begin_nested():
        db.add(
            Strand(
                case_id=case.id,
                type_code=BEDROOM_ASSESSMENT,
                status="Closed",
                is_open=False,
                closed_at=first.created_at,
                created_by_kind="system",
            )
        )
        db.add(
            Strand(
                case_id=case.id,
                type_code=strands.HEALTH_ASSESSMENT,
                status="Requested",
                is_open=True,
                created_by_kind="system",
            )
        )
    with pytest.raises(IntegrityError), db.begin_nested():  # open but with a closing date
        db.add(
            Strand(
                case_id=case.id,
                type_code=strands.REVIEW,
                status="Requested",
                is_open=True,
                closed_at=first.created_at,
                created_by_kind="system",
            )
        )


def test_cardinality_rules_of_other_strand_types(db: Session) -> None:
    applicant = make_person(db, "Grace", "Mensah")
    case = make_case(db, applicant)
    register = open_housing_register(db, case)
    other_case = make_case(db, applicant)
    with pytest.raises(
        RuleBroken,
        match=rf"Grace Mensah already has a current Housing Register application "
        rf"\({register.reference}\) on case {case.reference}",
    ):
        open_strand(db, SYSTEM, other_case, HOUSING_REGISTER, on=ON)
    # a primary applicant's closed case does not count: closing frees the key
    assert register.current_key == f"p{applicant.id}"
    case.status = CaseStatus.CLOSED.value
    db.flush()
    strands.rekey_case(db, case)
    assert register.current_key is None
    second = open_strand(db, SYSTEM, other_case, HOUSING_REGISTER, on=ON)
    # and reopening it would give her two current applications: refused, naming the other
    case.status = CaseStatus.ACTIVE.value
    with pytest.raises(RuleBroken, match=rf"\({second.reference}\) on case {other_case.reference}"):
        strands.rekey_case(db, case)
    case.status = CaseStatus.CLOSED.value
    db.flush()
    with pytest.raises(RuleBroken, match="is closed: reopen it"):
        open_strand(db, SYSTEM, case, strands.REVIEW)

    open_strand(db, SYSTEM, other_case, strands.HEALTH_ASSESSMENT)
    open_strand(db, SYSTEM, other_case, strands.HEALTH_ASSESSMENT)
    open_strand(db, SYSTEM, other_case, strands.ROUGH_SLEEPER)
    with pytest.raises(RuleBroken, match="already has an open Rough sleeper"):
        open_strand(db, SYSTEM, other_case, strands.ROUGH_SLEEPER)
    with pytest.raises(RuleBroken, match="not a kind of application"):
        open_strand(db, SYSTEM, other_case, "pet_licence")
    referral = open_strand(db, SYSTEM, other_case, strands.HOMELESS_REFERRAL)
    assert referral.status == "01 Referral Entered"
    assert referral.reference.startswith("RF-")


# --- recalculation -------------------------------------------------------------------------


def test_household_change_stores_a_new_version_citing_the_cause(db: Session) -> None:
    case = family_with_children(db, ("Yusuf", D(2018, 3, 10), "M"))
    assert versions(db, case)[0].bedrooms == 2
    uncle = make_person(db, "Bilal", "Khan", born=D(1990, 1, 1), sex="M")
    household.add_member(db, SYSTEM, case, uncle, relationship="Other relative", date_joined=ON)

    version = recalculate(
        db,
        SYSTEM,
        case,
        cause="household_change",
        cause_detail="Change PC-000123 accepted",
        cause_ref="PC-000123",
        on=ON,
    )
    assert version is not None
    assert (version.number, version.bedrooms, version.cause) == (2, 3, "household_change")
    assert version.cause_ref == "PC-000123"
    event = events(db, case, "bedroom.recalculated")[-1]
    assert (
        event.summary == "Bedroom need recalculated: 3 bedrooms (was 2) — Change PC-000123 accepted"
    )
    assert event.before is not None
    assert event.after is not None
    assert (event.before["bedrooms"], event.after["bedrooms"]) == (2, 3)
    assert (event.before["version"], event.after["version"]) == (1, 2)
    assert event.after["cause_ref"] == "PC-000123"

    link = next(cp for cp in case.people if cp.person_id == uncle.id)
    household.record_leaving(db, SYSTEM, link, ON + 10 * DAY)
    left = recalculate(
        db, SYSTEM, case, cause="household_change", cause_detail="Bilal left", on=ON + 10 * DAY
    )
    assert left is not None
    assert (left.number, left.bedrooms) == (3, 2)
    # the earlier version still names him, although he has left
    assert "Bedroom 2 for Bilal Khan: person aged 16 or over" in version.explanation()

    # nothing changed: an automatic cause stores nothing, an officer's recalculation does
    assert (
        recalculate(db, SYSTEM, case, cause="birthday", cause_detail="x", on=ON + 11 * DAY) is None
    )
    again = recalculate(
        db, SYSTEM, case, cause="officer_recalculation", cause_detail="Checked", on=ON + 11 * DAY
    )
    assert again is not None
    assert again.number == 4
    assert events(db, case, "bedroom.recalculated")[-1].summary == (
        "Bedroom need recalculated: 2 bedrooms (unchanged) — Checked"
    )


def test_recalculating_a_case_without_an_open_assessment_does_nothing(db: Session) -> None:
    case = make_case(db, make_person(db))
    assert recalculate(db, SYSTEM, case, cause="household_change", cause_detail="x") is None
    with pytest.raises(ValueError, match="not a recalculation cause"):
        recalculate(db, SYSTEM, case, cause="override", cause_detail="x")


def test_a_person_with_no_date_of_birth_is_named(db: Session) -> None:
    child = make_person(db, "Sami", "Khan")
    child.date_of_birth = None
    case = make_case(db, make_person(db, "Amira", "Khan"), [(child, "Son")])
    with pytest.raises(MissingDateOfBirth, match="Record the date of birth of Sami Khan before"):
        open_strand(db, SYSTEM, case, HOUSING_REGISTER, on=ON)
    with pytest.raises(RuleBroken, match="Sami Khan"):
        assessments.occupants_for(case, ON)


def test_couples_carers_and_foster_carers(db: Session) -> None:
    mum = make_person(db, "Amira", "Khan", born=D(1988, 4, 2))
    dad = make_person(db, "Tariq", "Khan", born=D(1986, 9, 9), sex="M")
    carer = make_person(db, "Jo", "Carter")
    carer.date_of_birth = None  # not counted, so no date of birth is needed
    case = make_case(db, mum, [(dad, "Partner"), (carer, "Carer")])
    occupants = assessments.occupants_for(case, ON)
    assert [(o.id, o.partner) for o in occupants] == [(str(mum.id), None), (str(dad.id), None)]

    link_partners(db, case, mum, dad)
    open_strand(db, SYSTEM, case, HOUSING_REGISTER, on=ON)
    version = current_assessment(db, case.id)
    assert version is not None
    assert version.bedrooms == 2  # the couple, and a room for the overnight carer
    assert version.explanation()[:2] == [
        "Bedroom 1 for Tariq Khan and Amira Khan: couple",
        "Bedroom 2: overnight carer",
    ]
    assert any(
        "Jo Carter is the household's overnight carer" in line for line in version.explanation()
    )
    carer_entry = version.household_snapshot[-1]
    assert carer_entry["counted"] is False
    assert carer_entry["flags"] == {"overnight_carer": True}

    user = officer(db)
    strand = bedroom_strand(db, case)
    fostering = assessments.set_foster_carer(db, Actor.officer(user), strand, True)
    assert fostering is not None
    assert fostering.bedrooms == 3
    assert fostering.cause == "officer_recalculation"
    assert strand.data["foster_carer"] is True

    # a partner link recorded one way only counts as single, with a note
    next(cp for cp in case.people if cp.person_id == dad.id).partner_person_id = None
    one_way = recalculate(db, SYSTEM, case, cause="household_change", cause_detail="x", on=ON)
    assert one_way is not None
    assert one_way.bedrooms == 4
    assert any("not recorded both ways" in line for line in one_way.explanation())


def test_a_partner_who_left_is_not_counted_as_a_couple(db: Session) -> None:
    mum = make_person(db, "Amira", "Khan", born=D(1988, 4, 2))
    dad = make_person(db, "Tariq", "Khan", born=D(1986, 9, 9), sex="M")
    case = make_case(db, mum, [(dad, "Partner")])
    link_partners(db, case, mum, dad)
    household.record_leaving(
        db, SYSTEM, next(cp for cp in case.people if cp.person_id == dad.id), ON
    )
    (only,) = assessments.occupants_for(case, ON)
    assert only.partner is None
    # leaving ends the couple on the case, so there is nothing left to explain
    assert all(cp.partner_person_id is None for cp in case.people)
    assert assessments.household_for(case, ON).notes == ()


def test_a_partner_recorded_but_not_in_the_household_is_explained(db: Session) -> None:
    mum = make_person(db, "Amira", "Khan", born=D(1988, 4, 2))
    dad = make_person(db, "Tariq", "Khan", born=D(1986, 9, 9), sex="M")
    case = make_case(db, mum, [(dad, "Partner")], joined=ON + DAY)  # he joins tomorrow
    next(cp for cp in case.people if cp.person_id == dad.id).date_joined = ON + DAY
    case.primary.date_joined = D(2020, 1, 1)  # type: ignore[union-attr]
    link_partners(db, case, mum, dad)
    notes = assessments.household_for(case, ON).notes
    assert notes == (
        "Amira Khan's recorded partner is not counted in the household on 15 June 2026, "
        "so Amira Khan is counted as single.",
    )
