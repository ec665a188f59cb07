"""Importing published figures: school-level indicators from the Department for Education, and
the Index of Multiple Deprivation by neighbourhood.

The layouts are documented column by column in docs/indicators.md. Four are accepted, as
published, and told apart by their header:

* ``performance_tables_absence``: the "Find and compare school performance" absence file
  (``england_abs.csv``: ``LA, ESTAB, URN, PERCTOT, PPERSABS10``). It does not state its academic
  year, so the caller gives it (``--period``).
* ``ees_exclusions`` and ``ees_absence``: the school-level CSV downloads of "Explore education
  statistics", which state their own periods (``time_period`` 201819 is 2018/19).
* ``imd2019``: the ``IMD2019`` sheet of the English Indices of Deprivation 2019 File 1 workbook,
  saved as CSV.

Reading (``indicator_file_read``) touches no database: it checks every row and either returns the
whole file or raises ``IndicatorImportError`` listing every problem with its line number (line 1
is the header). Storing (``indicator_file_store``, or ``indicators_import`` for both steps) is
one transaction that replaces what the file covers and writes one audit event.
"""

from __future__ import annotations

import io
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.db import transaction

from saferschools.core.audit import audit_record
from saferschools.core.models import AuditAction, School
from saferschools.lib.csvfile import FileErrors, LineError, read_text, records

from .models import Indicator, IndicatorImport, IndicatorValue, LsoaDeprivation

FileSource = str | os.PathLike[str] | IO[bytes] | IO[str]

OVERALL_ABSENCE = "overall_absence"
PERSISTENT_ABSENCE = "persistent_absence"
SUSPENSION_RATE = "suspension_rate"
PERMANENT_EXCLUSION_RATE = "permanent_exclusion_rate"
# Indicators whose values are percentages, so never above 100.
PERCENT_CODES = frozenset({OVERALL_ABSENCE, PERSISTENT_ABSENCE})
# The database column holds 12 digits, 3 of them after the point.
VALUE_PLACES = Decimal("0.001")
VALUE_LIMIT = Decimal("1000000000")

# Rows written per INSERT: well under SQLite's limit on variables in one statement.
IMPORT_BATCH = 2000
MAX_TEXT = 120


class IndicatorFileError(LineError):
    """A problem at one line of an indicator file (line 1 is the header)."""


class IndicatorImportError(FileErrors):
    """Every problem found in an indicator file, in line order; nothing was imported."""

    what = "indicator file"


@dataclass(frozen=True)
class Layout:
    """A published layout: its code (stored on the import), its name, and which of its columns
    give which indicator."""

    code: str
    name: str
    label: str
    measures: tuple[tuple[str, str], ...] = ()  # (column, indicator code), in column order

    @property
    def states_period(self) -> bool:
        return self.code.startswith("ees_")


PERFORMANCE_TABLES_ABSENCE = Layout(
    "performance_tables_absence",
    "DfE performance tables absence",
    "DfE performance tables absence (URN, PERCTOT, PPERSABS10)",
    (("perctot", OVERALL_ABSENCE), ("ppersabs10", PERSISTENT_ABSENCE)),
)
EES_EXCLUSIONS = Layout(
    "ees_exclusions",
    "Explore education statistics school-level exclusions",
    "Explore education statistics school-level suspensions and permanent exclusions "
    "(school_urn, time_period, susp_rate or fixed_excl_rate, perm_excl_rate)",
    (("susp_rate", SUSPENSION_RATE), ("perm_excl_rate", PERMANENT_EXCLUSION_RATE)),
)
EES_ABSENCE = Layout(
    "ees_absence",
    "Explore education statistics school-level absence",
    "Explore education statistics school-level absence "
    "(school_urn, time_period, sess_overall_percent, enrolments_pa_10_exact_percent)",
    (
        ("sess_overall_percent", OVERALL_ABSENCE),
        ("enrolments_pa_10_exact_percent", PERSISTENT_ABSENCE),
    ),
)
IMD_2019 = Layout(
    "imd2019",
    "Index of Multiple Deprivation 2019",
    "English Indices of Deprivation 2019, IMD2019 sheet saved as CSV (LSOA code (2011), ...)",
)
LAYOUTS: tuple[Layout, ...] = (PERFORMANCE_TABLES_ABSENCE, EES_EXCLUSIONS, EES_ABSENCE, IMD_2019)

