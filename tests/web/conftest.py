"""Fixtures of the web tests: the case pages' household and officer (tests/web/case_fixtures.py)."""

from tests.web.case_fixtures import family, officer, queries  # noqa: F401  (fixtures)
