"""Generate a council of N cases in a PostgreSQL database of its own, fast, or reuse one.

`ensure(cases)` gives the database `hearth_bench_<size>` (e.g. hearth_bench_10k) migrated to the
project's head and filled: it is reused when it already holds a council of that size generated
by this version of the generator at the same migration head, unless `regenerate` (the
environment's BENCH_REGENERATE=1). Otherwise it is dropped, created, migrated with the project's
own migrations (hearth.db.upgrade), and filled:

1. the migrations' foreign keys, unique constraints and secondary indexes are noted and dropped
   (primary keys stay), so the bulk inserts do not maintain them row by row;
2. each step of bench.sql_* runs as one set-based INSERT … SELECT (timed, rows counted);
3. the indexes and constraints are put back exactly as the migrations made them (so the load is
   checked against every foreign key and unique rule), sequences moved past the ids used, the
   staging schema dropped, and VACUUM ANALYZE run;
4. the database's comment records what it holds (size, head, generator version, timings).

Shared password of every generated officer and portal account: BENCH_PASSWORD, hashed once with
the project's own hashing (domain.passwords). Never touches a database not named hearth_bench_*.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from bench import (
    sql_changes,
    sql_comms,
    sql_history,
    sql_households,
    sql_notes,
    sql_tasks,
    sql_work,
    vocab,
)
from bench.sql_households import Step
from changes.kinds import KINDS
from domain import passwords
from domain.identity import name_words
from hearth.db import head_revision, upgrade

GENERATOR_VERSION = 6  # 2: pending changes carry their case team; 3: people's search keys;
# 4: a long tail of surnames and first names; 5: case files, downloads and messages;
# 6: tasks, and the My work officer
BENCH_PASSWORD = "hearth-bench-2026"  # noqa: S105 (documented, shared by generated accounts)
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PREFIX = "hearth_bench_"

STEPS: list[Step] = [
    *sql_households.STEPS,
    *sql_work.STEPS,
    *sql_changes.STEPS,
    *sql_history.STEPS,
    *sql_notes.STEPS,
    *sql_comms.STEPS,
    *sql_tasks.STEPS,
]

Say = Callable[[str], None]


@dataclass(frozen=True)
class Council:
    """The shape of a generated council of `cases` cases (issue 19's proportions)."""

    cases: int

    @property
    def officers(self) -> int:
        return max(40, min(400, self.cases // 2500))

    @property
    def changes(self) -> int:
        return max(5, self.cases // 10)

    @property
    def pending(self) -> int:
        return round(self.changes * 0.6)

    @property
    def change_cases(self) -> int:
        return max(self.pending, round(self.cases * 0.08))

    def queue_officers(self) -> list[int]:
        """Officers with Queue (see the permission pattern in sql_households.PERMISSIONS)."""
        return [i for i in range(1, self.officers + 1) if i <= 8 or i % 10 in (0, 1, 2, 3)]

    def params(self, password_hash: str) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "officers": self.officers,
            "teams": len(vocab.TEAMS_WITH_CASES) + len(vocab.TEAMS_WITHOUT_CASES),
            "teams_with_cases": len(vocab.TEAMS_WITH_CASES),
            "change_cases": self.change_cases,
            "pending": self.pending,
            "changes": self.changes,
            "password_hash": password_hash,
            "my_work_email": sql_tasks.MY_WORK_EMAIL,
            "my_work_items": sql_tasks.MY_WORK_ITEMS,
        }


def size_label(cases: int) -> str:
    """10000 → "10k", 1000000 → "1m", 250 → "250"."""
    if cases % 1_000_000 == 0:
        return f"{cases // 1_000_000}m"
    if cases % 1000 == 0:
        return f"{cases // 1000}k"
    return str(cases)


def database_name(cases: int) -> str:
    return PREFIX + size_label(cases)


def database_url(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def conninfo(url: str) -> str:
    """psycopg's connection string for a SQLAlchemy URL."""
    u = make_url(url)
    parts = {
        "host": u.host or "127.0.0.1",
        "port": str(u.port or 5432),
        "user": u.username or "postgres",
        "dbname": u.database or "postgres",
    }
    if u.password:
        parts["password"] = str(u.password)
    return " ".join(f"{k}={v}" for k, v in parts.items())


@dataclass
class Database:
    cases: int
    name: str
    url: str
    generated: bool
    timings: dict[str, float] = field(default_factory=dict)
    size_bytes: int = 0
    seconds: float = 0.0


def _check_name(name: str) -> None:
    if not name.startswith(PREFIX) or name == "test":
        raise ValueError(f"refusing to touch database {name!r}: only {PREFIX}* is generated")


def _meta(admin: psycopg.Connection[Any], name: str) -> dict[str, Any] | None:
    row = admin.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        (name,),
    ).fetchone()
    if row is None or not row[0]:
        return None
    try:
        meta = json.loads(row[0])
    except ValueError:
        return None
    return meta if isinstance(meta, dict) else None


def _revision(url: str) -> str | None:
    try:
        with psycopg.connect(conninfo(url)) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            return str(row[0]) if row else None
    except psycopg.Error:
        return None


def ensure(
    cases: int,
    *,
    server_url: str = DEFAULT_SERVER,
    regenerate: bool = False,
    say: Say = print,
    name: str | None = None,
) -> Database:
    """The generated database of `cases` cases, reused or made now (see the module notes);
    `name` (hearth_bench_…) overrides the size's usual one (tests use one of their own)."""
    name = name or database_name(cases)
    _check_name(name)
    url = database_url(server_url, name)
    head = head_revision()
    with psycopg.connect(conninfo(server_url), autocommit=True) as admin:
        meta = _meta(admin, name)
        if (
            not regenerate
            and meta is not None
            and meta.get("cases") == cases
            and meta.get("generator") == GENERATOR_VERSION
            and meta.get("head") == head
            and _revision(url) == head
        ):
            size = admin.execute("SELECT pg_database_size(%s)", (name,)).fetchone()
            say(f"Reusing {name} ({cases:,} cases, generated {meta.get('generated_at')}).")
            return Database(
                cases,
                name,
                url,
                generated=False,
                timings=dict(meta.get("timings", {})),
                size_bytes=int(size[0]) if size else 0,
                seconds=float(meta.get("seconds", 0.0)),
            )
        say(f"Generating {name}: {cases:,} cases (drop, create, migrate, load).")
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    started = time.perf_counter()
    upgrade(url)
    timings = {"migrate": time.perf_counter() - started}
    timings.update(generate(url, Council(cases), say=say))
    seconds = time.perf_counter() - started
    with psycopg.connect(conninfo(server_url), autocommit=True) as admin:
        size_row = admin.execute("SELECT pg_database_size(%s)", (name,)).fetchone()
        size_bytes = int(size_row[0]) if size_row else 0
        meta = {
            "cases": cases,
            "generator": GENERATOR_VERSION,
            "head": head,
            "generated_at": time.strftime("%Y-%m-%d %H:%M:%S"),
            "seconds": round(seconds, 1),
            "size_bytes": size_bytes,
            "timings": {k: round(v, 2) for k, v in timings.items()},
        }
        admin.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(json.dumps(meta))
            )
        )
    say(f"Generated {name} in {seconds:.0f} s; it takes {size_bytes / 2**30:.2f} GiB.")
    return Database(cases, name, url, True, timings, size_bytes, seconds)


def drop(cases_or_name: int | str, *, server_url: str = DEFAULT_SERVER) -> None:
    name = database_name(cases_or_name) if isinstance(cases_or_name, int) else cases_or_name
    _check_name(name)
    with psycopg.connect(conninfo(server_url), autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


# --- loading ------------------------------------------------------------------------------


def generate(url: str, council: Council, *, say: Say = print) -> dict[str, float]:
    """Fill the migrated, empty database at `url`; returns seconds per table (and phase)."""
    params = council.params(passwords.hash_password(BENCH_PASSWORD))
    timings: dict[str, float] = {}
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        for setting in (
            "SET synchronous_commit = off",
            "SET jit = off",
            "SET maintenance_work_mem = '1GB'",
            "SET work_mem = '256MB'",
            "SET max_parallel_maintenance_workers = 2",
            "SET TIME ZONE 'Europe/London'",
            "SELECT setseed(0.19)",
        ):
            conn.execute(setting)
        conn.execute("DROP SCHEMA IF EXISTS bench_gen CASCADE")
        conn.execute("CREATE SCHEMA bench_gen")
        _create_functions(conn, council)
        started = time.perf_counter()
        detached = _detach(conn)
        _add(timings, "drop indexes", time.perf_counter() - started)
        for step in STEPS:
            began = time.perf_counter()
            rows = conn.execute(step.sql, params).rowcount
            # Statistics for the planner: later steps join what this one made.
            conn.execute(sql.SQL("ANALYZE {}").format(sql.SQL(step.analyze)))
            took = time.perf_counter() - began
            _add(timings, step.table or "staging", took)
            what = f"{rows:>12,} rows" if step.table else " " * 17
            say(f"  {step.label:<34} {what} {took:7.1f} s")
        began = time.perf_counter()
        _restore(conn, detached, say)
        _add(timings, "indexes and constraints", time.perf_counter() - began)
        began = time.perf_counter()
        _move_sequences(conn)
        conn.execute("DROP SCHEMA bench_gen CASCADE")
        conn.execute("VACUUM (ANALYZE)")
        took = time.perf_counter() - began
        _add(timings, "vacuum analyze", took)
        say(f"  {'vacuum analyze':<34} {'':17} {took:7.1f} s")
    return timings


def _add(timings: dict[str, float], key: str, seconds: float) -> None:
    timings[key] = timings.get(key, 0.0) + seconds


def _array(words: Iterable[object], kind: str = "text") -> sql.Composable:
    return sql.SQL("ARRAY[{}]::{}[]").format(
        sql.SQL(", ").join(sql.Literal(w) for w in words), sql.SQL(kind)
    )


def _create_functions(conn: psycopg.Connection[Any], council: Council) -> None:
    """Constant word lists as immutable SQL functions (inlined, so free per row), then the
    helpers of sql_households.FUNCTIONS."""
    lists: dict[str, list[str]] = {
        "first_f": vocab.FIRST_F,
        "first_m": vocab.FIRST_M,
        "kids_f": vocab.KIDS_F,
        "kids_m": vocab.KIDS_M,
        "surnames": vocab.SURNAMES,
        "surname_stems": vocab.SURNAME_STEMS,
        "surname_ends": vocab.SURNAME_ENDS,
        "first_starts": vocab.FIRST_STARTS,
        "first_ends_f": vocab.FIRST_ENDS_F,
        "first_ends_m": vocab.FIRST_ENDS_M,
        "streets": vocab.STREETS,
        "courts": vocab.COURTS,
        "towns": vocab.TOWNS,
        "teams": vocab.TEAMS_WITH_CASES + vocab.TEAMS_WITHOUT_CASES,
        "case_summaries": vocab.CASE_SUMMARIES,
        "other_details": vocab.OTHER_DETAILS,
        "reject_reasons": vocab.REJECT_REASONS,
        "referral_reasons": vocab.REFERRAL_REASONS,
        "org_types": [code for code, _ in vocab.ORGANISATIONS],
        "org_names": [name for _, name in vocab.ORGANISATIONS],
    }
    for name, words in lists.items():
        _constant(conn, name, "text[]", _array(words))
    _constant(conn, "queue_officers", "int[]", _array(council.queue_officers(), "int"))
    _constant(conn, "letters", "text", sql.Literal(vocab.POSTCODE_LETTERS))
    # Accented letters of the names, as the search keys fold them (domain.identity).
    accented = sorted(
        {
            c
            for name in vocab.SURNAMES + vocab.FIRST_F + vocab.FIRST_M + vocab.KIDS_F + vocab.KIDS_M
            for c in name
            if not c.isascii()
        }
    )
    folded = ["".join(name_words(c)) for c in accented]
    assert all(len(f) == 1 for f in folded), "a name letter folds to more than one letter"
    _constant(conn, "fold_from", "text", sql.Literal("".join(accented)))
    _constant(conn, "fold_to", "text", sql.Literal("".join(folded)))
    labels = sql.SQL(" ").join(
        sql.SQL("WHEN {} THEN {}").format(sql.Literal(code), sql.Literal(kind.label))
        for code, kind in KINDS.items()
    )
    body = sql.SQL("SELECT CASE kind {} ELSE kind END").format(labels).as_string(conn)
    conn.execute(
        sql.SQL(
            "CREATE FUNCTION bench_gen.kind_label(kind text) RETURNS text "
            "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS {}"
        ).format(sql.Literal(body))
    )
    conn.execute(sql_households.FUNCTIONS)


def _constant(conn: psycopg.Connection[Any], name: str, kind: str, value: sql.Composable) -> None:
    body = sql.SQL("SELECT {}").format(value).as_string(conn)
    conn.execute(
        sql.SQL(
            "CREATE FUNCTION bench_gen.{}() RETURNS {} LANGUAGE sql IMMUTABLE PARALLEL SAFE AS {}"
        ).format(sql.Identifier(name), sql.SQL(kind), sql.Literal(body))
    )


@dataclass
class Detached:
    """What the migrations made that the load does without, to be put back afterwards."""

    foreign_keys: list[tuple[str, str, str]]  # (table, name, definition)
    uniques: list[tuple[str, str, str]]
    indexes: list[tuple[str, str]]  # (name, CREATE INDEX …)


def _detach(conn: psycopg.Connection[Any]) -> Detached:
    def constraints(kind: str) -> list[tuple[str, str, str]]:
        rows = conn.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = %s AND connamespace = 'public'::regnamespace "
            "ORDER BY conrelid::regclass::text, conname",
            (kind,),
        ).fetchall()
        return [(str(t), str(n), str(d)) for t, n, d in rows]

    foreign_keys = constraints("f")
    uniques = constraints("u")
    indexes = [
        (str(name), str(definition))
        for name, definition in conn.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index AS i JOIN pg_class AS t ON t.oid = i.indrelid "
            "WHERE t.relnamespace = 'public'::regnamespace AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conindid = i.indexrelid "
            "                AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x')) "
            "ORDER BY 1"
        ).fetchall()
    ]
    for table, name, _ in foreign_keys + uniques:
        conn.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(table), sql.Identifier(name)
            )
        )
    for name, _ in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    return Detached(foreign_keys, uniques, indexes)


