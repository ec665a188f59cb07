"""The evidence beside a needs assessment: the school's own counts with small numbers suppressed
for those who do not handle its reports, and published figures beside the area's median."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.incidents.models import Incident
from saferschools.outcomes.models import IndicatorValue
from saferschools.planning import needs_selectors
from saferschools.planning.needs_selectors import FEWER_THAN_5, NOT_SHOWN
from saferschools.testing.factories import SchoolFactory, submit_report

pytestmark = pytest.mark.django_db


def incidents(school, category, count, by, *, days_ago=10):
    at = timezone.now() - timedelta(days=days_ago)
    Incident.objects.bulk_create(
        Incident(
            school=school,
            occurred_at=at,
            recorded_at=at,
            recorded_by=by,
            location_kind="on_site",
            category=category,
            severity="low",
            description="Pushing in the lunch queue.",
            updated_at=at,
            updated_by=by,
        )
        for _ in range(count)
    )


def shown(counts):
    table = {row.label: (row.reports.shown, row.incidents.shown) for row in counts.rows}
    table["All"] = (counts.reports.shown, counts.incidents.shown)
    return table


def test_the_schools_leaders_see_every_count(world, dsl):
    incidents(world.school_a, "bullying", 2, dsl)
    incidents(world.school_a, "assault", 6, dsl)
    counts = needs_selectors.own_counts(user=dsl, school=world.school_a)
    assert counts.full
    assert not counts.suppressed
    assert shown(counts) == {
        "Bullying (in person)": ("0", "2"),
        "Assault": ("0", "6"),
        "All": ("0", "8"),
    }


def test_others_see_a_small_count_and_the_one_that_would_give_it_away_hidden(
    world, dsl, staff, persona
):
    incidents(world.school_a, "bullying", 2, dsl)
    incidents(world.school_a, "assault", 6, dsl)
    incidents(world.school_a, "theft", 7, dsl)
    for user in (
        staff,
        persona(Role.STEERING_MEMBER, world.p),
        persona(Role.LA_ANALYST, world.area),
    ):
        counts = needs_selectors.own_counts(user=user, school=world.school_a)
        assert not counts.full
        assert counts.suppressed
        # The total and the theft count would give the bullying count away: the smallest other
        # count is hidden too, and neither tells which one is small.
        assert shown(counts) == {
            "Bullying (in person)": ("0", NOT_SHOWN),
            "Theft": ("0", "7"),
            "Assault": ("0", NOT_SHOWN),
            "All": ("0", "15"),
        }


def test_a_small_total_is_hidden_with_its_parts_as_fewer_than_5(world, dsl, staff):
    incidents(world.school_a, "bullying", 1, dsl)
    incidents(world.school_a, "weapons", 2, dsl)
    counts = needs_selectors.own_counts(user=staff, school=world.school_a)
    assert shown(counts) == {
        "Bullying (in person)": ("0", FEWER_THAN_5),
        "Weapons or knives": ("0", FEWER_THAN_5),
        "All": ("0", FEWER_THAN_5),
    }


def test_nothing_is_hidden_when_nothing_is_small(world, dsl, staff):
    incidents(world.school_a, "bullying", 5, dsl)
    counts = needs_selectors.own_counts(user=staff, school=world.school_a)
    assert not counts.suppressed
    assert shown(counts) == {"Bullying (in person)": ("0", "5"), "All": ("0", "5")}


def test_counts_cover_the_last_year_only(world, dsl):
    incidents(world.school_a, "bullying", 3, dsl, days_ago=364)
    incidents(world.school_a, "weapons", 3, dsl, days_ago=366)
    counts = needs_selectors.own_counts(user=dsl, school=world.school_a)
    assert shown(counts) == {"Bullying (in person)": ("0", "3"), "All": ("0", "3")}
    assert counts.until == timezone.localdate()
    assert counts.since == timezone.localdate() - timedelta(days=364)


def value(school, code, number, period="2022/23"):
    return IndicatorValue.objects.create(
        indicator_id=code,
        school=school,
        period=period,
        period_start=date(int(period[:4]), 9, 1),
        value=None if number is None else Decimal(number),
        suppressed=number is None,
    )


def test_figures_compare_the_same_period_across_the_areas_schools_of_the_phase(world):
    value(world.school_a, "persistent_absence", "20.55")
    value(world.school_c, "persistent_absence", "10")
    value(world.school_e, "persistent_absence", "15")
    extra = SchoolFactory(area=world.area)
    value(extra, "persistent_absence", "12")
    value(extra, "persistent_absence", "40", period="2021/22")  # another year
    value(SchoolFactory(area=world.area), "persistent_absence", None)  # suppressed
    rows = {row.code: row for row in needs_selectors.school_figures(school=world.school_a)}
    row = rows["persistent_absence"]
    assert (row.value, row.period, row.suppressed) == ("20.55%", "2022/23", False)
    assert (row.median, row.compared) == ("13.5%", 4)
    assert not rows["overall_absence"].imported
    assert [row.code for row in rows.values()] == list(needs_selectors.INDICATOR_CODES)


def test_too_few_schools_give_no_median(world):
    value(world.school_a, "suspension_rate", "3.40")
    value(world.school_c, "suspension_rate", "1.2")
    row = needs_selectors.school_figures(school=world.school_a)[2]
    assert row.value == "3.4 per 100 pupils"
    assert row.median == ""
    assert row.compared == 2


def test_a_suppressed_figure_says_so(world):
    value(world.school_a, "permanent_exclusion_rate", None)
    row = needs_selectors.school_figures(school=world.school_a)[3]
    assert row.imported and row.suppressed and row.value == ""


def test_a_figure_imported_for_other_schools_is_told_from_one_not_imported(world):
    value(world.school_c, "overall_absence", "4.0")
    rows = {row.code: row for row in needs_selectors.school_figures(school=world.school_a)}
    assert not rows["overall_absence"].imported
    assert rows["overall_absence"].published_in_area
    assert not rows["persistent_absence"].published_in_area


@pytest.mark.parametrize(
    ("today", "since"),
    [
        (date(2026, 3, 20), date(2025, 3, 21)),
        (date(2028, 3, 1), date(2027, 3, 2)),  # a leap year: 366 days
        (date(2028, 2, 29), date(2027, 3, 1)),
    ],
)
def test_the_counting_window_is_the_12_months_up_to_today(today, since):
    assert needs_selectors.counting_window(today) == (since, today)


def test_counts_and_the_prioritisation_cover_the_same_days_in_a_leap_year(world, dsl):
    today = date(2028, 3, 1)
    counts = needs_selectors.own_counts(user=dsl, school=world.school_a, today=today)
    assert counts.since == date(2027, 3, 2)


def test_reports_and_incidents_together_are_hidden_when_they_would_give_a_count_away(
    world, dsl, staff
):
    # Four of each: the incidents are all 4, and 8 in all would tell it.
    incidents(world.school_a, "bullying", 4, dsl)
    incidents(world.school_a, "weapons", 4, dsl)
    incidents(world.school_b, "bullying", 3, dsl)
    incidents(world.school_c, "assault", 7, dsl)
    since, until = needs_selectors.counting_window(timezone.localdate())
    totals = needs_selectors.own_totals(
        schools=[world.school_a, world.school_b, world.school_c, world.school_e],
        since=since,
        until=until,
    )
    assert totals[world.school_a.pk] == needs_selectors.OwnTotal(8, small=False, hidden=True)
    assert totals[world.school_b.pk] == needs_selectors.OwnTotal(3, small=True, hidden=True)
    assert totals[world.school_c.pk] == needs_selectors.OwnTotal(7, small=False, hidden=False)
    assert totals[world.school_e.pk] == needs_selectors.OwnTotal(0, small=False, hidden=False)
    counts = needs_selectors.own_counts(user=staff, school=world.school_a)
    assert shown(counts)["All"] == ("0", NOT_SHOWN)


def test_a_total_hidden_on_the_needs_assessment_hides_both_kinds_together(world, dsl, staff):
    # Three reports (small) and six incidents: 9 together, beside the 6, would tell the 3.
    for _ in range(3):
        submit_report(world.school_a, category="weapons")
    incidents(world.school_a, "assault", 6, dsl)
    incidents(world.school_c, "assault", 6, dsl)
    incidents(world.school_c, "theft", 7, dsl)
    counts = needs_selectors.own_counts(user=staff, school=world.school_a)
    assert shown(counts) == {
        "Weapons or knives": (FEWER_THAN_5, "0"),
        "Assault": ("0", "6"),
        "All": (FEWER_THAN_5, "6"),
    }
    since, until = needs_selectors.counting_window(timezone.localdate())
    totals = needs_selectors.own_totals(
        schools=[world.school_a, world.school_c], since=since, until=until
    )
    assert totals[world.school_a.pk] == needs_selectors.OwnTotal(9, small=False, hidden=True)
    assert totals[world.school_c.pk] == needs_selectors.OwnTotal(13, small=False, hidden=False)
