"""The pupil perception survey: an area's questions, a school's rounds, the code sheets and the
pupils' answers.

Each function checks everything first and raises one ``ValidationError`` keyed by field (the
names the API uses), then writes in one transaction with its audit event, naming what changed,
never a code or an answer. Callers fetch what they change through the access policy with
``write=True``; the functions check again that the actor may do it, so that every caller is held
to the rule the pages apply.

What is kept of a pupil's answers is fixed by the models: a code is kept only as a keyed hash
with a used flag, and a response holds the round, the wording answered (primary or secondary)
and the answers; nothing of when it came, which code admitted it, or who or where the pupil
was. A response writes no audit event: its time would say when the pupil answered.

Changing a question never changes past rounds: a round keeps the words it asked
(``SurveyRoundQuestion``), and what a question feeds (its indicator and the answers counted
towards it) is fixed once a round has asked it, so that past figures keep their meaning. A
question asked in a round is retired rather than removed.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import Area, AuditAction, School
from saferschools.lib.checks import check_text

from . import survey_selectors as selectors
from .models import (
    AnswerKind,
    Indicator,
    PeriodKind,
    SurveyAnswer,
    SurveyCode,
    SurveyCodeBatch,
    SurveyQuestion,
    SurveyResponse,
    SurveyRound,
    SurveyRoundQuestion,
)
from .periods import PeriodError, parse_period
from .survey_answers import answer_choices, substantive_values
from .survey_codes import code_digest, code_new, code_normalise

TEXT_MAX = 300
LABEL_MAX = 100
BATCH_MAX = 1500
# A round is open for at most thirteen weeks: a survey, not a standing form.
ROUND_MAX_DAYS = 91
# The same thing asked again by the same person within this time (a second press of the
# button) is the one already done.
DUPLICATE_WINDOW = timedelta(minutes=2)
PRIMARY_PHASES = frozenset({"primary", "middle deemed primary", "nursery"})

CODE_USED = "This code has already been used."
CODE_NOT_FOUND = "We could not find that code. Check it against your slip and try again."
CODE_VOIDED = "This code can no longer be used. Ask the teacher who gave it to you for a new one."
CODE_MALFORMED = "Enter the code from your slip: 10 letters and numbers, such as ABCDE-23456"
# ValidationError codes the callers act on: a wrong code counts against the client's allowance.
WRONG_CODE = "wrong_code"


class SurveyNotOpen(Exception):
    """No survey is open at the school today."""


def school_phase(school: School) -> str:
    """The wording a school's pupils answer: "primary" or "secondary"."""
    return "primary" if school.phase.strip().lower() in PRIMARY_PHASES else "secondary"


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


# The area's questions ------------------------------------------------------------------------


@dataclass(frozen=True)
class DefaultQuestion:
    indicator: str
    kind: str
    text: str
    text_primary: str
    counted: tuple[int, ...]


# The list, each tied to the surveyed indicator it measures. Primary pupils are asked in
# simpler words where needed, and about substances they see rather than use.
DEFAULT_QUESTIONS = (
    DefaultQuestion(
        "survey_safe_at_school", AnswerKind.AGREE, "I feel safe at school.", "", (1, 2)
    ),
    DefaultQuestion(
        "survey_safe_journey",
        AnswerKind.AGREE,
        "I feel safe on my way to and from school.",
        "",
        (1, 2),
    ),
    DefaultQuestion(
        "survey_bullied_4_weeks",
        AnswerKind.YES_NO,
        "In the last four weeks, have you been bullied at school or on your way to or from school?",
        "In the last four weeks, has anyone bullied you at school or on your way to school?",
        (1,),
    ),
    DefaultQuestion(
        "survey_bullied_12_months",
        AnswerKind.YES_NO,
        "In the last twelve months, have you been bullied at school or on your way to or from "
        "school?",
        "Since this time last year, has anyone bullied you at school or on your way to school?",
        (1,),
    ),
    DefaultQuestion(
        "survey_asb_perceived",
        AnswerKind.AGREE,
        "People behaving badly near the school (such as fighting, damaging things or shouting "
        "at people) is a problem.",
        "People behaving badly near my school is a problem.",
        (1, 2),
    ),
    DefaultQuestion(
        "survey_substance_misuse",
        AnswerKind.FREQUENCY,
        "In the last four weeks, how often have you drunk alcohol, smoked, vaped or taken drugs?",
        "In the last four weeks, how often have you seen people smoking, vaping, drinking "
        "alcohol or taking drugs near your school?",
        (2, 3, 4),
    ),
    DefaultQuestion(
        "survey_knows_help",
        AnswerKind.AGREE,
        "If something was wrong, I would know who to talk to or how to report it.",
        "If something was wrong, I would know who to tell.",
        (1, 2),
    ),
    DefaultQuestion(
        "survey_trusts_police",
        AnswerKind.AGREE,
        "I would trust the police to help me if I needed them.",
        "If I needed help, I would trust a police officer to help me.",
        (1, 2),
    ),
)


