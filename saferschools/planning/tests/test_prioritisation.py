"""Ranking an area's schools: the scoring maths on hand-made figures, the figures read from the
database, small counts, weights and saving them.

The helpers at the top write figures straight into the tables they are read from; the other
prioritisation tests use them too.
"""

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from saferschools.core.models import AuditAction, AuditEvent, School
from saferschools.incidents.models import CrimeMonth, Incident, PoliceCrime
from saferschools.incidents.models.crime import CrimeSettings
from saferschools.outcomes.models import IndicatorValue, LsoaDeprivation
from saferschools.planning import prioritisation as pr
from saferschools.planning.models import PriorityWeighting
from saferschools.reporting.models import Report
from saferschools.testing.factories import SchoolFactory, UserFactory

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 20)

# Writing figures -------------------------------------------------------------------------------


def published(school: School, code: str, value: str | None, period: str = "2017/18") -> None:
    """A published value (None: suppressed by the publisher)."""
    IndicatorValue.objects.create(
        indicator_id=code,
        school=school,
        period=period,
        period_start=date(int(period[:4]), 9, 1),
        value=Decimal(value) if value is not None else None,
        suppressed=value is None,
    )


def deprived(school: School, rank: int, decile: int = 1) -> None:
    """The school's neighbourhood, ranked ``rank`` in England."""
    code = f"E0{school.urn:07d}"
    LsoaDeprivation.objects.create(
        lsoa_code=code,
        lsoa_name=f"Neighbourhood {school.urn}",
        district_code="E07000001",
        district_name="District",
        imd_rank=rank,
        imd_decile=decile,
    )
    school.lsoa_code = code
    school.save(update_fields=["lsoa_code"])


def crimes(
    school: School, month: date, count: int, *, force: str = "Surrey Police", away: int = 10
) -> None:
    """``count`` street crimes of ``month``, ``away`` metres east of the school."""
    batch, _ = CrimeMonth.objects.get_or_create(
        force=force, month=month, defaults={"imported_at": timezone.now()}
    )
    assert school.easting is not None and school.northing is not None
    PoliceCrime.objects.bulk_create(
        PoliceCrime(
            batch=batch,
            month=month,
            easting=school.easting + away,
            northing=school.northing,
            crime_type="Anti-social behaviour",
        )
        for _ in range(count)
    )


def reports(school: School, count: int, *, days_ago: int = 3) -> None:
    at = timezone.now() - timedelta(days=days_ago)
    Report.objects.bulk_create(
        Report(
            school=school,
            category="bullying",
            description="Pushed at break.",
            location="on_site",
            about="self",
            in_danger=False,
            received_at=at,
            due_at=at,
            outcome_due_at=at,
            receipt_hash=uuid.uuid4().hex,
        )
        for _ in range(count)
    )


def incidents(school: School, count: int, by, *, days_ago: int = 3) -> None:
    at = timezone.now() - timedelta(days=days_ago)
    Incident.objects.bulk_create(
        Incident(
            school=school,
            occurred_at=at,
            recorded_at=at,
            recorded_by=by,
            location_kind="on_site",
            category="bullying",
            severity="medium",
            description="Pushed at break.",
            updated_at=at,
            updated_by=by,
        )
        for _ in range(count)
    )


def only(**weights: int | str) -> pr.Weights:
    """These weights, every other indicator 0."""
    result = dict.fromkeys(pr.CODES, Decimal(0))
    result.update({code: Decimal(str(weight)) for code, weight in weights.items()})
    return result


# The maths, on hand-made figures ---------------------------------------------------------------


def school(name: str, urn: int) -> School:
    return School(name=name, urn=urn)


def figures(**values: str | None) -> dict[str, pr.Figure]:
    result = dict.fromkeys(pr.CODES, pr.NO_FIGURE)
    for code, value in values.items():
        number = Decimal(value) if value is not None else None
        result[code] = pr.Figure(number, number)
    return result


def score(schools, table, weights) -> dict[str, tuple[Decimal | None, int | None]]:
    ranked = pr.prioritisation_score(schools=schools, figures=table, weights=weights)
    return {row.school.name: (row.score, row.rank) for row in ranked}


