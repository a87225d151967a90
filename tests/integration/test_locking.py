"""Optimistic locking: when two officers save the same record, the second save is refused."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from domain.models import Person
from tests.support.factories import make_person


def test_second_writer_of_a_stale_version_is_refused(committed: sessionmaker[Session]) -> None:
    with committed.begin() as session:
        person_id = make_person(session, "Zofia", "Nowak").id
    first, second = committed(), committed()
    try:
        # Both officers load the record (each read ends with its request's transaction) ...
        a = first.get(Person, person_id)
        first.commit()
        b = second.get(Person, person_id)
        second.commit()
        assert a is not None
        assert b is not None
        # ... the first saves, then the second tries to save over the version it loaded.
        a.phone = "07700 900001"
        first.commit()
        b.phone = "07700 900002"
        with pytest.raises(StaleDataError):
            second.commit()
    finally:
        first.close()
        second.close()
    with committed() as check:
        person = check.get(Person, person_id)
        assert person is not None
        assert person.phone == "07700 900001"
        assert person.version == 2