def _check_words(actor: Any, area: Area) -> None:
    if not access.survey_question_areas(actor).filter(pk=area.pk).exists():
        raise ValidationError(
            {"area": "Only the area's administrators and analysts word its survey questions"}
        )


@transaction.atomic
def survey_questions_ensure(*, area: Area, actor: Any, source: str) -> bool:
    """Give the area the default questions if it has never had any; whether it was given them.

    The area's row is locked first, so that two people opening the questions at once seed them
    once."""
    Area.objects.select_for_update().filter(pk=area.pk).first()
    if SurveyQuestion.objects.filter(area=area).exists():
        return False
    indicators = Indicator.objects.in_bulk([one.indicator for one in DEFAULT_QUESTIONS])
    questions = [
        SurveyQuestion(
            area=area,
            indicator=indicators.get(one.indicator),
            text=one.text,
            text_primary=one.text_primary,
            kind=one.kind,
            counted_answers=list(one.counted) if one.indicator in indicators else [],
            position=position,
        )
        for position, one in enumerate(DEFAULT_QUESTIONS, start=1)
    ]
    SurveyQuestion.objects.bulk_create(questions)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        source=source,
        obj=area,
        detail={"what": "default survey questions", "questions": len(questions)},
    )
    return True


@dataclass
class QuestionInput:
    """A question as a form or the API gives it: the words for each phase, and what it feeds
    (a surveyed indicator by code, with the answers that count towards it)."""

    text: object = ""
    text_primary: object = ""
    indicator: object = None
    counted_answers: object = None


def _indicator(code: object, errors: dict[str, str]) -> Indicator | None:
    if code in (None, ""):
        return None
    found = (
        Indicator.objects.filter(code=code, source=Indicator.Source.SURVEYED).first()
        if isinstance(code, str) and len(code) <= 60
        else None
    )
    if found is None:
        errors["indicator"] = "Choose an indicator the survey measures, or none"
    return found


def _counted(
    value: object, kind: str, indicator: Indicator | None, errors: dict[str, str]
) -> list[int]:
    """The answers counted towards the indicator: some of the kind's answers, not all of them
    (a figure that is always 100% says nothing); none without an indicator."""
    values = value if isinstance(value, list | tuple) else [] if value in (None, "") else None
    allowed = substantive_values(kind)
    if values is None or any(
        isinstance(one, bool) or not isinstance(one, int) or one not in allowed for one in values
    ):
        errors["counted_answers"] = "Choose answers from the question's own"
        return []
    chosen = sorted(set(values))
    if indicator is None:
        if chosen:
            errors["counted_answers"] = "Choose an indicator for the answers to count towards"
        return []
    if not chosen:
        errors["counted_answers"] = "Choose the answers that count towards the indicator"
    elif len(chosen) == len(allowed):
        errors["counted_answers"] = "Leave at least one answer not counted"
    return chosen


def _check_indicator_free(
    area: Area, indicator: Indicator | None, errors: dict[str, str], *, besides: Any = None
) -> None:
    """One question asked at a time feeds each indicator, so that a figure is one question's."""
    if indicator is None:
        return
    taken = SurveyQuestion.objects.filter(area=area, indicator=indicator, active=True)
    if besides is not None:
        taken = taken.exclude(pk=besides)
    if taken.exists():
        errors["indicator"] = (
            f"Another question asked now feeds “{indicator.name}”: retire it first, or choose "
            "another indicator"
        )


def _question_values(
    data: QuestionInput,
    *,
    kind: str,
    area: Area,
    current: SurveyQuestion | None,
    errors: dict[str, str],
) -> dict[str, Any]:
    text = check_text(data.text, "text", TEXT_MAX, errors, required=True)
    text_primary = check_text(data.text_primary, "text_primary", TEXT_MAX, errors, required=False)
    indicator = _indicator(data.indicator, errors)
    counted = _counted(data.counted_answers, kind, indicator, errors)
    # A retired question keeps its indicator, which the question replacing it may feed too.
    if current is None or current.active:
        _check_indicator_free(area, indicator, errors, besides=current.pk if current else None)
    return {
        "text": text,
        "text_primary": text_primary,
        "indicator": indicator,
        "counted_answers": counted,
    }


