"""Web servers the benchmark starts (each its own process, in its own process group), waits for,
watches and stops cleanly; and the peak memory (VmRSS) of their worker processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM (uvicorn shuts its workers down and exits), then SIGKILL if it hangs."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def start(
    name: str,
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    port: int,
    log: Path,
    ready_path: str = "/",
    timeout: float = 90.0,
) -> Server:
    """Start `argv` and return once it answers HTTP on `port` (any status)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 (our own server, argv built by the benchmark)
            list(argv),
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(name, process, port, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{server.log_tail()}")
        try:
            httpx2.get(server.base_url + ready_path, timeout=2.0)
            return server
        except httpx2.HTTPError:
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"{name} did not answer on port {port} within {timeout:.0f} s")


def python() -> str:
    return sys.executable


# --- memory ---------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def _rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _is_worker(pid: int) -> bool:
    """uvicorn's worker processes (multiprocessing spawn), not its resource tracker."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"resource_tracker" not in cmdline


@dataclass
class RssSampler:
    """Samples VmRSS of every worker process under `root` (the process we started) every
    `interval` seconds, keeping the peak per process id."""

    root: int
    interval: float = 0.25
    peaks_kib: dict[int, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> RssSampler:
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._thread.start()
        return self

    def sample(self) -> None:
        for pid in _children(self.root):
            if not _is_worker(pid):
                continue
            rss = _rss_kib(pid)
            if rss is not None and rss > self.peaks_kib.get(pid, 0):
                self.peaks_kib[pid] = rss

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def stop(self) -> dict[int, float]:
        """Peak RSS per worker process, in MiB."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        return {pid: kib / 1024 for pid, kib in sorted(self.peaks_kib.items())}
