"""The model and its rules. Imports nothing above it: no web framework, no forms, no apps.

Commands here change records and write history in the caller's transaction and never commit;
they refuse with exceptions from domain.errors that name the field at fault. One clock
(domain.clock), one keyset pager (domain.paging), history kinds as an enum (domain.history_kinds).
"""

# The copies other tables keep of a record's values, kept by ORM events: registered whenever
# anything of the domain is imported, so every write through the models keeps them.
from domain import kept_copies as _kept_copies  # noqa: F401
