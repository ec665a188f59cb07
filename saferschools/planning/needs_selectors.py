"""Reads for a school's needs assessment and the requests that it consider a partnership.

The evidence beside an assessment is read live, never copied into it: the school's latest
published figures beside the median of the area's schools of its phase, the deprivation of its
neighbourhood, published crime near it, its own pupils' reports and incidents by category, and
the number of requests it has had. Callers have found the school through the access policy.

Counts of reports and incidents are counts over personal data: a reader who does not handle the
school's reports sees 1 to 4 as "fewer than 5", and any count that would give one away is not
shown either (``lib.suppression``). A request names the person who made it: listing or opening
one is audited.
"""

import statistics
import uuid
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from saferschools.core import access
from saferschools.core.audit import audit_record, audit_record_many
from saferschools.core.models import AuditAction, School
from saferschools.incidents import crime
from saferschools.incidents.models import Incident
from saferschools.incidents.models.incidents import IncidentCategory
from saferschools.lib.schooldays import LONDON
from saferschools.lib.suppression import is_small, suppressed_cells
from saferschools.outcomes.models import Indicator, IndicatorValue, LsoaDeprivation
from saferschools.outcomes.selectors import deprivation_by_school
from saferschools.reporting.models import Report

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
# The school's own records are counted over this many days up to today.
COUNT_DAYS = 365
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
    for the same period (``median`` empty when fewer than ``FEWEST_TO_COMPARE`` have one)."""

    code: str
    name: str
    period: str = ""
    value: str = ""
    suppressed: bool = False
    median: str = ""
    compared: int = 0

    @property
    def imported(self) -> bool:
        return bool(self.period)


def school_figures(*, school: School) -> list[FigureRow]:
    """The school's latest published absence and exclusion figures, each beside the median of
    the area's schools of the same phase for that period. Two queries: the catalogue's names,
    and every value of these indicators at those schools."""
    indicators = {
        indicator.code: indicator
        for indicator in Indicator.objects.filter(code__in=INDICATOR_CODES)
    }
    peers = IndicatorValue.objects.filter(
        indicator_id__in=list(indicators), school__area_id=school.area_id
    )
    if school.phase:
        peers = peers.filter(school__phase=school.phase)
    own: dict[str, tuple[date, str, Decimal | None]] = {}
    periods: dict[tuple[str, str], list[Decimal]] = {}
    for school_id, code, period, start, value in peers.values_list(
        "school_id", "indicator_id", "period", "period_start", "value"
    ).order_by("period_start"):
        if value is not None:
            periods.setdefault((code, period), []).append(value)
        if school_id == school.pk:
            own[code] = (start, period, value)
    rows = []
    for code in INDICATOR_CODES:
        indicator = indicators.get(code)
        if indicator is None:
            continue
        if code not in own:
            rows.append(FigureRow(code, indicator.name))
            continue
        _, period, value = own[code]
        values = periods.get((code, period), [])
        median = (
            _format(Decimal(statistics.median(values)), indicator.unit)
            if len(values) >= FEWEST_TO_COMPARE
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
                compared=len(values),
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


def _bounds(since: date, until: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(since, time.min, tzinfo=LONDON),
        datetime.combine(until, time.max, tzinfo=LONDON),
    )


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
    happened) over the last ``COUNT_DAYS`` days, by category, in the order of the incident
    log's categories; only categories with a count have a row. Two queries.

    A reader who does not handle the school's reports (``access.sees_school_counts_in_full``)
    sees counts from 1 to 4 hidden, and any count from which a hidden one could be worked out
    from the totals (complementary suppression)."""
    until = today or timezone.localdate()
    since = until - timedelta(days=COUNT_DAYS - 1)
    start, end = _bounds(since, until)
    reports = dict(
        Report.objects.filter(school=school, received_at__range=(start, end))
        .order_by()
        .values("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    incidents = dict(
        Incident.objects.filter(school=school, occurred_at__range=(start, end))
        .order_by()
        .values("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    labels = dict(IncidentCategory.choices)
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
    full = access.sees_school_counts_in_full(user, school)
    hidden: set[Any] = set()
    if not full:
        hidden = suppressed_cells(
            cells,
            [
                ((kind, TOTAL), [(kind, category) for category in categories])
                for kind in (REPORTS, INCIDENTS)
            ],
        )
    words = {kind: _hidden_words(cells, hidden, kind) for kind in (REPORTS, INCIDENTS)}

    def cell(kind: str, key: str) -> Cell:
        secret = (kind, key) in hidden
        return Cell(cells[(kind, key)], secret, words[kind] if secret else "")

    rows = [
        CountRow(
            str(labels.get(category, category)), cell(REPORTS, category), cell(INCIDENTS, category)
        )
        for category in categories
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