# Before 2020/21 the Department called suspensions "fixed-period exclusions".
LEGACY_SUSPENSION_COLUMN = "fixed_excl_rate"
EES_KEYS = ("school_urn", "time_period", "geographic_level")

IMD_2019_COLUMNS: tuple[str, ...] = (
    "LSOA code (2011)",
    "LSOA name (2011)",
    "Local Authority District code (2019)",
    "Local Authority District name (2019)",
    "Index of Multiple Deprivation (IMD) Rank",
    "Index of Multiple Deprivation (IMD) Decile",
)
IMD_2019_EDITION = "2019"
# The number of 2011 LSOAs in England, so the largest IMD 2019 rank.
IMD_2019_LSOAS = 32_844
_LSOA_CODE = re.compile(r"[EW]0[0-9]{7}")
# Control characters: no published name holds one, and PostgreSQL cannot store NUL in text.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_DISTRICT_CODE = re.compile(r"[EW][0-9]{8}")

# Markers for a value that is not a number. Suppressed: the publisher holds a figure but does not
# show it, to protect small numbers. No value: there is no figure to show.
PERFORMANCE_SUPPRESSED = frozenset({"supp"})
PERFORMANCE_NO_VALUE = frozenset({"", "ne", "na", "np", ".."})
# Government Statistical Service symbols as Explore education statistics uses them: c
# confidential, low rounds to zero (both suppressed); x not available, z not applicable, u low
# reliability; ~ and : are the older symbols for "low" and "not available".
EES_SUPPRESSED = frozenset({"c", "low", "~"})
EES_NO_VALUE = frozenset({"", "x", "z", ":", "u"})

_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?|\.[0-9]+")
_PERIOD = re.compile(r"([0-9]{4})/([0-9]{2})")
_EES_PERIOD = re.compile(r"([0-9]{4})([0-9]{2})")
_URN = re.compile(r"[0-9]{1,8}")
_WHOLE = re.compile(r"[0-9]{1,6}")


@dataclass(frozen=True, order=True)
class Period:
    """An academic year: ``label`` "2017/18", starting on 1 September of its first year."""

    start: date
    label: str


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
    return Period(start=date(first, 9, 1), label=f"{first}/{second:02d}")


