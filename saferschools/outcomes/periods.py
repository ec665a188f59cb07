"""The periods indicator values are given for: academic years, terms and calendar months.

Labels are what people read and what the API takes: "2025/26" for the academic year from
1 September 2025 to 31 August 2026; "2025/26 autumn", "2025/26 spring" and "2025/26 summer" for its
terms (1 September to 31 December, 1 January to 31 March, 1 April to 31 August: the
Department for Education's termly statistics cut the year the same way, whatever a school's own
holiday dates); "2026-03" for a calendar month.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from saferschools.lib.schooldays import (
    TERM_NAMES,
    academic_year_label,
    academic_year_of,
    term_bounds,
    term_of,
)

from .models import PeriodKind

TERMS = tuple(name.lower() for name in TERM_NAMES)

_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_TERM = re.compile(r"^(\d{4})/(\d{2}) (autumn|spring|summer)$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR, LAST_YEAR = 1990, 2100


class PeriodError(ValueError):
    """A label that names no period, in words fit to show the person who typed it."""


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date
    kind: str
    label: str

    def __str__(self) -> str:
        return self.label

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def year_period(start_year: int) -> Period:
    return Period(
        date(start_year, 9, 1),
        date(start_year + 1, 8, 31),
        PeriodKind.YEAR,
        academic_year_label(start_year),
    )


def term_period(start_year: int, term: str) -> Period:
    start, after = term_bounds((start_year, TERMS.index(term)))
    label = f"{academic_year_label(start_year)} {term}"
    return Period(start, after - timedelta(days=1), PeriodKind.TERM, label)


def month_period(day: date) -> Period:
    start = day.replace(day=1)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return Period(start, following - timedelta(days=1), PeriodKind.MONTH, f"{start:%Y-%m}")


def period_of(day: date, kind: str) -> Period:
    """The period of this kind holding ``day``."""
    if kind == PeriodKind.MONTH:
        return month_period(day)
    if kind == PeriodKind.YEAR:
        return year_period(academic_year_of(day))
    start_year, index = term_of(day)
    return term_period(start_year, TERMS[index])


def next_period(period: Period) -> Period:
    return period_of(period.end + timedelta(days=1), period.kind)


def periods_between(kind: str, since: date, until: date) -> list[Period]:
    """Every period of this kind that overlaps ``since`` to ``until``, in order."""
    found: list[Period] = []
    if until < since:
        return found
    period = period_of(since, kind)
    while period.start <= until:
        found.append(period)
        period = next_period(period)
    return found


def parse_period(label: object) -> Period:
    """The period a label names; ``PeriodError`` for anything else."""
    text = str(label or "").strip()
    if match := _YEAR.match(text):
        start_year = _checked_year(int(match[1]), int(match[2]), text)
        return year_period(start_year)
    if match := _TERM.match(text):
        start_year = _checked_year(int(match[1]), int(match[2]), text)
        return term_period(start_year, match[3])
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
            raise PeriodError(f"“{text}” is not a month between {FIRST_YEAR} and {LAST_YEAR}.")
        return month_period(date(year, month, 1))
    raise PeriodError(
        f"“{text[:40]}” is not a period: give an academic year as 2025/26, a term as "
        "2025/26 autumn (or spring, summer) or a month as 2026-03."
    )


def _checked_year(start_year: int, end_two_digits: int, text: str) -> int:
    if not FIRST_YEAR <= start_year <= LAST_YEAR:
        raise PeriodError(f"“{text}” is not an academic year between {FIRST_YEAR} and {LAST_YEAR}.")
    if (start_year + 1) % 100 != end_two_digits:
        raise PeriodError(
            f"“{text}” is not an academic year: after {start_year} comes {academic_year_label(start_year)}."
        )
    return start_year
