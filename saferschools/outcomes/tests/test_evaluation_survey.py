"""An evaluation of a surveyed indicator: survey results compared by term, a round with fewer
than five pupils answering left out and said."""

from datetime import date, timedelta

import pytest

from saferschools.accounts.models import Role
from saferschools.outcomes.evaluation_services import evaluation_create
from saferschools.outcomes.models import (
    AnswerKind,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    SurveyRound,
    SurveyRoundQuestion,
)
from saferschools.outcomes.periods import periods_between
from saferschools.testing.factories import SchoolFactory

pytestmark = pytest.mark.django_db

TERMS = periods_between("term", date(2022, 9, 1), date(2025, 8, 31))  # 2022/23 to 2024/25
ANSWERING = 20
EFFECT_ANSWERS = 2  # two more of twenty say they feel safe: 10 percentage points


def survey(school, question: SurveyQuestion, yes: dict[str, int], answering: dict[str, int]):
    """Closed rounds of the school, one a term, with ``yes`` of ``answering`` pupils saying
    they feel safe."""
    for term in TERMS:
        opens_on = term.start + timedelta(days=14)
        survey_round = SurveyRound.objects.create(
            school=school,
            period=term.label,
            period_start=term.start,
            opens_on=opens_on,
            closes_on=opens_on + timedelta(days=14),
        )
        asked = SurveyRoundQuestion.objects.create(
            round=survey_round,
            question=question,
            position=1,
            text=question.text,
            kind=question.kind,
        )
        total = answering.get(term.label, ANSWERING)
        responses = SurveyResponse.objects.bulk_create(
            SurveyResponse(round=survey_round) for _ in range(total)
        )
        SurveyAnswer.objects.bulk_create(
            SurveyAnswer(
                response=response, question=asked, value=1 if index < yes[term.label] else 2
            )
            for index, response in enumerate(responses)
        )


def yes_counts(level: int, seed: int, *, treated: bool = False) -> dict[str, int]:
    return {
        term.label: min(
            ANSWERING,
            level
            + (index + seed) % 3
            + (EFFECT_ANSWERS if treated and term.start >= date(2023, 9, 1) else 0),
        )
        for index, term in enumerate(TERMS)
    }


def test_a_surveyed_indicator_is_evaluated_by_term(world, persona):
    world.p.started_on = date(2023, 9, 1)
    world.p.save()
    question = SurveyQuestion.objects.create(
        area=world.area,
        indicator_id="survey_safe_at_school",
        text="I feel safe at school",
        kind=AnswerKind.YES_NO,
        counted_answers=[1],
    )
    survey(world.school_a, question, yes_counts(12, 0, treated=True), {})
    survey(world.school_b, question, yes_counts(14, 1, treated=True), {})
    comparison = [SchoolFactory(area=world.area, name=f"Surveyed {n}") for n in range(3)]
    for n, school in enumerate(comparison):
        few = {TERMS[0].label: 3} if n == 0 else {}
        survey(
            school, question, {**yes_counts(11 + n, n + 2), TERMS[0].label: 2 if few else 12}, few
        )

    evaluation = evaluation_create(
        actor=persona(Role.LA_ANALYST, world.area),
        partnership=world.p,
        indicator="survey_safe_at_school",
        comparison_urns=[school.urn for school in comparison],
        source="test",
    )
    assert evaluation.period_kind == "term"
    assert evaluation.periods == [term.label for term in TERMS]
    assert evaluation.periods[0] == "2022/23 autumn"
    assert evaluation.n_observations == 5 * 9 - 1  # three answering: left out
    assert evaluation.estimate == pytest.approx(10.0, abs=3.0)
    caveats = " ".join(evaluation.caveats)
    assert (
        "1 figure was left out: suppressed by the publisher, or from fewer than 5 pupils answering."
        in caveats
    )
    assert "Survey results depend on which pupils answered each term" in caveats
