"""What the pupils answered, counted: a round's results, the same question over a school's past
rounds, a partnership's schools taken together, and the surveyed indicators' values.

Only closed rounds are counted. While a round is open its figures would change with each pupil
who answers, and anyone watching them change could tell one pupil's answers; once it has closed
they stand.

Every figure is about pupils, anonymous but few at a school, so small numbers are suppressed for
everyone who reads them:

- a round with fewer than 5 responses shows nothing but that there were too few, and a question
  answered by fewer than 5 pupils likewise;
- an answer given by 1 to 4 pupils is not shown, nor any other answer from which it could be
  worked out (``lib.suppression.suppressed_cells``): from the number answering, from the share
  counted towards the indicator (which the dashboards show with its number answering), or from
  the partnership's schools taken together. The partnership's figures and each school's are
  suppressed as one table, so that no school's hidden answer is the partnership's figure less
  the other schools'.

"No answer" counts the pupils who left a question out or would rather not say: it says nothing
about any pupil's experience and is always shown.

``survey_values`` and ``survey_group_values`` give the surveyed indicators to
``outcomes.values``: the share of the answers counted towards the indicator (``value``, a
percentage), the number answering (``respondents``) and, in ``records``, the fewer of those
counted and those not: a caller that hides 1 to 4 ``records`` hides a figure that would show how
few pupils answered one way or the other. No suppression is decided there; fewer than 5
respondents, the caller hides the value.
"""

import uuid
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils import timezone

from saferschools.core.models import Partnership, School
from saferschools.lib.suppression import SUPPRESS_BELOW, suppressed_cells

from . import survey_selectors as selectors
from .models import Indicator, SurveyAnswer, SurveyQuestion, SurveyRound, SurveyRoundQuestion
from .periods import Period, period_of
from .survey_answers import answer_label, substantive_values
from .survey_services import school_phase
from .values import Value

WHOLE = Decimal(1)
TENTH = Decimal("0.1")
POOLED = "pooled"
ANSWERING, COUNTED, OTHERS = "answering", "counted", "others"

TOO_FEW = "fewer than 5 answered"
NOT_SHOWN = "not shown"
NOT_ASKED = "not asked"


def _percent(part: int, whole: int, step: Decimal = WHOLE) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(step, rounding=ROUND_HALF_UP)


def counted_values(question: SurveyQuestion) -> frozenset[int]:
    """The answers that count towards the question's indicator (none without one)."""
    if question.indicator_id is None:
        return frozenset()
    return frozenset(question.counted_answers or []) & frozenset(substantive_values(question.kind))


# Counting ------------------------------------------------------------------------------------------


@dataclass
class _Tally:
    """The rounds' answers counted: responses per round, the questions each asked (with the
    area's question), and the count of each answer per round and area question."""

    responses: dict[uuid.UUID, int]
    asked: dict[uuid.UUID, list[SurveyRoundQuestion]]
    counts: dict[tuple[uuid.UUID, uuid.UUID], dict[int, int]]

    def answering(self, round_id: uuid.UUID, question: SurveyQuestion) -> int:
        counts = self.counts.get((round_id, question.pk), {})
        return sum(counts.get(value, 0) for value in substantive_values(question.kind))


def _tally(rounds: list[SurveyRound]) -> _Tally:
    """Three queries, whatever the number of rounds."""
    round_ids = [r.pk for r in rounds]
    asked: dict[uuid.UUID, list[SurveyRoundQuestion]] = {round_id: [] for round_id in round_ids}
    for asked_question in (
        SurveyRoundQuestion.objects.filter(round_id__in=round_ids)
        .select_related("question__indicator")
        .order_by("round_id", "position")
    ):
        asked[asked_question.round_id].append(asked_question)
    counts: dict[tuple[uuid.UUID, uuid.UUID], dict[int, int]] = defaultdict(dict)
    rows = (
        SurveyAnswer.objects.filter(question__round_id__in=round_ids)
        .values_list("question__round_id", "question__question_id", "value")
        .annotate(n=Count("id"))
        .order_by()
    )
    for round_id, question_id, value, count in rows:
        counts[(round_id, question_id)][value] = count
    return _Tally(selectors.response_counts(rounds=rounds), asked, dict(counts))


# Suppression over a group of rounds --------------------------------------------------------------


def _figures_of(question: SurveyQuestion) -> list[int | str]:
    """What a table holds of a question: each answer's count, the number answering and, for a
    question feeding an indicator, the numbers counted towards it and not."""
    figures: list[int | str] = [*substantive_values(question.kind), ANSWERING]
    return [*figures, COUNTED, OTHERS] if counted_values(question) else figures


