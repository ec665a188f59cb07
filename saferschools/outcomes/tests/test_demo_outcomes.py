"""The demo's indicator history: several years for the partnership's schools and the area's
others, made up the same way every time, marked as demonstration figures, loaded once."""

from datetime import date
from decimal import Decimal

import pytest

from saferschools.core.audit import audit_verify
from saferschools.core.models import AuditEvent
from saferschools.outcomes import demo
from saferschools.outcomes.demo import (
    DEMO_FILE_NAME,
    EFFECT_SHARE,
    Profile,
    demo_indicator_history,
    demo_outcomes,
)
from saferschools.outcomes.models import IndicatorImport, IndicatorValue, PeriodKind
from saferschools.testing.factories import (
    AreaFactory,
    PartnershipFactory,
    PartnershipSchoolFactory,
    SchoolFactory,
)

pytestmark = pytest.mark.django_db

YEARS = ["2020/21", "2021/22", "2022/23", "2023/24", "2024/25", "2025/26"]


@pytest.fixture
def cluster():
    """A partnership of a secondary school, a primary and an infant school, and the area's
    other schools: open ones of each phase, a nursery and a closed school."""
    area = AreaFactory(name="Surrey")
    partnership = PartnershipFactory(area=area, started_on=date(2025, 9, 1))
    secondary = SchoolFactory(area=area, urn=125273, number_of_pupils=1184)
    primary = SchoolFactory(
        area=area, urn=125104, phase="Primary", number_of_pupils=419, low_age=5, high_age=11
    )
    infant = SchoolFactory(
        area=area, urn=124981, phase="Primary", number_of_pupils=296, low_age=4, high_age=7
    )
    for school in (secondary, primary, infant):
        PartnershipSchoolFactory(partnership=partnership, school=school)
    others = {
        "secondary": SchoolFactory(area=area, urn=125000, number_of_pupils=1300),
        "primary": SchoolFactory(
            area=area, urn=125001, phase="Primary", number_of_pupils=210, low_age=4, high_age=11
        ),
        "special": SchoolFactory(
            area=area, urn=125002, phase="Not applicable", number_of_pupils=120, high_age=19
        ),
        "no roll": SchoolFactory(
            area=area, urn=125003, phase="Primary", number_of_pupils=None, low_age=4, high_age=11
        ),
    }
    nursery = SchoolFactory(area=area, urn=125004, phase="Nursery", low_age=2, high_age=5)
    closed = SchoolFactory(area=area, urn=125005, is_open=False)
    return {
        "area": area,
        "partnership": partnership,
        "secondary": secondary,
        "primary": primary,
        "infant": infant,
        "others": others,
        "nursery": nursery,
        "closed": closed,
    }


def load(cluster) -> None:
    demo_indicator_history(partnership=cluster["partnership"], secondary=cluster["secondary"])


def periods(school, code: str) -> list[str]:
    return list(
        IndicatorValue.objects.filter(school=school, indicator_id=code)
        .order_by("period_start")
        .values_list("period", flat=True)
    )


def stored() -> set[tuple]:
    return set(
        IndicatorValue.objects.values_list(
            "indicator_id", "school__urn", "area__name", "period", "value", "suppressed"
        )
    )


def test_every_open_school_has_six_years_of_absence_and_exclusions(cluster):
    load(cluster)

    schools = [cluster["secondary"], cluster["primary"], cluster["infant"]]
    schools += cluster["others"].values()
    for school in schools:
        for code in (
            "overall_absence",
            "persistent_absence",
            "suspension_rate",
            "permanent_exclusion_rate",
        ):
            assert periods(school, code) == YEARS, (school.urn, code)
    assert not IndicatorValue.objects.filter(school=cluster["nursery"]).exists()
    assert not IndicatorValue.objects.filter(school=cluster["closed"]).exists()
    kinds = set(IndicatorValue.objects.filter(school__isnull=False).values_list("period_kind"))
    assert kinds == {(PeriodKind.YEAR,)}


def test_key_stage_results_follow_the_schools_ages_and_the_cancelled_years(cluster):
    load(cluster)

    for school in (cluster["secondary"], cluster["others"]["secondary"]):
        assert periods(school, "ks4_attainment8") == YEARS[1:]
        assert periods(school, "ks4_basics_grade4") == YEARS[1:]
        # No Progress 8 for the pupils whose key stage 2 tests were cancelled.
        assert periods(school, "ks4_progress8") == ["2021/22", "2022/23", "2023/24"]
        assert periods(school, "ks2_expected_rwm") == []
    for school in (cluster["primary"], cluster["others"]["primary"]):
        assert periods(school, "ks2_expected_rwm") == YEARS[1:]
        assert periods(school, "ks4_attainment8") == []
    assert periods(cluster["infant"], "ks2_expected_rwm") == []
    assert periods(cluster["others"]["special"], "ks2_expected_rwm") == []
    values = IndicatorValue.objects.filter(indicator_id="ks2_expected_rwm", suppressed=False)
    assert all(0 <= v.value <= 100 for v in values)


