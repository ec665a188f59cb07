"""Hotspots: where and when a school's incidents happen, against the period before.

Counts are by place (incidents at no particular place are grouped by where they happened), by
where (on site, journey, neighbourhood, online), by weekday and by time band of the school day,
each beside the count for the previous period of the same length. Whoever sees the school's
incidents (its leaders and officers) sees every number; the other roles that oversee the school
(police supervisors, the local authority's analysts, the steering group) see counts from 1 to 4
as not shown, and so any count from which one of those could be worked out by subtraction.

That protection holds within one answer. Two answers for periods that overlap (one day longer,
say) can still be set side by side; the periods a viewer asks for are not restricted.
"""

from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404

from saferschools.core import access
from saferschools.core.models import School
from saferschools.lib.schooldays import LONDON
from saferschools.lib.suppression import SUPPRESS_BELOW as SUPPRESS_BELOW
from saferschools.lib.suppression import suppressed_cells

from .models import Incident, LocationKind, Place

# Roles that oversee a school without seeing its incidents: they see hotspots with small counts
# left out.
DEFAULT_DAYS = 28
SUGGESTION_WEEKS = 4
# Periods are dates from this year to the last one: nothing older is an incident recorded here.
FIRST_YEAR, LAST_YEAR = 2000, 2100

