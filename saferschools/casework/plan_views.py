"""Early-intervention plans' pages: opening a plan from the pupil's page, the plan with its
actions, reviews and referrals, and each change to it; the plans part of the pupil's page and
of the landing page.

Plans are fetched through the access policy (out of scope is "not found", as for a plan that
does not exist); every page showing a plan audits the read, and every change is a service call
that writes the audit log. The school's case workers change plans; practitioners whose live
grant names plans read them.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from saferschools.core import access
from saferschools.core.audit import audit_record, audit_source
from saferschools.core.models import AuditAction
from saferschools.sharing.models import SharedItem

from . import plan_selectors, plan_services, referral_selectors
from .models import Plan, PlanAction, PlanStatus, Pupil
from .plan_forms import (
    ConfirmForm,
    PlanActionForm,
    PlanCloseForm,
    PlanForm,
    PlanReviewForm,
    PlanStatusForm,
)
from .records import pupil_transfer_pending
from .selectors import grant_detail

STATUS_TAGS = {
    PlanStatus.OPEN: "govuk-tag--blue",
    PlanStatus.UNDER_REVIEW: "govuk-tag--yellow",
    PlanStatus.CLOSED: "govuk-tag--grey",
}


def _status_tag(plan: Plan) -> str:
    return STATUS_TAGS[PlanStatus(plan.status)]


def _writable(request: HttpRequest, plan_id: Any) -> Plan:
    """The plan, if the user may change it, with its pupil; else ``Http404``."""
    found = access.get_plan_for_user(request.user, plan_id, write=True)
    return Plan.objects.select_related("pupil", "pupil__school", "school").get(pk=found.pk)


def _audit_pupil_read(request: HttpRequest, pupil: Pupil) -> None:
    """A page naming the pupil is a read of the pupil's record."""
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        source=audit_source(request),
        obj=pupil,
        detail=grant_detail(request.user, pupil, SharedItem.PLANS) or None,
    )


