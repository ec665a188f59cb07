"""Casework counted per school for a period, without a name anywhere.

For each partnership school the user's roles reach (``access.casework_count_schools``): pupils
assessed in the period by the level of their latest assessment in it, early-intervention plans
open at some time in it, plan actions due in it and not done by their due date, referrals made
in it by their status today, sharing decisions made in it (shared or not) and notifications
from the police received in it, with those read late (or not read yet and past due).

The school's case workers (its safeguarding leads, head teacher and officers) see every count.
Police supervisors, the local authority's analysts and steering group members see counts from
1 to 4 as not shown, and any count from which one of those could be worked out by adding or
taking away those shown (``lib.suppression``): within a school's row (the assessed pupils are
the sum of the three levels, the referrals the sum of their statuses, the decisions those
shared and not, the notifications those read late and the rest) and down the columns, through
the row for all schools.
"""

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.http import Http404
from django.utils import timezone

from saferschools.core import access
from saferschools.core.models import School
from saferschools.lib.schooldays import LONDON, academic_year_of
from saferschools.lib.suppression import suppressed_cells
from saferschools.sharing.models import Decision, PoliceNotification, SharingDecision

from .models import (
    Plan,
    PlanAction,
    PlanStatus,
    Referral,
    ReferralStatus,
    RiskAssessment,
    RiskLevel,
)

# Periods are dates from this year to the last one: nothing older is casework recorded here.
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str


ASSESSED = "Pupils assessed, by latest level"
REFERRALS = "Referrals made, by status now"
DECISIONS = "Sharing decisions"
NOTIFICATIONS = "Notifications from the police"
PLANS = "Early-intervention plans"

COLUMNS: tuple[Column, ...] = (
    *(Column(f"assessed_{level}", str(label), ASSESSED) for level, label in RiskLevel.choices),
    Column("assessed", "All assessed", ASSESSED),
    Column("plans_open", "Open in the period", PLANS),
    Column("actions_overdue", "Actions overdue", PLANS),
    *(
        Column(f"referrals_{status}", str(label), REFERRALS)
        for status, label in ReferralStatus.choices
    ),
    Column("referrals", "All referrals", REFERRALS),
    Column("shared", "Shared", DECISIONS),
    Column("not_shared", "Not shared", DECISIONS),
    Column("decisions", "All decisions", DECISIONS),
    Column("notifications", "Received", NOTIFICATIONS),
    Column("notifications_late", "Read late", NOTIFICATIONS),
)
KEYS = tuple(column.key for column in COLUMNS)
# Worked out by the viewer from the columns shown, never shown itself: suppression must not let
# it be small and known.
ON_TIME = "notifications_on_time"

# Which count is the sum of which, within a school's row.
ROW_RELATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("assessed", tuple(f"assessed_{level}" for level in RiskLevel.values)),
    ("referrals", tuple(f"referrals_{status}" for status in ReferralStatus.values)),
    ("decisions", ("shared", "not_shared")),
    ("notifications", ("notifications_late", ON_TIME)),
)


@dataclass(frozen=True)
class Group:
    """Columns under one heading of the table."""

    label: str
    columns: tuple[Column, ...]


def column_groups() -> list[Group]:
    groups: dict[str, list[Column]] = {}
    for column in COLUMNS:
        groups.setdefault(column.group, []).append(column)
    return [Group(label, tuple(columns)) for label, columns in groups.items()]


@dataclass
class Row:
    """One school's counts (``school`` None: all the schools together); ``None`` is a count
    not shown."""

    school: School | None
    counts: dict[str, int | None]
    full: bool = True

    @property
    def values(self) -> list[int | None]:
        return [self.counts[key] for key in KEYS]

    @property
    def label(self) -> str:
        return self.school.name if self.school is not None else "All schools"


