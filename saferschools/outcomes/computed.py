"""Indicators the product computes from its own records, always up to date.

Each is defined once (``DEFINITIONS``: what is counted, the moment that places a record in time,
which records count, how they are summed) and read per school over a span of days
(``computed_by_school_and``, split by a field such as the category; ``computed_total`` over
schools) or per calendar month over schools (``computed_by_month``): counts of
pupils' reports, incidents and critical incidents, the hours and patrols officers logged.

Counts of reports and incidents (``PUPIL_RECORD_CODES``) are counts of records about pupils: a
caller showing them to a role without personal-data access suppresses 1 to 4
(``saferschools.lib.suppression``). Officers' hours and patrols are about the officers' work, which
their supervisors and the partnership see in full, and are not suppressed.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from saferschools.activity.models import Activity, ActivityKind
from saferschools.core.models import School
from saferschools.incidents.models import Incident
from saferschools.incidents.models.incidents import Severity
from saferschools.lib.schooldays import LONDON
from saferschools.reporting.models import Report


@dataclass(frozen=True)
class Definition:
    model: type[Any]
    moment: str  # the field that places a record in time
    condition: Q
    total: Any  # the aggregate: a count of records, or a sum of minutes
    minutes: bool = False  # summed in minutes, given in hours


DEFINITIONS: dict[str, Definition] = {
    "pupil_reports": Definition(Report, "received_at", Q(), Count("id")),
    "incidents": Definition(Incident, "occurred_at", Q(), Count("id")),
    "critical_incidents": Definition(
        Incident,
        "occurred_at",
        Q(severity=Severity.CRITICAL) | Q(flagged_critical=True),
        Count("id"),
    ),
    "officer_hours": Definition(Activity, "started_at", Q(), Sum("minutes"), minutes=True),
    "patrols": Definition(Activity, "started_at", Q(kind=ActivityKind.PATROL), Count("id")),
}

COMPUTED_CODES = frozenset(DEFINITIONS)
PUPIL_RECORD_CODES = frozenset({"pupil_reports", "incidents", "critical_incidents"})
HOURS = Decimal("0.1")


def _bounds(since: date, until: date) -> tuple[datetime, datetime]:
    """The first moment of ``since`` and the last of ``until``, as London days."""
    start = datetime.combine(since, time.min, tzinfo=LONDON)
    end = datetime.combine(until, time.max, tzinfo=LONDON)
    return start, end


def _records(definition: Definition, school_ids: list[uuid.UUID], since: date, until: date):
    return definition.model.objects.filter(
        definition.condition,
        school_id__in=school_ids,
        **{f"{definition.moment}__range": _bounds(since, until)},
    ).order_by()


def _given(definition: Definition, value: Decimal) -> Decimal:
    return (value / 60).quantize(HOURS, rounding=ROUND_HALF_UP) if definition.minutes else value


def computed_by_school_and(
    *, code: str, field: str, schools: Iterable[School], since: date, until: date
) -> dict[uuid.UUID, dict[Any, Decimal]]:
    """The computed indicator ``code`` for each school from ``since`` to ``until`` (London days,
    both included), split by the value of the records' ``field`` (a report's or an incident's
    ``category``); a school with nothing recorded maps to an empty dict. One query.

    Raises ``KeyError`` for a code the product does not compute."""
    definition = DEFINITIONS[code]
    school_ids = [school.pk for school in schools]
    found: dict[uuid.UUID, dict[Any, Decimal]] = {school_id: {} for school_id in school_ids}
    if not school_ids or until < since:
        return found
    rows = (
        _records(definition, school_ids, since, until)
        .values("school_id", field)
        .annotate(n=definition.total)
        .values_list("school_id", field, "n")
    )
    for school_id, value, total in rows:
        found[school_id][value] = _given(definition, Decimal(total or 0))
    return found


def computed_total(*, code: str, schools: Iterable[School], since: date, until: date) -> Decimal:
    """The computed indicator summed over the schools. One query."""
    definition = DEFINITIONS[code]
    school_ids = [school.pk for school in schools]
    if not school_ids or until < since:
        return Decimal(0)
    total = _records(definition, school_ids, since, until).aggregate(n=definition.total)["n"]
    return _given(definition, Decimal(total or 0))


def month_after(month: date, count: int = 1) -> date:
    """The first day of the month ``count`` months after ``month``'s (before, if negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return month_after(month) - timedelta(days=1)


def computed_by_month(
    *, code: str, schools: Iterable[School], first: date, last: date
) -> dict[date, Decimal]:
    """The computed indicator ``code`` summed over the schools for each calendar month from
    ``first``'s to ``last``'s (London time), keyed by the month's first day; a month with
    nothing recorded maps to 0. One query. Raises ``KeyError`` for an unknown code."""
    definition = DEFINITIONS[code]
    school_ids = [school.pk for school in schools]
    first, last = first.replace(day=1), last.replace(day=1)
    found: dict[date, Decimal] = {}
    month = first
    while month <= last:
        found[month] = Decimal(0)
        month = month_after(month)
    if not school_ids or not found:
        return found
    rows = (
        _records(definition, school_ids, first, month_end(last))
        .annotate(month=TruncMonth(definition.moment, tzinfo=LONDON))
        .values("month")
        .annotate(n=definition.total)
    )
    sums: dict[date, Decimal] = {}
    for row in rows:
        when = row["month"]
        if isinstance(when, datetime):
            when = when.astimezone(LONDON)
        key = date(when.year, when.month, 1)
        sums[key] = sums.get(key, Decimal(0)) + Decimal(row["n"] or 0)
    for key, value in sums.items():
        found[key] = _given(definition, value)
    return found
