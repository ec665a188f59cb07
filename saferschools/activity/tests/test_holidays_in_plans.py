"""Patrol plans recur in term time: they skip the school holidays of their school's area."""

from datetime import date

import pytest

from saferschools.activity import selectors
from saferschools.core.services import school_holiday_add

from .helpers import plan
from .test_calendar_feed import feed_url, fetch

pytestmark = pytest.mark.django_db

# Monday 7 to Friday 11 April 2025: no bank holiday in the week, nor in the weeks either side
# but Good Friday, 18 April.
HOLIDAY = (date(2025, 4, 7), date(2025, 4, 11))
BEFORE = [date(2025, 3, 31), date(2025, 4, 1), date(2025, 4, 2), date(2025, 4, 3), date(2025, 4, 4)]
AFTER = [date(2025, 4, 14), date(2025, 4, 15), date(2025, 4, 16), date(2025, 4, 17)]


def easter_holiday(area):
    return school_holiday_add(
        actor=None,
        area=area,
        name="Easter holiday",
        starts_on=HOLIDAY[0],
        ends_on=HOLIDAY[1],
        source="test",
    )


def days(occurrences) -> list[date]:
    return [occurrence.day for occurrence in occurrences]


def test_occurrences_skip_the_holiday_week_and_come_back_after_it(world, officer):
    patrol = plan(officer, world.school_a)
    assert len(selectors.plan_occurrences(patrol, date(2025, 3, 31), date(2025, 4, 18))) == 14

    easter_holiday(world.area)

    assert days(selectors.plan_occurrences(patrol, date(2025, 3, 31), date(2025, 4, 18))) == [
        *BEFORE,
        *AFTER,
    ]


def test_another_areas_holidays_change_nothing(world, officer):
    patrol = plan(officer, world.school_a)
    easter_holiday(world.other_area)

    assert len(selectors.plan_occurrences(patrol, date(2025, 3, 31), date(2025, 4, 18))) == 14


def test_holidays_are_read_once_however_long_the_range(world, officer, django_assert_num_queries):
    patrol = plan(officer, world.school_a)
    easter_holiday(world.area)
    patrol = selectors.plan_list(user=officer).get(pk=patrol.pk)

    with django_assert_num_queries(1):
        found = selectors.plan_occurrences(patrol, date(2025, 3, 3), date(2025, 7, 18))

    assert HOLIDAY[0] not in days(found)
    assert date(2025, 4, 14) in days(found)


def test_the_calendar_feed_skips_the_holiday_week(client, world, officer):
    plan(officer, world.school_a)
    easter_holiday(world.area)

    _, (_, events) = fetch(client, feed_url(officer))

    starts = {event["DTSTART"][:8] for event in events}
    for day in BEFORE + AFTER:
        assert f"{day:%Y%m%d}" in starts
    for day in range(7, 12):
        assert f"202504{day:02d}" not in starts


def test_time_use_plans_no_patrol_in_the_holidays(world, officer, clock):
    plan(officer, world.school_a)
    easter_holiday(world.area)
    clock.move_to("2025-05-01 12:00+01:00")

    use = selectors.time_use(user=officer, first=date(2025, 4, 1), last=date(2025, 4, 30))

    # 22 weekdays in April 2025, less Good Friday, Easter Monday and the holiday week.
    (row,) = use.rows
    assert row.planned_patrols == 22 - 2 - 5
