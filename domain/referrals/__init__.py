"""Homeless referrals (the Duty to Refer) and self-referrals.

A public body (or the person themselves) sends a referral from the portal. :func:`submit_referral`
refuses it without both consents, recognises a repeat of the same referral within minutes, and
is throttled per client address. Otherwise it finds the person (same first and last name, case
ignored, and the same date of birth) or creates them, uses the active case they are a current
member of or opens one, opens a *Homeless referral* strand at "01 Referral Entered", keeps the
referral as it was sent, writes history, and queues the receipt email with a signed link to the
referral's progress page.

The progress page reads :func:`progress`, which carries only the reference, the status in plain
words, dates and the outcome — nothing beyond what the referrer sent.

Officers work the strand through :mod:`domain.workflows`. :func:`record_action` and
:func:`move` wrap the workflow's functions to tell the referrer: "Update referrer" and closing
the referral each queue an email. `Referral.outcome` is the outcome the referrer was told when
the referral closed (the strand's Primary outcome at that moment); reopening clears it.

Answers of the portal journey are kept between pages in a server-side :class:`ReferralDraft`
(a referral can be longer than a signed session cookie may hold); the session names the draft.

Functions here change records and write history in the caller's transaction; they never commit.
"""

from __future__ import annotations

from domain.referrals.model import (
    CONSENT_MESSAGE,
    CONTACT_METHODS,
    DRAFT_MAX_AGE,
    DUPLICATE_WINDOW,
    HOUSEHOLD_MAX,
    HOUSING_SITUATIONS,
    ORGANISATION_TYPES,
    SAFE_TONIGHT,
    SELF_CONTACT_METHODS,
    STATUS_LINK_MAX_AGE,
    STATUS_LINK_SALT,
    TEAM_SETTING,
    TEXT_MAX,
    THROUGH_REFERRER,
    ConsentMissing,
    Referral,
    ReferralThrottled,
    organisation_label,
    safe_tonight_label,
    situation_label,
)
from domain.referrals.progress import (
    Progress,
    progress,
    referral_from_token,
    status_token,
)
from domain.referrals.service import (
    list_referrals,
    move,
    record_action,
    referral_of,
)
from domain.referrals.submit import (
    HouseholdMember,
    ReferralSubmission,
    Submitted,
    active_case_of,
    check_submission,
    find_person,
    recent_duplicate,
    referral_team_id,
    send_draft,
    submit_referral,
)

__all__ = [
    "CONSENT_MESSAGE",
    "CONTACT_METHODS",
    "DRAFT_MAX_AGE",
    "DUPLICATE_WINDOW",
    "HOUSEHOLD_MAX",
    "HOUSING_SITUATIONS",
    "ORGANISATION_TYPES",
    "SAFE_TONIGHT",
    "SELF_CONTACT_METHODS",
    "STATUS_LINK_MAX_AGE",
    "STATUS_LINK_SALT",
    "TEAM_SETTING",
    "TEXT_MAX",
    "THROUGH_REFERRER",
    "ConsentMissing",
    "HouseholdMember",
    "Progress",
    "Referral",
    "ReferralSubmission",
    "ReferralThrottled",
    "Submitted",
    "active_case_of",
    "check_submission",
    "find_person",
    "list_referrals",
    "move",
    "organisation_label",
    "progress",
    "recent_duplicate",
    "record_action",
    "referral_from_token",
    "referral_of",
    "referral_team_id",
    "safe_tonight_label",
    "send_draft",
    "situation_label",
    "status_token",
    "submit_referral",
]