def test_each_indicator_is_scaled_from_least_to_most_need_across_the_schools():
    a, b, c = school("A", 1), school("B", 2), school("C", 3)
    table = {
        a.pk: figures(overall_absence="4.0"),
        b.pk: figures(overall_absence="6.0"),
        c.pk: figures(overall_absence="8.0"),
    }

    result = score([a, b, c], table, only(overall_absence=1))

    assert result == {
        "C": (Decimal("100.0"), 1),
        "B": (Decimal("50.0"), 2),
        "A": (Decimal("0.0"), 3),
    }


def test_a_lower_deprivation_rank_is_more_need():
    a, b, c = school("A", 1), school("B", 2), school("C", 3)
    table = {
        a.pk: figures(deprivation="300"),
        b.pk: figures(deprivation="100"),
        c.pk: figures(deprivation="150"),
    }

    ranked = pr.prioritisation_score(schools=[a, b, c], figures=table, weights=only(deprivation=1))

    assert [(row.school.name, row.score) for row in ranked] == [
        ("B", Decimal("100.0")),
        ("C", Decimal("75.0")),
        ("A", Decimal("0.0")),
    ]


def test_weights_make_a_weighted_mean_and_points_add_up_to_the_score():
    a, b, c = school("A", 1), school("B", 2), school("C", 3)
    table = {
        a.pk: figures(overall_absence="8", deprivation="300"),
        b.pk: figures(overall_absence="6", deprivation="200"),
        c.pk: figures(overall_absence="4", deprivation="100"),
    }

    ranked = pr.prioritisation_score(
        schools=[a, b, c], figures=table, weights=only(overall_absence=3, deprivation=1)
    )

    assert [(row.school.name, row.score, row.rank) for row in ranked] == [
        ("A", Decimal("75.0"), 1),
        ("B", Decimal("50.0"), 2),
        ("C", Decimal("25.0"), 3),
    ]
    first = {part.code: part for part in ranked[0].components}
    assert first["overall_absence"].points == Decimal("75.0")
    assert first["deprivation"].points == Decimal("0.0")
    assert first["deprivation"].normalised == 0
    assert first["crime_nearby"].points is None
    middle = {part.code: part.points for part in ranked[1].components}
    assert (middle["overall_absence"], middle["deprivation"]) == (Decimal("37.5"), Decimal("12.5"))


def test_a_missing_figure_is_left_out_and_the_other_weights_share_its_place():
    a, b, c = school("A", 1), school("B", 2), school("C", 3)
    table = {
        a.pk: figures(overall_absence="8", deprivation="300"),
        b.pk: figures(overall_absence="4", deprivation="100"),
        # No absence figure: its score is its deprivation alone.
        c.pk: figures(deprivation="200"),
    }

    result = score([a, b, c], table, only(overall_absence=1, deprivation=1))

    assert result["A"] == (Decimal("50.0"), 1)
    assert result["B"] == (Decimal("50.0"), 1)
    assert result["C"] == (Decimal("50.0"), 1)


def test_a_school_without_any_weighted_figure_has_no_score_and_comes_last():
    a, b, c = school("Zed", 1), school("Able", 2), school("Mid", 3)
    table = {
        a.pk: figures(overall_absence="8"),
        b.pk: figures(deprivation="100"),  # weight 0 below: not enough data
        c.pk: figures(),
    }

    ranked = pr.prioritisation_score(
        schools=[a, b, c], figures=table, weights=only(overall_absence=1)
    )

    assert [(row.school.name, row.score, row.rank) for row in ranked] == [
        ("Zed", Decimal("50.0"), 1),
        ("Able", None, None),
        ("Mid", None, None),
    ]
    able = {part.code: part for part in ranked[1].components}
    # A figure of weight 0 adds nothing; one without a figure has no points at all.
    assert (able["deprivation"].weight, able["deprivation"].points) == (0, Decimal(0))
    assert able["overall_absence"].points is None


def test_a_suppressed_published_figure_counts_as_none():
    a, b = school("A", 1), school("B", 2)
    table = {
        a.pk: figures(overall_absence="8", suspension_rate="1.0"),
        b.pk: {**figures(overall_absence="4"), "suspension_rate": pr.Figure(None, None, "x")},
    }

    ranked = pr.prioritisation_score(
        schools=[a, b], figures=table, weights=only(overall_absence=1, suspension_rate=1)
    )

    by_name = {row.school.name: row for row in ranked}
    assert by_name["B"].score == Decimal("0.0")
    assert {part.code: part.points for part in by_name["B"].components}["suspension_rate"] is None