# A round's id, or ``POOLED`` for the group's figures taken together.
Owner = uuid.UUID | str


@dataclass
class _Table:
    cells: dict[Hashable, int]
    relations: list[tuple[Hashable, list[Hashable]]]

    def add_question(self, owner: Owner, question: SurveyQuestion, counts: dict[int, int]) -> None:
        """One question's answers for a round (or the group), with the figures worked out from
        them: the number answering, and those counted towards the indicator and not."""
        values = substantive_values(question.kind)
        qid = question.pk
        for value in values:
            self.cells[(owner, qid, value)] = counts.get(value, 0)
        answering = sum(counts.get(value, 0) for value in values)
        self.cells[(owner, qid, ANSWERING)] = answering
        self.relations.append(((owner, qid, ANSWERING), [(owner, qid, v) for v in values]))
        counted = counted_values(question)
        if counted:
            total = sum(counts.get(value, 0) for value in counted)
            self.cells[(owner, qid, COUNTED)] = total
            self.cells[(owner, qid, OTHERS)] = answering - total
            self.relations += [
                ((owner, qid, COUNTED), [(owner, qid, v) for v in values if v in counted]),
                ((owner, qid, OTHERS), [(owner, qid, v) for v in values if v not in counted]),
                ((owner, qid, ANSWERING), [(owner, qid, COUNTED), (owner, qid, OTHERS)]),
            ]


@dataclass(frozen=True)
class _Group:
    """One term's closed rounds of a partnership's schools (or of a school in none), with what
    is counted and what is hidden."""

    rounds: list[SurveyRound]
    tally: _Tally
    # Per area question, the rounds counted in the group's figures: closed, with 5 or more
    # responses and 5 or more pupils answering it.
    pooled: dict[uuid.UUID, list[uuid.UUID]]
    questions: dict[uuid.UUID, SurveyQuestion]
    hidden: set[Hashable]

    def counts(self, owner: Owner, question: SurveyQuestion) -> dict[int, int]:
        if isinstance(owner, uuid.UUID):
            return self.tally.counts.get((owner, question.pk), {})
        total: dict[int, int] = defaultdict(int)
        for round_id in self.pooled.get(question.pk, []):
            for value, count in self.tally.counts.get((round_id, question.pk), {}).items():
                total[value] += count
        return dict(total)

    def responses(self, owner: Owner, question: SurveyQuestion | None = None) -> int:
        if isinstance(owner, uuid.UUID):
            return self.tally.responses.get(owner, 0)
        round_ids = (
            self.pooled.get(question.pk, [])
            if question is not None
            else sorted({r for ids in self.pooled.values() for r in ids})
        )
        return sum(self.tally.responses.get(round_id, 0) for round_id in round_ids)


def _group(rounds: list[SurveyRound], tally: _Tally, *, pool: bool) -> _Group:
    """Suppress the rounds' tables (and, with ``pool``, the group's) as one."""
    table = _Table({}, [])
    pooled: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    questions: dict[uuid.UUID, SurveyQuestion] = {}
    for survey_round in rounds:
        if tally.responses.get(survey_round.pk, 0) < SUPPRESS_BELOW:
            continue
        for asked in tally.asked.get(survey_round.pk, []):
            question = asked.question
            if tally.answering(survey_round.pk, question) < SUPPRESS_BELOW:
                continue
            questions[question.pk] = question
            pooled[question.pk].append(survey_round.pk)
            table.add_question(
                survey_round.pk, question, tally.counts.get((survey_round.pk, question.pk), {})
            )
    group = _Group(rounds, tally, dict(pooled), questions, set())
    if pool:
        for qid, round_ids in pooled.items():
            question = questions[qid]
            table.add_question(POOLED, question, group.counts(POOLED, question))
            # Each of the group's figures is the sum of the rounds' own.
            table.relations += [
                ((POOLED, qid, what), [(r, qid, what) for r in round_ids])
                for what in _figures_of(question)
            ]
    group.hidden.update(suppressed_cells(table.cells, table.relations))
    return group


# What the pages show ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerRow:
    value: int
    label: str
    count: int | None  # None: not shown
    percent: Decimal | None  # of the pupils answering
    counted: bool


