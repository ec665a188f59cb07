"""Referrals' pages: making a referral from the pupil's page, the referral with its history, and
recording the agency's answer; the referrals part of the pupil's page and of the landing page.

Referrals are fetched through the access policy (out of scope is "not found"); every page
showing one audits the read. The school's case workers make referrals; they, and the
practitioners of the agency referred to whose live grant covers the pupil, record the answer.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from saferschools.core import access
from saferschools.core.audit import audit_record, audit_source
from saferschools.core.models import AuditAction
from saferschools.sharing.models import SharedItem

from . import referral_selectors, referral_services
from .models import Pupil, Referral, ReferralStatus
from .records import pupil_transfer_pending
from .referral_forms import ReferralForm, ReferralStatusForm
from .referral_services import ReferralInput
from .selectors import grant_detail

STATUS_TAGS = {
    ReferralStatus.SENT: "govuk-tag--blue",
    ReferralStatus.ACCEPTED: "govuk-tag--turquoise",
    ReferralStatus.DECLINED: "govuk-tag--orange",
    ReferralStatus.COMPLETED: "govuk-tag--green",
}


def _status_tag(referral: Referral) -> str:
    return STATUS_TAGS[ReferralStatus(referral.status)]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def referral_new(request: HttpRequest, pupil_id: str) -> HttpResponse:
    """Refer a pupil to an agency: the school's case workers only (other staff get 404)."""
    user = request.user
    pupil = access.get_casework_pupil_for_user(user, pupil_id, write=True)
    plans = list(referral_selectors.referral_plans(user=user, pupil=pupil))
    chosen_plan = request.GET.get("plan", "")
    form = ReferralForm(
        request.POST if request.method == "POST" else None,
        agencies=referral_services.referral_agencies(pupil=pupil),
        decisions=referral_selectors.referral_decisions(user=user, pupil=pupil),
        plans=plans,
        initial={"plan_id": chosen_plan if any(str(p.pk) == chosen_plan for p in plans) else ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = referral_services.referral_create(
                actor=user,
                pupil=pupil,
                data=ReferralInput(
                    agency_id=data["agency_id"],
                    reason=data["reason"],
                    service=data["service"] or None,
                    sharing_decision_id=data["sharing_decision_id"] or None,
                    plan_id=data["plan_id"] or None,
                ),
                source=audit_source(request),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Referral to {referral.agency.name} sent.")
            return redirect("casework-referral", referral_id=referral.pk)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        source=audit_source(request),
        obj=pupil,
        detail=grant_detail(user, pupil, SharedItem.REFERRALS) or None,
    )
    return render(
        request,
        "casework/referral_form.html",
        {
            "form": form,
            "pupil": pupil,
            "read_only": pupil_transfer_pending(pupil) is not None,
        },
        status=400 if form.errors else 200,
    )


def _referral_page(request: HttpRequest, referral: Referral) -> HttpResponse:
    user = request.user
    can_answer = access.can_answer_referral(user, referral)
    read_only = can_answer and pupil_transfer_pending(referral.pupil) is not None
    return render(
        request,
        "casework/referral_detail.html",
        {
            "referral": referral,
            "pupil": referral.pupil,
            "status_tag": _status_tag(referral),
            "history": list(referral_selectors.referral_history(referral=referral)),
            "can_answer": (
                can_answer
                and not read_only
                and bool(referral_services.referral_next_statuses(referral))
            ),
            "read_only_transfer": read_only,
            "can_read_plan": referral.plan_id is not None
            and access.can_read_pupil_item(user, referral.pupil, SharedItem.PLANS),
            "max_reminders": referral_services.MAX_REMINDERS,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def referral_detail(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = referral_selectors.referral_get(
        user=request.user, referral_id=referral_id, source=audit_source(request)
    )
    return _referral_page(request, referral)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def referral_status(request: HttpRequest, referral_id: str) -> HttpResponse:
    """Record the agency's answer to a referral (those who may answer it; others get 404)."""
    user = request.user
    found = access.get_referral_for_user(user, referral_id)
    if not access.can_answer_referral(user, found):
        raise Http404("No referral found.")
    referral = Referral.objects.select_related("pupil", "pupil__school", "agency", "school").get(
        pk=found.pk
    )
    form = ReferralStatusForm(
        request.POST if request.method == "POST" else None,
        statuses=referral_services.referral_next_statuses(referral),
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = referral_services.referral_update_status(
                actor=user,
                referral=referral,
                status=form.cleaned_data["status"],
                outcome=form.cleaned_data["outcome"],
                source=audit_source(request),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Referral marked as {changed.get_status_display().lower()}.")
            return redirect("casework-referral", referral_id=referral.pk)
    referral_selectors.referral_audit_read(
        user=user, referral=referral, source=audit_source(request)
    )
    return render(
        request,
        "casework/referral_status_form.html",
        {"form": form, "referral": referral, "pupil": referral.pupil},
        status=400 if form.errors else 200,
    )


urlpatterns: list[URLPattern] = [
    path("pupils/<uuid:pupil_id>/referrals/new/", referral_new, name="casework-new-referral"),
    path("referrals/<uuid:referral_id>/", referral_detail, name="casework-referral"),
    path("referrals/<uuid:referral_id>/status/", referral_status, name="casework-referral-status"),
]


# The pupil's page and the landing page -----------------------------------------------------------


def pupil_panel(request: HttpRequest, pupil: Pupil) -> dict[str, Any] | None:
    """The pupil's referrals the user sees (the school's case workers all of them; a
    practitioner those a grant opens), each listed audited; None for those who see none and may
    make none."""
    user = request.user
    can_read = access.can_read_pupil_item(user, pupil, SharedItem.REFERRALS)
    referrals = referral_selectors.referrals_audit_listing(
        user=user,
        referrals=referral_selectors.pupil_referrals(user=user, pupil=pupil),
        source=audit_source(request),
        pupil=pupil,
    )
    if not (can_read or referrals):
        return None
    return {
        "pupil": pupil,
        "referrals": [(referral, _status_tag(referral)) for referral in referrals],
        "can_refer": access.can_open_casework(user, pupil.school)
        and pupil_transfer_pending(pupil) is None,
    }


def landing_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Referrals waiting on the user (to answer, or unanswered after a reminder); None when
    there are none. The referrals named (with their pupils) are audited as a listing."""
    user = request.user
    waiting = referral_selectors.landing_referrals(user=user)
    if waiting.empty:
        return None
    referral_selectors.landing_audit_listing(
        user=user, waiting=waiting, source=audit_source(request)
    )
    return {"waiting": waiting}
