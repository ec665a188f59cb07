"""Reads of officers' activity and patrol plans, always starting from the access policy: the
week's log, the plans and their occurrences, the calendar feed, and time use."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from saferschools.accounts.models import User
from saferschools.core import access
from saferschools.core import selectors as core_selectors
from saferschools.core.models import School
from saferschools.incidents.models import Place
from saferschools.lib.schooldays import LONDON, is_school_day

from . import ical
from .models import Activity, ActivityKind, CalendarFeed, PatrolPlan
from .services import token_hash

FEED_WEEKS_BACK = 4
FEED_WEEKS_AHEAD = 12
FEED_PRODUCT = "-//SaferSchools//Patrol plans//EN"
TOKEN_MAX = 100
EN_DASH = "\u2013"


def london_midnight(day: date) -> datetime:
    """The start of ``day`` in Europe/London, as an aware time."""
    return datetime.combine(day, time(), tzinfo=LONDON)


# The week's log ----------------------------------------------------------------------------


def activity_week(*, user: Any, monday: date) -> list[Activity]:
    """The user's own entries that start in the week from ``monday`` (Monday to Sunday, in
    Europe/London), in time order, with their school and place."""
    return list(
        access.scope(user, Activity, write=True)
        .filter(
            officer_id=user.pk,
            started_at__gte=london_midnight(monday),
            started_at__lt=london_midnight(monday + timedelta(days=7)),
        )
        .select_related("school", "place")
        .order_by("started_at", "id")
    )


def latest_school(*, user: Any) -> School | None:
    """The school of the officer's latest entry, if they are still deployed there: where the
    next entry most likely is."""
    latest = (
        access.scope(user, Activity, write=True)
        .filter(officer_id=user.pk, school__in=access.activity_schools(user))
        .select_related("school")
        .order_by("-started_at")
        .first()
    )
    return latest.school if latest else None


def activity_places(*, user: Any) -> QuerySet[Place]:
    """The places in use at the schools the officer is deployed to, by school and name."""
    return (
        access.scope(user, Place)
        .filter(school__in=access.activity_schools(user), active=True)
        .select_related("school")
        .order_by("school__name", "name")
    )


# Patrol plans and their occurrences --------------------------------------------------------


def plan_list(*, user: Any, officer: Any = None, active_only: bool = False) -> QuerySet[PatrolPlan]:
    """The patrol plans the user may read (their own; an overseeing supervisor's officers'),
    by officer, school and time."""
    plans = access.scope(user, PatrolPlan).select_related("officer", "school", "place")
    if officer is not None:
        plans = plans.filter(officer_id=officer.pk)
    if active_only:
        plans = plans.filter(active=True)
    return plans.order_by("officer__full_name", "school__name", "starts_at", "id")


@dataclass(frozen=True)
class Occurrence:
    plan: PatrolPlan
    day: date
    start: datetime
    end: datetime


def plan_occurrences(
    plan: PatrolPlan, first: date, last: date, *, holidays: set[date] | None = None
) -> list[Occurrence]:
    """The plan's patrols from ``first`` to ``last`` (both included): on its weekdays, within
    its dates, in term time only (not at weekends, on bank holidays nor in the school holidays
    of its school's area). ``holidays`` are those holiday days, when the caller has them
    already; else they are read in one query."""
    day = max(first, plan.valid_from)
    if plan.valid_until is not None:
        last = min(last, plan.valid_until)
    if day > last:
        return []
    if holidays is None:
        holidays = core_selectors.holiday_days(plan.school.area_id, day, last)
    weekdays = set(plan.weekday_numbers)
    found = []
    while day <= last:
        if day.weekday() in weekdays and is_school_day(day) and day not in holidays:
            found.append(
                Occurrence(
                    plan,
                    day,
                    datetime.combine(day, plan.starts_at, tzinfo=LONDON),
                    datetime.combine(day, plan.ends_at, tzinfo=LONDON),
                )
            )
        day += timedelta(days=1)
    return found


def _holidays_of(plans: list[PatrolPlan], first: date, last: date) -> dict[Any, set[date]]:
    """The holiday days of the plans' schools' areas, by area: one query for them all."""
    return core_selectors.holiday_days_by_area({plan.school.area_id for plan in plans}, first, last)


def _plans_in(plans: QuerySet[PatrolPlan], first: date, last: date) -> QuerySet[PatrolPlan]:
    return plans.filter(active=True, valid_from__lte=last).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=first)
    )


# The calendar feed -------------------------------------------------------------------------


def calendar_feed_current(*, user: Any) -> CalendarFeed | None:
    """The user's working calendar address, if they have one."""
    return CalendarFeed.objects.filter(officer_id=user.pk, revoked_at__isnull=True).first()


def calendar_feed_find(token: object) -> CalendarFeed | None:
    """The working calendar address with this secret, of an active officer; else ``None``."""
    if not isinstance(token, str) or not 0 < len(token) <= TOKEN_MAX:
        return None
    return (
        CalendarFeed.objects.filter(
            token_hash=token_hash(token), revoked_at__isnull=True, officer__is_active=True
        )
        .select_related("officer")
        .first()
    )


def patrol_summary(plan: PatrolPlan) -> str:
    """What a patrol is called in a calendar: "Patrol: <school> <en dash> <place>"."""
    summary = f"Patrol: {plan.school.name}"
    return f"{summary} {EN_DASH} {plan.place.name}" if plan.place else summary


def calendar_feed_body(feed: CalendarFeed, *, today: date) -> str:
    """The iCalendar text of the officer's active patrol plans at the schools they are still
    deployed to, from four weeks before ``today`` to twelve weeks after. It names schools and
    places only: never a pupil."""
    officer = feed.officer
    first = today - timedelta(weeks=FEED_WEEKS_BACK)
    last = today + timedelta(weeks=FEED_WEEKS_AHEAD)
    plans = list(
        _plans_in(
            plan_list(user=officer, officer=officer).filter(
                school__in=access.activity_schools(officer)
            ),
            first,
            last,
        )
    )
    holidays = _holidays_of(plans, first, last)
    events = [
        ical.Event(
            uid=f"{occurrence.plan.pk}-{occurrence.day:%Y%m%d}@saferschools",
            stamp=occurrence.plan.updated_at,
            start=occurrence.start,
            end=occurrence.end,
            summary=patrol_summary(occurrence.plan),
            location=(
                f"{occurrence.plan.place.name}, {occurrence.plan.school.name}"
                if occurrence.plan.place
                else occurrence.plan.school.name
            ),
        )
        for plan in plans
        for occurrence in plan_occurrences(
            plan, first, last, holidays=holidays[plan.school.area_id]
        )
    ]
    events.sort(key=lambda event: (event.start, event.uid))
    return ical.ical_calendar(
        product=FEED_PRODUCT,
        name=f"Patrols {EN_DASH} {officer.full_name or officer.email}",
        events=events,
    )


# Time use ----------------------------------------------------------------------------------


def month_bounds(month: date) -> tuple[date, date]:
    """The first and last day of the month holding ``month``."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _kinds() -> dict[str, int]:
    return dict.fromkeys(ActivityKind.values, 0)


@dataclass
class TimeUseRow:
    """One officer's time at one school in the period."""

    officer: Any
    school: School
    by_kind: dict[str, int] = field(default_factory=_kinds)
    planned_patrols: int = 0
    planned_minutes: int = 0
    logged_patrols: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    @property
    def logged_patrol_minutes(self) -> int:
        return self.by_kind[ActivityKind.PATROL]

    @property
    def kinds(self) -> list[tuple[str, str, int]]:
        """(code, label, minutes) for every kind, in the order of the list of kinds."""
        return [(code, str(label), self.by_kind[code]) for code, label in ActivityKind.choices]


@dataclass
class TimeUse:
    first: date
    last: date
    rows: list[TimeUseRow]

    @property
    def totals(self) -> TimeUseRow | None:
        if not self.rows:
            return None
        total = TimeUseRow(officer=None, school=self.rows[0].school)
        for row in self.rows:
            for kind, minutes in row.by_kind.items():
                total.by_kind[kind] += minutes
            total.planned_patrols += row.planned_patrols
            total.planned_minutes += row.planned_minutes
            total.logged_patrols += row.logged_patrols
        return total


def time_use(
    *,
    user: Any,
    first: date,
    last: date,
    officer: Any = None,
    school: School | None = None,
    today: date | None = None,
) -> TimeUse:
    """Per officer and school, from ``first`` to ``last`` (Europe/London days, both included):
    minutes logged by kind, and planned patrols (occurrences of active plans, up to ``today``:
    a patrol still to come cannot yet have been logged) against logged patrols. Only what the
    user may read: their own, or the officers they oversee. A fixed number of queries, however
    many officers and entries."""
    planned_until = min(last, today or timezone.localdate())
    activities = access.scope(user, Activity).filter(
        started_at__gte=london_midnight(first),
        started_at__lt=london_midnight(last + timedelta(days=1)),
    )
    plans = _plans_in(access.scope(user, PatrolPlan), first, planned_until)
    if officer is not None:
        activities = activities.filter(officer_id=officer.pk)
        plans = plans.filter(officer_id=officer.pk)
    if school is not None:
        activities = activities.filter(school_id=school.pk)
        plans = plans.filter(school_id=school.pk)
    sums = (
        activities.order_by()
        .values("officer_id", "school_id", "kind")
        .annotate(minutes=Sum("minutes"), entries=Count("id"))
    )
    cells: dict[tuple[Any, Any], dict[str, Any]] = defaultdict(
        lambda: {"by_kind": _kinds(), "planned": 0, "planned_minutes": 0, "logged": 0}
    )
    for row in sums:
        cell = cells[(row["officer_id"], row["school_id"])]
        cell["by_kind"][row["kind"]] += row["minutes"] or 0
        if row["kind"] == ActivityKind.PATROL:
            cell["logged"] += row["entries"]
    plans_list = list(plans.order_by().select_related("school"))
    holidays = _holidays_of(plans_list, first, planned_until)
    for plan in plans_list:
        occurrences = plan_occurrences(
            plan, first, planned_until, holidays=holidays[plan.school.area_id]
        )
        if occurrences:
            cell = cells[(plan.officer_id, plan.school_id)]
            cell["planned"] += len(occurrences)
            cell["planned_minutes"] += len(occurrences) * plan.minutes
    officers = User.objects.in_bulk({officer_id for officer_id, _ in cells})
    schools = School.objects.in_bulk({school_id for _, school_id in cells})
    rows = [
        TimeUseRow(
            officer=officers[officer_id],
            school=schools[school_id],
            by_kind=cell["by_kind"],
            planned_patrols=cell["planned"],
            planned_minutes=cell["planned_minutes"],
            logged_patrols=cell["logged"],
        )
        for (officer_id, school_id), cell in cells.items()
    ]
    rows.sort(
        key=lambda row: (
            row.officer.full_name,
            row.officer.email,
            row.school.name,
            row.school.urn,
        )
    )
    return TimeUse(first, last, rows)


def time_use_schools(*, user: Any) -> QuerySet[School]:
    """The schools where the user may see time use: those with entries or plans they can
    read, and an officer's own schools, in name order."""
    condition = Q(pk__in=access.scope(user, Activity).order_by().values("school_id")) | Q(
        pk__in=access.scope(user, PatrolPlan).order_by().values("school_id")
    )
    condition |= Q(pk__in=access.activity_schools(user).order_by().values("pk"))
    return School.objects.filter(condition).distinct().order_by("name", "urn")


@dataclass(frozen=True)
class Summary:
    by_kind: dict[str, int]
    by_school: dict[str, int]


def activity_summary(
    *,
    user: Any,
    officer: Any = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Summary:
    """Minutes logged by kind (every kind, zero included) and by school URN, of the entries
    the user may read (one officer's, if given) starting from ``since`` and before ``until``."""
    activities = access.scope(user, Activity)
    if officer is not None:
        activities = activities.filter(officer_id=officer.pk)
    if since is not None:
        activities = activities.filter(started_at__gte=since)
    if until is not None:
        activities = activities.filter(started_at__lt=until)
    by_kind = _kinds()
    for row in activities.order_by().values("kind").annotate(minutes=Sum("minutes")):
        by_kind[row["kind"]] = row["minutes"] or 0
    by_school = {
        str(row["school__urn"]): row["minutes"] or 0
        for row in activities.order_by()
        .values("school__urn")
        .annotate(minutes=Sum("minutes"))
        .order_by("school__urn")
    }
    return Summary(by_kind, by_school)
