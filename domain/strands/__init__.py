"""Strands: the applications and assessments on a case, and their types defined as data.

A strand has a type (a :class:`StrandType` in :data:`STRAND_TYPES`, defined as data: see
:mod:`domain.strands.types`), a status taken from that type's list, and its own `data` (the
type's fields, see :mod:`domain.strands.fields`). Each type declares a cardinality rule:

``one_open_per_case``
    At most one open strand of the type on a case (Bedroom assessment, Financial assistance,
    Rough sleeper).
``one_current_per_primary_applicant``
    At most one open strand of the type across all active cases whose primary applicant is the
    same person (Housing Register, Homeless application, Homeless (legacy) application).
``many``
    Any number per case (Health assessment, Risk assessment, Review, Homeless referral).

The database enforces the first two under concurrency: an open strand carries the key its rule
gives it (`current_key`: the case, or the primary applicant while the case is active) and a
unique partial index allows one strand a key and type. The key is kept in step in the same
transaction when a strand opens, closes, reopens or moves, and when its case's primary
applicant switches or the case closes or reopens (:func:`rekey_case`); a refusal names the
strand already holding the key.

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

from domain.strands.fields import KINDS, FieldDef, FieldProblem
from domain.strands.model import (
    Strand,
    availability,
    blocking_strand,
    case_strands,
    change_status,
    find_by_reference,
    format_strand_reference,
    lock,
    open_strand,
    open_strands,
    parse_strand_reference,
    rekey_case,
    set_data,
    strands_of_case,
)
from domain.strands.types import (
    BEDROOM_ASSESSMENT,
    BUILT_IN,
    CARDINALITIES,
    CLOSED_MOVED,
    COUNCIL,
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
    from_definition,
    parse_toml,
    register_strand_type,
    replace_council_types,
    strand_type,
)

__all__ = [
    "BEDROOM_ASSESSMENT",
    "BUILT_IN",
    "CARDINALITIES",
    "CLOSED_MOVED",
    "COUNCIL",
    "FINANCIAL_ASSISTANCE",
    "HEALTH_ASSESSMENT",
    "HOMELESS_APPLICATION",
    "HOMELESS_LEGACY_APPLICATION",
    "HOMELESS_REFERRAL",
    "HOUSING_REGISTER",
    "KINDS",
    "MANY",
    "ONE_CURRENT_PER_PRIMARY_APPLICANT",
    "ONE_OPEN_PER_CASE",
    "REVIEW",
    "RISK_ASSESSMENT",
    "ROUGH_SLEEPER",
    "STRAND_TYPES",
    "FieldDef",
    "FieldProblem",
    "Strand",
    "StrandStatus",
    "StrandType",
    "availability",
    "blocking_strand",
    "case_strands",
    "change_status",
    "find_by_reference",
    "format_strand_reference",
    "from_definition",
    "lock",
    "open_strand",
    "open_strands",
    "parse_strand_reference",
    "parse_toml",
    "register_strand_type",
    "rekey_case",
    "replace_council_types",
    "set_data",
    "strand_type",
    "strands_of_case",
]
