"""A stand-in for GOV.UK Notify's API, for tests: a small HTTP server run as a process of its own
(`python -m tests.support.notify_server --port N --service-id S --secret K`), speaking the parts
of Notify's v2 API Hearth uses and checking every request's JWT as Notify does (HS256, signed
with the API key's secret, `iss` the service id, `iat` within 30 seconds).

    POST /v2/notifications/sms      {phone_number, template_id, personalisation, reference}
    POST /v2/notifications/email    {email_address, template_id, personalisation, reference}
    GET  /v2/notifications/{id}     the notification, with its status

and, for the tests only (no token needed):

    GET  /_received                 every notification accepted, oldest first
    POST /_status/{id}              {"status": "delivered" | "permanent-failure" | …}
    POST /_fail_next                {"status_code": 400, "message": "…"}: refuse the next send

A phone number that is not a UK mobile is refused (400 ValidationError), as Notify does.

    with notify_server() as notify:
        settings = make_settings(..., **notify.env)    # NOTIFY_API_KEY, NOTIFY_BASE_URL, …
        ...                                           # the app sends a text message
        (sms,) = notify.received()
        notify.set_status(sms["id"], "delivered")
"""

from __future__ import annotations

import argparse
import json
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt

SMS_TEMPLATE_ID = "6d3c1a52-1c1e-4f5e-9a55-0c3c1a5e0001"
EMAIL_TEMPLATE_ID = "6d3c1a52-1c1e-4f5e-9a55-0c3c1a5e0002"
UK_MOBILE = re.compile(r"^(?:\+44|0044|0)7\d{9}$")
START_TIMEOUT = 20.0


# --- the server (its own process) -----------------------------------------------------------


class State:
    def __init__(self, service_id: str, secret: str) -> None:
        self.service_id = service_id
        self.secret = secret
        self.lock = threading.Lock()
        self.notifications: list[dict[str, Any]] = []
        self.fail_next: dict[str, Any] | None = None


def _auth_error(token: str | None, state: State) -> str | None:
    """Why the bearer token is refused, or None if it is good."""
    if not token:
        return "Unauthorized: authentication token must be provided"
    try:
        claims = jwt.decode(
            token,
            state.secret,
            algorithms=["HS256"],
            options={"require": ["iss", "iat"], "verify_iat": False},
        )
    except jwt.InvalidSignatureError:
        return "Invalid token: signature, api token not found"
    except jwt.PyJWTError as error:
        return f"Invalid token: {error}"
    if claims["iss"] != state.service_id:
        return "Invalid token: service not found"
    if abs(time.time() - int(claims["iat"])) > 30:
        return "Error: Your system clock must be accurate to within 30 seconds"
    return None


