"""Reads for a school's needs assessment and the requests that it consider a partnership.

The evidence beside an assessment is read live, never copied into it: the school's latest
published figures beside the median of the area's schools of its phase, the deprivation of its
neighbourhood, published crime near it, its own pupils' reports and incidents by category, and
the number of requests it has had. Callers have found the school through the access policy.

Counts of reports and incidents are counts over personal data: a reader who does not handle the
school's reports sees 1 to 4 as "fewer than 5", and any count that would give one away is not
shown either (``lib.suppression``); the figure of reports and incidents together that the area's
prioritisation shows is hidden whenever either total is hidden here (``own_totals``). A request
names the person who made it: listing or opening one is audited.
"""

import statistics
import uuid
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from saferschools.core import access
from saferschools.core.audit import audit_record, audit_record_many
from saferschools.core.models import AuditAction, School
from saferschools.incidents import crime
from saferschools.incidents.models.incidents import IncidentCategory
from saferschools.lib.suppression import is_small, suppressed_cells
from saferschools.outcomes.computed import computed_by_school_and
from saferschools.outcomes.models import Indicator, IndicatorValue, LsoaDeprivation
from saferschools.outcomes.selectors import deprivation_by_school

from .models import Concern, NeedsAssessment, SspRequest

# The published figures a needs assessment shows, in this order.
INDICATOR_CODES = (
    "overall_absence",
    "persistent_absence",
    "suspension_rate",
    "permanent_exclusion_rate",
)
# A median of fewer schools than this says little about the area.
FEWEST_TO_COMPARE = 3
FEWER_THAN_5 = "fewer than 5"
NOT_SHOWN = "not shown"
REPORTS, INCIDENTS, TOTAL = "reports", "incidents", "total"


# The assessment ---------------------------------------------------------------------------


def needs_assessment_get(*, user: Any, school: School) -> NeedsAssessment | None:
    """The school's needs assessment if it has one, with who last changed it. One query.

    Everyone who sees the school reads its assessment (it holds no personal data): the caller
    has fetched the school through the access policy, which lets staff see the other schools
    of their partnership too."""
    return NeedsAssessment.objects.select_related("updated_by").filter(school=school).first()


def concern_labels(assessment: NeedsAssessment | None) -> list[str]:
    """The names of the concerns the assessment found, in the guidance's order."""
    if assessment is None:
        return []
    found = set(assessment.concerns or [])
    return [str(label) for value, label in Concern.choices if value in found]


# Published figures ------------------------------------------------------------------------


def _format(value: Decimal, unit: str) -> str:
    # Up to two decimal places, as published, without trailing zeros.
    number = f"{value.quantize(Decimal('0.01')).normalize():f}"
    if unit == Indicator.Unit.PERCENT:
        return f"{number}%"
    if unit == Indicator.Unit.PER_100_PUPILS:
        return f"{number} per 100 pupils"
    return number


@dataclass(frozen=True)
class FigureRow:
    """One published figure of the school, with the median of the area's schools of its phase
    for the same period (``median`` empty when fewer than ``FEWEST_TO_COMPARE`` have one).
    Without a figure for the school, ``published_in_area`` tells whether the indicator has been
    imported for other schools of the area (the school has none) or not at all."""

    code: str
    name: str
    period: str = ""
    value: str = ""
    suppressed: bool = False
    median: str = ""
    compared: int = 0
    published_in_area: bool = False

    @property
    def imported(self) -> bool:
        return bool(self.period)


