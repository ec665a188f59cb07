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
from saferschools.testing.factories import SchoolFactory

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
