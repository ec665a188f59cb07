"""Reads of incidents and places, always starting from the access policy."""

from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from saferschools.casework.models import Pupil
from saferschools.core import access
from saferschools.core.audit import audit_record, audit_record_many
from saferschools.core.models import AuditAction, School
from saferschools.lib.schooldays import LONDON, term_bounds, term_of

from .models import Incident, IncidentParty, IncidentRevision, PartyRole, Place


def incident_list(
    *,
    user: Any,
    school: School | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    category: str = "",
) -> QuerySet[Incident]:
    """The incidents the user may see, newest first, with their school and place."""
    incidents = access.scope(user, Incident).select_related("school", "place", "recorded_by")
    if school is not None:
        incidents = incidents.filter(school=school)
    if since is not None:
        incidents = incidents.filter(occurred_at__gte=since)
    if until is not None:
        incidents = incidents.filter(occurred_at__lt=until)
    if category:
        incidents = incidents.filter(category=category)
    return incidents.order_by("-occurred_at", "id")


def _with_parties(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    return incidents.prefetch_related(
        Prefetch("parties", queryset=IncidentParty.objects.select_related("pupil"))
    )


def incident_audit_listing(*, user: Any, incidents: list[Incident], source: str) -> list[Incident]:
    """Incidents shown with the pupils involved are a read of personal data: one audit event
    per incident that names a pupil, appended together."""
    named = [i for i in incidents if any(p.pupil_id for p in i.parties.all())]
    audit_record_many(actor=user, action=AuditAction.VIEW, source=source, objects=named)
    return incidents


def incident_get(*, user: Any, incident_id: Any, source: str, write: bool = False) -> Incident:
    """One incident through the access policy (``Http404`` when out of scope); the read is
    audited when the incident names a pupil."""
    incident = access.get_incident_for_user(user, incident_id, write=write)
    incident = (
        _with_parties(Incident.objects.filter(pk=incident.pk))
        .select_related("school", "place", "recorded_by", "updated_by", "report")
        .get()
    )
    if any(party.pupil_id for party in incident.parties.all()):
        audit_record(actor=user, action=AuditAction.VIEW, source=source, obj=incident)
    return incident


def incident_history(*, incident: Incident) -> QuerySet[IncidentRevision]:
    """The versions an incident replaced, oldest first."""
    return incident.revisions.select_related("replaced_by").order_by("version")


def pupil_incidents(*, user: Any, pupil: Pupil) -> QuerySet[IncidentParty]:
    """The pupil's parts in incidents the user may see (victim, perpetrator, witness or
    other), newest first."""
    return (
        IncidentParty.objects.filter(pupil=pupil, incident__in=access.scope(user, Incident))
        .select_related("incident", "incident__place")
        .order_by("-incident__occurred_at")
    )


def repeat_victims(*, incidents: QuerySet[Incident]) -> set[tuple[str, str]]:
    """(incident id, pupil id) of every pupil who was a victim in one of ``incidents`` and a
    victim again in another incident at the same school within the same term (England's
    three terms; see ``lib.schooldays``)."""
    flagged: set[tuple[str, str]] = set()
    victims = IncidentParty.objects.filter(
        incident__in=incidents, role=PartyRole.VICTIM, pupil__isnull=False
    ).select_related("incident")
    for party in victims:
        if party.pupil_id is None:  # pragma: no cover - filtered above
            continue
        occurred = party.incident.occurred_at.astimezone(LONDON).date()
        start, end = term_bounds(term_of(occurred))
        again = (
            IncidentParty.objects.filter(
                pupil_id=party.pupil_id,
                role=PartyRole.VICTIM,
                incident__school_id=party.incident.school_id,
                incident__occurred_at__date__gte=start,
                incident__occurred_at__date__lt=end,
            )
            .exclude(incident_id=party.incident_id)
            .exists()
        )
        if again:
            flagged.add((str(party.incident_id), str(party.pupil_id)))
    return flagged


def place_list(*, user: Any, school: School, active_only: bool = True) -> QuerySet[Place]:
    """The school's places, for those who work there; annotated with whether any incident
    was recorded at each."""
    places = access.scope(user, Place).filter(school=school)
    if active_only:
        places = places.filter(active=True)
    return places.annotate(used=Exists(Incident.objects.filter(place=OuterRef("pk")))).order_by(
        "name"
    )