def make_handler(state: State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: Any) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _errors(self, status: int, kind: str, message: str) -> None:
            self._answer(
                status, {"status_code": status, "errors": [{"error": kind, "message": message}]}
            )

        def _json(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(length) or b"{}")

        def _authorised(self) -> bool:
            header = self.headers.get("Authorization") or ""
            token = header[7:] if header.startswith("Bearer ") else None
            problem = _auth_error(token, state)
            if problem:
                self._errors(403, "AuthError", problem)
                return False
            return True

        def do_GET(self) -> None:
            if self.path == "/_received":
                with state.lock:
                    self._answer(200, state.notifications)
                return
            match = re.fullmatch(r"/v2/notifications/([0-9a-f-]{36})", self.path)
            if not match:
                self._errors(404, "NotFound", "Not found")
                return
            if not self._authorised():
                return
            with state.lock:
                found = next((n for n in state.notifications if n["id"] == match[1]), None)
            if found is None:
                self._errors(404, "NoResultFound", "No result found")
                return
            self._answer(200, found)

        def do_POST(self) -> None:
            data = self._json()
            if self.path == "/_fail_next":
                with state.lock:
                    state.fail_next = data
                self._answer(200, {"ok": True})
                return
            status_match = re.fullmatch(r"/_status/([0-9a-f-]{36})", self.path)
            if status_match:
                with state.lock:
                    for notification in state.notifications:
                        if notification["id"] == status_match[1]:
                            notification["status"] = data["status"]
                            self._answer(200, notification)
                            return
                self._errors(404, "NoResultFound", "No result found")
                return
            kind_match = re.fullmatch(r"/v2/notifications/(sms|email)", self.path)
            if not kind_match:
                self._errors(404, "NotFound", "Not found")
                return
            if not self._authorised():
                return
            self._send(kind_match[1], data)

        def _send(self, kind: str, data: dict[str, Any]) -> None:
            with state.lock:
                failure, state.fail_next = state.fail_next, None
            if failure:
                code = int(failure.get("status_code", 400))
                self._errors(code, failure.get("error", "BadRequestError"), failure["message"])
                return
            template = SMS_TEMPLATE_ID if kind == "sms" else EMAIL_TEMPLATE_ID
            if data.get("template_id") != template:
                self._errors(400, "BadRequestError", "Template not found")
                return
            personalisation = data.get("personalisation") or {}
            if "body" not in personalisation or (
                kind == "email" and "subject" not in data.get("personalisation", {})
            ):
                missing = "body" if "body" not in personalisation else "subject"
                self._errors(400, "BadRequestError", f"Missing personalisation: {missing}")
                return
            to_key = "phone_number" if kind == "sms" else "email_address"
            to = str(data.get(to_key) or "")
            if kind == "sms" and not UK_MOBILE.match(re.sub(r"[\s()-]", "", to)):
                self._errors(400, "ValidationError", "phone_number Not a UK mobile number")
                return
            notification = {
                "id": str(uuid.uuid4()),
                "type": kind,
                "status": "created" if kind == "email" else "sending",
                to_key: to,
                "reference": data.get("reference"),
                "template": {"id": template, "version": 1},
                "body": personalisation["body"],
                "subject": personalisation.get("subject"),
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
            }
            with state.lock:
                state.notifications.append(notification)
            content: dict[str, Any] = {"body": personalisation["body"]}
            if kind == "sms":
                content["from_number"] = "COUNCIL"
            else:
                content["subject"] = personalisation["subject"]
                content["from_email"] = "housing@council.notifications.service.gov.uk"
            self._answer(
                201,
                {
                    "id": notification["id"],
                    "reference": notification["reference"],
                    "content": content,
                    "uri": f"/v2/notifications/{notification['id']}",
                    "template": {**notification["template"], "uri": f"/v2/template/{template}"},
                },
            )

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--service-id", required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer(
        ("127.0.0.1", args.port), make_handler(State(args.service_id, args.secret))
    )
    print(f"READY http://127.0.0.1:{args.port}", flush=True)
    with suppress(KeyboardInterrupt):
        server.serve_forever()


# --- the test's side --------------------------------------------------------------------------


@dataclass(frozen=True)
class NotifyPeer:
    base_url: str
    service_id: str
    secret: str

    @property
    def api_key(self) -> str:
        return f"hearth_test-{self.service_id}-{self.secret}"

    @property
    def env(self) -> dict[str, str]:
        """The settings that point the service at this peer."""
        return {
            "NOTIFY_API_KEY": self.api_key,
            "NOTIFY_BASE_URL": self.base_url,
            "NOTIFY_SMS_TEMPLATE_ID": SMS_TEMPLATE_ID,
        }

    def _call(self, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310  (our own loopback server)
            self.base_url + path, data=data, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return json.loads(answer.read())

    def received(self) -> list[dict[str, Any]]:
        return list(self._call("/_received"))

    def set_status(self, notification_id: str, status: str) -> None:
        self._call(f"/_status/{notification_id}", {"status": status})

    def fail_next(
        self, message: str, status_code: int = 400, error: str = "BadRequestError"
    ) -> None:
        self._call("/_fail_next", {"status_code": status_code, "message": message, "error": error})


@contextmanager
def notify_server() -> Iterator[NotifyPeer]:
    """Start the peer on a free loopback port in a process of its own; stop it afterwards."""
    from tests.support.browser import free_port
    from web.settings import PROJECT_ROOT

    port = free_port()
    service_id, secret = str(uuid.uuid4()), str(uuid.uuid4())
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.notify_server",
            "--port",
            str(port),
            "--service-id",
            service_id,
            "--secret",
            secret,
        ],
        cwd=PROJECT_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(
        target=lambda: lines.put(process.stdout.readline() if process.stdout else ""),
        daemon=True,
    ).start()
    try:
        line = lines.get(timeout=START_TIMEOUT)
    except queue.Empty:
        line = ""
    try:
        if not line.startswith("READY "):
            process.kill()
            errors = process.stderr.read() if process.stderr else ""
            raise RuntimeError(f"the Notify peer did not start: {line!r} {errors}")
        yield NotifyPeer(line.split(" ", 1)[1].strip(), service_id, secret)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


if __name__ == "__main__":
    main()