@dataclass(frozen=True)
class Figure:
    """One indicator of a school row: a number, suppressed (no number), or neither (the row
    gives no figure, and nothing is stored)."""

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
    school rows (or neighbourhoods), and the rows it leaves aside, counted by reason."""

    layout: Layout
    file_name: str
    rows: int
    indicators: tuple[str, ...] = ()
    periods: tuple[Period, ...] = ()
    schools: list[SchoolRow] = field(default_factory=list)
    neighbourhoods: list[Neighbourhood] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    edition: str = ""


def layout_names() -> str:
    """The accepted layouts, named for an error message."""
    return "; ".join(layout.label for layout in LAYOUTS)


def indicator_file_read(
    source: FileSource, *, period: str | None = None, file_name: str = ""
) -> IndicatorFile:
    """Read an indicator file in one of the published layouts (``LAYOUTS``).

    Guarantees:

    * The layout is recognised from the header; a header that is none of them is refused at
      line 1, naming the layouts accepted.
    * Every row is checked: a URN (or LSOA code) on each row, once per period; each value a
      number in range (percentages 0 to 100), a suppression marker or a no-data marker; a
      period where the file states one. If anything is wrong, one ``IndicatorImportError``
      lists every problem with its line number and nothing is returned.
    * ``period`` ("2017/18") is required by the performance-tables file, which does not state
      its year; for a file that states its own periods it picks that one (the file must hold
      it), leaving the rows of other periods aside; the deprivation index has no period and
      ignores it.
    * Rows that are not about one school (national or local-authority summaries, other
      geographic levels, terms rather than the academic year) are left aside and counted.

    Touches no database. ``ValueError`` if ``period`` is not written like 2017/18.
    """
    chosen = None
    if period is not None:
        chosen = period_parse(period)
        if chosen is None:
            raise ValueError(f"{period!r} is not an academic year like 2017/18")
    try:
        text = _text(source)
    except IndicatorFileError as error:
        raise IndicatorImportError([error]) from None
    rows = records(text, IndicatorFileError)
    try:
        header_line, header = next(rows)
    except StopIteration:
        raise IndicatorImportError([IndicatorFileError(1, "the file is empty")]) from None
    if isinstance(header, LineError):
        raise IndicatorImportError([header])
    names = _header_names(header)
    try:
        layout, columns = _detect(names, header_line)
    except IndicatorFileError as error:
        raise IndicatorImportError([error]) from None
    if file_name == "" and isinstance(source, str | os.PathLike):
        file_name = Path(source).name
    if layout is IMD_2019:
        return _read_imd(rows, names, file_name)
    return _read_schools(rows, names, columns, layout, chosen, header_line, file_name)


def _text(source: FileSource) -> str:
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


def _header_names(header: list[str]) -> list[str]:
    names = [name.strip() for name in header]
    # A spreadsheet saved as CSV can end its rows with empty cells.
    while names and names[-1] == "":
        names.pop()
    return names


def _detect(names: list[str], line: int) -> tuple[Layout, dict[str, int]]:
    """The file's layout and the position of each column it reads, by lower-case name."""
    folded = [name.lower() for name in names]
    duplicates = sorted({name for name in folded if name and folded.count(name) > 1})
    if duplicates:
        raise IndicatorFileError(line, f"the header names {duplicates[0]!r} twice")
    columns = {name: position for position, name in enumerate(folded)}

    if folded and folded[0].startswith("lsoa code"):
        _check_imd_header(names, line)
        return IMD_2019, columns
    if "urn" in columns and ("perctot" in columns or "ppersabs10" in columns):
        return PERFORMANCE_TABLES_ABSENCE, columns
    if "school_urn" in columns or "time_period" in columns:
        missing = [name for name in EES_KEYS if name not in columns]
        if missing:
            raise IndicatorFileError(
                line,
                "an Explore education statistics file needs the columns "
                + ", ".join(EES_KEYS)
                + "; this one has no "
                + ", ".join(missing),
            )
        exclusions = any(
            name in columns for name in ("susp_rate", LEGACY_SUSPENSION_COLUMN, "perm_excl_rate")
        )
        absence = any(column in columns for column, _ in EES_ABSENCE.measures)
        if exclusions and absence:
            raise IndicatorFileError(
                line,
                "the file has both absence and exclusion columns; import the school-level "
                "absence and exclusions downloads as separate files",
            )
        if exclusions:
            return EES_EXCLUSIONS, columns
        if absence:
            return EES_ABSENCE, columns
        raise IndicatorFileError(
            line,
            "an Explore education statistics file with none of the columns read: susp_rate "
            "(or fixed_excl_rate), perm_excl_rate, sess_overall_percent, "
            "enrolments_pa_10_exact_percent",
        )
    shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
    raise IndicatorFileError(
        line,
        f"the header ({shown}) is not one of the layouts accepted: {layout_names()}; "
        "see docs/indicators.md",
    )


def _check_imd_header(names: list[str], line: int) -> None:
    if tuple(names) == IMD_2019_COLUMNS:
        return
    for position, expected in enumerate(IMD_2019_COLUMNS):
        found = names[position] if position < len(names) else None
        if found != expected:
            got = "nothing" if found is None else repr(found)
            raise IndicatorFileError(
                line,
                f"column {position + 1} should be {expected!r} but is {got}: not the IMD2019 "
                "sheet of the English Indices of Deprivation 2019 (File 1) saved as CSV",
            )
    raise IndicatorFileError(
        line,
        f"the header has {len(names)} columns but the IMD2019 sheet has {len(IMD_2019_COLUMNS)}",
    )


def _is_summary(la: str, estab: str, columns: dict[str, int]) -> bool:
    """Whether a row without a URN is a summary (national or local-authority average): its LA
    or establishment number is not a number. Without those columns, it is not."""
    return ("la" in columns and not _WHOLE.fullmatch(la)) or (
        "estab" in columns and not _WHOLE.fullmatch(estab)
    )


def _fields(row: list[str], width: int, line: int) -> list[str] | IndicatorFileError:
    """The row's fields, stripped, one per header column; extra empty cells are dropped."""
    fields = [value.strip() for value in row]
    if len(fields) > width and not any(fields[width:]):
        fields = fields[:width]
    if len(fields) != width:
        return IndicatorFileError(
            line, f"the row has {len(fields)} fields but the header has {width}"
        )
    return fields


