"""Values of schools taken together (``group_values``), whatever the indicator's source: published
rates weighted by pupils on roll, grades and scores a plain mean, suppressed figures left out;
surveyed and computed figures from their own modules; an area's own figures."""

from datetime import date
from decimal import Decimal

import pytest

from saferschools.outcomes import survey_results
from saferschools.outcomes.models import Indicator, IndicatorValue, PeriodKind
from saferschools.outcomes.periods import parse_period
from saferschools.outcomes.values import Value, area_values, combine, group_values

pytestmark = pytest.mark.django_db

SPAN = {"since": date(2022, 9, 1), "until": date(2025, 8, 31)}


def stored(code, school, period, number=None, **where):
    return IndicatorValue.objects.create(
        indicator_id=code,
        school=school,
        period=period,
        period_start=parse_period(period).start,
        value=None if number is None else Decimal(number),
        suppressed=number is None,
        **where,
    )


def together(code, schools, kind=PeriodKind.YEAR):
    return group_values(
        indicator=Indicator.objects.get(code=code), schools=schools, kind=kind, **SPAN
    )


def test_published_rates_are_weighted_by_pupils_on_roll(world):
    a, b = world.school_a, world.school_b
    b.number_of_pupils = 300
    b.save()
    stored("persistent_absence", a, "2023/24", "20")
    stored("persistent_absence", b, "2023/24", "10")
    stored("persistent_absence", a, "2024/25", "18")
    stored("persistent_absence", b, "2024/25")  # suppressed by the publisher
    stored("persistent_absence", world.school_c, "2024/25", "50")  # not one of them
    found = together("persistent_absence", [a, b])
    assert list(found) == ["2023/24", "2024/25"]
    # (20 * 900 + 10 * 300) / 1,200
    assert found["2023/24"].value == Decimal("17.50")
    assert found["2023/24"].parts == {"schools": 2, "suppressed": 0}
    assert (found["2024/25"].value, found["2024/25"].suppressed) == (Decimal("18.00"), False)
    assert found["2024/25"].parts == {"schools": 1, "suppressed": 1}
    assert found["2024/25"].period == parse_period("2024/25")
    assert found["2024/25"].source == "imported"


def test_without_every_number_of_pupils_a_plain_mean(world):
    a, b = world.school_a, world.school_b
    b.number_of_pupils = None
    b.save()
    stored("overall_absence", a, "2024/25", "6")
    stored("overall_absence", b, "2024/25", "5")
    assert together("overall_absence", [a, b])["2024/25"].value == Decimal("5.50")


def test_grades_and_scores_are_a_plain_mean_whatever_the_pupils(world):
    a, b = world.school_a, world.school_b
    b.number_of_pupils = 100
    b.save()
    stored("inspection_behaviour", a, "2024/25", "2")
    stored("inspection_behaviour", b, "2024/25", "3")
    stored("ks4_progress8", a, "2024/25", "-0.4")
    stored("ks4_progress8", b, "2024/25", "0.2")
    assert together("inspection_behaviour", [a, b])["2024/25"].value == Decimal("2.50")
    assert together("ks4_progress8", [a, b])["2024/25"].value == Decimal("-0.10")


def test_a_period_whose_every_figure_was_suppressed_is_suppressed(world):
    stored("suspension_rate", world.school_a, "2024/25")
    stored("suspension_rate", world.school_b, "2024/25")
    found = together("suspension_rate", [world.school_a, world.school_b])["2024/25"]
    assert (found.value, found.suppressed) == (None, True)
    assert together("suspension_rate", []) == {}


def test_combine_says_how_it_combined(world):
    a, b = world.school_a, world.school_b
    period = parse_period("2024/25")
    pairs = [
        (a, Value("overall_absence", period, Decimal(4), "imported")),
        (b, Value("overall_absence", period, Decimal(8), "imported")),
        (world.school_c, Value("overall_absence", period, None, "imported", suppressed=True)),
    ]
    weighted = combine(pairs)
    assert (weighted.value, weighted.weighted, weighted.schools, weighted.suppressed) == (
        Decimal("6.00"),
        True,
        2,
        1,
    )
    assert combine(pairs, by_pupils=False).weighted is False
    assert combine([]).value is None


def test_an_area_level_indicator_is_the_areas_own(world):
    for area, number in ((world.area, "212.5"), (world.other_area, "300")):
        IndicatorValue.objects.create(
            indicator_id="first_time_entrants",
            area=area,
            period="2023/24",
            period_start=date(2023, 9, 1),
            value=Decimal(number),
        )
    one = Indicator.objects.get(code="first_time_entrants")
    found = area_values(indicator=one, area=world.area, kind=PeriodKind.YEAR, **SPAN)
    assert {label: v.value for label, v in found.items()} == {"2023/24": Decimal("212.500")}
    by_id = area_values(indicator=one, area=world.area.pk, kind=PeriodKind.YEAR, **SPAN)
    assert by_id == found
    assert together("first_time_entrants", [world.school_a]) == {}


def test_surveyed_figures_come_from_the_survey(world, monkeypatch):
    asked = {}

    def pooled(*, indicator, schools, periods):
        asked.update(code=indicator.code, schools=list(schools), periods=periods)
        return {"2024/25 autumn": Value(indicator.code, periods[0], Decimal(80), "surveyed")}

    monkeypatch.setattr(survey_results, "survey_group_values", pooled)
    found = together("survey_safe_at_school", [world.school_a, world.school_b], PeriodKind.TERM)
    assert found["2024/25 autumn"].value == Decimal(80)
    assert asked["code"] == "survey_safe_at_school"
    assert asked["schools"] == [world.school_a, world.school_b]
    assert [p.label for p in asked["periods"]][:2] == ["2022/23 autumn", "2022/23 spring"]
    assert len(asked["periods"]) == 9


def test_computed_figures_come_from_the_records(world, dsl):
    from saferschools.testing.factories import submit_report

    submit_report(world.school_a)
    submit_report(world.school_b)
    today = date.today()
    found = group_values(
        indicator=Indicator.objects.get(code="pupil_reports"),
        schools=[world.school_a, world.school_b],
        kind=PeriodKind.MONTH,
        since=today,
        until=today,
    )
    (value,) = found.values()
    assert (value.value, value.records) == (Decimal(2), 2)