@transaction.atomic
def survey_question_add(
    *, actor: Any, area: Area, kind: object, data: QuestionInput, source: str
) -> SurveyQuestion:
    """Add a question to the area's survey, asked from the next round opened, after the others.
    The same question added again by the same person a moment later is the one added."""
    _check_words(actor, area)
    errors: dict[str, str] = {}
    if not isinstance(kind, str) or kind not in AnswerKind.values:
        errors["kind"] = "Choose how pupils answer"
        kind = AnswerKind.YES_NO
    Area.objects.select_for_update().filter(pk=area.pk).first()
    values = _question_values(data, kind=str(kind), area=area, current=None, errors=errors)
    if errors:
        raise ValidationError(errors)
    recent = SurveyQuestion.objects.filter(
        area=area,
        kind=kind,
        text=values["text"],
        updated_at__gte=timezone.now() - DUPLICATE_WINDOW,
    ).first()
    if recent is not None:
        return recent
    last = SurveyQuestion.objects.filter(area=area).aggregate(m=Max("position"))["m"] or 0
    question = SurveyQuestion.objects.create(area=area, kind=kind, position=last + 1, **values)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        source=source,
        obj=question,
        detail={"what": "survey question", "indicator": question.indicator_id},
    )
    return question


def question_was_asked(question: SurveyQuestion) -> bool:
    return question.asked.exists()


@transaction.atomic
def survey_question_update(
    *, actor: Any, question: SurveyQuestion, data: QuestionInput, source: str
) -> SurveyQuestion:
    """Change a question's words for the rounds opened from now on. What it feeds (indicator
    and counted answers) may change only while no round has asked it."""
    _check_words(actor, question.area)
    question = SurveyQuestion.objects.select_for_update().get(pk=question.pk)
    errors: dict[str, str] = {}
    values = _question_values(
        data, kind=question.kind, area=question.area, current=question, errors=errors
    )
    if question_was_asked(question):
        if values["indicator"] != question.indicator and "indicator" not in errors:
            errors["indicator"] = (
                "A round has asked this question: what it feeds cannot change. Retire it and "
                "add a new one instead"
            )
        if values["counted_answers"] != sorted(question.counted_answers or []):
            errors.setdefault(
                "counted_answers",
                "A round has asked this question: the answers counted cannot change",
            )
    if errors:
        raise ValidationError(errors)
    changed = [name for name, value in values.items() if getattr(question, name) != value]
    if changed:
        for name, value in values.items():
            setattr(question, name, value)
        question.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            source=source,
            obj=question,
            detail={"fields": changed},
        )
    return question


def _renumber(ordered: list[SurveyQuestion]) -> None:
    for position, question in enumerate(ordered, start=1):
        if question.position != position:
            SurveyQuestion.objects.filter(pk=question.pk).update(position=position)


@transaction.atomic
def survey_question_move(
    *, actor: Any, question: SurveyQuestion, direction: object, source: str
) -> None:
    """Move a question asked now one place up or down among those asked now."""
    _check_words(actor, question.area)
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move a question up or down"})
    area = question.area
    Area.objects.select_for_update().filter(pk=area.pk).first()
    ordered = list(SurveyQuestion.objects.filter(area=area, active=True).order_by("position"))
    index = next((i for i, one in enumerate(ordered) if one.pk == question.pk), None)
    if index is None:
        raise ValidationError({"direction": "Only a question asked now can be moved"})
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    _renumber(ordered)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=question,
        detail={"fields": ["position"], "direction": str(direction)},
    )


@transaction.atomic
def survey_question_retire(*, actor: Any, question: SurveyQuestion, source: str) -> str:
    """Stop asking a question: a question a round has asked is retired (kept, with its past
    answers); one never asked is removed. Says which ("retired" or "removed")."""
    _check_words(actor, question.area)
    question = SurveyQuestion.objects.select_for_update().get(pk=question.pk)
    if question_was_asked(question):
        if question.active:
            question.active = False
            question.save(update_fields=["active", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                source=source,
                obj=question,
                detail={"fields": ["active"]},
            )
        return "retired"
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        source=source,
        object_type=question._meta.label_lower,
        object_id=str(question.pk),
        detail={"what": "survey question"},
    )
    question.delete()
    return "removed"


