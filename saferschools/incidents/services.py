"""Recording incidents and the places they happen at.

Each function checks everything first and raises one ``ValidationError`` keyed by field, then
writes in one transaction with its audit event; a critical incident's alerts are stored (and
their e-mails queued) in the same transaction.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.casework.models import Pupil
from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import AuditAction, School
from saferschools.core.notifications import notify
from saferschools.lib.checks import check_boolean, check_choice, check_text
from saferschools.lib.text import text_clean
from saferschools.reporting.models import Report

from .models import (
    Incident,
    IncidentCategory,
    IncidentParty,
    IncidentRevision,
    LocationKind,
    PartyRole,
    Place,
    PlaceKind,
    PoliceAction,
    Severity,
)
from .models.incidents import DESCRIPTION_MAX, PLACE_LOCATION

MAX_PARTIES = 30
# Incidents are recorded as they happen or after; a few minutes' grace covers clocks that
# disagree, and nothing earlier than this is an incident still worth recording here.
FUTURE_GRACE = timedelta(minutes=5)


@dataclass(frozen=True)
class PartyInput:
    """Someone involved: a pupil of the school (``pupil_id``) or an outside person described
    in words (``description``)."""

    role: str
    pupil_id: str | None = None
    description: str = ""


def _place(
    value: object, school: School, errors: dict[str, str], field: str = "place_id"
) -> Place | None:
    if value in (None, ""):
        return None
    try:
        place = Place.objects.filter(pk=str(value), school=school, active=True).first()
    except (ValidationError, ValueError):
        place = None
    if place is None:
        errors[field] = "Choose one of the school's places"
    return place


def _parties(
    parties: object, school: School, errors: dict[str, str]
) -> list[tuple[str, Pupil | None, str]]:
    if parties is None:
        return []
    if not isinstance(parties, list | tuple):
        errors["parties"] = "Give the parties as a list"
        return []
    if len(parties) > MAX_PARTIES:
        errors["parties"] = f"Give at most {MAX_PARTIES} parties"
        return []
    cleaned: list[tuple[str, Pupil | None, str]] = []
    pupil_ids = {key for p in parties if isinstance(p, PartyInput) and (key := _uuid(p.pupil_id))}
    pupils = {
        str(pupil.pk): pupil
        for pupil in Pupil.objects.filter(school=school, pk__in=sorted(pupil_ids))
    }
    for index, party in enumerate(parties):
        field = f"parties[{index}]"
        if not isinstance(party, PartyInput):
            errors[field] = "Give a role and a pupil or a description"
            continue
        if not isinstance(party.role, str) or party.role not in PartyRole.values:
            errors[f"{field}.role"] = "Choose one of: " + ", ".join(PartyRole.values)
            continue
        if party.pupil_id:
            pupil = pupils.get(_uuid(party.pupil_id) or "")
            if pupil is None:
                errors[f"{field}.pupil_id"] = "Choose a pupil of this school"
                continue
            if party.description:
                errors[f"{field}.description"] = "Describe only someone who is not a pupil here"
                continue
            cleaned.append((party.role, pupil, ""))
        else:
            try:
                description = text_clean(
                    party.description, field=f"{field}.description", max_length=300
                )
            except ValidationError as error:
                errors.update({k: v[0] for k, v in error.message_dict.items()})
                continue
            cleaned.append((party.role, None, description))
    return cleaned


def _uuid(value: object) -> str | None:
    """The canonical form of an id, or ``None`` when it is not one."""
    try:
        return str(uuid.UUID(str(value))) if value else None
    except ValueError:
        return None


def _moment(value: object, field: str, errors: dict[str, str]) -> datetime | None:
    if not isinstance(value, datetime):
        errors[field] = "Give a date and time"
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + FUTURE_GRACE:
        errors[field] = "An incident cannot be in the future"
        return None
    if value.year < 2000:
        errors[field] = "Give a date from the year 2000 on"
        return None
    return value


def _report(value: object, actor: Any, school: School, errors: dict[str, str]) -> Report | None:
    if value in (None, ""):
        return None
    try:
        report = access.scope(actor, Report).filter(pk=str(value), school=school).first()
    except (ValidationError, ValueError):
        report = None
    if report is None:
        errors["report_id"] = "Choose a pupil's report to this school that you can open"
    return report


@dataclass
class IncidentInput:
    """What an incident says, as given by a form, the API or the demo."""

    occurred_at: object
    location_kind: object
    category: object
    severity: object
    description: object
    place_id: object = None
    flagged_critical: object = False
    parties: object = None
    restorative_approach: object = False
    restorative_outcome: object = ""
    sanction: object = ""
    advice: object = ""
    referral: object = ""
    police_action: object = PoliceAction.NONE
    report_id: object = None


def _clean(
    data: IncidentInput, *, actor: Any, school: School, current: Incident | None = None
) -> dict[str, Any]:
    """The input checked; on a change (``current``), the incident's own place and report stay
    allowed even if the place has since been retired or the report has passed to a colleague."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "occurred_at": _moment(data.occurred_at, "occurred_at", errors),
        "location_kind": check_choice(data.location_kind, LocationKind, "location_kind", errors),
        "category": check_choice(data.category, IncidentCategory, "category", errors),
        "severity": check_choice(data.severity, Severity, "severity", errors),
        "description": check_text(
            data.description, "description", DESCRIPTION_MAX, errors, required=True
        ),
        "restorative_outcome": check_text(
            data.restorative_outcome, "restorative_outcome", 500, errors, required=False
        ),
        "sanction": check_text(data.sanction, "sanction", 500, errors, required=False),
        "advice": check_text(data.advice, "advice", 500, errors, required=False),
        "referral": check_text(data.referral, "referral", 500, errors, required=False),
        "police_action": check_choice(
            data.police_action or PoliceAction.NONE, PoliceAction, "police_action", errors
        ),
    }
    for flag in ("flagged_critical", "restorative_approach"):
        values[flag] = check_boolean(getattr(data, flag), flag, errors)
    if current is not None and current.place_id and _uuid(data.place_id) == str(current.place_id):
        place = current.place
    else:
        place = _place(data.place_id, school, errors)
    if (
        place is not None
        and values["location_kind"]
        and (
            PLACE_LOCATION[PlaceKind(place.kind)] != values["location_kind"]
            and values["location_kind"] != LocationKind.ONLINE
        )
    ):
        errors["place_id"] = (
            f"{place.name} is {PLACE_LOCATION[PlaceKind(place.kind)].label.lower()}: "
            "choose a place that fits where it happened"
        )
    values["place"] = place
    if (
        current is not None
        and current.report_id
        and _uuid(data.report_id) == str(current.report_id)
    ):
        values["report"] = current.report
    else:
        values["report"] = _report(data.report_id, actor, school, errors)
    values["parties"] = _parties(data.parties, school, errors)
    if errors:
        raise ValidationError(errors)
    return values


