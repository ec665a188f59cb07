"""The survey's staff pages: a school's rounds, opening and closing one, printing and voiding
code sheets, a round's results with the same questions over past terms, the partnership's
schools together, and the area's questions.

Whoever sees a school reads its rounds and their results (counts of anonymous answers, small
numbers suppressed for everyone); its head teachers and safeguarding leads run them
(``access.can_run_surveys``); the area's administrators and analysts word the questions. Out of
scope is "not found", as for what does not exist. Every change is a service call that writes the
audit log; reading results is recorded too.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from saferschools.core import access
from saferschools.core.audit import audit_record, audit_source
from saferschools.core.models import Area, AuditAction, School
from saferschools.lib.charts import Series, line_chart_svg
from saferschools.lib.pdf import pdf_render, pdf_response

from . import survey_results as results
from . import survey_selectors as selectors
from . import survey_services as services
from .models import AnswerKind, Indicator, SurveyQuestion, SurveyRound
from .survey_answers import answer_label
from .survey_codes import code_display
from .survey_forms import (
    BatchForm,
    KindForm,
    QuestionForm,
    RoundForm,
    question_initial,
    term_choices,
)

CHART_WIDTH = 560
POOLED_NAME = "Partnership's schools together"
STATE_TAGS = {
    selectors.RoundState.UPCOMING: "govuk-tag--grey",
    selectors.RoundState.OPEN: "govuk-tag--green",
    selectors.RoundState.CLOSED: "govuk-tag--blue",
}


def _today() -> date:
    return timezone.localdate()


def survey_address(school: School) -> str:
    """The address pupils type, as printed on their slips."""
    return settings.BASE_URL.rstrip("/") + reverse("outcomes-survey-take", args=[school.urn])


def _may_word(user: Any, area_id: Any) -> bool:
    return access.survey_question_areas(user).filter(pk=area_id).exists()


# A school's rounds ----------------------------------------------------------------------------------


@login_required
@require_safe
def survey_list(request: HttpRequest, urn: int) -> HttpResponse:
    """The school's survey rounds, newest term first, with how far each has gone."""
    user = request.user
    school = access.get_school_for_user(user, urn)
    rounds = list(selectors.school_rounds(school=school))
    codes = selectors.code_counts(rounds=rounds)
    responses = selectors.response_counts(rounds=rounds)
    today = _today()
    rows = []
    for survey_round in rounds:
        state = selectors.round_state(survey_round, today)
        rows.append(
            {
                "round": survey_round,
                "state": selectors.STATE_LABELS[state],
                "tag": STATE_TAGS[state],
                "last_day": selectors.round_last_day(survey_round),
                "responses": responses[survey_round.pk],
                "codes": codes[survey_round.pk],
            }
        )
    return render(
        request,
        "outcomes/survey_list.html",
        {
            "school": school,
            "rows": rows,
            "can_run": access.can_run_surveys(user, school),
            "may_word": _may_word(user, school.area_id),
            "partnership": school.partnership,
            "address": survey_address(school),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def survey_open(request: HttpRequest, urn: int) -> HttpResponse:
    """Open a round of the school's survey for a term."""
    user = request.user
    school = access.get_school_for_user(user, urn)
    if not access.can_run_surveys(user, school):
        raise Http404("No school found.")
    today = _today()
    if request.method != "POST":
        form = RoundForm(today=today, initial={"period": term_choices(today)[0][0]})
        return _open_page(request, school, form)
    form = RoundForm(request.POST, today=today)
    if form.is_valid():
        data = form.cleaned_data
        try:
            survey_round = services.survey_round_open(
                actor=user,
                school=school,
                period=data["period"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                source=audit_source(request),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"The {survey_round.period} survey is set up.")
            return redirect("outcomes-survey-round", round_id=survey_round.pk)
    return _open_page(request, school, form, status=400)


def _open_page(
    request: HttpRequest, school: School, form: RoundForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "outcomes/survey_open.html",
        {"school": school, "form": form, "phase": services.school_phase(school)},
        status=status,
    )


# A round: its codes, closing it -----------------------------------------------------------------


def _round_page(
    request: HttpRequest,
    survey_round: SurveyRound,
    *,
    form: BatchForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    school = survey_round.school
    state = selectors.round_state(survey_round, _today())
    can_run = access.can_run_surveys(user, school)
    return render(
        request,
        "outcomes/survey_round.html",
        {
            "school": school,
            "round": survey_round,
            "state": state,
            "state_label": selectors.STATE_LABELS[state],
            "tag": STATE_TAGS[state],
            "last_day": selectors.round_last_day(survey_round),
            "is_closed": state == selectors.RoundState.CLOSED,
            "responses": selectors.response_counts(rounds=[survey_round])[survey_round.pk],
            "codes": selectors.code_counts(rounds=[survey_round])[survey_round.pk],
            "batches": selectors.round_batches(survey_round) if can_run else [],
            "questions": selectors.round_questions(survey_round),
            "can_run": can_run,
            "form": form or BatchForm(),
            "address": survey_address(school),
        },
        status=status,
    )


@login_required
@require_safe
def survey_round(request: HttpRequest, round_id: str) -> HttpResponse:
    survey_round = access.get_survey_round_for_user(request.user, round_id)
    return _round_page(request, survey_round)


@login_required
@require_POST
def survey_codes(request: HttpRequest, round_id: str) -> HttpResponse:
    """Print a sheet of codes: the codes are made, kept as hashes, and given back once as a
    PDF of slips to cut out."""
    user = request.user
    survey_round = access.get_survey_round_for_user(user, round_id, write=True)
    form = BatchForm(request.POST)
    if form.is_valid():
        try:
            printed = services.survey_batch_print(
                actor=user,
                survey_round=survey_round,
                count=form.cleaned_data["count"],
                label=form.cleaned_data["label"],
                source=audit_source(request),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _codes_pdf(survey_round, printed)
    return _round_page(request, survey_round, form=form, status=400)


# Slips on a sheet: two across, as many rows as fit a page.
SLIPS_ACROSS = 2


def _codes_pdf(survey_round: SurveyRound, printed: services.PrintedBatch) -> HttpResponse:
    school = survey_round.school
    slips = [code_display(code) for code in printed.codes]
    rows = [slips[i : i + SLIPS_ACROSS] for i in range(0, len(slips), SLIPS_ACROSS)]
    # The footer is text inside the page style's quotes: nothing there may end the string.
    footer = f"Survey codes for {school.name}, {survey_round.period}"
    pdf = pdf_render(
        template="outcomes/survey_codes_pdf.html",
        context={
            "school": school,
            "round": survey_round,
            "batch": printed.batch,
            "rows": rows,
            "address": survey_address(school),
            "footer": footer.replace("\\", " ").replace('"', "'"),
        },
    )
    return pdf_response(pdf, filename=f"survey-codes-{school.urn}-{printed.batch.pk}.pdf")


@login_required
@require_POST
def survey_void(request: HttpRequest, round_id: str, batch_id: str) -> HttpResponse:
    user = request.user
    survey_round = access.get_survey_round_for_user(user, round_id, write=True)
    batch = survey_round.batches.filter(pk=batch_id).first()
    if batch is None:
        raise Http404("No code sheet found.")
    services.survey_batch_void(actor=user, batch=batch, source=audit_source(request))
    what = f"The sheet for {batch.label}" if batch.label else "The sheet"
    messages.success(request, f"{what} is void: its unused codes no longer work.")
    return redirect("outcomes-survey-round", round_id=survey_round.pk)


@login_required
@require_POST
def survey_close(request: HttpRequest, round_id: str) -> HttpResponse:
    user = request.user
    survey_round = access.get_survey_round_for_user(user, round_id, write=True)
    services.survey_round_close(actor=user, survey_round=survey_round, source=audit_source(request))
    messages.success(request, f"The {survey_round.period} survey is closed.")
    return redirect("outcomes-survey-round", round_id=survey_round.pk)


# Results ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendView:
    trend: results.Trend
    rows: list[tuple[str, results.Figure, results.Figure | None]]
    chart: SafeString | None
    summary: str
    columns: list[str]  # the table's headings for the figures


def _trend_summary(trend: results.Trend, series: list[results.Figure], whose: str) -> str:
    """One sentence: the latest share shown, and how it compares with the first one shown."""
    shown = [
        (label, f.value)
        for label, f in zip(trend.labels, series, strict=True)
        if f.value is not None
    ]
    name = trend.indicator.name
    if not shown:
        return (
            f"{name}: no figure can be shown for {whose} yet, since too few pupils answered or "
            "a figure would give away a small number."
        )
    latest_label, latest = shown[-1]
    sentence = f"{name}: {latest}% of pupils answering at {whose} in {latest_label}"
    if len(shown) > 1:
        first_label, first = shown[0]
        if latest == first:
            sentence += f", the same as in {first_label}"
        else:
            better = (latest < first) == trend.indicator.lower_is_better
            direction = "up" if latest > first else "down"
            sentence += (
                f", {direction} from {first}% in {first_label} ({'better' if better else 'worse'})"
            )
    return sentence + "."


def _trend_view(trend: results.Trend, *, name: str, whose: str, chart_id: str) -> TrendView:
    """The trend as a table and a line chart (``name`` is the first line's), with a sentence
    saying what it shows for ``whose`` figures."""
    pooled = trend.pooled
    rows = [
        (label, figure, pooled[index] if pooled is not None else None)
        for index, (label, figure) in enumerate(zip(trend.labels, trend.school, strict=True))
    ]
    series = [Series(name, [figure.value for figure in trend.school])]
    if pooled is not None:
        series.append(Series(POOLED_NAME, [f.value for f in pooled]))
    summary = _trend_summary(trend, trend.school, whose)
    chart = None
    if any(value is not None for one in series for value in one.values):
        chart = line_chart_svg(
            title=f"{trend.indicator.name} by term",
            description=summary + " The table beside the chart gives the same figures.",
            labels=trend.labels,
            series=series,
            chart_id=chart_id,
            width=CHART_WIDTH,
        )
    return TrendView(trend, rows, chart, summary, [one.name for one in series])


def _with_figures(trends: list[results.Trend]) -> list[results.Trend]:
    """The trends with a figure to show in some term: a table of nothing but "fewer than 5
    answered" says nothing the answers above do not."""
    return [
        trend
        for trend in trends
        if any(f.value is not None for f in [*trend.school, *(trend.pooled or [])])
    ]


@login_required
@require_safe
def survey_results_page(request: HttpRequest, round_id: str) -> HttpResponse:
    """A round's results and the same questions over the school's past terms."""
    user = request.user
    survey_round = access.get_survey_round_for_user(user, round_id)
    found = results.round_results(survey_round)
    school = survey_round.school
    trends = (
        [
            _trend_view(trend, name=school.name, whose=school.name, chart_id=f"trend-{index}")
            for index, trend in enumerate(_with_figures(results.round_trends(survey_round)), 1)
        ]
        if found.shown
        else []
    )
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        source=audit_source(request),
        obj=survey_round,
        detail={"what": "survey results"},
    )
    return render(
        request,
        "outcomes/survey_results.html",
        {
            "school": school,
            "round": survey_round,
            "results": found,
            "trends": trends,
            "last_day": selectors.round_last_day(survey_round),
        },
    )


@login_required
@require_safe
def partnership_surveys(request: HttpRequest, partnership_id: str) -> HttpResponse:
    """The partnership's schools taken together, term by term."""
    user = request.user
    partnership = access.get_partnership_for_user(user, partnership_id)
    periods = results.partnership_periods(partnership=partnership)
    chosen = request.GET.get("period", periods[0] if periods else "")
    error = ""
    if periods and chosen not in periods:
        error = "Choose a term from the list"
        chosen = periods[0]
    found = results.partnership_results(partnership=partnership, period=chosen) if periods else None
    trends = (
        [
            _trend_view(
                trend,
                name=POOLED_NAME,
                whose="the partnership's schools",
                chart_id=f"trend-{index}",
            )
            for index, trend in enumerate(_with_figures(found.trends), start=1)
        ]
        if found is not None
        else []
    )
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        source=audit_source(request),
        obj=partnership,
        detail={"what": "survey results", "period": chosen},
    )
    return render(
        request,
        "outcomes/survey_partnership.html",
        {
            "partnership": partnership,
            "periods": periods,
            "chosen": chosen,
            "error": error,
            "results": found,
            "trends": trends,
        },
        status=400 if error else 200,
    )


# The area's questions ----------------------------------------------------------------------------


def _question(area: Area, question_id: str) -> SurveyQuestion | None:
    return SurveyQuestion.objects.filter(area=area, pk=question_id).select_related("area").first()


def _surveyed_indicators() -> list[Indicator]:
    return list(Indicator.objects.filter(source=Indicator.Source.SURVEYED).order_by("name"))


@login_required
@require_safe
def survey_questions(request: HttpRequest, area_id: str) -> HttpResponse:
    """The area's questions: those asked now in order, and those retired."""
    user = request.user
    area = access.get_survey_question_area_for_user(user, area_id)
    services.survey_questions_ensure(area=area, actor=user, source=audit_source(request))
    questions = selectors.area_questions(area=area)
    active = [question for question in questions if question.active]
    return render(
        request,
        "outcomes/survey_questions.html",
        {
            "area": area,
            "active": [
                (question, index == 0, index == len(active) - 1, _counted_text(question))
                for index, question in enumerate(active)
            ],
            "retired": [
                (question, _counted_text(question)) for question in questions if not question.active
            ],
        },
    )


def _counted_text(question: SurveyQuestion) -> str:
    """Which answers count towards the question's indicator, in words."""
    values = sorted(results.counted_values(question))
    return ", ".join(answer_label(question.kind, value) for value in values)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def survey_question_add(request: HttpRequest, area_id: str) -> HttpResponse:
    """Add a question: first how pupils answer it, then its words and what it measures."""
    user = request.user
    area = access.get_survey_question_area_for_user(user, area_id)
    sent = request.POST if request.method == "POST" else request.GET
    kind_form = KindForm(sent if "kind" in sent else None)
    if not kind_form.is_valid():
        return render(
            request,
            "outcomes/survey_question_kind.html",
            {"area": area, "form": kind_form},
            status=400 if "kind" in sent else 200,
        )
    kind = kind_form.cleaned_data["kind"]
    indicators = _surveyed_indicators()
    if request.method != "POST":
        form = QuestionForm(kind=kind, indicators=indicators, fixed=False)
        return _question_page(request, area, form, kind=kind)
    form = QuestionForm(request.POST, kind=kind, indicators=indicators, fixed=False)
    if form.is_valid():
        cleaned = form.cleaned_data
        try:
            services.survey_question_add(
                actor=user,
                area=area,
                kind=kind,
                data=services.QuestionInput(
                    text=cleaned["text"],
                    text_primary=cleaned["text_primary"],
                    indicator=cleaned["indicator"],
                    counted_answers=cleaned["counted_answers"],
                ),
                source=audit_source(request),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Question added: it is asked from the next survey opened.")
            return redirect("outcomes-survey-questions", area_id=area.pk)
    return _question_page(request, area, form, kind=kind, status=400)


def _question_page(
    request: HttpRequest,
    area: Area,
    form: QuestionForm,
    *,
    kind: str,
    question: SurveyQuestion | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "outcomes/survey_question_form.html",
        {
            "area": area,
            "form": form,
            "kind": kind,
            "kind_label": AnswerKind(kind).label,
            "question": question,
            "counted_text": _counted_text(question) if question is not None else "",
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def survey_question_edit(request: HttpRequest, area_id: str, question_id: str) -> HttpResponse:
    """Change a question's words for the surveys opened from now on."""
    user = request.user
    area = access.get_survey_question_area_for_user(user, area_id)
    question = _question(area, question_id)
    if question is None:
        raise Http404("No question found.")
    fixed = services.question_was_asked(question)
    indicators = _surveyed_indicators()
    if request.method != "POST":
        form = QuestionForm(
            initial=question_initial(question),
            kind=question.kind,
            indicators=indicators,
            fixed=fixed,
        )
        return _question_page(request, area, form, kind=question.kind, question=question)
    form = QuestionForm(request.POST, kind=question.kind, indicators=indicators, fixed=fixed)
    if form.is_valid():
        data = {**question_initial(question), **form.cleaned_data}
        try:
            services.survey_question_update(
                actor=user,
                question=question,
                data=services.QuestionInput(
                    text=data["text"],
                    text_primary=data["text_primary"],
                    indicator=data["indicator"],
                    counted_answers=data["counted_answers"],
                ),
                source=audit_source(request),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, "Question changed: surveys already opened keep the words they asked."
            )
            return redirect("outcomes-survey-questions", area_id=area.pk)
    return _question_page(request, area, form, kind=question.kind, question=question, status=400)


@login_required
@require_POST
def survey_question_move(request: HttpRequest, area_id: str, question_id: str) -> HttpResponse:
    user = request.user
    area = access.get_survey_question_area_for_user(user, area_id)
    question = _question(area, question_id)
    # A second press of the button, once the question has moved, moves it no further.
    seen = request.POST.get("position", "")
    if question is not None and seen == str(question.position):
        try:
            services.survey_question_move(
                actor=user,
                question=question,
                direction=request.POST.get("direction"),
                source=audit_source(request),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("outcomes-survey-questions", area_id=area.pk)


@login_required
@require_POST
def survey_question_retire(request: HttpRequest, area_id: str, question_id: str) -> HttpResponse:
    user = request.user
    area = access.get_survey_question_area_for_user(user, area_id)
    question = _question(area, question_id)
    # A question already removed (a second press of the button) needs nothing more.
    if question is not None:
        done = services.survey_question_retire(
            actor=user, question=question, source=audit_source(request)
        )
        messages.success(
            request,
            "Question retired: past surveys keep its answers."
            if done == "retired"
            else "Question removed.",
        )
    return redirect("outcomes-survey-questions", area_id=area.pk)


@login_required
@require_POST
def survey_question_restore(request: HttpRequest, area_id: str, question_id: str) -> HttpResponse:
    user = request.user
    area = access.get_survey_question_area_for_user(user, area_id)
    question = _question(area, question_id)
    if question is None:
        raise Http404("No question found.")
    try:
        services.survey_question_restore(
            actor=user, question=question, source=audit_source(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Question asked again from the next survey opened.")
    return redirect("outcomes-survey-questions", area_id=area.pk)


urlpatterns: list[URLPattern] = [
    path("schools/<int:urn>/surveys/", survey_list, name="outcomes-survey-list"),
    path("schools/<int:urn>/surveys/open/", survey_open, name="outcomes-survey-open"),
    path("surveys/<uuid:round_id>/", survey_round, name="outcomes-survey-round"),
    path("surveys/<uuid:round_id>/codes/", survey_codes, name="outcomes-survey-codes"),
    path(
        "surveys/<uuid:round_id>/codes/<uuid:batch_id>/void/",
        survey_void,
        name="outcomes-survey-void",
    ),
    path("surveys/<uuid:round_id>/close/", survey_close, name="outcomes-survey-close"),
    path("surveys/<uuid:round_id>/results/", survey_results_page, name="outcomes-survey-results"),
    path(
        "partnerships/<uuid:partnership_id>/surveys/",
        partnership_surveys,
        name="outcomes-survey-partnership",
    ),
    path(
        "areas/<uuid:area_id>/survey-questions/", survey_questions, name="outcomes-survey-questions"
    ),
    path(
        "areas/<uuid:area_id>/survey-questions/new/",
        survey_question_add,
        name="outcomes-survey-question-add",
    ),
    path(
        "areas/<uuid:area_id>/survey-questions/<uuid:question_id>/",
        survey_question_edit,
        name="outcomes-survey-question",
    ),
    path(
        "areas/<uuid:area_id>/survey-questions/<uuid:question_id>/move/",
        survey_question_move,
        name="outcomes-survey-question-move",
    ),
    path(
        "areas/<uuid:area_id>/survey-questions/<uuid:question_id>/retire/",
        survey_question_retire,
        name="outcomes-survey-question-retire",
    ),
    path(
        "areas/<uuid:area_id>/survey-questions/<uuid:question_id>/restore/",
        survey_question_restore,
        name="outcomes-survey-question-restore",
    ),
]