def test_every_school_with_the_same_figure_gets_one_half():
    a, b = school("A", 1), school("B", 2)
    table = {a.pk: figures(crime_nearby="12"), b.pk: figures(crime_nearby="12")}

    assert score([a, b], table, only(crime_nearby=1)) == {
        "A": (Decimal("50.0"), 1),
        "B": (Decimal("50.0"), 1),
    }


def test_equal_scores_share_a_rank_by_name_and_the_next_rank_leaves_a_gap():
    names = ["Delta", "Bravo", "Charlie", "Alpha"]
    schools = [school(name, urn) for urn, name in enumerate(names, start=1)]
    values = {"Delta": "1", "Bravo": "5", "Charlie": "5", "Alpha": "9"}
    table = {each.pk: figures(crime_nearby=values[each.name]) for each in schools}

    ranked = pr.prioritisation_score(schools=schools, figures=table, weights=only(crime_nearby=1))

    assert [(row.school.name, row.rank) for row in ranked] == [
        ("Alpha", 1),
        ("Bravo", 2),
        ("Charlie", 2),
        ("Delta", 4),
    ]


def test_ties_are_on_the_score_as_shown():
    names = {"Alpha": "0", "Bravo": "3331", "Charlie": "3334", "Delta": "10000"}
    schools = [school(name, urn) for urn, name in enumerate(names, start=1)]
    table = {each.pk: figures(crime_nearby=names[each.name]) for each in schools}

    ranked = pr.prioritisation_score(schools=schools, figures=table, weights=only(crime_nearby=1))

    # Charlie's exact score (33.34) is above Bravo's (33.31), but both show as 33.3.
    assert [(row.school.name, str(row.score), row.rank) for row in ranked] == [
        ("Delta", "100.0", 1),
        ("Bravo", "33.3", 2),
        ("Charlie", "33.3", 2),
        ("Alpha", "0.0", 4),
    ]


# Weights ---------------------------------------------------------------------------------------


def test_weights_are_parsed_from_the_api_form():
    weights = pr.weights_parse(" deprivation:2, crime_nearby:0.5 ,")

    assert weights["deprivation"] == Decimal(2)
    assert weights["crime_nearby"] == Decimal("0.5")
    assert weights["overall_absence"] == 0
    assert pr.weights_text(weights).startswith("overall_absence:0,")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("deprivation:abc", "The weight of deprivation must be a number, like 2 or 0.5"),
        ("deprivation:NaN", "The weight of deprivation must be a number, like 2 or 0.5"),
        ("deprivation:1e2", "The weight of deprivation must be a number, like 2 or 0.5"),
        ("deprivation:", "The weight of deprivation must be a number, like 2 or 0.5"),
        ("deprivation:-1", "The weight of deprivation must be 0 or more"),
        ("deprivation:101", "The weight of deprivation must be 100 or less"),
        ("deprivation:0.125", "The weight of deprivation can have at most 2 decimal places"),
        ("wealth:1", "Unknown indicator 'wealth'"),
        ("deprivation", "Write each weight as indicator:weight, not 'deprivation'"),
        ("deprivation:1,deprivation:2", "The weight of deprivation is given more than once"),
        ("deprivation:0", "Give at least one indicator a weight above 0"),
        ("", "Give at least one indicator a weight above 0"),
    ],
)
def test_bad_weights_are_refused_naming_the_problem(text, message):
    with pytest.raises(ValidationError) as raised:
        pr.weights_parse(text)

    (problem,) = raised.value.message_dict["weights"]
    assert problem.startswith(message)


def test_a_weight_may_be_a_number_or_text():
    assert pr.weight_value(3, name="x") == 3
    assert pr.weight_value(" 2.50 ", name="x") == Decimal("2.5")
    assert str(pr.weight_value("-0", name="x")) == "0"
    with pytest.raises(ValidationError):
        pr.weight_value(True, name="x")
    with pytest.raises(ValidationError):
        pr.weight_value(None, name="x")


