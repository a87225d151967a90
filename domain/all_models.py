"""Import every model module so the metadata knows every table (used by migrations and tests)."""

from domain import models  # noqa: F401
