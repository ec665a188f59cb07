"""The start of the next school day: when a notification from the police to a school is due."""

from datetime import UTC, date, datetime, time

import pytest

from saferschools.lib.schooldays import (
    LONDON,
    end_of_school_day,
    school_day_start,
    start_of_next_school_day,
)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("moment", "due"),
    [
        # 07:00 on a school day (Wednesday 4 March 2026): that morning at 08:30.
        (london(2026, 3, 4, 7, 0), london(2026, 3, 4, 8, 30)),
        # A minute before the start is still that day; at the start, the next day.
        (london(2026, 3, 4, 8, 29), london(2026, 3, 4, 8, 30)),
        (london(2026, 3, 4, 8, 30), london(2026, 3, 5, 8, 30)),
        # During the day and late in the evening: the next morning.
        (london(2026, 3, 4, 13, 15), london(2026, 3, 5, 8, 30)),
        (london(2026, 3, 4, 23, 59), london(2026, 3, 5, 8, 30)),
        # Friday evening, Saturday and early Sunday: Monday morning.
        (london(2026, 3, 6, 19, 30), london(2026, 3, 9, 8, 30)),
        (london(2026, 3, 7, 11, 0), london(2026, 3, 9, 8, 30)),
        (london(2026, 3, 8, 6, 0), london(2026, 3, 9, 8, 30)),
        # Thursday before Good Friday 2026 (3 April) and Easter Monday (6 April): Tuesday 7th.
        (london(2026, 4, 2, 18, 0), london(2026, 4, 7, 8, 30)),
        # Early on a bank holiday (the late May bank holiday, 25 May 2026): the next day.
        (london(2026, 5, 25, 7, 0), london(2026, 5, 26, 8, 30)),
        # Christmas Eve 2026 (a Thursday), then Christmas, the weekend and Boxing Day's
        # substitute (Monday 28 December): Tuesday 29 December.
        (london(2026, 12, 24, 17, 0), london(2026, 12, 29, 8, 30)),
    ],
    ids=[
        "early-on-a-school-day",
        "a-minute-before-the-start",
        "at-the-start",
        "during-the-day",
        "late-evening",
        "friday-evening",
        "saturday",
        "early-sunday",
        "before-easter",
        "early-on-a-bank-holiday",
        "christmas-eve",
    ],
)
def test_due_at_the_start_of_the_next_school_day(moment, due):
    assert start_of_next_school_day(moment) == due


def test_the_start_is_half_past_eight_london_time_in_winter_and_summer():
    # 06:00 UTC is 06:00 in winter (GMT) and 07:00 in summer (BST): both before the start.
    winter = start_of_next_school_day(datetime(2026, 1, 14, 6, 0, tzinfo=UTC))
    summer = start_of_next_school_day(datetime(2026, 6, 10, 6, 0, tzinfo=UTC))
    assert winter == datetime(2026, 1, 14, 8, 30, tzinfo=UTC)
    assert summer == datetime(2026, 6, 10, 7, 30, tzinfo=UTC)


def test_the_moment_is_read_in_london():
    # 07:45 UTC on a summer school day is 08:45 in London: past the start, so the next day.
    moment = datetime(2026, 6, 10, 7, 45, tzinfo=UTC)
    assert start_of_next_school_day(moment) == london(2026, 6, 11, 8, 30)


def test_the_clocks_going_forward_overnight():
    # Clocks go forward at 01:00 UTC on Sunday 29 March 2026; Monday's start is 07:30 UTC.
    due = start_of_next_school_day(datetime(2026, 3, 27, 20, 0, tzinfo=UTC))
    assert due == datetime(2026, 3, 30, 7, 30, tzinfo=UTC)


def test_a_deployment_can_move_the_start(settings):
    assert school_day_start() == time(8, 30)
    settings.SCHOOL_DAY_STARTS = time(8, 0)
    assert start_of_next_school_day(london(2026, 3, 4, 7, 59)) == london(2026, 3, 4, 8, 0)
    assert start_of_next_school_day(london(2026, 3, 4, 8, 10)) == london(2026, 3, 5, 8, 0)


def test_a_deployments_extra_holiday_is_skipped(settings):
    settings.EXTRA_HOLIDAYS = [date(2026, 3, 5)]
    assert start_of_next_school_day(london(2026, 3, 4, 12, 0)) == london(2026, 3, 6, 8, 30)


def test_end_of_a_school_day():
    assert end_of_school_day(date(2026, 3, 4)) == london(2026, 3, 4, 17, 0)
    assert end_of_school_day(date(2026, 6, 10)) == datetime(2026, 6, 10, 16, 0, tzinfo=UTC)
