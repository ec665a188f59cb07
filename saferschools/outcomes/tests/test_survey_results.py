"""Counting the survey's answers: a round's results with small numbers suppressed (complementary
suppression included, across the partnership's schools too), trends over terms, and the values
of the surveyed indicators."""

from datetime import date
from decimal import Decimal

import pytest

from saferschools.accounts.models import Role
from saferschools.outcomes import survey_results as results
from saferschools.outcomes.models import Indicator
from saferschools.outcomes.periods import parse_period, periods_between
from saferschools.outcomes.values import indicator_values

from .survey_helpers import answer_many, answered, close, open_round, past_round, question_of

pytestmark = pytest.mark.django_db

AUTUMN_2024 = {
    "period": "2024/25 autumn",
    "opens_on": date(2024, 11, 4),
    "closes_on": date(2024, 11, 22),
}
SPRING_2025 = {
    "period": "2024/25 spring",
    "opens_on": date(2025, 2, 3),
    "closes_on": date(2025, 2, 21),
}
AUTUMN_2025 = {
    "period": "2025/26 autumn",
    "opens_on": date(2025, 11, 3),
    "closes_on": date(2025, 11, 21),
}


@pytest.fixture
def head_b(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_b)


def rows_of(result) -> dict[str, int | None]:
    return {row.label: row.count for row in result.rows}


def result_for(found, indicator: str):
    return next(q for q in found.questions if q.indicator and q.indicator.code == indicator)


# A round's results -------------------------------------------------------------------------------


def test_an_open_round_shows_how_many_answered_and_nothing_more(world, dsl):
    survey_round = open_round(world.school_a, dsl)
    safe = question_of(survey_round, "survey_safe_at_school")
    answered(survey_round, dsl, safe, {1: 10})
    found = results.round_results(survey_round)
    assert found.state == "open"
    assert found.responses == 10
    assert not found.shown
    assert found.questions == []


@pytest.mark.parametrize(("responses", "too_few"), [(0, False), (1, True), (4, True)])
def test_a_closed_round_with_fewer_than_5_responses_shows_nothing(world, dsl, responses, too_few):
    survey_round = open_round(world.school_a, dsl)
    safe = question_of(survey_round, "survey_safe_at_school")
    answered(survey_round, dsl, safe, {1: responses})
    close(survey_round, dsl)
    found = results.round_results(survey_round)
    assert (found.shown, found.too_few, found.questions) == (False, too_few, [])


def test_a_closed_round_shows_each_answer_with_small_ones_hidden_together(world, dsl):
    survey_round = open_round(world.school_a, dsl)
    safe = question_of(survey_round, "survey_safe_at_school")
    answered(survey_round, dsl, safe, {1: 8, 2: 7, 3: 3, 4: 2, None: 1})
    close(survey_round, dsl)

    found = results.round_results(survey_round)
    assert found.shown and found.responses == 21
    result = result_for(found, "survey_safe_at_school")
    assert rows_of(result) == {
        "Strongly agree": 8,
        "Agree": 7,
        "Disagree": None,
        "Strongly disagree": None,
    }
    assert [row.percent for row in result.rows] == [Decimal(40), Decimal(35), None, None]
    assert (result.answering, result.no_answer) == (20, 1)
    # The share counted (15 of 20) gives away only the hidden answers' sum, 5.
    assert result.figure == Decimal(75)
    assert result.counted_labels == ["Strongly agree", "Agree"]


def test_a_single_small_answer_takes_another_with_it_and_the_figure_it_would_show(world, dsl):
    survey_round = open_round(world.school_a, dsl)
    safe = question_of(survey_round, "survey_safe_at_school")
    answered(survey_round, dsl, safe, {1: 10, 2: 6, 3: 3})
    close(survey_round, dsl)
    result = result_for(results.round_results(survey_round), "survey_safe_at_school")
    # Disagree (3) is small; agree would give it away from the number answering, strongly
    # agree from the share counted, and the share from 3 not counted.
    assert rows_of(result) == {
        "Strongly agree": None,
        "Agree": None,
        "Disagree": None,
        "Strongly disagree": 0,
    }
    assert result.figure is None and result.figure_hidden
    assert result.answering == 19


