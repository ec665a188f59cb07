"""School days, bank holidays and school terms in England.

A school day is a weekday that is not a bank holiday in England and Wales. Bank holidays follow
the rules of the Banking and Financial Dealings Act 1971 and the royal proclamations that move
or add days; the exceptions proclaimed so far are listed below, and a deployment adds any later
one with ``SAFERSCHOOLS_EXTRA_HOLIDAYS``. Terms are the three terms of the English school year,
with fixed boundaries so that counts by term are comparable from year to year.
"""

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings

LONDON = ZoneInfo("Europe/London")

# Days moved or added by proclamation: (year) -> (days removed, days added).
_PROCLAIMED: dict[int, tuple[set[date], set[date]]] = {
    2020: ({date(2020, 5, 4)}, {date(2020, 5, 8)}),  # VE Day anniversary
    2022: (
        {date(2022, 5, 30)},
        {date(2022, 6, 2), date(2022, 6, 3), date(2022, 9, 19)},  # jubilee; state funeral
    ),
    2023: (set(), {date(2023, 5, 8)}),  # coronation
}


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


def _first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last = next_month - timedelta(days=1)
    return last - timedelta(days=last.weekday())


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@cache
def bank_holidays(year: int) -> frozenset[date]:
    """The bank holidays of England and Wales in ``year``."""
    easter = easter_sunday(year)
    new_year = _weekday_on_or_after(date(year, 1, 1))
    christmas = date(year, 12, 25)
    boxing_day = date(year, 12, 26)
    if christmas.weekday() == 5:
        # Christmas on a Saturday: both days move to the Monday and Tuesday after.
        christmas, boxing_day = date(year, 12, 27), date(year, 12, 28)
    elif christmas.weekday() == 6:
        # Christmas on a Sunday: Boxing Day stays on the Monday, Christmas moves to Tuesday.
        christmas = date(year, 12, 27)
    elif boxing_day.weekday() == 5:
        boxing_day = date(year, 12, 28)
    days = {
        new_year,
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        _first_monday(year, 5),
        _last_monday(year, 5),
        _last_monday(year, 8),
        christmas,
        boxing_day,
    }
    removed, added = _PROCLAIMED.get(year, (set(), set()))
    return frozenset((days - removed) | added)


def _extra_holidays() -> frozenset[date]:
    return frozenset(getattr(settings, "EXTRA_HOLIDAYS", ()))


def is_school_day(day: date) -> bool:
    """A weekday that is not a bank holiday (nor a day the deployment lists as one)."""
    return day.weekday() < 5 and day not in bank_holidays(day.year) and day not in _extra_holidays()


def next_school_day(day: date) -> date:
    """The first school day after ``day``."""
    day += timedelta(days=1)
    while not is_school_day(day):
        day += timedelta(days=1)
    return day


def add_school_days(day: date, count: int) -> date:
    """The school day ``count`` school days after ``day``."""
    for _ in range(count):
        day = next_school_day(day)
    return day


def school_day_end() -> time:
    return settings.SCHOOL_DAY_ENDS


# When the school day starts (Europe/London): what must be read "before the next school day"
# (a notification from the police) is due by then. A deployment may set ``SCHOOL_DAY_STARTS``.
SCHOOL_DAY_STARTS = time(8, 30)


def school_day_start() -> time:
    return getattr(settings, "SCHOOL_DAY_STARTS", SCHOOL_DAY_STARTS)


def start_of_next_school_day(moment: datetime) -> datetime:
    """The start of the first school day that has not yet started at ``moment``.

    ``moment`` is read in Europe/London: before the start of a school day it is that day's
    start; at or after it, or on a weekend or bank holiday, the start of the next school day.
    """
    local = moment.astimezone(LONDON)
    day = local.date()
    if not (is_school_day(day) and local.time() < school_day_start()):
        day = next_school_day(day)
    return datetime.combine(day, school_day_start(), tzinfo=LONDON)


def end_of_school_day(day: date) -> datetime:
    """The end of the school day on ``day`` (Europe/London)."""
    return datetime.combine(day, school_day_end(), tzinfo=LONDON)


def end_of_school_day_after(moment: datetime, school_days: int = 1) -> datetime:
    """The end of the school day ``school_days`` school days after ``moment``, in UTC terms.

    ``moment`` is read in Europe/London, where the school is.
    """
    local_day = moment.astimezone(LONDON).date()
    due_day = add_school_days(local_day, school_days)
    return datetime.combine(due_day, school_day_end(), tzinfo=LONDON)


# Terms: autumn from 1 September, spring from 1 January, summer from 1 April.
TERM_NAMES = ("Autumn", "Spring", "Summer")


def academic_year_of(day: date) -> int:
    """The year in which the academic year holding ``day`` began (2025 for 2025/26)."""
    return day.year if day.month >= 9 else day.year - 1


def academic_year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def term_of(day: date) -> tuple[int, int]:
    """(academic year start, term index 0 to 2) of the term holding ``day``."""
    index = 0 if day.month >= 9 else (1 if day.month <= 3 else 2)
    return academic_year_of(day), index


def term_label(term: tuple[int, int]) -> str:
    start_year, index = term
    return f"{TERM_NAMES[index]} {academic_year_label(start_year)}"


def term_bounds(term: tuple[int, int]) -> tuple[date, date]:
    """First day and the day after the last day of a term."""
    start_year, index = term
    starts = [date(start_year, 9, 1), date(start_year + 1, 1, 1), date(start_year + 1, 4, 1)]
    ends = [date(start_year + 1, 1, 1), date(start_year + 1, 4, 1), date(start_year + 1, 9, 1)]
    return starts[index], ends[index]


def week_start(day: date) -> date:
    """The Monday of the week holding ``day``."""
    return day - timedelta(days=day.weekday())