def _alert_critical(incident: Incident, *, updated: bool = False) -> None:
    """A critical incident alerts the school's head teacher, safeguarding leads, SSP officers
    and the police supervisors at once; supervisors, who cannot open it, are linked to the
    school and told whom to contact."""
    school = incident.school
    readers = list(access.users_reaching_school(school, access.POLICY[Incident].read))
    supervisors = [
        user
        for user in access.users_reaching_school(school, {Role.POLICE_SUPERVISOR})
        if user not in readers
    ]
    what = "now critical" if updated else "recorded"
    title = f"Critical incident {what} at {school.name}"
    notify(
        users=readers,
        title=title,
        url=reverse("incidents-incident", args=[incident.pk]),
        kind="incident_critical",
        object_id=str(incident.pk),
        urgent=True,
    )
    notify(
        users=supervisors,
        title=f"{title}: contact the school's head teacher or SSP officer",
        url=reverse("core-school", args=[school.urn]),
        kind="incident_critical",
        object_id=str(incident.pk),
        urgent=True,
    )


def _snapshot(incident: Incident) -> dict[str, Any]:
    fields = [
        "occurred_at",
        "location_kind",
        "place_id",
        "category",
        "severity",
        "flagged_critical",
        "description",
        "restorative_approach",
        "restorative_outcome",
        "sanction",
        "advice",
        "referral",
        "police_action",
        "report_id",
        "updated_at",
        "updated_by_id",
    ]
    data: dict[str, Any] = {}
    for name in fields:
        value = getattr(incident, name)
        data[name] = (
            value.isoformat()
            if isinstance(value, datetime)
            else (
                str(value)
                if value is not None and not isinstance(value, bool | int | str)
                else value
            )
        )
    data["parties"] = [
        {
            "role": party.role,
            "pupil_id": str(party.pupil_id) if party.pupil_id else None,
            "description": party.description,
        }
        for party in incident.parties.all()
    ]
    return data


