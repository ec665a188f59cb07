"""What every indicator file has in common, whatever its layout: its errors, the rows read from
it, and how a cell becomes a figure.

Nothing here touches the database: ``importing`` detects a file's layout, hands its rows to the
layout's reader and stores what the reader returns.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from saferschools.lib.csvfile import FileErrors, LineError, read_text

from .models import PeriodKind
from .periods import Period, year_period

FileSource = str | os.PathLike[str] | IO[bytes] | IO[str]

OVERALL_ABSENCE = "overall_absence"
PERSISTENT_ABSENCE = "persistent_absence"
SUSPENSION_RATE = "suspension_rate"
PERMANENT_EXCLUSION_RATE = "permanent_exclusion_rate"
KS2_EXPECTED_RWM = "ks2_expected_rwm"
KS4_ATTAINMENT8 = "ks4_attainment8"
KS4_PROGRESS8 = "ks4_progress8"
KS4_BASICS_GRADE4 = "ks4_basics_grade4"
INSPECTION_BEHAVIOUR = "inspection_behaviour"
FIRST_TIME_ENTRANTS = "first_time_entrants"

# Indicators whose values are percentages: 0 to 100, and a published "%" after the number is
# read as the number.
PERCENT_CODES = frozenset(
    {OVERALL_ABSENCE, PERSISTENT_ABSENCE, KS2_EXPECTED_RWM, KS4_BASICS_GRADE4}
)
# Indicators that can be below zero: Progress 8 is 0 for the national average.
SIGNED_CODES = frozenset({KS4_PROGRESS8})
# The values an indicator can take where that is narrower than any number the column can hold:
# Attainment 8 adds ten slots of grades up to 9; a school's Progress 8 stays well within ten
# grades of the average; a rate per 100,000 cannot pass 100,000.
RANGES: dict[str, tuple[Decimal, Decimal]] = {
    KS4_ATTAINMENT8: (Decimal(0), Decimal(90)),
    KS4_PROGRESS8: (Decimal(-10), Decimal(10)),
    FIRST_TIME_ENTRANTS: (Decimal(0), Decimal(100_000)),
}
# The database column holds 12 digits, 3 of them after the point.
VALUE_PLACES = Decimal("0.001")
VALUE_LIMIT = Decimal("1000000000")
MAX_TEXT = 120

# How a layout's rows are read, and so what they are about and what re-importing replaces.
PERFORMANCE_TABLES = "performance_tables"
EES = "explore_education_statistics"
INSPECTIONS = "inspections"
AREA_FILE = "area"
DEPRIVATION = "deprivation"
DEMONSTRATION = "demonstration"

# Control characters: no published name holds one, and PostgreSQL cannot store NUL in text.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
URN = re.compile(r"[0-9]{1,8}")
WHOLE = re.compile(r"[0-9]{1,6}")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?|\.[0-9]+")
_SIGNED_NUMBER = re.compile(r"[-+]?([0-9]+(\.[0-9]+)?|\.[0-9]+)")
_PERIOD = re.compile(r"([0-9]{4})/([0-9]{2})")
_EES_PERIOD = re.compile(r"([0-9]{4})([0-9]{2})")


class IndicatorFileError(LineError):
    """A problem at one line of an indicator file (line 1 is the header)."""


class IndicatorImportError(FileErrors):
    """Every problem found in an indicator file, in line order; nothing was imported."""

    what = "indicator file"
    # Set when storing one of several files finds the problem, to say which.
    file_name = ""


@dataclass(frozen=True)
class Layout:
    """A layout: its code (stored on the import), its name, how its rows are read (``family``),
    and which of its columns give which indicator."""

    code: str
    name: str
    label: str
    family: str
    measures: tuple[tuple[str, str], ...] = ()  # (column, indicator code), in column order

    @property
    def about_areas(self) -> bool:
        return self.family == AREA_FILE

    @property
    def replaces_rows(self) -> bool:
        """Whether re-importing replaces only the schools (or areas) and periods the file gives,
        rather than every school's value for the periods it covers: a list of each school's
        latest inspection says nothing of the schools inspected since, and a partner's file
        says nothing of other areas."""
        return self.family in (INSPECTIONS, AREA_FILE)


@dataclass(frozen=True)
class Markers:
    """A publisher's words for a cell that holds no number: ``suppressed`` when it holds a
    figure it does not show, ``no_value`` when there is none. Both in lower case."""

    suppressed: frozenset[str]
    no_value: frozenset[str]
    upper: bool = False  # the publisher writes them in capitals

    def listed(self) -> str:
        words = sorted(m.upper() if self.upper else m for m in self.suppressed | self.no_value)
        return ", ".join(word for word in words if word)


@dataclass(frozen=True)
class Figure:
    """One indicator of a row: a number, suppressed (no number), or neither (the row gives no
    figure, and nothing is stored)."""

    indicator: str
    value: Decimal | None
    suppressed: bool = False

    @property
    def stored(self) -> bool:
        return self.value is not None or self.suppressed


@dataclass(frozen=True)
class SchoolRow:
    line: int
    urn: int
    period: Period
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class AreaRow:
    """A row about a local authority's area, named by its DfE number (``la_code``), else by its
    name."""

    line: int
    la_code: str
    la_name: str
    period: Period
    figures: tuple[Figure, ...]

    @property
    def named(self) -> str:
        return f"local authority {self.la_code}" if self.la_code else repr(self.la_name)


@dataclass(frozen=True)
class Neighbourhood:
    line: int
    lsoa_code: str
    lsoa_name: str
    district_code: str
    district_name: str
    imd_rank: int
    imd_decile: int


@dataclass
class IndicatorFile:
    """A whole file, read and checked: its layout, the indicators and periods it covers, its
    school rows (or area rows, or neighbourhoods), and the rows it leaves aside, counted by
    reason."""

    layout: Layout
    file_name: str
    rows: int
    indicators: tuple[str, ...] = ()
    periods: tuple[Period, ...] = ()
    schools: list[SchoolRow] = field(default_factory=list)
    areas: list[AreaRow] = field(default_factory=list)
    neighbourhoods: list[Neighbourhood] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    edition: str = ""


Rows = Iterable[tuple[int, list[str] | LineError]]


def period_parse(value: str) -> Period | None:
    """The academic year written "YYYY/YY" (2017/18), or ``None`` if ``value`` is not one."""
    match = _PERIOD.fullmatch(value.strip())
    if not match:
        return None
    return _academic_year(int(match.group(1)), int(match.group(2)))


def ees_period_parse(value: str) -> Period | None:
    """The academic year of an Explore education statistics ``time_period`` (201819), or
    ``None``."""
    match = _EES_PERIOD.fullmatch(value.strip())
    if not match:
        return None
    return _academic_year(int(match.group(1)), int(match.group(2)))


def _academic_year(first: int, second: int) -> Period | None:
    if not 1900 <= first <= 2999 or second != (first + 1) % 100:
        return None
    return year_period(first)


def whole_years_only(period: Period | None, layout: Layout, line: int) -> None:
    """Refuse a ``--period`` that is a term or a month for a file of whole academic years."""
    if period is not None and period.kind != PeriodKind.YEAR:
        raise IndicatorImportError(
            [
                IndicatorFileError(
                    line,
                    f"--period {period.label} is a {PeriodKind(period.kind).label.lower()}, but "
                    f"a {layout.name} file gives figures for a whole academic year: give the "
                    "year, as 2025/26",
                )
            ]
        )


def file_text(source: FileSource) -> str:
    """The file's text; an Excel workbook is refused at line 1, saying what to do."""
    data: bytes | str = (
        Path(source).read_bytes() if isinstance(source, str | os.PathLike) else source.read()
    )
    if isinstance(data, bytes) and (
        data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0")
    ):
        raise IndicatorFileError(
            1,
            "this is an Excel workbook, not a CSV file: open it and save the sheet with the "
            "figures (for the deprivation index, the IMD2019 sheet) as CSV",
        )
    return read_text(
        io.BytesIO(data) if isinstance(data, bytes) else io.StringIO(data), IndicatorFileError
    )


