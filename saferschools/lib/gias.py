"""Read the DfE "Get Information About Schools" (GIAS) CSV downloads.

Two real layouts are accepted, as published:

* the GIAS website search-results download ("Full set of data"): text fields
  double-quoted, numbers unquoted, dd-mm-yyyy dates, CRLF, UTF-8 (with or
  without a BOM), and ragged rows where ``Linked establishments`` overflows
  into extra unnamed fields;
* the daily national extract (``edubasealldataYYYYMMDD.csv``), which has the
  same ``(name)`` columns alongside ``(code)`` columns and is Windows-1252.

Only the columns in ``COLUMNS`` are read; every other column is ignored. The
reader is all-or-nothing: a file either parses completely or raises, so that
callers can refuse a bad file instead of importing part of it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import IO

from .csvfile import FileErrors, LineError, read_text, records

# The GIAS column names the reader needs. Each must be in the header row.
URN = "URN"
NAME = "EstablishmentName"
LA_CODE = "LA (code)"
LA_NAME = "LA (name)"
TYPE = "TypeOfEstablishment (name)"
TYPE_GROUP = "EstablishmentTypeGroup (name)"
PHASE = "PhaseOfEducation (name)"
STATUS = "EstablishmentStatus (name)"
POSTCODE = "Postcode"
TOWN = "Town"
EASTING = "Easting"
NORTHING = "Northing"
LSOA_CODE = "LSOA (code)"
NUMBER_OF_PUPILS = "NumberOfPupils"
LOW_AGE = "StatutoryLowAge"
HIGH_AGE = "StatutoryHighAge"

COLUMNS: tuple[str, ...] = (
    URN,
    NAME,
    LA_CODE,
    LA_NAME,
    TYPE,
    TYPE_GROUP,
    PHASE,
    STATUS,
    POSTCODE,
    TOWN,
    EASTING,
    NORTHING,
    LSOA_CODE,
    NUMBER_OF_PUPILS,
    LOW_AGE,
    HIGH_AGE,
)

# EstablishmentTypeGroup values whose members are funded by the state. The
# others seen in GIAS are "Independent schools", "Children's centres",
# "Colleges", "Universities", "Other types", "Welsh schools" and
# "Online provider". Compared case-insensitively: the search download writes
# "Children's Centres" where the national extract writes "Children's centres".
STATE_FUNDED_TYPE_GROUPS = frozenset(
    {
        "local authority maintained schools",
        "academies",
        "free schools",
        "special schools",
    }
)

# GIAS files these two under "Special schools", but neither is state-funded:
# DfE statistics count them apart from state-funded special schools.
NOT_STATE_FUNDED_TYPES = frozenset(
    {
        "other independent special school",
        "non-maintained special school",
    }
)

_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class GiasSchool:
    """One establishment from a GIAS file.

    Text fields are stripped of surrounding whitespace and are ``""`` when the
    file leaves them empty; number fields are ``None`` when empty.
    """

    urn: int
    name: str
    la_code: str
    la_name: str
    establishment_type: str
    type_group: str
    phase: str
    status: str
    postcode: str
    town: str
    easting: int | None
    northing: int | None
    lsoa_code: str
    number_of_pupils: int | None
    low_age: int | None
    high_age: int | None

    @property
    def is_open(self) -> bool:
        """True for "Open" and "Open, but proposed to close"."""
        return self.status.startswith("Open")

    @property
    def is_state_funded(self) -> bool:
        """True for LA-maintained schools, academies, free schools and state special schools.

        False for independent schools (including independent special schools),
        non-maintained special schools, children's centres, colleges,
        universities and "Other types".
        """
        return (
            self.type_group.casefold() in STATE_FUNDED_TYPE_GROUPS
            and self.establishment_type.casefold() not in NOT_STATE_FUNDED_TYPES
        )


class GiasError(LineError):
    """A problem at one line of a GIAS file (line 1 is the header)."""


class GiasImportError(FileErrors):
    """Every row error found in a GIAS file, in line order."""

    what = "GIAS file"


def read_gias(source: str | os.PathLike[str] | IO[bytes] | IO[str]) -> list[GiasSchool]:
    """Read every establishment in a GIAS CSV file.

    ``source`` is a path or an open file (binary, such as a Django upload, or
    text). Bytes are decoded as UTF-8 (a BOM is allowed) and, if that fails,
    as Windows-1252. The whole file is read into memory.

    Guarantees:

    * The header is checked first: if any column in ``COLUMNS`` is missing,
      a ``GiasError`` for line 1 names all the missing columns.
    * Every row is checked. If any row is bad, a single ``GiasImportError``
      lists every problem with its physical line number, and no schools are
      returned.
    * Each returned school has a positive ``urn``, unique within the file, and
      a non-empty ``name``. Other fields may be empty (``""`` or ``None``);
      a non-empty number field that is not a whole number is an error.
    * Schools come back in file order. Blank lines and the extra unnamed
      fields of ragged rows are ignored; a row with fewer fields than the
      header is an error.
    """
    text = read_text(source, GiasError)
    rows = records(text, GiasError)

    try:
        header_line, header = next(rows)
    except StopIteration:
        raise GiasError(1, "the file is empty; expected a GIAS header row") from None
    if isinstance(header, LineError):
        raise header
    columns = _column_positions(header, header_line)

    schools: list[GiasSchool] = []
    errors: list[LineError] = []
    first_line_of_urn: dict[int, int] = {}
    for line, row in rows:
        if isinstance(row, LineError):
            errors.append(row)
            break
        if len(row) < len(header):
            errors.append(
                GiasError(line, f"row has {len(row)} fields but the header has {len(header)}")
            )
            continue
        urn, school, row_errors = _parse_row(row, columns, line)
        if urn is not None:
            if urn in first_line_of_urn:
                earlier = first_line_of_urn[urn]
                row_errors.append(GiasError(line, f"URN {urn} is already used on line {earlier}"))
            else:
                first_line_of_urn[urn] = line
        if row_errors:
            errors.extend(row_errors)
        elif school is not None:
            schools.append(school)

    if errors:
        raise GiasImportError(errors)
    return schools


def _column_positions(header: list[str], line: int) -> dict[str, int]:
    names = [name.strip() for name in header]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        raise GiasError(line, "missing required column(s): " + ", ".join(missing))
    repeated = [column for column in COLUMNS if names.count(column) > 1]
    if repeated:
        raise GiasError(line, "column(s) appear more than once: " + ", ".join(repeated))
    return {column: names.index(column) for column in COLUMNS}


def _parse_row(
    row: list[str], columns: dict[str, int], line: int
) -> tuple[int | None, GiasSchool | None, list[GiasError]]:
    """Return the row's URN (None if unusable), its school (None if any error) and errors."""
    errors: list[GiasError] = []

    def text(column: str) -> str:
        return row[columns[column]].strip()

    def number(column: str) -> int | None:
        value = text(column)
        if value == "":
            return None
        if not _DIGITS.fullmatch(value):
            errors.append(GiasError(line, f"{column} {value!r} is not a number"))
            return None
        return int(value)

    urn = number(URN)
    if text(URN) == "":
        errors.append(GiasError(line, "URN is empty"))
    elif urn == 0:
        errors.append(GiasError(line, "URN 0 is not a positive number"))
        urn = None
    name = text(NAME)
    if name == "":
        errors.append(GiasError(line, "EstablishmentName is empty"))

    school = GiasSchool(
        urn=urn or 0,
        name=name,
        la_code=text(LA_CODE),
        la_name=text(LA_NAME),
        establishment_type=text(TYPE),
        type_group=text(TYPE_GROUP),
        phase=text(PHASE),
        status=text(STATUS),
        postcode=text(POSTCODE),
        town=text(TOWN),
        easting=number(EASTING),
        northing=number(NORTHING),
        lsoa_code=text(LSOA_CODE),
        number_of_pupils=number(NUMBER_OF_PUPILS),
        low_age=number(LOW_AGE),
        high_age=number(HIGH_AGE),
    )
    return urn, (None if errors else school), errors
