"""A partnership's information-sharing agreements: the list with reviews due, one agreement as a
page and as a printable PDF, and recording and changing one.

Agreements hold no personal data: everyone in the partnership and its partner agencies read
them; its schools' leaders and the area's administrators keep them (``access``).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from saferschools.core import access
from saferschools.core.audit import audit_record, audit_source
from saferschools.core.models import Agency, AuditAction, Partnership
from saferschools.lib.pdf import pdf_render, pdf_response

from . import agreement_services, selectors
from .agreement_forms import AgreementForm, agreement_initial
from .models import InformationSharingAgreement, LawfulBasis, SpecialCondition


def _agencies(user: Any, partnership: Partnership) -> list[Agency]:
    """The agencies that may be party to the partnership's agreements: those of its area."""
    return list(access.scope(user, Agency).filter(area_id=partnership.area_id).order_by("name"))


def _labels(agreement: InformationSharingAgreement) -> dict[str, Any]:
    return {
        "agreement": agreement,
        "lawful_basis": LawfulBasis(agreement.lawful_basis).label,
        "special_condition": SpecialCondition(agreement.special_condition).label,
    }


@login_required
@require_safe
def agreement_list(request: HttpRequest, partnership_id: str) -> HttpResponse:
    user = request.user
    partnership = access.get_partnership_for_user(user, partnership_id)
    agreements = list(selectors.agreement_list(user=user, partnership=partnership))
    return render(
        request,
        "sharing/agreement_list.html",
        {
            "partnership": partnership,
            "agreements": agreements,
            "overdue": sum(1 for agreement in agreements if agreement.review_overdue),
            "can_keep": access.can_keep_agreements(user, partnership),
        },
    )


def _form_page(
    request: HttpRequest,
    *,
    partnership: Partnership,
    form: AgreementForm,
    agreement: InformationSharingAgreement | None = None,
) -> HttpResponse:
    return render(
        request,
        "sharing/agreement_form.html",
        {"partnership": partnership, "form": form, "agreement": agreement},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def agreement_new(request: HttpRequest, partnership_id: str) -> HttpResponse:
    user = request.user
    partnership = access.get_partnership_for_user(user, partnership_id)
    if not access.can_keep_agreements(user, partnership):
        raise Http404("No partnership found.")
    agencies = _agencies(user, partnership)
    if request.method != "POST":
        return _form_page(request, partnership=partnership, form=AgreementForm(agencies=agencies))
    form = AgreementForm(request.POST, agencies=agencies)
    if form.is_valid():
        try:
            agreement = agreement_services.agreement_create(
                actor=user,
                partnership=partnership,
                data=form.agreement_input(),
                source=audit_source(request),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Agreement “{agreement.title}” recorded.")
            return redirect("sharing-agreement", agreement_id=agreement.pk)
    return _form_page(request, partnership=partnership, form=form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def agreement_edit(request: HttpRequest, agreement_id: str) -> HttpResponse:
    user = request.user
    agreement = selectors.agreement_get(user=user, agreement_id=agreement_id, write=True)
    partnership = agreement.partnership
    agencies = _agencies(user, partnership)
    if request.method != "POST":
        form = AgreementForm(initial=agreement_initial(agreement), agencies=agencies)
        return _form_page(request, partnership=partnership, form=form, agreement=agreement)
    form = AgreementForm(request.POST, agencies=agencies)
    if form.is_valid():
        try:
            changed = agreement_services.agreement_update(
                actor=user,
                agreement=agreement,
                data=form.agreement_input(),
                source=audit_source(request),
            )
        except ValidationError as error:
            form.add_service_errors(error)
            if "version" in error.message_dict:
                # Saving again, having seen the error, replaces the version there is now.
                resent = request.POST.copy()
                resent["version"] = str(
                    InformationSharingAgreement.objects.values_list("version", flat=True).get(
                        pk=agreement.pk
                    )
                )
                form.data = resent
        else:
            messages.success(
                request, f"Agreement “{changed.title}” changed: this is version {changed.version}."
            )
            return redirect("sharing-agreement", agreement_id=changed.pk)
    return _form_page(request, partnership=partnership, form=form, agreement=agreement)


@login_required
@require_safe
def agreement_detail(request: HttpRequest, agreement_id: str) -> HttpResponse:
    user = request.user
    agreement = selectors.agreement_get(user=user, agreement_id=agreement_id)
    context = _labels(agreement)
    context["can_keep"] = access.can_keep_agreements(user, agreement.partnership)
    return render(request, "sharing/agreement_detail.html", context)


@login_required
@require_safe
def agreement_pdf(request: HttpRequest, agreement_id: str) -> HttpResponse:
    """The agreement as a document to print and sign; the download is in the audit log."""
    user = request.user
    agreement = selectors.agreement_get(user=user, agreement_id=agreement_id)
    context = _labels(agreement)
    context["printed_at"] = timezone.localtime()
    pdf = pdf_render(template="sharing/pdf/agreement.html", context=context)
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        source=audit_source(request),
        obj=agreement,
        detail={"format": "pdf", "version": agreement.version},
    )
    return pdf_response(pdf, filename=f"sharing-agreement-v{agreement.version}.pdf")


urlpatterns: list[URLPattern] = [
    path(
        "partnerships/<uuid:partnership_id>/sharing-agreements/",
        agreement_list,
        name="sharing-agreements",
    ),
    path(
        "partnerships/<uuid:partnership_id>/sharing-agreements/new/",
        agreement_new,
        name="sharing-new-agreement",
    ),
    path("sharing-agreements/<uuid:agreement_id>/", agreement_detail, name="sharing-agreement"),
    path(
        "sharing-agreements/<uuid:agreement_id>/edit/",
        agreement_edit,
        name="sharing-edit-agreement",
    ),
    path(
        "sharing-agreements/<uuid:agreement_id>/pdf/",
        agreement_pdf,
        name="sharing-agreement-pdf",
    ),
]