def _value(
    text: str, *, column: str, indicator: str, layout: Layout, line: int
) -> Figure | IndicatorFileError:
    marker = text.lower()
    suppressed, no_value = (
        (PERFORMANCE_SUPPRESSED, PERFORMANCE_NO_VALUE)
        if layout is PERFORMANCE_TABLES_ABSENCE
        else (EES_SUPPRESSED, EES_NO_VALUE)
    )
    if marker in suppressed:
        return Figure(indicator, None, suppressed=True)
    if marker in no_value:
        return Figure(indicator, None)
    if not _NUMBER.fullmatch(text):
        markers = ", ".join(
            sorted(
                (m.upper() if layout is PERFORMANCE_TABLES_ABSENCE else m)
                for m in (suppressed | no_value)
                if m
            )
        )
        return IndicatorFileError(
            line,
            f"{column} {text[:20]!r} is not a number nor one of the publisher's markers "
            f"({markers}, or empty)",
        )
    try:
        number = Decimal(text).quantize(VALUE_PLACES)
    except InvalidOperation:
        number = VALUE_LIMIT
    if indicator in PERCENT_CODES and number > 100:
        return IndicatorFileError(line, f"{column} {text!r} is a percentage above 100")
    if number >= VALUE_LIMIT:
        return IndicatorFileError(line, f"{column} {text[:20]!r} is too large")
    return Figure(indicator, number)


def _read_schools(
    rows: Iterable[tuple[int, list[str] | LineError]],
    names: list[str],
    columns: dict[str, int],
    layout: Layout,
    chosen: Period | None,
    header_line: int,
    file_name: str,
) -> IndicatorFile:
    if layout is PERFORMANCE_TABLES_ABSENCE and chosen is None:
        raise IndicatorImportError(
            [
                IndicatorFileError(
                    header_line,
                    "a performance tables absence file does not state its academic year: give "
                    "it with --period (for example --period 2017/18)",
                )
            ]
        )
    measures: list[tuple[str, str]] = []
    for name, code in layout.measures:
        if name in columns:
            measures.append((name, code))
        elif code == SUSPENSION_RATE and LEGACY_SUSPENSION_COLUMN in columns:
            measures.append((LEGACY_SUSPENSION_COLUMN, code))
    shown = {name.lower(): name for name in names}
    urn_column = "urn" if layout is PERFORMANCE_TABLES_ABSENCE else "school_urn"

    errors: list[LineError] = []
    schools: list[SchoolRow] = []
    skipped: Counter[str] = Counter()
    seen: dict[tuple[int, Period], int] = {}
    levels: Counter[str] = Counter()
    identifiers: Counter[str] = Counter()
    periods: set[Period] = set()
    count = 0
    for line, row in rows:
        if isinstance(row, LineError):
            errors.append(row)
            break
        count += 1
        fields = _fields(row, len(names), line)
        if isinstance(fields, LineError):
            errors.append(fields)
            continue

        def cell(name: str, fields: list[str] = fields) -> str:
            position = columns.get(name)
            return "" if position is None else fields[position]

        if layout is PERFORMANCE_TABLES_ABSENCE:
            assert chosen is not None
            row_period: Period | None = chosen
            if cell("urn") == "" and _is_summary(cell("la"), cell("estab"), columns):
                # The file ends with national averages by phase (LA "NAT", ESTAB "PRI").
                skipped["national or local-authority summary rows"] += 1
                continue
        else:
            level = cell("geographic_level")
            levels[level] += 1
            if level.lower() != "school":
                skipped["rows at other geographic levels"] += 1
                continue
            row_period = ees_period_parse(cell("time_period"))
            if row_period is None:
                errors.append(
                    IndicatorFileError(
                        line,
                        f"time_period {cell('time_period')[:20]!r} is not an academic year "
                        "like 201819",
                    )
                )
                continue
            identifier = cell("time_identifier")
            identifiers[identifier] += 1
            if "time_identifier" in columns and identifier.lower() != "academic year":
                skipped["rows for part of a year (time_identifier not Academic year)"] += 1
                continue
            periods.add(row_period)

        row_errors: list[LineError] = []
        urn_text = cell(urn_column)
        urn = int(urn_text) if _URN.fullmatch(urn_text) and int(urn_text) > 0 else None
        if urn is None:
            row_errors.append(
                IndicatorFileError(
                    line,
                    f"{shown[urn_column]} {urn_text[:20]!r} is not a URN"
                    if urn_text
                    else f"{shown[urn_column]} is empty",
                )
            )
        figures: list[Figure] = []
        for name, code in measures:
            figure = _value(
                cell(name), column=shown[name], indicator=code, layout=layout, line=line
            )
            if isinstance(figure, LineError):
                row_errors.append(figure)
            else:
                figures.append(figure)
        assert row_period is not None
        if urn is not None:
            key = (urn, row_period)
            if key in seen:
                row_errors.append(
                    IndicatorFileError(
                        line,
                        f"URN {urn} for {row_period.label} is already on line {seen[key]}",
                    )
                )
            else:
                seen[key] = line
        if row_errors:
            errors.extend(row_errors)
            continue
        assert urn is not None
        schools.append(SchoolRow(line=line, urn=urn, period=row_period, figures=tuple(figures)))

    if errors:
        raise IndicatorImportError(errors)
    if count == 0:
        raise IndicatorImportError(
            [IndicatorFileError(header_line, "the file has a header but no rows")]
        )

    if layout is PERFORMANCE_TABLES_ABSENCE:
        assert chosen is not None
        covered: tuple[Period, ...] = (chosen,)
    else:
        if not any(level.lower() == "school" for level in levels):
            found = ", ".join(sorted(level or "(empty)" for level in levels))
            raise IndicatorImportError(
                [
                    IndicatorFileError(
                        header_line,
                        "no row has geographic_level School: this is not a school-level file "
                        f"(levels found: {found})",
                    )
                ]
            )
        if not periods:
            found = ", ".join(sorted(identifier or "(empty)" for identifier in identifiers))
            raise IndicatorImportError(
                [
                    IndicatorFileError(
                        header_line,
                        "no school row is for a whole academic year (time_identifier "
                        f"Academic year); found: {found}",
                    )
                ]
            )
        if chosen is not None:
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
            others = [school for school in schools if school.period != chosen]
            if others:
                skipped[f"rows for other periods than --period {chosen.label}"] += len(others)
                schools = [school for school in schools if school.period == chosen]
            covered = (chosen,)
        else:
            covered = tuple(sorted(periods))

    return IndicatorFile(
        layout=layout,
        file_name=file_name,
        rows=count,
        indicators=tuple(code for _, code in measures),
        periods=covered,
        schools=schools,
        skipped=dict(skipped),
    )