def test_rather_not_say_and_no_answer_are_counted_together_outside_the_shares(world, dsl):
    survey_round = open_round(world.school_a, dsl)
    bullied = question_of(survey_round, "survey_bullied_4_weeks")
    answered(survey_round, dsl, bullied, {1: 6, 2: 30, 9: 2, None: 2})
    close(survey_round, dsl)
    result = result_for(results.round_results(survey_round), "survey_bullied_4_weeks")
    assert rows_of(result) == {"Yes": 6, "No": 30}
    assert (result.answering, result.no_answer, result.responses) == (36, 4, 40)
    assert result.figure == Decimal(17)


def test_a_question_answered_by_fewer_than_5_shows_nothing(world, dsl):
    survey_round = open_round(world.school_a, dsl)
    safe = question_of(survey_round, "survey_safe_at_school")
    trust = question_of(survey_round, "survey_trusts_police")
    answer_many(survey_round, dsl, [{safe: 1, trust: 2}] * 4 + [{safe: 1}] * 6)
    close(survey_round, dsl)
    found = results.round_results(survey_round)
    assert result_for(found, "survey_trusts_police").too_few
    assert result_for(found, "survey_trusts_police").rows == []
    assert rows_of(result_for(found, "survey_safe_at_school"))["Strongly agree"] == 10


def test_a_round_keeps_the_words_it_asked(world, dsl, persona):
    from saferschools.outcomes import survey_services as services
    from saferschools.outcomes.models import SurveyQuestion

    survey_round = open_round(world.school_a, dsl)
    safe = question_of(survey_round, "survey_safe_at_school")
    answered(survey_round, dsl, safe, {1: 5})
    close(survey_round, dsl)
    question = SurveyQuestion.objects.get(pk=safe.question_id)
    services.survey_question_update(
        actor=persona(Role.AREA_ADMIN, world.area),
        question=question,
        data=services.QuestionInput(
            text="New words", indicator="survey_safe_at_school", counted_answers=[1, 2]
        ),
        source="test",
    )
    assert result_for(results.round_results(survey_round), "survey_safe_at_school").text == (
        "I feel safe at school."
    )


# The partnership's schools together -----------------------------------------------------------------


def test_no_school_s_hidden_answer_is_the_partnership_s_less_the_others(world, dsl, head_b):
    ours = open_round(world.school_a, dsl)
    theirs = open_round(world.school_b, head_b)
    answered(ours, dsl, question_of(ours, "survey_bullied_4_weeks"), {1: 6, 2: 14})
    answered(theirs, head_b, question_of(theirs, "survey_bullied_4_weeks"), {1: 2, 2: 8})
    close(ours, dsl)
    close(theirs, head_b)

    school_a = result_for(results.round_results(ours), "survey_bullied_4_weeks")
    school_b = result_for(results.round_results(theirs), "survey_bullied_4_weeks")
    together = results.partnership_results(partnership=world.p, period=ours.period)
    pooled = result_for(together, "survey_bullied_4_weeks")

    assert together.responses == 30
    assert [line.responses for line in together.schools] == [10, 20]  # Langshott, Oakwood
    assert rows_of(school_b) == {"Yes": None, "No": None}
    for label in ("Yes", "No"):
        shown = [rows_of(one)[label] for one in (school_a, school_b)]
        if rows_of(pooled)[label] is not None:
            # With the partnership's figure shown, no single school's may be the one hidden.
            assert shown.count(None) != 1, (label, shown, rows_of(pooled))
    assert pooled.answering == 30


def test_a_school_with_fewer_than_5_responses_is_left_out_of_the_partnership(world, dsl, head_b):
    ours = open_round(world.school_a, dsl)
    theirs = open_round(world.school_b, head_b)
    answered(ours, dsl, question_of(ours, "survey_safe_at_school"), {1: 10, 2: 10})
    answered(theirs, head_b, question_of(theirs, "survey_safe_at_school"), {4: 3})
    close(ours, dsl)
    close(theirs, head_b)
    together = results.partnership_results(partnership=world.p, period=ours.period)
    assert together.responses == 20
    assert [(line.school, line.counted) for line in together.schools] == [
        (world.school_b, False),
        (world.school_a, True),
    ]
    pooled = result_for(together, "survey_safe_at_school")
    assert rows_of(pooled) == {
        "Strongly agree": 10,
        "Agree": 10,
        "Disagree": 0,
        "Strongly disagree": 0,
    }
    assert pooled.figure == Decimal(100)


