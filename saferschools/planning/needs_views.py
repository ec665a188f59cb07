"""Stage 1 at one school: its needs assessment with the evidence beside it, and the requests
that it consider a partnership.

Everyone who sees the school reads its needs assessment; its leaders and officers write it
(``access.can_assess_needs``). Anyone may ask, without signing in, that an open school consider
a partnership; the school's leaders read, record and answer the requests
(``access.can_read_ssp_requests``), and every list or page of them is audited, since each names
the person who asked. The public page keeps nothing about the sender's network or device: the
throttle that slows down floods holds a keyed hash of the address in memory only.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from saferschools.core import access
from saferschools.core.audit import audit_source
from saferschools.core.models import School
from saferschools.reporting.throttle import Throttle, throttle_check, throttle_count

from . import needs_selectors, needs_services
from .models import NeedsAssessment
from .needs_forms import (
    AnswerForm,
    NeedsAssessmentForm,
    PublicRequestForm,
    RecordRequestForm,
    needs_initial,
    seen_updated_at,
)

REQUESTS_PER_PAGE = 50


# The needs assessment -------------------------------------------------------------------------


def _public_url(school: School) -> str:
    return settings.BASE_URL.rstrip("/") + reverse("planning-request-public", args=[school.urn])


def _needs_page(
    request: HttpRequest,
    school: School,
    *,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    assessment = needs_selectors.needs_assessment_get(user=user, school=school)
    deprivation = needs_selectors.school_deprivation(school=school)
    return render(
        request,
        "planning/needs_assessment.html",
        {
            "school": school,
            "partnership": school.partnership,
            "assessment": assessment,
            "concerns": needs_selectors.concern_labels(assessment),
            "can_assess": access.can_assess_needs(user, school),
            "can_read_requests": access.can_read_ssp_requests(user, school),
            "figures": needs_selectors.school_figures(school=school),
            "deprivation": deprivation,
            "deprivation_rank": f"{deprivation.imd_rank:,}" if deprivation else "",
            "crime": needs_selectors.crime_summary(school=school),
            "counts": needs_selectors.own_counts(user=user, school=school),
            "requests": needs_selectors.ssp_request_counts(school=school),
            "public_url": _public_url(school),
            "errors": [text for texts in (errors or {}).values() for text in texts],
        },
        status=status,
    )


@login_required
@require_safe
def needs(request: HttpRequest, urn: int) -> HttpResponse:
    school = access.get_school_for_user(request.user, urn)
    return _needs_page(request, school)


def _assessed_school(user: Any, urn: int) -> School:
    """The school if the user writes its needs assessment; else ``Http404``, alike for a
    school they cannot see and one whose assessment they only read."""
    school = access.get_school_for_user(user, urn)
    if not access.can_assess_needs(user, school):
        raise Http404("No school found.")
    return school


def _edit_page(
    request: HttpRequest,
    school: School,
    form: NeedsAssessmentForm,
    assessment: NeedsAssessment | None,
) -> HttpResponse:
    return render(
        request,
        "planning/needs_edit.html",
        {"school": school, "form": form, "assessment": assessment},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def needs_edit(request: HttpRequest, urn: int) -> HttpResponse:
    user = request.user
    school = _assessed_school(user, urn)
    assessment = needs_selectors.needs_assessment_get(user=user, school=school)
    if request.method != "POST":
        form = NeedsAssessmentForm(initial=needs_initial(assessment))
        return _edit_page(request, school, form, assessment)
    form = NeedsAssessmentForm(request.POST)
    complete = "complete" in request.POST
    if form.is_valid():
        if complete and not form.cleaned_data["narrative"]:
            form.add_error("narrative", needs_services.NARRATIVE_NEEDED)
            return _edit_page(request, school, form, assessment)
        source = audit_source(request)
        try:
            # Saved and completed together, or neither.
            with transaction.atomic():
                saved = needs_services.needs_assessment_save(
                    actor=user, school=school, data=form.needs_input(), source=source
                )
                if complete:
                    saved = needs_services.needs_assessment_complete(
                        actor=user,
                        school=school,
                        seen_updated_at=saved.updated_at,
                        source=source,
                    )
        except ValidationError as error:
            form.add_service_errors(error)
            if "updated_at" in error.message_dict:
                # Saving again, having been told, replaces the version there is now.
                assessment = needs_selectors.needs_assessment_get(user=user, school=school)
                resent = request.POST.copy()
                resent["updated_at"] = needs_initial(assessment)["updated_at"]
                form.data = resent
        else:
            messages.success(
                request,
                "Needs assessment saved and marked as complete."
                if complete
                else "Needs assessment saved.",
            )
            return redirect("planning-needs", urn=school.urn)
    return _edit_page(request, school, form, assessment)


@login_required
@require_POST
def needs_complete(request: HttpRequest, urn: int) -> HttpResponse:
    user = request.user
    school = _assessed_school(user, urn)
    try:
        needs_services.needs_assessment_complete(
            actor=user,
            school=school,
            seen_updated_at=seen_updated_at(request.POST.get("updated_at")),
            source=audit_source(request),
        )
    except ValidationError as error:
        return _needs_page(request, school, errors=error.message_dict, status=400)
    messages.success(request, "Needs assessment marked as complete.")
    return redirect("planning-needs", urn=school.urn)


@login_required
@require_POST
def needs_reopen(request: HttpRequest, urn: int) -> HttpResponse:
    user = request.user
    school = _assessed_school(user, urn)
    try:
        needs_services.needs_assessment_reopen(
            actor=user, school=school, source=audit_source(request)
        )
    except ValidationError as error:
        return _needs_page(request, school, errors=error.message_dict, status=400)
    messages.success(request, "Needs assessment reopened: mark it as complete again when done.")
    return redirect("planning-needs", urn=school.urn)


# Asking that a school consider a partnership: the public page ---------------------------------


def _open_school(urn: int) -> School:
    school = School.objects.filter(urn=urn, is_open=True).first()
    if school is None:
        raise Http404("No school found.")
    return school


# Requests sent are counted against the sender's address by the same throttle as pupils' wrong
# receipts, in a bucket of their own, so that a flood from one place is slowed down while nothing
# about the sender is stored.
REQUEST_BUCKET = "ssp-requests"
REQUEST_WINDOW = 60 * 60


def _throttled(request: HttpRequest) -> Throttle:
    return throttle_check(
        request,
        bucket=REQUEST_BUCKET,
        limit=settings.SSP_REQUESTS_PER_HOUR,
        window=REQUEST_WINDOW,
    )


def _count_sent(request: HttpRequest) -> None:
    throttle_count(request, bucket=REQUEST_BUCKET, window=REQUEST_WINDOW)


def _too_many(request: HttpRequest, school: School, throttle: Throttle) -> HttpResponse:
    minutes = max(1, -(-throttle.retry_after // 60))
    response = render(
        request,
        "planning/request_too_many.html",
        {"school": school, "minutes": minutes},
        status=429,
    )
    response.headers["Retry-After"] = str(throttle.retry_after)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def request_public(request: HttpRequest, urn: int) -> HttpResponse:
    """A parent, governor, member of staff or neighbour asks that the school consider a
    partnership. No sign-in; CSRF checked as on every form."""
    school = _open_school(urn)
    if request.method != "POST":
        form = PublicRequestForm()
        return render(request, "planning/request_public.html", {"school": school, "form": form})
    throttle = _throttled(request)
    if throttle.limited:
        return _too_many(request, school, throttle)
    form = PublicRequestForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            needs_services.ssp_request_submit(
                school=school,
                requester=data["requester"],
                name=data["name"],
                contact=data["contact"],
                reason=data["reason"],
                source=audit_source(request),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            _count_sent(request)
            return redirect("planning-request-sent", urn=school.urn)
    return render(
        request, "planning/request_public.html", {"school": school, "form": form}, status=400
    )


@require_safe
def request_sent(request: HttpRequest, urn: int) -> HttpResponse:
    school = _open_school(urn)
    # Whether anyone was told: a school that does not use SaferSchools yet has nobody to read it.
    leaders = access.users_reaching_school(school, access.SCHOOL_LEADERS).exists()
    return render(request, "planning/request_sent.html", {"school": school, "leaders": leaders})


# The school's leaders: the requests, recording one, answering one -----------------------------


def _requests_school(user: Any, urn: int) -> School:
    """The school if the user reads its requests; else ``Http404``, alike for a school they
    cannot see and one whose requests they may not read."""
    school = access.get_school_for_user(user, urn)
    if not access.can_read_ssp_requests(user, school):
        raise Http404("No school found.")
    return school


@login_required
@require_safe
def request_list(request: HttpRequest, urn: int) -> HttpResponse:
    user = request.user
    school = _requests_school(user, urn)
    page = Paginator(
        needs_selectors.ssp_request_list(user=user, school=school), REQUESTS_PER_PAGE
    ).get_page(request.GET.get("page"))
    shown = needs_selectors.ssp_requests_audit_listing(
        user=user, requests=page.object_list, source=audit_source(request)
    )
    return render(
        request,
        "planning/request_list.html",
        {
            "school": school,
            "page": page,
            "ssp_requests": shown,
            "counts": needs_selectors.ssp_request_counts(school=school),
            "public_url": _public_url(school),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def request_record(request: HttpRequest, urn: int) -> HttpResponse:
    user = request.user
    school = _requests_school(user, urn)
    if request.method != "POST":
        form = RecordRequestForm()
        return render(request, "planning/request_record.html", {"school": school, "form": form})
    form = RecordRequestForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            recorded = needs_services.ssp_request_submit(
                school=school,
                requester=data["requester"],
                name=data["name"],
                contact=data["contact"],
                reason=data["reason"],
                received_on=data["received_on"],
                actor=user,
                source=audit_source(request),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Request recorded.")
            return redirect("planning-request", request_id=recorded.pk)
    return render(
        request, "planning/request_record.html", {"school": school, "form": form}, status=400
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def request_detail(request: HttpRequest, request_id: str) -> HttpResponse:
    user = request.user
    source = audit_source(request)
    ssp_request = needs_selectors.ssp_request_get(user=user, request_id=request_id, source=source)
    form = AnswerForm()
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                needs_services.ssp_request_answer(
                    actor=user,
                    request=ssp_request,
                    response=form.cleaned_data["response"],
                    source=source,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, "Response recorded.")
                return redirect("planning-request", request_id=ssp_request.pk)
    return render(
        request,
        "planning/request_detail.html",
        {"school": ssp_request.school, "ssp_request": ssp_request, "form": form},
        status=400 if form.errors else 200,
    )


def landing_panel(request: HttpRequest) -> dict[str, Any] | None:
    """For the school's leaders: the requests awaiting a response at each of their schools, as
    counts (naming nobody); ``None`` for anyone with none awaiting."""
    awaiting = needs_selectors.ssp_requests_awaiting(user=request.user)
    if not awaiting:
        return None
    return {"schools": awaiting, "total": sum(row.count for row in awaiting)}


urlpatterns: list[URLPattern] = [
    path("schools/<int:urn>/needs/", needs, name="planning-needs"),
    path("schools/<int:urn>/needs/edit/", needs_edit, name="planning-needs-edit"),
    path("schools/<int:urn>/needs/complete/", needs_complete, name="planning-needs-complete"),
    path("schools/<int:urn>/needs/reopen/", needs_reopen, name="planning-needs-reopen"),
    path(
        "schools/<int:urn>/ask-for-a-partnership/",
        request_public,
        name="planning-request-public",
    ),
    path(
        "schools/<int:urn>/ask-for-a-partnership/sent/",
        request_sent,
        name="planning-request-sent",
    ),
    path("schools/<int:urn>/ssp-requests/", request_list, name="planning-requests"),
    path("schools/<int:urn>/ssp-requests/record/", request_record, name="planning-request-record"),
    path("ssp-requests/<uuid:request_id>/", request_detail, name="planning-request"),
]
