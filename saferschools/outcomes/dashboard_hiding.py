"""Which figures a dashboard leaves out, so that no count from 1 to 4 about pupils can be read,
or worked out by taking one figure shown from another.

Computed figures are decided as everywhere else in the product (``indicator_suppression``: the
same cells, relations and order, so that a figure left out on a dashboard is left out in the
API, the work-plan and the annual report too), over whole academic years and every indicator
sharing its cells. This module adds what only dashboards show:

- the area's schools taken together, against its partnerships and its schools in no
  partnership (each of those settled first, as their own dashboards show them), so that the area
  less the groups shown never gives a group left out away;
- a school's figure split by category, against its figure for the period and over periods
  (``hidden_categories``);
- the pupil survey's figures of schools and groups: the pupils answering, those counted towards
  the indicator and the others, none from 1 to 4, for whoever looks (survey answers are
  anonymous: nobody sees a few in full).

Levels are settled in turn, each before the next is checked against it: schools, then groups
of schools, then the area. Protecting a total never hides a figure settled below it, so a
school's figure is left out on every page that shows it or on none.
"""

import uuid
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from django.utils import timezone

from saferschools.core.models import School
from saferschools.lib.suppression import (
    SUPPRESS_BELOW,
    SuppressionStuck,
    suppressed_cells,
    suppressed_cells_settled,
)

from .computed import PUPIL_RECORD_CODES, Facts, computed_facts
from .indicator_suppression import (
    CELLS,
    FAMILIES,
    NOT_OVER_PERIODS,
    cell_relations,
    figure_cells,
    figures_left_out,
    whole_years,
)
from .models import Indicator, PeriodKind
from .periods import Period
from .values import Value

Cell = tuple[str, str]  # (what is counted, period label)
Relations = list[tuple[Hashable, list[Hashable]]]


@dataclass(frozen=True)
class Settled:
    """One school's or group's cells of one academic year, and those left out."""

    cells: dict[Cell, int]
    hidden: set[Cell]


class Counted(Protocol):
    """The cells of one indicator's figures, as some source counts them."""

    def school_cells(self, school_id: uuid.UUID, year: Sequence[Period]) -> dict[Cell, int]:
        """A school's cells, in a fixed order; empty for a school with nothing counted."""

    def share(self, cells: dict[Cell, int]) -> dict[Cell, int]:
        """What of a school's cells a group's figure is made of."""

    def relations(self, cells: dict[Cell, int], year: Sequence[Period]) -> Relations:
        """Which cells are sums of others."""

    def hidden_labels(self, hidden: set[Cell], year: Sequence[Period]) -> set[str]:
        """The periods whose figure shows a cell left out."""


class ComputedCells:
    """A computed indicator's cells, read once for every school (``computed.computed_facts``)
    with every indicator sharing them, made as ``indicator_suppression`` makes them.

    A school's cells of a term or a year are the sums of its months' (every count it rests on
    adds up over periods), but for the few that do not add up (``NOT_OVER_PERIODS``), which
    are read for the period itself. A group's cells are the sums of its schools'."""

    def __init__(self, indicator: Indicator, facts: dict[str, Facts]) -> None:
        self.code = indicator.code
        self.facts = facts
        self.active = {school_id for one in facts.values() for school_id, _ in one.cells}
        self.summed = {code for code in facts if not set(CELLS[code].values()) & NOT_OVER_PERIODS}

    def school_cells(self, school_id: uuid.UUID, year: Sequence[Period]) -> dict[Cell, int]:
        if school_id not in self.active:
            return {}
        months = [period for period in year if period.kind == PeriodKind.MONTH]
        figures: dict[str, dict[str, Value]] = {}
        for code, one in self.facts.items():
            by_month = {month.label: one.value([school_id], month) for month in months}
            figures[code] = {}
            for period in year:
                if period.kind == PeriodKind.MONTH:
                    figure = by_month[period.label]
                elif code in self.summed:
                    inside = [by_month[m.label] for m in months if period.contains(m.start)]
                    figure = _summed(code, period, inside)
                else:
                    figure = one.value([school_id], period)
                figures[code][period.label] = figure
        return figure_cells(figures)

    def share(self, cells: dict[Cell, int]) -> dict[Cell, int]:
        return cells

    def relations(self, cells: dict[Cell, int], year: Sequence[Period]) -> Relations:
        return cell_relations(cells, year)

    def hidden_labels(self, hidden: set[Cell], year: Sequence[Period]) -> set[str]:
        family = list(self.facts)
        return {
            label for code, label in figures_left_out(family, year, hidden) if code == self.code
        }


def _summed(code: str, period: Period, months: Sequence[Value]) -> Value:
    """A period's counts behind a figure, as the sums of its months'."""
    parts: dict[str, int] = {}
    for month in months:
        for part, count in month.parts.items():
            parts[part] = parts.get(part, 0) + count
    return Value(code=code, period=period, value=None, source="", parts=parts)


ANSWERING, COUNTED, OTHERS = "answering", "counted", "others"


