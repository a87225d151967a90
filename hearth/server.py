"""uvicorn's server as `hearth serve` runs it with one process: it can say something once it is
listening."""

from __future__ import annotations

import socket

import uvicorn


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
