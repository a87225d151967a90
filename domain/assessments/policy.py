"""The council's choice of bedroom policy (and its local settings)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from domain import history, jobs
from domain.assessments.model import (
    BEDROOM_LOCAL_POLICY_KEY,
    BEDROOM_POLICY_KEY,
    DEFAULT_POLICY,
    POLICY_CHANGE_JOB,
    POLICY_NAMES,
)
from domain.bedrooms import (
    POLICIES,
    InvalidLocalPolicy,
    LocalPolicy,
)
from domain.council_settings import get_setting, set_setting
from domain.errors import RuleBroken
from domain.history import Actor
from domain.history_kinds import HistoryKind
from domain.models import Job

# --------------------------------------------------------------------------------------------
# The council's policy
# --------------------------------------------------------------------------------------------


def bedroom_policy(session: Session) -> tuple[str, LocalPolicy | None]:
    """The council's chosen policy, and its local settings when that policy is "local"."""
    policy = get_setting(session, BEDROOM_POLICY_KEY, DEFAULT_POLICY)
    if policy not in POLICIES:
        raise RuleBroken(f"The council's bedroom policy setting {policy!r} is not a policy")
    if policy != "local":
        return str(policy), None
    return "local", _local_policy(get_setting(session, BEDROOM_LOCAL_POLICY_KEY, {}))


def _local_policy(value: object) -> LocalPolicy:
    if isinstance(value, LocalPolicy):
        return value
    if not isinstance(value, Mapping):
        raise RuleBroken("The local bedroom policy must be a set of named settings")
    try:
        return LocalPolicy.from_dict(value)
    except InvalidLocalPolicy as error:
        raise RuleBroken(error.human, field=error.key) from None


def choose_bedroom_policy(
    session: Session,
    actor: Actor,
    policy: str,
    local: LocalPolicy | Mapping[str, object] | None = None,
) -> Job | None:
    """Choose the council's bedroom policy (and local settings), then recalculate in background.

    `local` (settings for the "local" policy) is stored whenever it is given. Choosing "local"
    without it uses the stored settings (or the defaults). Returns the queued recalculation
    job, or None when the policy in force does not change.
    """
    if policy not in POLICIES:
        known = ", ".join(POLICY_NAMES[name] for name in POLICIES)
        raise RuleBroken(f"{policy!r} is not a bedroom policy; choose one of {known}")
    old_policy, old_local = bedroom_policy(session)
    new_local = _local_policy(local) if local is not None else None
    if new_local is not None:  # kept even while another policy is in use
        set_setting(session, actor, BEDROOM_LOCAL_POLICY_KEY, new_local.to_dict())
    elif policy == "local":
        new_local = _local_policy(get_setting(session, BEDROOM_LOCAL_POLICY_KEY, {}))
    before = _policy_key(old_policy, old_local)
    after = _policy_key(policy, new_local if policy == "local" else None)
    if before == after:
        return None
    set_setting(session, actor, BEDROOM_POLICY_KEY, policy)
    summary = f"Council bedroom policy changed from {POLICY_NAMES[old_policy]} to "
    summary += POLICY_NAMES[policy]
    if old_policy == policy == "local":
        summary = "The council's local bedroom policy settings changed"
    history.record(
        session,
        actor,
        HistoryKind.BEDROOM_POLICY_CHANGED,
        summary + "; open bedroom assessments will be recalculated",
        before={"policy": before[0], "local": before[1]},
        after={"policy": after[0], "local": after[1]},
    )
    return jobs.enqueue(session, POLICY_CHANGE_JOB, {"policy": policy, "by": actor.label})


def _policy_key(policy: str, local: LocalPolicy | None) -> tuple[str, dict[str, object] | None]:
    return (policy, local.to_dict() if local is not None and policy == "local" else None)


__all__ = [
    "bedroom_policy",
    "choose_bedroom_policy",
]
