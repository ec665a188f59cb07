"""Indicators the product computes from its own records, always up to date.

Two readings of the same records:

- **Counts over a span of days.** ``DEFINITIONS`` says, for the five counts (pupils' reports,
  incidents, critical incidents, officers' hours, patrols), what is counted, the moment that
  places a record in time, which records count and how they are summed. They are read per
  school over a span of days (``computed_by_school_and``, split by a field such as the category;
  ``computed_total`` over schools) or per calendar month over schools (``computed_by_month``):
  the needs assessment, the prioritisation and the work-plan read them so.
- **Every computed indicator of the catalogue as values per period** (``computed_values`` per
  school, ``computed_group_values`` for schools taken together), for the periods of
  ``saferschools.outcomes.periods``. Each indicator's records are read once per call, into
  facts per school and calendar month (``computed_facts``), whatever the number of schools and
  periods; academic years and terms start and end with a month, so each period's figure is made
  from the facts of its months. ``READERS`` holds each indicator's reading and how a figure is
  made from its facts; docs/indicators.md gives every definition in words.

Months and days are those of Europe/London. A period that has not begun has no figure; the
period holding today has the figure so far.

A figure resting on records about pupils (``PUPIL_RECORD_CODES``) carries how many records it
rests on (``records``) and the counts it could give away (``parts``): a caller showing it to a
role without personal-data access leaves out counts from 1 to 4 and whatever would give one away
(``saferschools.outcomes.indicator_suppression``). Officers' hours and patrols are about the
officers' work, which their supervisors and the partnership see in full: never suppressed.
"""

import statistics
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from saferschools.activity.models import Activity, ActivityKind, PatrolPlan
from saferschools.activity.selectors import plan_occurrences
from saferschools.casework.models import Referral, ReferralStatus
from saferschools.core.models import School
from saferschools.core.selectors import holiday_days_by_area
from saferschools.incidents.models import Incident, IncidentParty
from saferschools.incidents.models.incidents import PartyRole, Severity
from saferschools.lib.schooldays import LONDON
from saferschools.reporting.models import Report
from saferschools.sharing.models import Decision, SharingDecision

from .models import Indicator
from .periods import Period
from .values import Value

# The five counts, read over a span of days ---------------------------------------------------


@dataclass(frozen=True)
class Definition:
    model: type[Any]
    moment: str  # the field that places a record in time
    condition: Q
    total: Any  # the aggregate: a count of records, or a sum of minutes
    minutes: bool = False  # summed in minutes, given in hours


CRITICAL = Q(severity=Severity.CRITICAL) | Q(flagged_critical=True)

DEFINITIONS: dict[str, Definition] = {
    "pupil_reports": Definition(Report, "received_at", Q(), Count("id")),
    "incidents": Definition(Incident, "occurred_at", Q(), Count("id")),
    "critical_incidents": Definition(Incident, "occurred_at", CRITICAL, Count("id")),
    "officer_hours": Definition(Activity, "started_at", Q(), Sum("minutes"), minutes=True),
    "patrols": Definition(Activity, "started_at", Q(kind=ActivityKind.PATROL), Count("id")),
}

