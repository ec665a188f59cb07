"""School days, bank holidays and terms, checked against the published bank holidays of England
and Wales (written out by hand below, not computed)."""

from datetime import UTC, date, datetime, time

import pytest

from saferschools.lib.schooldays import (
    LONDON,
    add_school_days,
    bank_holidays,
    easter_sunday,
    end_of_school_day_after,
    is_school_day,
    next_school_day,
    term_bounds,
    term_label,
    term_of,
    week_start,
)


def _days(year: int, *day_months: str) -> set[date]:
    return {datetime.strptime(f"{dm} {year}", "%d %b %Y").date() for dm in day_months}


# The bank holidays of England and Wales as announced, substitute days included.
ENGLAND_AND_WALES = {
    # VE Day: the early May bank holiday moved to Friday 8 May.
    2020: _days(2020, "1 Jan", "10 Apr", "13 Apr", "8 May", "25 May", "31 Aug", "25 Dec", "28 Dec"),
    2021: _days(2021, "1 Jan", "2 Apr", "5 Apr", "3 May", "31 May", "30 Aug", "27 Dec", "28 Dec"),
    # Platinum Jubilee (spring bank holiday moved to 2 June, 3 June added), the Queen's state
    # funeral, and Christmas on a Sunday (Boxing Day on the Monday, Christmas on the Tuesday).
    2022: _days(2022, "3 Jan", "15 Apr", "18 Apr", "2 May", "2 Jun", "3 Jun", "29 Aug", "19 Sep")
    | _days(2022, "26 Dec", "27 Dec"),
    # The coronation of King Charles III.
    2023: _days(
        2023, "2 Jan", "7 Apr", "10 Apr", "1 May", "8 May", "29 May", "28 Aug", "25 Dec", "26 Dec"
    ),
    2024: _days(2024, "1 Jan", "29 Mar", "1 Apr", "6 May", "27 May", "26 Aug", "25 Dec", "26 Dec"),
    2025: _days(2025, "1 Jan", "18 Apr", "21 Apr", "5 May", "26 May", "25 Aug", "25 Dec", "26 Dec"),
    2026: _days(2026, "1 Jan", "3 Apr", "6 Apr", "4 May", "25 May", "31 Aug", "25 Dec", "28 Dec"),
    2027: _days(2027, "1 Jan", "26 Mar", "29 Mar", "3 May", "31 May", "30 Aug", "27 Dec", "28 Dec"),
    2028: _days(2028, "3 Jan", "14 Apr", "17 Apr", "1 May", "29 May", "28 Aug", "25 Dec", "26 Dec"),
    2029: _days(2029, "1 Jan", "30 Mar", "2 Apr", "7 May", "28 May", "27 Aug", "25 Dec", "26 Dec"),
    2030: _days(2030, "1 Jan", "19 Apr", "22 Apr", "6 May", "27 May", "26 Aug", "25 Dec", "26 Dec"),
}


@pytest.mark.parametrize("year", sorted(ENGLAND_AND_WALES))
def test_bank_holidays_match_the_published_list(year):
    assert set(bank_holidays(year)) == ENGLAND_AND_WALES[year]


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2020, date(2020, 4, 12)), (2024, date(2024, 3, 31)), (2038, date(2038, 4, 25))],
)
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


def test_weekends_and_bank_holidays_are_not_school_days():
    assert is_school_day(date(2026, 3, 2))  # a Monday
    assert not is_school_day(date(2026, 3, 7))  # Saturday
    assert not is_school_day(date(2026, 3, 8))  # Sunday
    assert not is_school_day(date(2026, 4, 6))  # Easter Monday
    assert not is_school_day(date(2022, 9, 19))  # the state funeral


