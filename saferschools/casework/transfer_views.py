"""Moving school: sending a pupil's safeguarding record, the transfer's page with the record and
the confirmation of receipt, the sealed PDF for a school that does not use the product, and the
parts of the pupil's page and the landing page about transfers.

Pupils and transfers are fetched through the access policy (out of scope is "not found"); only
the leaders of the pupil's school send a record, only the receiving school's leaders confirm it.
"""

import base64
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from saferschools.core.audit import audit_source

from . import selectors
from . import transfer_selectors as transfers
from . import transfer_services as services
from .models import Pupil, PupilTransfer, TransferStatus
from .records import pupil_transfer_pending
from .transfer_forms import (
    NEW_PUPIL,
    TransferConfirmForm,
    TransferSendForm,
    add_service_errors,
)


def _search(request: HttpRequest) -> str:
    # NUL cannot be stored or searched for in PostgreSQL text; it is never part of a name.
    source = request.POST if request.method == "POST" else request.GET
    return source.get("q", "").replace("\x00", "").strip()[:100]


@login_required
@require_http_methods(["GET", "POST"])
def transfer_new(request: HttpRequest, pupil_id: str) -> HttpResponse:
    """Send the pupil's record to the school they move to: one of the area's schools that use
    the product (found by name or URN), or, by name, one that does not."""
    pupil = transfers.pupil_for_sending(request.user, pupil_id)
    query = _search(request)
    candidates = transfers.receiving_schools(pupil=pupil)
    if query:
        candidates = transfers.school_search(candidates, query)
    shown = list(candidates[: transfers.SCHOOL_CHOICES_MAX + 1])
    form = TransferSendForm(
        request.POST if request.method == "POST" else None,
        schools=shown[: transfers.SCHOOL_CHOICES_MAX],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if form.outside:
                transfer = services.transfer_export(
                    actor=request.user,
                    pupil=pupil,
                    to_school_name=data["to_school_name"],
                    reason=data["reason"],
                    notes=data["notes"],
                    source=audit_source(request),
                )
                messages.success(
                    request,
                    "The record is ready to export. Make the sealed PDF and note its passphrase.",
                )
            else:
                transfer = services.transfer_send(
                    actor=request.user,
                    pupil=pupil,
                    to_school=form.school,
                    reason=data["reason"],
                    notes=data["notes"],
                    source=audit_source(request),
                )
                messages.success(
                    request,
                    "The record has been sent. It is read-only here until the receiving school "
                    "confirms receipt.",
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("casework-transfer", transfer_id=transfer.pk)
    if request.method == "GET":
        form.initial["q"] = query
    return render(
        request,
        "casework/transfer_send.html",
        {
            "pupil": pupil,
            "form": form,
            "query": query,
            "more_schools": len(shown) > transfers.SCHOOL_CHOICES_MAX,
            "pending": pupil_transfer_pending(pupil),
        },
        status=400 if form.errors else 200,
    )


def _confirm_form(transfer: PupilTransfer, data: Any = None) -> TransferConfirmForm:
    return TransferConfirmForm(
        data,
        matches=transfers.register_matches(transfer=transfer),
        upn=transfer.record.get("pupil", {}).get("upn") or "",
    )


def _detail(
    request: HttpRequest,
    transfer: PupilTransfer,
    form: TransferConfirmForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    receiving = transfers.is_receiving(user, transfer)
    visible = transfers.record_visible(user, transfer)
    awaiting = receiving and transfer.status == TransferStatus.SENT
    if awaiting and form is None:
        form = _confirm_form(transfer)
    if form is not None:
        # The register's pupils offered as matches are a read of their records.
        selectors.audit_listing(
            user=user, pupils=form.matches.values(), source=audit_source(request)
        )
    if visible:
        transfers.transfer_audit_read(user=user, transfer=transfer, source=audit_source(request))
    return render(
        request,
        "casework/transfer_detail.html",
        {
            "transfer": transfer,
            "record": transfers.record_for_display(transfer.record) if visible else None,
            "receiving": receiving,
            "form": form if awaiting else None,
            "new_pupil": NEW_PUPIL,
            "can_seal": not receiving and transfer.status == TransferStatus.EXPORTED,
        },
        status=status,
    )


@login_required
@require_safe
def transfer_detail(request: HttpRequest, transfer_id: str) -> HttpResponse:
    """The transfer and the record it holds: for the receiving school's leaders, and for the
    sending school's until receipt is confirmed. Reading the record is audited."""
    transfer = transfers.transfer_get(user=request.user, transfer_id=transfer_id)
    return _detail(request, transfer)


@login_required
@require_POST
def transfer_confirm(request: HttpRequest, transfer_id: str) -> HttpResponse:
    """The receiving school confirms receipt, naming the pupil on its register or adding
    them from the record."""
    transfer = transfers.transfer_get(user=request.user, transfer_id=transfer_id)
    if not transfers.is_receiving(request.user, transfer):
        raise Http404("No transfer found.")
    if transfer.status != TransferStatus.SENT:
        messages.info(request, "Receipt of this record has already been confirmed.")
        return redirect("casework-transfer", transfer_id=transfer.pk)
    form = _confirm_form(transfer, request.POST)
    if form.is_valid():
        chosen = form.chosen
        try:
            confirmed = services.transfer_confirm(
                actor=request.user,
                transfer=transfer,
                pupil=chosen,
                new_pupil=None
                if chosen is not None
                else services.NewPupil(form.cleaned_data["school_pupil_id"]),
                source=audit_source(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Receipt confirmed. The record is now on the pupil's page.")
            assert confirmed.received_pupil_id is not None
            return redirect("casework-pupil", pupil_id=confirmed.received_pupil_id)
    return _detail(request, transfer, form, status=400)


@login_required
@require_POST
def transfer_sealed_pdf(request: HttpRequest, transfer_id: str) -> HttpResponse:
    """Make the record exported for a school that does not use the product into a PDF sealed
    with a new passphrase, shown on this page once. Making it again makes a new passphrase;
    only the newest file's fingerprint is kept."""
    transfer = transfers.transfer_get(user=request.user, transfer_id=transfer_id)
    if transfer.status != TransferStatus.EXPORTED or not transfers.can_send_records(
        request.user, transfer.from_school
    ):
        raise Http404("No transfer found.")
    sealed = services.transfer_seal(
        actor=request.user, transfer=transfer, source=audit_source(request)
    )
    transfer.refresh_from_db(fields=["pdf_sha256"])
    return render(
        request,
        "casework/transfer_sealed.html",
        {
            "transfer": transfer,
            "passphrase": sealed.passphrase,
            # The file is in the page itself, so that nothing but the sealed copy the sender
            # downloads ever holds it, and the passphrase is never stored.
            "pdf_data": base64.b64encode(sealed.pdf).decode("ascii"),
            "pdf_kb": max(1, len(sealed.pdf) // 1024),
            "filename": f"safeguarding-record-{timezone.localtime(transfer.sent_at):%Y-%m-%d}.pdf",
        },
    )


urlpatterns = [
    path("pupils/<uuid:pupil_id>/transfers/new/", transfer_new, name="casework-new-transfer"),
    path("transfers/<uuid:transfer_id>/", transfer_detail, name="casework-transfer"),
    path(
        "transfers/<uuid:transfer_id>/confirm/", transfer_confirm, name="casework-confirm-transfer"
    ),
    path(
        "transfers/<uuid:transfer_id>/sealed-pdf/",
        transfer_sealed_pdf,
        name="casework-seal-transfer",
    ),
]


def pupil_panel(request: HttpRequest, pupil: Pupil) -> dict[str, Any] | None:
    """Records of this pupil sent to other schools and received from them, and the way to
    send it, for the leaders of the pupil's school."""
    if not transfers.can_send_records(request.user, pupil.school):
        return None
    pending = pupil_transfer_pending(pupil)
    return {
        "pupil": pupil,
        "transfers": transfers.pupil_transfers(user=request.user, pupil=pupil),
        "pending": pending,
        "send_url": reverse("casework-new-transfer", args=[pupil.pk]) if pending is None else "",
    }


def landing_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Records awaiting the user's confirmation, and those their schools sent that are not yet
    confirmed: schools only, never a pupil's name."""
    found = transfers.landing_transfers(user=request.user)
    if found is None or not (found.awaiting or found.unconfirmed):
        return None
    return {"awaiting": found.awaiting, "unconfirmed": found.unconfirmed}