# The counts ``computed_by_month`` and its kin read.
COUNT_CODES = frozenset(DEFINITIONS)
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

    Raises ``KeyError`` for a code that is not one of the five counts."""
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


def _month_of(when: date | datetime) -> date:
    """The first day of the London month of a truncated month or a moment."""
    if isinstance(when, datetime):
        when = when.astimezone(LONDON)
    return date(when.year, when.month, 1)


def computed_by_month(
    *, code: str, schools: Iterable[School], first: date, last: date
) -> dict[date, Decimal]:
    """The computed indicator ``code`` summed over the schools for each calendar month from
    ``first``'s to ``last``'s (London time), keyed by the month's first day; a month with
    nothing recorded maps to 0. One query. Raises ``KeyError`` for a code that is not one of
    the five counts."""
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
        key = _month_of(row["month"])
        sums[key] = sums.get(key, Decimal(0)) + Decimal(row["n"] or 0)
    for key, value in sums.items():
        found[key] = _given(definition, value)
    return found


# Every computed indicator, as facts per school and month -------------------------------------

# One fact: a school, the first day of a London month, what is counted (a category, a kind of
# activity, "in_time", a pupil...) and how much (a count, minutes, days).
Fact = tuple[uuid.UUID, date, str, Decimal]
ReadFacts = Callable[[list[uuid.UUID], date, date, datetime], list[Fact]]

PER_CENT = Decimal("0.1")
PER_100 = Decimal("0.01")
DAY = Decimal("0.1")
SECONDS_A_DAY = Decimal(86400)


@dataclass(frozen=True)
class Figure:
    """What the facts of some schools and months come to."""

    value: Decimal | None
    records: int | None = None
    parts: dict[str, int] | None = None
    breakdown: dict[str, Decimal] | None = None


MakeFigure = Callable[[list[tuple[str, Decimal]], int | None], Figure]


@dataclass(frozen=True)
class Reader:
    """How one computed indicator reads its records (``read``: one to three queries, whatever
    the span and the schools) and makes a figure of a period's facts (``figure``, given the
    pupils on roll of the schools taken together, or ``None`` when one is unknown)."""

    read: ReadFacts
    figure: MakeFigure


def _counted(model: type[Any], moment: str, condition: Q, key: str) -> ReadFacts:
    """Facts counting records by school, month of ``moment`` and ``key`` (a field)."""

    def read(school_ids: list[uuid.UUID], first: date, last: date, now: datetime) -> list[Fact]:
        rows = (
            model.objects.filter(
                condition, school_id__in=school_ids, **{f"{moment}__range": _bounds(first, last)}
            )
            .order_by()
            .annotate(month=TruncMonth(moment, tzinfo=LONDON))
            .values("school_id", "month", key)
            .annotate(n=Count("id"))
            .values_list("school_id", "month", key, "n")
        )
        return [
            (school, _month_of(month), str(what), Decimal(n)) for school, month, what, n in rows
        ]

    return read


def _read_minutes(
    school_ids: list[uuid.UUID], first: date, last: date, now: datetime
) -> list[Fact]:
    """Minutes officers logged, by school, month and kind of activity."""
    rows = (
        Activity.objects.filter(school_id__in=school_ids, started_at__range=_bounds(first, last))
        .order_by()
        .annotate(month=TruncMonth("started_at", tzinfo=LONDON))
        .values("school_id", "month", "kind")
        .annotate(minutes=Sum("minutes"))
        .values_list("school_id", "month", "kind", "minutes")
    )
    return [(school, _month_of(month), kind, Decimal(n or 0)) for school, month, kind, n in rows]


def _read_acknowledged(
    school_ids: list[uuid.UUID], first: date, last: date, now: datetime
) -> list[Fact]:
    """Reports by school and month received: acknowledged by their due time (``in_time``),
    after it or not yet though it has passed (``late``), or not yet and still within it
    (``pending``)."""
    in_time = Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("due_at"))
    late = Q(acknowledged_at__gt=F("due_at")) | Q(acknowledged_at__isnull=True, due_at__lt=now)
    pending = Q(acknowledged_at__isnull=True, due_at__gte=now)
    rows = (
        Report.objects.filter(school_id__in=school_ids, received_at__range=_bounds(first, last))
        .order_by()
        .annotate(month=TruncMonth("received_at", tzinfo=LONDON))
        .values("school_id", "month")
        .annotate(
            in_time=Count("id", filter=in_time),
            late=Count("id", filter=late),
            pending=Count("id", filter=pending),
        )
    )
    return [
        (row["school_id"], _month_of(row["month"]), part, Decimal(row[part]))
        for row in rows
        for part in ("in_time", "late", "pending")
    ]


def _read_days_to_close(
    school_ids: list[uuid.UUID], first: date, last: date, now: datetime
) -> list[Fact]:
    """Each report closed, by school and month closed, with the days it took (one fact a
    report)."""
    rows = (
        Report.objects.filter(
            school_id__in=school_ids,
            closed_at__isnull=False,
            closed_at__range=_bounds(first, last),
        )
        .order_by()
        .values_list("school_id", "received_at", "closed_at")
    )
    facts: list[Fact] = []
    for school, received, closed in rows:
        assert closed is not None
        days = Decimal((closed - received).total_seconds()) / SECONDS_A_DAY
        facts.append((school, _month_of(closed), "", days))
    return facts


def _read_victims(
    school_ids: list[uuid.UUID], first: date, last: date, now: datetime
) -> list[Fact]:
    """Each pupil recorded as a victim of an incident, by the incident's school and month, one
    fact per incident (keyed by the pupil)."""
    rows = (
        IncidentParty.objects.filter(
            role=PartyRole.VICTIM,
            pupil__isnull=False,
            incident__school_id__in=school_ids,
            incident__occurred_at__range=_bounds(first, last),
        )
        .order_by()
        .values_list("incident__school_id", "incident__occurred_at", "pupil_id", "incident_id")
        .distinct()
    )
    return [
        (school, _month_of(occurred), str(pupil), Decimal(1)) for school, occurred, pupil, _ in rows
    ]


def _read_planned_patrols(
    school_ids: list[uuid.UUID], first: date, last: date, now: datetime
) -> list[Fact]:
    """Patrols the officers' active plans scheduled, by school and month, up to today (a patrol
    still to come cannot have been logged): ``done`` when the officer logged a patrol at the
    school that day, else ``missed``. A day's logged patrols answer at most as many planned
    ones; a patrol logged on no planned day counts for nothing here. Three queries."""
    until = min(last, now.astimezone(LONDON).date())
    if until < first:
        return []
    plans = list(
        PatrolPlan.objects.filter(school_id__in=school_ids, active=True, valid_from__lte=until)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=first))
        .select_related("school")
        .order_by()
    )
    if not plans:
        return []
    holidays = holiday_days_by_area({plan.school.area_id for plan in plans}, first, until)
    planned: Counter[tuple[Any, uuid.UUID, date]] = Counter()
    for plan in plans:
        for occurrence in plan_occurrences(
            plan, first, until, holidays=holidays[plan.school.area_id]
        ):
            planned[(plan.officer_id, plan.school_id, occurrence.day)] += 1
    logged = {
        (officer, school, day): n
        for officer, school, day, n in Activity.objects.filter(
            kind=ActivityKind.PATROL,
            school_id__in=school_ids,
            started_at__range=_bounds(first, until),
        )
        .order_by()
        .annotate(day=TruncDate("started_at", tzinfo=LONDON))
        .values("officer_id", "school_id", "day")
        .annotate(n=Count("id"))
        .values_list("officer_id", "school_id", "day", "n")
    }
    facts: list[Fact] = []
    for (officer, school, day), count in planned.items():
        done = min(count, logged.get((officer, school, day), 0))
        month = day.replace(day=1)
        facts.append((school, month, "done", Decimal(done)))
        facts.append((school, month, "missed", Decimal(count - done)))
    return facts


def _read_referrals(
    school_ids: list[uuid.UUID], first: date, last: date, now: datetime
) -> list[Fact]:
    """Referrals by the referring school and month made: ``completed`` (as the receiving
    service marked it) or ``not_completed`` (sent, accepted or declined)."""
    completed = Q(status=ReferralStatus.COMPLETED)
    rows = (
        Referral.objects.filter(school_id__in=school_ids, referred_at__range=_bounds(first, last))
        .order_by()
        .annotate(month=TruncMonth("referred_at", tzinfo=LONDON))
        .values("school_id", "month")
        .annotate(completed=Count("id", filter=completed), other=Count("id", filter=~completed))
    )
    return [
        fact
        for row in rows
        for fact in (
            (row["school_id"], _month_of(row["month"]), "completed", Decimal(row["completed"])),
            (row["school_id"], _month_of(row["month"]), "not_completed", Decimal(row["other"])),
        )
    ]


def _read_decisions_reviewed(
    school_ids: list[uuid.UUID], first: date, last: date, now: datetime
) -> list[Fact]:
    """Decisions to share whose access ran out (``expires_on``) up to today, by school and month
    of that day: ``reviewed`` when, before the start of that day, the decision was revoked or a
    later decision (to share again or not) was made for the same pupil and agency; else
    ``not_reviewed``. Two queries."""
    until = min(last, now.astimezone(LONDON).date())
    if until < first:
        return []
    decisions = list(
        SharingDecision.objects.filter(
            school_id__in=school_ids, decision=Decision.SHARE, expires_on__range=(first, until)
        )
        .order_by()
        .values_list("school_id", "pupil_id", "agency_id", "decided_at", "expires_on", "revoked_at")
    )
    if not decisions:
        return []
    made: dict[tuple[Any, Any], list[datetime]] = defaultdict(list)
    for pupil, agency, decided in (
        SharingDecision.objects.filter(pupil_id__in={row[1] for row in decisions})
        .order_by()
        .values_list("pupil_id", "agency_id", "decided_at")
    ):
        made[(pupil, agency)].append(decided)
    facts: list[Fact] = []
    for school, pupil, agency, decided, expires_on, revoked in decisions:
        assert expires_on is not None
        lapses = datetime.combine(expires_on, time.min, tzinfo=LONDON)
        reviewed = (revoked is not None and revoked < lapses) or any(
            decided < other < lapses for other in made[(pupil, agency)]
        )
        part = "reviewed" if reviewed else "not_reviewed"
        facts.append((school, expires_on.replace(day=1), part, Decimal(1)))
    return facts


# Figures -------------------------------------------------------------------------------------


def _sums(facts: list[tuple[str, Decimal]]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for key, amount in facts:
        sums[key] += amount
    return dict(sums)


def _share(counted: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * counted / whole).quantize(PER_CENT, rounding=ROUND_HALF_UP)


def _count_figure(about_pupils: bool) -> MakeFigure:
    def figure(facts: list[tuple[str, Decimal]], roll: int | None) -> Figure:
        by_key = _sums(facts)
        total = sum(by_key.values(), Decimal(0))
        records = int(total) if about_pupils else None
        parts = {"records": int(total)} if about_pupils else None
        return Figure(total, records, parts, dict(sorted(by_key.items())))

    return figure


def _per_100_figure(facts: list[tuple[str, Decimal]], roll: int | None) -> Figure:
    by_key = _sums(facts)
    total = sum(by_key.values(), Decimal(0))
    parts = {"records": int(total)}
    if not roll:
        return Figure(None, int(total), parts, {})

    def rate(count: Decimal) -> Decimal:
        return (Decimal(100) * count / roll).quantize(PER_100, rounding=ROUND_HALF_UP)

    breakdown = {key: rate(count) for key, count in sorted(by_key.items())}
    return Figure(rate(total), int(total), parts, breakdown)


def _hours_figure(facts: list[tuple[str, Decimal]], roll: int | None) -> Figure:
    by_kind = _sums(facts)
    total = sum(by_kind.values(), Decimal(0))

    def hours(minutes: Decimal) -> Decimal:
        return (minutes / 60).quantize(HOURS, rounding=ROUND_HALF_UP)

    return Figure(hours(total), breakdown={k: hours(m) for k, m in sorted(by_kind.items())})


def _share_figure(counted: str, not_counted: str, *others: str) -> MakeFigure:
    """A percentage of records about pupils: those ``counted`` of those counted and
    ``not_counted``; ``others`` are records it leaves aside (reports still within their time)."""

    def figure(facts: list[tuple[str, Decimal]], roll: int | None) -> Figure:
        sums = _sums(facts)
        parts = {key: int(sums.get(key, 0)) for key in (counted, not_counted, *others)}
        whole = parts[counted] + parts[not_counted]
        return Figure(_share(parts[counted], whole), whole, parts, {})

    return figure


def _patrols_done_figure(facts: list[tuple[str, Decimal]], roll: int | None) -> Figure:
    sums = _sums(facts)
    done, missed = sums.get("done", Decimal(0)), sums.get("missed", Decimal(0))
    planned = done + missed
    return Figure(_share(int(done), int(planned)), breakdown={"planned": planned, "done": done})


def _median_figure(facts: list[tuple[str, Decimal]], roll: int | None) -> Figure:
    days = [amount for _, amount in facts]
    parts = {"records": len(days)}
    if not days:
        return Figure(None, 0, parts)
    median = Decimal(statistics.median(days)).quantize(DAY, rounding=ROUND_HALF_UP)
    return Figure(median, len(days), parts)


def _repeat_figure(facts: list[tuple[str, Decimal]], roll: int | None) -> Figure:
    incidents = _sums(facts)
    repeated = sum(1 for count in incidents.values() if count > 1)
    once = len(incidents) - repeated
    return Figure(
        _share(repeated, len(incidents)), len(incidents), {"repeated": repeated, "once": once}, {}
    )


_reports = _counted(Report, "received_at", Q(), "category")
_incidents = _counted(Incident, "occurred_at", Q(), "category")

READERS: dict[str, Reader] = {
    "pupil_reports": Reader(_reports, _count_figure(True)),
    "incidents": Reader(_incidents, _count_figure(True)),
    "critical_incidents": Reader(
        _counted(Incident, "occurred_at", CRITICAL, "category"), _count_figure(True)
    ),
    "officer_hours": Reader(_read_minutes, _hours_figure),
    "patrols": Reader(
        _counted(Activity, "started_at", Q(kind=ActivityKind.PATROL), "detail"),
        _count_figure(False),
    ),
    "reports_per_100": Reader(_reports, _per_100_figure),
    "incidents_per_100": Reader(_incidents, _per_100_figure),
    "repeat_victimisation": Reader(_read_victims, _repeat_figure),
    "reports_acknowledged_in_time": Reader(
        _read_acknowledged, _share_figure("in_time", "late", "pending")
    ),
    "report_days_to_close": Reader(_read_days_to_close, _median_figure),
    "patrols_done_of_planned": Reader(_read_planned_patrols, _patrols_done_figure),
    "referrals_completed": Reader(_read_referrals, _share_figure("completed", "not_completed")),
    "sharing_decisions_reviewed": Reader(
        _read_decisions_reviewed, _share_figure("reviewed", "not_reviewed")
    ),
}

# Every indicator the product computes.
COMPUTED_CODES = frozenset(READERS)
# Those whose figures rest on records about pupils: counts from 1 to 4 are not shown to roles
# without personal-data access.
PUPIL_RECORD_CODES = COMPUTED_CODES - {"officer_hours", "patrols", "patrols_done_of_planned"}


class Facts:
    """One computed indicator's facts for some schools over some months, ready to give any
    period's figure for one school or for the schools taken together."""

    def __init__(
        self, code: str, schools: Sequence[School], facts: list[Fact], today: date
    ) -> None:
        self.code = code
        self.reader = READERS[code]
        self.today = today
        self.rolls = {school.pk: school.number_of_pupils for school in schools}
        self.cells: dict[tuple[uuid.UUID, date], list[tuple[str, Decimal]]] = defaultdict(list)
        for school_id, month, key, amount in facts:
            self.cells[(school_id, month)].append((key, amount))

    def begun(self, periods: Iterable[Period]) -> list[Period]:
        """The periods that have begun (a period yet to come has no figure)."""
        return [period for period in periods if period.start <= self.today]

    def _roll(self, school_ids: Iterable[uuid.UUID]) -> int | None:
        rolls = [self.rolls.get(school_id) for school_id in school_ids]
        if not rolls or not all(rolls):
            return None
        return sum(roll for roll in rolls if roll)

    def value(self, school_ids: Iterable[uuid.UUID], period: Period) -> Value:
        """The period's figure for these schools taken together (one school, or a group)."""
        school_ids = list(school_ids)
        facts: list[tuple[str, Decimal]] = []
        month = period.start.replace(day=1)
        while month <= period.end:
            for school_id in school_ids:
                facts.extend(self.cells.get((school_id, month), ()))
            month = month_after(month)
        figure = self.reader.figure(facts, self._roll(school_ids))
        return Value(
            code=self.code,
            period=period,
            value=figure.value,
            source=Indicator.Source.COMPUTED,
            records=figure.records,
            parts=figure.parts or {},
            breakdown=figure.breakdown or {},
        )


