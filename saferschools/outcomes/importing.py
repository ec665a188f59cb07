"""Importing published and partner figures: school-level indicators from the Department for
Education and Ofsted, a youth offending team's figures for its area, and the Index of Multiple
Deprivation by neighbourhood.

The layouts are documented column by column in docs/indicators.md ("Importing figures"). They
are accepted as published and told apart by their header:

* ``performance_tables_absence``, ``performance_tables_ks4``, ``performance_tables_ks2``: the
  "Find and compare school performance" files ``england_abs.csv`` (``URN, PERCTOT,
  PPERSABS10``), ``england_ks4final.csv`` (``URN, ATT8SCR, P8MEA, PTL2BASICS_94``) and
  ``england_ks2final.csv`` (``URN, PTRWM_EXP``). They do not state their academic year, so the
  caller gives it (``--period``).
* ``ees_exclusions`` and ``ees_absence``: the school-level CSV downloads of "Explore education
  statistics", which state their own periods (``time_period`` 201819 is 2018/19).
* ``ofsted_inspections``: Ofsted's management information on state-funded schools'
  inspections; each behaviour judgement counts in the academic year of its inspection
  (``importing_inspections``).
* ``yot_first_time_entrants``: a youth offending team's first-time entrants per 100,000 by local
  authority and period (a year, a term or a month), stored for the area (``importing_areas``).
* ``imd2019``: the ``IMD2019`` sheet of the English Indices of Deprivation 2019 File 1 workbook,
  saved as CSV.

Reading (``indicator_file_read``) touches no database: it checks every row and either returns the
whole file or raises ``IndicatorImportError`` listing every problem with its line number (line 1
is the header). Storing (``indicator_file_store``, or ``indicators_import`` for both steps) is
one transaction that replaces what the file covers and writes one audit event.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from saferschools.core.audit import audit_record
from saferschools.core.models import Area, AuditAction, School
from saferschools.lib.csvfile import LineError, records

from .importing_areas import FIRST_TIME_ENTRANTS_FILE, is_area_header, read_areas
from .importing_files import (
    CONTROL,
    DEPRIVATION,
    EES,
    KS2_EXPECTED_RWM,
    KS4_ATTAINMENT8,
    KS4_BASICS_GRADE4,
    KS4_PROGRESS8,
    MAX_TEXT,
    OVERALL_ABSENCE,
    PERFORMANCE_TABLES,
    PERMANENT_EXCLUSION_RATE,
    PERSISTENT_ABSENCE,
    SUSPENSION_RATE,
    WHOLE,
    Figure,
    FileSource,
    IndicatorFile,
    IndicatorFileError,
    IndicatorImportError,
    Layout,
    Markers,
    Neighbourhood,
    Rows,
    SchoolRow,
    ees_period_parse,
    figure_read,
    file_text,
    header_names,
    other_period_reason,
    row_fields,
    single_period,
    urn_error,
    urn_read,
    whole_years_only,
)
from .importing_inspections import (
    DATE_COLUMNS,
    GRADE_COLUMNS,
    OFSTED_INSPECTIONS,
    inspections_header_error,
    is_inspections_header,
    read_inspections,
)
from .models import Indicator, IndicatorImport, IndicatorValue, LsoaDeprivation
from .periods import Period, parse_period

# Rows written per INSERT, and ids per IN (...): well under SQLite's limit on variables in one
# statement.
IMPORT_BATCH = 2000

PERFORMANCE_TABLES_ABSENCE = Layout(
    "performance_tables_absence",
    "DfE performance tables absence",
    "DfE performance tables absence (URN, PERCTOT, PPERSABS10)",
    PERFORMANCE_TABLES,
    (("perctot", OVERALL_ABSENCE), ("ppersabs10", PERSISTENT_ABSENCE)),
)
PERFORMANCE_TABLES_KS4 = Layout(
    "performance_tables_ks4",
    "DfE performance tables key stage 4",
    "DfE performance tables key stage 4 (URN, ATT8SCR, P8MEA, PTL2BASICS_94)",
    PERFORMANCE_TABLES,
    (
        ("att8scr", KS4_ATTAINMENT8),
        ("p8mea", KS4_PROGRESS8),
        ("ptl2basics_94", KS4_BASICS_GRADE4),
    ),
)
PERFORMANCE_TABLES_KS2 = Layout(
    "performance_tables_ks2",
    "DfE performance tables key stage 2",
    "DfE performance tables key stage 2 (URN, PTRWM_EXP)",
    PERFORMANCE_TABLES,
    (("ptrwm_exp", KS2_EXPECTED_RWM),),
)
EES_EXCLUSIONS = Layout(
    "ees_exclusions",
    "Explore education statistics school-level exclusions",
    "Explore education statistics school-level suspensions and permanent exclusions "
    "(school_urn, time_period, susp_rate or fixed_excl_rate, perm_excl_rate)",
    EES,
    (("susp_rate", SUSPENSION_RATE), ("perm_excl_rate", PERMANENT_EXCLUSION_RATE)),
)
EES_ABSENCE = Layout(
    "ees_absence",
    "Explore education statistics school-level absence",
    "Explore education statistics school-level absence "
    "(school_urn, time_period, sess_overall_percent, enrolments_pa_10_exact_percent)",
    EES,
    (
        ("sess_overall_percent", OVERALL_ABSENCE),
        ("enrolments_pa_10_exact_percent", PERSISTENT_ABSENCE),
    ),
)
IMD_2019 = Layout(
    "imd2019",
    "Index of Multiple Deprivation 2019",
    "English Indices of Deprivation 2019, IMD2019 sheet saved as CSV (LSOA code (2011), ...)",
    DEPRIVATION,
)
PERFORMANCE_TABLES_LAYOUTS = (
    PERFORMANCE_TABLES_ABSENCE,
    PERFORMANCE_TABLES_KS4,
    PERFORMANCE_TABLES_KS2,
)
LAYOUTS: tuple[Layout, ...] = (
    *PERFORMANCE_TABLES_LAYOUTS,
    EES_EXCLUSIONS,
    EES_ABSENCE,
    OFSTED_INSPECTIONS,
    FIRST_TIME_ENTRANTS_FILE,
    IMD_2019,
)

# Before 2020/21 the Department called suspensions "fixed-period exclusions".
LEGACY_SUSPENSION_COLUMN = "fixed_excl_rate"
EES_KEYS = ("school_urn", "time_period", "geographic_level")
# The columns some layout reads: a header may name any other column twice.
READ_COLUMNS = frozenset(
    {"urn", "la", "lea", "estab", "rectype", "time_identifier", LEGACY_SUSPENSION_COLUMN}
    | set(EES_KEYS)
    | {column for layout in LAYOUTS for column, _ in layout.measures}
    | set(GRADE_COLUMNS)
    | set(DATE_COLUMNS)
)

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
_DISTRICT_CODE = re.compile(r"[EW][0-9]{8}")

# Markers for a value that is not a number. Suppressed: the publisher holds a figure but does not
# show it, to protect small numbers (SUPP) or because too few of the pupils have the prior
# results a progress score needs (LOWCOV). No value: there is no figure to show (no entries, not
# applicable, not published, a new school).
PERFORMANCE_MARKERS = Markers(
    suppressed=frozenset({"supp", "lowcov"}),
    no_value=frozenset({"", "ne", "na", "np", "new", ".."}),
    upper=True,
)
# Government Statistical Service symbols as Explore education statistics uses them: c
# confidential, low rounds to zero (both suppressed); x not available, z not applicable, u low
# reliability; ~ and : are the older symbols for "low" and "not available".
EES_MARKERS = Markers(
    suppressed=frozenset({"c", "low", "~"}),
    no_value=frozenset({"", "x", "z", ":", "u"}),
)
# The performance tables' record types of rows about one school: 1 mainstream, 2 special.
SCHOOL_RECORD_TYPES = frozenset({"1", "2"})


def layout_names() -> str:
    """The accepted layouts, named for an error message."""
    return "; ".join(layout.label for layout in LAYOUTS)


def indicator_file_read(
    source: FileSource, *, period: str | None = None, file_name: str = ""
) -> IndicatorFile:
    """Read an indicator file in one of the layouts accepted (``LAYOUTS``).

    Guarantees:

    * The layout is recognised from the header; a header that is none of them is refused at
      line 1, naming the layouts accepted.
    * Every row is checked: a URN (or local authority, or LSOA code) on each row, once per
      period; each value a number in range (percentages 0 to 100), a suppression marker or a
      no-data marker; a period where the file states one. If anything is wrong, one
      ``IndicatorImportError`` lists every problem with its line number and nothing is
      returned.
    * ``period`` ("2017/18") is required by the performance-tables files, which do not state
      their year, and by a partner's area file without a period column, which may also be
      given a term ("2025/26 autumn") or a month ("2026-03"); a term or a month is refused for
      a file of whole academic years. For a file that states its own periods it picks that one
      (the file must hold it), leaving the rows of other periods aside; the deprivation index
      has no period and ignores it.
    * Rows that are not about one school (national or local-authority summaries, other
      geographic levels, terms rather than the academic year, inspections without a behaviour
      judgement) are left aside and counted.

    Touches no database. ``PeriodError`` (a ``ValueError``) if ``period`` names no period.
    """
    chosen = parse_period(period) if period is not None else None
    try:
        text = file_text(source)
    except IndicatorFileError as error:
        raise IndicatorImportError([error]) from None
    rows = records(text, IndicatorFileError)
    try:
        header_line, header = next(rows)
    except StopIteration:
        raise IndicatorImportError([IndicatorFileError(1, "the file is empty")]) from None
    if isinstance(header, LineError):
        raise IndicatorImportError([header])
    names = header_names(header)
    try:
        layout, columns = _detect(names, header_line)
    except IndicatorFileError as error:
        raise IndicatorImportError([error]) from None
    if file_name == "" and isinstance(source, str | os.PathLike):
        file_name = Path(source).name
    if layout is IMD_2019:
        return _read_imd(rows, names, file_name)
    if layout is FIRST_TIME_ENTRANTS_FILE:
        return read_areas(rows, names, chosen, header_line, file_name)
    whole_years_only(chosen, layout, header_line)
    if layout is OFSTED_INSPECTIONS:
        return read_inspections(rows, names, columns, chosen, header_line, file_name)
    return _read_schools(rows, names, columns, layout, chosen, header_line, file_name)


def _detect(names: list[str], line: int) -> tuple[Layout, dict[str, int]]:
    """The file's layout and the position of each column it reads, by lower-case name."""
    folded = [name.lower() for name in names]
    duplicates = sorted(
        {name for name in folded if name in READ_COLUMNS and folded.count(name) > 1}
    )
    if duplicates:
        raise IndicatorFileError(line, f"the header names {duplicates[0]!r} twice")
    columns = {name: position for position, name in enumerate(folded)}

    if folded and folded[0].startswith("lsoa code"):
        _check_imd_header(names, line)
        return IMD_2019, columns
    if is_area_header(names):
        return FIRST_TIME_ENTRANTS_FILE, columns
    if is_inspections_header(columns):
        error = inspections_header_error(columns, line)
        if error is not None:
            raise error
        return OFSTED_INSPECTIONS, columns
    if "urn" in columns:
        found = [
            layout
            for layout in PERFORMANCE_TABLES_LAYOUTS
            if any(column in columns for column, _ in layout.measures)
        ]
        if len(found) > 1:
            raise IndicatorFileError(
                line,
                "the file has the columns of more than one performance tables file ("
                + ", ".join(layout.name for layout in found)
                + "); import each download as it is published",
            )
        if found:
            return found[0], columns
    if "school_urn" in columns or "time_period" in columns:
        return _detect_ees(columns, line), columns
    shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
    raise IndicatorFileError(
        line,
        f"the header ({shown}) is not one of the layouts accepted: {layout_names()}; "
        "see docs/indicators.md",
    )


