"""Which computed figures about pupils' records to leave out for a viewer who does not see the
schools' counts in full (``access.schools_with_counts_in_full``): counts from 1 to 4, and any
figure from which one could be worked out by adding or taking away figures shown.

Each figure is checked through the counts of records it rests on or could give away, its
*cells* (``Value.parts``): a count of incidents is one cell; a share of reports acknowledged in
time is two (those in time and those late) beside a third it leaves aside (those still within
their time); a count and its rate per 100 pupils are the same cell, since the number of pupils
is public. A figure is left out when any cell it shows is. Cells are left out by
``lib.suppression.suppressed_cells`` with these relations:

- over periods: a year's count is the sum of its terms', a term's the sum of its months' (for
  every cell but repeat victims, who are counted once a period however often they were
  victims, and the reports closed behind a median, which no figure shows);
- between indicators: the reports received in a period are those acknowledged in time, late
  and still within their time; the incidents are the critical ones and the others.

So that asking again, for another span, kind of period or indicator, never shows what one
answer left out, the decision is taken over whole academic years (every month, term and year of
them) and over every indicator that shares cells (``FAMILIES``), whatever was asked.

For schools taken together (a partnership), the cells are those of the schools the viewer does
not see in full, pooled (what they see in full they can take away). Each of those schools'
cells is decided first, as for the school alone, and then settled
(``lib.suppression.suppressed_cells_settled``): the group's cell is the sum of the schools'
cells, and where the group less the schools' figures shown would give one left out away, the
group's figure is left out, never a school's. A school's figure is thus left out on every page
that shows it or on none, and none left out can be had from a group's.
"""

import uuid
from collections.abc import Hashable, Iterable, Sequence
from datetime import date

from django.utils import timezone

from saferschools.core.models import School
from saferschools.lib.schooldays import academic_year_of
from saferschools.lib.suppression import (
    SuppressionStuck,
    suppressed_cells,
    suppressed_cells_settled,
)

from .computed import PUPIL_RECORD_CODES, Facts, computed_facts
from .models import PeriodKind
from .periods import Period, periods_between
from .values import Value

# Each indicator's parts (``Value.parts``) as cells.
CELLS: dict[str, dict[str, str]] = {
    "pupil_reports": {"records": "reports"},
    "reports_per_100": {"records": "reports"},
    "reports_acknowledged_in_time": {
        "in_time": "reports_in_time",
        "late": "reports_late",
        "pending": "reports_pending",
    },
    "report_days_to_close": {"records": "reports_closed"},
    "incidents": {"records": "incidents"},
    "incidents_per_100": {"records": "incidents"},
    "critical_incidents": {"records": "critical_incidents"},
    "repeat_victimisation": {"repeated": "victims_repeated", "once": "victims_once"},
    "referrals_completed": {
        "completed": "referrals_completed",
        "not_completed": "referrals_not_completed",
    },
    "sharing_decisions_reviewed": {
        "reviewed": "decisions_reviewed",
        "not_reviewed": "decisions_not_reviewed",
    },
}
# Cells no figure shows, kept for the relations they are in.
UNSHOWN = frozenset({"reports_pending", "incidents_not_critical"})
SHOWN: dict[str, tuple[str, ...]] = {
    code: tuple(cell for cell in cells.values() if cell not in UNSHOWN)
    for code, cells in CELLS.items()
}
# A cell worked out from two others: the incidents that were not critical.
NOT_CRITICAL = ("incidents_not_critical", "incidents", "critical_incidents")
# A cell that is the sum of others, in every period.
SUMS: list[tuple[str, tuple[str, ...]]] = [
    ("reports", ("reports_in_time", "reports_late", "reports_pending")),
    ("incidents", ("critical_incidents", "incidents_not_critical")),
]
# Cells that do not add up over periods, or that no figure shows nor gives by adding up.
NOT_OVER_PERIODS = frozenset({"victims_repeated", "victims_once", "reports_closed"})
# Indicators that share cells, decided together.
_REPORTS = ("pupil_reports", "reports_per_100", "reports_acknowledged_in_time")
_INCIDENTS = ("incidents", "incidents_per_100", "critical_incidents")
FAMILIES: dict[str, tuple[str, ...]] = {
    **{code: (code,) for code in PUPIL_RECORD_CODES},
    **dict.fromkeys(_REPORTS, _REPORTS),
    **dict.fromkeys(_INCIDENTS, _INCIDENTS),
}

Cell = tuple[str, str]  # (cell, period label)


def _families(codes: Iterable[str]) -> list[str]:
    """The pupil-record codes among ``codes`` with every code sharing cells with them."""
    found: dict[str, None] = {}
    for code in sorted(set(codes) & PUPIL_RECORD_CODES):
        found.update(dict.fromkeys(FAMILIES[code]))
    return list(found)


def whole_years(periods: Iterable[Period], today: date) -> list[list[Period]]:
    """For each academic year a period of ``periods`` falls in, its year, terms and months
    that have begun by ``today``, in year order."""
    years = sorted({academic_year_of(period.start) for period in periods})
    found = []
    for year in years:
        first, last = date(year, 9, 1), date(year + 1, 8, 31)
        begun = [
            period
            for kind in (PeriodKind.YEAR, PeriodKind.TERM, PeriodKind.MONTH)
            for period in periods_between(kind, first, last)
            if period.start <= today
        ]
        if begun:
            found.append(begun)
    return found


def figure_cells(values: dict[str, dict[str, Value]]) -> dict[Cell, int]:
    """The cells of figures by code then period label, with the incidents not critical."""
    cells: dict[Cell, int] = {}
    for code, by_label in values.items():
        for label, value in by_label.items():
            for part, count in value.parts.items():
                cells[(CELLS[code][part], label)] = count
    derived, whole, some = NOT_CRITICAL
    for cell, label in list(cells):
        if cell == whole and (some, label) in cells:
            cells[(derived, label)] = cells[(whole, label)] - cells[(some, label)]
    return cells


