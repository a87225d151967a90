"""The `hearth` command: clear errors for bad configuration and unmigrated databases, and the
commands that set a database up."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    """`hearth serve` in a process of its own, its output read as it comes."""

    def __init__(self, *args: str, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from hearth.cli import main; raise SystemExit(main())", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.out: list[str] = []
        self.err: list[str] = []
        assert self.process.stdout is not None and self.process.stderr is not None
        self.readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, self.out)),
            threading.Thread(target=self._read, args=(self.process.stderr, self.err)),
        ]
        for reader in self.readers:
            reader.start()

    @staticmethod
    def _read(stream, lines: list[str]) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            lines.append(line)

    def wait_for(self, lines: list[str], text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in lines):
            assert self.process.poll() is None, "".join(self.err)
            assert time.monotonic() < deadline, f"no {text!r} in: {''.join(lines)}"
            time.sleep(0.05)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)  # as Ctrl+C
        code = self.process.wait(timeout=30)
        for reader in self.readers:
            reader.join(timeout=10)
        assert self.process.stdout is not None and self.process.stderr is not None
        self.process.stdout.close()
        self.process.stderr.close()
        return code


def test_serve_says_where_the_demo_is_and_how_to_sign_in(env: Path) -> None:
    assert main(["db", "upgrade"]) == 0
    assert main(["seed-demo"]) == 0
    port = free_port()
    served = Served("serve", env={**os.environ, "PORT": str(port)})
    try:
        served.wait_for(served.out, "Press Ctrl+C to stop.")
        assert httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
    finally:
        assert served.stop() == 0
    block = "".join(served.out)
    assert block.startswith("Hearth is running.")
    assert f"Portal:       http://127.0.0.1:{port}/\n" in block
    assert f"Back office:  http://127.0.0.1:{port}/backoffice/\n" in block
    assert f"Emails:       http://127.0.0.1:{port}/dev/mail\n" in block
    assert "teamleader@northbridge.example" in block
    assert "with the password\nhearth-demo-2026." in block
    assert ":8000" not in block


def test_serve_without_the_demo_data_says_nothing_of_it(env: Path) -> None:
    assert main(["db", "upgrade"]) == 0
    port = free_port()
    served = Served("serve", "--host", "127.0.0.1", "--port", str(port), env=dict(os.environ))
    try:
        served.wait_for(served.err, f"Uvicorn running on http://127.0.0.1:{port}")
    finally:
        assert served.stop() == 0
    assert "Hearth is running" not in "".join(served.out)


def test_a_server_on_every_interface_is_announced_at_an_address_a_browser_can_open() -> None:
    from hearth.demo.welcome import address

    assert address("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert address("0.0.0.0", 8080) == "http://127.0.0.1:8080"  # noqa: S104  (not a bind)
    assert address("::", 8080) == "http://[::1]:8080"
    assert address("192.0.2.7", 80) == "http://192.0.2.7:80"


def _workers_of(parent: int) -> list[int]:
    """The web worker processes `hearth serve --workers N` started (not multiprocessing's own
    helper processes)."""
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    found = []
    for pid in children:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except FileNotFoundError:  # a worker just killed, reaped between the two reads
            continue
        if b"resource_tracker" not in command:
            found.append(int(pid))
    return found


def _sockets_of(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add(target)
    return found


def test_several_workers_each_take_connections_and_a_dead_one_is_replaced(env: Path) -> None:
    """Each worker listens on its own SO_REUSEPORT socket, so twenty keep-alive connections
    opened at once are spread by the kernel rather than taken by whichever worker wakes first."""
    assert main(["db", "upgrade"]) == 0
    port = free_port()
    served = Served(
        "serve", "--workers", "2", "--port", str(port), env={**os.environ, "LOG_LEVEL": "INFO"}
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    workers = _workers_of(served.process.pid)
                    if len(workers) == 2:
                        break
            except httpx2.TransportError:
                pass
            assert served.process.poll() is None, "".join(served.err)
            assert time.monotonic() < deadline, "".join(served.err)
            time.sleep(0.2)
        before = {pid: _sockets_of(pid) for pid in workers}
        # Twenty connections made at once, as a load tester or a proxy's pool makes them: all
        # are waiting to be accepted before either worker looks.
        clients = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(20)]
        try:
            for client in clients:
                client.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            for client in clients:
                assert client.recv(100).startswith(b"HTTP/1.1 200")
            taken = {pid: len(_sockets_of(pid) - before[pid]) for pid in workers}
        finally:
            for client in clients:
                client.close()
        assert sum(taken.values()) == 20, taken
        assert all(n >= 1 for n in taken.values()), taken  # both workers serve

        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 60
        while len(now := _workers_of(served.process.pid)) < 2 or workers[0] in now:
            assert time.monotonic() < deadline, "".join(served.err)
            time.sleep(0.2)
        while True:
            try:
                if httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            assert time.monotonic() < deadline, "".join(served.err)
            time.sleep(0.2)
    finally:
        assert served.stop() == 0
    assert f"web worker {workers[0]} exited" in "".join(served.err)
    for pid in workers[1:]:
        assert (
            not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
        )
