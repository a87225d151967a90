"""The `hearth` command: serve, db upgrade, seed-demo, create-officer, files copy-to-bucket,
worker."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import sys
import threading
from collections.abc import Sequence
from typing import Any

from hearth import logs
from hearth.db import DatabaseNotReady, check_ready, make_engine, make_session_factory, transaction
from hearth.settings import SettingsError, load_settings
from web.settings import Settings


def _settings() -> Settings:
    settings = load_settings()
    logs.configure(settings.log_level, json_lines=not settings.embedded)
    return settings


def _ready_engine(settings: Settings):  # type: ignore[no-untyped-def]
    engine = make_engine(settings.database_url)
    check_ready(engine)
    return engine


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from hearth.server import GreetingServer, serve_workers

    settings = _settings()
    host, port = args.host or settings.host, args.port or settings.port
    engine = _ready_engine(settings)
    greeting = _demo_greeting(settings, engine, host, port)
    engine.dispose()
    options: dict[str, Any] = {"host": host, "port": port, **server_options(settings)}
    if args.workers > 1:
        if settings.is_sqlite:
            print(
                "warning: several worker processes on SQLite serialise every write; use "
                "PostgreSQL (DATABASE_URL) in production",
                file=sys.stderr,
            )
        return serve_workers("hearth.asgi:app", options, args.workers, greeting=greeting)
    server = GreetingServer(uvicorn.Config("hearth.asgi:app", **options), greeting)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C: uvicorn has shut down cleanly
        server.run()
    return 0 if server.started else 1


def _demo_greeting(settings: Settings, engine: Any, host: str, port: int) -> str | None:
    """Where to go and how to sign in, when an embedded server holds the demo data."""
    from hearth.demo.welcome import has_demo_data, welcome

    if not settings.embedded:
        return None
    with make_session_factory(engine)() as session:
        return welcome(host, port) if has_demo_data(session) else None


def server_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn serves the app. X-Forwarded-For and -Proto are believed only from the
    proxies the council lists (none by default: a client reaching the server directly could
    otherwise claim any address and dodge the per-address limits)."""
    return {
        "proxy_headers": bool(settings.forwarded_allow_ips),
        "forwarded_allow_ips": settings.forwarded_allow_ips or None,
        "log_config": None,
        "server_header": False,
    }


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from hearth.db import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    print("Database is up to date.")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from hearth.demo import seed_demo
    from web.storage import store_for

    settings = _settings()
    engine = _ready_engine(settings)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        seeded = seed_demo(session, force=args.force, settings=settings, store=store_for(settings))
    print("Demo data added." if seeded else "The database already has data; demo data not added.")
    return 0


def cmd_create_officer(args: argparse.Namespace) -> int:
    from domain.accounts import create_officer
    from domain.history import SYSTEM
    from domain.vocab import Permission

    settings = _settings()
    engine = _ready_engine(settings)
    factory = make_session_factory(engine)
    try:
        permissions = [Permission(p.strip()) for p in args.permissions.split(",") if p.strip()]
    except ValueError as exc:
        valid = ", ".join(p.value for p in Permission)
        raise SettingsError(f"{exc}. Permission groups are: {valid}") from None
    password = args.password
    if password is None and settings.embedded and sys.stdin.isatty():
        password = getpass.getpass("Password for local sign-in: ")
    with transaction(factory) as session:
        user = create_officer(
            session,
            SYSTEM,
            email=args.email,
            name=args.name,
            permissions=permissions,
            password=password,
        )
        print(f"Officer {user.name} <{user.email}> created with: {', '.join(sorted(permissions))}")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from hearth.worker import Worker

    settings = _settings()
    engine = _ready_engine(settings)
    worker = Worker(make_session_factory(engine), settings)
    if args.once:
        ran = worker.run_until_idle()
        print(f"Ran {ran} job(s).")
        return 0
    stop = threading.Event()
    try:
        worker.run_forever(stop)
    except KeyboardInterrupt:
        stop.set()
    return 0


def cmd_files_copy(args: argparse.Namespace) -> int:
    from web.storage import copy_all, folder_store, store_for

    settings = _settings()
    if not settings.s3_bucket:
        raise SettingsError("set S3_BUCKET (and S3_ENDPOINT_URL for a store other than AWS) first")
    source, target = folder_store(settings), store_for(settings)
    copied, skipped = copy_all(source, target)
    print(
        f"Copied {copied} file(s) from {settings.files_dir} to bucket {settings.s3_bucket}; "
        f"{skipped} already there."
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hearth", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the portal and back office over HTTP")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--workers", type=int, default=1, help="number of web processes")
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="database tasks")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="apply migrations")
    up.set_defaults(func=cmd_db_upgrade)

    seed = sub.add_parser("seed-demo", help="add demo data to an empty database")
    seed.add_argument("--force", action="store_true", help="seed even if data exists")
    seed.set_defaults(func=cmd_seed_demo)

    officer = sub.add_parser("create-officer", help="add an officer account")
    officer.add_argument("--email", required=True)
    officer.add_argument("--name", required=True)
    officer.add_argument(
        "--permissions",
        default="",
        help="comma-separated permission groups, e.g. 'People,Cases,Queue'",
    )
    officer.add_argument("--password", default=None, help="for local sign-in (embedded mode)")
    officer.set_defaults(func=cmd_create_officer)

    files = sub.add_parser("files", help="file storage tasks")
    files_sub = files.add_subparsers(dest="files_command", required=True)
    copy = files_sub.add_parser(
        "copy-to-bucket",
        help="copy every stored file from the local folder to the S3 bucket (S3_BUCKET)",
    )
    copy.set_defaults(func=cmd_files_copy)

    worker = sub.add_parser("worker", help="run background jobs")
    worker.add_argument("--once", action="store_true", help="run queued jobs then exit")
    worker.set_defaults(func=cmd_worker)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except SettingsError as exc:
        print(f"hearth: configuration error: {exc}", file=sys.stderr)
        return 2
    except DatabaseNotReady as exc:
        print(f"hearth: {exc}", file=sys.stderr)
        return 3
    except Exception as exc:
        from domain.errors import DomainError

        if isinstance(exc, DomainError):
            print(f"hearth: {exc}", file=sys.stderr)
            return 4
        raise


if __name__ == "__main__":
    raise SystemExit(main())
