"""Demo data: teams, one officer per role, two dozen households of different shapes.

Everything here is invented. The same data is produced on every run (fixed seed), so the README
can name the demo sign-ins and a few case references.
"""

from __future__ import annotations

from hearth.demo.data import (
    DEMO_PASSWORD,
    EXPECTING,
    FIRST_F,
    FIRST_M,
    KIDS_F,
    KIDS_M,
    OFFICERS,
    PORTAL_APPLICANTS,
    SHAPES,
    STREETS,
    SURNAMES,
    TEAMS,
    TODAY,
    M,
    Member,
    Shape,
)
from hearth.demo.seed import (
    seed_demo,
)

__all__ = [
    "DEMO_PASSWORD",
    "EXPECTING",
    "FIRST_F",
    "FIRST_M",
    "KIDS_F",
    "KIDS_M",
    "OFFICERS",
    "PORTAL_APPLICANTS",
    "SHAPES",
    "STREETS",
    "SURNAMES",
    "TEAMS",
    "TODAY",
    "M",
    "Member",
    "Shape",
    "seed_demo",
]