def school_figures(*, school: School) -> list[FigureRow]:
    """The school's latest published absence and exclusion figures, each beside the median of
    the area's schools of the same phase for that period. Two queries: the catalogue's names,
    and every value of these indicators at the area's schools."""
    indicators = {
        indicator.code: indicator
        for indicator in Indicator.objects.filter(code__in=INDICATOR_CODES)
    }
    values = IndicatorValue.objects.filter(
        indicator_id__in=list(indicators), school__area_id=school.area_id
    )
    own: dict[str, tuple[date, str, Decimal | None]] = {}
    periods: dict[tuple[str, str], list[Decimal]] = {}
    in_area: set[str] = set()
    for school_id, phase, code, period, start, value in values.values_list(
        "school_id", "school__phase", "indicator_id", "period", "period_start", "value"
    ).order_by("period_start"):
        in_area.add(code)
        if value is not None and (not school.phase or phase == school.phase):
            periods.setdefault((code, period), []).append(value)
        if school_id == school.pk:
            own[code] = (start, period, value)
    rows = []
    for code in INDICATOR_CODES:
        indicator = indicators.get(code)
        if indicator is None:
            continue
        if code not in own:
            rows.append(FigureRow(code, indicator.name, published_in_area=code in in_area))
            continue
        _, period, value = own[code]
        peers = periods.get((code, period), [])
        median = (
            _format(Decimal(statistics.median(peers)), indicator.unit)
            if len(peers) >= FEWEST_TO_COMPARE
            else ""
        )
        rows.append(
            FigureRow(
                code,
                indicator.name,
                period=period,
                value=_format(value, indicator.unit) if value is not None else "",
                suppressed=value is None,
                median=median,
                compared=len(peers),
                published_in_area=True,
            )
        )
    return rows


def school_deprivation(*, school: School) -> LsoaDeprivation | None:
    """The Index of Multiple Deprivation of the school's neighbourhood, if the register gives
    its LSOA and the index has been imported. At most one query."""
    return deprivation_by_school(schools=[school]).get(school.pk)


# Crime near the school --------------------------------------------------------------------


@dataclass(frozen=True)
class CrimeSummary:
    """Published crimes within ``radius_m`` metres of the school over ``months`` (newest first),
    by type, most frequent first."""

    months: list[date]
    radius_m: int
    by_type: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.by_type)

    @property
    def first_month(self) -> date:
        return self.months[-1]

    @property
    def last_month(self) -> date:
        return self.months[0]


def crime_summary(*, school: School) -> CrimeSummary | None:
    """Crime near the school over the newest imported months (as the school's page counts it),
    by type; ``None`` when the register gives the school no location. A summary with no months
    means no police data has been imported for its area."""
    if not crime.school_located(school):
        return None
    months = crime.crime_nearby_by_month(school=school)
    types: Counter[str] = Counter()
    for month in months:
        types.update(month.by_type)
    radius = months[0].radius_m if months else crime.crime_settings(school.area).radius_m
    ordered = sorted(types.items(), key=lambda item: (-item[1], item[0]))
    return CrimeSummary([month.month for month in months], radius, ordered)


# The school's own reports and incidents ---------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A count as the reader may see it: ``shown`` is the number or the words in its place."""

    count: int
    hidden: bool = False
    words: str = ""

    @property
    def shown(self) -> str:
        return self.words if self.hidden else f"{self.count:,}"


@dataclass(frozen=True)
class CountRow:
    label: str
    reports: Cell
    incidents: Cell


@dataclass(frozen=True)
class OwnCounts:
    """The school's pupils' reports and incidents from ``since`` to ``until`` by category, and
    in all; ``full`` when nothing is suppressed for this reader."""

    since: date
    until: date
    rows: list[CountRow]
    reports: Cell
    incidents: Cell
    full: bool
    suppressed: bool = False


