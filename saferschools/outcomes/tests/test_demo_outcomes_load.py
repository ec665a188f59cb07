"""``manage.py demo`` with its indicator history: the Horley schools and the Surrey schools they
are compared with have several years of figures, and a second load changes nothing."""

import io

import pytest
from django.core.management import call_command

from saferschools.core.models import Partnership, School
from saferschools.outcomes.comparison import choose_comparison_schools
from saferschools.outcomes.demo import DEMO_FILE_NAME
from saferschools.outcomes.models import Indicator, IndicatorImport, IndicatorValue

pytestmark = pytest.mark.django_db


def _demo() -> None:
    call_command("demo", "--quiet-sign-ins", stdout=io.StringIO())


def _years(school: School, code: str) -> list[str]:
    return list(
        IndicatorValue.objects.filter(school=school, indicator_id=code)
        .order_by("period_start")
        .values_list("period", flat=True)
    )


def test_the_demo_gives_partnership_and_comparison_schools_a_history_once():
    _demo()
    values = set(IndicatorValue.objects.values_list("pk", "indicator_id", "period", "value"))
    imports = IndicatorImport.objects.count()

    _demo()

    assert set(IndicatorValue.objects.values_list("pk", "indicator_id", "period", "value")) == (
        values
    )
    assert IndicatorImport.objects.count() == imports
    assert IndicatorImport.objects.filter(file_name=DEMO_FILE_NAME).count() == 2

    partnership = Partnership.objects.get()
    oakwood = School.objects.get(urn=125273)
    # The real 2017/18 figure the planning demo imported, then the made-up years.
    assert _years(oakwood, "persistent_absence") == [
        "2017/18",
        "2020/21",
        "2021/22",
        "2022/23",
        "2023/24",
        "2024/25",
        "2025/26",
    ]
    for school in partnership.schools.all():
        assert len(_years(school, "overall_absence")) >= 6, school
    comparisons = choose_comparison_schools(
        partnership=partnership, indicator=Indicator.objects.get(code="persistent_absence")
    )
    assert len(comparisons) >= 6
    for school in comparisons:
        assert school.partnership is None
        assert len(_years(school, "persistent_absence")) >= 6, school
    assert IndicatorValue.objects.filter(
        indicator_id="first_time_entrants", area=partnership.area
    ).exists()