TIME_BANDS = (
    ("before_school", "Before school"),
    ("morning", "Morning lessons"),
    ("break", "Break"),
    ("lunch", "Lunch"),
    ("afternoon", "Afternoon lessons"),
    ("after_school", "After school"),
    ("evening", "Evening"),
    ("night", "Night"),
)
TIME_BAND_LABELS = dict(TIME_BANDS)
# Where each band starts, in the school's local time (a typical secondary day: a break
# mid-morning and an hour for lunch); the last band runs on to the first.
BAND_STARTS = (
    (time(0, 0), "night"),
    (time(7, 0), "before_school"),
    (time(8, 45), "morning"),
    (time(10, 45), "break"),
    (time(11, 5), "morning"),
    (time(12, 30), "lunch"),
    (time(13, 30), "afternoon"),
    (time(15, 15), "after_school"),
    (time(18, 0), "evening"),
    (time(22, 0), "night"),
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def time_band(moment: datetime) -> str:
    """The band of the school day a moment falls in, read in Europe/London."""
    local = moment.astimezone(LONDON).time()
    band = "night"
    for start, name in BAND_STARTS:
        if local >= start:
            band = name
    return band


def weekday(moment: datetime) -> str:
    """The day of the week a moment falls on, read in Europe/London."""
    return WEEKDAYS[moment.astimezone(LONDON).weekday()]


def time_band_definitions() -> list[tuple[str, str]]:
    """Each band's label and the times it covers in UK time, e.g. ("Break", "10:45 to
    11:05"), in the order of ``TIME_BANDS``. Morning lessons, either side of break, has two
    stretches; night, which runs over midnight, is said as one."""
    stretches: dict[str, list[str]] = {name: [] for name, _ in TIME_BANDS}
    ends = [start for start, _ in BAND_STARTS[1:]] + [BAND_STARTS[1][0]]
    # The first stretch (from midnight) is the end of the night that starts at the last.
    for (start, name), end in zip(BAND_STARTS[1:], ends[1:], strict=True):
        stretches[name].append(f"{start:%H:%M} to {end:%H:%M}")
    return [(TIME_BAND_LABELS[name], " and ".join(stretches[name])) for name, _ in TIME_BANDS]


# Who sees hotspots -----------------------------------------------------------------------------


def sees_all_counts(user: Any, school: School) -> bool:
    """Whether the user sees the school's hotspots in full: those who see all its incidents
    (its safeguarding leads, head teacher and SSP officers).

    Asked several times for one page, the answer is kept on the user object, as the access
    policy keeps the user's memberships: for one request.
    """
    known: dict[Any, bool] = user.__dict__.setdefault("_hotspots_sees_all", {})
    if school.pk not in known:
        known[school.pk] = access.can_see_incidents(user, school)
    return known[school.pk]


def can_see_hotspots(user: Any, school: School) -> bool:
    """Whether the user sees the school's hotspots at all (the access policy decides)."""
    return access.can_see_hotspots(user, school)


def get_school_for_hotspots(user: Any, urn: int | str) -> School:
    """The school with this URN if the user may see its hotspots; else ``Http404``, as for a
    school that does not exist."""
    school = access.get_school_for_user(user, urn)
    if not can_see_hotspots(user, school):
        raise Http404("No school found.")
    return school


# The period ------------------------------------------------------------------------------------


def default_period(today: date) -> tuple[date, date]:
    """The last four weeks: from 28 days before tomorrow up to (not including) tomorrow."""
    until = today + timedelta(days=1)
    return until - timedelta(days=DEFAULT_DAYS), until


def period_clean(*, since: date | None, until: date | None, today: date) -> tuple[date, date]:
    """The period asked for, from ``since`` up to (not including) ``until``; either left out
    takes its default (until tomorrow; since four weeks before until). Raises
    ``ValidationError`` naming ``since`` or ``until``."""
    errors: dict[str, str] = {}
    for name, value in (("since", since), ("until", until)):
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            errors[name] = f"Give a date from {FIRST_YEAR} to {LAST_YEAR}"
    if errors:
        raise ValidationError(errors)
    until = until or default_period(today)[1]
    since = since or until - timedelta(days=DEFAULT_DAYS)
    if since >= until:
        raise ValidationError({"until": "The end of the period must be after its start"})
    return since, until


# Counting --------------------------------------------------------------------------------------


GroupKey = tuple[str | None, str]  # (place id or None, location kind)


@dataclass
class Hotspot:
    """One place (or, for incidents at no particular place, one kind of location)."""

    place_id: str | None
    place: str
    location_kind: str
    count: int | None
    previous_count: int | None
    by_weekday: dict[str, int | None] = field(default_factory=dict)
    by_time_band: dict[str, int | None] = field(default_factory=dict)
    plan_x: float | None = None
    plan_y: float | None = None

    @property
    def change(self) -> int | None:
        return _change(self.count, self.previous_count)

    @property
    def location_label(self) -> str:
        return str(LocationKind(self.location_kind).label)

    @property
    def time_band_counts(self) -> list[int | None]:
        return [self.by_time_band.get(name) for name, _ in TIME_BANDS]

    @property
    def weekday_counts(self) -> list[int | None]:
        return [self.by_weekday.get(day) for day in WEEKDAYS]


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    count: int | None
    previous: int | None

    @property
    def change(self) -> int | None:
        return _change(self.count, self.previous)


@dataclass
class Breakdown:
    """Counts for one way of dividing the incidents, each beside the previous period's."""

    rows: list[BreakdownRow]

    @property
    def labels(self) -> list[str]:
        return [row.label for row in self.rows]

    @property
    def counts(self) -> list[int | None]:
        return [row.count for row in self.rows]

    @property
    def previous(self) -> list[int | None]:
        return [row.previous for row in self.rows]


@dataclass
class Hotspots:
    school: School
    since: date
    until: date  # the day after the last day
    previous_since: date
    total: int | None
    previous_total: int | None
    places: list[Hotspot]
    by_location_kind: Breakdown
    by_weekday: Breakdown
    by_time_band: Breakdown
    suppressed: bool

    @property
    def days(self) -> int:
        return (self.until - self.since).days

    @property
    def last_day(self) -> date:
        return self.until - timedelta(days=1)

    @property
    def previous_last_day(self) -> date:
        return self.since - timedelta(days=1)

    @property
    def change(self) -> int | None:
        return _change(self.total, self.previous_total)


def _change(now: int | None, before: int | None) -> int | None:
    return None if now is None or before is None else now - before


def _window(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=LONDON)


def _group_label(place: Place | None, kind: str) -> str:
    return place.name if place else f"{LocationKind(kind).label} (no particular place)"


def _shown(hidden: set[Hashable]) -> Callable[[Hashable, int], int | None]:
    def shown(key: Hashable, count: int) -> int | None:
        return None if key in hidden else count

    return shown


def school_hotspots(*, user: Any, school: School, since: date, until: date) -> Hotspots:
    """The school's hotspots from ``since`` up to (not including) ``until``, each count beside
    the count for the same number of days before ``since``; days are days in England.

    The school comes through ``get_school_for_hotspots`` (the caller fetched it). Incidents are
    grouped by place and by where they happened (an incident online at a place is apart from
    those on site there); the busiest group comes first. For a viewer who does not see the
    school's incidents, small counts and those that would give one away are ``None``.
    """
    days = max(1, (until - since).days)
    previous_since = since - timedelta(days=days)
    suppress = not sees_all_counts(user, school)
    incidents = list(
        Incident.objects.filter(
            school=school,
            occurred_at__gte=_window(previous_since),
            occurred_at__lt=_window(until),
        )
        .order_by()
        .values_list("occurred_at", "place_id", "location_kind")
    )
    start = _window(since)
    current = [(at, place, kind) for at, place, kind in incidents if at >= start]
    previous = [(at, place, kind) for at, place, kind in incidents if at < start]
    place_ids = {place for _, place, _ in incidents if place is not None}
    places = {str(place.pk): place for place in Place.objects.filter(pk__in=place_ids)}

    def group(place_id: Any, kind: str) -> GroupKey:
        return (str(place_id) if place_id else None, kind)

    now_by_group = Counter(group(place, kind) for _, place, kind in current)
    then_by_group = Counter(group(place, kind) for _, place, kind in previous)
    groups = list(dict.fromkeys([*now_by_group, *then_by_group]))
    labels = {key: _group_label(places.get(key[0] or ""), key[1]) for key in groups}
    groups.sort(key=lambda key: (-now_by_group[key], -then_by_group[key], labels[key]))
    now_weekday = Counter((group(p, k), weekday(at)) for at, p, k in current)
    now_band = Counter((group(p, k), time_band(at)) for at, p, k in current)
    kinds = [value for value, _ in LocationKind.choices]
    bands = [name for name, _ in TIME_BANDS]

    def cells_of(
        rows: list[tuple[datetime, Any, str]], by_group: Counter[GroupKey], nested: bool
    ) -> tuple[dict[Hashable, int], list[tuple[Hashable, list[Hashable]]]]:
        """Every count shown of one period, and how they add up."""
        by_kind = Counter(kind for _, _, kind in rows)
        by_day = Counter(weekday(at) for at, _, _ in rows)
        by_band = Counter(time_band(at) for at, _, _ in rows)
        cells: dict[Hashable, int] = {("total",): len(rows)}
        cells.update({("kind", k): by_kind[k] for k in kinds})
        cells.update({("weekday", d): by_day[d] for d in WEEKDAYS})
        cells.update({("band", b): by_band[b] for b in bands})
        cells.update({("place", g): by_group[g] for g in groups})
        relations: list[tuple[Hashable, list[Hashable]]] = [
            (("total",), [("kind", k) for k in kinds]),
            (("total",), [("weekday", d) for d in WEEKDAYS]),
            (("total",), [("band", b) for b in bands]),
            (("total",), [("place", g) for g in groups]),
        ]
        for k in kinds:
            relations.append((("kind", k), [("place", g) for g in groups if g[1] == k]))
        if nested:
            for g in groups:
                cells.update({("place_weekday", g, d): now_weekday[(g, d)] for d in WEEKDAYS})
                cells.update({("place_band", g, b): now_band[(g, b)] for b in bands})
                relations.append((("place", g), [("place_weekday", g, d) for d in WEEKDAYS]))
                relations.append((("place", g), [("place_band", g, b) for b in bands]))
            for d in WEEKDAYS:
                relations.append((("weekday", d), [("place_weekday", g, d) for g in groups]))
            for b in bands:
                relations.append((("band", b), [("place_band", g, b) for g in groups]))
        return cells, relations

    now_cells, now_relations = cells_of(current, now_by_group, nested=True)
    then_cells, then_relations = cells_of(previous, then_by_group, nested=False)
    now = _shown(suppressed_cells(now_cells, now_relations) if suppress else set())
    then = _shown(suppressed_cells(then_cells, then_relations) if suppress else set())

    hotspots = []
    for key in groups:
        place_id, kind = key
        place = places.get(place_id or "")
        hotspots.append(
            Hotspot(
                place_id=place_id,
                place=labels[key],
                location_kind=kind,
                count=now(("place", key), now_by_group[key]),
                previous_count=then(("place", key), then_by_group[key]),
                by_weekday={
                    d: now(("place_weekday", key, d), now_weekday[(key, d)]) for d in WEEKDAYS
                },
                by_time_band={b: now(("place_band", key, b), now_band[(key, b)]) for b in bands},
                plan_x=place.plan_x if place else None,
                plan_y=place.plan_y if place else None,
            )
        )
    if suppress:
        # The order says nothing of what is left out: those shown, busiest first, then the rest
        # by name.
        hotspots.sort(key=lambda h: (h.count is None, -(h.count or 0), h.place))

    def breakdown(kind: str, choices: list[tuple[str, str]]) -> Breakdown:
        return Breakdown(
            [
                BreakdownRow(
                    key,
                    label,
                    now((kind, key), now_cells[(kind, key)]),
                    then((kind, key), then_cells[(kind, key)]),
                )
                for key, label in choices
            ]
        )

    return Hotspots(
        school=school,
        since=since,
        until=until,
        previous_since=previous_since,
        total=now(("total",), len(current)),
        previous_total=then(("total",), len(previous)),
        places=hotspots,
        by_location_kind=breakdown("kind", [(k, str(label)) for k, label in LocationKind.choices]),
        by_weekday=breakdown("weekday", [(d, d) for d in WEEKDAYS]),
        by_time_band=breakdown("band", list(TIME_BANDS)),
        suppressed=suppress,
    )


# Patrol suggestions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PatrolSuggestion:
    place: str
    place_id: str | None
    time_band: str
    time_band_label: str
    count: int


def patrol_suggestions(
    *, user: Any, school: School, today: date, weeks: int = SUGGESTION_WEEKS, top: int = 5
) -> list[PatrolSuggestion]:
    """The places and time bands with the most incidents in the last ``weeks`` weeks up to and
    including ``today``, busiest first, for those who see the school's incidents (an empty list
    for anyone else)."""
    if not sees_all_counts(user, school):
        return []
    since = _window(today - timedelta(weeks=weeks) + timedelta(days=1))
    rows = list(
        Incident.objects.filter(
            school=school,
            occurred_at__gte=since,
            occurred_at__lt=_window(today + timedelta(days=1)),
        )
        .order_by()
        .values_list("occurred_at", "place_id", "location_kind")
    )
    places = {
        place.pk: place
        for place in Place.objects.filter(pk__in={p for _, p, _ in rows if p is not None})
    }
    counts: Counter[tuple[str | None, str, str]] = Counter()
    for occurred_at, place_id, kind in rows:
        place = places.get(place_id) if place_id else None
        counts[
            (str(place_id) if place_id else None, _group_label(place, kind), time_band(occurred_at))
        ] += 1
    band_order = {name: index for index, (name, _) in enumerate(TIME_BANDS)}
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0][1], band_order[item[0][2]]))
    return [
        PatrolSuggestion(name, place_id, band, TIME_BAND_LABELS[band], count)
        for (place_id, name, band), count in ranked[:top]
    ]
