"""The homeless referral's workflow (Duty to Refer), as data, and the registry of
workflows by strand type."""

from __future__ import annotations

from domain import strands
from domain.errors import RuleBroken
from domain.strands import STRAND_TYPES, Strand
from domain.workflows.definitions import (
    ActionType,
    FieldSpec,
    Move,
    NeedsAction,
    NeedsAnyAction,
    NeedsField,
    NeedsNoAction,
    Workflow,
    WorkflowStatus,
)
from domain.workflows.generic import generic_workflow

# --------------------------------------------------------------------------------------------
# The homeless referral workflow
# --------------------------------------------------------------------------------------------

ENTERED = "01 Referral Entered"
CONTACT_CLIENT = "02 Contact Client"
TRIAGE = "03 Triage"
IAG_ONLY = "04 IAG only"
HNA_BOOKED = "05 HNA booked"
HNA_COMPLETED = "08 HNA completed"
CLOSURE = "98 Closure"
CLOSED = "Closed"

UPDATE_REFERRER = "update_referrer"
CONTACT_ATTEMPT = "contact_attempt"
CLIENT_CONTACTED = "client_contacted"
CONFIRM_CLOSURE = "confirm_closure"

SELF_REFERRAL = "self_referral"
PRIMARY_OUTCOME = "primary_outcome"

HOUSING_SOLUTIONS_PREFIX = "HS"

# The Primary outcome chosen when a referral closes. Housing-solutions outcomes start "HS".
PRIMARY_OUTCOMES: tuple[str, ...] = (
    "HS01 Helped to stay in their home for 6 months or more",
    "HS02 Helped to move to a settled home for 6 months or more",
    "HS03 Found supported accommodation",
    "HS04 Placed in temporary accommodation while a homeless application is decided",
    "HS05 Homeless application taken",
    "HS06 Referred to another council under the local connection rules",
    "Advice and information only",
    "Not homeless or threatened with homelessness",
    "Contact lost",
    "Withdrew consent",
    "Moved out of the area",
    "No further action",
)


def is_housing_solution(outcome: str) -> bool:
    return outcome.startswith(HOUSING_SOLUTIONS_PREFIX)