@dataclass
class CaseworkCounts:
    since: date
    until: date  # the day after the last day
    rows: list[Row]
    total: Row | None  # with more than one school
    schools_suppressed: list[School] = field(default_factory=list)

    @property
    def last_day(self) -> date:
        return self.until - timedelta(days=1)

    @property
    def suppressed(self) -> bool:
        return bool(self.schools_suppressed)

    def series(self, keys: list[str]) -> list[list[int | None]]:
        """The counts of each key, one list per key with a value per school, for a chart."""
        return [[row.counts[key] for row in self.rows] for key in keys]


# Who sees which schools -------------------------------------------------------------------------


def count_schools(user: Any) -> list[School]:
    """The schools whose casework counts the user sees, in name order; ``Http404`` when there
    are none, as for a page that does not exist."""
    schools = list(access.casework_count_schools(user))
    if not schools:
        raise Http404("No schools found.")
    return schools


# The period -------------------------------------------------------------------------------------


def default_period(today: date) -> tuple[date, date]:
    """This academic year so far: from 1 September up to and including ``today``."""
    return date(academic_year_of(today), 9, 1), today + timedelta(days=1)


def period_clean(*, start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The period from ``start`` up to and including ``end`` as (since, until), ``until`` being
    the day after the last day; either left out takes its default (this academic year so far;
    a start alone runs to today, or to the end of its academic year if that is sooner).
    Raises ``ValidationError`` naming ``start`` or ``end``."""
    errors: dict[str, str] = {}
    for name, value in (("start", start), ("end", end)):
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            errors[name] = f"Give a date from {FIRST_YEAR} to {LAST_YEAR}"
    if errors:
        raise ValidationError(errors)
    if end is not None:
        start = start or date(academic_year_of(end), 9, 1)
    elif start is not None:
        end = min(max(today, start), date(academic_year_of(start) + 1, 8, 31))
    else:
        return default_period(today)
    if end < start:
        raise ValidationError({"end": "The end of the period must be on or after its start"})
    return start, end + timedelta(days=1)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=LONDON)


# Counting ---------------------------------------------------------------------------------------


def casework_counts(
    *, user: Any, schools: list[School], since: date, until: date
) -> CaseworkCounts:
    """The casework counts of ``schools`` (from ``count_schools``) from ``since`` up to (not
    including) ``until``, days in England. A fixed number of queries, however many schools.

    The user's case schools (``access.casework_schools``) are counted in full; the others with
    small counts, and those that would give one away, as ``None``.
    """
    ids = [school.pk for school in schools]
    start, end = _moment(since), _moment(until)
    cells: dict[Any, Counter[str]] = {school_id: Counter() for school_id in ids}

    # The level of each pupil's latest assessment in the period, at the school that made it.
    latest: dict[Any, tuple[Any, str]] = {}
    assessments = (
        RiskAssessment.objects.filter(
            school_id__in=ids, assessed_at__gte=start, assessed_at__lt=end
        )
        .order_by("pupil_id", "assessed_at", "id")
        .values_list("pupil_id", "school_id", "level")
    )
    for pupil_id, school_id, level in assessments:
        latest[pupil_id] = (school_id, level)
    for school_id, level in latest.values():
        cells[school_id][f"assessed_{level}"] += 1
        cells[school_id]["assessed"] += 1

    open_plans = (
        Plan.objects.filter(school_id__in=ids, opened_at__lt=end)
        .filter(
            Q(closed_at__gte=start) | (Q(closed_at__isnull=True) & ~Q(status=PlanStatus.CLOSED))
        )
        .order_by()
        .values("school_id")
        .annotate(n=Count("id"))
    )
    for row in open_plans:
        cells[row["school_id"]]["plans_open"] = row["n"]

    # An action is overdue once its due date has passed without its being done: done later, or
    # not yet.
    today = timezone.localdate()
    due = (
        PlanAction.objects.filter(
            plan__school_id__in=ids, due_on__gte=since, due_on__lt=min(until, today)
        )
        .order_by()
        .values_list("plan__school_id", "due_on", "done_at")
    )
    for school_id, due_on, done_at in due:
        if done_at is None or done_at.astimezone(LONDON).date() > due_on:
            cells[school_id]["actions_overdue"] += 1

    referrals = (
        Referral.objects.filter(school_id__in=ids, referred_at__gte=start, referred_at__lt=end)
        .order_by()
        .values("school_id", "status")
        .annotate(n=Count("id"))
    )
    for row in referrals:
        cells[row["school_id"]][f"referrals_{row['status']}"] += row["n"]
        cells[row["school_id"]]["referrals"] += row["n"]

    decisions = (
        SharingDecision.objects.filter(school_id__in=ids, decided_at__gte=start, decided_at__lt=end)
        .order_by()
        .values("school_id", "decision")
        .annotate(n=Count("id"))
    )
    for row in decisions:
        key = "shared" if row["decision"] == Decision.SHARE else "not_shared"
        cells[row["school_id"]][key] += row["n"]
        cells[row["school_id"]]["decisions"] += row["n"]

    late = Q(acknowledged_at__gt=F("due_by")) | Q(
        acknowledged_at__isnull=True, due_by__lt=timezone.now()
    )
    notifications = (
        PoliceNotification.objects.filter(
            school_id__in=ids, recorded_at__gte=start, recorded_at__lt=end
        )
        .order_by()
        .values("school_id")
        .annotate(n=Count("id"), late=Count("id", filter=late))
    )
    for row in notifications:
        cells[row["school_id"]]["notifications"] = row["n"]
        cells[row["school_id"]]["notifications_late"] = row["late"]
        cells[row["school_id"]][ON_TIME] = row["n"] - row["late"]

    full_ids = set(access.casework_schools(user).filter(pk__in=ids).values_list("pk", flat=True))
    hidden = _hidden(cells, [school_id for school_id in ids if school_id not in full_ids])
    rows = [
        Row(
            school=school,
            counts={key: _shown(hidden, (school.pk, key), cells[school.pk][key]) for key in KEYS},
            full=school.pk in full_ids,
        )
        for school in schools
    ]
    total = None
    if len(schools) > 1:
        sums = {key: sum(cells[school_id][key] for school_id in ids) for key in KEYS}
        total = Row(
            school=None,
            counts={key: _shown(hidden, (TOTAL, key), sums[key]) for key in KEYS},
            full=not hidden,
        )
    return CaseworkCounts(
        since=since,
        until=until,
        rows=rows,
        total=total,
        schools_suppressed=[school for school in schools if school.pk not in full_ids],
    )


TOTAL = "all"


def _shown(hidden: set[Hashable], cell: Hashable, count: int) -> int | None:
    return None if cell in hidden else count


def _hidden(cells: dict[Any, Counter[str]], suppressed_ids: list[Any]) -> set[Hashable]:
    """The cells to leave out: those of the schools counted with suppression, and of the row for
    all schools, whose counts less those of the schools seen in full are theirs."""
    if not suppressed_ids:
        return set()
    keys = (*KEYS, ON_TIME)
    grid: dict[Hashable, int] = {}
    relations: list[tuple[Hashable, list[Hashable]]] = []
    rows: list[Hashable] = [*suppressed_ids]
    for school_id in suppressed_ids:
        for key in keys:
            grid[(school_id, key)] = cells[school_id][key]
    if len(cells) > 1:
        rows.append(TOTAL)
        for key in keys:
            grid[(TOTAL, key)] = sum(cells[school_id][key] for school_id in suppressed_ids)
            relations.append(((TOTAL, key), [(school_id, key) for school_id in suppressed_ids]))
    for row in rows:
        for total, parts in ROW_RELATIONS:
            relations.append(((row, total), [(row, part) for part in parts]))
    return suppressed_cells(grid, relations)
