"""Hotspots: periods and the period before, time bands and weekdays in UK time (BST and GMT),
grouping and order, suppression for those who oversee a school, and patrol suggestions."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404

from saferschools.accounts.models import Role
from saferschools.incidents import hotspots as hs
from saferschools.incidents import services
from saferschools.incidents.models import LocationKind, PlaceKind
from saferschools.incidents.services import IncidentInput
from saferschools.lib.schooldays import LONDON

pytestmark = pytest.mark.django_db

# Friday 20 March 2026, GMT; British Summer Time starts on Sunday 29 March 2026.
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


@pytest.fixture
def places(world, dsl):
    def make(name: str, kind: str = PlaceKind.SITE_ZONE, **pin):
        return services.place_create(
            actor=dsl, school=world.school_a, name=name, kind=kind, source="test", **pin
        )

    return {
        "sheds": make("Bike sheds", plan_x=20, plan_y=30),
        "field": make("Playing field"),
        "gate": make("Bus stop by the gate", PlaceKind.STOP),
    }


@pytest.fixture
def record(world, dsl):
    def record(when: datetime, place=None, kind: str = LocationKind.ON_SITE, school=None):
        return services.incident_record(
            actor=dsl,
            school=school or world.school_a,
            data=IncidentInput(
                occurred_at=when,
                location_kind=kind,
                category="theft",
                severity="low",
                description="A bike was taken.",
                place_id=str(place.pk) if place else None,
            ),
            source="test",
        )

    return record


def spots(found: hs.Hotspots) -> dict[str, tuple[int | None, int | None]]:
    return {spot.place: (spot.count, spot.previous_count) for spot in found.places}


# Periods ------------------------------------------------------------------------------------------


def test_the_default_period_is_the_last_four_weeks_up_to_tomorrow():
    assert hs.default_period(date(2026, 3, 20)) == (date(2026, 2, 21), date(2026, 3, 21))
    assert hs.period_clean(since=None, until=None, today=date(2026, 3, 20)) == (
        date(2026, 2, 21),
        date(2026, 3, 21),
    )
    # Only the start: up to tomorrow. Only the end: the four weeks before it.
    assert hs.period_clean(since=date(2026, 3, 1), until=None, today=date(2026, 3, 20)) == (
        date(2026, 3, 1),
        date(2026, 3, 21),
    )
    assert hs.period_clean(since=None, until=date(2026, 1, 29), today=date(2026, 3, 20)) == (
        date(2026, 1, 1),
        date(2026, 1, 29),
    )


@pytest.mark.parametrize(
    ("since", "until", "field"),
    [
        (date(2026, 3, 10), date(2026, 3, 1), "until"),
        (date(2026, 3, 1), date(2026, 3, 1), "until"),
        (date(1999, 12, 31), date(2026, 3, 1), "since"),
        (date(2026, 3, 1), date(2101, 1, 1), "until"),
        (date(1, 1, 1), date(9999, 12, 31), "since"),
    ],
)
def test_a_bad_period_is_refused_naming_the_field(since, until, field):
    with pytest.raises(ValidationError) as caught:
        hs.period_clean(since=since, until=until, today=date(2026, 3, 20))
    assert field in caught.value.message_dict


def test_the_previous_period_has_the_same_length_and_ends_as_this_one_starts(
    world, dsl, places, record
):
    sheds = places["sheds"]
    # This period: Sunday 1 to Saturday 7 March; the previous one: 22 to 28 February (GMT).
    for when in (
        london(2026, 2, 21, 23, 59),  # before the previous period
        london(2026, 2, 22, 0, 0),  # previous period, first minute
        london(2026, 2, 28, 23, 59),  # previous period, last minute
        london(2026, 3, 1, 0, 0),  # this period, first minute
        london(2026, 3, 7, 23, 59),  # this period, last minute
        london(2026, 3, 8, 0, 0),  # after it
    ):
        record(when, sheds)
    found = hs.school_hotspots(
        user=dsl, school=world.school_a, since=date(2026, 3, 1), until=date(2026, 3, 8)
    )
    assert found.previous_since == date(2026, 2, 22)
    assert (found.days, found.last_day, found.previous_last_day) == (
        7,
        date(2026, 3, 7),
        date(2026, 2, 28),
    )
    assert (found.total, found.previous_total, found.change) == (2, 2, 0)
    assert spots(found) == {"Bike sheds": (2, 2)}


def test_periods_are_days_in_england_in_summer_time(world, dsl, places, record):
    with time_machine.travel(datetime(2026, 7, 20, 12, tzinfo=UTC), tick=False):
        # 23:30 UTC on 31 May is 00:30 on 1 June in British Summer Time: in June.
        record(datetime(2026, 5, 31, 23, 30, tzinfo=UTC), places["sheds"])
        # 22:59 UTC on 30 June is 23:59 BST: still June.
        record(datetime(2026, 6, 30, 22, 59, tzinfo=UTC), places["sheds"])
        # 23:00 UTC on 30 June is midnight BST: 1 July, after the period.
        record(datetime(2026, 6, 30, 23, 0, tzinfo=UTC), places["sheds"])
        found = hs.school_hotspots(
            user=dsl, school=world.school_a, since=date(2026, 6, 1), until=date(2026, 7, 1)
        )
    assert (found.total, found.previous_total) == (2, 0)


# Time bands and weekdays ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "band"),
    [
        # January: GMT, so UK time is UTC.
        (datetime(2026, 1, 15, 6, 59, tzinfo=UTC), "night"),
        (datetime(2026, 1, 15, 7, 0, tzinfo=UTC), "before_school"),
        (datetime(2026, 1, 15, 8, 44, tzinfo=UTC), "before_school"),
        (datetime(2026, 1, 15, 8, 45, tzinfo=UTC), "morning"),
        (datetime(2026, 1, 15, 10, 44, tzinfo=UTC), "morning"),
        (datetime(2026, 1, 15, 10, 45, tzinfo=UTC), "break"),
        (datetime(2026, 1, 15, 11, 4, tzinfo=UTC), "break"),
        (datetime(2026, 1, 15, 11, 5, tzinfo=UTC), "morning"),
        (datetime(2026, 1, 15, 12, 30, tzinfo=UTC), "lunch"),
        (datetime(2026, 1, 15, 13, 29, tzinfo=UTC), "lunch"),
        (datetime(2026, 1, 15, 13, 30, tzinfo=UTC), "afternoon"),
        (datetime(2026, 1, 15, 15, 15, tzinfo=UTC), "after_school"),
        (datetime(2026, 1, 15, 17, 59, tzinfo=UTC), "after_school"),
        (datetime(2026, 1, 15, 18, 0, tzinfo=UTC), "evening"),
        (datetime(2026, 1, 15, 21, 59, tzinfo=UTC), "evening"),
        (datetime(2026, 1, 15, 22, 0, tzinfo=UTC), "night"),
        (datetime(2026, 1, 15, 0, 0, tzinfo=UTC), "night"),
        # July: BST, an hour ahead of UTC.
        (datetime(2026, 7, 15, 5, 59, tzinfo=UTC), "night"),
        (datetime(2026, 7, 15, 6, 0, tzinfo=UTC), "before_school"),
        (datetime(2026, 7, 15, 7, 44, tzinfo=UTC), "before_school"),
        (datetime(2026, 7, 15, 7, 45, tzinfo=UTC), "morning"),
        (datetime(2026, 7, 15, 9, 45, tzinfo=UTC), "break"),
        (datetime(2026, 7, 15, 11, 30, tzinfo=UTC), "lunch"),
        (datetime(2026, 7, 15, 14, 14, tzinfo=UTC), "afternoon"),
        (datetime(2026, 7, 15, 14, 15, tzinfo=UTC), "after_school"),
        (datetime(2026, 7, 15, 20, 59, tzinfo=UTC), "evening"),
        (datetime(2026, 7, 15, 21, 0, tzinfo=UTC), "night"),
        # The Sunday the clocks go forward: 01:00 UTC is 02:00 BST.
        (datetime(2026, 3, 29, 6, 0, tzinfo=UTC), "before_school"),
        # The Sunday they go back: 07:00 UTC is 07:00 GMT again.
        (datetime(2026, 10, 25, 6, 59, tzinfo=UTC), "night"),
        (datetime(2026, 10, 25, 7, 0, tzinfo=UTC), "before_school"),
    ],
)
def test_time_bands_at_their_edges_in_uk_time(moment, band):
    assert hs.time_band(moment) == band


def test_the_time_bands_are_stated_in_full():
    assert hs.time_band_definitions() == [
        ("Before school", "07:00 to 08:45"),
        ("Morning lessons", "08:45 to 10:45 and 11:05 to 12:30"),
        ("Break", "10:45 to 11:05"),
        ("Lunch", "12:30 to 13:30"),
        ("Afternoon lessons", "13:30 to 15:15"),
        ("After school", "15:15 to 18:00"),
        ("Evening", "18:00 to 22:00"),
        ("Night", "22:00 to 07:00"),
    ]


def test_weekdays_and_time_bands_are_counted_in_uk_time(world, dsl, places, record):
    with time_machine.travel(datetime(2026, 7, 20, 12, tzinfo=UTC), tick=False):
        # Sunday 12 July 23:30 UTC is Monday 13 July 00:30 BST: Monday, at night.
        record(datetime(2026, 7, 12, 23, 30, tzinfo=UTC), places["sheds"])
        # Tuesday 14 July 11:45 UTC is 12:45 BST: lunch.
        record(datetime(2026, 7, 14, 11, 45, tzinfo=UTC), places["sheds"])
        found = hs.school_hotspots(
            user=dsl, school=world.school_a, since=date(2026, 7, 6), until=date(2026, 7, 20)
        )
    by_day = {row.key: row.count for row in found.by_weekday.rows}
    assert by_day == {
        "Monday": 1,
        "Tuesday": 1,
        "Wednesday": 0,
        "Thursday": 0,
        "Friday": 0,
        "Saturday": 0,
        "Sunday": 0,
    }
    by_band = {row.key: row.count for row in found.by_time_band.rows}
    assert by_band["night"] == 1 and by_band["lunch"] == 1 and sum(by_band.values()) == 2
    (sheds,) = found.places
    assert sheds.by_weekday["Monday"] == 1 and sheds.by_weekday["Sunday"] == 0
    assert sheds.by_time_band == {**dict.fromkeys(by_band, 0), "night": 1, "lunch": 1}


# Grouping and order ---------------------------------------------------------------------------


def test_incidents_at_no_place_are_grouped_by_where_they_happened(world, dsl, places, record):
    day = london(2026, 3, 10, 12, 40)
    record(day)
    record(day + timedelta(hours=1))
    record(day, kind=LocationKind.JOURNEY)
    record(day, kind=LocationKind.ONLINE)
    record(day, places["gate"], kind=LocationKind.JOURNEY)
    found = hs.school_hotspots(
        user=dsl, school=world.school_a, since=date(2026, 3, 1), until=date(2026, 3, 21)
    )
    assert [(s.place_id, s.place, s.location_kind, s.count) for s in found.places] == [
        (None, "On the school site (no particular place)", "on_site", 2),
        (str(places["gate"].pk), "Bus stop by the gate", "journey", 1),
        (None, "On the journey to or from school (no particular place)", "journey", 1),
        (None, "Online (no particular place)", "online", 1),
    ]
    kinds = {row.key: (row.label, row.count) for row in found.by_location_kind.rows}
    assert kinds == {
        "on_site": ("On the school site", 2),
        "journey": ("On the journey to or from school", 2),
        "neighbourhood": ("In the neighbourhood", 0),
        "online": ("Online", 1),
    }


def test_the_busiest_place_comes_first(world, dsl, places, record):
    day = london(2026, 3, 10, 12, 40)
    for _ in range(3):
        record(day, places["field"])
    record(day, places["sheds"])
    record(day)
    record(day)
    # Ties: more in the previous period first, then by name.
    record(london(2026, 2, 20, 9), places["gate"], kind=LocationKind.JOURNEY)
    record(day, places["gate"], kind=LocationKind.JOURNEY)
    found = hs.school_hotspots(
        user=dsl, school=world.school_a, since=date(2026, 3, 1), until=date(2026, 3, 21)
    )
    assert [(s.place, s.count, s.previous_count, s.change) for s in found.places] == [
        ("Playing field", 3, 0, 3),
        ("On the school site (no particular place)", 2, 0, 2),
        ("Bus stop by the gate", 1, 1, 0),
        ("Bike sheds", 1, 0, 1),
    ]
    assert found.places[-1].plan_x == 20 and found.places[-1].plan_y == 30


def test_a_place_with_incidents_only_before_is_listed(world, dsl, places, record):
    record(london(2026, 2, 20, 9), places["field"])
    found = hs.school_hotspots(
        user=dsl, school=world.school_a, since=date(2026, 3, 1), until=date(2026, 3, 21)
    )
    assert spots(found) == {"Playing field": (0, 1)}
    assert found.places[0].change == -1


def test_only_the_schools_own_incidents_count(world, dsl, persona, places, record):
    dsl_b = persona(Role.SAFEGUARDING_LEAD, world.school_b)
    services.incident_record(
        actor=dsl_b,
        school=world.school_b,
        data=IncidentInput(
            occurred_at=london(2026, 3, 10, 9),
            location_kind="on_site",
            category="theft",
            severity="low",
            description="Elsewhere.",
        ),
        source="test",
    )
    found = hs.school_hotspots(
        user=dsl, school=world.school_a, since=date(2026, 3, 1), until=date(2026, 3, 21)
    )
    assert found.total == 0 and found.places == []


# Who sees them, and suppression ------------------------------------------------------------------


@pytest.fixture
def people(world, persona, dsl, staff, practitioner, outside_officer):
    return {
        "dsl": dsl,
        "head": persona(Role.HEAD_TEACHER, world.school_a),
        "officer": persona(Role.SSP_OFFICER, world.p),
        "supervisor": persona(Role.POLICE_SUPERVISOR, world.police),
        "analyst": persona(Role.LA_ANALYST, world.area),
        "steering": persona(Role.STEERING_MEMBER, world.p),
        "staff": staff,
        "practitioner": practitioner,
        "outside_officer": outside_officer,
        "other_steering": persona(Role.STEERING_MEMBER, world.q),
        "other_area_analyst": persona(Role.LA_ANALYST, world.other_area),
        "other_supervisor": persona(Role.POLICE_SUPERVISOR, world.other_police),
        "dsl_b": persona(Role.SAFEGUARDING_LEAD, world.school_b),
    }


FULL = ["dsl", "head", "officer"]
SUPPRESSED = ["supervisor", "analyst", "steering"]
NONE = [
    "staff",
    "practitioner",
    "outside_officer",
    "other_steering",
    "other_area_analyst",
    "other_supervisor",
    "dsl_b",
]


def test_who_sees_the_hotspots(world, people):
    for who in FULL + SUPPRESSED:
        assert hs.get_school_for_hotspots(people[who], world.school_a.urn) == world.school_a, who
        assert hs.sees_all_counts(people[who], world.school_a) == (who in FULL), who
    for who in NONE:
        with pytest.raises(Http404):
            hs.get_school_for_hotspots(people[who], world.school_a.urn)


@pytest.fixture
def busy(world, places, record):
    """Six incidents at the playing field this period, two at the bike sheds, none before."""
    for day in range(2, 8):  # Monday 2 to Saturday 7 March, at lunch
        record(london(2026, 3, day, 12, 40), places["field"])
    record(london(2026, 3, 9, 12, 40), places["sheds"])
    record(london(2026, 3, 9, 12, 50), places["sheds"])
    return places


def _hotspots_for(user, world):
    return hs.school_hotspots(
        user=user, school=world.school_a, since=date(2026, 3, 1), until=date(2026, 3, 15)
    )


@pytest.mark.parametrize("who", FULL)
def test_those_who_see_the_incidents_see_every_count(world, people, busy, who):
    found = _hotspots_for(people[who], world)
    assert not found.suppressed
    assert spots(found) == {"Playing field": (6, 0), "Bike sheds": (2, 0)}
    assert found.total == 8


@pytest.mark.parametrize("who", SUPPRESSED)
def test_those_who_oversee_the_school_see_small_counts_left_out(world, people, busy, who):
    found = _hotspots_for(people[who], world)
    assert found.suppressed
    # The bike sheds' 2 is small; the field's 6 would give it away from the total of 8.
    assert spots(found) == {"Playing field": (None, 0), "Bike sheds": (None, 0)}
    assert found.total == 8 and found.previous_total == 0
    assert found.change is not None
    by_day = {row.key: row.count for row in found.by_weekday.rows}
    # One a day from Monday to Saturday, two on the Monday after: all small.
    assert by_day == {
        "Monday": None,
        "Tuesday": None,
        "Wednesday": None,
        "Thursday": None,
        "Friday": None,
        "Saturday": None,
        "Sunday": 0,
    }
    assert {row.key: row.count for row in found.by_time_band.rows}["lunch"] == 8
    for spot in found.places:
        assert all(v is None or v == 0 for v in spot.by_weekday.values())
        assert spot.by_time_band["lunch"] is None and spot.by_time_band["night"] == 0


def test_a_count_shown_never_gives_a_small_one_away(world, people, places, record):
    """Whatever is shown, no total less its parts shown leaves a single count left out."""
    for day, place, hour in [
        (2, "field", 9),
        (2, "field", 12),
        (3, "field", 12),
        (3, "field", 12),
        (4, "field", 16),
        (4, "field", 12),
        (5, "field", 12),
        (5, "sheds", 12),
        (6, "gate", 8),
        (6, "gate", 8),
        (9, "gate", 8),
        (9, "gate", 8),
        (10, "gate", 8),
        (10, None, 23),
    ]:
        kind = LocationKind.JOURNEY if place == "gate" else LocationKind.ON_SITE
        record(london(2026, 3, day, hour, 10), places[place] if place else None, kind=kind)
    found = _hotspots_for(people["analyst"], world)
    full = _hotspots_for(people["dsl"], world)
    relations = [
        (found.total, found.by_location_kind.counts),
        (found.total, found.by_weekday.counts),
        (found.total, found.by_time_band.counts),
        (found.total, [s.count for s in found.places]),
    ]
    for spot in found.places:
        relations.append((spot.count, spot.weekday_counts))
        relations.append((spot.count, spot.time_band_counts))
    for index, row in enumerate(found.by_time_band.rows):
        relations.append((row.count, [s.time_band_counts[index] for s in found.places]))
    for index, row in enumerate(found.by_weekday.rows):
        relations.append((row.count, [s.weekday_counts[index] for s in found.places]))
    for total, parts in relations:
        unknown = [part for part in [total, *parts] if part is None]
        assert len(unknown) != 1, (total, parts)
    # Nothing from 1 to 4 is shown; what is shown is true.
    shown_pairs = [(found.total, full.total)]
    lookup = {s.place: s for s in full.places}
    for spot in found.places:
        shown_pairs.append((spot.count, lookup[spot.place].count))
        shown_pairs += list(
            zip(spot.weekday_counts, lookup[spot.place].weekday_counts, strict=True)
        )
        shown_pairs += list(
            zip(spot.time_band_counts, lookup[spot.place].time_band_counts, strict=True)
        )
    for shown, true in shown_pairs:
        assert shown is None or shown == true
        assert shown is None or not 1 <= shown <= 4


# Patrol suggestions ----------------------------------------------------------------------------


def test_patrol_suggestions_are_the_busiest_places_and_times_of_the_last_four_weeks(
    world, people, places, record
):
    for day in (9, 10, 11):
        record(london(2026, 3, day, 12, 40), places["field"])  # lunch
    record(london(2026, 3, 12, 8, 20), places["gate"], kind=LocationKind.JOURNEY)  # before
    record(london(2026, 3, 13, 8, 30), places["gate"], kind=LocationKind.JOURNEY)
    record(london(2026, 3, 13, 15, 30))  # after school, no place
    record(london(2026, 2, 20, 12, 40), places["sheds"])  # more than four weeks ago
    record(london(2026, 2, 20, 12, 50), places["sheds"])
    record(london(2026, 2, 20, 12, 55), places["sheds"])
    record(london(2026, 2, 20, 13, 0), places["sheds"])
    found = hs.patrol_suggestions(
        user=people["officer"], school=world.school_a, today=date(2026, 3, 20)
    )
    assert [(s.place, s.time_band, s.time_band_label, s.count) for s in found] == [
        ("Playing field", "lunch", "Lunch", 3),
        ("Bus stop by the gate", "before_school", "Before school", 2),
        ("On the school site (no particular place)", "after_school", "After school", 1),
    ]
    assert found[0].place_id == str(places["field"].pk) and found[2].place_id is None
    # The first day of the four weeks counts; the day before does not.
    record(london(2026, 2, 21, 0, 1), places["sheds"])
    record(london(2026, 2, 20, 23, 59), places["sheds"])
    found = hs.patrol_suggestions(
        user=people["dsl"], school=world.school_a, today=date(2026, 3, 20)
    )
    assert ("Bike sheds", "night", 1) in [(s.place, s.time_band, s.count) for s in found]
    assert (
        len(
            hs.patrol_suggestions(
                user=people["dsl"], school=world.school_a, today=date(2026, 3, 20), top=2
            )
        )
        == 2
    )


@pytest.mark.parametrize("who", SUPPRESSED)
def test_patrol_suggestions_are_only_for_those_who_see_the_incidents(world, people, busy, who):
    assert (
        hs.patrol_suggestions(user=people[who], school=world.school_a, today=date(2026, 3, 20))
        == []
    )
    assert hs.patrol_suggestions(user=people["dsl"], school=world.school_a, today=date(2026, 3, 20))
