"""sign-in: officers and portal accounts found by their email address in any case through an
index on lower(email) (a council of a million applicants read every account on each sign-in)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_user_account_email_lower", "user_account", [sa.text("lower(email)")])
    op.create_index("ix_portal_account_email_lower", "portal_account", [sa.text("lower(email)")])


def downgrade() -> None:
    op.drop_index("ix_portal_account_email_lower", table_name="portal_account")
    op.drop_index("ix_user_account_email_lower", table_name="user_account")
