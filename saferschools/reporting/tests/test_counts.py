"""Counts of reports per school, period and category, with small numbers suppressed for roles
that do not see personal data."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from saferschools.accounts.models import Role
from saferschools.reporting.selectors import report_counts
from saferschools.testing.factories import submit_report

pytestmark = pytest.mark.django_db


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def submit(moment: datetime, school, category: str, times: int = 1) -> None:
    with time_machine.travel(moment, tick=False):
        for _ in range(times):
            submit_report(school, category=category)


@pytest.fixture
def reports(world):
    """School A: 3 bullying and 5 online bullying in the week of 2 March 2026, 1 hate report the
    week after. School B: 2 bullying. School C: 5 bullying. School D (the other area): 1."""
    submit(utc(2026, 3, 3, 10), world.school_a, "bullying", 3)
    submit(utc(2026, 3, 4, 10), world.school_a, "online_bullying", 5)
    submit(utc(2026, 3, 10, 10), world.school_a, "hate")
    submit(utc(2026, 3, 5, 10), world.school_b, "bullying", 2)
    submit(utc(2026, 3, 5, 10), world.school_c, "bullying", 5)
    submit(utc(2026, 3, 5, 10), world.school_d, "bullying")
    return world


def table(rows) -> set[tuple[str, str, str, int | None]]:
    return {(row.school.name, row.period, row.category, row.count) for row in rows}


A, B, C, D = "Oakwood School", "Langshott Primary", "Woking High", "Fareham Academy"
SPRING = "Spring 2025/26"


def full(*schools: str) -> set:
    rows = {
        (A, SPRING, "bullying", 3),
        (A, SPRING, "online_bullying", 5),
        (A, SPRING, "hate", 1),
        (B, SPRING, "bullying", 2),
        (C, SPRING, "bullying", 5),
        (D, SPRING, "bullying", 1),
    }
    return {row for row in rows if row[0] in schools}


def suppressed(rows: set) -> set:
    return {(*row[:3], None if 0 < row[3] < 5 else row[3]) for row in rows}


def test_the_schools_lead_sees_every_count_of_the_school(reports, dsl):
    # School B is in the lead's partnership, but the lead sees no pupil data there.
    assert table(report_counts(user=dsl, by="term")) == full(A) | suppressed(full(B))


@pytest.mark.parametrize(
    ("role", "where", "schools"),
    [
        (Role.SSP_OFFICER, "p", (A, B)),
        (Role.SSP_OFFICER, "school_a", (A,)),
        (Role.HEAD_TEACHER, "school_a", (A,)),
        (Role.SCHOOL_STAFF, "school_a", (A,)),
    ],
)
def test_roles_with_personal_data_at_a_school_see_its_small_counts(
    reports, persona, role, where, schools
):
    user = persona(role, getattr(reports, where))
    rows = table(report_counts(user=user))
    assert {row for row in rows if row[0] in schools} == full(*schools)


@pytest.mark.parametrize(
    ("role", "where", "schools"),
    [
        (Role.LA_ANALYST, "area", (A, B, C)),
        (Role.STEERING_MEMBER, "p", (A, B)),
        (Role.POLICE_SUPERVISOR, "police", (A, B, C)),
        (Role.POLICE_SUPERVISOR, "area", (A, B, C)),
        (Role.AREA_ADMIN, "area", (A, B, C)),
        (Role.AGENCY_PRACTITIONER, "yot", (A, B, C)),
    ],
)
def test_roles_without_personal_data_see_small_counts_suppressed(
    reports, persona, role, where, schools
):
    user = persona(role, getattr(reports, where))
    rows = table(report_counts(user=user))
    assert rows == suppressed(full(*schools))
    # Five is shown to everyone; one to four never.
    assert (A, SPRING, "online_bullying", 5) in rows
    assert ((C, SPRING, "bullying", 5) in rows) == (C in schools)
    assert not any(row[3] in (1, 2, 3, 4) for row in rows)


def test_categories_without_reports_have_no_row(reports, dsl):
    rows = report_counts(user=dsl)
    assert {row.category for row in rows if row.school == reports.school_a} == {
        "bullying",
        "online_bullying",
        "hate",
    }
    assert all(row.count != 0 for row in rows)


def test_nobody_sees_another_areas_counts(reports, persona):
    analyst = persona(Role.LA_ANALYST, reports.other_area)
    assert table(report_counts(user=analyst)) == suppressed(full(D))
    outsider = persona(Role.SSP_OFFICER, reports.q)
    assert table(report_counts(user=outsider)) == full(C)


def test_by_week(reports, dsl):
    assert table(report_counts(user=dsl, by="week")) == {
        (A, "2026-03-02", "bullying", 3),
        (A, "2026-03-02", "online_bullying", 5),
        (A, "2026-03-09", "hate", 1),
        (B, "2026-03-02", "bullying", None),
    }


def test_rows_are_in_order_of_school_then_time(world, dsl):
    submit(utc(2026, 4, 20, 10), world.school_a, "bullying")
    submit(utc(2025, 10, 1, 10), world.school_a, "bullying")
    submit(utc(2026, 9, 10, 10), world.school_a, "bullying")
    submit(utc(2026, 1, 5, 10), world.school_a, "bullying")
    periods = [row.period for row in report_counts(user=dsl)]
    assert periods == ["Autumn 2025/26", "Spring 2025/26", "Summer 2025/26", "Autumn 2026/27"]


def test_days_are_counted_in_london_time(world, dsl):
    # 23:30 UTC on Sunday 31 August 2025 is already Monday 1 September in London (BST): the
    # first week of the autumn term.
    submit(utc(2025, 8, 31, 22, 30), world.school_a, "bullying")
    submit(utc(2025, 8, 31, 23, 30), world.school_a, "bullying")
    # 23:30 UTC on Sunday 14 June is Monday 15 June in London: a new week.
    submit(utc(2026, 6, 14, 22, 30), world.school_a, "theft_damage")
    submit(utc(2026, 6, 14, 23, 30), world.school_a, "theft_damage")

    terms = table(report_counts(user=dsl))
    assert (A, "Summer 2024/25", "bullying", 1) in terms
    assert (A, "Autumn 2025/26", "bullying", 1) in terms
    weeks = table(report_counts(user=dsl, by="week"))
    assert (A, "2026-06-08", "theft_damage", 1) in weeks
    assert (A, "2026-06-15", "theft_damage", 1) in weeks


def test_since_and_area_narrow_the_counts(reports, persona, dsl):
    rows = table(report_counts(user=dsl, by="week", since=date(2026, 3, 9)))
    assert rows == {(A, "2026-03-09", "hate", 1)}
    analyst = persona(Role.LA_ANALYST, reports.area)
    assert table(report_counts(user=analyst, area=reports.other_area)) == set()


def test_a_user_without_memberships_sees_no_counts(reports, persona):
    from saferschools.testing.factories import UserFactory

    assert report_counts(user=UserFactory()) == []
    assert (
        report_counts(user=persona(Role.SAFEGUARDING_LEAD, reports.school_a, is_active=False)) == []
    )


def test_counts_take_few_queries(reports, persona, django_assert_max_num_queries):
    analyst = persona(Role.LA_ANALYST, reports.area)
    for _ in range(3):
        submit(utc(2026, 3, 5, 10), reports.school_c, "hate")
    # Memberships, schools, counts, then one check for each school with a small count.
    with django_assert_max_num_queries(7):
        report_counts(user=analyst)


# Complementary suppression -----------------------------------------------------------------


def in_week(n: int) -> datetime:
    """Tuesday 10:00 UTC of the nth week of the spring term 2026 (the first starts on Monday
    5 January)."""
    tuesday = date(2026, 1, 6) + timedelta(weeks=n - 1)
    return utc(tuesday.year, tuesday.month, tuesday.day, 10)


def monday(n: int) -> str:
    return (date(2026, 1, 5) + timedelta(weeks=n - 1)).isoformat()


def weekly(school, category: str, counts: list[int]) -> None:
    """``counts[n - 1]`` reports in week n, the latest week first so that the order reports
    come in cannot decide anything."""
    for n, count in reversed(list(enumerate(counts, start=1))):
        if count:
            submit(in_week(n), school, category, count)


def cells(rows, school: str = A, category: str = "self_harm") -> dict[str, tuple[int | None, str]]:
    return {
        row.period: (row.count, row.suppressed_reason)
        for row in rows
        if row.school.name == school and row.category == category
    }


def test_a_week_hidden_alone_cannot_be_worked_out_from_the_terms_total(world, persona):
    # 5 self-harm reports in week 1 and 2 in week 2: showing week 1 and the term's 7 would
    # give week 2 away.
    weekly(world.school_a, "self_harm", [5, 2])
    analyst = persona(Role.LA_ANALYST, world.area)

    weeks = cells(report_counts(user=analyst, by="week"))
    assert weeks == {monday(1): (None, "complementary"), monday(2): (None, "complementary")}
    terms = cells(report_counts(user=analyst))
    assert terms == {SPRING: (7, "")}
    # The term's total less the weeks shown is no week's count.
    shown = sum(count for count, _ in weeks.values() if count is not None)
    assert terms[SPRING][0] - shown not in (5, 2)


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        # One small week among several shown: the smallest other week goes with it.
        ([6, 3, 5, 9], [6, None, None, 9]),
        ([9, 0, 3, 0, 12], [None, 0, None, 0, 12]),
        # Two small weeks of different sizes: the term's total cannot pin either.
        ([2, 6, 3], [None, 6, None]),
        ([4, 7, 1, 1], [None, 7, None, None]),
        # Small weeks that are all 1 (or all 4) are pinned by the total: one more is hidden.
        ([1, 7, 1, 8], [None, None, None, 8]),
        ([4, 9, 4, 6], [None, 9, None, None]),
    ],
    ids=["one-small", "one-small-gaps", "two-small", "three-small", "all-ones", "all-fours"],
)
def test_week_view_hides_what_the_terms_total_would_give_away(world, persona, counts, shown):
    weekly(world.school_a, "self_harm", counts)
    analyst = persona(Role.LA_ANALYST, world.area)
    weeks = cells(report_counts(user=analyst, by="week"))
    expected = {monday(n): count for n, count in enumerate(shown, start=1) if counts[n - 1]}
    assert {week: count for week, (count, _) in weeks.items()} == expected
    secondary = sum(1 for n in counts if n >= 5) > sum(1 for n in shown if n)
    hidden_reasons = {reason for count, reason in weeks.values() if count is None}
    assert hidden_reasons == ({"complementary"} if secondary else {"small"})
    assert cells(report_counts(user=analyst)) == {SPRING: (sum(counts), "")}


def test_ties_hide_the_earliest_week(world, persona):
    weekly(world.school_a, "self_harm", [7, 6, 2, 6])
    analyst = persona(Role.LA_ANALYST, world.area)
    first = report_counts(user=analyst, by="week")
    assert {week: count for week, (count, _) in cells(first).items()} == {
        monday(1): 7,
        monday(2): None,
        monday(3): None,
        monday(4): 6,
    }
    # The same every time.
    assert cells(report_counts(user=analyst, by="week")) == cells(first)


@pytest.mark.parametrize("role", [Role.SAFEGUARDING_LEAD, Role.HEAD_TEACHER, Role.SSP_OFFICER])
def test_those_who_see_the_schools_pupils_see_every_count(world, persona, role):
    weekly(world.school_a, "self_harm", [5, 2, 1, 1])
    weekly(world.school_b, "self_harm", [5, 2])
    user = persona(role, world.school_a)
    weeks = report_counts(user=user, by="week")
    assert cells(weeks) == {
        monday(1): (5, ""),
        monday(2): (2, ""),
        monday(3): (1, ""),
        monday(4): (1, ""),
    }
    assert cells(report_counts(user=user)) == {SPRING: (9, "")}
    if role != Role.SSP_OFFICER:
        # The lead's partnership school, where they see no pupils: hidden as for anyone.
        assert cells(weeks, B) == {
            monday(1): (None, "complementary"),
            monday(2): (None, "complementary"),
        }


def test_term_view_hides_a_total_whose_weeks_are_all_small(world, persona):
    # Two weeks of 4: "fewer than 5" twice and a total of 8 would pin both.
    weekly(world.school_a, "self_harm", [4, 0, 4])
    weekly(world.school_a, "hate", [2, 3])
    analyst = persona(Role.LA_ANALYST, world.area)
    assert cells(report_counts(user=analyst)) == {SPRING: (None, "complementary")}
    assert cells(report_counts(user=analyst), category="hate") == {SPRING: (None, "complementary")}
    assert cells(report_counts(user=analyst, by="week")) == {
        monday(1): (None, "small"),
        monday(3): (None, "small"),
    }


def test_a_small_term_needs_nothing_more(world, persona):
    weekly(world.school_a, "self_harm", [1, 0, 2])
    analyst = persona(Role.LA_ANALYST, world.area)
    assert cells(report_counts(user=analyst)) == {SPRING: (None, "small")}
    assert cells(report_counts(user=analyst, by="week")) == {
        monday(1): (None, "small"),
        monday(3): (None, "small"),
    }


def test_a_week_across_a_term_start_counts_in_the_term_of_its_monday(world, persona, dsl):
    # Monday 29 December 2025 starts the last week of the autumn term: its reports from
    # 1 January count there too, so the spring term's total is the sum of its own weeks.
    submit(utc(2025, 12, 31, 10), world.school_a, "self_harm", 5)
    submit(utc(2026, 1, 2, 10), world.school_a, "self_harm", 2)
    submit(utc(2026, 1, 6, 10), world.school_a, "self_harm", 6)
    assert cells(report_counts(user=dsl)) == {
        "Autumn 2025/26": (7, ""),
        SPRING: (6, ""),
    }
    assert cells(report_counts(user=dsl, by="week")) == {
        "2025-12-29": (7, ""),
        monday(1): (6, ""),
    }


def test_since_picks_whole_periods_and_changes_no_count(world, persona):
    weekly(world.school_a, "self_harm", [5, 2, 6])
    analyst = persona(Role.LA_ANALYST, world.area)
    everything = cells(report_counts(user=analyst, by="week"))
    assert everything[monday(1)] == (None, "complementary")
    # From the Thursday of week 2: the whole of week 2, hidden as before.
    later = cells(report_counts(user=analyst, by="week", since=date(2026, 1, 15)))
    assert later == {week: everything[week] for week in (monday(2), monday(3))}
    assert cells(report_counts(user=analyst, since=date(2026, 1, 15))) == {SPRING: (13, "")}


def test_the_counts_page_says_which_counts_are_small_and_which_hidden_with_them(
    client, world, persona
):
    weekly(world.school_a, "self_harm", [5, 2])
    weekly(world.school_a, "hate", [2, 0, 3, 6])
    client.force_login(persona(Role.LA_ANALYST, world.area))
    body = client.get(reverse("reporting-counts"), {"by": "week"}).content.decode()
    assert re.findall(r'govuk-table__cell--numeric">([^<]*)<', body) == [
        "fewer than 5",
        "not shown",
        "not shown",
        "fewer than 5",
        "6",
    ]
    assert "without saying which of them is the small one" in body


# Whatever the weeks of a term, what a viewer without personal data sees leaves every hidden
# count with more than one possible value: each hidden "small" week is from 1 to 4, each week
# without a row had none, weeks hidden together include one of 5 or more and one from 1 to 4,
# and the term's total is known when shown, from 1 to 4 when small, 5 or more otherwise.

BIG = 10_000


def _feasible(cells_: list[tuple[int, int, bool]], low: int, high: int) -> bool:
    together = [i for i, (_, _, complementary) in enumerate(cells_) if complementary]
    options = [cells_]
    if together:
        options = []
        for big in together:
            for small in together:
                if big != small:
                    option = list(cells_)
                    lo, hi, _ = option[big]
                    option[big] = (max(lo, 5), hi, True)
                    lo, hi, _ = option[small]
                    option[small] = (lo, min(hi, 4), True)
                    options.append(option)
    return any(
        all(lo <= hi for lo, hi, _ in option)
        and sum(lo for lo, _, _ in option) <= high
        and sum(hi for _, hi, _ in option) >= low
        for option in options
    )


def _values_left(cells_: list[tuple[int, int, bool]], i: int, low: int, high: int) -> int:
    """How many values the ith hidden week could have, counting no further than two."""
    lo, hi, complementary = cells_[i]
    found = 0
    for value in range(lo, min(hi, high) + 1):
        pinned = [*cells_[:i], (value, value, complementary), *cells_[i + 1 :]]
        if _feasible(pinned, low, high):
            found += 1
            if found == 2:
                break
    return found


def test_no_pattern_of_weeks_gives_a_hidden_count_away():
    from itertools import product

    from saferschools.reporting.selectors import _hidden_counts

    mondays = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(4)]
    for counts in product(range(7), repeat=4):
        weeks = {day: n for day, n in zip(mondays, counts, strict=True) if n}
        if not weeks:
            continue
        hidden, term_reason = _hidden_counts(weeks)
        shown = sum(n for day, n in weeks.items() if day not in hidden)
        total = sum(weeks.values())
        low, high = {
            "": (total - shown, total - shown),
            "small": (1 - shown, 4 - shown),
            "complementary": (5 - shown, BIG),
        }[term_reason]
        viewer = [
            (1, 4 if reason == "small" else BIG, reason == "complementary")
            for reason in hidden.values()
        ]
        for i in range(len(viewer)):
            # Known and documented: four weeks of one report each in a term with no more.
            if term_reason == "small" and len(viewer) == 4:
                continue
            assert _values_left(viewer, i, low, high) == 2, (counts, hidden, term_reason)
