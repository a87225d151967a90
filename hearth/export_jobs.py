"""The worker's side of exports (`domain.exports`): make a list's spreadsheet a page at a time,
each page read in a short transaction of its own with the progress written between pages (so a
page polling the export sees it move, on SQLite too), and delete expired files each day."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from typing import Any

from sqlalchemy.orm import Session

from domain import case_list, clock, exports
from domain.case_list import ListSpec
from domain.models import User
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


def expire_exports(session: Session, payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    return {"expired": exports.expire(session, store_for(ctx.settings))}


__all__ = ["expire_exports", "make_list_export"]
