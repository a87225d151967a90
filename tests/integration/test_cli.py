"""The `hearth` command: clear errors for bad configuration and unmigrated databases, and the
commands that set a database up."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from domain.models import Case, User
from hearth.cli import main


@pytest.fixture(autouse=True)
def keep_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("DATABASE_URL", "SECRET_KEY", "HEARTH_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HEARTH_DATA_DIR", str(tmp_path))
    return tmp_path


def test_bad_database_url_is_explained(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/hearth")
    assert main(["db", "upgrade"]) == 2
    assert "configuration error: DATABASE_URL uses 'mysql'" in capsys.readouterr().err


def test_production_without_secret_is_explained(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEARTH_MODE", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1/test")
    assert main(["serve"]) == 2
    assert "SECRET_KEY is required when HEARTH_MODE=production" in capsys.readouterr().err


def test_unmigrated_database_is_explained(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["seed-demo"]) == 3
    err = capsys.readouterr().err
    assert "The database is not migrated" in err
    assert "hearth db upgrade" in err


def test_unreachable_database_is_explained(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert main(["worker", "--once"]) == 3
    assert "Cannot reach the database" in capsys.readouterr().err


def test_upgrade_seed_create_officer_and_worker(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0
    assert main(["seed-demo"]) == 0
    assert "Demo data added." in capsys.readouterr().out
    assert main(["seed-demo"]) == 0
    assert "demo data not added" in capsys.readouterr().out
    assert (
        main(
            [
                "create-officer",
                "--email",
                "New.Officer@Council.example",
                "--name",
                "New Officer",
                "--permissions",
                "People,Queue",
                "--password",
                "a long password here",
            ]
        )
        == 0
    )
    assert "New Officer <new.officer@council.example>" in capsys.readouterr().out
    assert (
        main(
            [
                "create-officer",
                "--email",
                "x@council.example",
                "--name",
                "X",
                "--permissions",
                "Wizard",
            ]
        )
        == 2
    )
    assert "Permission groups are: People, Cases, Queue" in capsys.readouterr().err
    assert (
        main(["create-officer", "--email", "new.officer@council.example", "--name", "Again"]) == 4
    )
    assert "already exists" in capsys.readouterr().err
    assert main(["worker", "--once"]) == 0
    engine = create_engine(f"sqlite:///{env / 'hearth.db'}")
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Case)) >= 20
        officer = session.scalar(select(User).where(User.email == "new.officer@council.example"))
        assert officer is not None
        assert {p.value for p in officer.permissions} == {"People", "Queue"}
    engine.dispose()
