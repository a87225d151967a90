"""The worker's side of exports (`domain.exports`): make a list's spreadsheet a page at a time,
each page read in a short transaction of its own with the progress written between pages (so a
page polling the export sees it move, on SQLite too), and delete expired files each day."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain import activity, case_archive, case_export, case_list, clock, exports
from domain.archive_writer import ArchiveWriter
from domain.case_list import ListSpec
from domain.models import User, format_case_reference
from hearth.worker_context import JobContext
from web.storage import store_for

log = logging.getLogger(__name__)


def make_list_export(session: Session, payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """(Runs outside a transaction: it opens its own, see hearth.jobs `own_transactions`.)"""
    with session.begin():
        export = session.get(exports.Export, payload.get("export"))
        if export is None or export.status != exports.QUEUED:
            return {"skipped": "no such export waiting"}
        export_id, officer_id, total = export.id, export.requested_by_id, max(export.total, 1)
        spec = ListSpec.from_json(export.spec)
    today = clock.today()
    try:
        writer = exports.SheetWriter(spec)
        cursor: str | None = None
        while True:
            with session.begin():
                officer = session.get(User, officer_id)
                assert officer is not None
                page = case_list.run(
                    session,
                    spec,
                    today,
                    officer,
                    after=cursor,
                    size=exports.BATCH,
                    check_breadth=False,
                )
                writer.add(page.rows)
            session.expunge_all()  # nothing of one page stays in memory for the next
            ctx.progress(min(99, writer.rows * 100 // total))
            cursor = page.next_cursor
            if cursor is None or writer.rows >= exports.MAX_ROWS:
                break
        store = store_for(ctx.settings)
        with session.begin():
            export = session.get(exports.Export, export_id)
            assert export is not None
            key = exports.storage_key(export)
            with tempfile.TemporaryFile() as spool:
                size = writer.save(spool)
                spool.seek(0)
                store.put(key, spool, content_type=exports.XLSX)
            exports.finish(
                session,
                export,
                key=key,
                size=size,
                rows=writer.rows,
                keep=dt.timedelta(hours=ctx.settings.export_keep_hours),
            )
    except Exception as error:  # the officer is told it failed; the log says why
        log.exception("export %s failed", export_id)
        if session.in_transaction():
            session.rollback()
        with session.begin():
            exports.fail(
                session, export_id, f"The spreadsheet could not be made ({type(error).__name__})"
            )
        return {"export": export_id, "failed": type(error).__name__}
    return {"export": export_id, "rows": writer.rows, "bytes": size}


def _begin(session: Session, payload: dict[str, Any], kind: str) -> tuple[int, int, int] | None:
    """(export, officer, case) ids of the export waiting to be made, else None."""
    with session.begin():
        export = session.get(exports.Export, payload.get("export"))
        if export is None or export.status != exports.QUEUED or export.kind != kind:
            return None
        assert export.case_id is not None
        return export.id, export.requested_by_id, export.case_id


def _store_and_finish(
    session: Session, ctx: JobContext, export_id: int, spool: BinaryIO, rows: int
) -> int:
    size = spool.tell()
    spool.seek(0)
    with session.begin():
        export = session.get(exports.Export, export_id)
        assert export is not None
        key = exports.storage_key(export)
        store_for(ctx.settings).put(key, spool, content_type=exports.ZIP)
        exports.finish(
            session,
            export,
            key=key,
            size=size,
            rows=rows,
            keep=dt.timedelta(hours=ctx.settings.export_keep_hours),
        )
    return size


def _failed(session: Session, export_id: int, what: str, error: Exception) -> dict[str, Any]:
    log.exception("export %s failed", export_id)
    if session.in_transaction():
        session.rollback()
    with session.begin():
        exports.fail(session, export_id, f"{what} could not be made ({type(error).__name__})")
    return {"export": export_id, "failed": type(error).__name__}


def make_case_export(session: Session, payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """A case's zip (`domain.case_archive`): what is small read in one short transaction, the
    history a batch at a time, the files from the store a chunk at a time, with the progress
    written between parts. (Runs outside a transaction, like the list export.)"""
    ids = _begin(session, payload, exports.CASE)
    if ids is None:
        return {"skipped": "no such export waiting"}
    export_id, officer_id, case_id = ids
    try:
        with session.begin():
            officer = session.get(User, officer_id)
            assert officer is not None
            plan = case_archive.gather(session, case_id, officer)
        session.expunge_all()
        steps, done = max(plan.steps, 1), 1
        with tempfile.TemporaryFile() as spool:
            writer = ArchiveWriter(spool, plan)
            after: Any = None
            while True:
                with session.begin():
                    after = writer.add_history(session, case_id, after)
                done += 1
                ctx.progress(min(99, done * 100 // steps))
                if after is None:
                    break
            store = store_for(ctx.settings)
            for part in (writer.write_records(), writer.write_files(store)):
                for units in part:
                    done += units
                    ctx.progress(min(99, done * 100 // steps))
            writer.close()
            rows = writer.history_rows
            size = _store_and_finish(session, ctx, export_id, spool, rows)
    except Exception as error:  # the officer is told it failed; the log says why
        return _failed(session, export_id, "The case export", error)
    return {"export": export_id, "files": len(plan.files), "history": rows, "bytes": size}


def make_activity_export(
    session: Session, payload: dict[str, Any], ctx: JobContext
) -> dict[str, Any]:
    """A zip with a spreadsheet of the case's activity, a batch at a time."""
    ids = _begin(session, payload, exports.ACTIVITY)
    if ids is None:
        return {"skipped": "no such export waiting"}
    export_id, _officer_id, case_id = ids
    try:
        with session.begin():
            total = max(
                1,
                session.scalar(
                    select(func.count())
                    .select_from(activity.Activity)
                    .where(activity.Activity.case_id == case_id)
                )
                or 0,
            )
        writer = case_export.ActivityWriter(format_case_reference(case_id))
        after: str | None = None
        while True:
            with session.begin():
                after = writer.add(session, case_id, after)
            session.expunge_all()
            ctx.progress(min(99, writer.rows * 100 // total))
            if after is None:
                break
        with tempfile.TemporaryFile() as spool:
            writer.close(spool)
            spool.seek(0, 2)
            size = _store_and_finish(session, ctx, export_id, spool, writer.rows)
    except Exception as error:
        return _failed(session, export_id, "The activity export", error)
    return {"export": export_id, "rows": writer.rows, "bytes": size}


def expire_exports(session: Session, payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    return {"expired": exports.expire(session, store_for(ctx.settings))}


__all__ = ["expire_exports", "make_activity_export", "make_case_export", "make_list_export"]
