"""The README names demo sign-ins; they must be the ones the seed creates."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.models import PortalAccount, User
from hearth.demo import seed_demo
from hearth.settings import PROJECT_ROOT


def test_readme_demo_accounts_exist(db: Session) -> None:
    seed_demo(db)
    readme = (PROJECT_ROOT / "README.md").read_text()
    start = readme.index("## Demo sign-ins")
    section = readme[start : readme.index("\n## ", start)]
    named = set(re.findall(r"[\w.-]+@(?:[\w-]+\.)*example(?:\.com)?\b", section))
    officers = set(db.scalars(select(User.email)))
    applicants = set(db.scalars(select(PortalAccount.email)))
    assert named == officers | applicants