def test_weights_are_saved_once_per_user_and_area_and_audited(world):
    user = UserFactory()
    weighting = pr.priority_weights_save(
        actor=user, area=world.area, weights=only(deprivation="2.50", crime_nearby=1), source="t"
    )

    assert weighting.weights["deprivation"] == "2.5"
    assert weighting.weights["overall_absence"] == "0"
    assert pr.priority_weights_for(user=user, area=world.area) == only(
        deprivation=2.5, crime_nearby=1
    )
    event = AuditEvent.objects.get(object_id=str(weighting.pk))
    assert (event.action, event.source) == (AuditAction.CREATE, "t")
    assert "deprivation:2.5" in event.detail["weights"]

    pr.priority_weights_save(actor=user, area=world.area, weights=only(deprivation=1), source="t")
    pr.priority_weights_save(actor=user, area=world.area, weights=only(deprivation=1), source="t")

    assert PriorityWeighting.objects.get().weights["deprivation"] == "1"
    assert [e.action for e in AuditEvent.objects.filter(object_id=str(weighting.pk))] == [
        AuditAction.CREATE,
        AuditAction.UPDATE,
    ]


def test_weights_of_another_user_or_area_are_not_used(world):
    user, other = UserFactory(), UserFactory()
    pr.priority_weights_save(actor=other, area=world.area, weights=only(deprivation=1), source="t")
    pr.priority_weights_save(
        actor=user, area=world.other_area, weights=only(deprivation=3), source="t"
    )

    assert pr.priority_weights_for(user=user, area=world.area) == pr.weights_default()


@pytest.mark.parametrize(
    ("weights", "errors"),
    [
        (
            {"deprivation": "x"},
            {"deprivation": ["The weight of Deprivation must be a number, like 2 or 0.5"]},
        ),
        ({"wealth": 1, "deprivation": 1}, {"weights": ["Unknown indicator 'wealth'"]}),
        ({"deprivation": 0}, {"weights": ["Give at least one indicator a weight above 0"]}),
    ],
)
def test_bad_weights_are_not_saved(world, weights, errors):
    user = UserFactory()
    with pytest.raises(ValidationError) as raised:
        pr.priority_weights_save(actor=user, area=world.area, weights=weights, source="t")

    assert raised.value.message_dict == errors
    assert not PriorityWeighting.objects.exists()
    assert not AuditEvent.objects.filter(object_type="planning.priorityweighting").exists()


def test_saved_weights_that_no_longer_pass_take_the_default(world):
    user = UserFactory()
    PriorityWeighting.objects.create(
        area=world.area, user=user, weights={"deprivation": "lots", "crime_nearby": "3", "x": 1}
    )

    weights = pr.priority_weights_for(user=user, area=world.area)

    assert weights["deprivation"] == 1
    assert weights["crime_nearby"] == 3
    assert set(weights) == set(pr.CODES)


# The figures, from the database ----------------------------------------------------------------


@pytest.fixture
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def figures_of(world) -> tuple[dict, pr.Sources]:
    schools = pr.area_schools(world.area)
    return pr.school_figures(area=world.area, schools=schools, today=TODAY)


def test_only_the_areas_open_schools_are_ranked(world):
    SchoolFactory(area=world.area, name="Closed School", is_open=False)

    names = [each.name for each in pr.area_schools(world.area)]

    assert names == ["Langshott Primary", "Oakwood School", "Unpartnered School", "Woking High"]


def test_published_figures_are_the_latest_for_each_school(world):
    published(world.school_a, "overall_absence", "5.2", "2016/17")
    published(world.school_a, "overall_absence", "6.125", "2017/18")
    published(world.school_b, "overall_absence", None)
    published(world.school_d, "overall_absence", "9.0")  # another area

    found, _ = figures_of(world)

    assert found[world.school_a.pk]["overall_absence"] == pr.Figure(
        Decimal("6.125"), Decimal("6.125"), "2017/18"
    )
    assert found[world.school_b.pk]["overall_absence"].value is None
    assert (
        found[world.school_b.pk]["overall_absence"].note == "suppressed by the publisher (2017/18)"
    )
    assert found[world.school_c.pk]["overall_absence"] == pr.NO_FIGURE
    assert world.school_d.pk not in found
    assert pr.figure_shown("overall_absence", found[world.school_a.pk]["overall_absence"]) == "6.1%"


