"""The incident log's pages: a school's incidents, recording and changing one, its history, and
the school's places.

Incidents are fetched through the access policy (out of scope is "not found"); every page that
shows an incident naming a pupil audits the read, and every change is a service call that
writes the history and the audit log.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from saferschools.casework import selectors as casework_selectors
from saferschools.casework.models import Pupil
from saferschools.core import access
from saferschools.core.audit import audit_record, audit_source
from saferschools.core.models import AuditAction, School
from saferschools.reporting.models import Location as ReportLocation
from saferschools.reporting.models import Report

from . import crime, selectors, services
from .forms import (
    CrimeSettingsForm,
    IncidentFilterForm,
    IncidentForm,
    PlaceForm,
    incident_initial,
    party_rows_for,
)
from .models import (
    Incident,
    IncidentCategory,
    IncidentParty,
    LocationKind,
    PartyRole,
    Place,
    PoliceAction,
    Severity,
)

LIST_PAGE_SIZE = 50
SEVERITY_TAGS = {
    Severity.LOW: "govuk-tag--grey",
    Severity.MEDIUM: "govuk-tag--yellow",
    Severity.HIGH: "govuk-tag--orange",
    Severity.CRITICAL: "govuk-tag--red",
}
# Where a pupil said a report's events happened, as an incident's starting point.
REPORT_LOCATIONS = {
    ReportLocation.ON_SITE: LocationKind.ON_SITE,
    ReportLocation.JOURNEY: LocationKind.JOURNEY,
    ReportLocation.ONLINE: LocationKind.ONLINE,
    ReportLocation.ELSEWHERE: LocationKind.NEIGHBOURHOOD,
}
CRITICAL_ALERTED = (
    "It is critical: the head teacher, the safeguarding leads, the SSP officers and the police "
    "supervisors have been alerted."
)


def _school_for_incidents(user: Any, urn: int) -> School:
    """The school, if the user records (and so sees some of the) incidents there; else
    ``Http404``, as for a school that does not exist."""
    school = access.get_school_for_user(user, urn)
    if not access.can_record_incidents(user, school):
        raise Http404("No school found.")
    return school


def _with_parties(incidents: Any) -> Any:
    return incidents.prefetch_related(
        Prefetch("parties", queryset=IncidentParty.objects.select_related("pupil"))
    )


def _names_a_pupil(incident: Incident) -> bool:
    return any(party.pupil_id for party in incident.parties.all())


def _audit_read(request: HttpRequest, incident: Incident, **detail: Any) -> None:
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        source=audit_source(request),
        obj=incident,
        detail=detail or None,
    )


def _severity_tag(incident: Incident) -> str:
    return SEVERITY_TAGS[Severity(incident.severity)]


# A school's incidents -----------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentRow:
    incident: Incident
    parties: int
    severity_tag: str


@login_required
@require_safe
def incident_list(request: HttpRequest, urn: int) -> HttpResponse:
    """The school's incidents the user may see, newest first, filtered and paginated."""
    user = request.user
    school = _school_for_incidents(user, urn)
    form = IncidentFilterForm(
        request.GET, places=selectors.place_list(user=user, school=school, active_only=False)
    )
    context: dict[str, Any] = {
        "school": school,
        "form": form,
        "page": None,
        "rows": [],
        "can_see_hotspots": access.can_see_hotspots(request.user, school),
    }
    # htmx asks for the results alone when a filter changes; without JavaScript the form is
    # submitted and the whole page comes back.
    template = (
        "incidents/_incident_results.html"
        if request.headers.get("HX-Request")
        else "incidents/incident_list.html"
    )
    if not form.is_valid():
        return render(request, template, context, status=400)
    filters = form.filters()
    incidents = selectors.incident_list(
        user=user,
        school=school,
        since=filters["since"],
        until=filters["until"],
        category=filters["category"],
    )
    if filters["severity"]:
        incidents = incidents.filter(severity=filters["severity"])
    if filters["location_kind"]:
        incidents = incidents.filter(location_kind=filters["location_kind"])
    if filters["place"] is not None:
        incidents = incidents.filter(place=filters["place"])
    page = Paginator(incidents.prefetch_related("parties"), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    shown = selectors.incident_audit_listing(
        user=user, incidents=list(page), source=audit_source(request)
    )
    context.update(
        page=page,
        rows=[
            IncidentRow(incident, len(incident.parties.all()), _severity_tag(incident))
            for incident in shown
        ],
        query=urlencode(form.query()),
        can_keep_places=access.can_keep_places(user, school),
    )
    return render(request, template, context)


# Recording and changing an incident ---------------------------------------------------------


def _pupil_label(pupil: Pupil) -> str:
    details = [pupil.year_group_label, pupil.school_pupil_id]
    if not pupil.on_roll:
        details.append("has left")
    return f"{pupil.family_name}, {pupil.given_name} ({', '.join(details)})"


def _pupils_for_form(user: Any, school: School, incident: Incident | None) -> list[Pupil] | None:
    """The pupils a party can be: those on roll, and any already a party to the incident.
    ``None`` for those who may not read the school's register."""
    if not access.can_read_pupils(user, school):
        return None
    pupils = list(casework_selectors.pupil_list(user=user, school=school))
    listed = {pupil.pk for pupil in pupils}
    if incident is not None:
        already = {p.pupil_id for p in incident.parties.all() if p.pupil_id} - listed
        if already:
            pupils += list(
                casework_selectors.pupil_list(user=user, school=school, on_roll=None).filter(
                    pk__in=already
                )
            )
    return pupils


def _pupil_choices(
    pupils: list[Pupil] | None, incident: Incident | None
) -> list[tuple[str, str]] | None:
    if pupils is not None:
        return [(str(pupil.pk), _pupil_label(pupil)) for pupil in pupils]
    if incident is None:
        return None
    # Someone who may not read the register keeps the pupils already named, unnamed.
    named = [str(p.pupil_id) for p in incident.parties.all() if p.pupil_id]
    return [(pk, "A pupil of the school") for pk in dict.fromkeys(named)] or None


def _form_page(
    request: HttpRequest,
    *,
    school: School,
    form: IncidentForm,
    pupils: list[Pupil] | None,
    incident: Incident | None = None,
) -> HttpResponse:
    """The incident form, with its errors if it has any; the pupils offered are a listing of
    the register, audited as such."""
    if pupils:
        casework_selectors.audit_listing(
            user=request.user, pupils=pupils, source=audit_source(request)
        )
    report = _report_for(request.user, school, form["report_id"].value())
    return render(
        request,
        "incidents/incident_form.html",
        {
            "school": school,
            "form": form,
            "incident": incident,
            "report": report,
        },
        status=400 if form.errors else 200,
    )


def _report_for(user: Any, school: School, value: object) -> Report | None:
    """A pupil's report to the school that the user may open, or ``None``."""
    if not value:
        return None
    try:
        return access.scope(user, Report).filter(pk=str(value), school=school).first()
    except (ValidationError, ValueError):
        return None


def _initial_from_report(report: Report | None) -> dict[str, Any]:
    initial: dict[str, Any] = {"police_action": PoliceAction.NONE}
    if report is None:
        return initial
    initial["report_id"] = str(report.pk)
    if report.category in IncidentCategory.values:
        initial["category"] = report.category
    if report.location in REPORT_LOCATIONS:
        initial["location_kind"] = REPORT_LOCATIONS[ReportLocation(report.location)]
    return initial


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def incident_record(request: HttpRequest, urn: int) -> HttpResponse:
    user = request.user
    school = _school_for_incidents(user, urn)
    places = list(selectors.place_list(user=user, school=school))
    pupils = _pupils_for_form(user, school, None)
    choices = _pupil_choices(pupils, None)
    if request.method != "POST":
        report = _report_for(user, school, request.GET.get("report", ""))
        form = IncidentForm(initial=_initial_from_report(report), places=places, pupils=choices)
        return _form_page(request, school=school, form=form, pupils=pupils)
    form = IncidentForm(request.POST, places=places, pupils=choices)
    if form.is_valid():
        data, rows = form.incident_input()
        try:
            incident = services.incident_record(
                actor=user, school=school, data=data, source=audit_source(request)
            )
        except ValidationError as error:
            form.add_service_errors(error, rows)
        else:
            done = f"Incident {incident.reference} recorded."
            messages.success(request, f"{done} {CRITICAL_ALERTED}" if incident.critical else done)
            return redirect("incidents-incident", incident_id=incident.pk)
    return _form_page(request, school=school, form=form, pupils=pupils)


def _editable(user: Any, incident_id: Any) -> Incident:
    """The incident, if the user may change it, with its parties; else ``Http404``."""
    found = access.get_incident_for_user(user, incident_id, write=True)
    return _with_parties(Incident.objects.select_related("school", "report")).get(pk=found.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def incident_edit(request: HttpRequest, incident_id: str) -> HttpResponse:
    user = request.user
    source = audit_source(request)
    if request.method == "POST":
        incident = _editable(user, incident_id)
    else:
        incident = selectors.incident_get(
            user=user, incident_id=incident_id, source=source, write=True
        )
    school = incident.school
    places = list(selectors.place_list(user=user, school=school))
    pupils = _pupils_for_form(user, school, incident)
    choices = _pupil_choices(pupils, incident)
    rows = party_rows_for(incident)
    if request.method != "POST":
        form = IncidentForm(
            initial=incident_initial(incident), places=places, pupils=choices, party_rows=rows
        )
        return _form_page(request, school=school, form=form, pupils=pupils, incident=incident)
    form = IncidentForm(request.POST, places=places, pupils=choices, party_rows=rows)
    if form.is_valid():
        data, party_rows = form.incident_input()
        was_critical = incident.critical
        try:
            changed = services.incident_update(
                actor=user, incident=incident, data=data, source=source
            )
        except ValidationError as error:
            form.add_service_errors(error, party_rows)
        else:
            done = f"Incident {changed.reference} changed."
            alerted = changed.critical and not was_critical
            messages.success(request, f"{done} {CRITICAL_ALERTED}" if alerted else done)
            return redirect("incidents-incident", incident_id=changed.pk)
    # The form comes back with what the incident says: a read like any other.
    if _names_a_pupil(incident):
        _audit_read(request, incident)
    return _form_page(request, school=school, form=form, pupils=pupils, incident=incident)


# One incident and its history ---------------------------------------------------------------


@dataclass(frozen=True)
class PartyView:
    role: str
    pupil: Pupil | None
    pupil_hidden: bool
    description: str
    repeat_victim: bool = False


@login_required
@require_safe
def incident_detail(request: HttpRequest, incident_id: str) -> HttpResponse:
    user = request.user
    incident = selectors.incident_get(
        user=user, incident_id=incident_id, source=audit_source(request)
    )
    reads_pupils = access.can_read_pupils(user, incident.school)
    repeats = selectors.repeat_victims(incidents=Incident.objects.filter(pk=incident.pk))
    parties = [
        PartyView(
            role=party.get_role_display(),
            pupil=party.pupil if reads_pupils else None,
            pupil_hidden=bool(party.pupil_id) and not reads_pupils,
            description=party.description,
            repeat_victim=party.role == PartyRole.VICTIM
            and (str(incident.pk), str(party.pupil_id)) in repeats,
        )
        for party in incident.parties.all()
    ]
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            "parties": parties,
            "severity_tag": _severity_tag(incident),
            "report_openable": incident.report_id is not None
            and access.scope(user, Report).filter(pk=incident.report_id).exists(),
            "can_change": access.scope(user, Incident, write=True).filter(pk=incident.pk).exists(),
        },
    )


