"""Every indicator's values, whatever their source, read one way.

``indicator_values`` gives one indicator's value per school and period: imported figures as
stored, surveyed ones from the survey's answers (``survey_results``), computed ones from the
product's own records (``computed``), always up to date. ``group_values`` gives the same for a
group of schools taken together (a partnership, its comparison schools, an area's schools), and
``area_values`` an area-level indicator's figures (first-time entrants). Dashboards, work-plan
targets, the evaluation, the annual report and the API all read through here.

A ``Value`` carries the raw figure and, for figures counted from records about pupils, how many
records it rests on (``records``) and the counts it could give away (``parts``): the caller
decides, through the access policy, whether the viewer sees it in full or with 1 to 4 suppressed
(``saferschools.outcomes.indicator_suppression``); a surveyed figure carries how many pupils
answered (``respondents``), and one resting on fewer than five is not shown to anyone. Nothing
here knows who is looking.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from saferschools.core.models import Area, School

from .models import Indicator, IndicatorValue
from .periods import Period, parse_period, periods_between

# Imported figures that are rates of pupils (or of sessions, or of young people) are combined
# weighted by the schools' pupils on roll; grades and scores by a plain mean.
RATE_UNITS = frozenset(
    {Indicator.Unit.PERCENT, Indicator.Unit.PER_100_PUPILS, Indicator.Unit.PER_100K}
)
COMBINED = Decimal("0.01")


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
    # Named counts behind the figure. Computed from records about pupils: the counts it could
    # give away (a share's records counted and not counted, say; see ``computed.READERS``).
    # Imported, for schools taken together: "schools" combined and "suppressed" left out.
    parts: dict[str, int] = field(default_factory=dict)


def indicator_values(
    *,
    indicator: Indicator,
    schools: Iterable[School],
    kind: str,
    since: date,
    until: date,
) -> dict[uuid.UUID, dict[str, Value]]:
    """The indicator's value for each school and each period of ``kind`` overlapping ``since``
    to ``until``, keyed by school id then period label. An imported period with no figure is
    left out (one the publisher suppressed is there, ``suppressed`` and with no value); a
    computed figure is given for every period that has begun. A fixed number of queries,
    whatever the number of schools and periods."""
    schools = list(schools)
    periods = periods_between(kind, since, until)
    if indicator.source == Indicator.Source.COMPUTED:
        from .computed import computed_values

        return computed_values(indicator=indicator, schools=schools, periods=periods)
    if indicator.source == Indicator.Source.SURVEYED:
        from .survey_results import survey_values

        return survey_values(indicator=indicator, schools=schools, periods=periods)
    return _imported(indicator, schools, kind, since, until)


def group_values(
    *,
    indicator: Indicator,
    schools: Iterable[School],
    kind: str,
    since: date,
    until: date,
) -> dict[str, Value]:
    """The indicator for the schools taken together, for each period of ``kind`` overlapping
    ``since`` to ``until``, keyed by period label, in period order:

    - computed: counts summed, rates per 100 pupils over all their pupils, shares and medians
      over their records pooled (``computed.computed_group_values``);
    - surveyed: the answers of all their pupils pooled (``survey_results.survey_group_values``);
    - imported: rates (per cent, per 100 pupils, per 100,000) weighted by the schools' pupils on
      roll when every school with a figure has a known number, a plain mean otherwise; grades
      and scores a plain mean. Figures the publisher suppressed are left out and counted
      (``parts["suppressed"]``); a period whose every figure was suppressed is ``suppressed``.

    An area-level indicator has no school figures: read it with ``area_values``. A fixed number
    of queries."""
    schools = list(schools)
    periods = periods_between(kind, since, until)
    if indicator.source == Indicator.Source.COMPUTED:
        from .computed import computed_group_values

        return computed_group_values(indicator=indicator, schools=schools, periods=periods)
    if indicator.source == Indicator.Source.SURVEYED:
        from .survey_results import survey_group_values

        return survey_group_values(indicator=indicator, schools=schools, periods=periods)
    by_school = _imported(indicator, schools, kind, since, until)
    return imported_group(indicator=indicator, schools=schools, by_school=by_school)


def imported_group(
    *,
    indicator: Indicator,
    schools: Iterable[School],
    by_school: dict[uuid.UUID, dict[str, Value]],
) -> dict[str, Value]:
    """Imported figures of the schools, as ``indicator_values`` gave them, combined period by
    period as ``group_values`` combines them, in period order. No query."""
    by_period: dict[str, list[tuple[School, Value]]] = defaultdict(list)
    for school in schools:
        for label, value in by_school.get(school.pk, {}).items():
            by_period[label].append((school, value))
    found: dict[str, Value] = {}
    for label, pairs in sorted(by_period.items(), key=lambda item: item[1][0][1].period):
        combined = combine(pairs, by_pupils=indicator.unit in RATE_UNITS)
        found[label] = Value(
            code=indicator.code,
            period=pairs[0][1].period,
            value=combined.value,
            source=indicator.source,
            suppressed=combined.value is None and combined.suppressed > 0,
            parts={"schools": combined.schools, "suppressed": combined.suppressed},
        )
    return found


@dataclass(frozen=True)
class Combined:
    """Schools' published figures for one indicator combined into one figure."""

    value: Decimal | None
    weighted: bool
    schools: int
    suppressed: int


def combine(pairs: Sequence[tuple[School, Value]], *, by_pupils: bool = True) -> Combined:
    """The schools' figures combined: with ``by_pupils``, the mean weighted by their numbers of
    pupils when every one of them is known, else (or without ``by_pupils``) the plain mean;
    suppressed figures left out (and counted). To two decimal places."""
    numbers = [(school, v.value) for school, v in pairs if not v.suppressed and v.value is not None]
    suppressed = sum(1 for _, v in pairs if v.suppressed)
    if not numbers:
        return Combined(None, False, 0, suppressed)
    weights = [school.number_of_pupils or 0 for school, _ in numbers]
    weighted = by_pupils and all(weights)
    if weighted:
        total = Decimal(sum(weights))
        mean = sum((Decimal(w) * n for (_, n), w in zip(numbers, weights, strict=True)), Decimal(0))
        mean /= total
    else:
        mean = sum((n for _, n in numbers), Decimal(0)) / len(numbers)
    return Combined(mean.quantize(COMBINED), weighted, len(numbers), suppressed)


def _imported(
    indicator: Indicator, schools: list[School], kind: str, since: date, until: date
) -> dict[uuid.UUID, dict[str, Value]]:
    found: dict[uuid.UUID, dict[str, Value]] = {school.pk: {} for school in schools}
    periods = periods_between(kind, since, until)
    if not found or not periods:
        return found
    rows = IndicatorValue.objects.filter(
        indicator=indicator,
        school_id__in=list(found),
        period_kind=kind,
        period_start__gte=periods[0].start,
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
    *, indicator: Indicator, area: Area | uuid.UUID, kind: str, since: date, until: date
) -> dict[str, Value]:
    """An area-level indicator's values (first-time entrants, say) for the area (or the area
    of this id), keyed by period label, in period order. One query."""
    periods = periods_between(kind, since, until)
    if not periods:
        return {}
    rows = IndicatorValue.objects.filter(
        indicator=indicator,
        area=area,
        period_kind=kind,
        period_start__gte=periods[0].start,
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