@transaction.atomic
def survey_question_restore(*, actor: Any, question: SurveyQuestion, source: str) -> None:
    """Ask a retired question again, after those asked now."""
    _check_words(actor, question.area)
    question = SurveyQuestion.objects.select_for_update().get(pk=question.pk)
    if question.active:
        return
    errors: dict[str, str] = {}
    _check_indicator_free(question.area, question.indicator, errors, besides=question.pk)
    if errors:
        raise ValidationError(errors)
    last = (
        SurveyQuestion.objects.filter(area=question.area, active=True).aggregate(m=Max("position"))[
            "m"
        ]
        or 0
    )
    question.active = True
    question.position = last + 1
    question.save(update_fields=["active", "position", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=question,
        detail={"fields": ["active", "position"]},
    )


# Rounds -----------------------------------------------------------------------------------------


def _check_runs(actor: Any, school: School) -> None:
    if not access.can_run_surveys(actor, school):
        raise ValidationError(
            {"school": "Only the school's head teachers and safeguarding leads run its surveys"}
        )


def _round_dates(
    period_label: object, opens_on: object, closes_on: object, today: date, errors: dict[str, str]
) -> tuple[Any, date | None, date | None]:
    try:
        period = parse_period(period_label)
    except PeriodError as error:
        errors["period"] = str(error)
        period = None
    if period is not None and period.kind != PeriodKind.TERM:
        errors["period"] = "Choose a term, such as 2026/27 autumn"
        period = None
    opens = opens_on if isinstance(opens_on, date) and not isinstance(opens_on, datetime) else None
    closes = (
        closes_on if isinstance(closes_on, date) and not isinstance(closes_on, datetime) else None
    )
    if opens is None:
        errors["opens_on"] = "Enter the date the survey opens"
    if closes is None:
        errors["closes_on"] = "Enter the date the survey closes"
    if period is not None and opens is not None and not period.contains(opens):
        errors["opens_on"] = (
            f"The survey must open during the term it is for: from {_long_date(period.start)} "
            f"to {_long_date(period.end)}"
        )
    if opens is not None and closes is not None:
        if closes < opens:
            errors["closes_on"] = "The survey must close on or after the day it opens"
        elif (closes - opens).days > ROUND_MAX_DAYS:
            errors["closes_on"] = "The survey can be open for 13 weeks at most"
    if closes is not None and "closes_on" not in errors and closes < today:
        errors["closes_on"] = "The closing date has passed: choose today or a later day"
    return period, opens, closes


def _overlapping(school: School, opens: date, closes: date) -> SurveyRound | None:
    """A round of the school whose days meet these: pupils would not know which to answer."""
    for other in SurveyRound.objects.filter(
        school=school, opens_on__lte=closes, closes_on__gte=opens
    ):
        if selectors.round_last_day(other) >= opens:
            return other
    return None


def _snapshot(survey_round: SurveyRound, questions: list[SurveyQuestion], phase: str) -> int:
    """Keep the questions in the words this school's pupils are asked, as the round asks them."""
    asked = [
        SurveyRoundQuestion(
            round=survey_round,
            question=question,
            position=position,
            text=(question.text_primary or question.text) if phase == "primary" else question.text,
            kind=question.kind,
        )
        for position, question in enumerate(questions, start=1)
    ]
    SurveyRoundQuestion.objects.bulk_create(asked)
    return len(asked)


@transaction.atomic
def survey_round_open(
    *,
    actor: Any,
    school: School,
    period: object,
    opens_on: object,
    closes_on: object,
    source: str,
    today: date | None = None,
) -> SurveyRound:
    """Open the school's survey for a term: one round a term, its days within 13 weeks and
    meeting no other round's, with the area's questions asked now in the words for the school's
    pupils. The same round opened again by the same person a moment later is the one opened."""
    _check_runs(actor, school)
    errors: dict[str, str] = {}
    found, opens, closes = _round_dates(period, opens_on, closes_on, _today(today), errors)
    if errors:
        raise ValidationError(errors)
    assert found is not None and opens is not None and closes is not None
    # Opening rounds of one school happen one after another.
    School.objects.select_for_update().filter(pk=school.pk).first()
    existing = SurveyRound.objects.filter(school=school, period=found.label).first()
    if existing is not None:
        if (
            existing.created_by_id == getattr(actor, "pk", None)
            and (existing.opens_on, existing.closes_on) == (opens, closes)
            and existing.created_at >= timezone.now() - DUPLICATE_WINDOW
        ):
            return existing
        raise ValidationError({"period": f"The school already has a survey for {found.label}"})
    other = _overlapping(school, opens, closes)
    if other is not None:
        raise ValidationError(
            {
                "opens_on": f"The {other.period} survey is open from {_long_date(other.opens_on)} "
                f"to {_long_date(selectors.round_last_day(other))}: choose days that do not meet "
                "it"
            }
        )
    survey_questions_ensure(area=school.area, actor=actor, source=source)
    questions = list(
        SurveyQuestion.objects.filter(area=school.area, active=True).order_by("position", "text")
    )
    if not questions:
        raise ValidationError(
            {"period": "The area's survey has no questions: its administrator adds them first"}
        )
    try:
        with transaction.atomic():
            survey_round = SurveyRound.objects.create(
                school=school,
                period=found.label,
                period_start=found.start,
                opens_on=opens,
                closes_on=closes,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:
        raise ValidationError(
            {"period": f"The school already has a survey for {found.label}"}
        ) from None
    asked = _snapshot(survey_round, questions, school_phase(school))
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        source=source,
        obj=survey_round,
        detail={"period": found.label, "questions": asked},
    )
    return survey_round


@transaction.atomic
def survey_round_close(*, actor: Any, survey_round: SurveyRound, source: str) -> SurveyRound:
    """Close a round before its closing date: from now no code admits an answer. Closing a
    closed round changes nothing."""
    _check_runs(actor, survey_round.school)
    survey_round = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    if selectors.round_state(survey_round, timezone.localdate()) == selectors.RoundState.CLOSED:
        return survey_round
    survey_round.closed_at = timezone.now()
    survey_round.save(update_fields=["closed_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=survey_round,
        detail={"fields": ["closed_at"]},
    )
    return survey_round


# Code sheets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrintedBatch:
    """A batch with its codes: the only time the codes exist outside the printed sheet."""

    batch: SurveyCodeBatch
    codes: list[str]


def _fresh_codes(count: int) -> dict[str, str]:
    """``count`` new codes by their hashes, none already issued (a clash is as likely as a
    guess, but a clash would break the uniqueness of every hash)."""
    codes: dict[str, str] = {}
    while len(codes) < count:
        wanted = {code_digest(code): code for code in (code_new() for _ in range(count))}
        taken = set(
            SurveyCode.objects.filter(code_hash__in=list(wanted)).values_list(
                "code_hash", flat=True
            )
        )
        for digest, code in wanted.items():
            if digest not in taken and len(codes) < count:
                codes[digest] = code
    return codes


def _batch_count(value: object, errors: dict[str, str]) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors["count"] = f"Enter how many codes to print, from 1 to {BATCH_MAX:,}"
        return 0
    text = str(value).strip().replace(",", "")
    if not text.isdecimal() or len(text) > 5 or not 1 <= int(text) <= BATCH_MAX:
        errors["count"] = f"Enter how many codes to print, from 1 to {BATCH_MAX:,}"
        return 0
    return int(text)


@transaction.atomic
def survey_batch_print(
    *,
    actor: Any,
    survey_round: SurveyRound,
    count: object,
    label: object,
    source: str,
    today: date | None = None,
) -> PrintedBatch:
    """Make a sheet of ``count`` single-use codes for a round not yet closed. The codes are
    returned once, for the sheet, and only their keyed hashes are kept. The same sheet asked for
    again by the same person a moment later (a second press of the button) is refused: its
    codes cannot be shown again."""
    _check_runs(actor, survey_round.school)
    errors: dict[str, str] = {}
    number = _batch_count(count, errors)
    text = check_text(label, "label", LABEL_MAX, errors, required=False)
    survey_round = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    if selectors.round_state(survey_round, _today(today)) == selectors.RoundState.CLOSED:
        errors["count"] = "The survey has closed: no more codes can be printed for it"
    if errors:
        raise ValidationError(errors)
    if SurveyCodeBatch.objects.filter(
        round=survey_round,
        count=number,
        label=text,
        created_by_id=getattr(actor, "pk", None),
        created_at__gte=timezone.now() - DUPLICATE_WINDOW,
    ).exists():
        raise ValidationError(
            {
                "count": f"You printed {number:,} codes{f' for {text}' if text else ''} a moment "
                "ago. If that sheet did not arrive, void it and print another"
            }
        )
    batch = SurveyCodeBatch.objects.create(
        round=survey_round,
        count=number,
        label=text,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    codes = _fresh_codes(number)
    SurveyCode.objects.bulk_create(
        [SurveyCode(batch=batch, code_hash=digest) for digest in codes], batch_size=500
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        source=source,
        obj=batch,
        detail={"what": "survey codes", "count": number, "round": str(survey_round.pk)},
    )
    return PrintedBatch(batch, list(codes.values()))


@transaction.atomic
def survey_batch_void(*, actor: Any, batch: SurveyCodeBatch, source: str) -> SurveyCodeBatch:
    """Stop a sheet's unused codes working (a lost or stolen sheet); answers already given
    stay. Voiding a voided sheet changes nothing."""
    _check_runs(actor, batch.round.school)
    batch = SurveyCodeBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.voided_at is not None:
        return batch
    batch.voided_at = timezone.now()
    batch.voided_by = actor if getattr(actor, "is_authenticated", False) else None
    batch.save(update_fields=["voided_at", "voided_by"])
    unused = batch.codes.filter(used=False).count()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=batch,
        detail={"fields": ["voided_at"], "unused_codes": unused},
    )
    return batch


# The pupils' answers ---------------------------------------------------------------------------


def _answers(
    answers: object, questions: list[SurveyRoundQuestion], errors: dict[str, str]
) -> dict[SurveyRoundQuestion, int]:
    """The answers given, by question: each a question of the round (by id) with one of its
    answers, or nothing (``None``) for a question left unanswered."""
    if answers is None:
        return {}
    if not isinstance(answers, dict):
        errors["answers"] = "Give the answers as an object of question ids and answers"
        return {}
    by_id = {str(question.pk): question for question in questions}
    chosen: dict[SurveyRoundQuestion, int] = {}
    for key, value in answers.items():
        question = by_id.get(_uuid_text(key))
        name = f"answers.{str(key)[:40]}"
        if question is None:
            errors[name] = "This is not a question of this survey"
            continue
        if value is None:
            continue
        allowed = [choice for choice, _ in answer_choices(question.kind)]
        if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
            errors[name] = "Choose one of the answers: " + ", ".join(str(a) for a in allowed)
            continue
        chosen[question] = value
    return chosen


def _uuid_text(value: object) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return ""


def _wrong_code(message: str) -> ValidationError:
    return ValidationError({"code": ValidationError(message, code=WRONG_CODE)})


@transaction.atomic
def survey_response_submit(
    *,
    school: School,
    code: object,
    answers: object,
    source: str,
    today: date | None = None,
) -> None:
    """Record one pupil's answers to the school's open round, admitted by a code of that round
    used for the first time. The code's row is locked, so that of two answers sent with one
    code at the same moment exactly one is kept. Raises ``SurveyNotOpen`` when no survey is
    open, and ``ValidationError`` naming ``code`` or ``answers.<question id>`` otherwise; a
    code wrong for this survey is marked ``WRONG_CODE``, for the caller's throttle.

    Nothing of the pupil is kept: not when they answered, nor which code they used."""
    survey_round = selectors.open_round(school=school, today=_today(today))
    if survey_round is None:
        raise SurveyNotOpen
    questions = selectors.round_questions(survey_round)
    errors: dict[str, str] = {}
    chosen = _answers(answers, questions, errors)
    normalised = code_normalise(code)
    if normalised is None:
        errors["code"] = CODE_MALFORMED
    if errors:
        raise ValidationError(errors)
    assert normalised is not None
    found = (
        SurveyCode.objects.select_for_update(of=("self",))
        .select_related("batch")
        .filter(code_hash=code_digest(normalised))
        .first()
    )
    if found is None or found.batch.round_id != survey_round.pk:
        raise _wrong_code(CODE_NOT_FOUND)
    if found.used:
        raise ValidationError({"code": CODE_USED})
    if found.batch.voided_at is not None:
        raise ValidationError({"code": CODE_VOIDED})
    # Marked used only if still unused: the lock makes this certain on PostgreSQL, the
    # condition on databases that lock whole files instead.
    if not SurveyCode.objects.filter(pk=found.pk, used=False).update(used=True):
        raise ValidationError({"code": CODE_USED})
    response = SurveyResponse.objects.create(round=survey_round, phase=school_phase(school))
    SurveyAnswer.objects.bulk_create(
        [
            SurveyAnswer(response=response, question=question, value=value)
            for question, value in chosen.items()
        ]
    )
    # No audit event: its time, set beside the order in which responses are stored, would
    # say when each pupil answered. The round's page counts the codes used instead.
