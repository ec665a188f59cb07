"""Reading CSV files as organisations publish them, reporting problems by line number.

Files arrive as UTF-8 (with or without a byte-order mark) or, from older Windows systems,
Windows-1252. Readers built on this module are all-or-nothing: they collect every problem with
its physical line number and raise once, so a caller can refuse a bad file whole.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

MAX_ERRORS_SHOWN = 5


class LineError(ValueError):
    """A problem at one line of a file (line 1 is the header)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message

    def __reduce__(self):
        return (type(self), (self.line, self.message))


class FileErrors(ValueError):
    """Every line error found in a file, in line order."""

    what = "file"

    def __init__(self, errors: Sequence[LineError]) -> None:
        self.errors = list(errors)
        shown = "; ".join(str(error) for error in self.errors[:MAX_ERRORS_SHOWN])
        more = len(self.errors) - MAX_ERRORS_SHOWN
        suffix = f"; and {more} more" if more > 0 else ""
        noun = "error" if len(self.errors) == 1 else "errors"
        super().__init__(f"{len(self.errors)} {noun} in {self.what}: {shown}{suffix}")

    def __reduce__(self):
        return (type(self), (self.errors,))


def read_text(
    source: str | os.PathLike[str] | IO[bytes] | IO[str], error: type[LineError] = LineError
) -> str:
    """The whole file as text: UTF-8 (BOM allowed) or, failing that, Windows-1252."""
    if isinstance(source, str | os.PathLike):
        data: bytes | str = Path(source).read_bytes()
    else:
        data = source.read()
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(line, "the file is neither UTF-8 nor Windows-1252 text") from exc


def records(
    text: str, error: type[LineError] = LineError
) -> Iterator[tuple[int, list[str] | LineError]]:
    """Yield (first physical line, fields) for each non-blank CSV record.

    A quoted field may span lines, so a record's line is where it starts. If the CSV itself
    cannot be parsed, an error is yielded and reading stops.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, error(start, f"the CSV cannot be read: {exc}")
            return
        if any(field.strip() for field in row):
            yield start, row
        start = reader.line_num + 1


# A spreadsheet would run a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A value as a cell of a CSV file people open in a spreadsheet: text that a spreadsheet
    would run as a formula is written with a leading apostrophe, so it stays text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