def test_the_partnership_shows_only_closed_rounds(world, dsl, head_b):
    ours = open_round(world.school_a, dsl)
    theirs = open_round(world.school_b, head_b)
    answered(ours, dsl, question_of(ours, "survey_safe_at_school"), {1: 10})
    answered(theirs, head_b, question_of(theirs, "survey_safe_at_school"), {1: 10})
    close(ours, dsl)
    assert results.partnership_periods(partnership=world.p) == [ours.period]
    together = results.partnership_results(partnership=world.p, period=ours.period)
    assert together.responses == 10
    assert [line.survey_round for line in together.schools] == [None, ours]


# Trends ------------------------------------------------------------------------------------------------


def test_the_same_question_over_a_school_s_terms_with_the_partnership_beside_it(world, dsl, head_b):
    first = past_round(world.school_a, dsl, **AUTUMN_2024)
    answered(first, dsl, question_of(first, "survey_safe_at_school"), {1: 10, 2: 5, 3: 10})
    primary = past_round(world.school_b, head_b, **AUTUMN_2024)
    answered(primary, head_b, question_of(primary, "survey_safe_at_school"), {1: 20, 3: 5})
    second = past_round(world.school_a, dsl, **SPRING_2025)
    answered(second, dsl, question_of(second, "survey_safe_at_school"), {1: 3})
    third = past_round(world.school_a, dsl, **AUTUMN_2025)
    answered(third, dsl, question_of(third, "survey_safe_at_school"), {1: 18, 3: 2, 4: 0})
    answered(third, dsl, question_of(third, "survey_trusts_police"), {1: 20})

    trends = {t.indicator.code: t for t in results.round_trends(third)}
    safe = trends["survey_safe_at_school"]
    assert safe.labels == ["2024/25 autumn", "2024/25 spring", "2025/26 autumn"]
    assert [f.value for f in safe.school] == [Decimal(60), None, None]
    assert [f.note for f in safe.school] == ["", results.TOO_FEW, results.NOT_SHOWN]
    assert [f.value for f in safe.pooled] == [Decimal(70), None, None]
    trust = trends["survey_trusts_police"]
    assert [f.note for f in trust.school] == [results.TOO_FEW, results.TOO_FEW, ""]
    assert trust.school[-1].value == Decimal(100)

    together = results.partnership_results(partnership=world.p, period="2024/25 autumn")
    pooled = {t.indicator.code: t for t in together.trends}["survey_safe_at_school"]
    assert pooled.labels == ["2024/25 autumn", "2024/25 spring", "2025/26 autumn"]
    assert [f.value for f in pooled.school] == [Decimal(70), None, None]


def test_an_open_round_has_no_trend_yet(world, dsl):
    survey_round = open_round(world.school_a, dsl)
    assert results.round_trends(survey_round) == []


# The surveyed indicators' values -----------------------------------------------------------------------


@pytest.fixture
def indicator():
    return Indicator.objects.get(code="survey_bullied_4_weeks")


def test_survey_values_give_each_school_s_share_per_term(world, dsl, head_b, indicator):
    autumn = past_round(world.school_a, dsl, **AUTUMN_2024)
    answered(autumn, dsl, question_of(autumn, "survey_bullied_4_weeks"), {1: 3, 2: 27, 9: 4})
    spring = past_round(world.school_a, dsl, **SPRING_2025)
    answered(spring, dsl, question_of(spring, "survey_bullied_4_weeks"), {1: 1, 2: 2})
    primary = past_round(world.school_b, head_b, **AUTUMN_2024)
    answered(primary, head_b, question_of(primary, "survey_bullied_4_weeks"), {1: 7, 2: 13})

    periods = periods_between("term", date(2024, 9, 1), date(2025, 8, 31))
    found = results.survey_values(
        indicator=indicator,
        schools=[world.school_a, world.school_b, world.school_e],
        periods=periods,
    )
    a = found[world.school_a.pk]
    assert list(a) == ["2024/25 autumn", "2024/25 spring"]
    assert a["2024/25 autumn"].value == Decimal("10.0")
    assert (a["2024/25 autumn"].respondents, a["2024/25 autumn"].records) == (30, 3)
    assert a["2024/25 autumn"].source == "surveyed"
    assert a["2024/25 autumn"].period == parse_period("2024/25 autumn")
    assert (a["2024/25 spring"].value, a["2024/25 spring"].respondents) == (Decimal("33.3"), 3)
    assert found[world.school_b.pk]["2024/25 autumn"].value == Decimal("35.0")
    assert found[world.school_e.pk] == {}

    years = results.survey_values(
        indicator=indicator,
        schools=[world.school_a],
        periods=periods_between("year", date(2024, 9, 1), date(2025, 8, 31)),
    )[world.school_a.pk]
    assert (years["2024/25"].value, years["2024/25"].respondents) == (Decimal("12.1"), 33)
    months = results.survey_values(
        indicator=indicator,
        schools=[world.school_a],
        periods=periods_between("month", date(2024, 9, 1), date(2025, 8, 31)),
    )[world.school_a.pk]
    assert list(months) == ["2024-11", "2025-02"]