def header_names(header: list[str]) -> list[str]:
    names = [name.strip() for name in header]
    # A spreadsheet saved as CSV can end its rows with empty cells.
    while names and names[-1] == "":
        names.pop()
    return names


def row_fields(row: list[str], width: int, line: int) -> list[str] | IndicatorFileError:
    """The row's fields, stripped, one per header column; extra empty cells are dropped."""
    fields = [value.strip() for value in row]
    if len(fields) > width and not any(fields[width:]):
        fields = fields[:width]
    if len(fields) != width:
        return IndicatorFileError(
            line, f"the row has {len(fields)} fields but the header has {width}"
        )
    return fields


def urn_read(text: str) -> int | None:
    return int(text) if URN.fullmatch(text) and int(text) > 0 else None


def urn_error(text: str, column: str, line: int) -> IndicatorFileError:
    return IndicatorFileError(
        line, f"{column} {text[:20]!r} is not a URN" if text else f"{column} is empty"
    )


def figure_read(
    text: str, *, column: str, indicator: str, markers: Markers, line: int
) -> Figure | IndicatorFileError:
    """A cell as a figure of ``indicator``: a number in the indicator's range (to 3 decimal
    places), one of the publisher's markers, or an error naming the column."""
    marker = text.lower()
    if marker in markers.suppressed:
        return Figure(indicator, None, suppressed=True)
    if marker in markers.no_value:
        return Figure(indicator, None)
    number_text = text[:-1] if indicator in PERCENT_CODES and text.endswith("%") else text
    pattern = _SIGNED_NUMBER if indicator in SIGNED_CODES else _NUMBER
    if not pattern.fullmatch(number_text):
        return IndicatorFileError(
            line,
            f"{column} {text[:20]!r} is not a number nor one of the publisher's markers "
            f"({markers.listed()}, or empty)",
        )
    try:
        number = Decimal(number_text).quantize(VALUE_PLACES)
    except InvalidOperation:
        number = VALUE_LIMIT
    if indicator in PERCENT_CODES and number > 100:
        return IndicatorFileError(line, f"{column} {text!r} is a percentage above 100")
    if abs(number) >= VALUE_LIMIT:
        return IndicatorFileError(line, f"{column} {text[:20]!r} is too large")
    low, high = RANGES.get(indicator, (Decimal(0), VALUE_LIMIT))
    if not low <= number <= high:
        return IndicatorFileError(
            line, f"{column} {text[:20]!r} is outside {low:,} to {high:,}, the range of its values"
        )
    return Figure(indicator, number)


def single_period(
    periods: set[Period], chosen: Period | None, header_line: int
) -> tuple[Period, ...]:
    """The periods a file that states its own covers: all of them, or the one ``--period``
    chose, which the file must hold."""
    if chosen is None:
        return tuple(sorted(periods))
    if chosen not in periods:
        held = ", ".join(p.label for p in sorted(periods))
        raise IndicatorImportError(
            [
                IndicatorFileError(
                    header_line,
                    f"--period {chosen.label} is not in the file, which holds {held}",
                )
            ]
        )
    return (chosen,)


def other_period_reason(chosen: Period) -> str:
    return f"rows for other periods than --period {chosen.label}"