class SurveyCells:
    """A surveyed indicator's cells: for each period, the pupils answering, those counted
    towards it and the others. A school with fewer than 5 answering in a period is left out of
    a group's figure for it (``survey_results.survey_group_values``), and so of its cells."""

    def __init__(self, by_school: Mapping[uuid.UUID, Mapping[str, Value]]) -> None:
        self.by_school = by_school

    def school_cells(self, school_id: uuid.UUID, year: Sequence[Period]) -> dict[Cell, int]:
        found: dict[Cell, int] = {}
        by_label = self.by_school.get(school_id, {})
        for period in year:
            value = by_label.get(period.label)
            if value is None or not value.respondents:
                continue
            answering, counted = value.respondents, 0
            if value.value is not None:
                counted = int(
                    (value.value * answering / 100).to_integral_value(rounding=ROUND_HALF_UP)
                )
            found[(ANSWERING, period.label)] = answering
            found[(COUNTED, period.label)] = counted
            found[(OTHERS, period.label)] = answering - counted
        return found

    def share(self, cells: dict[Cell, int]) -> dict[Cell, int]:
        few = {
            label for (what, label), n in cells.items() if what == ANSWERING and n < SUPPRESS_BELOW
        }
        return {cell: n for cell, n in cells.items() if cell[1] not in few}

    def relations(self, cells: dict[Cell, int], year: Sequence[Period]) -> Relations:
        relations = cell_relations(cells, year)
        for period in year:
            if (ANSWERING, period.label) in cells:
                relations.append(
                    ((ANSWERING, period.label), [(COUNTED, period.label), (OTHERS, period.label)])
                )
        return relations

    def hidden_labels(self, hidden: set[Cell], year: Sequence[Period]) -> set[str]:
        return {label for _, label in hidden}


def settle_school(counted: Counted, school_id: uuid.UUID, year: Sequence[Period]) -> Settled:
    """Level 1: a school over its own periods."""
    cells = counted.school_cells(school_id, year)
    if not any(cells.values()):
        return Settled(cells, set())
    counts: dict[Hashable, int] = dict(cells.items())
    hidden = suppressed_cells(counts, counted.relations(cells, year))
    return Settled(cells, {cell for cell in cells if cell in hidden})


TOTAL = "total"


def settle_total(
    counted: Counted, parts: Mapping[Hashable, Settled], year: Sequence[Period]
) -> Settled:
    """Levels 2 and 3: the total of parts already settled (schools, or groups of schools);
    only the total's own cells are left out to protect a part. Where nothing of it can be, the
    whole total is left out."""
    cells: dict[Cell, int] = {}
    for part in parts.values():
        for cell, n in part.cells.items():
            cells[cell] = cells.get(cell, 0) + n
    if not any(cells.values()):
        return Settled(cells, set())
    counts: dict[Hashable, int] = {(TOTAL, cell): n for cell, n in cells.items()}
    relations: Relations = [
        ((TOTAL, total), [(TOTAL, part) for part in each])
        for total, each in counted.relations(cells, year)
    ]
    settled: dict[Hashable, bool] = {}
    for key, part in parts.items():
        for cell, n in part.cells.items():
            counts[(key, cell)] = n
            settled[(key, cell)] = cell in part.hidden
    for cell in cells:
        members: list[Hashable] = [(key, cell) for key, part in parts.items() if cell in part.cells]
        relations.append(((TOTAL, cell), members))
    try:
        hidden = suppressed_cells_settled(counts, relations, settled)
    except SuppressionStuck:
        return Settled(cells, set(cells))
    return Settled(cells, {cell for cell in cells if (TOTAL, cell) in hidden})


@dataclass(frozen=True)
class Groups:
    """The groups of schools a dashboard shows, by key (a partnership's id, "comparison",
    "unpartnered"), and whether the area's total is shown against them: ``partnered`` names the
    keys of the partnerships, whose total with ``unpartnered`` is the area's."""

    members: Mapping[Hashable, Sequence[uuid.UUID]]
    partnered: Sequence[Hashable] = ()
    unpartnered: Hashable | None = None


AREA = "area"
PARTNERED = "partnered"


def hidden_figures(
    *,
    indicator: Indicator,
    schools: Sequence[School],
    seen: set[uuid.UUID],
    groups: Groups,
    periods: Sequence[Period],
    survey: Mapping[uuid.UUID, Mapping[str, Value]] | None = None,
) -> dict[Hashable, set[str]]:
    """The period labels of each school's (by id) and each group's (by key, and ``AREA``)
    figure to leave out for a viewer who sees the counts of the schools ``seen`` in full, over
    every period of the academic years ``periods`` fall in. Nothing for a published figure or
    one about nobody in particular (officers' hours). For a computed figure, one to three
    queries whatever the number of schools and groups; none for the survey, whose values are
    given (``survey``, by school)."""
    years = whole_years(periods, timezone.localdate())
    if not years:
        return {}
    counted: Counted
    if indicator.source == Indicator.Source.SURVEYED and survey is not None:
        # Survey answers are anonymous: nobody sees a few of them in full.
        counted, seen = SurveyCells(survey), set()
    elif indicator.code in PUPIL_RECORD_CODES:
        unseen = [school for school in schools if school.pk not in seen]
        if not unseen:
            return {}
        facts = computed_facts(
            codes=list(FAMILIES[indicator.code]),
            schools=unseen,
            first=years[0][0].start,
            last=years[-1][0].end,
        )
        counted = ComputedCells(indicator, facts)
    else:
        return {}
    school_ids = [school.pk for school in schools]
    found: dict[Hashable, set[str]] = {}
    for year in years:
        for key, labels in _year_hidden(counted, school_ids, seen, groups, year).items():
            found.setdefault(key, set()).update(labels)
    return found