def test_indicator_values_read_surveyed_indicators_through_the_survey(world, dsl, indicator):
    autumn = past_round(world.school_a, dsl, **AUTUMN_2024)
    answered(autumn, dsl, question_of(autumn, "survey_bullied_4_weeks"), {1: 5, 2: 15})
    found = indicator_values(
        indicator=indicator,
        schools=[world.school_a],
        kind="term",
        since=date(2024, 9, 1),
        until=date(2025, 8, 31),
    )
    assert found[world.school_a.pk]["2024/25 autumn"].value == Decimal("25.0")


def test_survey_values_leave_open_rounds_out(world, dsl, indicator):
    survey_round = open_round(world.school_a, dsl)
    answered(survey_round, dsl, question_of(survey_round, "survey_bullied_4_weeks"), {1: 10})
    periods = [parse_period(survey_round.period)]
    assert results.survey_values(
        indicator=indicator, schools=[world.school_a], periods=periods
    ) == {world.school_a.pk: {}}
    close(survey_round, dsl)
    found = results.survey_values(indicator=indicator, schools=[world.school_a], periods=periods)
    assert found[world.school_a.pk][survey_round.period].value == Decimal("100.0")


def test_survey_group_values_pool_schools_with_5_or_more_answering(world, dsl, head_b, indicator):
    autumn = past_round(world.school_a, dsl, **AUTUMN_2024)
    answered(autumn, dsl, question_of(autumn, "survey_bullied_4_weeks"), {1: 3, 2: 27})
    primary = past_round(world.school_b, head_b, **AUTUMN_2024)
    answered(primary, head_b, question_of(primary, "survey_bullied_4_weeks"), {1: 7, 2: 13})
    few = past_round(world.school_b, head_b, **SPRING_2025)
    answered(few, head_b, question_of(few, "survey_bullied_4_weeks"), {1: 4})
    spring = past_round(world.school_a, dsl, **SPRING_2025)
    answered(spring, dsl, question_of(spring, "survey_bullied_4_weeks"), {2: 10})

    found = results.survey_group_values(
        indicator=indicator,
        schools=[world.school_a, world.school_b],
        periods=periods_between("term", date(2024, 9, 1), date(2025, 8, 31)),
    )
    assert (found["2024/25 autumn"].value, found["2024/25 autumn"].respondents) == (
        Decimal("20.0"),
        50,
    )
    assert found["2024/25 autumn"].records == 10
    # The primary's four answers are left out, so that they are never the group's less ours.
    assert (found["2024/25 spring"].value, found["2024/25 spring"].respondents) == (
        Decimal("0.0"),
        10,
    )


def test_survey_values_cost_the_same_queries_for_many_schools_and_periods(
    world, dsl, head_b, indicator, django_assert_max_num_queries
):
    for school, who in ((world.school_a, dsl), (world.school_b, head_b)):
        for dates in (AUTUMN_2024, SPRING_2025, AUTUMN_2025):
            one = past_round(school, who, **dates)
            answered(one, who, question_of(one, "survey_bullied_4_weeks"), {1: 2, 2: 5})
    schools = [world.school_a, world.school_b, world.school_c, world.school_e]
    periods = periods_between("term", date(2020, 9, 1), date(2026, 8, 31))
    with django_assert_max_num_queries(2):
        results.survey_values(indicator=indicator, schools=schools, periods=periods)
    with django_assert_max_num_queries(2):
        results.survey_group_values(indicator=indicator, schools=schools, periods=periods)