def _detect_ees(columns: dict[str, int], line: int) -> Layout:
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
        return EES_EXCLUSIONS
    if absence:
        return EES_ABSENCE
    raise IndicatorFileError(
        line,
        "an Explore education statistics file with none of the columns read: susp_rate "
        "(or fixed_excl_rate), perm_excl_rate, sess_overall_percent, "
        "enrolments_pa_10_exact_percent",
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


def _is_summary(cell: Callable[[str], str], columns: dict[str, int]) -> bool:
    """Whether a performance tables row without a URN is a summary (national or local-authority
    figures): its record type is not a school's, or its LA or establishment number is not a
    number. Without those columns, it is not."""
    if "rectype" in columns and cell("rectype") not in SCHOOL_RECORD_TYPES:
        return True
    return any(
        name in columns and not WHOLE.fullmatch(cell(name)) for name in ("la", "lea", "estab")
    )


def _read_schools(
    rows: Rows,
    names: list[str],
    columns: dict[str, int],
    layout: Layout,
    chosen: Period | None,
    header_line: int,
    file_name: str,
) -> IndicatorFile:
    tables = layout.family == PERFORMANCE_TABLES
    if tables and chosen is None:
        raise IndicatorImportError(
            [
                IndicatorFileError(
                    header_line,
                    f"a {layout.name} file does not state its academic year: give it with "
                    "--period (for example --period 2017/18)",
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
    urn_column = "urn" if tables else "school_urn"
    markers = PERFORMANCE_MARKERS if tables else EES_MARKERS

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
        fields = row_fields(row, len(names), line)
        if isinstance(fields, LineError):
            errors.append(fields)
            continue

        def cell(name: str, fields: list[str] = fields) -> str:
            position = columns.get(name)
            return "" if position is None else fields[position]

        if tables:
            assert chosen is not None
            row_period: Period | None = chosen
            if cell("urn") == "" and _is_summary(cell, columns):
                # The files end with national averages (LA "NAT", ESTAB "PRI"), and the key
                # stage files give each local authority's figures (RECTYPE 4).
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
        urn = urn_read(urn_text)
        if urn is None:
            row_errors.append(urn_error(urn_text, shown[urn_column], line))
        figures: list[Figure] = []
        for name, code in measures:
            figure = figure_read(
                cell(name), column=shown[name], indicator=code, markers=markers, line=line
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

    if tables:
        assert chosen is not None
        covered: tuple[Period, ...] = (chosen,)
    else:
        _check_ees_rows(levels, identifiers, periods, header_line)
        covered = single_period(periods, chosen, header_line)
        if chosen is not None:
            others = [school for school in schools if school.period != chosen]
            if others:
                skipped[other_period_reason(chosen)] += len(others)
                schools = [school for school in schools if school.period == chosen]

    return IndicatorFile(
        layout=layout,
        file_name=file_name,
        rows=count,
        indicators=tuple(code for _, code in measures),
        periods=covered,
        schools=schools,
        skipped=dict(skipped),
    )


def _check_ees_rows(
    levels: Counter[str], identifiers: Counter[str], periods: set[Period], header_line: int
) -> None:
    """Refuse an Explore education statistics file with no school row for a whole year."""
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


def _read_imd(rows: Rows, names: list[str], file_name: str) -> IndicatorFile:
    errors: list[LineError] = []
    found: list[Neighbourhood] = []
    seen: dict[str, int] = {}
    count = 0
    for line, row in rows:
        if isinstance(row, LineError):
            errors.append(row)
            break
        count += 1
        fields = row_fields(row, len(names), line)
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
            elif CONTROL.search(text):
                fail(f"{label} holds a control character (such as NUL), which no name has")
        rank = int(rank_text) if WHOLE.fullmatch(rank_text) else 0
        if not 1 <= rank <= IMD_2019_LSOAS:
            fail(f"IMD rank {rank_text[:20]!r} is not a whole number from 1 to {IMD_2019_LSOAS:,}")
        decile = int(decile_text) if WHOLE.fullmatch(decile_text) else 0
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

    For school (or area) figures: the rows read, those about schools (``known_rows`` for
    schools in the product, ``unknown_rows`` for the rest, which are not stored), the values
    stored (suppressed ones included) and the earlier values they replaced. For the deprivation
    index: the neighbourhoods stored and how many of the product's schools with an LSOA code
    they cover.
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
        about = "areas" if self.layout.about_areas else "schools"
        parts = [
            f"{self.rows:,} row{'' if self.rows == 1 else 's'}",
            f"{self.known_rows:,} for {about} in the product",
            f"{self.unknown_rows:,} for {about} not in the product",
        ]
        parts += [f"{number:,} {reason} left aside" for reason, number in self.skipped.items()]
        suppressed = f" ({self.suppressed:,} suppressed)" if self.suppressed else ""
        return (
            f"{name}{self.layout.name}, {periods_text(self.periods)}: "
            f"{', '.join(parts)}; {self.values:,} value{'' if self.values == 1 else 's'} "
            f"stored{suppressed}{replaced}."
        )


def periods_text(labels: Sequence[str]) -> str:
    """The periods a file covers, in a few words however many they are."""
    if len(labels) <= 3:
        return ", ".join(labels)
    return f"{labels[0]} to {labels[-1]} ({len(labels)} periods)"


@dataclass
class _Rows:
    """A file's values for the product's schools (or areas), before they are stored, and, for a
    layout that replaces only the rows it gives, the schools (or areas) it gives for each
    period label."""

    values: list[IndicatorValue]
    known: int
    unknown: int
    pairs: dict[str, set[Any]] = field(default_factory=dict)


@transaction.atomic
def indicator_file_store(
    *, actor: Any, indicator_file: IndicatorFile, source: str
) -> IndicatorImportResult:
    """Store a file read by ``indicator_file_read``, in one transaction.

    School figures: for each indicator and period the file covers, every school's earlier value
    is deleted and the file's values are written for the schools the product knows (by URN);
    other indicators and periods are not touched. Ofsted's inspections replace only the values
    of the schools and years the file gives (a list of latest inspections says nothing of a
    school's earlier ones). Area figures are stored for the area whose schools have the row's
    local authority number (else whose name, or whose schools' local authority, is the row's
    name) and replace only that area's values for the periods given; two rows for one area and
    period refuse the file. Rows for schools or areas the product does not know are counted,
    not stored. A suppressed figure is stored as suppressed with no number; a figure the
    publisher marks as not available stores nothing. The deprivation index replaces the whole
    index of its edition. One ``IndicatorImport`` and one audit event record the import. A
    dozen queries (and one per period replaced school by school), plus the inserts of the
    values in batches: none per row.
    """
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    layout = indicator_file.layout
    if layout.family == DEPRIVATION:
        return _store_imd(user=user, actor=actor, indicator_file=indicator_file, source=source)

    codes = indicator_file.indicators
    _lock_indicators(codes)
    read = _area_rows(indicator_file) if layout.about_areas else _school_rows(indicator_file)
    labels = [period.label for period in indicator_file.periods]
    replaced = _replace(codes, labels, read, layout)

    record = IndicatorImport.objects.create(
        layout=layout.code,
        file_name=indicator_file.file_name[:255],
        periods=labels,
        rows=indicator_file.rows,
        values=len(read.values),
        imported_by=user,
    )
    for value in read.values:
        value.imported_from = record
    IndicatorValue.objects.bulk_create(read.values, batch_size=IMPORT_BATCH)

    suppressed = sum(1 for value in read.values if value.suppressed)
    about = "areas" if layout.about_areas else "schools"
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
            f"rows_for_{about}_in_product": read.known,
            f"rows_for_{about}_not_in_product": read.unknown,
            "values": record.values,
            "suppressed": suppressed,
            "replaced": replaced,
        },
    )
    return IndicatorImportResult(
        record=record,
        layout=layout,
        file_name=indicator_file.file_name,
        periods=tuple(labels),
        rows=indicator_file.rows,
        known_rows=read.known,
        unknown_rows=read.unknown,
        values=len(read.values),
        suppressed=suppressed,
        replaced=replaced,
        skipped=dict(indicator_file.skipped),
    )


def _lock_indicators(codes: Iterable[str]) -> None:
    """Lock the indicators imported: imports of the same indicators queue here, so that one's
    deletions never meet another's insertions."""
    codes = list(codes)
    present = set(
        Indicator.objects.select_for_update().filter(code__in=codes).values_list("code", flat=True)
    )
    missing = [code for code in codes if code not in present]
    if missing:
        raise LookupError(
            f"The indicator catalogue has no {', '.join(missing)}: run the migrations."
        )


def _value(figure: Figure, period: Period, **target: Any) -> IndicatorValue:
    return IndicatorValue(
        indicator_id=figure.indicator,
        period=period.label,
        period_kind=period.kind,
        period_start=period.start,
        value=figure.value,
        suppressed=figure.suppressed,
        **target,
    )


def _school_rows(indicator_file: IndicatorFile) -> _Rows:
    # The whole register in one query: a national file names nearly every school in England,
    # more URNs than one query can list.
    school_ids: dict[int, Any] = dict(School.objects.order_by().values_list("urn", "id"))
    known = [row for row in indicator_file.schools if row.urn in school_ids]
    pairs: dict[str, set[Any]] = defaultdict(set)
    if indicator_file.layout.replaces_rows:
        for row in known:
            pairs[row.period.label].add(school_ids[row.urn])
    return _Rows(
        values=[
            _value(figure, row.period, school_id=school_ids[row.urn])
            for row in known
            for figure in row.figures
            if figure.stored
        ],
        known=len(known),
        unknown=len(indicator_file.schools) - len(known),
        pairs=dict(pairs),
    )


def _area_rows(indicator_file: IndicatorFile) -> _Rows:
    """The file's rows as values for the product's areas. A row's local authority number finds
    the area of the schools with that number in the register; a row without one is found by
    name, as the area's name or its schools' local authority. Two rows landing on the same area
    and period refuse the file."""
    rows = indicator_file.areas
    codes = {row.la_code for row in rows if row.la_code}
    by_code: defaultdict[str, set[Any]] = defaultdict(set)
    for code, area_id in (
        School.objects.filter(la_code__in=codes).order_by().values_list("la_code", "area_id")
    ).distinct():
        by_code[code].add(area_id)
    area_names = dict(Area.objects.values_list("id", "name"))
    by_name: defaultdict[str, set[Any]] = defaultdict(set)
    if any(not row.la_code for row in rows):
        for area_id, name in area_names.items():
            by_name[name.lower()].add(area_id)
        for name, area_id in (
            School.objects.exclude(local_authority="")
            .order_by()
            .values_list("local_authority", "area_id")
            .distinct()
        ):
            by_name[name.lower()].add(area_id)

    values: list[IndicatorValue] = []
    pairs: dict[str, set[Any]] = defaultdict(set)
    taken: dict[tuple[Any, str], int] = {}
    errors: list[LineError] = []
    known = 0
    for row in rows:
        area_ids = by_code[row.la_code] if row.la_code else by_name[row.la_name.lower()]
        known += bool(area_ids)
        for area_id in sorted(area_ids, key=str):
            key = (area_id, row.period.label)
            if key in taken:
                errors.append(
                    IndicatorFileError(
                        row.line,
                        f"{row.named} is in {area_names[area_id]}, as is line {taken[key]}: "
                        f"two figures for one area and {row.period.label}",
                    )
                )
                continue
            taken[key] = row.line
            pairs[row.period.label].add(area_id)
            values += [
                _value(figure, row.period, area_id=area_id)
                for figure in row.figures
                if figure.stored
            ]
    if errors:
        raise IndicatorImportError(errors)
    return _Rows(values=values, known=known, unknown=len(rows) - known, pairs=dict(pairs))


def _replace(codes: Sequence[str], labels: list[str], read: _Rows, layout: Layout) -> int:
    """Delete what the file's values replace; the number of values deleted."""
    values = IndicatorValue.objects.filter(indicator_id__in=codes)
    if not layout.replaces_rows:
        replaced, _ = values.filter(period__in=labels, school__isnull=False).delete()
        return replaced
    target = "area_id__in" if layout.about_areas else "school_id__in"
    replaced = 0
    for label, ids in read.pairs.items():
        ordered = sorted(ids, key=str)
        for start in range(0, len(ordered), IMPORT_BATCH):
            batch = ordered[start : start + IMPORT_BATCH]
            deleted, _ = values.filter(period=label, **{target: batch}).delete()
            replaced += deleted
    return replaced


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
    """Store several files already read, in order, all in one transaction: all or none. A file
    refused as it is stored (two rows for one area and period) names itself in the
    ``IndicatorImportError``'s ``file_name``."""
    results = []
    for indicator_file in files:
        try:
            results.append(
                indicator_file_store(actor=actor, indicator_file=indicator_file, source=source)
            )
        except IndicatorImportError as error:
            error.file_name = indicator_file.file_name
            raise
    return results