def test_inspections_come_every_few_years_and_tell_the_secondarys_story(cluster):
    load(cluster)

    grades = IndicatorValue.objects.filter(
        school=cluster["secondary"], indicator_id="inspection_behaviour"
    ).order_by("period_start")
    assert [(v.period, v.value) for v in grades] == [
        ("2021/22", Decimal("3")),
        ("2025/26", Decimal("2")),
    ]
    for school in cluster["others"].values():
        inspected = periods(school, "inspection_behaviour")
        assert 1 <= len(inspected) <= 2
        assert "2020/21" not in inspected
    assert set(
        IndicatorValue.objects.filter(indicator_id="inspection_behaviour").values_list(
            "value", flat=True
        )
    ) <= {Decimal(grade) for grade in (1, 2, 3, 4)}


def test_the_area_has_first_time_entrants_by_year_and_by_term(cluster):
    load(cluster)

    values = IndicatorValue.objects.filter(indicator_id="first_time_entrants")
    assert {value.area_id for value in values} == {cluster["area"].pk}
    assert {value.school_id for value in values} == {None}
    years = values.filter(period_kind=PeriodKind.YEAR).order_by("period_start")
    assert [value.period for value in years] == YEARS
    terms = values.filter(period_kind=PeriodKind.TERM).order_by("period_start")
    assert [value.period for value in terms][:2] == ["2024/25 autumn", "2024/25 spring"]
    assert terms.count() == 6


def test_the_figures_are_recorded_as_demonstration_figures(cluster):
    load(cluster)

    imports = IndicatorImport.objects.all()
    assert {record.file_name for record in imports} == {DEMO_FILE_NAME}
    assert {record.layout for record in imports} == {"demonstration", "demonstration_area"}
    assert set(IndicatorValue.objects.values_list("imported_from", flat=True)) == {
        record.pk for record in imports
    }
    events = AuditEvent.objects.filter(object_type="outcomes.indicatorimport")
    assert {event.source for event in events} == {"command:demo"}
    assert events.count() == 2
    assert audit_verify().ok


def test_loading_twice_changes_nothing(cluster):
    load(cluster)
    first = set(IndicatorValue.objects.values_list("pk", "value"))

    load(cluster)

    assert set(IndicatorValue.objects.values_list("pk", "value")) == first
    assert IndicatorImport.objects.count() == 2


def test_the_history_is_the_same_every_time(cluster):
    load(cluster)
    first = stored()
    IndicatorValue.objects.all().delete()
    IndicatorImport.objects.all().delete()

    load(cluster)

    assert stored() == first


def test_the_history_starts_from_the_schools_real_2017_18_absence(cluster):
    low, high = (
        Profile(
            school=cluster["secondary"],
            phase=demo.SECONDARY,
            pupils=1184,
            decile=7,
            treated=False,
            base={"overall_absence": rate, "persistent_absence": rate * 2},
        )
        for rate in (4.0, 8.0)
    )

    low_rows = {row.period.label: row for row in demo._school_rows(low, story=False)}
    high_rows = {row.period.label: row for row in demo._school_rows(high, story=False)}

    for label in YEARS:
        low_absence, high_absence = (
            {f.indicator: f.value for f in rows[label].figures}["overall_absence"]
            for rows in (low_rows, high_rows)
        )
        assert abs(high_absence / low_absence - 2) < Decimal("0.05"), label


def test_the_partnerships_schools_do_a_little_better_from_its_first_year(cluster):
    profiles = [
        Profile(
            school=cluster["secondary"],
            phase=demo.SECONDARY,
            pupils=1184,
            decile=7,
            treated=treated,
            base={"overall_absence": 5.4, "persistent_absence": 14.0},
        )
        for treated in (False, True)
    ]

    untreated, treated = (
        {
            (row.period.label, figure.indicator): figure.value
            for row in demo._school_rows(profile, story=False)
            for figure in row.figures
        }
        for profile in profiles
    )

    before = {key: value for key, value in untreated.items() if key[0] != "2025/26"}
    assert before == {key: value for key, value in treated.items() if key[0] != "2025/26"}
    for code in ("overall_absence", "persistent_absence"):
        ratio = treated[("2025/26", code)] / untreated[("2025/26", code)]
        assert abs(ratio - Decimal(1 - EFFECT_SHARE[code])) < Decimal("0.02"), code
    assert treated[("2025/26", "suspension_rate")] <= untreated[("2025/26", "suspension_rate")]
    assert treated[("2025/26", "ks4_attainment8")] > untreated[("2025/26", "ks4_attainment8")]


def test_the_demo_runs_the_history_then_surveys_evaluation_and_report(cluster, monkeypatch):
    calls = []
    for module, name in (
        (demo.survey_demo, "demo_surveys"),
        (demo.evaluation_demo, "demo_evaluation"),
        (demo.annual_report_demo, "demo_annual_report"),
    ):

        def record(name=name, **kwargs):
            calls.append((name, IndicatorValue.objects.exists(), kwargs))

        monkeypatch.setattr(module, name, record)
    arguments = {
        "partnership": cluster["partnership"],
        "secondary": cluster["secondary"],
        "primaries": [cluster["primary"], cluster["infant"]],
    }

    demo_outcomes(**arguments)

    assert calls == [
        ("demo_surveys", True, arguments),
        ("demo_evaluation", True, arguments),
        ("demo_annual_report", True, arguments),
    ]
