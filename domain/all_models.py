"""Import every model module so the metadata knows every table (used by migrations and tests)."""

from domain import (  # noqa: F401
    activity,
    assessments,
    council_settings,
    drafts,
    evidence_requests,
    exports,
    letters,
    lists,
    message_templates,
    messages,
    models,
    notes,
    pending,
    referrals,
    relationships,
    restricted,
    security,
    strands,
    task_model,
    tasks,
    workflows,
)
from domain.strands import council_types  # noqa: F401
