"""The figures an evaluation rests on: one indicator's values for a set of schools, by period,
as numbers that may be shown to anyone who reads the evaluation.

Imported figures are read by academic year, survey results by term (``indicator_kind``).
A figure the publisher suppressed, or a survey result from fewer than ``SUPPRESS_BELOW``
pupils, is left out and counted (``Panel.left_out``), so that the evaluation's caveats can say
so. Figures are read from ``LOOKBACK_YEARS`` academic years before the partnership began to
today.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from saferschools.core.models import Partnership, School
from saferschools.lib.suppression import SUPPRESS_BELOW

from .models import Indicator, PeriodKind
from .periods import Period
from .values import Value, indicator_values

LOOKBACK_YEARS = 10


def indicator_kind(indicator: Indicator) -> str:
    """The period an evaluation of this indicator counts in: terms for survey results (a
    survey round is a term's), academic years for everything else."""
    return PeriodKind.TERM if indicator.source == Indicator.Source.SURVEYED else PeriodKind.YEAR


def school_start(partnership: Partnership, joined_on: date | None) -> date | None:
    """When a school's time in the partnership began: the partnership's start, or the school's
    own later joining."""
    started = partnership.started_on
    if started is None:
        return None
    return max(started, joined_on) if joined_on is not None else started


@dataclass(frozen=True)
class Panel:
    kind: str
    figures: dict[uuid.UUID, dict[str, float]]  # school id → period label → figure
    periods: dict[str, Period]  # every period with a figure, by label
    left_out: int  # figures suppressed by the publisher, or surveys with too few answers

    def mean(self, school_id: uuid.UUID, before: date) -> float | None:
        """The school's mean figure over the periods that start before ``before``."""
        shown = [
            figure
            for label, figure in self.figures.get(school_id, {}).items()
            if self.periods[label].start < before
        ]
        return sum(shown) / len(shown) if shown else None


def _withheld(value: Value) -> bool:
    """Whether a figure exists but may not be shown: suppressed by its publisher, or a survey
    result resting on 1 to 4 answers."""
    if value.suppressed:
        return True
    return value.respondents is not None and 0 < value.respondents < SUPPRESS_BELOW


def panel_read(
    *, indicator: Indicator, schools: Iterable[School], started_on: date, until: date
) -> Panel:
    """The indicator's usable figures for each school, from ``LOOKBACK_YEARS`` years before
    ``started_on`` to ``until``."""
    kind = indicator_kind(indicator)
    since = date(started_on.year - LOOKBACK_YEARS, 9, 1)
    values = indicator_values(
        indicator=indicator, schools=list(schools), kind=kind, since=since, until=until
    )
    figures: dict[uuid.UUID, dict[str, float]] = {}
    periods: dict[str, Period] = {}
    left_out = 0
    for school_id, by_period in values.items():
        for label, value in by_period.items():
            if _withheld(value):
                left_out += 1
                continue
            if value.value is None:
                continue
            figures.setdefault(school_id, {})[label] = float(value.value)
            periods[label] = value.period
    return Panel(kind, figures, periods, left_out)


@dataclass(frozen=True)
class GroupMean:
    """The mean figure of each group of schools in one period (None where a group has none),
    and how many schools each mean is over."""

    period: Period
    partnership: float | None
    comparison: float | None
    partnership_schools: int
    comparison_schools: int


def _mean(figures: list[float]) -> float | None:
    return sum(figures) / len(figures) if figures else None


def group_means(
    panel: Panel, *, partnership_ids: Iterable[uuid.UUID], comparison_ids: Iterable[uuid.UUID]
) -> list[GroupMean]:
    """Each period's mean figure for the partnership's schools and for the comparison schools,
    in time order: the two lines of a parallel-trends chart."""
    partnership_ids, comparison_ids = list(partnership_ids), list(comparison_ids)
    means = []
    for period in sorted(panel.periods.values()):
        treated = [
            panel.figures[school][period.label]
            for school in partnership_ids
            if period.label in panel.figures.get(school, {})
        ]
        compared = [
            panel.figures[school][period.label]
            for school in comparison_ids
            if period.label in panel.figures.get(school, {})
        ]
        means.append(
            GroupMean(period, _mean(treated), _mean(compared), len(treated), len(compared))
        )
    return means