@dataclass(frozen=True)
class QuestionResult:
    question_id: uuid.UUID  # the area's question
    text: str
    kind: str
    indicator: Indicator | None
    counted_labels: list[str]
    responses: int
    answering: int
    too_few: bool
    rows: list[AnswerRow]
    figure: Decimal | None  # the share counted towards the indicator, when shown
    figure_hidden: bool

    @property
    def no_answer(self) -> int:
        return self.responses - self.answering

    @property
    def any_hidden(self) -> bool:
        return any(row.count is None for row in self.rows)


def _question_result(
    group: _Group, owner: Owner, question: SurveyQuestion, text: str, responses: int
) -> QuestionResult:
    counted = counted_values(question)
    labels = [answer_label(question.kind, v) for v in substantive_values(question.kind)]
    counts = group.counts(owner, question)
    answering = sum(counts.get(value, 0) for value in substantive_values(question.kind))
    included = question.pk in group.questions and answering >= SUPPRESS_BELOW
    rows: list[AnswerRow] = []
    if included:
        for value, label in zip(substantive_values(question.kind), labels, strict=True):
            shown = (owner, question.pk, value) not in group.hidden
            count = counts.get(value, 0)
            rows.append(
                AnswerRow(
                    value,
                    label,
                    count if shown else None,
                    _percent(count, answering) if shown else None,
                    value in counted,
                )
            )
    figure: Decimal | None = None
    figure_hidden = False
    if included and counted:
        figure_hidden = bool(
            {(owner, question.pk, COUNTED), (owner, question.pk, OTHERS)} & group.hidden
        )
        if not figure_hidden:
            figure = _percent(sum(counts.get(v, 0) for v in counted), answering)
    return QuestionResult(
        question_id=question.pk,
        text=text,
        kind=question.kind,
        indicator=question.indicator,
        counted_labels=[answer_label(question.kind, v) for v in sorted(counted)],
        responses=responses,
        answering=answering,
        too_few=not included,
        rows=rows,
        figure=figure,
        figure_hidden=figure_hidden,
    )


def _partnership_schools(school: School) -> tuple[Partnership | None, list[School]]:
    partnership = school.partnership
    if partnership is None:
        return None, [school]
    return partnership, list(partnership.schools.order_by("name"))


def _groups_for(
    schools: list[School], periods: Iterable[str], today: date, *, pool: bool
) -> dict[str, _Group]:
    """Each term's group of closed rounds at these schools, suppressed as one. Four queries."""
    rounds = list(
        SurveyRound.objects.filter(
            selectors.closed_rounds(today), school__in=schools, period__in=list(periods)
        )
        .select_related("school")
        .order_by("school__name", "school__urn")
    )
    tally = _tally(rounds)
    by_period: dict[str, list[SurveyRound]] = defaultdict(list)
    for survey_round in rounds:
        by_period[survey_round.period].append(survey_round)
    return {
        label: _group(period_rounds, tally, pool=pool) for label, period_rounds in by_period.items()
    }


@dataclass(frozen=True)
class RoundResults:
    survey_round: SurveyRound
    state: str
    responses: int
    questions: list[QuestionResult]

    @property
    def shown(self) -> bool:
        return self.state == selectors.RoundState.CLOSED and self.responses >= SUPPRESS_BELOW

    @property
    def too_few(self) -> bool:
        return self.state == selectors.RoundState.CLOSED and 0 < self.responses < SUPPRESS_BELOW


def round_results(survey_round: SurveyRound, *, today: date | None = None) -> RoundResults:
    """The round's results: while it is open, how many have answered so far and nothing more;
    once closed, each question's answers, small numbers suppressed together with the other
    rounds of its partnership's schools that term."""
    today = today or timezone.localdate()
    state = selectors.round_state(survey_round, today)
    responses = selectors.response_counts(rounds=[survey_round])[survey_round.pk]
    if state != selectors.RoundState.CLOSED or responses < SUPPRESS_BELOW:
        return RoundResults(survey_round, state, responses, [])
    partnership, schools = _partnership_schools(survey_round.school)
    group = _groups_for(schools, [survey_round.period], today, pool=partnership is not None)[
        survey_round.period
    ]
    questions = [
        _question_result(group, survey_round.pk, asked.question, asked.text, responses)
        for asked in group.tally.asked[survey_round.pk]
    ]
    return RoundResults(survey_round, state, responses, questions)


@dataclass(frozen=True)
class Figure:
    value: Decimal | None
    note: str = ""  # why there is no value: too few answered, not shown, not asked


