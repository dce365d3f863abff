"""CSV files for spreadsheet programs, one way for every export (rosters, bookings, item statistics).

- The separator is the reader's choice (`?sep=semicolon|comma|tab`), by default what a spreadsheet
  set to their language expects: `;` in Russian and Kazakh (where `,` is the decimal mark), `,` in English.
- The file starts with the byte-order mark, so that Excel reads the Cyrillic as UTF-8.
- Text starting like a formula gets a leading apostrophe (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TextIO

from flask import Response, request

from app.core.i18n import current_language

BYTE_ORDER_MARK = "\ufeff"
SEPARATORS = {"semicolon": ";", "comma": ",", "tab": "\t"}
DECIMAL_COMMA_LANGUAGES = ("ru", "kk")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def default_separator(language: str) -> str:
    return "semicolon" if language in DECIMAL_COMMA_LANGUAGES else "comma"


def separator_arg() -> str:
    """The separator's name asked for in `?sep=`, else the default of the reader's language."""
    asked = request.args.get("sep", "")
    return asked if asked in SEPARATORS else default_separator(current_language())


def cell(value) -> str:
    """A value as a CSV cell; text starting like a formula gets a leading apostrophe."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_table(out: TextIO, header: Sequence, rows: Iterable[Sequence], separator: str = "comma") -> int:
    """Write the header and the rows as they come (a stream need not fit in memory); returns the rows."""
    writer = csv.writer(out, delimiter=SEPARATORS[separator], lineterminator="\r\n")
    writer.writerow([str(name) for name in header])
    count = 0
    for row in rows:
        writer.writerow([cell(value) for value in row])
        count += 1
    return count


def table(header: Sequence, rows: Iterable[Sequence], separator: str = "comma") -> str:
    out = io.StringIO()
    write_table(out, header, rows, separator)
    return out.getvalue()


def download(text: str, filename: str) -> Response:
    """The CSV as an attachment, with the byte-order mark."""
    return Response(
        BYTE_ORDER_MARK + text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
