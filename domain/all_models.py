"""Import every model module so the metadata knows every table (used by migrations and tests)."""

from domain import assessments, council_settings, models, pending, security, strands  # noqa: F401