@dataclass(frozen=True)
class Trend:
    """One question's share counted towards its indicator over terms, for a school (and its
    partnership's schools together)."""

    question_id: uuid.UUID
    text: str
    indicator: Indicator
    labels: list[str]
    school: list[Figure]
    pooled: list[Figure] | None


def _figure(group: _Group | None, owner: Owner, question: SurveyQuestion) -> Figure:
    """The share counted towards the question's indicator for a round (or the group), or why
    there is none."""
    if group is None:
        return Figure(None, NOT_ASKED)
    rounds = group.pooled.get(question.pk, [])
    if isinstance(owner, uuid.UUID):
        counted_in = owner in rounds
        asked = any(one.question_id == question.pk for one in group.tally.asked.get(owner, []))
    else:
        counted_in = bool(rounds)
        asked = any(
            one.question_id == question.pk for ids in group.tally.asked.values() for one in ids
        )
    if not counted_in:
        return Figure(None, TOO_FEW if asked else NOT_ASKED)
    result = _question_result(group, owner, question, "", group.responses(owner, question))
    return Figure(result.figure) if result.figure is not None else Figure(None, NOT_SHOWN)


def round_trends(survey_round: SurveyRound, *, today: date | None = None) -> list[Trend]:
    """For each question of the round that feeds an indicator, its share counted over the
    school's closed rounds in term order (year on year), with the partnership's schools
    together beside it."""
    today = today or timezone.localdate()
    school = survey_round.school
    partnership, schools = _partnership_schools(school)
    own = list(
        SurveyRound.objects.filter(selectors.closed_rounds(today), school=school).order_by(
            "period_start"
        )
    )
    if survey_round.pk not in {r.pk for r in own}:
        return []
    groups = _groups_for(schools, [r.period for r in own], today, pool=partnership is not None)
    trends = []
    for asked in groups[survey_round.period].tally.asked[survey_round.pk]:
        question = asked.question
        if not counted_values(question):
            continue
        trends.append(
            Trend(
                question_id=question.pk,
                text=asked.text,
                indicator=question.indicator,  # type: ignore[arg-type]
                labels=[r.period for r in own],
                school=[_figure(groups.get(r.period), r.pk, question) for r in own],
                pooled=[_figure(groups.get(r.period), POOLED, question) for r in own]
                if partnership is not None
                else None,
            )
        )
    return trends


# The partnership's schools together ------------------------------------------------------------


@dataclass(frozen=True)
class SchoolLine:
    school: School
    survey_round: SurveyRound | None
    responses: int

    @property
    def counted(self) -> bool:
        return self.survey_round is not None and self.responses >= SUPPRESS_BELOW


@dataclass(frozen=True)
class PartnershipResults:
    period: str
    schools: list[SchoolLine]
    responses: int
    questions: list[QuestionResult]
    trends: list[Trend]


def partnership_periods(*, partnership: Partnership, today: date | None = None) -> list[str]:
    """The terms in which a school of the partnership closed a round, newest first."""
    today = today or timezone.localdate()
    rounds = SurveyRound.objects.filter(
        selectors.closed_rounds(today), school__partnership_link__partnership=partnership
    )
    found = dict(rounds.values_list("period", "period_start"))
    return sorted(found, key=lambda label: found[label], reverse=True)


def partnership_results(
    *, partnership: Partnership, period: str, today: date | None = None
) -> PartnershipResults:
    """The partnership's schools taken together for a term: each school's responses, and the
    answers of the schools with 5 or more pooled, suppressed together with each school's own;
    with each indicator's share over every term the partnership has surveyed."""
    today = today or timezone.localdate()
    schools = list(partnership.schools.order_by("name", "urn"))
    periods = partnership_periods(partnership=partnership, today=today)
    groups = _groups_for(schools, periods, today, pool=True)
    group = groups.get(period)
    by_school = {r.school_id: r for r in group.rounds} if group is not None else {}
    lines = [
        SchoolLine(
            school,
            by_school.get(school.pk),
            group.tally.responses.get(by_school[school.pk].pk, 0)
            if group is not None and school.pk in by_school
            else 0,
        )
        for school in schools
    ]
    questions: list[QuestionResult] = []
    if group is not None:
        ordered = sorted(group.questions.values(), key=lambda q: (q.position, q.text))
        questions = [
            _question_result(
                group,
                POOLED,
                question,
                _pooled_text(group, question),
                group.responses(POOLED, question),
            )
            for question in ordered
        ]
    trend_questions = {
        q.pk: q for g in groups.values() for q in g.questions.values() if counted_values(q)
    }
    in_order = list(reversed(periods))
    trends = [
        Trend(
            question_id=question.pk,
            text=question.text,
            indicator=question.indicator,  # type: ignore[arg-type]
            labels=in_order,
            school=[_figure(groups.get(label), POOLED, question) for label in in_order],
            pooled=None,
        )
        for question in sorted(trend_questions.values(), key=lambda q: (q.position, q.text))
    ]
    return PartnershipResults(
        period=period,
        schools=lines,
        responses=group.responses(POOLED) if group is not None else 0,
        questions=questions,
        trends=trends,
    )


