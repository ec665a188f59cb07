"""Reads of the pupil perception survey: a school's rounds and where each stands, the round open
to pupils today, the code sheets printed for a round (counts only) and an area's questions.

Callers have found the school, round or area through the access policy; the pupil's side finds
a school by its URN alone, as the reporting pages do, and learns only whether a survey is open.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from saferschools.core.models import Area, School
from saferschools.lib.schooldays import LONDON

from .models import (
    SurveyCode,
    SurveyCodeBatch,
    SurveyQuestion,
    SurveyResponse,
    SurveyRound,
    SurveyRoundQuestion,
)


class RoundState:
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


STATE_LABELS = {
    RoundState.UPCOMING: "Not open yet",
    RoundState.OPEN: "Open",
    RoundState.CLOSED: "Closed",
}


def round_last_day(survey_round: SurveyRound) -> date:
    """The last day pupils could answer: the closing date, or the day it was closed early."""
    if survey_round.closed_at is not None:
        closed_on = timezone.localtime(survey_round.closed_at, LONDON).date()
        return min(closed_on, survey_round.closes_on)
    return survey_round.closes_on


def round_state(survey_round: SurveyRound, today: date) -> str:
    """Where the round stands today: not open yet, open to pupils, or closed (its closing date
    has passed, or it was closed early)."""
    if survey_round.closed_at is not None or survey_round.closes_on < today:
        return RoundState.CLOSED
    if survey_round.opens_on > today:
        return RoundState.UPCOMING
    return RoundState.OPEN


def closed_rounds(today: date) -> Q:
    """Rounds closed by ``today``, as a condition on ``SurveyRound``."""
    return Q(closed_at__isnull=False) | Q(closes_on__lt=today)


def open_round(*, school: School, today: date) -> SurveyRound | None:
    """The school's round open to pupils today, if any (rounds of a school never overlap)."""
    return (
        SurveyRound.objects.filter(
            school=school, opens_on__lte=today, closes_on__gte=today, closed_at__isnull=True
        )
        .order_by("opens_on")
        .first()
    )


def school_for_survey(*, urn: object, today: date) -> tuple[School, SurveyRound] | None:
    """The open school with this URN and its round open today; ``None`` for anything else (no
    such school, a closed school, or no survey open), alike."""
    try:
        urn = int(str(urn))
    except ValueError:
        return None
    school = School.objects.filter(urn=urn, is_open=True).first()
    if school is None:
        return None
    found = open_round(school=school, today=today)
    return (school, found) if found is not None else None


def round_questions(survey_round: SurveyRound) -> list[SurveyRoundQuestion]:
    """The questions as the round asks them, in order."""
    return list(survey_round.questions.order_by("position"))


@dataclass(frozen=True)
class CodeCounts:
    """How many codes were printed for a round, how many were used, and how many were voided
    unused; nothing else is known of them."""

    printed: int = 0
    used: int = 0
    voided: int = 0

    @property
    def usable(self) -> int:
        return self.printed - self.used - self.voided


def code_counts(*, rounds: list[SurveyRound]) -> dict[uuid.UUID, CodeCounts]:
    """Each round's code counts, keyed by round id. One query."""
    tallies: dict[uuid.UUID, dict[str, int]] = {
        r.pk: {"printed": 0, "used": 0, "voided": 0} for r in rounds
    }
    rows = (
        SurveyCode.objects.filter(batch__round__in=[r.pk for r in rounds])
        .values_list("batch__round_id", "used", "batch__voided_at")
        .annotate(n=Count("id"))
        .order_by()
    )
    for round_id, used, voided_at, count in rows:
        tally = tallies[round_id]
        tally["printed"] += count
        if used:
            tally["used"] += count
        elif voided_at is not None:
            tally["voided"] += count
    return {round_id: CodeCounts(**tally) for round_id, tally in tallies.items()}


def response_counts(*, rounds: list[SurveyRound]) -> dict[uuid.UUID, int]:
    """How many pupils answered each round, keyed by round id. One query."""
    found = {r.pk: 0 for r in rounds}
    rows = (
        SurveyResponse.objects.filter(round__in=list(found))
        .values_list("round_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for round_id, count in rows:
        found[round_id] = count
    return found


@dataclass(frozen=True)
class BatchLine:
    batch: SurveyCodeBatch
    used: int

    @property
    def voided(self) -> bool:
        return self.batch.voided_at is not None


def round_batches(survey_round: SurveyRound) -> list[BatchLine]:
    """The round's code sheets, oldest first, each with how many of its codes were used. One
    query."""
    batches = (
        survey_round.batches.select_related("created_by", "voided_by")
        .annotate(used_codes=Count("codes", filter=Q(codes__used=True)))
        .order_by("created_at")
    )
    return [BatchLine(batch, batch.used_codes) for batch in batches]


def school_rounds(*, school: School) -> QuerySet[SurveyRound]:
    """The school's rounds, newest term first."""
    return SurveyRound.objects.filter(school=school).order_by("-period_start", "-opens_on")


def area_questions(*, area: Area) -> list[SurveyQuestion]:
    """The area's questions: those asked now in order, then those retired; each with whether a
    round has asked it (``times_asked``). One query."""
    questions = (
        SurveyQuestion.objects.filter(area=area)
        .select_related("indicator")
        .annotate(times_asked=Count("asked"))
    )
    return sorted(questions, key=lambda q: (not q.active, q.position, q.text))
