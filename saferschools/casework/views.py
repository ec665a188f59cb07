"""The pupil register: lists, a pupil's record and the import from the school's system."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from saferschools.core import access
from saferschools.core.audit import audit_source
from saferschools.incidents import selectors as incident_selectors
from saferschools.incidents.models import Incident, IncidentParty, PartyRole
from saferschools.lib.schooldays import LONDON, term_of
from saferschools.reporting import selectors as reporting_selectors

from . import selectors, services
from .forms import PupilImportForm
from .importing import COLUMN_ALIASES, PupilImportError
from .models import Pupil
from .panels import pupil_panels

LIST_LIMIT = 500


@login_required
@require_safe
def pupil_list(request: HttpRequest, urn: int) -> HttpResponse:
    school = access.get_school_for_pupils(request.user, urn)
    # NUL cannot be stored or searched for in PostgreSQL text; it is never part of a name.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    pupils = selectors.pupil_list(user=request.user, school=school)
    if query:
        pupils = selectors.pupil_search(pupils, query)
    # Names on screen are a read of personal data: each pupil listed is audited.
    # One more than shown tells a list of exactly the limit from a longer one.
    page = list(pupils[: LIST_LIMIT + 1])
    shown = selectors.audit_listing(
        user=request.user, pupils=page[:LIST_LIMIT], source=audit_source(request)
    )
    # htmx asks for the results alone as the search is typed; without JavaScript the form
    # submits and the whole page comes back.
    template = (
        "casework/_pupil_results.html"
        if request.headers.get("HX-Request")
        else "casework/pupil_list.html"
    )
    return render(
        request,
        template,
        {
            "school": school,
            "pupils": shown,
            "query": query,
            "truncated": len(page) > LIST_LIMIT,
            "limit": LIST_LIMIT,
            "can_manage": access.can_manage_pupils(request.user, school),
        },
    )


@login_required
@require_safe
def pupil_detail(request: HttpRequest, pupil_id: str) -> HttpResponse:
    pupil = selectors.pupil_get(user=request.user, pupil_id=pupil_id, source=audit_source(request))
    can_manage = access.can_manage_pupils(request.user, pupil.school)
    access_log = (
        selectors.pupil_access_log(user=request.user, pupil=pupil)[:50] if can_manage else None
    )
    # Pupils' reports linked to this record, only for those who handle the school's reports.
    reports = (
        list(reporting_selectors.report_inbox(user=request.user).filter(pupil=pupil))
        if access.can_handle_reports(request.user, pupil.school)
        else None
    )
    return render(
        request,
        "casework/pupil_detail.html",
        {
            "pupil": pupil,
            "access_log": access_log,
            "reports": reports,
            "incidents": _pupil_incidents(request, pupil),
            "panels": pupil_panels(request, pupil),
        },
    )


@dataclass(frozen=True)
class PupilIncident:
    incident: Incident
    role: str
    repeat_victim: bool


def _pupil_incidents(request: HttpRequest, pupil: Pupil) -> list[PupilIncident] | None:
    """The pupil's parts in the incidents the user sees (those who record incidents at the
    school; a member of staff sees those they recorded), each listing audited as a read of the
    incidents; a victim again within the term is flagged."""
    user = request.user
    if not access.can_record_incidents(user, pupil.school):
        return None
    parts = list(incident_selectors.pupil_incidents(user=user, pupil=pupil))
    incidents = list({part.incident_id: part.incident for part in parts}.values())
    prefetch_related_objects(incidents, "parties")
    incident_selectors.incident_audit_listing(
        user=user, incidents=incidents, source=audit_source(request)
    )
    repeats = (
        _repeat_victim_incidents(pupil, [incident.pk for incident in incidents])
        if any(part.role == PartyRole.VICTIM for part in parts)
        else set()
    )
    return [
        PupilIncident(
            incident=part.incident,
            role=part.get_role_display(),
            repeat_victim=part.role == PartyRole.VICTIM and part.incident_id in repeats,
        )
        for part in parts
    ]


def _repeat_victim_incidents(pupil: Pupil, shown: list[Any]) -> set[Any]:
    """Among the incidents shown (those the viewer may see), those in which the pupil was a
    victim and was a victim again in another of them at the same school within the same term
    (England's three terms), in one query however many incidents there are. Only incidents the
    viewer sees count, so the tag never tells of one they may not see."""
    victim_of = IncidentParty.objects.filter(
        pupil=pupil, role=PartyRole.VICTIM, incident_id__in=shown
    ).values_list("incident_id", "incident__school_id", "incident__occurred_at")
    by_term: dict[tuple[Any, tuple[int, int]], set[Any]] = defaultdict(set)
    for incident_id, school_id, occurred_at in victim_of:
        by_term[(school_id, term_of(occurred_at.astimezone(LONDON).date()))].add(incident_id)
    return {incident_id for ids in by_term.values() if len(ids) > 1 for incident_id in ids}


@login_required
@require_http_methods(["GET", "POST"])
def pupil_import(request: HttpRequest, urn: int) -> HttpResponse:
    school = access.get_school_for_pupils(request.user, urn, write=True)
    posted = request.method == "POST"
    form = PupilImportForm(request.POST if posted else None, request.FILES if posted else None)
    file_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.pupils_import(
                actor=request.user,
                school=school,
                file=form.cleaned_data["file"],
                source=audit_source(request),
                mark_leavers=form.cleaned_data["mark_leavers"],
            )
        except PupilImportError as error:
            file_errors = error.errors[:50]
            form.add_error(
                "file",
                f"The file has {len(error.errors)} problem"
                f"{'s' if len(error.errors) != 1 else ''}; nothing was imported",
            )
        else:
            messages.success(request, f"Pupil register updated: {result}.")
            return redirect("casework-pupils", urn=school.urn)
    return render(
        request,
        "casework/pupil_import.html",
        {
            "school": school,
            "form": form,
            "file_errors": file_errors,
            "columns": COLUMN_ALIASES,
        },
        status=400 if form.errors else 200,
    )
