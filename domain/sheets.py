"""Cells for the spreadsheets exports write through openpyxl's write-only workbook: headings in
bold, dates and moments (already wall-clock time in England: spreadsheets know no time zones)
shown as such."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

DATE = "DD/MM/YYYY"
MOMENT = "DD/MM/YYYY HH:MM"
MOMENT_SECONDS = "DD/MM/YYYY HH:MM:SS"


def cell(sheet: Any, value: Any, *, bold: bool = False, moment: str = MOMENT) -> Any:
    made = WriteOnlyCell(sheet, value=value)
    if bold:
        made.font = Font(bold=True)
    if isinstance(value, dt.datetime):
        made.number_format = moment
    elif isinstance(value, dt.date):
        made.number_format = DATE
    return made


def headings(sheet: Any, names: Iterable[str]) -> list[Any]:
    """A row of headings, in bold."""
    return [cell(sheet, name, bold=True) for name in names]


__all__ = ["DATE", "MOMENT", "MOMENT_SECONDS", "cell", "headings"]