def _read_imd(
    rows: Iterable[tuple[int, list[str] | LineError]], names: list[str], file_name: str
) -> IndicatorFile:
    errors: list[LineError] = []
    found: list[Neighbourhood] = []
    seen: dict[str, int] = {}
    count = 0
    for line, row in rows:
        if isinstance(row, LineError):
            errors.append(row)
            break
        count += 1
        fields = _fields(row, len(names), line)
        if isinstance(fields, LineError):
            errors.append(fields)
            continue
        code, name, district_code, district_name, rank_text, decile_text = fields
        row_errors: list[LineError] = []

        def fail(message: str, line: int = line, row_errors: list[LineError] = row_errors) -> None:
            row_errors.append(IndicatorFileError(line, message))

        if not _LSOA_CODE.fullmatch(code):
            fail(f"LSOA code {code[:20]!r} is not an LSOA code like E01030583")
        elif code in seen:
            fail(f"LSOA code {code} is already on line {seen[code]}")
        if not _DISTRICT_CODE.fullmatch(district_code):
            fail(f"district code {district_code[:20]!r} is not a code like E07000211")
        for label, text in (("LSOA name", name), ("district name", district_name)):
            if not text:
                fail(f"{label} is empty")
            elif len(text) > MAX_TEXT:
                fail(f"{label} is longer than {MAX_TEXT} characters")
            elif _CONTROL.search(text):
                fail(f"{label} holds a control character (such as NUL), which no name has")
        rank = int(rank_text) if _WHOLE.fullmatch(rank_text) else 0
        if not 1 <= rank <= IMD_2019_LSOAS:
            fail(f"IMD rank {rank_text[:20]!r} is not a whole number from 1 to {IMD_2019_LSOAS:,}")
        decile = int(decile_text) if _WHOLE.fullmatch(decile_text) else 0
        if not 1 <= decile <= 10:
            fail(f"IMD decile {decile_text[:20]!r} is not a whole number from 1 to 10")
        if row_errors:
            errors.extend(row_errors)
            continue
        seen[code] = line
        found.append(
            Neighbourhood(
                line=line,
                lsoa_code=code,
                lsoa_name=name,
                district_code=district_code,
                district_name=district_name,
                imd_rank=rank,
                imd_decile=decile,
            )
        )
    if errors:
        raise IndicatorImportError(errors)
    if count == 0:
        raise IndicatorImportError([IndicatorFileError(1, "the file has a header but no rows")])
    return IndicatorFile(
        layout=IMD_2019,
        file_name=file_name,
        rows=count,
        neighbourhoods=found,
        edition=IMD_2019_EDITION,
    )