def test_deprivation_is_the_rank_of_the_schools_neighbourhood(world):
    deprived(world.school_a, 1234, decile=2)

    found, _ = figures_of(world)

    assert found[world.school_a.pk]["deprivation"] == pr.Figure(
        Decimal(1234), Decimal(1234), "decile 2"
    )
    assert found[world.school_b.pk]["deprivation"] == pr.NO_FIGURE
    assert pr.figure_shown("deprivation", found[world.school_a.pk]["deprivation"]) == "rank 1,234"


def test_crime_nearby_is_counted_over_the_latest_three_months_within_the_radius(world):
    for each, easting in ((world.school_a, 500000), (world.school_b, 510000)):
        each.easting, each.northing = easting, 150000
        each.save()
    world.school_c.easting = world.school_c.northing = None
    world.school_c.save()
    CrimeSettings.objects.create(area=world.area, radius_m=300)
    crimes(world.school_a, date(2023, 8, 1), 100)  # older than the latest three months
    crimes(world.school_a, date(2023, 9, 1), 2)
    crimes(world.school_a, date(2023, 10, 1), 3)
    crimes(world.school_a, date(2023, 11, 1), 4)
    crimes(world.school_a, date(2023, 11, 1), 50, away=301)  # outside the radius
    crimes(world.school_b, date(2023, 12, 1), 7, force="Hampshire Constabulary")  # not the area's

    found, sources = figures_of(world)

    assert sources.crime_months == [date(2023, 9, 1), date(2023, 10, 1), date(2023, 11, 1)]
    assert sources.radius_m == 300
    assert found[world.school_a.pk]["crime_nearby"].value == 9
    assert found[world.school_b.pk]["crime_nearby"].value == 0
    assert found[world.school_c.pk]["crime_nearby"] == pr.NO_FIGURE


def test_without_crime_imported_no_school_has_a_crime_figure(world):
    found, sources = figures_of(world)

    assert sources.crime_months == []
    assert all(each["crime_nearby"] == pr.NO_FIGURE for each in found.values())


@pytest.mark.usefixtures("_frozen")
def test_reports_and_incidents_are_per_100_pupils_over_the_last_12_months(world):
    by = UserFactory()
    world.school_a.number_of_pupils = 400
    world.school_a.save()
    reports(world.school_a, 5)
    incidents(world.school_a, 5, by)
    reports(world.school_a, 9, days_ago=366)  # more than 12 months ago
    world.school_c.number_of_pupils = None
    world.school_c.save()
    reports(world.school_c, 8)

    found, sources = figures_of(world)

    assert (sources.reports_since, sources.reports_until) == (date(2025, 3, 21), TODAY)
    figure = found[world.school_a.pk]["reports_incidents"]
    assert (figure.value, figure.note, figure.small) == (Decimal("2.5"), "10 in 12 months", False)
    assert pr.figure_shown("reports_incidents", figure) == "2.5 per 100 pupils"
    assert found[world.school_b.pk]["reports_incidents"].value == 0
    assert found[world.school_c.pk]["reports_incidents"].value is None
    assert found[world.school_c.pk]["reports_incidents"].scored is None