# Opening a plan --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan_new(request: HttpRequest, pupil_id: str) -> HttpResponse:
    """Open a plan for a pupil: the school's case workers only (other staff get 404)."""
    user = request.user
    pupil = access.get_casework_pupil_for_user(user, pupil_id, write=True)
    leads = list(plan_services.plan_case_workers(pupil=pupil))
    open_plan = plan_selectors.pupil_plans(user=user, pupil=pupil).exclude(status=PlanStatus.CLOSED)
    form = PlanForm(
        request.POST if request.method == "POST" else None,
        leads=leads,
        opening=True,
        initial={"lead_professional": str(user.pk)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = plan_services.plan_open(
                actor=user,
                pupil=pupil,
                lead_professional_id=data["lead_professional"],
                concerns=data["concerns"],
                goals=data["goals"],
                next_review_on=data["next_review_on"],
                source=audit_source(request),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Plan opened.")
            return redirect("casework-plan", plan_id=plan.pk)
    _audit_pupil_read(request, pupil)
    return render(
        request,
        "casework/plan_form.html",
        {
            "form": form,
            "pupil": pupil,
            "plan": None,
            "open_plan": open_plan.first(),
            "read_only": pupil_transfer_pending(pupil) is not None,
        },
        status=400 if form.errors else 200,
    )


# The plan ----------------------------------------------------------------------------------------


def _plan_page(
    request: HttpRequest, plan: Plan, *, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    can_change = access.can_open_casework(user, plan.school)
    pending = pupil_transfer_pending(plan.pupil) if can_change else None
    today = timezone.localdate()
    actions = plan_selectors.plan_actions(plan=plan)
    return render(
        request,
        "casework/plan_detail.html",
        {
            "plan": plan,
            "pupil": plan.pupil,
            "status_tag": _status_tag(plan),
            "actions": actions,
            "overdue_ids": {a.pk for a in actions if a.done_at is None and a.due_on < today},
            "reviews": list(plan_selectors.plan_reviews(plan=plan)),
            "referrals": referral_selectors.referrals_audit_listing(
                user=user,
                referrals=plan_selectors.plan_referrals(user=user, plan=plan),
                source=audit_source(request),
                pupil=plan.pupil,
            ),
            "review_overdue": (
                plan.status != PlanStatus.CLOSED
                and plan.next_review_on is not None
                and plan.next_review_on < today
            ),
            "can_change": can_change and pending is None,
            "read_only_transfer": pending is not None,
            "is_closed": plan.status == PlanStatus.CLOSED,
            "under_review": plan.status == PlanStatus.UNDER_REVIEW,
            "errors": errors or [],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def plan_detail(request: HttpRequest, plan_id: str) -> HttpResponse:
    plan = plan_selectors.plan_get(user=request.user, plan_id=plan_id, source=audit_source(request))
    return _plan_page(request, plan)


def _form_page(
    request: HttpRequest,
    plan: Plan,
    form: forms.Form,
    *,
    template: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A form about the plan, with its errors if it has any; showing it is a read of the
    plan."""
    plan_selectors.plan_audit_read(user=request.user, plan=plan, source=audit_source(request))
    return render(
        request,
        template,
        {"form": form, "plan": plan, "pupil": plan.pupil, **(extra or {})},
        status=400 if form.errors else 200,
    )


def _run(request: HttpRequest, form: forms.Form, step: Callable[[dict[str, Any]], object]) -> bool:
    """Run the service with the form's data once it is valid; its errors go on the form."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        step(form.cleaned_data)
    except ValidationError as error:
        form.add_service_errors(error)  # type: ignore[attr-defined]
        return False
    return True


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan_edit(request: HttpRequest, plan_id: str) -> HttpResponse:
    plan = _writable(request, plan_id)
    posted = request.POST if request.method == "POST" else None
    form = PlanForm(
        posted,
        leads=_leads_with_current(plan),
        opening=False,
        initial={
            "lead_professional": str(plan.lead_professional_id),
            "concerns": plan.concerns,
            "goals": plan.goals,
        },
    )

    def step(data: dict[str, Any]) -> object:
        return plan_services.plan_update(
            actor=request.user,
            plan=plan,
            lead_professional_id=data["lead_professional"],
            concerns=data["concerns"],
            goals=data["goals"],
            source=audit_source(request),
        )

    if _run(request, form, step):
        messages.success(request, "Plan changed.")
        return redirect("casework-plan", plan_id=plan.pk)
    return _form_page(request, plan, form, template="casework/plan_form.html")


def _leads_with_current(plan: Plan) -> list[Any]:
    """The school's case workers, and the current lead even if they have left the school."""
    leads = list(plan_services.plan_case_workers(pupil=plan.pupil))
    if all(user.pk != plan.lead_professional_id for user in leads):
        leads.insert(0, plan.lead_professional)
    return leads


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan_action_new(request: HttpRequest, plan_id: str) -> HttpResponse:
    plan = _writable(request, plan_id)
    form = PlanActionForm(
        request.POST if request.method == "POST" else None,
        owners=plan_services.plan_case_workers(pupil=plan.pupil),
    )

    def step(data: dict[str, Any]) -> object:
        return plan_services.plan_action_add(
            actor=request.user,
            plan=plan,
            description=data["description"],
            owner_id=data["owner"],
            owner_name=data["owner_name"],
            owner_organisation=data["owner_organisation"],
            due_on=data["due_on"],
            source=audit_source(request),
        )

    if _run(request, form, step):
        messages.success(request, "Action added.")
        return redirect("casework-plan", plan_id=plan.pk)
    return _form_page(request, plan, form, template="casework/plan_action_form.html")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan_review_new(request: HttpRequest, plan_id: str) -> HttpResponse:
    plan = _writable(request, plan_id)
    form = PlanReviewForm(
        request.POST if request.method == "POST" else None,
        initial={"held_on": timezone.localdate()},
    )

    def step(data: dict[str, Any]) -> object:
        return plan_services.plan_review_record(
            actor=request.user,
            plan=plan,
            held_on=data["held_on"],
            notes=data["notes"],
            next_review_on=data["next_review_on"],
            source=audit_source(request),
        )

    if _run(request, form, step):
        messages.success(request, "Review recorded.")
        return redirect("casework-plan", plan_id=plan.pk)
    return _form_page(request, plan, form, template="casework/plan_review_form.html")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan_close(request: HttpRequest, plan_id: str) -> HttpResponse:
    plan = _writable(request, plan_id)
    form = PlanCloseForm(request.POST if request.method == "POST" else None)

    def step(data: dict[str, Any]) -> object:
        return plan_services.plan_close(
            actor=request.user, plan=plan, outcome=data["outcome"], source=audit_source(request)
        )

    if _run(request, form, step):
        messages.success(request, "Plan closed.")
        return redirect("casework-plan", plan_id=plan.pk)
    return _form_page(request, plan, form, template="casework/plan_close_form.html")


def _button_step(
    request: HttpRequest, plan: Plan, form: forms.Form, step: Callable[[], object], done: str
) -> HttpResponse:
    """A step taken with a button on the plan's page: back to the page with ``done``, or the
    page again with the error, nothing changed."""
    errors: list[str] = []
    if form.is_valid():
        try:
            step()
        except ValidationError as error:
            errors = [text for texts in error.message_dict.values() for text in texts]
        else:
            messages.success(request, done)
            return redirect("casework-plan", plan_id=plan.pk)
    else:
        errors = [str(text) for texts in form.errors.values() for text in texts]
    plan = plan_selectors.plan_get(user=request.user, plan_id=plan.pk, source=audit_source(request))
    return _plan_page(request, plan, errors=errors, status=400)


@login_required
@require_POST
def plan_action_done(request: HttpRequest, plan_id: str, action_id: str) -> HttpResponse:
    plan = _writable(request, plan_id)
    try:
        action = plan.actions.get(pk=action_id)
    except (PlanAction.DoesNotExist, ValidationError, ValueError):
        raise Http404("No action found.") from None
    return _button_step(
        request,
        plan,
        ConfirmForm(request.POST),
        lambda: plan_services.plan_action_complete(
            actor=request.user, action=action, source=audit_source(request)
        ),
        "Action marked as done.",
    )


@login_required
@require_POST
def plan_status(request: HttpRequest, plan_id: str) -> HttpResponse:
    plan = _writable(request, plan_id)
    form = PlanStatusForm(request.POST)
    return _button_step(
        request,
        plan,
        form,
        lambda: plan_services.plan_status_set(
            actor=request.user,
            plan=plan,
            status=form.cleaned_data["status"],
            source=audit_source(request),
        ),
        "Plan status changed.",
    )


@login_required
@require_POST
def plan_reopen(request: HttpRequest, plan_id: str) -> HttpResponse:
    plan = _writable(request, plan_id)
    return _button_step(
        request,
        plan,
        ConfirmForm(request.POST),
        lambda: plan_services.plan_reopen(
            actor=request.user, plan=plan, source=audit_source(request)
        ),
        "Plan reopened.",
    )


urlpatterns: list[URLPattern] = [
    path("pupils/<uuid:pupil_id>/plans/new/", plan_new, name="casework-new-plan"),
    path("plans/<uuid:plan_id>/", plan_detail, name="casework-plan"),
    path("plans/<uuid:plan_id>/edit/", plan_edit, name="casework-edit-plan"),
    path("plans/<uuid:plan_id>/actions/new/", plan_action_new, name="casework-new-plan-action"),
    path(
        "plans/<uuid:plan_id>/actions/<uuid:action_id>/done/",
        plan_action_done,
        name="casework-done-plan-action",
    ),
    path("plans/<uuid:plan_id>/reviews/new/", plan_review_new, name="casework-new-plan-review"),
    path("plans/<uuid:plan_id>/status/", plan_status, name="casework-plan-status"),
    path("plans/<uuid:plan_id>/close/", plan_close, name="casework-close-plan"),
    path("plans/<uuid:plan_id>/reopen/", plan_reopen, name="casework-reopen-plan"),
]


# The pupil's page and the landing page -----------------------------------------------------------


def pupil_panel(request: HttpRequest, pupil: Pupil) -> dict[str, Any] | None:
    """The pupil's plans, the one not closed first, for the school's case workers and for
    practitioners whose grant names plans; each plan listed is audited."""
    user = request.user
    if not access.can_read_pupil_item(user, pupil, SharedItem.PLANS):
        return None
    plans = plan_selectors.plans_audit_listing(
        user=user,
        plans=plan_selectors.pupil_plans(user=user, pupil=pupil),
        source=audit_source(request),
        pupil=pupil,
    )
    can_write = access.can_open_casework(user, pupil.school)
    return {
        "pupil": pupil,
        "plans": [(plan, _status_tag(plan)) for plan in plans],
        "can_open": (
            can_write
            and all(plan.status == PlanStatus.CLOSED for plan in plans)
            and pupil_transfer_pending(pupil) is None
        ),
        "today": timezone.localdate(),
    }


def landing_panel(request: HttpRequest) -> dict[str, Any] | None:
    """The plan actions the user owns that are overdue and the plans they lead that are past
    their review date; nothing for those who do no casework and owe nothing. The plans named
    (with their pupils) are audited as a listing."""
    user = request.user
    owed = plan_selectors.landing_plans(user=user)
    if owed.empty and not (access.roles_of(user) & access.CASEWORK_ROLES):
        return None
    named = {action.plan.pk: action.plan for action in owed.overdue_actions}
    named.update({plan.pk: plan for plan in owed.overdue_reviews})
    plan_selectors.plans_audit_listing(
        user=user, plans=named.values(), source=audit_source(request)
    )
    return {"owed": owed}
