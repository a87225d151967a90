"""The scale benchmark's generator makes a council of the shape issue 19 asks for, in a database
of its own (never `test`), with the migrations' own schema, and pending changes the real change
engine accepts. A tiny council here; `make bench-scale` makes the big ones."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench import sql_changes
from bench.generate import Council, Database, drop, ensure
from changes import engine as change_engine
from changes.engine import Notifier
from domain import clock
from domain.models import User
from domain.pending import ChangeStatus, PendingChange
from hearth.db import make_engine
from tests.support.database import DEFAULT_PG, DatabaseUnderTest

pytestmark = pytest.mark.postgresql_only

CASES = 300
NOTIFIER = Notifier(
    service_name="Housing options",
    council_name="Testshire District Council",
    changes_url="http://testserver/your-changes",
    council_phone="020 7946 0000",
)


@pytest.fixture(scope="module")
def council() -> Iterator[Database]:
    server = (
        make_url(os.environ.get("TEST_DATABASE_URL") or DEFAULT_PG)
        .set(database="postgres")
        .render_as_string(hide_password=False)
    )
    name = f"hearth_bench_test_{uuid.uuid4().hex[:8]}"
    database = ensure(CASES, server_url=server, name=name, say=lambda _: None)
    try:
        yield database
    finally:
        drop(name, server_url=server)


@pytest.fixture(scope="module")
def bench_engine(council: Database) -> Iterator[Engine]:
    engine = make_engine(council.url)
    yield engine
    engine.dispose()


def scalar(conn: Connection, query: str, **params: Any) -> Any:
    return conn.execute(text(query), params).scalar_one()


def test_the_council_has_the_shape_asked_for(bench_engine: Engine) -> None:
    shape = Council(CASES)
    with bench_engine.connect() as conn:
        assert scalar(conn, "SELECT count(*) FROM housing_case") == CASES
        people = scalar(conn, "SELECT count(*) FROM person")
        assert 2.0 * CASES <= people <= 3.0 * CASES
        assert scalar(conn, "SELECT count(*) FROM case_person") == people
        # one primary applicant per case; couples recorded both ways
        assert scalar(conn, "SELECT count(*) FROM case_person WHERE is_primary") == CASES
        assert (
            scalar(
                conn,
                "SELECT count(*) FROM case_person a LEFT JOIN case_person b "
                "ON b.case_id = a.case_id AND b.person_id = a.partner_person_id "
                "WHERE a.partner_person_id IS NOT NULL "
                "AND (b.id IS NULL OR b.partner_person_id <> a.person_id)",
            )
            == 0
        )
        # people who left, children born into the household
        assert scalar(conn, "SELECT count(*) FROM case_person WHERE date_left IS NOT NULL") > 0
        assert (
            scalar(
                conn,
                "SELECT count(*) FROM case_person cp JOIN person p ON p.id = cp.person_id "
                "WHERE cp.date_joined = p.date_of_birth",
            )
            > 0
        )
        # everyone has exactly one current address; some have past ones
        assert (
            scalar(
                conn,
                "SELECT count(*) FROM person p WHERE (SELECT count(*) FROM address a "
                "WHERE a.person_id = p.id AND a.date_to IS NULL) <> 1",
            )
            == 0
        )
        assert scalar(conn, "SELECT count(*) FROM address WHERE date_to IS NOT NULL") > 0
        # strands, assessment versions, referrals
        for code in ("housing_register", "bedroom_assessment", "homeless_referral"):
            assert scalar(conn, "SELECT count(*) FROM strand WHERE type_code = :c", c=code) > 0
        assert scalar(conn, "SELECT count(*) FROM bedroom_assessment_version WHERE number > 1") > 0
        assert scalar(conn, "SELECT count(*) FROM referral") == scalar(
            conn, "SELECT count(*) FROM strand WHERE type_code = 'homeless_referral'"
        )
        # pending changes: a tenth of the cases, 60% pending, several kinds, known statuses
        assert scalar(conn, "SELECT count(*) FROM pending_change") == shape.changes
        assert (
            scalar(conn, "SELECT count(*) FROM pending_change WHERE status = 'pending'")
            == shape.pending
        )
        assert scalar(conn, "SELECT count(DISTINCT kind) FROM pending_change") >= 5
        # each carries its case's team, as the change engine sets it
        assert (
            scalar(
                conn,
                "SELECT count(*) FROM pending_change AS pc JOIN housing_case AS c "
                "ON c.id = pc.case_id WHERE pc.team_id IS DISTINCT FROM c.responsible_team_id",
            )
            == 0
        )
        statuses = set(conn.execute(text("SELECT DISTINCT status FROM pending_change")).scalars())
        assert statuses <= set(ChangeStatus.ALL)
        assert (
            scalar(
                conn,
                "SELECT count(*) FROM pending_change WHERE status = 'pending' "
                "AND target_date < current_date",
            )
            > 0
        )
        # changes come from the case's primary applicant's portal account
        assert (
            scalar(
                conn,
                "SELECT count(*) FROM pending_change pc JOIN portal_account a "
                "ON a.id = pc.submitted_by_account_id JOIN case_person cp "
                "ON cp.person_id = a.person_id AND cp.case_id = pc.case_id AND cp.is_primary",
            )
            == shape.changes
        )
        # case files on half the cases (letters among them), downloads, messages on two in three
        files = scalar(conn, "SELECT count(*) FROM evidence_file")
        assert 0.9 * CASES <= files <= 1.1 * CASES
        assert scalar(conn, "SELECT count(*) FROM evidence_file WHERE source = 'letter'") > 0
        assert scalar(conn, "SELECT count(*) FROM file_download") == files // 2
        assert scalar(conn, "SELECT count(*) FROM message") == CASES - CASES // 3
        assert set(conn.execute(text("SELECT DISTINCT status FROM message")).scalars()) == {
            "delivered",
            "sent",
            "failed",
        }
        # tasks on every active case; the My work officer has exactly 500 to do
        active = scalar(conn, "SELECT count(*) FROM housing_case WHERE status = 'Active'")
        assert scalar(conn, "SELECT count(*) FROM task") == active
        assert scalar(
            conn,
            "SELECT count(*) FROM task t JOIN user_account u ON u.id = t.assignee_id "
            "WHERE u.email = 'my.work@bench.example' AND t.status IN ('open', 'on_hold')",
        ) == min(
            500,
            scalar(
                conn,
                "SELECT count(*) FROM housing_case WHERE status = 'Active' AND id % 4 <> 0",
            ),
        )
        # about ten history events a case; teams, officers with Queue
        events = scalar(conn, "SELECT count(*) FROM history_event")
        assert 7 * CASES <= events <= 15 * CASES
        assert scalar(conn, "SELECT count(*) FROM team WHERE allows_cases") >= 2
        assert scalar(
            conn, "SELECT count(*) FROM user_permission WHERE permission = 'Queue'"
        ) == len(shape.queue_officers())


def _schema(conn: Connection, schema: str) -> set[tuple[str, str]]:
    indexes = conn.execute(
        text("SELECT 'index', indexname FROM pg_indexes WHERE schemaname = :s"), {"s": schema}
    ).all()
    constraints = conn.execute(
        text(
            "SELECT contype::text, conname FROM pg_constraint "
            "WHERE connamespace = CAST(:s AS regnamespace) AND convalidated"
        ),
        {"s": schema},
    ).all()
    return {(str(a), str(b)) for a, b in [*indexes, *constraints]}


def test_every_index_and_constraint_of_the_migrations_is_back_and_checked(
    bench_engine: Engine, test_database: DatabaseUnderTest
) -> None:
    assert test_database.schema is not None
    with test_database.engine.connect() as conn:
        migrated = _schema(conn, test_database.schema)
    with bench_engine.connect() as conn:
        generated = _schema(conn, "public")
        assert scalar(conn, "SELECT count(*) FROM pg_namespace WHERE nspname = 'bench_gen'") == 0
    assert generated == migrated


def _accept_all(session: Session, ids: list[int]) -> list[str]:
    """Accept each change in a savepoint that is rolled back; the refusals, if any."""
    refusals = []
    officer = session.get(User, 1)
    assert officer is not None
    for change_id in ids:
        savepoint = session.begin_nested()
        change = change_engine.lock_change(session, change_id)
        try:
            change_engine.accept(
                session,
                officer,
                change,
                expected_version=change.version,
                today=clock.today(),
                notifier=NOTIFIER,
            )
            session.flush()
        except Exception as exc:
            refusals.append(f"{change.reference} ({change.kind}): {exc}")
        savepoint.rollback()
    return refusals


def test_the_change_engine_accepts_every_pending_change_as_it_stands(
    bench_engine: Engine,
) -> None:
    with bench_engine.connect() as conn, conn.begin() as outer:
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        ids = list(
            session.scalars(
                text("SELECT id FROM pending_change WHERE status = 'pending' ORDER BY id")
            )
        )
        assert ids
        assert _accept_all(session, ids) == []  # none refused, none stale
        outer.rollback()


def test_the_accept_phase_gets_fresh_changes_the_engine_accepts(bench_engine: Engine) -> None:
    with bench_engine.connect() as conn, conn.begin() as outer:
        rows = conn.exec_driver_sql(sql_changes.ACCEPT_BATCH, {"count": 12, "sample": 600}).all()
        assert len(rows) == 12
        assert len({case_id for _, case_id, _ in rows}) > 1
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        kinds = {session.get(PendingChange, change_id).kind for change_id, _, _ in rows}  # type: ignore[union-attr]
        assert kinds == {"left", "relationship"}
        assert _accept_all(session, [change_id for change_id, _, _ in rows]) == []
        outer.rollback()


def test_a_council_already_there_is_reused(council: Database) -> None:
    server = make_url(council.url).set(database="postgres").render_as_string(hide_password=False)
    again = ensure(CASES, server_url=server, name=council.name, say=lambda _: None)
    assert again.generated is False
    assert again.size_bytes > 0


def test_people_carry_the_search_keys_the_domain_would_give_them(bench_engine: Engine) -> None:
    """The generator writes search keys in SQL; they must be the ones the app works out, or
    the person search the benchmark measures would find nobody (and real names with accents
    would be measured as misses)."""
    from domain.identity import phone_key, search_name

    with bench_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT first_name, middle_names, last_name, search_name, phone, phone_key "
                "FROM person"
            )
        ).all()
    assert rows
    for first, middle, last, key, phone, digits in rows:
        assert key == search_name(first, middle, last), (first, middle, last)
        assert digits == phone_key(phone)
    accented = [r for r in rows if not r.last_name.isascii()]
    assert accented, "the names include accented ones (Wiśniewski, Müller…)"