@pytest.mark.usefixtures("_frozen")
@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_a_small_count_is_not_shown_and_is_scored_as_the_middle_of_1_to_4(world, count):
    by = UserFactory()
    world.school_a.number_of_pupils = 500
    world.school_a.save()
    reports(world.school_a, count // 2)
    incidents(world.school_a, count - count // 2, by)

    found, _ = figures_of(world)

    figure = found[world.school_a.pk]["reports_incidents"]
    assert figure.value is None
    assert figure.small
    assert figure.scored == Decimal("0.5")  # 2.5 per 500 pupils, per 100
    assert pr.figure_shown("reports_incidents", figure) == "fewer than 5"


@pytest.mark.usefixtures("_frozen")
def test_the_score_does_not_tell_a_small_count_from_another(world):
    by = UserFactory()
    for each, pupils in ((world.school_a, 500), (world.school_b, 200), (world.school_c, 300)):
        each.number_of_pupils = pupils
        each.save()
    reports(world.school_b, 9)
    incidents(world.school_c, 6, by)

    def scores() -> list[tuple[str, Decimal | None, int | None, list]]:
        ranked = pr.prioritisation_rank(
            area=world.area, weights=only(reports_incidents=1, overall_absence=1), today=TODAY
        )
        return [
            (row.school.name, row.score, row.rank, [p.points for p in row.components])
            for row in ranked.schools
        ]

    seen = []
    for count in (1, 2, 3, 4):
        Report.objects.filter(school=world.school_a).delete()
        reports(world.school_a, count)
        seen.append(scores())

    assert seen[0] == seen[1] == seen[2] == seen[3]
    Report.objects.filter(school=world.school_a).delete()
    reports(world.school_a, 5)
    assert scores() != seen[0]


@pytest.mark.usefixtures("_frozen")
def test_the_area_is_ranked_with_every_figure(world):
    by = UserFactory()
    published(world.school_a, "persistent_absence", "20.0")
    published(world.school_b, "persistent_absence", "10.0")
    published(world.school_c, "persistent_absence", "15.0")
    deprived(world.school_c, 10)
    deprived(world.school_e, 30000)
    incidents(world.school_e, 10, by)

    ranked = pr.prioritisation_rank(area=world.area, weights=pr.weights_default(), today=TODAY)

    # Persistent absence: A 1, B 0, C 0.5. Deprivation: C 1, E 0. Reports and incidents per
    # pupil: E 1, the others 0. No other indicator has a figure.
    assert [(row.school.name, row.score, row.rank) for row in ranked.schools] == [
        ("Oakwood School", Decimal("50.0"), 1),
        ("Unpartnered School", Decimal("50.0"), 1),
        ("Woking High", Decimal("50.0"), 1),
        ("Langshott Primary", Decimal("0.0"), 4),
    ]
    woking = {part.code: part.points for part in ranked.schools[2].components}
    assert woking == {
        "overall_absence": None,
        "persistent_absence": Decimal("16.7"),
        "suspension_rate": None,
        "permanent_exclusion_rate": None,
        "deprivation": Decimal("33.3"),
        "crime_nearby": None,
        "reports_incidents": Decimal("0.0"),
    }


@pytest.mark.usefixtures("_frozen")
def test_a_school_in_no_partnership_has_no_figure_for_reports_and_incidents_unless_recorded(
    world,
):
    for each in (world.school_b, world.school_e):
        each.number_of_pupils = 200
        each.save()

    found, _ = figures_of(world)

    # School B is in a partnership: none recorded is a figure. School E is in none: its pupils
    # cannot report through the product, so none says nothing.
    assert found[world.school_b.pk]["reports_incidents"].value == 0
    assert found[world.school_e.pk]["reports_incidents"] == pr.Figure(None, None, pr.NOT_RECORDED)
    incidents(world.school_e, 10, UserFactory())
    found, _ = figures_of(world)
    assert found[world.school_e.pk]["reports_incidents"].value == 5


@pytest.mark.usefixtures("_frozen")
def test_a_count_that_would_give_away_one_the_needs_assessment_hides_is_not_shown_or_scored(
    world,
):
    by = UserFactory()
    world.school_a.number_of_pupils = 400
    world.school_a.save()
    # Four reports and four incidents, each "fewer than 5" on the needs assessment: the 8
    # together, beside either number counted elsewhere, would tell the other.
    reports(world.school_a, 4)
    incidents(world.school_a, 4, by)

    found, _ = figures_of(world)

    assert found[world.school_a.pk]["reports_incidents"] == pr.Figure(
        None, None, pr.WITHHELD, withheld=True
    )
    ranked = pr.prioritisation_rank(
        area=world.area, weights=only(reports_incidents=1), today=TODAY
    ).schools
    oakwood = next(row for row in ranked if row.school == world.school_a)
    assert oakwood.score is None


def test_each_school_says_how_many_weighted_indicators_its_score_rests_on():
    a, b = school("A", 1), school("B", 2)
    table = {
        a.pk: figures(overall_absence="5", deprivation="100", crime_nearby="3"),
        b.pk: figures(overall_absence="6"),
    }

    ranked = pr.prioritisation_score(
        schools=[a, b],
        figures=table,
        weights=only(overall_absence=1, deprivation=1, crime_nearby=0, suspension_rate=1),
    )

    assert {row.school.name: row.indicators_scored for row in ranked} == {"A": 2, "B": 1}
    # Suspensions are weighted but no school has a figure; crime has one but no weight.
    assert pr.indicators_available(ranked) == 2
