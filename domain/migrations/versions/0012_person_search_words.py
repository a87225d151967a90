"""people: on PostgreSQL, the words of every name in a full-text index as well, so a search for
the start of each word ("jon smi") reads the short lists of people with those words rather
than the long lists of people sharing common trigrams (the trigram index stays, for names with
typos)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The same expression as domain.person_search.NAME_WORDS: PostgreSQL uses the index only for a
# query that names it exactly.
WORDS = "to_tsvector('simple'::regconfig, search_name)"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite reads the key column (see 0010)
    op.create_index("ix_person_search_words", "person", [sa.text(WORDS)], postgresql_using="gin")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_person_search_words", table_name="person")