@dataclass(frozen=True)
class IndicatorImportResult:
    """What storing one file did.

    For school figures: the rows read, those about schools (``known_rows`` for schools in the
    product, ``unknown_rows`` for the rest, which are not stored), the values stored (suppressed
    ones included) and the earlier values of the same indicators and periods they replaced. For
    the deprivation index: the neighbourhoods stored and how many of the product's schools with
    an LSOA code they cover.
    """

    record: IndicatorImport
    layout: Layout
    file_name: str
    periods: tuple[str, ...]
    rows: int
    known_rows: int = 0
    unknown_rows: int = 0
    values: int = 0
    suppressed: int = 0
    replaced: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    neighbourhoods: int = 0
    edition: str = ""
    schools_matched: int = 0
    schools_with_lsoa: int = 0

    def summary(self) -> str:
        """One paragraph saying what was imported, for the command's output."""
        name = f"{self.file_name}: " if self.file_name else ""
        replaced = f", replacing {self.replaced:,} earlier" if self.replaced else ""
        if self.layout is IMD_2019:
            return (
                f"{name}{self.layout.name}: {self.neighbourhoods:,} "
                f"neighbourhoods{replaced}; {self.schools_matched:,} of the "
                f"{self.schools_with_lsoa:,} schools with an LSOA code are in them."
            )
        parts = [
            f"{self.rows:,} row{'' if self.rows == 1 else 's'}",
            f"{self.known_rows:,} for schools in the product",
            f"{self.unknown_rows:,} for schools not in the product",
        ]
        parts += [f"{number:,} {reason} left aside" for reason, number in self.skipped.items()]
        suppressed = f" ({self.suppressed:,} suppressed)" if self.suppressed else ""
        return (
            f"{name}{self.layout.name}, {', '.join(self.periods)}: "
            f"{', '.join(parts)}; {self.values:,} value{'' if self.values == 1 else 's'} "
            f"stored{suppressed}{replaced}."
        )


@transaction.atomic
def indicator_file_store(
    *, actor: Any, indicator_file: IndicatorFile, source: str
) -> IndicatorImportResult:
    """Store a file read by ``indicator_file_read``, in one transaction.

    School figures: for each indicator and period the file covers, every school's earlier value
    is deleted and the file's values are written for the schools the product knows (by URN);
    other indicators and periods are not touched. Rows for URNs the product does not know are
    counted, not stored. A suppressed figure is stored as suppressed with no number; a figure
    the publisher marks as not available stores nothing. The deprivation index replaces the
    whole index of its edition. One ``IndicatorImport`` and one audit event record the import.
    A dozen queries, plus the inserts of the values in batches: none per row.
    """
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    if indicator_file.layout is IMD_2019:
        return _store_imd(user=user, actor=actor, indicator_file=indicator_file, source=source)

    codes = indicator_file.indicators
    # Imports of the same indicators queue here, so that one's deletions never meet another's
    # insertions.
    present = set(
        Indicator.objects.select_for_update().filter(code__in=codes).values_list("code", flat=True)
    )
    missing = [code for code in codes if code not in present]
    if missing:
        raise LookupError(
            f"The indicator catalogue has no {', '.join(missing)}: run the migrations."
        )
    # The whole register in one query: a national file names nearly every school in England,
    # more URNs than one query can list.
    school_ids: dict[int, Any] = dict(School.objects.order_by().values_list("urn", "id"))
    labels = [period.label for period in indicator_file.periods]
    replaced, _ = IndicatorValue.objects.filter(
        indicator_id__in=codes, period__in=labels, school__isnull=False
    ).delete()

    record = IndicatorImport.objects.create(
        layout=indicator_file.layout.code,
        file_name=indicator_file.file_name[:255],
        periods=labels,
        rows=indicator_file.rows,
        imported_by=user,
    )
    values = [
        IndicatorValue(
            indicator_id=figure.indicator,
            school_id=school_ids[row.urn],
            period=row.period.label,
            period_start=row.period.start,
            value=figure.value,
            suppressed=figure.suppressed,
            imported_from=record,
        )
        for row in indicator_file.schools
        if row.urn in school_ids
        for figure in row.figures
        if figure.stored
    ]
    IndicatorValue.objects.bulk_create(values, batch_size=IMPORT_BATCH)
    record.values = len(values)
    record.save(update_fields=["values"])

    known_rows = sum(1 for row in indicator_file.schools if row.urn in school_ids)
    suppressed = sum(1 for value in values if value.suppressed)
    unknown_rows = len(indicator_file.schools) - known_rows
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        source=source,
        obj=record,
        detail={
            "layout": record.layout,
            "file_name": record.file_name,
            "periods": labels,
            "indicators": list(codes),
            "rows": record.rows,
            "rows_for_schools_in_product": known_rows,
            "rows_for_schools_not_in_product": unknown_rows,
            "values": record.values,
            "suppressed": suppressed,
            "replaced": replaced,
        },
    )
    return IndicatorImportResult(
        record=record,
        layout=indicator_file.layout,
        file_name=indicator_file.file_name,
        periods=tuple(labels),
        rows=indicator_file.rows,
        known_rows=known_rows,
        unknown_rows=unknown_rows,
        values=len(values),
        suppressed=suppressed,
        replaced=replaced,
        skipped=dict(indicator_file.skipped),
    )