HOMELESS_REFERRAL_WORKFLOW = Workflow(
    code=strands.HOMELESS_REFERRAL,
    name="Homeless referral",
    statuses=(
        WorkflowStatus(ENTERED, True, "Received", "We have received the referral"),
        WorkflowStatus(
            CONTACT_CLIENT, True, "Contacting the person", "We are getting in touch with you"
        ),
        WorkflowStatus(
            TRIAGE, True, "Working out what help is needed", "We are working out what help you need"
        ),
        WorkflowStatus(IAG_ONLY, True, "Giving advice and information", "We are giving you advice"),
        WorkflowStatus(
            HNA_BOOKED,
            True,
            "Housing needs assessment booked",
            "Your housing needs assessment is booked",
        ),
        WorkflowStatus(
            HNA_COMPLETED,
            True,
            "Housing needs assessment done",
            "Your housing needs assessment is done",
        ),
        WorkflowStatus(CLOSURE, True, "Being closed", "We are closing the referral"),
        WorkflowStatus(CLOSED, False, "Closed"),
    ),
    actions=(
        ActionType(
            UPDATE_REFERRER,
            "Update referrer",
            "You have processed the referral and the referrer is sent an update by email.",
        ),
        ActionType(
            CONTACT_ATTEMPT,
            "Contact attempt",
            "You tried to contact the person and could not reach them.",
            statuses=(CONTACT_CLIENT,),
        ),
        ActionType(
            CLIENT_CONTACTED,
            "Client contacted",
            "You have spoken to the person.",
            statuses=(CONTACT_CLIENT,),
        ),
        ActionType(
            CONFIRM_CLOSURE,
            "Confirm closure",
            "You have told the referrer the outcome, or the person referred themselves.",
            statuses=(CLOSURE,),
        ),
    ),
    fields=(
        FieldSpec(SELF_REFERRAL, "Self-referral", officer_sets=False),
        FieldSpec(PRIMARY_OUTCOME, "Primary outcome", choices=PRIMARY_OUTCOMES),
    ),
    moves=(
        Move(
            ENTERED,
            CONTACT_CLIENT,
            "Move to contact client",
            guards=(
                NeedsAction(
                    UPDATE_REFERRER,
                    waived_by=SELF_REFERRAL,
                    message="Record the “Update referrer” case action to confirm the referral "
                    "has been acknowledged (a self-referral does not need it).",
                ),
            ),
        ),
        Move(
            CONTACT_CLIENT,
            TRIAGE,
            "Move to triage",
            guards=(NeedsAction(CLIENT_CONTACTED),),
        ),
        Move(
            CONTACT_CLIENT,
            CLOSURE,
            "Move to closure without contact",
            guards=(
                NeedsNoAction(
                    CLIENT_CONTACTED,
                    message="The person has been contacted (“Client contacted” is recorded): "
                    "move to triage instead.",
                ),
                NeedsAnyAction(
                    (CONTACT_ATTEMPT,),
                    message="Record at least one “Contact attempt” case action before closing "
                    "a referral without contact.",
                ),
            ),
        ),
        Move(TRIAGE, IAG_ONLY, "To IAG (advice only)"),
        Move(TRIAGE, HNA_BOOKED, "To HNA (book an assessment)"),
        Move(TRIAGE, CLOSURE, "To closure"),
        Move(IAG_ONLY, CLOSURE, "Move to closure"),
        Move(HNA_BOOKED, HNA_COMPLETED, "Move to HNA completed"),
        Move(HNA_BOOKED, CLOSURE, "Move to closure (assessment not done)"),
        Move(HNA_COMPLETED, CLOSURE, "Move to closure"),
        Move(
            CLOSURE,
            CLOSED,
            "Close the referral",
            guards=(NeedsAction(CONFIRM_CLOSURE), NeedsField(PRIMARY_OUTCOME)),
        ),
        Move(
            CLOSED,
            TRIAGE,
            "Reopen (back to triage)",
            needs_reason=True,
            reason_label="Why it is being reopened",
        ),
    ),
)


WORKFLOWS: dict[str, Workflow] = {}


def register_workflow(workflow: Workflow) -> Workflow:
    """Attach a workflow to its strand type, after checking they list the same statuses.

    Every workflow status must be a status of the type with the same class (open or closed);
    the type may have extra closed statuses (e.g. "Closed (moved)") set outside the workflow.
    """
    stype = STRAND_TYPES.get(workflow.code)
    if stype is None:
        raise ValueError(f"There is no strand type {workflow.code!r} for the workflow")
    known = {s.label: s.is_open for s in stype.statuses}
    for status in workflow.statuses:
        if status.label not in known:
            raise ValueError(f"{status.label!r} is not a status of {workflow.code!r}")
        if status.is_open != known[status.label]:
            raise ValueError(f"{status.label!r} is open in one of {workflow.code!r}, not both")
    missing = [s for s in stype.open_statuses if s not in {w.label for w in workflow.statuses}]
    if missing:
        raise ValueError(f"The workflow of {workflow.code!r} misses open statuses {missing}")
    if workflow.initial_status != stype.initial_status:
        raise ValueError(f"The workflow of {workflow.code!r} must start where the type starts")
    WORKFLOWS[workflow.code] = workflow
    return workflow


register_workflow(HOMELESS_REFERRAL_WORKFLOW)


def workflow_of(strand: Strand) -> Workflow:
    """The workflow the strand's type names, else the one built from its definition."""
    stype = strand.type
    if stype.workflow is None:
        return generic_workflow(stype)
    try:
        return WORKFLOWS[stype.workflow]
    except KeyError:
        raise RuleBroken(f"A {stype.name} names the unknown workflow {stype.workflow!r}") from None
