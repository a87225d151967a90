"""cases: the primary applicant's name as lists sort by it, kept on the case with an index, so a
list of cases sorted by name reads the index in order instead of working out the applicant of
every case it could show; and an officer's cases by their role read from one index alone
(case_officer (user_id, role, case_id)). One officer's 2,248 cases sorted by name, at a
million cases, went from 30-40 ms to 12 ms

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

# The same value as domain.models keeps (and the list's own expression sorted by before).
FILL = """
UPDATE housing_case SET applicant_sort = coalesce((
    SELECT lower(person.last_name || ', ' || person.first_name)
    FROM case_person JOIN person ON person.id = case_person.person_id
    WHERE case_person.case_id = housing_case.id AND case_person.is_primary
), '')
"""


def upgrade() -> None:
    with op.batch_alter_table("housing_case") as batch:
        batch.add_column(sa.Column("applicant_sort", sa.Text(), server_default="", nullable=False))
    op.execute(FILL)
    op.create_index("ix_housing_case_applicant_sort_id", "housing_case", ["applicant_sort", "id"])
    op.create_index(
        "ix_case_officer_user_id_role_case_id", "case_officer", ["user_id", "role", "case_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_case_officer_user_id_role_case_id", table_name="case_officer")
    op.drop_index("ix_housing_case_applicant_sort_id", table_name="housing_case")
    with op.batch_alter_table("housing_case") as batch:
        batch.drop_column("applicant_sort")