def _year_hidden(
    counted: Counted,
    school_ids: Sequence[uuid.UUID],
    seen: set[uuid.UUID],
    groups: Groups,
    year: Sequence[Period],
) -> dict[Hashable, set[str]]:
    # What the viewer sees in full they can take away from any total: only the others count.
    schools = {
        school_id: settle_school(counted, school_id, year)
        for school_id in school_ids
        if school_id not in seen
    }
    found: dict[Hashable, set[str]] = {
        school_id: counted.hidden_labels(one.hidden, year)
        for school_id, one in schools.items()
        if one.hidden
    }
    shares = {
        school_id: Settled(counted.share(one.cells), one.hidden)
        for school_id, one in schools.items()
        if one.cells
    }
    settled: dict[Hashable, Settled] = {}
    for key, members in groups.members.items():
        parts: dict[Hashable, Settled] = {
            school_id: shares[school_id] for school_id in members if school_id in shares
        }
        settled[key] = settle_total(counted, parts, year)
        found[key] = counted.hidden_labels(settled[key].hidden, year)
    if groups.unpartnered is not None:
        tiers = {
            PARTNERED: settle_total(counted, {key: settled[key] for key in groups.partnered}, year),
            groups.unpartnered: settled[groups.unpartnered],
        }
        found[AREA] = counted.hidden_labels(settle_total(counted, tiers, year).hidden, year)
    return found


# A school's figure by category ------------------------------------------------------------------


def _nesting(year: Sequence[Period]) -> list[tuple[str, list[str]]]:
    """Each year's label with its terms', and each term's with its months'."""
    inner_kind: dict[str, str] = {
        PeriodKind.YEAR: PeriodKind.TERM,
        PeriodKind.TERM: PeriodKind.MONTH,
    }
    return [
        (
            outer.label,
            [p.label for p in year if p.kind == inner_kind[outer.kind] and outer.contains(p.start)],
        )
        for outer in year
        if outer.kind in inner_kind
    ]


def category_weights(value: Value, unit: str) -> dict[str, int]:
    """A figure's split by category as counts of records: the split itself for a count, and for
    a rate over the same pupils (per 100 pupils) each category's share of the records."""
    if value.records is None or not value.breakdown:
        return {}
    if unit == Indicator.Unit.COUNT:
        return {key: int(part) for key, part in value.breakdown.items()}
    if not value.value:
        return dict.fromkeys(value.breakdown, 0)
    return {
        key: int(
            (Decimal(value.records) * part / value.value).to_integral_value(rounding=ROUND_HALF_UP)
        )
        for key, part in value.breakdown.items()
    }


def hidden_categories(
    values: Mapping[str, Value], hidden: set[str], unit: str, periods: Iterable[Period]
) -> set[tuple[str, str]]:
    """The (period label, category) figures of a school to leave out, its figures for each
    period settled before (``hidden``: the labels left out). Each period's categories add up to
    its figure, and each category's months to its terms and its terms to its year, over every
    period of the academic years ``periods`` fall in. Where no category can be left out to
    protect another, every category of those years is."""
    years = whole_years(periods, timezone.localdate())
    year_periods = [period for year in years for period in year]
    splits = {
        period.label: category_weights(values[period.label], unit)
        for period in year_periods
        if period.label in values
    }
    categories = sorted({key for split in splits.values() for key in split})
    cells: dict[Hashable, int] = {}
    settled: dict[Hashable, bool] = {}
    relations: Relations = []
    for period in year_periods:
        label = period.label
        value = values.get(label)
        cells[(label, None)] = value.records or 0 if value is not None else 0
        settled[(label, None)] = label in hidden
        for category in categories:
            cells[(label, category)] = splits.get(label, {}).get(category, 0)
        relations.append(((label, None), [(label, category) for category in categories]))
    for year in years:
        for outer, inner in _nesting(year):
            for category in categories:
                relations.append(((outer, category), [(label, category) for label in inner]))
    try:
        left_out = suppressed_cells_settled(cells, relations, settled)
    except SuppressionStuck:
        return {(label, category) for label in splits for category in categories}
    return {cell for cell in left_out if cell[1] is not None}  # type: ignore[index, misc]
