"""Read data.police.uk street-level crime files exactly as published.

Each file holds one police force's crimes for one month (``2023-09-surrey-street.csv``), with
this header and no other::

    Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,
    Crime type,Last outcome category,Context

What the published files do, and this reader accepts:

* CRLF or LF line endings; UTF-8, with or without a byte-order mark;
* ``Crime ID`` and ``Last outcome category`` empty on every anti-social behaviour row;
* ``Location`` "No Location" with empty ``Longitude``, ``Latitude``, ``LSOA code`` and
  ``LSOA name``: such a crime is kept, without coordinates, and counted;
* ``Context`` empty (it is kept when it is not).

The reader is all-or-nothing: it checks every row and either returns the whole file or raises
once with every problem and its physical line number (line 1 is the header).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from datetime import date
from typing import IO

from .csvfile import FileErrors, LineError, read_text, records

COLUMNS: tuple[str, ...] = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
# The longest value each text field may hold; the database columns are as long.
CRIME_ID_MAX = 64
FORCE_MAX = 120
LOCATION_MAX = 255
LSOA_CODE_MAX = 12
LSOA_NAME_MAX = 120
CRIME_TYPE_MAX = 80
OUTCOME_MAX = 160
_LIMITS = {
    "Crime ID": CRIME_ID_MAX,
    "Reported by": FORCE_MAX,
    "Falls within": FORCE_MAX,
    "Location": LOCATION_MAX,
    "LSOA code": LSOA_CODE_MAX,
    "LSOA name": LSOA_NAME_MAX,
    "Crime type": CRIME_TYPE_MAX,
    "Last outcome category": OUTCOME_MAX,
}

# data.police.uk covers England, Wales and Northern Ireland: every published point lies in this
# box (the bounds the product also uses for places), so anything outside it is a broken value.
LONGITUDE_RANGE = (-9.0, 2.5)
LATITUDE_RANGE = (49.0, 61.0)

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


@dataclass(frozen=True, slots=True)
class StreetCrime:
    """One row of a street-level file. Text is stripped; coordinates are ``None`` together."""

    line: int
    crime_id: str
    longitude: float | None
    latitude: float | None
    location: str
    lsoa_code: str
    lsoa_name: str
    crime_type: str
    last_outcome: str
    context: str
    falls_within: str

    @property
    def located(self) -> bool:
        return self.longitude is not None


@dataclass(frozen=True)
class StreetFile:
    """A whole file: its force (``Reported by``), its month (the first day) and its crimes."""

    force: str
    month: date
    crimes: list[StreetCrime]

    @property
    def without_location(self) -> int:
        return sum(1 for crime in self.crimes if not crime.located)


class PoliceCrimeError(LineError):
    """A problem at one line of a street-level crime file (line 1 is the header)."""


class PoliceFileError(FileErrors):
    """Every problem found in a street-level crime file, in line order."""

    what = "street-level crime file"


def month_parse(value: str) -> date | None:
    """The first day of a ``YYYY-MM`` month, or ``None`` if ``value`` is not one."""
    match = _MONTH.fullmatch(value.strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if year < 1900 or not 1 <= month <= 12:
        return None
    return date(year, month, 1)


def read_street_crime(source: str | os.PathLike[str] | IO[bytes] | IO[str]) -> StreetFile:
    """Read a data.police.uk street-level crime CSV file.

    Guarantees:

    * The header must be exactly ``COLUMNS``, in that order; otherwise an error for line 1
      names the first column that differs.
    * Every row has twelve fields, one month (``YYYY-MM``) and one force (``Reported by``)
      shared by the whole file, a crime type, and either both coordinates (numbers within the
      United Kingdom) or neither. Text fields fit their limits.
    * If anything is wrong, one ``PoliceFileError`` lists every problem with its line number and
      nothing is returned; a file that cannot be decoded or has no rows raises
      ``PoliceCrimeError``.
    * Crimes come back in file order, blank lines skipped, with their line numbers.
    """
    text = read_text(source, PoliceCrimeError)
    rows = records(text, PoliceCrimeError)
    try:
        header_line, header = next(rows)
    except StopIteration:
        raise PoliceCrimeError(1, "the file is empty; expected the street-level header") from None
    if isinstance(header, LineError):
        raise header
    _check_header(header, header_line)

    crimes: list[StreetCrime] = []
    errors: list[LineError] = []
    first: tuple[int, date | None, str] | None = None  # line, month and force of the first row
    for line, row in rows:
        if isinstance(row, LineError):
            errors.append(row)
            break
        if len(row) != len(COLUMNS):
            errors.append(
                PoliceCrimeError(
                    line, f"the row has {len(row)} fields but the header has {len(COLUMNS)}"
                )
            )
            continue
        crime, month, force, row_errors = _parse_row(row, line)
        if first is None:
            first = (line, month, force)
        else:
            first_line, first_month, first_force = first
            if month is not None and first_month is not None and month != first_month:
                row_errors.append(
                    PoliceCrimeError(
                        line,
                        f"Month {month:%Y-%m} differs from {first_month:%Y-%m} on line "
                        f"{first_line}: a file holds one month",
                    )
                )
            if force and first_force and force != first_force:
                row_errors.append(
                    PoliceCrimeError(
                        line,
                        f"Reported by {force!r} differs from {first_force!r} on line "
                        f"{first_line}: a file holds one force",
                    )
                )
        if row_errors:
            errors.extend(row_errors)
        elif crime is not None:
            crimes.append(crime)

    if errors:
        raise PoliceFileError(errors)
    if first is None:
        raise PoliceCrimeError(header_line, "the file has a header but no crimes")
    _, month, force = first
    assert month is not None  # a first row without a month would have been an error
    return StreetFile(force=force, month=month, crimes=crimes)


def _check_header(header: list[str], line: int) -> None:
    names = [name.strip() for name in header]
    if tuple(names) == COLUMNS:
        return
    for position, expected in enumerate(COLUMNS):
        found = names[position] if position < len(names) else None
        if found != expected:
            got = "nothing" if found is None else repr(found)
            raise PoliceCrimeError(
                line,
                f"column {position + 1} should be {expected!r} but is {got}: not a "
                "data.police.uk street-level crime file",
            )
    raise PoliceCrimeError(
        line,
        f"the header has {len(names)} columns but a street-level crime file has {len(COLUMNS)}",
    )


def _parse_row(
    row: list[str], line: int
) -> tuple[StreetCrime | None, date | None, str, list[LineError]]:
    """The row's crime (None if any error), month, force and errors."""
    errors: list[LineError] = []
    values = dict(zip(COLUMNS, (field.strip() for field in row), strict=True))

    for column, limit in _LIMITS.items():
        if len(values[column]) > limit:
            errors.append(PoliceCrimeError(line, f"{column} is longer than {limit} characters"))
    month = month_parse(values["Month"])
    if month is None:
        errors.append(PoliceCrimeError(line, f"Month {values['Month']!r} is not a YYYY-MM month"))
    force = values["Reported by"]
    if not force:
        errors.append(PoliceCrimeError(line, "Reported by is empty"))
    if not values["Crime type"]:
        errors.append(PoliceCrimeError(line, "Crime type is empty"))

    longitude = _coordinate(values, "Longitude", LONGITUDE_RANGE, line, errors)
    latitude = _coordinate(values, "Latitude", LATITUDE_RANGE, line, errors)
    given = (values["Longitude"] != "", values["Latitude"] != "")
    if given[0] != given[1]:
        missing = "Latitude" if given[0] else "Longitude"
        errors.append(
            PoliceCrimeError(line, f"{missing} is empty: give both coordinates or neither")
        )

    if errors:
        return None, month, force, errors
    crime = StreetCrime(
        line=line,
        crime_id=values["Crime ID"],
        longitude=longitude,
        latitude=latitude,
        location=values["Location"],
        lsoa_code=values["LSOA code"],
        lsoa_name=values["LSOA name"],
        crime_type=values["Crime type"],
        last_outcome=values["Last outcome category"],
        context=values["Context"],
        falls_within=values["Falls within"],
    )
    return crime, month, force, errors


def _coordinate(
    values: dict[str, str],
    column: str,
    bounds: tuple[float, float],
    line: int,
    errors: list[LineError],
) -> float | None:
    value = values[column]
    if value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        errors.append(PoliceCrimeError(line, f"{column} {value!r} is not a number"))
        return None
    low, high = bounds
    if not low <= number <= high:
        errors.append(
            PoliceCrimeError(
                line, f"{column} {value!r} is outside the United Kingdom ({low} to {high})"
            )
        )
        return None
    return number
