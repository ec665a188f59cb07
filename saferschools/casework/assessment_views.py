"""Risk-factor assessments (section 4.17): recording one, reading one with what changed since
the one before, the history on the pupil's page, and the factors an area adds to the catalogue.

Pupils and assessments are fetched through the access policy (out of scope is "not found") and
every page that shows an assessment audits the read; every change is a service call that writes
the audit log.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from saferschools.core import access
from saferschools.core.audit import audit_source
from saferschools.core.errors import bad_request

from . import assessment_selectors as selectors
from . import assessment_services as services
from . import risk
from .assessment_forms import AssessmentForm, RiskFactorChangeForm, RiskFactorForm
from .models import Pupil, RiskAssessment, RiskLevel
from .records import pupil_transfer_pending

LEVEL_TAGS = {
    RiskLevel.LOW: "govuk-tag--green",
    RiskLevel.MEDIUM: "govuk-tag--yellow",
    RiskLevel.HIGH: "govuk-tag--red",
}


def level_tag(level: str) -> str:
    return LEVEL_TAGS.get(RiskLevel(level), "govuk-tag--grey")


def _rule() -> list[tuple[str, str, str]]:
    """The level rule as (level, tag class, words), for the pages that show it."""
    return [(RiskLevel(level).label, level_tag(level), text) for level, text in risk.RULE_LINES]


def _may_record(user: Any, pupil: Pupil) -> bool:
    """Whether the user may record an assessment of the pupil now: a case worker of the school,
    and the record not awaiting another school's confirmation."""
    return selectors.can_record_assessment(user, pupil) and pupil_transfer_pending(pupil) is None


# Recording an assessment -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def assessment_new(request: HttpRequest, pupil_id: str) -> HttpResponse:
    """The form: the area's active factors by domain, each with its evidence and source."""
    user = request.user
    source = audit_source(request)
    pupil = selectors.get_assessable_pupil(user=user, pupil_id=pupil_id, source=source, write=True)
    factors = selectors.risk_factor_catalogue(area=pupil.school.area)
    if request.method == "POST":
        form = AssessmentForm(request.POST, factors=factors)
        if form.is_valid():
            present, codes = form.assessment_input()
            try:
                assessment = services.assessment_record(
                    actor=user,
                    pupil=pupil,
                    factors=present,
                    notes=form.cleaned_data["notes"],
                    review_on=form.cleaned_data["review_on"],
                    source=source,
                )
            except ValidationError as error:
                form.add_service_errors(error, codes)
            else:
                messages.success(
                    request,
                    f"Assessment recorded. The level is {assessment.get_level_display().lower()}: "
                    f"{assessment.level_reason}",
                )
                return redirect("casework-assessment", assessment_id=assessment.pk)
    else:
        form = AssessmentForm(factors=factors)
    return render(
        request,
        "casework/assessment_form.html",
        {
            "pupil": pupil,
            "form": form,
            "rule": _rule(),
            "read_only": pupil_transfer_pending(pupil) is not None,
        },
        status=400 if form.errors else 200,
    )


# Reading one -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def assessment_detail(request: HttpRequest, assessment_id: str) -> HttpResponse:
    """One assessment: its factors by domain, the level and why, and what changed since the
    pupil's previous assessment. Audited, naming the grant for a practitioner."""
    read = selectors.assessment_get(
        user=request.user, assessment_id=assessment_id, source=audit_source(request)
    )
    assessment = read.assessment
    return render(
        request,
        "casework/assessment_detail.html",
        {
            "assessment": assessment,
            "pupil": assessment.pupil,
            "level_tag": level_tag(assessment.level),
            "groups": selectors.group_by_domain(
                list(assessment.factors.all()), factor_of=lambda row: row.factor
            ),
            "changes": read.changes,
            "later": read.later,
            "review_overdue": read.review_overdue,
            "rule": _rule(),
            "can_record": _may_record(request.user, assessment.pupil),
        },
    )


# On the pupil's page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    assessment: RiskAssessment
    factors: int
    trend: str
    level_tag: str


