"""How the dashboards decide what to leave out, level by level: a total checked against parts
settled before it, the area against its partnerships and its schools in no partnership, a
school's categories against its figure and over periods; and the pupil survey's figures, not
shown under 5 answers, nor where the few who answered one way could be worked out."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from saferschools.accounts.models import Role
from saferschools.outcomes.dashboard_hiding import (
    ANSWERING,
    COUNTED,
    OTHERS,
    Settled,
    SurveyCells,
    hidden_categories,
    settle_total,
)
from saferschools.outcomes.models import (
    AnswerKind,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyRound,
    SurveyRoundQuestion,
)
from saferschools.outcomes.periods import parse_period, periods_between
from saferschools.outcomes.values import Value

from .dashboard_world import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def year_periods(label: str = "2025/26"):
    year = parse_period(label)
    return [
        period
        for kind in ("year", "term", "month")
        for period in periods_between(kind, year.start, min(year.end, date(2026, 3, 15)))
    ]


def survey_value(label: str, answering: int, counted: int) -> Value:
    return Value(
        code="survey_safe_at_school",
        period=parse_period(label),
        value=Decimal(100 * counted) / answering if answering else None,
        source="surveyed",
        records=min(counted, answering - counted),
        respondents=answering,
    )


def test_a_total_is_left_out_rather_than_a_part_settled_before_it():
    year = year_periods()
    counted = SurveyCells({})
    shown = Settled({(COUNTED, "2025/26"): 20}, set())
    hidden = Settled({(COUNTED, "2025/26"): 3}, {(COUNTED, "2025/26")})

    total = settle_total(counted, {"a": shown, "b": hidden}, year)

    assert total.cells[(COUNTED, "2025/26")] == 23
    assert (COUNTED, "2025/26") in total.hidden
    assert total.hidden <= set(total.cells)


def test_fewer_than_5_answering_is_not_shown_and_out_of_the_groups_figure():
    year = year_periods()
    few = survey_value("2025/26 autumn", 4, 3)
    many = survey_value("2025/26 autumn", 40, 30)
    counted = SurveyCells({"x": {"2025/26 autumn": few}, "y": {"2025/26 autumn": many}})

    alone = counted.school_cells("x", year)
    share = counted.share(alone)

    assert alone[(ANSWERING, "2025/26 autumn")] == 4
    assert share == {}
    assert counted.share(counted.school_cells("y", year))[(OTHERS, "2025/26 autumn")] == 10


def test_a_school_that_answered_one_way_but_for_a_few_is_not_shown():
    from saferschools.outcomes.dashboard_hiding import settle_school

    year = year_periods()
    almost_all = survey_value("2025/26 autumn", 60, 58)
    counted = SurveyCells({"x": {"2025/26 autumn": almost_all}})

    settled = settle_school(counted, "x", year)

    assert counted.hidden_labels(settled.hidden, year) >= {"2025/26 autumn"}


def test_categories_that_would_give_a_small_one_away_are_left_out_over_periods():
    year = year_periods()

    def count(label: str, bullying: int, theft: int) -> Value:
        return Value(
            code="incidents",
            period=parse_period(label),
            value=Decimal(bullying + theft),
            source="computed",
            records=bullying + theft,
            breakdown={"bullying": Decimal(bullying), "theft": Decimal(theft)},
        )

    values = {
        "2025/26": count("2025/26", 20, 2),
        "2025/26 autumn": count("2025/26 autumn", 20, 0),
        "2025/26 spring": count("2025/26 spring", 0, 2),
        "2025-10": count("2025-10", 20, 0),
        "2026-02": count("2026-02", 0, 2),
    }

    hidden = hidden_categories(values, {"2025/26 spring", "2026-02"}, "count", year)

    # Theft's 2 is small wherever it is. The year's bullying, beside the year's 22, would give
    # it away, so it goes too; and the autumn's, which with the spring's shown nought is the
    # year's; and October's, which is all the autumn's.
    assert {("2025/26", "theft"), ("2025/26 spring", "theft"), ("2026-02", "theft")} <= hidden
    assert {("2025/26", "bullying"), ("2025/26 autumn", "bullying")} <= hidden
    assert ("2025-10", "bullying") in hidden


@pytest.fixture
def survey(world):
    question = SurveyQuestion.objects.create(
        area=world.area,
        indicator_id="survey_safe_at_school",
        text="Do you feel safe at school?",
        kind=AnswerKind.YES_NO,
        counted_answers=[1],
    )

    def answers(school, yes: int, no: int) -> None:
        round_ = SurveyRound.objects.create(
            school=school,
            period="2025/26 autumn",
            period_start=date(2025, 9, 1),
            opens_on=date(2025, 11, 3),
            closes_on=date(2025, 11, 21),
        )
        asked = SurveyRoundQuestion.objects.create(
            round=round_, question=question, position=1, text=question.text, kind=question.kind
        )
        for value in [1] * yes + [2] * no:
            response = SurveyResponse.objects.create(round=round_, phase="secondary")
            SurveyAnswer.objects.create(response=response, question=asked, value=value)

    return answers


def test_on_the_dashboard_few_answers_are_not_shown_even_to_the_schools_leads(
    client, world, dsl, survey
):
    survey(world.school_a, 3, 1)
    survey(world.school_b, 30, 10)
    client.force_login(dsl)

    school = client.get(
        f"/schools/{world.school_a.urn}/dashboard/?indicator=survey_safe_at_school&kind=term"
    )
    group = client.get(
        f"/partnerships/{world.p.pk}/dashboard/?indicator=survey_safe_at_school&kind=term"
    )

    own = {row.period.label: row.subject for row in school.context["panels"][0].panel.rows}
    assert own["2025/26 autumn"].state == "not_shown"
    panel = group.context["panels"][0].panel
    together = {row.period.label: row.subject for row in panel.rows}
    # The school with 4 answering is left out of the partnership's figure: it is Langshott's.
    assert together["2025/26 autumn"].text == "75.0"
    assert {row.name: row.cell.text or row.cell.state for row in panel.units.rows} == {
        "Langshott Primary": "75.0",
        "Oakwood School": "not_shown",
        "Horley SSP's schools together": "75.0",
    }


def test_a_partnerships_survey_figure_less_a_schools_gives_no_few_answers_away(
    client, world, survey, persona
):
    survey(world.school_a, 58, 2)  # 2 said no: not shown
    survey(world.school_b, 30, 10)
    client.force_login(persona(Role.STEERING_MEMBER, world.p))

    panel = (
        client.get(
            f"/partnerships/{world.p.pk}/dashboard/?indicator=survey_safe_at_school&kind=term"
        )
        .context["panels"][0]
        .panel
    )

    found = {row.name: row.cell.text or row.cell.state for row in panel.units.rows}
    assert found["Oakwood School"] == "not_shown"
    # 88 of 100 less Langshott's 30 of 40 would give Oakwood's 58 of 60.
    assert found["Horley SSP's schools together"] == "not_shown"
