"""Sharing decisions' pages: recording one for a pupil, its page, revoking a share, a
practitioner's grants, and the parts of a pupil's page and of the landing page about sharing.

Pupils and decisions are fetched through the access policy (out of scope is "not found", as for
what does not exist); every page that names a pupil audits the read, naming the grant when that
is how the reader reaches the pupil; every change is a service call that writes the audit log.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from saferschools.accounts.models import Role
from saferschools.casework.models import Pupil
from saferschools.casework.records import pupil_transfer_pending
from saferschools.casework.selectors import grant_detail
from saferschools.core import access
from saferschools.core.audit import audit_source
from saferschools.lib.text import text_clean

from . import decision_services, selectors
from .decision_forms import RevokeForm, SharingDecisionForm
from .models import (
    Consent,
    Decision,
    GoldenRule,
    InformationSharingAgreement,
    LawfulBasis,
    SharedItem,
    SharingDecision,
    SpecialCondition,
)

# The pupil's page lists this many decisions, newest first.
PANEL_LIMIT = 50


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Status:
    """Where a decision stands today, as a tag and a sentence."""

    label: str
    tag: str
    text: str
    live: bool = False


def decision_status(decision: SharingDecision, today: date | None = None) -> Status:
    today = today or timezone.localdate()
    if decision.decision != Decision.SHARE:
        return Status("Not shared", "govuk-tag--grey", "Decided not to share")
    if decision.revoked_at is not None:
        moment = timezone.localtime(decision.revoked_at)
        by = decision.revoked_by
        who = (by.full_name or by.email) if by is not None else ""
        return Status(
            "Revoked",
            "govuk-tag--red",
            f"Revoked on {_day(moment.date())} at {moment:%H:%M}" + (f" by {who}" if who else ""),
        )
    if decision.expires_on is None or not decision.live_on(today):
        ended = _day(decision.expires_on) if decision.expires_on else ""
        return Status("Expired", "govuk-tag--grey", f"Expired: access ended as {ended} began")
    return Status(
        "Live",
        "govuk-tag--green",
        f"Live until {_day(decision.expires_on)} begins",
        live=True,
    )


def _labels(choices: Any, values: list[str]) -> list[str]:
    return [str(choices(value).label) for value in values if value in choices.values]


def _form_args(user: Any, pupil: Pupil) -> dict[str, Any]:
    agencies = list(selectors.decision_agencies(user=user, school=pupil.school))
    return {
        "agencies": agencies,
        "practitioners": selectors.decision_practitioners(agencies=agencies),
        "agreements": selectors.decision_agreements(user=user, school=pupil.school),
    }


# Recording a decision ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def decision_new(request: HttpRequest, pupil_id: str) -> HttpResponse:
    """A sharing decision about a pupil, by a case worker of the pupil's school."""
    user = request.user
    pupil = access.get_casework_pupil_for_user(user, pupil_id, write=True)
    pending = pupil_transfer_pending(pupil)
    form = SharingDecisionForm(
        request.POST if request.method == "POST" and pending is None else None,
        **_form_args(user, pupil),
    )
    if form.is_bound and form.is_valid():
        try:
            decision = decision_services.sharing_decision_record(
                actor=user,
                pupil=pupil,
                data=form.decision_input(),
                source=audit_source(request),
                ignore_repeat=True,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if decision.expires_on is not None:
                messages.success(
                    request,
                    f"Decision recorded: {decision.agency.name} has access to {pupil.name}'s "
                    f"record until {_day(decision.expires_on)} begins. Its practitioners have "
                    "been told.",
                )
            else:
                messages.success(
                    request, f"Decision recorded: not to share with {decision.agency.name}."
                )
            return redirect("sharing-decision", decision_id=decision.pk)
    # The page names the pupil: a read of their record.
    selectors.casework_pupil_get(
        user=user, pupil_id=pupil.pk, source=audit_source(request), write=True
    )
    refused = form.errors or (request.method == "POST" and pending is not None)
    return render(
        request,
        "sharing/decision_form.html",
        {"pupil": pupil, "form": form, "pending": pending},
        status=400 if refused else 200,
    )


# A decision's page and revoking it -------------------------------------------------------------


def _decision_context(user: Any, decision: SharingDecision) -> dict[str, Any]:
    status = decision_status(decision)
    case_worker = access.can_open_casework(user, decision.school)
    return {
        "decision": decision,
        "status": status,
        "items": _labels(SharedItem, list(decision.items or [])),
        "golden_rules": GoldenRule.labels,
        "lawful_basis": LawfulBasis(decision.lawful_basis).label,
        "special_condition": SpecialCondition(decision.special_condition).label,
        "consent": Consent(decision.consent).label,
        "case_worker": case_worker,
        "can_revoke": status.live
        and access.scope(user, SharingDecision, write=True).filter(pk=decision.pk).exists(),
        "agreement_readable": decision.agreement_id is not None
        and access.scope(user, InformationSharingAgreement)
        .filter(pk=decision.agreement_id)
        .exists(),
    }


@login_required
@require_safe
def decision_detail(request: HttpRequest, decision_id: str) -> HttpResponse:
    decision = selectors.decision_get(
        user=request.user, decision_id=decision_id, source=audit_source(request)
    )
    return render(
        request, "sharing/decision_detail.html", _decision_context(request.user, decision)
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def decision_revoke(request: HttpRequest, decision_id: str) -> HttpResponse:
    """End a live share at once, with the reason why; the grantees are told."""
    user = request.user
    source = audit_source(request)
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        decision = access.get_sharing_decision_for_user(user, decision_id, write=True)
        if (
            form.is_valid()
            and decision.revoked_by_id == user.pk
            and decision.revoke_reason
            == text_clean(
                form.cleaned_data["reason"],
                field="reason",
                max_length=decision_services.REASON_MAX,
            )
        ):
            # The same form sent again (a second press of the button): it is done already.
            messages.info(request, "Access had already been revoked.")
            return redirect("sharing-decision", decision_id=decision.pk)
        if form.is_valid():
            try:
                revoked = decision_services.sharing_decision_revoke(
                    actor=user, decision=decision, reason=form.cleaned_data["reason"], source=source
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    f"Access revoked: {revoked.agency.name} no longer sees this pupil's record. "
                    "Its practitioners have been told.",
                )
                return redirect("sharing-decision", decision_id=revoked.pk)
    decision = selectors.decision_get(user=user, decision_id=decision_id, source=source, write=True)
    context = _decision_context(user, decision)
    context["form"] = form
    return render(
        request, "sharing/decision_revoke.html", context, status=400 if form.errors else 200
    )


# A practitioner's grants ---------------------------------------------------------------------


@dataclass(frozen=True)
class GrantRow:
    grant: SharingDecision
    items: list[str]
    status: Status

    @property
    def last_day(self) -> date | None:
        """The last whole day of access: a grant ends as its expiry date begins."""
        expires = self.grant.expires_on
        return expires - timedelta(days=1) if expires is not None else None


@login_required
@require_safe
def shared_with_me(request: HttpRequest) -> HttpResponse:
    """The pupils' records shared with the practitioner today, newest first."""
    user = request.user
    if Role.AGENCY_PRACTITIONER not in access.roles_of(user):
        raise Http404("No page found.")
    grants = selectors.grants_shown(user=user, source=audit_source(request))
    today = timezone.localdate()
    rows = [
        GrantRow(grant, _labels(SharedItem, list(grant.items or [])), decision_status(grant, today))
        for grant in grants
    ]
    return render(request, "sharing/shared_with_me.html", {"rows": rows})


# Parts of other pages --------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionRow:
    decision: SharingDecision
    status: Status
    lawful_basis: str


def pupil_panel(request: HttpRequest, pupil: Pupil) -> dict[str, Any] | None:
    """The sharing decisions about the pupil: all of them for the school's case workers, with
    the way to record one; a practitioner's own live grant. None for anyone else."""
    user = request.user
    case_worker = access.can_open_casework(user, pupil.school)
    decisions = list(selectors.pupil_decisions(user=user, pupil=pupil)[: PANEL_LIMIT + 1])
    if not case_worker and not decisions:
        return None
    shown = selectors.decision_audit_listing(
        user=user,
        decisions=decisions[:PANEL_LIMIT],
        source=audit_source(request),
        **grant_detail(user, pupil),
    )
    today = timezone.localdate()
    return {
        "pupil": pupil,
        "case_worker": case_worker,
        "can_record": case_worker and pupil_transfer_pending(pupil) is None,
        "rows": [
            DecisionRow(d, decision_status(d, today), LawfulBasis(d.lawful_basis).label)
            for d in shown
        ],
        "more": len(decisions) > PANEL_LIMIT,
    }


def landing_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Agreements whose review is due or overdue, for those who keep them; None when none is."""
    agreements = selectors.agreements_due(user=request.user)
    if not agreements:
        return None
    return {
        "agreements": agreements,
        "overdue": sum(1 for agreement in agreements if agreement.review_overdue),
    }


urlpatterns: list[URLPattern] = [
    path(
        "pupils/<uuid:pupil_id>/sharing-decisions/new/",
        decision_new,
        name="sharing-new-decision",
    ),
    path("sharing-decisions/<uuid:decision_id>/", decision_detail, name="sharing-decision"),
    path(
        "sharing-decisions/<uuid:decision_id>/revoke/",
        decision_revoke,
        name="sharing-revoke-decision",
    ),
    path("shared-with-me/", shared_with_me, name="sharing-shared-with-me"),
]