def pupil_panel(request: HttpRequest, pupil: Pupil) -> dict[str, Any] | None:
    """The pupil's assessments, newest first with the trend, the latest level and its review:
    for the school's case workers and practitioners whose grant names assessments; ``None`` for
    everyone else. Each assessment listed is audited."""
    user = request.user
    try:
        history = selectors.assessment_history(user=user, pupil=pupil, source=audit_source(request))
    except Http404:
        return None
    rows = [
        HistoryRow(
            assessment=assessment,
            factors=len(assessment.factors.all()),
            trend=risk.trend(
                assessment.level, history[index + 1].level if index + 1 < len(history) else None
            ),
            level_tag=level_tag(assessment.level),
        )
        for index, assessment in enumerate(history)
    ]
    latest = history[0] if history else None
    today = timezone.localdate()
    return {
        "pupil": pupil,
        "latest": latest,
        "latest_tag": level_tag(latest.level) if latest else "",
        "review_overdue": latest is not None
        and selectors.review_overdue(latest, latest=True, today=today),
        "rows": rows,
        "can_record": _may_record(user, pupil),
    }


# The area's own factors ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def risk_factor_list(request: HttpRequest, area_id: str) -> HttpResponse:
    """Every factor of the area's catalogue, and a form to add one: for the area's
    administrators only."""
    user = request.user
    area = access.get_area_for_user(user, area_id, write=True)
    form = RiskFactorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            factor = services.risk_factor_add(
                actor=user,
                area=area,
                domain=form.cleaned_data["domain"],
                name=form.cleaned_data["name"],
                serious=form.cleaned_data["serious"],
                source=audit_source(request),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"“{factor.name}” added to the catalogue.")
            return redirect("casework-risk-factors", area_id=area.pk)
    factors = selectors.area_risk_factors(user=user, area=area)
    return render(
        request,
        "casework/risk_factor_list.html",
        {
            "area": area,
            "form": form,
            "groups": selectors.group_by_domain(factors),
            "rule": _rule(),
        },
        status=400 if form.errors else 200,
    )


def _add_errors(form: Any, error: ValidationError) -> None:
    for field, texts in error.message_dict.items():
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def risk_factor_change(request: HttpRequest, area_id: str, factor_id: str) -> HttpResponse:
    """Rename one of the area's factors or change whether it is serious."""
    user = request.user
    factor = selectors.get_area_factor_for_user(user, area_id, factor_id)
    if request.method == "POST":
        form = RiskFactorChangeForm(request.POST)
        if form.is_valid():
            try:
                services.risk_factor_update(
                    actor=user,
                    factor=factor,
                    name=form.cleaned_data["name"],
                    serious=form.cleaned_data["serious"],
                    source=audit_source(request),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, f"“{factor.name}” saved.")
                return redirect("casework-risk-factors", area_id=factor.area_id)
    else:
        form = RiskFactorChangeForm(initial={"name": factor.name, "serious": factor.serious})
    return render(
        request,
        "casework/risk_factor_form.html",
        {"area": factor.area, "factor": factor, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def risk_factor_active(request: HttpRequest, area_id: str, factor_id: str) -> HttpResponse:
    """Retire one of the area's factors (``active=no``) or bring it back (``active=yes``)."""
    factor = selectors.get_area_factor_for_user(request.user, area_id, factor_id)
    answer = request.POST.get("active")
    if answer not in ("yes", "no"):
        return bad_request(request)
    services.risk_factor_set_active(
        actor=request.user, factor=factor, active=answer == "yes", source=audit_source(request)
    )
    done = "is offered again" if factor.active else "is retired: it is no longer offered"
    messages.success(request, f"“{factor.name}” {done}.")
    return redirect("casework-risk-factors", area_id=factor.area_id)


urlpatterns = [
    path(
        "pupils/<uuid:pupil_id>/assessments/new/",
        assessment_new,
        name="casework-assessment-new",
    ),
    path("assessments/<uuid:assessment_id>/", assessment_detail, name="casework-assessment"),
    path("areas/<uuid:area_id>/risk-factors/", risk_factor_list, name="casework-risk-factors"),
    path(
        "areas/<uuid:area_id>/risk-factors/<uuid:factor_id>/",
        risk_factor_change,
        name="casework-risk-factor",
    ),
    path(
        "areas/<uuid:area_id>/risk-factors/<uuid:factor_id>/active/",
        risk_factor_active,
        name="casework-risk-factor-active",
    ),
]
