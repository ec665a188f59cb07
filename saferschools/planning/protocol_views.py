"""The partnership's aims and desired outcomes, and its protocol: the latest version and the
earlier ones, writing a new version, each partner's sign-off and the printable PDF.

Everyone whose role reaches the partnership reads them; its head teachers, steering group and
the area's administrators keep them (``access.can_govern``); a partner's people sign for it
(``access.can_sign_for_agency``, ``access.can_sign_for_school``).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from saferschools.core import access
from saferschools.core.audit import audit_record, audit_source
from saferschools.core.models import Agency, AuditAction, Partnership, School
from saferschools.lib.pdf import pdf_render, pdf_response

from . import protocol_selectors as selectors
from . import protocol_services
from .models import Protocol
from .protocol_forms import (
    AIM_TITLES,
    AimsForm,
    ProtocolForm,
    ProtocolSignForm,
    aims_initial,
    protocol_initial,
)

# Aims and desired outcomes --------------------------------------------------------------------


@login_required
@require_safe
def aims(request: HttpRequest, partnership_id: str) -> HttpResponse:
    user = request.user
    partnership = access.get_governed_partnership_for_user(user, partnership_id)
    chosen = selectors.aims_list(user=user, partnership=partnership)
    return render(
        request,
        "planning/aims.html",
        {
            "partnership": partnership,
            "aims": [(aim, AIM_TITLES.get(aim.aim, "")) for aim in chosen],
            "can_govern": access.can_govern(user, partnership),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def aims_edit(request: HttpRequest, partnership_id: str) -> HttpResponse:
    user = request.user
    partnership = access.get_governed_partnership_for_user(user, partnership_id, write=True)
    if request.method != "POST":
        initial, others = aims_initial(selectors.aims_list(user=user, partnership=partnership))
        form = AimsForm(initial=initial, others=others)
    else:
        form = AimsForm(request.POST, others=AimsForm.others_in(request.POST))
        if form.is_valid():
            try:
                saved = protocol_services.partnership_aims_save(
                    actor=user,
                    partnership=partnership,
                    aims=form.aims_input(),
                    source=audit_source(request),
                )
            except ValidationError as error:
                for key, texts in error.message_dict.items():
                    for text in texts:
                        form.add_error(key if key in form.fields else None, text)
            else:
                if saved.changed:
                    messages.success(request, "The partnership's aims and outcomes are saved.")
                else:
                    messages.info(request, "Nothing was changed.")
                return redirect("planning-aims", partnership_id=partnership.pk)
    return render(
        request,
        "planning/aims_form.html",
        {"partnership": partnership, "form": form, "rows": form.rows()},
        status=400 if form.errors else 200,
    )


# The protocol -----------------------------------------------------------------------------------


def _protocol_page(
    request: HttpRequest,
    partnership: Partnership,
    protocol: Protocol | None,
    *,
    sign_errors: list[str] | None = None,
) -> HttpResponse:
    """The latest version, or an earlier one, with the list of versions and what the user may
    do; ``sign_errors`` when a signature was refused (status 400)."""
    user = request.user
    versions = selectors.protocol_versions(user=user, partnership=partnership)
    latest_version = versions[0].version if versions else 0
    context: dict[str, Any] = {
        "partnership": partnership,
        "protocol": protocol,
        "versions": versions,
        "latest_version": latest_version,
        "can_govern": access.can_govern(user, partnership),
        "sign_errors": sign_errors or [],
    }
    if protocol is not None:
        status = selectors.protocol_status(
            partnership=partnership, protocol=protocol, latest_version=latest_version
        )
        context["status"] = status
        context["signable"] = {
            partner.pk
            for partner in (
                selectors.signable_partners(user=user, protocol=protocol) if status.latest else []
            )
        }
    return render(request, "planning/protocol.html", context, status=400 if sign_errors else 200)


@login_required
@require_safe
def protocol_detail(request: HttpRequest, partnership_id: str) -> HttpResponse:
    partnership = access.get_governed_partnership_for_user(request.user, partnership_id)
    protocol = selectors.protocol_latest(user=request.user, partnership=partnership)
    return _protocol_page(request, partnership, protocol)


@login_required
@require_safe
def protocol_version(request: HttpRequest, partnership_id: str, version: int) -> HttpResponse:
    partnership = access.get_governed_partnership_for_user(request.user, partnership_id)
    protocol = selectors.protocol_get(user=request.user, partnership=partnership, version=version)
    return _protocol_page(request, partnership, protocol)


@login_required
@require_safe
def protocol_pdf(request: HttpRequest, partnership_id: str, version: int) -> HttpResponse:
    """A version of the protocol as a document to print, with each partner's sign-off; the
    download is in the audit log."""
    user = request.user
    partnership = access.get_governed_partnership_for_user(user, partnership_id)
    protocol = selectors.protocol_get(user=user, partnership=partnership, version=version)
    versions = selectors.protocol_versions(user=user, partnership=partnership)
    status = selectors.protocol_status(
        partnership=partnership, protocol=protocol, latest_version=versions[0].version
    )
    pdf = pdf_render(
        template="planning/protocol_pdf.html",
        context={
            "partnership": partnership,
            "protocol": protocol,
            "status": status,
            "latest_version": versions[0].version,
            "printed_at": timezone.localtime(),
        },
    )
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        source=audit_source(request),
        obj=protocol,
        detail={"format": "pdf", "version": protocol.version},
    )
    return pdf_response(pdf, filename=f"protocol-v{protocol.version}.pdf")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def protocol_edit(request: HttpRequest, partnership_id: str) -> HttpResponse:
    """Write the next version of the protocol, starting from the latest one."""
    user = request.user
    partnership = access.get_governed_partnership_for_user(user, partnership_id, write=True)
    latest = selectors.protocol_latest(user=user, partnership=partnership)
    options: dict[str, Any] = {
        "schools": partnership.schools.order_by("name", "urn"),
        "agencies": access.scope(user, Agency).filter(area_id=partnership.area_id).order_by("name"),
        "agreements": selectors.partnership_agreements(user=user, partnership=partnership),
    }
    if request.method != "POST":
        form = ProtocolForm(initial=protocol_initial(latest), **options)
    else:
        form = ProtocolForm(request.POST, **options)
        if form.is_valid():
            try:
                protocol = protocol_services.protocol_save(
                    actor=user,
                    partnership=partnership,
                    data=form.protocol_input(),
                    based_on_version=form.cleaned_data.get("version"),
                    source=audit_source(request),
                )
            except ValidationError as error:
                form.add_service_errors(error)
                if "version" in error.message_dict:
                    # Saving again, having seen the error, replaces the version there is now.
                    resent = request.POST.copy()
                    resent["version"] = str(
                        Protocol.objects.filter(partnership=partnership)
                        .order_by("-version")
                        .values_list("version", flat=True)
                        .first()
                        or ""
                    )
                    form.data = resent
            else:
                messages.success(
                    request,
                    f"Version {protocol.version} of the protocol is saved. Each partner now "
                    "signs it.",
                )
                return redirect("planning-protocol", partnership_id=partnership.pk)
    return render(
        request,
        "planning/protocol_form.html",
        {"partnership": partnership, "form": form, "latest": latest},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def protocol_sign(request: HttpRequest, partnership_id: str) -> HttpResponse:
    """Sign the latest version for one partner; refused (400, the page again) for a version
    since replaced, a partner the user cannot sign for, or one that has signed."""
    user = request.user
    partnership = access.get_governed_partnership_for_user(user, partnership_id)
    latest = selectors.protocol_latest(user=user, partnership=partnership)
    if latest is None:
        raise Http404("No protocol found.")
    form = ProtocolSignForm(request.POST)
    if not form.is_valid():
        errors = [str(text) for texts in form.errors.values() for text in texts]
        return _protocol_page(request, partnership, latest, sign_errors=errors)
    data = form.cleaned_data
    if data["version"] != latest.version:
        return _protocol_page(
            request,
            partnership,
            latest,
            sign_errors=[
                f"Version {data['version']} of the protocol has been replaced by version "
                f"{latest.version} since you opened it: read version {latest.version}, then "
                "sign it"
            ],
        )
    agency = school = None
    if data["agency"] is not None:
        agency = Agency.objects.filter(pk=data["agency"], area_id=partnership.area_id).first()
    else:
        school = School.objects.filter(pk=data["school"], area_id=partnership.area_id).first()
    if agency is None and school is None:
        return _protocol_page(
            request,
            partnership,
            latest,
            sign_errors=[f"Choose a partner named in version {latest.version} of the protocol"],
        )
    try:
        partner = protocol_services.protocol_sign(
            actor=user,
            protocol=latest,
            agency=agency,
            school=school,
            source=audit_source(request),
        )
    except ValidationError as error:
        errors = [str(text) for texts in error.message_dict.values() for text in texts]
        fresh = selectors.protocol_latest(user=user, partnership=partnership)
        return _protocol_page(request, partnership, fresh, sign_errors=errors)
    messages.success(
        request, f"You signed version {latest.version} of the protocol for {partner.name}."
    )
    return redirect("planning-protocol", partnership_id=partnership.pk)


def landing_panel(request: HttpRequest) -> dict[str, Any] | None:
    """The protocols awaiting the user's signature for a partner; None when none does."""
    partners = selectors.protocols_to_sign(user=request.user)
    if not partners:
        return None
    return {"partners": partners}


urlpatterns: list[URLPattern] = [
    path("partnerships/<uuid:partnership_id>/aims/", aims, name="planning-aims"),
    path("partnerships/<uuid:partnership_id>/aims/edit/", aims_edit, name="planning-aims-edit"),
    path(
        "partnerships/<uuid:partnership_id>/protocol/",
        protocol_detail,
        name="planning-protocol",
    ),
    path(
        "partnerships/<uuid:partnership_id>/protocol/edit/",
        protocol_edit,
        name="planning-protocol-edit",
    ),
    path(
        "partnerships/<uuid:partnership_id>/protocol/sign/",
        protocol_sign,
        name="planning-protocol-sign",
    ),
    path(
        "partnerships/<uuid:partnership_id>/protocol/v<int:version>/",
        protocol_version,
        name="planning-protocol-version",
    ),
    path(
        "partnerships/<uuid:partnership_id>/protocol/v<int:version>.pdf",
        protocol_pdf,
        name="planning-protocol-pdf",
    ),
]