def cell_relations(
    cells: dict[Cell, int], periods: Sequence[Period]
) -> list[tuple[Hashable, list[Hashable]]]:
    """Which cells are sums of others, between indicators and over the periods of one year."""
    relations: list[tuple[Hashable, list[Hashable]]] = []
    for period in periods:
        for total, parts in SUMS:
            keys = [(part, period.label) for part in parts]
            if (total, period.label) in cells and all(key in cells for key in keys):
                relations.append(((total, period.label), list(keys)))
    names = sorted({name for name, _ in cells} - NOT_OVER_PERIODS)
    wider = [p for p in periods if p.kind != PeriodKind.MONTH]
    for outer in wider:
        inner_kind = PeriodKind.TERM if outer.kind == PeriodKind.YEAR else PeriodKind.MONTH
        inner = [p for p in periods if p.kind == inner_kind and outer.contains(p.start)]
        for name in names:
            keys = [(name, p.label) for p in inner if (name, p.label) in cells]
            if (name, outer.label) in cells and keys:
                relations.append(((name, outer.label), list(keys)))
    return relations


def _hidden_cells(cells: dict[Cell, int], periods: Sequence[Period]) -> set[Cell]:
    """One school's cells of one academic year to leave out: small ones and those that would
    give one away."""
    counts: dict[Hashable, int] = dict(cells.items())
    hidden = suppressed_cells(counts, cell_relations(cells, periods))
    return {cell for cell in cells if cell in hidden}


def _figures(
    facts: dict[str, Facts], school_ids: list[uuid.UUID], periods: Sequence[Period]
) -> dict[str, dict[str, Value]]:
    return {
        code: {period.label: one.value(school_ids, period) for period in periods}
        for code, one in facts.items()
    }


GROUP = "group"


def _group_hidden_cells(
    group: dict[Cell, int],
    schools: dict[uuid.UUID, dict[Cell, int]],
    periods: Sequence[Period],
) -> set[Cell]:
    """The group's cells of one academic year to leave out, each school's cells settled first
    (``_hidden_cells``): a school's figure left out stays out and one shown stays shown, and
    only the group's own figures are left out to protect them."""
    counts: dict[Hashable, int] = {(GROUP, cell): n for cell, n in group.items()}
    relations: list[tuple[Hashable, list[Hashable]]] = [
        ((GROUP, total), [(GROUP, part) for part in parts])
        for total, parts in cell_relations(group, periods)
    ]
    settled: dict[Hashable, bool] = {}
    for school_id, cells in schools.items():
        left_out = _hidden_cells(cells, periods)
        for cell, n in cells.items():
            counts[(school_id, cell)] = n
            settled[(school_id, cell)] = cell in left_out
    for cell in group:
        members = [(school_id, cell) for school_id, cells in schools.items() if cell in cells]
        relations.append(((GROUP, cell), list(members)))
    try:
        hidden = suppressed_cells_settled(counts, relations, settled)
    except SuppressionStuck:
        return set(group)
    return {cell for cell in group if (GROUP, cell) in hidden}


def figures_left_out(
    family: Sequence[str], periods: Sequence[Period], cells: set[Cell]
) -> set[tuple[str, str]]:
    """The (code, period label) figures showing a cell left out."""
    return {
        (code, period.label)
        for code in family
        for period in periods
        if any((cell, period.label) in cells for cell in SHOWN[code])
    }


def group_hidden(
    *,
    schools: Iterable[School],
    seen: Iterable[School],
    codes: Iterable[str],
    periods: Iterable[Period],
) -> set[tuple[str, str]]:
    """The (code, period label) figures of ``schools`` taken together to leave out for a viewer
    who sees the counts of ``seen`` (some of them, or none) in full, among the computed codes
    ``codes`` (and those sharing their cells) and every period of the academic years that
    ``periods`` fall in. Empty when the viewer sees every school in full. One to three queries
    for each reading of records (``computed.computed_facts``)."""
    seen_ids = {school.pk for school in seen}
    unseen = [school for school in schools if school.pk not in seen_ids]
    family = _families(codes)
    years = whole_years(periods, timezone.localdate())
    if not unseen or not family or not years:
        return set()
    facts = computed_facts(
        codes=family, schools=unseen, first=years[0][0].start, last=years[-1][0].end
    )
    unseen_ids = [school.pk for school in unseen]
    hidden: set[tuple[str, str]] = set()
    for year in years:
        group = figure_cells(_figures(facts, unseen_ids, year))
        schools_cells = {
            school_id: figure_cells(_figures(facts, [school_id], year)) for school_id in unseen_ids
        }
        hidden |= figures_left_out(family, year, _group_hidden_cells(group, schools_cells, year))
    return hidden


def school_hidden(
    *, school: School, codes: Iterable[str], periods: Iterable[Period]
) -> set[tuple[str, str]]:
    """The (code, period label) figures of the school to leave out for a viewer who does not
    see its counts in full, among the computed codes ``codes`` (and those sharing their cells)
    and every period of the academic years that ``periods`` fall in. One to three queries for
    each reading of records."""
    family = _families(codes)
    years = whole_years(periods, timezone.localdate())
    if not family or not years:
        return set()
    facts = computed_facts(
        codes=family, schools=[school], first=years[0][0].start, last=years[-1][0].end
    )
    hidden: set[tuple[str, str]] = set()
    for year in years:
        cells = figure_cells(_figures(facts, [school.pk], year))
        hidden |= figures_left_out(family, year, _hidden_cells(cells, year))
    return hidden
