"""The evaluation pages: a partnership's evaluations, making a new one (the indicator, then the
comparison schools), and an evaluation's result with its parallel-trends chart and caveats.

Everyone whose role reaches the partnership reads its evaluations; those who may make one
(``access.can_evaluate``) see "New evaluation". Out of scope is "not found", as for what does
not exist. Nothing here is personal data: published school figures and survey percentages.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods, require_safe

from saferschools.core import access
from saferschools.core.audit import audit_source
from saferschools.core.models import Partnership
from saferschools.lib.charts import Series, line_chart_svg

from . import evaluation_selectors as selectors
from . import evaluation_services as services
from .comparison import comparison_matches
from .evaluation_data import indicator_kind
from .evaluation_forms import EvaluationForm, IndicatorForm, evaluable_indicators, match_reason
from .evaluation_text import (
    difference_text,
    figure_text,
    interval_text,
    number_text,
    p_value_text,
    period_noun,
)
from .models import Evaluation, Indicator

CHART_WIDTH = 640


def _evaluable_partnership(user: Any, partnership_id: Any) -> Partnership:
    """The partnership if the user may evaluate it; else ``Http404``, as for one that does not
    exist (a reader who may not evaluate gets the same)."""
    partnership = access.get_partnership_for_user(user, partnership_id)
    if not access.can_evaluate(user, partnership):
        raise Http404("No partnership found.")
    return partnership


@login_required
@require_safe
def evaluation_list(request: HttpRequest, partnership_id: str) -> HttpResponse:
    """The partnership's evaluations, newest first."""
    user = request.user
    partnership = access.get_partnership_for_user(user, partnership_id)
    evaluations = [
        (
            evaluation,
            number_text(evaluation.estimate),
            interval_text(evaluation.ci_low, evaluation.ci_high),
        )
        for evaluation in selectors.evaluation_list(user=user, partnership=partnership)
    ]
    return render(
        request,
        "outcomes/evaluation_list.html",
        {
            "partnership": partnership,
            "evaluations": evaluations,
            "can_evaluate": access.can_evaluate(user, partnership),
        },
    )


def _second_step(
    request: HttpRequest,
    partnership: Partnership,
    indicator: Indicator,
    form: EvaluationForm | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    matches = comparison_matches(partnership=partnership, indicator=indicator)
    if form is None:
        form = EvaluationForm(
            initial={
                "indicator": indicator.code,
                "comparison": [str(match.school.urn) for match in matches],
            },
            matches=matches,
        )
    reasons = {str(match.school.urn): match_reason(match, indicator) for match in matches}
    options = [
        (option, reasons.get(str(option.data["value"]), "")) for option in form["comparison"]
    ]
    return render(
        request,
        "outcomes/evaluation_form.html",
        {
            "partnership": partnership,
            "indicator": indicator,
            "form": form,
            "options": options,
            "period_noun": period_noun(indicator_kind(indicator)),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def evaluation_create(request: HttpRequest, partnership_id: str) -> HttpResponse:
    """A new evaluation. GET without an indicator asks for one; GET with one shows the
    comparison schools chosen for it; POST estimates and records the evaluation."""
    user = request.user
    partnership = _evaluable_partnership(user, partnership_id)
    indicators = evaluable_indicators()
    if request.method == "POST":
        by_code = {indicator.code: indicator for indicator in indicators}
        indicator = by_code.get(request.POST.get("indicator", ""))
        if indicator is None:
            form = IndicatorForm(request.POST, indicators=indicators)
            form.is_valid()
            return _first_step(request, partnership, form, status=400)
        matches = comparison_matches(partnership=partnership, indicator=indicator)
        evaluation_form = EvaluationForm(request.POST, matches=matches)
        if evaluation_form.is_valid():
            try:
                evaluation = services.evaluation_create(
                    actor=user,
                    partnership=partnership,
                    indicator=indicator.code,
                    comparison_urns=evaluation_form.urns,
                    source=audit_source(request),
                )
            except ValidationError as error:
                evaluation_form.add_service_errors(error)
            else:
                messages.success(request, "The evaluation is made.")
                return redirect("outcomes-evaluation-detail", evaluation_id=evaluation.pk)
        return _second_step(request, partnership, indicator, evaluation_form, status=400)
    if "indicator" not in request.GET:
        return _first_step(request, partnership, IndicatorForm(indicators=indicators))
    form = IndicatorForm(request.GET, indicators=indicators)
    if not form.is_valid():
        return _first_step(request, partnership, form, status=400)
    return _second_step(request, partnership, form.chosen)


def _first_step(
    request: HttpRequest, partnership: Partnership, form: IndicatorForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "outcomes/evaluation_start.html",
        {"partnership": partnership, "form": form},
        status=status,
    )


def _chart(page: selectors.EvaluationPage) -> SafeString | None:
    means = page.means
    if not means:
        return None
    indicator = page.evaluation.indicator
    return line_chart_svg(
        title=f"{indicator.name}: the partnership's schools and the comparison schools",
        description=f"{page.summary} The table beside the chart gives the same figures.",
        labels=[mean.period.label for mean in means],
        series=[
            Series("Partnership schools", [mean.partnership for mean in means]),
            Series("Comparison schools", [mean.comparison for mean in means]),
        ],
        chart_id=f"trends-{page.evaluation.pk}",
        marker=page.start_index,
        marker_label="Start",
        width=CHART_WIDTH,
    )


@login_required
@require_safe
def evaluation_detail(request: HttpRequest, evaluation_id: str) -> HttpResponse:
    """An evaluation's result: the estimate and what it means, the schools and periods, the
    parallel-trends chart with its table, and the caveats."""
    evaluation = access.get_evaluation_for_user(request.user, evaluation_id)
    evaluation = Evaluation.objects.select_related("indicator", "partnership", "created_by").get(
        pk=evaluation.pk
    )
    page = selectors.evaluation_page(evaluation=evaluation)
    unit = evaluation.indicator.unit
    return render(
        request,
        "outcomes/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "partnership": evaluation.partnership,
            "page": page,
            "chart": _chart(page),
            "estimate": difference_text(evaluation.estimate, unit),
            "signed_estimate": number_text(evaluation.estimate),
            "std_error": number_text(evaluation.std_error),
            "interval": interval_text(evaluation.ci_low, evaluation.ci_high),
            "p_value": p_value_text(evaluation.p_value),
            "rows": [
                (
                    mean,
                    figure_text(mean.partnership, unit) if mean.partnership is not None else None,
                    figure_text(mean.comparison, unit) if mean.comparison is not None else None,
                )
                for mean in page.means
            ],
            "period_noun": period_noun(evaluation.period_kind),
        },
    )


urlpatterns: list[URLPattern] = [
    path(
        "partnerships/<uuid:partnership_id>/evaluations/",
        evaluation_list,
        name="outcomes-evaluation-list",
    ),
    path(
        "partnerships/<uuid:partnership_id>/evaluations/new/",
        evaluation_create,
        name="outcomes-evaluation-create",
    ),
    path(
        "evaluations/<uuid:evaluation_id>/",
        evaluation_detail,
        name="outcomes-evaluation-detail",
    ),
]