def test_a_deployment_can_add_a_holiday(settings):
    day = date(2026, 3, 4)
    assert is_school_day(day)
    settings.EXTRA_HOLIDAYS = [day]
    assert not is_school_day(day)
    assert next_school_day(date(2026, 3, 3)) == date(2026, 3, 5)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 2), date(2026, 3, 3)),  # Monday → Tuesday
        (date(2026, 3, 6), date(2026, 3, 9)),  # Friday → Monday
        (date(2026, 3, 7), date(2026, 3, 9)),  # Saturday → Monday
        (date(2026, 5, 22), date(2026, 5, 26)),  # Friday before the spring bank holiday
        (date(2026, 4, 2), date(2026, 4, 7)),  # Thursday before Easter → Tuesday after
        (date(2026, 12, 24), date(2026, 12, 29)),  # Christmas Eve → after Boxing Day's substitute
        (date(2022, 12, 23), date(2022, 12, 28)),  # Christmas on a Sunday
        (date(2027, 12, 24), date(2027, 12, 29)),  # Christmas on a Saturday
        (date(2026, 12, 31), date(2027, 1, 4)),  # New Year's Eve, a Thursday
    ],
)
def test_next_school_day(day, expected):
    assert next_school_day(day) == expected


def test_add_school_days_skips_weekends_and_holidays():
    assert add_school_days(date(2026, 3, 2), 0) == date(2026, 3, 2)
    assert add_school_days(date(2026, 3, 2), 5) == date(2026, 3, 9)
    # Ten school days from Wednesday 1 April 2026 cross Good Friday and Easter Monday.
    assert add_school_days(date(2026, 4, 1), 10) == date(2026, 4, 17)


def test_end_of_school_day_is_five_in_the_afternoon_london_time_in_winter_and_summer():
    winter = end_of_school_day_after(datetime(2026, 1, 14, 10, 0, tzinfo=UTC))
    assert winter.astimezone(UTC) == datetime(2026, 1, 15, 17, 0, tzinfo=UTC)
    summer = end_of_school_day_after(datetime(2026, 6, 10, 10, 0, tzinfo=UTC))
    assert summer.astimezone(UTC) == datetime(2026, 6, 11, 16, 0, tzinfo=UTC)
    assert summer.astimezone(LONDON).time() == time(17, 0)


def test_end_of_school_day_reads_the_moment_in_london():
    # 23:30 UTC on Sunday 14 June 2026 is already Monday 00:30 in London: due Tuesday.
    late = datetime(2026, 6, 14, 23, 30, tzinfo=UTC)
    assert end_of_school_day_after(late).astimezone(LONDON).date() == date(2026, 6, 16)


def test_end_of_school_day_follows_the_setting(settings):
    settings.SCHOOL_DAY_ENDS = time(15, 30)
    due = end_of_school_day_after(datetime(2026, 1, 14, 10, 0, tzinfo=UTC))
    assert due.astimezone(LONDON) == datetime(2026, 1, 15, 15, 30, tzinfo=LONDON)


def test_end_of_school_day_across_the_change_to_summer_time():
    # Friday 27 March 2026, GMT; the next school day is Monday 30 March, in BST.
    due = end_of_school_day_after(datetime(2026, 3, 27, 12, 0, tzinfo=UTC))
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "term", "label", "bounds"),
    [
        (date(2025, 9, 1), (2025, 0), "Autumn 2025/26", (date(2025, 9, 1), date(2026, 1, 1))),
        (date(2025, 12, 31), (2025, 0), "Autumn 2025/26", (date(2025, 9, 1), date(2026, 1, 1))),
        (date(2026, 1, 1), (2025, 1), "Spring 2025/26", (date(2026, 1, 1), date(2026, 4, 1))),
        (date(2026, 3, 31), (2025, 1), "Spring 2025/26", (date(2026, 1, 1), date(2026, 4, 1))),
        (date(2026, 4, 1), (2025, 2), "Summer 2025/26", (date(2026, 4, 1), date(2026, 9, 1))),
        (date(2026, 8, 31), (2025, 2), "Summer 2025/26", (date(2026, 4, 1), date(2026, 9, 1))),
        (date(2099, 10, 1), (2099, 0), "Autumn 2099/00", (date(2099, 9, 1), date(2100, 1, 1))),
    ],
)
def test_terms(day, term, label, bounds):
    assert term_of(day) == term
    assert term_label(term) == label
    assert term_bounds(term) == bounds
    start, end = term_bounds(term)
    assert start <= day < end


def test_week_starts_on_monday():
    assert week_start(date(2026, 3, 2)) == date(2026, 3, 2)
    assert week_start(date(2026, 3, 8)) == date(2026, 3, 2)
    assert week_start(date(2026, 1, 1)) == date(2025, 12, 29)
