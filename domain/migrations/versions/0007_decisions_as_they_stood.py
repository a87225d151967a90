"""pending changes keep what their decision changed, as it stood then

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pending_change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision_record", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pending_change", schema=None) as batch_op:
        batch_op.drop_column("decision_record")
