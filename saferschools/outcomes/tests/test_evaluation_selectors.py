"""Reading evaluations: the latest, its comparison schools, and what the result page says in
words."""

from datetime import UTC, date, datetime

import pytest

from saferschools.accounts.models import Role
from saferschools.outcomes.comparison import choose_comparison_schools
from saferschools.outcomes.evaluation_selectors import (
    comparison_schools_for,
    evaluation_list,
    evaluation_page,
    latest_evaluation,
)
from saferschools.outcomes.evaluation_services import evaluation_create
from saferschools.outcomes.evaluation_text import (
    difference_text,
    figure_text,
    interval_text,
    number_text,
    result_sentence,
)
from saferschools.outcomes.models import Evaluation, Indicator

from .evaluation_world import evaluation_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(world):
    return evaluation_world(world)


@pytest.fixture
def analyst(world, persona):
    return persona(Role.LA_ANALYST, world.area)


def test_latest_evaluation_and_its_comparison_schools(world, figures, analyst, persona):
    absence = Indicator.objects.get(code="persistent_absence")
    assert latest_evaluation(partnership=world.p) is None
    automatic = choose_comparison_schools(partnership=world.p, indicator=absence)
    assert comparison_schools_for(partnership=world.p, indicator=absence) == automatic
    assert comparison_schools_for(partnership=world.p, indicator="no_such") == []

    urns = [school.urn for school in figures.secondaries]
    made = evaluation_create(
        actor=analyst,
        partnership=world.p,
        indicator="persistent_absence",
        comparison_urns=urns,
        source="test",
    )
    assert latest_evaluation(partnership=world.p) == made
    assert latest_evaluation(partnership=world.p, indicator="persistent_absence") == made
    assert latest_evaluation(partnership=world.p, indicator="overall_absence") is None
    assert latest_evaluation(partnership=world.q) is None
    assert comparison_schools_for(partnership=world.p, indicator="persistent_absence") == sorted(
        figures.secondaries, key=lambda school: school.name
    )

    assert list(evaluation_list(user=analyst, partnership=world.p)) == [made]
    outsider = persona(Role.LA_ANALYST, world.other_area)
    assert list(evaluation_list(user=outsider, partnership=world.p)) == []


def test_the_result_page_reads_the_figures_of_the_schools_and_periods_used(world, figures, analyst):
    made = evaluation_create(
        actor=analyst, partnership=world.p, indicator="persistent_absence", source="test"
    )
    page = evaluation_page(evaluation=made)
    assert [row.school.name for row in page.schools[:2]] == ["Langshott Primary", "Oakwood School"]
    assert all(row.in_partnership for row in page.schools[:2])
    assert not any(row.in_partnership for row in page.schools[2:])
    assert page.schools[1].deprivation.imd_decile == 3
    assert [mean.period.label for mean in page.means] == made.periods
    assert page.start_index == 5  # 2023/24, the first year since 1 September 2023
    assert page.means[0].partnership_schools == 2 and page.means[0].comparison_schools == 5
    assert page.summary.startswith(
        "Before the partnership began, the partnership's schools averaged "
    )
    assert "; since, the partnership's schools averaged" in page.summary


def evaluation(estimate, low, high, p, *, code="persistent_absence") -> Evaluation:
    return Evaluation(
        indicator=Indicator.objects.get(code=code),
        estimate=estimate,
        ci_low=low,
        ci_high=high,
        p_value=p,
        started_on=date(2023, 9, 1),
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_the_sentence_respects_which_way_is_better(db):
    assert result_sentence(evaluation(-2.14, -3.4, -0.8, 0.004)) == (
        "Persistent absence rate in the partnership's schools was about 2.1 percentage points "
        "lower than expected had they followed the comparison schools' trend since the "
        "partnership began: an improvement, as lower is better. The 95% confidence interval runs "
        "from \u22123.4 to \u22120.8; it does not include no change (p = 0.004), so chance alone "
        "is an unlikely explanation, though the caveats below still apply."
    )
    worse = result_sentence(evaluation(1.0, -0.5, 2.5, 0.31))
    assert "about 1.0 percentage point higher than expected" in worse
    assert "a worsening, as lower is better" in worse
    assert "it includes no change at all, so chance alone could explain" in worse
    assert "(p = 0.31)" in worse
    attainment = result_sentence(evaluation(1.5, 0.5, 2.5, 0.0001, code="ks4_attainment8"))
    assert "about 1.5 points higher than expected" in attainment
    assert "an improvement, as higher is better" in attainment
    assert "(p < 0.001)" in attainment


def test_numbers_in_words():
    assert number_text(-2.14) == "\u22122.1"
    assert number_text(0.0512) == "0.051"
    assert number_text(-0.00001) == "\u22120.000010"
    assert number_text(-0.8) == "\u22120.8"
    assert interval_text(0.02, 0.12) == "0.020 to 0.120"
    assert number_text(1234.56) == "1,234.6"
    assert number_text(0) == "0.0"
    assert figure_text(21.34, "percent") == "21.3%"
    assert figure_text(4.2, "per_100") == "4.2 per 100 pupils"
    assert difference_text(-0.04, "per_100") == "0.040 per 100 pupils"
    assert difference_text(0.5, "percent") == "0.5 percentage points"
    assert difference_text(1, "score") == "1.0 point"