def _restore(conn: psycopg.Connection[Any], detached: Detached, say: Say) -> None:
    for name, definition in detached.indexes:
        _timed(conn, say, f"index {name}", sql.SQL(definition))
    for table, name, definition in detached.uniques:
        statement = sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} " + definition).format(
            sql.Identifier(table), sql.Identifier(name)
        )
        _timed(conn, say, f"unique {name}", statement)
    for table, name, definition in detached.foreign_keys:
        statement = sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} " + definition).format(
            sql.Identifier(table), sql.Identifier(name)
        )
        _timed(conn, say, f"foreign key {name}", statement)


def _timed(
    conn: psycopg.Connection[Any], say: Say, label: str, statement: sql.SQL | sql.Composed
) -> None:
    began = time.perf_counter()
    conn.execute(statement)
    took = time.perf_counter() - began
    if took >= 1.0:
        say(f"  {label[:52]:<52} {took:7.1f} s")


def _move_sequences(conn: psycopg.Connection[Any]) -> None:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND column_name = 'id' AND column_default LIKE 'nextval%'"
    ).fetchall()
    for (table,) in rows:
        conn.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence({t}, 'id'), coalesce(max(id), 0) + 1, false) "
                "FROM {i}"
            ).format(t=sql.Literal(table), i=sql.Identifier(table))
        )
