"""Strands: the applications and assessments on a case, and their types defined as data.

A strand has a type (a :class:`StrandType` in :data:`STRAND_TYPES`), a status taken from that
type's list, and its own `data` (type-specific fields as JSON). Each type declares a cardinality
rule, checked in code by :func:`open_strand` with a message an officer can act on:

``one_open_per_case``
    At most one open strand of the type on a case (Bedroom assessment, Financial assistance,
    Rough sleeper). For the Bedroom assessment the database enforces it too, with a partial
    unique index, so two concurrent requests cannot both open one.
``one_current_per_primary_applicant``
    At most one open strand of the type across all active cases whose primary applicant is the
    same person (Housing Register, Homeless application, Homeless (legacy) application).
``many``
    Any number per case (Health assessment, Risk assessment, Review, Homeless referral).

References: a strand's reference is its type's prefix and its id, e.g. ``BA-000012``. It is a
property, not a column: the id is unique across all strands, so the reference is unique by
construction, it needs no second write after the insert, and :func:`find_by_reference` reads it
back. ``is_open`` and ``closed_at`` are kept in step with the status by :func:`change_status`,
the one primitive that moves a strand's status (a workflow engine calls it after its guards).

Opening a Housing Register strand also opens a Bedroom assessment on the case when there is no
open one (``StrandType.also_opens``), and a newly opened Bedroom assessment gets its first
calculation (cause "application", see :mod:`domain.assessments`).

Functions here change records and write history in the caller's transaction; they never commit.
"""

from __future__ import annotations

from domain.strands.model import (
    Strand,
    change_status,
    find_by_reference,
    format_strand_reference,
    open_strand,
    open_strands,
    parse_strand_reference,
    set_data,
    strands_of_case,
)
from domain.strands.types import (
    BEDROOM_ASSESSMENT,
    CARDINALITIES,
    CLOSED_MOVED,
    FINANCIAL_ASSISTANCE,
    HEALTH_ASSESSMENT,
    HOMELESS_APPLICATION,
    HOMELESS_LEGACY_APPLICATION,
    HOMELESS_REFERRAL,
    HOUSING_REGISTER,
    MANY,
    ONE_CURRENT_PER_PRIMARY_APPLICANT,
    ONE_OPEN_PER_CASE,
    REVIEW,
    RISK_ASSESSMENT,
    ROUGH_SLEEPER,
    STRAND_TYPES,
    StrandStatus,
    StrandType,
    register_strand_type,
    strand_type,
)

__all__ = [
    "BEDROOM_ASSESSMENT",
    "CARDINALITIES",
    "CLOSED_MOVED",
    "FINANCIAL_ASSISTANCE",
    "HEALTH_ASSESSMENT",
    "HOMELESS_APPLICATION",
    "HOMELESS_LEGACY_APPLICATION",
    "HOMELESS_REFERRAL",
    "HOUSING_REGISTER",
    "MANY",
    "ONE_CURRENT_PER_PRIMARY_APPLICANT",
    "ONE_OPEN_PER_CASE",
    "REVIEW",
    "RISK_ASSESSMENT",
    "ROUGH_SLEEPER",
    "STRAND_TYPES",
    "Strand",
    "StrandStatus",
    "StrandType",
    "change_status",
    "find_by_reference",
    "format_strand_reference",
    "open_strand",
    "open_strands",
    "parse_strand_reference",
    "register_strand_type",
    "set_data",
    "strand_type",
    "strands_of_case",
]
