"""The demo area's pupil surveys: the autumn surveys of 2025/26 and 2026/27 at the partnership's
secondary school and its largest primary, made through the services by each school's leader
with real codes, and answered by pupils whose answers improve from the first year to the next.

The secondary school's 2026/27 survey has just closed; the primary's is still open, with the
answers so far, so that its results wait for it to close. Its codes were never shown: to try the
pupil's page, print a new sheet from the survey's page. Loading the demo again changes nothing.
"""

import random
from dataclasses import dataclass
from datetime import date

from saferschools.core import access
from saferschools.core.models import Partnership, School

from . import survey_selectors as selectors
from . import survey_services as services
from .models import SurveyRound, SurveyRoundQuestion
from .survey_answers import OFFERS_RATHER_NOT_SAY, RATHER_NOT_SAY, substantive_values
from .survey_results import counted_values

SOURCE = "demo"

# The share of pupils (per cent) giving an answer counted towards each indicator, in the first
# year and the next: feeling safer, less bullying, more trust.
SHARES = {
    "survey_safe_at_school": (78, 86),
    "survey_safe_journey": (69, 77),
    "survey_bullied_4_weeks": (21, 14),
    "survey_bullied_12_months": (34, 26),
    "survey_asb_perceived": (41, 30),
    "survey_substance_misuse": (13, 9),
    "survey_knows_help": (79, 90),
    "survey_trusts_police": (61, 73),
}
SKIPPED, RATHER_NOT = 0.03, 0.03


@dataclass(frozen=True)
class DemoRound:
    period: str
    opens_on: date
    closes_on: date
    year: int  # 0 for the first year, 1 for the next
    responses: int
    sheets: tuple[tuple[str, int], ...]  # label and number of codes, in the order printed
    voided: tuple[tuple[str, int], ...] = ()  # sheets printed, then lost and voided


def _rounds(secondary: School, primary: School) -> list[tuple[School, DemoRound]]:
    return [
        (
            secondary,
            DemoRound(
                "2025/26 autumn",
                date(2025, 11, 10),
                date(2025, 11, 28),
                0,
                120,
                (("Years 7 to 9", 80), ("Years 10 and 11", 60)),
            ),
        ),
        (
            primary,
            DemoRound(
                "2025/26 autumn",
                date(2025, 11, 17),
                date(2025, 12, 5),
                0,
                30,
                (("Years 5 and 6", 35),),
            ),
        ),
        (
            secondary,
            DemoRound(
                "2026/27 autumn",
                date(2026, 11, 2),
                date(2026, 11, 20),
                1,
                131,
                (("Years 7 to 9", 85), ("Years 10 and 11", 65)),
                voided=(("Year 8 (sheet left on the bus)", 30),),
            ),
        ),
        (
            primary,
            DemoRound(
                "2026/27 autumn",
                date(2026, 11, 16),
                date(2026, 12, 11),
                1,
                27,
                (("Years 5 and 6", 35),),
            ),
        ),
    ]


def _weighted(values: list[int], toward: int) -> list[int]:
    """The values, each repeated more the nearer it is to ``toward``: milder answers are the
    commoner ones."""
    ordered = sorted(values, key=lambda value: abs(value - toward))
    return [value for rank, value in enumerate(ordered) for _ in range(len(ordered) - rank + 1)]


def _answers(
    rng: random.Random, asked: SurveyRoundQuestion, year: int, pupils: int
) -> list[int | None]:
    """Every pupil's answer to one question. The share the demo means to show is met exactly
    among those who answer, so that the improvement from one year to the next never depends on
    the luck of the draw (nor on the schools' numbers that seed it)."""
    answers: list[int | None] = [None] * pupils
    answering: list[int] = []
    for pupil in range(pupils):
        roll = rng.random()
        if roll < SKIPPED:
            continue
        if roll < SKIPPED + RATHER_NOT and asked.kind in OFFERS_RATHER_NOT_SAY:
            answers[pupil] = RATHER_NOT_SAY
            continue
        answering.append(pupil)
    values = substantive_values(asked.kind)
    question = asked.question
    counted = sorted(counted_values(question))
    if not counted or question.indicator_id not in SHARES:
        for pupil in answering:
            answers[pupil] = rng.choice(values)
        return answers
    others = [value for value in values if value not in counted]
    share = SHARES[question.indicator_id][year]
    how_many = round(len(answering) * share / 100)
    rng.shuffle(answering)
    for index, pupil in enumerate(answering):
        if index < how_many:
            answers[pupil] = rng.choice(_weighted(counted, others[0] if others else counted[-1]))
        else:
            answers[pupil] = rng.choice(_weighted(others, counted[0]))
    return answers


def _run(school: School, plan: DemoRound) -> None:
    if SurveyRound.objects.filter(school=school, period=plan.period).exists():
        return
    leader = access.users_reaching_school(school, access.SCHOOL_LEADERS).first()
    if leader is None:
        return
    survey_round = services.survey_round_open(
        actor=leader,
        school=school,
        period=plan.period,
        opens_on=plan.opens_on,
        closes_on=plan.closes_on,
        source=SOURCE,
        today=plan.opens_on,
    )
    codes: list[str] = []
    for label, count in plan.sheets:
        printed = services.survey_batch_print(
            actor=leader,
            survey_round=survey_round,
            count=count,
            label=label,
            source=SOURCE,
            today=plan.opens_on,
        )
        codes += printed.codes
    for label, count in plan.voided:
        lost = services.survey_batch_print(
            actor=leader,
            survey_round=survey_round,
            count=count,
            label=label,
            source=SOURCE,
            today=plan.opens_on,
        )
        services.survey_batch_void(actor=leader, batch=lost.batch, source=SOURCE)
    rng = random.Random(f"{school.urn}:{plan.period}")  # noqa: S311 - made-up answers, not secrets
    questions = selectors.round_questions(survey_round)
    pupils = min(plan.responses, len(codes))
    chosen = {str(asked.pk): _answers(rng, asked, plan.year, pupils) for asked in questions}
    for pupil, code in enumerate(codes[:pupils]):
        answers = {question: given[pupil] for question, given in chosen.items()}
        services.survey_response_submit(
            school=school, code=code, answers=answers, source=SOURCE, today=plan.opens_on
        )


def demo_surveys(*, partnership: Partnership, secondary: School, primaries: list[School]) -> None:
    """Two autumn surveys at the secondary school and at the largest primary school."""
    if not primaries:
        return
    primary = max(primaries, key=lambda school: (school.number_of_pupils or 0, -school.urn))
    for school, plan in _rounds(secondary, primary):
        _run(school, plan)