def counting_window(today: date) -> tuple[date, date]:
    """The 12 months that end with ``today`` (both days included), over which a school's own
    reports and incidents are counted, here and in the area's prioritisation alike."""
    try:
        since = today.replace(year=today.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February: a year before, February has 28 days
        since = date(today.year - 1, 3, 1)
    return since, today


Counts = dict[str, int]


def _own_records(
    schools: list[School], since: date, until: date
) -> dict[uuid.UUID, tuple[Counts, Counts]]:
    """Each school's pupils' reports (by the day received) and incidents (by the day they
    happened) by category, as the product computes them (``outcomes.computed``). Two
    queries."""
    reports, incidents = (
        computed_by_school_and(
            code=code, field="category", schools=schools, since=since, until=until
        )
        for code in ("pupil_reports", "incidents")
    )
    return {
        school.pk: (
            {category: int(count) for category, count in reports[school.pk].items()},
            {category: int(count) for category, count in incidents[school.pk].items()},
        )
        for school in schools
    }


@dataclass(frozen=True)
class _Table:
    """A school's counts as cells, and which of them a reader without full access is not
    shown."""

    categories: list[str]
    cells: dict[Hashable, int]
    hidden: set[Any]


def _table(reports: Counts, incidents: Counts, *, full: bool) -> _Table:
    """The cells of a school's counts: each kind by category and in all. Hidden for a reader
    without full access: counts from 1 to 4, and every count from which one could be worked out
    from the others."""
    categories = [
        value for value in IncidentCategory.values if value in reports or value in incidents
    ]
    # Categories the log no longer names, if any, come last under their own code.
    categories += sorted((set(reports) | set(incidents)) - set(categories))
    cells: dict[Hashable, int] = {}
    for kind, counts in ((REPORTS, reports), (INCIDENTS, incidents)):
        for category in categories:
            cells[(kind, category)] = counts.get(category, 0)
        cells[(kind, TOTAL)] = sum(counts.values())
    hidden: set[Any] = set()
    if not full:
        hidden = suppressed_cells(
            cells,
            [
                ((kind, TOTAL), [(kind, category) for category in categories])
                for kind in (REPORTS, INCIDENTS)
            ],
        )
    return _Table(categories, cells, hidden)


def _hidden_words(cells: dict[Hashable, int], hidden: set[Any], kind: str) -> str:
    """What a hidden count of one column says: "fewer than 5" while only small counts are
    hidden in it; once a larger one is hidden to protect them, every hidden count of the column
    says "not shown", so that none tells which is the small one."""
    column = [key for key in hidden if key[0] == kind]
    if all(is_small(cells[key]) for key in column):
        return FEWER_THAN_5
    return NOT_SHOWN


def own_counts(*, user: Any, school: School, today: date | None = None) -> OwnCounts:
    """The school's pupils' reports (by the day received) and incidents (by the day they
    happened) over the 12 months up to today (``counting_window``), by category, in the order
    of the incident log's categories; only categories with a count have a row. Two queries.

    A reader who does not handle the school's reports (``access.sees_school_counts_in_full``)
    sees counts from 1 to 4 hidden, and any count from which a hidden one could be worked out
    from the totals (complementary suppression). The area's prioritisation shows the two kinds
    together only when both totals are shown here (``own_totals``)."""
    since, until = counting_window(today or timezone.localdate())
    reports, incidents = _own_records([school], since, until)[school.pk]
    full = access.sees_school_counts_in_full(user, school)
    table = _table(reports, incidents, full=full)
    cells, hidden = table.cells, table.hidden
    words = {kind: _hidden_words(cells, hidden, kind) for kind in (REPORTS, INCIDENTS)}

    def cell(kind: str, key: str) -> Cell:
        secret = (kind, key) in hidden
        return Cell(cells[(kind, key)], secret, words[kind] if secret else "")

    labels = dict(IncidentCategory.choices)
    rows = [
        CountRow(
            str(labels.get(category, category)), cell(REPORTS, category), cell(INCIDENTS, category)
        )
        for category in table.categories
    ]
    return OwnCounts(
        since,
        until,
        rows,
        cell(REPORTS, TOTAL),
        cell(INCIDENTS, TOTAL),
        full,
        suppressed=bool(hidden),
    )


@dataclass(frozen=True)
class OwnTotal:
    """A school's pupils' reports and incidents together, as a reader without full access may
    see them: ``small`` from 1 to 4; ``hidden`` when the school's needs assessment hides its
    number of reports or its number of incidents from such a reader."""

    count: int
    small: bool
    hidden: bool


def own_totals(*, schools: Iterable[School], since: date, until: date) -> dict[uuid.UUID, OwnTotal]:
    """For each school, its pupils' reports and incidents together from ``since`` to
    ``until``. It is ``hidden`` whenever ``own_counts`` hides the number of reports or the
    number of incidents from a reader without full access: shown beside the other number (on
    the needs assessment, or on any page that counts one kind alone), it would give the hidden
    one away. Shown, it tells nothing that the needs assessment does not. Two queries, whatever
    the number of schools."""
    totals = {}
    for school_id, (reports, incidents) in _own_records(list(schools), since, until).items():
        table = _table(reports, incidents, full=False)
        count = table.cells[(REPORTS, TOTAL)] + table.cells[(INCIDENTS, TOTAL)]
        hidden = bool({(REPORTS, TOTAL), (INCIDENTS, TOTAL)} & table.hidden)
        totals[school_id] = OwnTotal(count, is_small(count), hidden)
    return totals


# Requests ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestCounts:
    total: int
    open: int


def ssp_request_counts(*, school: School) -> RequestCounts:
    """How many requests the school has had, and how many await a response. The numbers name
    nobody, so everyone who sees the school's needs assessment sees them. One query."""
    counts = SspRequest.objects.filter(school=school).aggregate(
        total=Count("id"), open=Count("id", filter=Q(status=SspRequest.Status.OPEN))
    )
    return RequestCounts(counts["total"] or 0, counts["open"] or 0)


def ssp_request_list(*, user: Any, school: School) -> QuerySet[SspRequest]:
    """The school's requests the user may read: those awaiting a response first, then newest
    first, with who recorded and who answered them."""
    awaiting = Case(
        When(status=SspRequest.Status.OPEN, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        access.scope(user, SspRequest)
        .filter(school=school)
        .select_related("recorded_by", "answered_by")
        .annotate(awaiting=awaiting)
        .order_by("awaiting", "-received_on", "-created_at")
    )


def ssp_requests_audit_listing(
    *, user: Any, requests: Iterable[SspRequest], source: str
) -> list[SspRequest]:
    """Record that the user was shown these requests (each names the person who made it), in
    one go; returns them."""
    shown = list(requests)
    audit_record_many(
        actor=user, action=AuditAction.VIEW, source=source, objects=shown, detail={"listing": True}
    )
    return shown


def ssp_request_get(*, user: Any, request_id: uuid.UUID | str, source: str) -> SspRequest:
    """A request the user may read, else ``Http404``; the read is audited."""
    found = access.get_ssp_request_for_user(user, request_id)
    request = SspRequest.objects.select_related("school", "recorded_by", "answered_by").get(
        pk=found.pk
    )
    audit_record(actor=user, action=AuditAction.VIEW, source=source, obj=request)
    return request


@dataclass(frozen=True)
class AwaitingRequests:
    school_name: str
    urn: int
    count: int


def ssp_requests_awaiting(*, user: Any) -> list[AwaitingRequests]:
    """For the school's leaders: at each of their schools, how many requests await a response,
    in school name order (schools with none left out). Names nobody, so nothing is audited. One
    query, none for a user who reads no school's requests."""
    if not access.roles_of(user) & access.SCHOOL_LEADERS:
        return []
    rows = (
        access.scope(user, SspRequest)
        .filter(status=SspRequest.Status.OPEN)
        .order_by()
        .values("school__name", "school__urn")
        .annotate(n=Count("id", distinct=True))
        .order_by("school__name", "school__urn")
    )
    return [AwaitingRequests(row["school__name"], row["school__urn"], row["n"]) for row in rows]
