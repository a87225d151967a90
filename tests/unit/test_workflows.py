"""Declarative workflows, pure: the homeless referral workflow's moves and every guard, the
transition planner, and the checks on a definition."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest

from domain.errors import RuleBroken
from domain.strands import STRAND_TYPES
from domain.workflows import (
    CLIENT_CONTACTED,
    CLOSED,
    CLOSURE,
    CONFIRM_CLOSURE,
    CONTACT_ATTEMPT,
    CONTACT_CLIENT,
    ENTERED,
    HNA_BOOKED,
    HNA_COMPLETED,
    HOMELESS_REFERRAL_WORKFLOW,
    IAG_ONLY,
    PRIMARY_OUTCOME,
    PRIMARY_OUTCOMES,
    SELF_REFERRAL,
    TRIAGE,
    UPDATE_REFERRER,
    ActionNotAvailable,
    ActionType,
    Facts,
    FieldSpec,
    Move,
    MoveBlocked,
    MoveNotAllowed,
    NeedsAction,
    NeedsAnyAction,
    NeedsField,
    Workflow,
    WorkflowStatus,
    is_housing_solution,
    options,
    plan_move,
    register_workflow,
)

WF = HOMELESS_REFERRAL_WORKFLOW
OUTCOME = "HS01 Helped to stay in their home for 6 months or more"


def facts(
    status: str, *actions: str, fields: Mapping[str, Any] | None = None, **counts: int
) -> Facts:
    recorded = dict.fromkeys(actions, 1)
    recorded.update(counts)
    return Facts(status=status, actions=recorded, fields=dict(fields or {}))


def blocked(status: str, to: str, *actions: str, **kw: Any) -> tuple[str, ...]:
    with pytest.raises(MoveBlocked) as caught:
        plan_move(WF, facts(status, *actions, fields=kw.get("fields")), to, kw.get("reason"))
    assert caught.value.to_status == to
    return caught.value.reasons


def allowed(status: str, to: str, *actions: str, **kw: Any) -> Move:
    move = plan_move(WF, facts(status, *actions, fields=kw.get("fields")), to, kw.get("reason"))
    assert (move.from_status, move.to_status) == (status, to)
    return move


# --- the definition ----------------------------------------------------------------------------


def test_the_workflow_has_the_statuses_of_the_strand_type_with_their_classes() -> None:
    stype = STRAND_TYPES["homeless_referral"]
    assert [s.label for s in WF.statuses] == [
        "01 Referral Entered",
        "02 Contact Client",
        "03 Triage",
        "04 IAG only",
        "05 HNA booked",
        "08 HNA completed",
        "98 Closure",
        "Closed",
    ]
    for status in WF.statuses:
        assert status.is_open == stype.status(status.label).is_open
        assert status.status_class == ("open" if status.label != CLOSED else "closed")
        assert status.public_label and not re.match(r"\d", status.public_label)
    assert WF.initial_status == stype.initial_status == ENTERED


def test_the_allowed_moves_are_those_of_the_issue() -> None:
    assert {(m.from_status, m.to_status) for m in WF.moves} == {
        (ENTERED, CONTACT_CLIENT),
        (CONTACT_CLIENT, TRIAGE),
        (CONTACT_CLIENT, CLOSURE),
        (TRIAGE, IAG_ONLY),
        (TRIAGE, HNA_BOOKED),
        (TRIAGE, CLOSURE),
        (IAG_ONLY, CLOSURE),
        (HNA_BOOKED, HNA_COMPLETED),
        (HNA_BOOKED, CLOSURE),
        (HNA_COMPLETED, CLOSURE),
        (CLOSURE, CLOSED),
        (CLOSED, TRIAGE),
    }


def test_primary_outcomes_are_a_list_whose_housing_solutions_start_with_hs() -> None:
    housing_solutions = [o for o in PRIMARY_OUTCOMES if is_housing_solution(o)]
    assert len(housing_solutions) >= 4
    assert all(re.match(r"^HS\d\d \S", o) for o in housing_solutions)
    others = [o for o in PRIMARY_OUTCOMES if not is_housing_solution(o)]
    assert {"Contact lost", "Withdrew consent", "No further action"} <= set(others)
    assert len(set(PRIMARY_OUTCOMES)) == len(PRIMARY_OUTCOMES)
    assert all(len(o) <= 200 for o in PRIMARY_OUTCOMES)  # fits Referral.outcome


def test_case_actions_are_offered_where_the_workflow_says() -> None:
    def codes(status: str) -> list[str]:
        return [a.code for a in WF.actions_at(status)]

    assert codes(ENTERED) == [UPDATE_REFERRER]
    assert codes(CONTACT_CLIENT) == [UPDATE_REFERRER, CONTACT_ATTEMPT, CLIENT_CONTACTED]
    assert codes(TRIAGE) == [UPDATE_REFERRER]
    assert codes(CLOSURE) == [UPDATE_REFERRER, CONFIRM_CLOSURE]
    assert codes(CLOSED) == []  # nothing is recorded on a closed referral
    with pytest.raises(ActionNotAvailable, match="not a case action"):
        WF.action("phone_call")


# --- 01 Referral Entered → 02 Contact Client ------------------------------------------------


def test_contact_client_needs_update_referrer() -> None:
    (reason,) = blocked(ENTERED, CONTACT_CLIENT)
    assert reason.startswith("Record the “Update referrer” case action")
    assert "self-referral" in reason
    allowed(ENTERED, CONTACT_CLIENT, UPDATE_REFERRER)


def test_a_self_referral_needs_no_update_referrer() -> None:
    allowed(ENTERED, CONTACT_CLIENT, fields={SELF_REFERRAL: True})
    blocked(ENTERED, CONTACT_CLIENT, fields={SELF_REFERRAL: False})
    blocked(ENTERED, CONTACT_CLIENT, fields={SELF_REFERRAL: "yes"})  # only a real True waives


def test_other_actions_do_not_stand_in_for_update_referrer() -> None:
    blocked(ENTERED, CONTACT_CLIENT, CLIENT_CONTACTED, CONTACT_ATTEMPT, CONFIRM_CLOSURE)
    with pytest.raises(MoveBlocked):
        plan_move(WF, facts(ENTERED, **{UPDATE_REFERRER: 0}), CONTACT_CLIENT)


# --- 02 Contact Client → 03 Triage / 98 Closure ---------------------------------------------


def test_triage_needs_client_contacted_and_attempts_do_not_count() -> None:
    (reason,) = blocked(CONTACT_CLIENT, TRIAGE, CONTACT_ATTEMPT, UPDATE_REFERRER)
    assert reason == "Record the “Client contacted” case action."
    allowed(CONTACT_CLIENT, TRIAGE, CLIENT_CONTACTED)


def test_closure_without_contact_needs_at_least_one_contact_attempt() -> None:
    (reason,) = blocked(CONTACT_CLIENT, CLOSURE)
    assert "at least one “Contact attempt”" in reason
    blocked(CONTACT_CLIENT, CLOSURE, CLIENT_CONTACTED)  # contacted: go through triage instead
    allowed(CONTACT_CLIENT, CLOSURE, CONTACT_ATTEMPT)
    move = plan_move(WF, facts(CONTACT_CLIENT, **{CONTACT_ATTEMPT: 3}), CLOSURE)
    assert move.to_status == CLOSURE


# --- the triage routes and the assessment -----------------------------------------------------


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (TRIAGE, IAG_ONLY),
        (TRIAGE, HNA_BOOKED),
        (TRIAGE, CLOSURE),
        (IAG_ONLY, CLOSURE),
        (HNA_BOOKED, HNA_COMPLETED),
        (HNA_BOOKED, CLOSURE),
        (HNA_COMPLETED, CLOSURE),
    ],
)
def test_triage_routes_and_the_assessment_have_no_guards(start: str, to: str) -> None:
    allowed(start, to)


# --- 98 Closure → Closed, and reopening -------------------------------------------------------


def test_closing_needs_confirm_closure_and_a_primary_outcome_and_says_both() -> None:
    reasons = blocked(CLOSURE, CLOSED)
    assert reasons == (
        "Record the “Confirm closure” case action.",
        "Choose the Primary outcome.",
    )
    assert blocked(CLOSURE, CLOSED, CONFIRM_CLOSURE) == ("Choose the Primary outcome.",)
    assert blocked(CLOSURE, CLOSED, fields={PRIMARY_OUTCOME: OUTCOME}) == (
        "Record the “Confirm closure” case action.",
    )
    allowed(CLOSURE, CLOSED, CONFIRM_CLOSURE, fields={PRIMARY_OUTCOME: OUTCOME})


def test_the_primary_outcome_must_be_one_of_the_list() -> None:
    (reason,) = blocked(CLOSURE, CLOSED, CONFIRM_CLOSURE, fields={PRIMARY_OUTCOME: "Housed"})
    assert reason.startswith("“Housed” is not one of the listed values of Primary outcome")
    blocked(CLOSURE, CLOSED, CONFIRM_CLOSURE, fields={PRIMARY_OUTCOME: "   "})


def test_reopening_goes_back_to_triage_and_needs_a_reason() -> None:
    (reason,) = blocked(CLOSED, TRIAGE)
    assert reason == "Give the reason: why it is being reopened."
    blocked(CLOSED, TRIAGE, reason="   ")
    move = allowed(CLOSED, TRIAGE, reason="Closed in error: the HNA is booked")
    assert move.needs_reason
    with pytest.raises(RuleBroken, match="2000 characters or fewer"):
        plan_move(WF, facts(CLOSED), TRIAGE, "x" * 2001)


# --- moves that do not exist ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (ENTERED, TRIAGE),  # no skipping contact
        (ENTERED, CLOSED),
        (CONTACT_CLIENT, CLOSED),
        (TRIAGE, HNA_COMPLETED),
        (CLOSURE, TRIAGE),
        (CLOSED, ENTERED),
        (TRIAGE, TRIAGE),
    ],
)
def test_moves_the_workflow_does_not_have_are_refused(start: str, to: str) -> None:
    every_action = {a.code: 1 for a in WF.actions}
    with pytest.raises(MoveNotAllowed, match=f"cannot move from “{start}” to “{to}”"):
        plan_move(WF, Facts(start, every_action, {PRIMARY_OUTCOME: OUTCOME}), to, "why")


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(RuleBroken, match="not a status of a Homeless referral"):
        plan_move(WF, facts(TRIAGE), "Housed")


# --- what the officer page shows ---------------------------------------------------------------


def test_options_list_every_move_from_here_with_its_blocked_reasons() -> None:
    listed = options(WF, facts(CONTACT_CLIENT, CONTACT_ATTEMPT))
    assert [(o.to_status, o.allowed) for o in listed] == [(TRIAGE, False), (CLOSURE, True)]
    assert listed[0].blocked == ("Record the “Client contacted” case action.",)
    assert listed[0].move.label == "Move to triage"
    # a reason is asked for on the form, so it does not show as blocking
    (reopen,) = options(WF, facts(CLOSED))
    assert reopen.allowed and reopen.move.needs_reason


# --- guards in general, and checking a definition ---------------------------------------------


def small_workflow(*moves: Move, statuses: tuple[WorkflowStatus, ...] | None = None) -> Workflow:
    return Workflow(
        code="homeless_referral",
        name="Test",
        statuses=statuses
        or (
            WorkflowStatus("A", True, "a"),
            WorkflowStatus("B", True, "b"),
            WorkflowStatus("Z", False, "z"),
        ),
        actions=(ActionType("x", "Ex", ""), ActionType("y", "Why", "", statuses=("B",))),
        fields=(FieldSpec("f", "Colour", choices=("red", "blue")),),
        moves=moves,
    )


def test_needs_any_action_names_every_choice() -> None:
    wf = small_workflow(Move("A", "B", "go", guards=(NeedsAnyAction(("x", "y")),)))
    with pytest.raises(MoveBlocked) as caught:
        plan_move(wf, Facts("A"), "B")
    assert caught.value.reasons == ("Record at least one of these case actions: “Ex” or “Why”.",)
    plan_move(wf, Facts("A", {"y": 1}), "B")
    plan_move(wf, Facts("A", {"x": 2}), "B")


def test_needs_field_without_choices_needs_only_a_value() -> None:
    wf = Workflow(
        code="homeless_referral",
        name="Test",
        statuses=(WorkflowStatus("A", True, "a"), WorkflowStatus("Z", False, "z")),
        actions=(),
        fields=(FieldSpec("note", "Summary"),),
        moves=(Move("A", "Z", "close", guards=(NeedsField("note"),)),),
    )
    with pytest.raises(MoveBlocked, match="Choose the Summary"):
        plan_move(wf, Facts("A", {}, {"note": ""}), "Z")
    plan_move(wf, Facts("A", {}, {"note": "anything"}), "Z")


@pytest.mark.parametrize(
    ("move", "problem"),
    [
        (Move("A", "Q", "go"), "unknown 'Q'"),
        (Move("A", "B", "go", guards=(NeedsAction("nope"),)), "needs \\['nope'\\]"),
        (Move("A", "B", "go", guards=(NeedsField("g"),)), "needs \\['g'\\]"),
        (Move("A", "B", "go", guards=(NeedsAction("x", waived_by="g"),)), "needs \\['g'\\]"),
    ],
)
def test_a_definition_naming_unknown_things_is_refused(move: Move, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        small_workflow(move)


def test_a_definition_with_a_move_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        small_workflow(Move("A", "B", "go"), Move("A", "B", "again"))


def test_a_workflow_must_agree_with_its_strand_type() -> None:
    def bare(*statuses: WorkflowStatus) -> Workflow:
        return Workflow("homeless_referral", "Test", statuses, actions=(), fields=(), moves=())

    with pytest.raises(ValueError, match="'A' is not a status"):
        register_workflow(small_workflow())
    with pytest.raises(ValueError, match="open in one"):
        register_workflow(
            bare(
                WorkflowStatus(ENTERED, True, "a"),
                WorkflowStatus(CLOSURE, False, "b"),
                WorkflowStatus(CLOSED, False, "z"),
            )
        )
    with pytest.raises(ValueError, match="misses open statuses"):
        register_workflow(
            bare(WorkflowStatus(ENTERED, True, "a"), WorkflowStatus(CLOSED, False, "z"))
        )
    with pytest.raises(ValueError, match="no strand type"):
        register_workflow(
            Workflow("no_such_type", "Test", (WorkflowStatus("A", True, "a"),), (), (), ())
        )
