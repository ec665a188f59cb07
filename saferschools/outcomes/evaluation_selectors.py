"""Reads of evaluations: the latest of a partnership's, the comparison schools it used, a
partnership's list, and what an evaluation's page shows.

An evaluation holds no personal data: school-level published figures and survey percentages of
five or more answers. Callers have found the partnership or the evaluation through the access
policy (``access.get_partnership_for_user``, ``access.get_evaluation_for_user``).
"""

import statistics
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from saferschools.core import access
from saferschools.core.models import Partnership, School

from .comparison import choose_comparison_schools
from .evaluation_data import GroupMean, group_means, panel_read
from .evaluation_text import figure_text, result_sentence
from .models import Evaluation, Indicator, LsoaDeprivation
from .selectors import deprivation_by_school


def _code(indicator: Indicator | str) -> str:
    return indicator.code if isinstance(indicator, Indicator) else indicator


def latest_evaluation(
    *, partnership: Partnership, indicator: Indicator | str | None = None
) -> Evaluation | None:
    """The partnership's most recent evaluation (of this indicator, if given), or None."""
    evaluations = Evaluation.objects.filter(partnership=partnership).select_related("indicator")
    if indicator is not None:
        evaluations = evaluations.filter(indicator_id=_code(indicator))
    return evaluations.order_by("-created_at").first()


def comparison_schools_for(*, partnership: Partnership, indicator: Indicator | str) -> list[School]:
    """The comparison schools of the partnership's latest evaluation of the indicator, in name
    order; without one, the automatic choice (``comparison.choose_comparison_schools``)."""
    latest = latest_evaluation(partnership=partnership, indicator=indicator)
    if latest is not None:
        return list(School.objects.filter(urn__in=latest.comparison_urns).order_by("name", "urn"))
    found = (
        indicator
        if isinstance(indicator, Indicator)
        else Indicator.objects.filter(code=indicator).first()
    )
    if found is None:
        return []
    return choose_comparison_schools(partnership=partnership, indicator=found)


def evaluation_list(*, user: Any, partnership: Partnership) -> QuerySet[Evaluation]:
    """The partnership's evaluations the user may read, newest first. One query."""
    return (
        access.scope(user, Evaluation)
        .filter(partnership=partnership)
        .select_related("indicator", "created_by")
        .order_by("-created_at")
    )


@dataclass(frozen=True)
class SchoolRow:
    school: School
    in_partnership: bool
    deprivation: LsoaDeprivation | None


@dataclass(frozen=True)
class EvaluationPage:
    evaluation: Evaluation
    sentence: str
    schools: list[SchoolRow]
    means: list[GroupMean]
    start_index: int | None  # the first period that began on or after the start
    summary: str  # the parallel-trends chart in one sentence


def _average(values: list[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return statistics.fmean(known) if known else None


def _chart_summary(evaluation: Evaluation, means: list[GroupMean]) -> str:
    unit = evaluation.indicator.unit
    started = evaluation.started_on
    parts = []
    for when, chosen in (
        ("before the partnership began", [m for m in means if m.period.start < started]),
        ("since", [m for m in means if m.period.start >= started]),
    ):
        ours = _average([m.partnership for m in chosen])
        theirs = _average([m.comparison for m in chosen])
        if ours is not None and theirs is not None:
            parts.append(
                f"{when}, the partnership's schools averaged {figure_text(ours, unit)} against "
                f"{figure_text(theirs, unit)} for the comparison schools"
            )
    if not parts:
        return "The table beside the chart gives each group's mean figure in each period."
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def evaluation_page(*, evaluation: Evaluation) -> EvaluationPage:
    """What the evaluation's page shows: the estimate in words, the schools compared with
    their size and deprivation, and each group's mean figure per period, as the figures stand
    today for the schools and periods the evaluation used."""
    urns = [*evaluation.treated_urns, *evaluation.comparison_urns]
    schools = list(School.objects.filter(urn__in=urns).order_by("name", "urn"))
    deprivation = deprivation_by_school(schools=schools)
    treated = set(evaluation.treated_urns)
    panel = panel_read(
        indicator=evaluation.indicator,
        schools=schools,
        started_on=evaluation.started_on,
        until=timezone.localdate(),
    )
    used = set(evaluation.periods)
    means = [
        mean
        for mean in group_means(
            panel,
            partnership_ids=[school.pk for school in schools if school.urn in treated],
            comparison_ids=[school.pk for school in schools if school.urn not in treated],
        )
        if mean.period.label in used
    ]
    start_index = next(
        (index for index, mean in enumerate(means) if mean.period.start >= evaluation.started_on),
        None,
    )
    rows = sorted(
        (
            SchoolRow(school, school.urn in treated, deprivation.get(school.pk))
            for school in schools
        ),
        key=lambda row: (not row.in_partnership, row.school.name),
    )
    return EvaluationPage(
        evaluation=evaluation,
        sentence=result_sentence(evaluation),
        schools=rows,
        means=means,
        start_index=start_index,
        summary=_chart_summary(evaluation, means),
    )