def _store_imd(
    *, user: Any, actor: Any, indicator_file: IndicatorFile, source: str
) -> IndicatorImportResult:
    edition = indicator_file.edition
    replaced, _ = LsoaDeprivation.objects.filter(edition=edition).delete()
    LsoaDeprivation.objects.bulk_create(
        (
            LsoaDeprivation(
                lsoa_code=row.lsoa_code,
                lsoa_name=row.lsoa_name,
                district_code=row.district_code,
                district_name=row.district_name,
                imd_rank=row.imd_rank,
                imd_decile=row.imd_decile,
                edition=edition,
            )
            for row in indicator_file.neighbourhoods
        ),
        batch_size=IMPORT_BATCH,
    )
    codes = {row.lsoa_code for row in indicator_file.neighbourhoods}
    school_codes = list(School.objects.exclude(lsoa_code="").values_list("lsoa_code", flat=True))
    matched = sum(1 for code in school_codes if code in codes)
    record = IndicatorImport.objects.create(
        layout=IMD_2019.code,
        file_name=indicator_file.file_name[:255],
        periods=[],
        rows=indicator_file.rows,
        values=len(indicator_file.neighbourhoods),
        imported_by=user,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        source=source,
        obj=record,
        detail={
            "layout": record.layout,
            "file_name": record.file_name,
            "edition": edition,
            "rows": record.rows,
            "values": record.values,
            "replaced": replaced,
            "schools_matched": matched,
        },
    )
    return IndicatorImportResult(
        record=record,
        layout=IMD_2019,
        file_name=indicator_file.file_name,
        periods=(),
        rows=indicator_file.rows,
        values=record.values,
        replaced=replaced,
        neighbourhoods=record.values,
        edition=edition,
        schools_matched=matched,
        schools_with_lsoa=len(school_codes),
    )


@transaction.atomic
def indicators_import(
    *,
    actor: Any,
    file: FileSource,
    source: str,
    file_name: str = "",
    period: str | None = None,
) -> IndicatorImportResult:
    """Read one indicator file and store it: ``indicator_file_read`` then
    ``indicator_file_store``, with their guarantees. A bad file raises ``IndicatorImportError``
    (every problem with its line number) and changes nothing."""
    indicator_file = indicator_file_read(file, period=period, file_name=file_name)
    return indicator_file_store(actor=actor, indicator_file=indicator_file, source=source)


@transaction.atomic
def indicator_files_import(
    *, actor: Any, files: Sequence[IndicatorFile], source: str
) -> list[IndicatorImportResult]:
    """Store several files already read, in order, all in one transaction: all or none."""
    return [
        indicator_file_store(actor=actor, indicator_file=indicator_file, source=source)
        for indicator_file in files
    ]