def computed_facts(
    *, codes: Iterable[str], schools: Iterable[School], first: date, last: date
) -> dict[str, Facts]:
    """The facts of each computed indicator in ``codes`` for the schools, over the months from
    ``first``'s to ``last``'s, keyed by code. Indicators read from the same records (a count and
    its rate per 100 pupils) share one reading: one to three queries for each reading, whatever
    the schools and months. Raises ``KeyError`` for a code the product does not compute."""
    schools = list(schools)
    school_ids = [school.pk for school in schools]
    first, last = first.replace(day=1), month_end(last.replace(day=1))
    now = timezone.now()
    today = now.astimezone(LONDON).date()
    read: dict[ReadFacts, list[Fact]] = {}
    found: dict[str, Facts] = {}
    for code in codes:
        reader = READERS[code]
        if reader.read not in read:
            read[reader.read] = reader.read(school_ids, first, last, now) if school_ids else []
        found[code] = Facts(code, schools, read[reader.read], today)
    return found


def _span(periods: Sequence[Period]) -> tuple[date, date]:
    return min(period.start for period in periods), max(period.end for period in periods)


def computed_values(
    *, indicator: Indicator, schools: Iterable[School], periods: Sequence[Period]
) -> dict[uuid.UUID, dict[str, Value]]:
    """The computed indicator's value for each school and each period that has begun, keyed by
    school id then period label. A figure that has nothing to rest on (no report to take a
    share of, a number of pupils not known) has the value ``None``. One to three queries."""
    schools = list(schools)
    found: dict[uuid.UUID, dict[str, Value]] = {school.pk: {} for school in schools}
    if not schools or not periods:
        return found
    first, last = _span(periods)
    facts = computed_facts(codes=[indicator.code], schools=schools, first=first, last=last)
    one = facts[indicator.code]
    for school in schools:
        found[school.pk] = {p.label: one.value([school.pk], p) for p in one.begun(periods)}
    return found


def computed_group_values(
    *, indicator: Indicator, schools: Iterable[School], periods: Sequence[Period]
) -> dict[str, Value]:
    """The computed indicator for the schools taken together, for each period that has begun,
    keyed by period label: counts summed; rates per 100 pupils over the pupils of them all (no
    figure unless every school's number is known); shares, medians and repeat victims over
    their records pooled (a pupil who was the victim at two of the schools is one pupil). One
    to three queries."""
    schools = list(schools)
    if not schools or not periods:
        return {}
    first, last = _span(periods)
    facts = computed_facts(codes=[indicator.code], schools=schools, first=first, last=last)
    one = facts[indicator.code]
    school_ids = [school.pk for school in schools]
    return {period.label: one.value(school_ids, period) for period in one.begun(periods)}
