"""Reading Ofsted's management information on state-funded schools' inspections: each school's
judgement on behaviour, placed in the academic year of the inspection (NI 86).

Ofsted has published the file under several inspection frameworks, and the judgement has had a
different name in each: "Behaviour and safety of pupils" (2012 to 2015), "Personal development,
behaviour and welfare" (2015 to 2019), "Behaviour and attitudes" (from 2019; "Latest OEIF
behaviour and attitudes" in the files that also list ungraded inspections). A row gives the
first of these it fills; a row with none (an ungraded inspection) is left aside and counted.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from decimal import Decimal

from django.utils import timezone

from saferschools.lib.csvfile import LineError

from .importing_files import (
    INSPECTION_BEHAVIOUR,
    INSPECTIONS,
    Figure,
    IndicatorFile,
    IndicatorFileError,
    IndicatorImportError,
    Layout,
    Rows,
    SchoolRow,
    other_period_reason,
    row_fields,
    single_period,
    urn_error,
    urn_read,
)
from .models import PeriodKind
from .periods import FIRST_YEAR, Period, period_of

OFSTED_INSPECTIONS = Layout(
    "ofsted_inspections",
    "Ofsted state-funded schools inspections",
    "Ofsted state-funded schools inspections management information (URN, Inspection start "
    "date, Behaviour and attitudes or an earlier framework's behaviour judgement)",
    INSPECTIONS,
)

# The behaviour judgement's columns, newest framework first; lower case.
GRADE_COLUMNS = (
    "latest oeif behaviour and attitudes",
    "behaviour and attitudes",
    "personal development, behaviour and welfare",
    "behaviour and safety of pupils",
    "behaviour and safety",
)
DATE_COLUMNS = (
    "inspection start date of latest oeif graded inspection",
    "inspection start date",
    "inspection date",
)
GRADES = {
    "1": 1,
    "2": 2,
    "3": 3,
    "4": 4,
    "outstanding": 1,
    "good": 2,
    "requires improvement": 3,
    "satisfactory": 3,  # grade 3 until September 2012
    "inadequate": 4,
}
# Ofsted writes NULL where an inspection made no such judgement.
NO_GRADE = frozenset({"", "null", "not judged", "n/a", "na", "not applicable"})
NO_JUDGEMENT = "inspections without a behaviour judgement (ungraded inspections)"
EARLIER = "earlier inspections of a school in the same academic year"

_DAY_FIRST = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})( [0-9:]{4,8})?")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})([ T][0-9:]{4,8})?")


def is_inspections_header(columns: dict[str, int]) -> bool:
    return "urn" in columns and any(name in columns for name in GRADE_COLUMNS)


def inspections_header_error(columns: dict[str, int], line: int) -> IndicatorFileError | None:
    """What an inspections header lacks, if anything."""
    if not any(name in columns for name in DATE_COLUMNS):
        return IndicatorFileError(
            line,
            "an Ofsted inspections file needs the date of the inspection: a column "
            "'Inspection start date' (or 'Inspection date', or 'Inspection start date of "
            "latest OEIF graded inspection')",
        )
    return None


def day_read(text: str) -> date | None:
    """A date as Ofsted's files write it (31/01/2024), or as a spreadsheet saves it
    (2024-01-31), with or without a time; ``None`` for anything else."""
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = int(match[1]), int(match[2]), int(match[3])
    elif match := _ISO.fullmatch(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _first_filled(fields: list[str], columns: dict[str, int], names: tuple[str, ...]) -> str:
    """The first of ``names`` the row fills (not empty, NULL or "not judged"), or ""."""
    for name in names:
        position = columns.get(name)
        if position is not None and fields[position].lower() not in NO_GRADE:
            return name
    return ""


def read_inspections(
    rows: Rows,
    names: list[str],
    columns: dict[str, int],
    chosen: Period | None,
    header_line: int,
    file_name: str,
) -> IndicatorFile:
    """Every row with a behaviour judgement, as the school's grade in the academic year of the
    inspection. A school inspected twice in one year keeps the later judgement."""
    shown = {name.lower(): name for name in names}
    today = timezone.localdate()
    errors: list[LineError] = []
    kept: dict[tuple[int, Period], tuple[date, SchoolRow]] = {}
    skipped: Counter[str] = Counter()
    seen: set[Period] = set()
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
        row_errors: list[LineError] = []
        urn_text = fields[columns["urn"]]
        urn = urn_read(urn_text)
        if urn is None:
            row_errors.append(urn_error(urn_text, shown["urn"], line))
        grade_column = _first_filled(fields, columns, GRADE_COLUMNS)
        if not grade_column:
            errors.extend(row_errors)
            skipped[NO_JUDGEMENT] += 1
            continue
        grade_text = fields[columns[grade_column]]
        grade = GRADES.get(grade_text.lower())
        if grade is None:
            row_errors.append(
                IndicatorFileError(
                    line,
                    f"{shown[grade_column]} {grade_text[:20]!r} is not a grade: 1 to 4, or "
                    "Outstanding, Good, Requires improvement, Inadequate",
                )
            )
        date_column = _first_filled(fields, columns, DATE_COLUMNS)
        day = day_read(fields[columns[date_column]]) if date_column else None
        if not date_column:
            row_errors.append(
                IndicatorFileError(line, "the row has a behaviour judgement but no date")
            )
        elif day is None or day.year < FIRST_YEAR:
            text = fields[columns[date_column]]
            row_errors.append(
                IndicatorFileError(
                    line, f"{shown[date_column]} {text[:20]!r} is not a date like 31/01/2024"
                )
            )
        elif day > today:
            row_errors.append(
                IndicatorFileError(line, f"{shown[date_column]} {day:%d/%m/%Y} is after today")
            )
        if row_errors:
            errors.extend(row_errors)
            continue
        assert urn is not None and grade is not None and day is not None
        period = period_of(day, PeriodKind.YEAR)
        seen.add(period)
        if chosen is not None and period != chosen:
            skipped[other_period_reason(chosen)] += 1
            continue
        school_row = SchoolRow(
            line=line,
            urn=urn,
            period=period,
            figures=(Figure(INSPECTION_BEHAVIOUR, Decimal(grade)),),
        )
        earlier = kept.get((urn, period))
        if earlier is not None and earlier[0] == day:
            errors.append(
                IndicatorFileError(
                    line,
                    f"URN {urn} inspected on {day:%d/%m/%Y} is already on line {earlier[1].line}",
                )
            )
            continue
        if earlier is None or earlier[0] < day:
            kept[(urn, period)] = (day, school_row)
        if earlier is not None:
            skipped[EARLIER] += 1

    if errors:
        raise IndicatorImportError(errors)
    if count == 0:
        raise IndicatorImportError(
            [IndicatorFileError(header_line, "the file has a header but no rows")]
        )
    if not seen:
        raise IndicatorImportError(
            [IndicatorFileError(header_line, "no row has a behaviour judgement")]
        )
    return IndicatorFile(
        layout=OFSTED_INSPECTIONS,
        file_name=file_name,
        rows=count,
        indicators=(INSPECTION_BEHAVIOUR,),
        periods=single_period(seen, chosen, header_line),
        schools=sorted((school_row for _, school_row in kept.values()), key=lambda r: r.line),
        skipped=dict(skipped),
    )
