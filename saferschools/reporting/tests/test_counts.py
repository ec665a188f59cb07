"""Counts of reports per school, period and category, with small numbers suppressed for roles
that do not see personal data."""

from datetime import UTC, date, datetime

import pytest
import time_machine

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
    # 23:30 UTC on 31 March 2026 is already 1 April in London (BST): the summer term.
    submit(utc(2026, 3, 31, 22, 30), world.school_a, "bullying")
    submit(utc(2026, 3, 31, 23, 30), world.school_a, "bullying")
    # 23:30 UTC on Sunday 14 June is Monday 15 June in London: a new week.
    submit(utc(2026, 6, 14, 22, 30), world.school_a, "theft_damage")
    submit(utc(2026, 6, 14, 23, 30), world.school_a, "theft_damage")

    terms = table(report_counts(user=dsl))
    assert (A, "Spring 2025/26", "bullying", 1) in terms
    assert (A, "Summer 2025/26", "bullying", 1) in terms
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
