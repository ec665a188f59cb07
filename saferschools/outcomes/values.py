"""Every indicator's values, whatever their source, read one way.

``indicator_values`` gives one indicator's value per school and period: imported figures as
stored, surveyed ones from the survey's answers, computed ones from the product's own records,
always up to date. ``group_values`` gives the same for a group of schools taken together (a
partnership, its comparison schools, an area). Dashboards, work-plan targets, the evaluation,
the annual report and the API all read through here.

A ``Value`` carries the raw figure and, for figures counted from records about pupils, how many
records it rests on (``records``): the caller decides, through the access policy, whether the
viewer sees it in full or with 1 to 4 suppressed (``saferschools.lib.suppression``). Nothing here
knows who is looking.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from saferschools.core.models import Area, School

from .models import Indicator, IndicatorValue
from .periods import Period, parse_period, periods_between


@dataclass(frozen=True)
class Value:
    code: str
    period: Period
    value: Decimal | None  # None when the publisher suppressed it or nothing can be said
    source: str
    suppressed: bool = False  # suppressed by the publisher (imported figures)
    records: int | None = None  # the records about pupils it rests on, for small-number checks
    respondents: int | None = None  # the survey answers it rests on
    breakdown: dict[str, Decimal] = field(default_factory=dict)  # by category or kind, if any


def indicator_values(
    *,
    indicator: Indicator,
    schools: Iterable[School],
    kind: str,
    since: date,
    until: date,
) -> dict[uuid.UUID, dict[str, Value]]:
    """The indicator's value for each school and each period of ``kind`` overlapping ``since``
    to ``until``, keyed by school id then period label; a period with no figure is left out. A
    fixed number of queries, whatever the number of schools and periods."""
    schools = list(schools)
    periods = periods_between(kind, since, until)
    if indicator.source == Indicator.Source.COMPUTED:
        from .computed import computed_values

        return computed_values(indicator=indicator, schools=schools, periods=periods)
    if indicator.source == Indicator.Source.SURVEYED:
        from .survey_results import survey_values

        return survey_values(indicator=indicator, schools=schools, periods=periods)
    return _imported(indicator, schools, kind, since, until)


def _imported(
    indicator: Indicator, schools: list[School], kind: str, since: date, until: date
) -> dict[uuid.UUID, dict[str, Value]]:
    found: dict[uuid.UUID, dict[str, Value]] = {school.pk: {} for school in schools}
    rows = IndicatorValue.objects.filter(
        indicator=indicator,
        school_id__in=list(found),
        period_kind=kind,
        period_start__gte=periods_between(kind, since, since)[0].start,
        period_start__lte=until,
    ).order_by("period_start")
    for row in rows:
        assert row.school_id is not None
        found[row.school_id][row.period] = Value(
            code=indicator.code,
            period=parse_period(row.period),
            value=row.value,
            source=indicator.source,
            suppressed=row.suppressed,
        )
    return found


def area_values(
    *, indicator: Indicator, area: Area, kind: str, since: date, until: date
) -> dict[str, Value]:
    """An area-level indicator's values (first-time entrants, say), keyed by period label."""
    rows = IndicatorValue.objects.filter(
        indicator=indicator,
        area=area,
        period_kind=kind,
        period_start__gte=periods_between(kind, since, since)[0].start,
        period_start__lte=until,
    ).order_by("period_start")
    return {
        row.period: Value(
            code=indicator.code,
            period=parse_period(row.period),
            value=row.value,
            source=indicator.source,
            suppressed=row.suppressed,
        )
        for row in rows
    }