@dataclass
class VersionView:
    version: int
    rows: list[tuple[str, str]]
    occurred_at: datetime | None
    parties: list[PartyView]
    written_at: datetime | None
    written_by: str
    replaced_at: datetime
    replaced_by: str


def _label(choices: Any, value: object) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def _moment(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _person(user: Any) -> str:
    return (user.full_name or user.email) if user is not None else "Someone no longer listed"


@login_required
@require_safe
def incident_history(request: HttpRequest, incident_id: str) -> HttpResponse:
    """Each version an incident replaced, oldest first; audited as a read of the incident."""
    user = request.user
    incident = access.get_incident_for_user(user, incident_id)
    revisions = list(selectors.incident_history(incident=incident))
    _audit_read(request, incident, history=True)

    snapshots = [revision.snapshot for revision in revisions]
    pupil_ids = {
        party.get("pupil_id")
        for snapshot in snapshots
        for party in snapshot.get("parties", [])
        if party.get("pupil_id")
    }
    pupils: dict[str, Pupil] = {}
    if pupil_ids and access.can_read_pupils(user, incident.school):
        found = casework_selectors.pupil_list(user=user, school=incident.school, on_roll=None)
        pupils = {str(pupil.pk): pupil for pupil in found.filter(pk__in=list(pupil_ids))}
    place_ids = {snapshot.get("place_id") for snapshot in snapshots if snapshot.get("place_id")}
    places = {
        str(place.pk): place.name
        for place in selectors.place_list(
            user=user, school=incident.school, active_only=False
        ).filter(pk__in=list(place_ids))
    }
    writer_ids = {snapshot.get("updated_by_id") for snapshot in snapshots} - {None}
    writers = {
        str(person.pk): person for person in get_user_model().objects.filter(pk__in=writer_ids)
    }

    versions = []
    for revision, snapshot in zip(revisions, snapshots, strict=True):
        report_id = snapshot.get("report_id")
        rows = [
            ("Where", _label(LocationKind, snapshot.get("location_kind"))),
            ("Place", places.get(str(snapshot.get("place_id")), "No particular place")),
            ("Category", _label(IncidentCategory, snapshot.get("category"))),
            ("Severity", _label(Severity, snapshot.get("severity"))),
            ("Flagged as critical", "Yes" if snapshot.get("flagged_critical") else "No"),
            ("What happened", str(snapshot.get("description") or "")),
            (
                "Restorative approach",
                ("Used" if snapshot.get("restorative_approach") else "Not used")
                + (
                    f": {snapshot['restorative_outcome']}"
                    if snapshot.get("restorative_outcome")
                    else ""
                ),
            ),
            ("Sanction", str(snapshot.get("sanction") or "None recorded")),
            ("Advice", str(snapshot.get("advice") or "None recorded")),
            ("Referral", str(snapshot.get("referral") or "None recorded")),
            ("Police action", _label(PoliceAction, snapshot.get("police_action"))),
            (
                "From a pupil's report",
                f"Report {str(report_id).split('-')[0].upper()}" if report_id else "No",
            ),
        ]
        parties = []
        for party in snapshot.get("parties", []):
            pupil_id = party.get("pupil_id")
            parties.append(
                PartyView(
                    role=_label(PartyRole, party.get("role")),
                    pupil=pupils.get(str(pupil_id)) if pupil_id else None,
                    pupil_hidden=bool(pupil_id) and str(pupil_id) not in pupils,
                    description=str(party.get("description") or ""),
                )
            )
        versions.append(
            VersionView(
                version=revision.version,
                rows=rows,
                occurred_at=_moment(snapshot.get("occurred_at")),
                parties=parties,
                written_at=_moment(snapshot.get("updated_at")),
                written_by=_person(writers.get(str(snapshot.get("updated_by_id")))),
                replaced_at=revision.replaced_at,
                replaced_by=_person(revision.replaced_by),
            )
        )
    return render(
        request,
        "incidents/incident_history.html",
        {"incident": incident, "versions": versions},
    )


# Places ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def place_list(request: HttpRequest, urn: int) -> HttpResponse:
    """The school's places for everyone who works there; its leaders and officers add to
    them."""
    user = request.user
    school = _school_for_incidents(user, urn)
    can_keep = access.can_keep_places(user, school)
    form = PlaceForm() if can_keep else None
    if request.method == "POST":
        if not can_keep:
            raise Http404("No school found.")
        form = PlaceForm(request.POST)
        if form.is_valid():
            try:
                place = services.place_create(
                    actor=user, school=school, source=audit_source(request), **form.cleaned_data
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, f"Place “{place.name}” added.")
                return redirect("incidents-places", urn=school.urn)
    places: list[Place] = list(selectors.place_list(user=user, school=school, active_only=False))
    return render(
        request,
        "incidents/place_list.html",
        {"school": school, "places": places, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def crime_settings(request: HttpRequest, area_id: str) -> HttpResponse:
    """How the area counts crime near its schools: for the area's administrators."""
    area = access.get_area_for_user(request.user, area_id, write=True)
    current = crime.crime_settings(area)
    if request.method == "POST":
        form = CrimeSettingsForm(request.POST)
        if form.is_valid():
            try:
                crime.crime_settings_update(
                    actor=request.user,
                    area=area,
                    radius_m=form.cleaned_data["radius_m"],
                    force=form.cleaned_data["force"],
                    source=audit_source(request),
                )
            except ValidationError as error:
                for field, texts in error.message_dict.items():
                    for text in texts:
                        form.add_error(field if field in form.fields else None, text)
            else:
                messages.success(request, "Crime settings saved.")
                return redirect("incidents-crime-settings", area_id=area.pk)
    else:
        form = CrimeSettingsForm(initial={"radius_m": current.radius_m, "force": current.force})
    return render(
        request,
        "incidents/crime_settings.html",
        {"area": area, "form": form, "forces": crime.crime_forces(area)},
        status=400 if form.errors else 200,
    )