def _pooled_text(group: _Group, question: SurveyQuestion) -> str:
    """The words asked, as a secondary school asked them where one did (primary pupils may
    have been asked in simpler words)."""
    texts = [
        (school_phase(r.school) == "primary", a.text)
        for r in group.rounds
        for a in group.tally.asked.get(r.pk, [])
        if a.question_id == question.pk
    ]
    return min(texts)[1] if texts else question.text


# Values for the indicators ----------------------------------------------------------------------


@dataclass
class _Sums:
    answering: int = 0
    counted: int = 0

    def value(self, indicator: Indicator, period: Period) -> Value:
        return Value(
            code=indicator.code,
            period=period,
            value=_percent(self.counted, self.answering, TENTH) if self.answering else None,
            source=indicator.source,
            records=min(self.counted, self.answering - self.counted),
            respondents=self.answering,
        )


def _school_sums(
    indicator: Indicator, schools: list[School], periods: list[Period]
) -> dict[uuid.UUID, dict[str, _Sums]]:
    """Answering and counted per school and period, from the closed rounds that opened in the
    periods. Two queries."""
    found: dict[uuid.UUID, dict[str, _Sums]] = {school.pk: {} for school in schools}
    if not periods or not found:
        return found
    kind = periods[0].kind
    wanted = {period.label for period in periods}
    today = timezone.localdate()
    questions = {
        question.pk: question
        for question in SurveyQuestion.objects.filter(
            indicator=indicator, area_id__in={school.area_id for school in schools}
        )
    }
    rows = (
        SurveyAnswer.objects.filter(
            question__question__in=list(questions),
            question__round__school_id__in=list(found),
            question__round__opens_on__gte=periods[0].start,
            question__round__opens_on__lte=periods[-1].end,
            question__round__in=SurveyRound.objects.filter(selectors.closed_rounds(today)),
        )
        .values_list(
            "question__round__school_id",
            "question__round__opens_on",
            "question__question_id",
            "value",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    for school_id, opens_on, question_id, value, count in rows:
        question = questions[question_id]
        if value not in substantive_values(question.kind):
            continue
        label = period_of(opens_on, kind).label
        if label not in wanted:
            continue
        sums = found[school_id].setdefault(label, _Sums())
        sums.answering += count
        if value in counted_values(question):
            sums.counted += count
    return found


def survey_values(
    *, indicator: Indicator, schools: Iterable[School], periods: list[Period]
) -> dict[uuid.UUID, dict[str, Value]]:
    """The surveyed indicator for each school and period: the share of its closed rounds'
    answers counted towards it, a round placed in the period in which it opened; a period
    without answers is left out. Two queries, whatever the number of schools and periods."""
    schools = list(schools)
    by_label = {period.label: period for period in periods}
    sums = _school_sums(indicator, schools, periods)
    return {
        school_id: {
            label: one.value(indicator, by_label[label])
            for label, one in sorted(found.items(), key=lambda item: by_label[item[0]].start)
            if one.answering
        }
        for school_id, found in sums.items()
    }


def survey_group_values(
    *, indicator: Indicator, schools: Iterable[School], periods: list[Period]
) -> dict[str, Value]:
    """The surveyed indicator for the schools taken together, per period: their answers
    pooled. A school with fewer than 5 answering in a period is left out of that period, so
    that its hidden figure is never the group's less the others'. Two queries."""
    by_label = {period.label: period for period in periods}
    pooled: dict[str, _Sums] = {}
    for found in _school_sums(indicator, list(schools), periods).values():
        for label, one in found.items():
            if one.answering < SUPPRESS_BELOW:
                continue
            total = pooled.setdefault(label, _Sums())
            total.answering += one.answering
            total.counted += one.counted
    return {
        label: pooled[label].value(indicator, by_label[label])
        for label in sorted(pooled, key=lambda label: by_label[label].start)
    }
