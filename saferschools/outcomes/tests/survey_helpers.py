"""Helpers for the survey's tests: a round opened, codes printed, pupils answering, a round
closed, all through the services as the pages do them."""

import itertools
from collections.abc import Iterable
from datetime import date, timedelta

from django.apps import apps
from django.utils import timezone

from saferschools.outcomes import survey_selectors as selectors
from saferschools.outcomes import survey_services as services
from saferschools.outcomes.models import SurveyRound
from saferschools.outcomes.periods import period_of

SOURCE = "test"
# Each sheet printed by a helper is labelled apart, so that none is taken for a second press.
_SHEETS = itertools.count(1)


def this_term() -> str:
    return period_of(timezone.localdate(), "term").label


def open_round(
    school,
    actor,
    *,
    period: str | None = None,
    opens_on: date | None = None,
    closes_on: date | None = None,
) -> SurveyRound:
    """A round of this term open from today for two weeks, unless told otherwise; rounds in the
    past are opened as on their first day."""
    today = timezone.localdate()
    opens_on = opens_on or today
    return services.survey_round_open(
        actor=actor,
        school=school,
        period=period or period_of(opens_on, "term").label,
        opens_on=opens_on,
        closes_on=closes_on or opens_on + timedelta(days=14),
        source=SOURCE,
        today=min(opens_on, today),
    )


def print_codes(survey_round: SurveyRound, actor, count: int, label: str = "") -> list[str]:
    return services.survey_batch_print(
        actor=actor,
        survey_round=survey_round,
        count=count,
        label=label,
        source=SOURCE,
        today=min(survey_round.opens_on, timezone.localdate()),
    ).codes


def answer(survey_round: SurveyRound, code: str, answers: dict | None = None) -> None:
    services.survey_response_submit(
        school=survey_round.school,
        code=code,
        answers=answers or {},
        source=SOURCE,
        today=min(survey_round.opens_on, timezone.localdate()),
    )


def question_of(survey_round: SurveyRound, indicator: str):
    """The round's question feeding this indicator."""
    return next(
        asked
        for asked in selectors.round_questions(survey_round)
        if asked.question.indicator_id == indicator
    )


def answer_many(survey_round: SurveyRound, actor, rows: Iterable[dict]) -> None:
    """One pupil per row, each row mapping round questions to the value answered."""
    rows = list(rows)
    codes = print_codes(survey_round, actor, len(rows), f"Sheet {next(_SHEETS)}") if rows else []
    for code, row in zip(codes, rows, strict=True):
        answer(survey_round, code, {str(q.pk): value for q, value in row.items()})


def answered(survey_round: SurveyRound, actor, question, counts: dict[int | None, int]) -> None:
    """Pupils answering one question: ``counts`` maps each value (``None`` for no answer) to how
    many gave it."""
    rows = [{question: value} for value, n in counts.items() for _ in range(n)]
    answer_many(survey_round, actor, rows)


def close(survey_round: SurveyRound, actor) -> SurveyRound:
    services.survey_round_close(actor=actor, survey_round=survey_round, source=SOURCE)
    survey_round.refresh_from_db()
    return survey_round


def past_round(school, actor, *, period: str, opens_on: date, closes_on: date) -> SurveyRound:
    """A round of a past term: opened, and closed by its closing date passing."""
    return open_round(school, actor, period=period, opens_on=opens_on, closes_on=closes_on)


def stored_anywhere(text: str) -> list[str]:
    """Every table and column holding ``text``."""
    found = []
    for model in apps.get_models():
        names = [field.attname for field in model._meta.concrete_fields]
        for row in model._default_manager.values_list(*names):
            for name, value in zip(names, row, strict=True):
                haystack = bytes(value) if isinstance(value, bytes | memoryview) else value
                if isinstance(haystack, bytes):
                    if text.encode() in haystack:
                        found.append(f"{model._meta.db_table}.{name}")
                elif text in str(haystack):
                    found.append(f"{model._meta.db_table}.{name}")
    return found
