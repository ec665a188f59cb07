"""Reading a partner's figures for a whole area: the youth offending team's first-time entrants
to the youth justice system aged 10 to 17, per 100,000 young people of that age (NI 111).

There is no national layout for this: each youth offending team keeps its own. The file names
the local authority by its DfE number (936 for Surrey, as in the school register) or by name,
gives the period (an academic year, a term or a month, as ``outcomes.periods`` writes them) on
each row or once with ``--period``, and the rate. Column names are read without regard to case,
spaces or punctuation: "Rate per 100,000" is ``rate_per_100_000``.
"""

from __future__ import annotations

import re
from collections import Counter

from saferschools.lib.csvfile import LineError

from .importing_files import (
    AREA_FILE,
    CONTROL,
    FIRST_TIME_ENTRANTS,
    MAX_TEXT,
    AreaRow,
    IndicatorFile,
    IndicatorFileError,
    IndicatorImportError,
    Layout,
    Markers,
    Rows,
    figure_read,
    other_period_reason,
    row_fields,
    single_period,
)
from .periods import Period, PeriodError, parse_period

FIRST_TIME_ENTRANTS_FILE = Layout(
    "yot_first_time_entrants",
    "Youth offending team first-time entrants",
    "Youth offending team first-time entrants by local authority (la_code or local_authority, "
    "period, rate_per_100000)",
    AREA_FILE,
)

CODE_COLUMNS = ("la_code", "local_authority_code")
NAME_COLUMNS = ("local_authority", "local_authority_name", "la_name")
RATE_COLUMNS = ("rate_per_100000", "rate_per_100_000")
PERIOD_COLUMN = "period"
# A youth offending team suppresses small counts as the Government Statistical Service does,
# or with an asterisk; a period it has no figure for may be blank or marked.
AREA_MARKERS = Markers(
    suppressed=frozenset({"c", "supp", "*"}),
    no_value=frozenset({"", "x", "z", "..", "na", "n/a"}),
)
_LA_CODE = re.compile(r"[0-9]{3}")


def normalised(name: str) -> str:
    """A column name without case, spaces or punctuation: "Rate per 100,000" becomes
    "rate_per_100_000"."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def is_area_header(names: list[str]) -> bool:
    found = {normalised(name) for name in names}
    return any(name in found for name in RATE_COLUMNS) and any(
        name in found for name in CODE_COLUMNS + NAME_COLUMNS
    )


def _columns(names: list[str], header_line: int) -> dict[str, int]:
    """Each column read, by its normalised name; a name given twice is refused."""
    columns: dict[str, int] = {}
    for position, name in enumerate(names):
        key = normalised(name)
        if key in columns and key in CODE_COLUMNS + NAME_COLUMNS + RATE_COLUMNS + (PERIOD_COLUMN,):
            raise IndicatorImportError(
                [IndicatorFileError(header_line, f"the header names {key!r} twice")]
            )
        columns.setdefault(key, position)
    return columns


def _one_of(columns: dict[str, int], names: tuple[str, ...]) -> str | None:
    return next((name for name in names if name in columns), None)


def read_areas(
    rows: Rows, names: list[str], chosen: Period | None, header_line: int, file_name: str
) -> IndicatorFile:
    """Every row as a local authority's rate for a period. Which area of the product it is
    about is decided when the file is stored."""
    columns = _columns(names, header_line)
    code_column = _one_of(columns, CODE_COLUMNS)
    name_column = _one_of(columns, NAME_COLUMNS)
    rate_column = _one_of(columns, RATE_COLUMNS)
    assert rate_column is not None
    if PERIOD_COLUMN not in columns and chosen is None:
        raise IndicatorImportError(
            [
                IndicatorFileError(
                    header_line,
                    "the file has no period column: give the period of its figures with "
                    "--period (2025/26, 2025/26 autumn or 2026-03)",
                )
            ]
        )
    shown = {normalised(name): name for name in reversed(names)}
    code_label = shown[code_column] if code_column else ""
    name_label = shown[name_column] if name_column else ""
    errors: list[LineError] = []
    areas: list[AreaRow] = []
    seen: dict[tuple[str, str], int] = {}
    periods: set[Period] = set()
    skipped: Counter[str] = Counter()
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

        def cell(name: str | None, fields: list[str] = fields) -> str:
            return "" if name is None else fields[columns[name]]

        row_errors: list[LineError] = []

        def fail(message: str, line: int = line, row_errors: list[LineError] = row_errors) -> None:
            row_errors.append(IndicatorFileError(line, message))

        la_code, la_name = cell(code_column), cell(name_column)
        if la_code and not _LA_CODE.fullmatch(la_code):
            fail(f"{code_label} {la_code[:20]!r} is not a DfE local authority number like 936")
        if len(la_name) > MAX_TEXT:
            fail(f"{name_label} is longer than {MAX_TEXT} characters")
        elif CONTROL.search(la_name):
            fail(f"{name_label} holds a control character (such as NUL)")
        if not la_code and not la_name:
            fail("the row names no local authority")
        period = chosen
        if PERIOD_COLUMN in columns:
            try:
                period = parse_period(cell(PERIOD_COLUMN))
            except PeriodError as error:
                fail(f"{shown[PERIOD_COLUMN]}: {error}")
                period = None
        figure = figure_read(
            cell(rate_column),
            column=shown[rate_column],
            indicator=FIRST_TIME_ENTRANTS,
            markers=AREA_MARKERS,
            line=line,
        )
        if isinstance(figure, LineError):
            row_errors.append(figure)
        if row_errors:
            errors.extend(row_errors)
            continue
        assert period is not None and not isinstance(figure, LineError)
        periods.add(period)
        if chosen is not None and period != chosen:
            skipped[other_period_reason(chosen)] += 1
            continue
        area_row = AreaRow(
            line=line, la_code=la_code, la_name=la_name, period=period, figures=(figure,)
        )
        key = (la_code or la_name.lower(), period.label)
        if key in seen:
            errors.append(
                IndicatorFileError(
                    line, f"{area_row.named} for {period.label} is already on line {seen[key]}"
                )
            )
            continue
        seen[key] = line
        areas.append(area_row)

    if errors:
        raise IndicatorImportError(errors)
    if count == 0:
        raise IndicatorImportError(
            [IndicatorFileError(header_line, "the file has a header but no rows")]
        )
    return IndicatorFile(
        layout=FIRST_TIME_ENTRANTS_FILE,
        file_name=file_name,
        rows=count,
        indicators=(FIRST_TIME_ENTRANTS,),
        periods=single_period(periods, chosen, header_line),
        areas=areas,
        skipped=dict(skipped),
    )