def _write_parties(incident: Incident, parties: list[tuple[str, Pupil | None, str]]) -> None:
    incident.parties.all().delete()
    IncidentParty.objects.bulk_create(
        IncidentParty(incident=incident, role=role, pupil=pupil, description=description)
        for role, pupil, description in parties
    )


_FIELDS = (
    "occurred_at",
    "location_kind",
    "place",
    "category",
    "severity",
    "flagged_critical",
    "description",
    "restorative_approach",
    "restorative_outcome",
    "sanction",
    "advice",
    "referral",
    "police_action",
    "report",
)


def incident_record(*, actor: Any, school: School, data: IncidentInput, source: str) -> Incident:
    """Record an incident at a school where the actor works. A critical one (severity
    critical, or flagged) alerts the school's leaders, its officers and the police supervisors
    at once."""
    if not access.can_record_incidents(actor, school):
        raise ValidationError({"school_urn": "You do not record incidents at this school"})
    values = _clean(data, actor=actor, school=school)
    now = timezone.now()
    with transaction.atomic():
        incident = Incident(
            school=school,
            recorded_at=max(now, values["occurred_at"]),
            recorded_by=actor,
            updated_at=now,
            updated_by=actor,
            **{name: values[name] for name in _FIELDS},
        )
        incident.save()
        _write_parties(incident, values["parties"])
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            source=source,
            obj=incident,
            detail={"category": incident.category, "parties": len(values["parties"])},
        )
        if incident.critical:
            _alert_critical(incident)
    return incident


def incident_update(
    *, actor: Any, incident: Incident, data: IncidentInput, source: str
) -> Incident:
    """Change an incident the actor may change (fetched through the access policy), keeping the
    version it replaces. Becoming critical alerts as recording a critical one does."""
    values = _clean(data, actor=actor, school=incident.school, current=incident)
    with transaction.atomic():
        current = Incident.objects.select_for_update().get(pk=incident.pk)
        was_critical = current.critical
        IncidentRevision.objects.create(
            incident=current,
            version=current.version,
            snapshot=_snapshot(current),
            replaced_at=timezone.now(),
            replaced_by=actor,
        )
        for name in _FIELDS:
            setattr(current, name, values[name])
        current.recorded_at = max(current.recorded_at, current.occurred_at)
        current.version += 1
        current.updated_at = timezone.now()
        current.updated_by = actor
        current.save()
        _write_parties(current, values["parties"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            source=source,
            obj=current,
            detail={"version": current.version},
        )
        if current.critical and not was_critical:
            _alert_critical(current, updated=True)
    return current


def place_create(
    *,
    actor: Any,
    school: School,
    name: object,
    kind: object,
    latitude: object = None,
    longitude: object = None,
    plan_x: object = None,
    plan_y: object = None,
    source: str,
) -> Place:
    """Add a named place to a school's list (for its leaders and officers)."""
    if not access.can_keep_places(actor, school):
        raise ValidationError({"school_urn": "You do not keep this school's places"})
    errors: dict[str, str] = {}
    clean_name = check_text(name, "name", 120, errors, required=True)
    clean_kind = check_choice(kind, PlaceKind, "kind", errors)
    numbers: dict[str, float | None] = {}
    bounds = {
        "latitude": (49.0, 61.0),
        "longitude": (-9.0, 2.5),
        "plan_x": (0.0, 100.0),
        "plan_y": (0.0, 100.0),
    }
    for field, value in (
        ("latitude", latitude),
        ("longitude", longitude),
        ("plan_x", plan_x),
        ("plan_y", plan_y),
    ):
        if value in (None, ""):
            numbers[field] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            errors[field] = "Give a number"
            continue
        low, high = bounds[field]
        if not low <= float(value) <= high:
            errors[field] = f"Give a number from {low:g} to {high:g}"
            continue
        numbers[field] = float(value)
    for first, second in (("latitude", "longitude"), ("plan_x", "plan_y")):
        if (
            first in numbers
            and second in numbers
            and (numbers[first] is None) != (numbers[second] is None)
        ):
            errors[second if numbers[second] is None else first] = f"Give both {first} and {second}"
    if clean_name and Place.objects.filter(school=school, name__iexact=clean_name).exists():
        errors["name"] = "The school already has a place of that name"
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            place = Place.objects.create(school=school, name=clean_name, kind=clean_kind, **numbers)
            audit_record(actor=actor, action=AuditAction.CREATE, source=source, obj=place)
    except IntegrityError:
        # Another request made a place of this name between the check above and now.
        raise ValidationError({"name": "The school already has a place of that name"}) from None
    return place
