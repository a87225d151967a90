"""How `hearth serve` runs uvicorn.

- One process: uvicorn's server, saying something once it is listening (`GreetingServer`).
- Several (`--workers N`): each worker process opens its **own** listening socket on the same
  address with `SO_REUSEPORT`, so the kernel spreads new connections across the workers. With
  one socket shared by every worker (uvicorn's own multi-process mode), the worker that wakes
  first accepts a whole burst of connections: twenty keep-alive connections opened at once
  could land mostly on one process while the other idled. The parent starts the workers,
  restarts one that dies, and stops them all on SIGINT or SIGTERM.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn

BACKLOG = 2048
RESTART_PAUSE = 1.0


class GreetingServer(uvicorn.Server):
    """Prints `greeting` once the server is listening — not before, so a port already in use is
    never announced as running."""

    def __init__(self, config: uvicorn.Config, greeting: str | None = None) -> None:
        super().__init__(config)
        self.greeting = greeting

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and self.greeting:
            print(self.greeting, flush=True)


def reuseport_socket(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port) that other processes may also bind (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def _worker(app: str, options: dict[str, Any], greeting: str | None) -> None:
    """One worker process: its own socket, then uvicorn until told to stop."""
    sock = reuseport_socket(options["host"], options["port"])
    config = uvicorn.Config(app, **options)
    GreetingServer(config, greeting).run(sockets=[sock])


def serve_workers(
    app: str,
    options: dict[str, Any],
    workers: int,
    *,
    greeting: str | None = None,
    on_ready: Callable[[], None] | None = None,
) -> int:
    """Run `workers` processes serving `app` on options' host and port until SIGINT/SIGTERM."""
    if not hasattr(socket, "SO_REUSEPORT"):  # pragma: no cover (Linux has it)
        uvicorn.run(app, workers=workers, **options)
        return 0
    # Fail here, in the parent, if the port is taken by something else (not after forking).
    reuseport_socket(options["host"], options["port"]).close()
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start(first: bool) -> BaseProcess:
        process = context.Process(
            target=_worker,
            args=(app, options, greeting if first else None),
            name="hearth-web",
            daemon=False,
        )
        process.start()
        return process

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    processes = [start(n == 0) for n in range(workers)]
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    if on_ready is not None:
        on_ready()
    try:
        while not stopping:
            time.sleep(0.2)
            for n, process in enumerate(processes):
                if not process.is_alive() and not stopping:
                    print(
                        f"hearth: web worker {process.pid} exited ({process.exitcode}); "
                        "starting another",
                        file=sys.stderr,
                        flush=True,
                    )
                    time.sleep(RESTART_PAUSE)
                    processes[n] = start(False)
    finally:
        for process in processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        for process in processes:
            process.join(30)
            if process.is_alive():
                process.kill()
                process.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


__all__ = ["GreetingServer", "reuseport_socket", "serve_workers"]
