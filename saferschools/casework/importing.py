"""Reading a school information system's pupil export (CSV).

The column mapping is documented in docs/import-pupils.md. Headers are matched without regard
to case, spaces or punctuation, so "Legal Surname", "legal_surname" and "LEGAL SURNAME" are one
column. Reading is all-or-nothing: every bad row is reported with its line number.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

from saferschools.lib.csvfile import FileErrors, LineError, read_text, records

from .models import UPN_VALIDATOR, YEAR_GROUP_MAX, YEAR_GROUP_MIN

# Each field and the headers that school information systems (SIMS, Arbor, Bromcom, ScholarPack
# and others) use for it, after normalising: lower case, letters and digits only.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "school_pupil_id": (
        "admissionnumber",
        "adno",
        "admno",
        "misid",
        "pupilid",
        "studentid",
        "schoolpupilid",
        "schoolid",
        "id",
    ),
    "upn": ("upn", "uniquepupilnumber"),
    "given_name": ("legalforename", "forename", "firstname", "givenname", "legalfirstname"),
    "family_name": ("legalsurname", "surname", "lastname", "familyname", "legallastname"),
    "date_of_birth": ("dob", "dateofbirth", "birthdate"),
    "year_group": (
        "ncyearactual",
        "yeargroup",
        "year",
        "curriculumyear",
        "ncyear",
        "yeartaughtin",
    ),
}
REQUIRED = ("given_name", "family_name", "date_of_birth", "year_group")
MAX_NAME = 100
MAX_ID = 40
# Control, format (bidirectional overrides, zero-width) and line/paragraph separator characters:
# never part of a name, and some can make a name display as something else.
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}


def _has_hidden_characters(text: str) -> bool:
    return any(unicodedata.category(character) in _HIDDEN_CATEGORIES for character in text)


_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")


class PupilFileError(LineError):
    """A problem at one line of a pupil file."""


class PupilImportError(FileErrors):
    """Every problem found in a pupil file; nothing was imported."""

    what = "pupil file"


@dataclass(frozen=True)
class PupilRow:
    """One pupil of the file; ``upn`` is None when the file has no UPN column at all."""

    line: int
    school_pupil_id: str
    upn: str | None
    given_name: str
    family_name: str
    date_of_birth: date
    year_group: int


def _normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def parse_year_group(value: str) -> int | None:
    """A national curriculum year from the ways systems write it; None if not recognised."""
    text = "".join(value.split()).lower()  # any whitespace, non-breaking spaces included
    text = re.sub(r"^(year|yr|y|nc)", "", text)
    if text in {"r", "rec", "reception"}:
        return 0
    if text in {"n", "n1", "n2", "nursery"}:
        return -1
    if re.fullmatch(r"-?[0-9]{1,2}", text):
        number = int(text)
        return number if YEAR_GROUP_MIN <= number <= YEAR_GROUP_MAX else None
    return None


def parse_date_of_birth(value: str, today: date) -> date | None:
    text = value.strip()
    for fmt in _DATE_FORMATS:
        try:
            born = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        # Pupils are aged from about 2 (nursery) to 25 (special schools to 25 with an EHCP).
        if date(today.year - 26, 1, 1) <= born <= today:
            return born
        return None
    return None


def _column_map(header: list[str]) -> dict[str, int]:
    normalised = [_normalise(name) for name in header]
    positions: dict[str, int] = {}
    for field, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in normalised:
                positions[field] = normalised.index(alias)
                break
    missing = [field for field in REQUIRED if field not in positions]
    if "school_pupil_id" not in positions and "upn" not in positions:
        missing.insert(0, "school_pupil_id (or upn)")
    if missing:
        raise PupilFileError(
            1,
            "missing column(s) for "
            + ", ".join(missing)
            + "; see the column mapping in docs/import-pupils.md",
        )
    return positions


def read_pupil_file(
    source: str | os.PathLike[str] | IO[bytes] | IO[str], *, today: date
) -> list[PupilRow]:
    """Every pupil row of the file, or ``PupilImportError`` listing every bad row.

    Guarantees: each returned row has a school id (the UPN when the file has no id column),
    both names, a plausible date of birth and a year group from nursery to year 14; a UPN, when
    given, is well formed; no school id and no UPN appears twice in the file.
    """
    try:
        text = read_text(source, PupilFileError)
    except PupilFileError as error:
        raise PupilImportError([error]) from None
    rows = records(text, PupilFileError)
    try:
        _, header = next(rows)
    except StopIteration:
        raise PupilImportError([PupilFileError(1, "the file is empty")]) from None
    if isinstance(header, LineError):
        raise PupilImportError([header])
    try:
        columns = _column_map(header)
    except PupilFileError as error:
        raise PupilImportError([error]) from None

    result: list[PupilRow] = []
    errors: list[LineError] = []
    seen_ids: dict[str, int] = {}
    seen_upns: dict[str, int] = {}
    for line, row in rows:
        if isinstance(row, LineError):
            errors.append(row)
            break
        row_errors: list[LineError] = []

        def cell(field: str, row: list[str] = row) -> str:
            position = columns.get(field)
            if position is None or position >= len(row):
                return ""
            return row[position].strip()

        def fail(message: str, line: int = line, row_errors: list[LineError] = row_errors) -> None:
            row_errors.append(PupilFileError(line, message))

        upn = cell("upn").upper().replace(" ", "")
        if upn:
            try:
                UPN_VALIDATOR(upn)
            except Exception:
                fail(f"UPN {upn[:20]!r} is not a valid unique pupil number")
        pupil_id = cell("school_pupil_id") if "school_pupil_id" in columns else upn
        if not pupil_id:
            fail(
                "the school's pupil id is empty" if "school_pupil_id" in columns else "UPN is empty"
            )
        elif len(pupil_id) > MAX_ID or _has_hidden_characters(pupil_id):
            fail("the school's pupil id is longer than 40 characters or has control characters")
        names = {}
        for field, label in (("given_name", "forename"), ("family_name", "surname")):
            value = cell(field)
            if not value:
                fail(f"the {label} is empty")
            elif len(value) > MAX_NAME or _has_hidden_characters(value):
                fail(f"the {label} is longer than {MAX_NAME} characters or has control characters")
            names[field] = value
        born = parse_date_of_birth(cell("date_of_birth"), today)
        if born is None:
            fail(
                f"date of birth {cell('date_of_birth')[:20]!r} is not a date like 31/01/2012 "
                "within the last 26 years"
            )
        year_group = parse_year_group(cell("year_group"))
        if year_group is None:
            fail(
                f"year group {cell('year_group')[:20]!r} is not Nursery, Reception or Year 1 to 14"
            )
        if pupil_id and pupil_id in seen_ids:
            fail(f"pupil id {pupil_id!r} is already used on line {seen_ids[pupil_id]}")
        if upn and upn in seen_upns:
            fail(f"UPN {upn!r} is already used on line {seen_upns[upn]}")
        if row_errors:
            errors.extend(row_errors)
            continue
        seen_ids[pupil_id] = line
        if upn:
            seen_upns[upn] = line
        assert born is not None and year_group is not None
        result.append(
            PupilRow(
                line=line,
                school_pupil_id=pupil_id,
                upn=upn if "upn" in columns else None,
                given_name=names["given_name"],
                family_name=names["family_name"],
                date_of_birth=born,
                year_group=year_group,
            )
        )
    if not errors and not result:
        errors.append(PupilFileError(2, "the file has a header row but no pupils"))
    if errors:
        raise PupilImportError(errors)
    return result
