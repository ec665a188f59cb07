"""Logging an officer's time, planning patrols and keeping the private calendar address.

Each function checks everything first and raises one ``ValidationError`` keyed by field
(``school_urn``, ``kind``, ``detail``, ``started_at``, ``minutes``, ``place_id``, ``note``; for
plans ``weekdays``, ``starts_at``, ``ends_at``, ``valid_from``, ``valid_until``, ``active``),
then writes in one transaction with its audit event. A school the officer is not deployed to is
refused alike whether it exists or not, so nobody learns of a school through these errors.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time

from saferschools.accounts.models import User
from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import AuditAction, School
from saferschools.incidents.models import Place
from saferschools.lib.text import text_clean

from .models import (
    KIND_DETAILS,
    MINUTES_MAX,
    MINUTES_MIN,
    NOTE_MAX,
    WEEKDAY_NAMES,
    Activity,
    ActivityKind,
    CalendarFeed,
    PatrolPlan,
)

# An entry is logged once the activity has begun; a few minutes' grace covers clocks that
# disagree.
FUTURE_GRACE = timedelta(minutes=15)
EARLIEST_YEAR = 2000
LATEST_YEAR = 2999
URN_MAX = 2**31 - 1
TOKEN_BYTES = 32
# Changed while it was being removed, or never the actor's own.
GONE = "This is no longer in your log"
MINUTES_MESSAGE = f"Give a whole number of minutes from {MINUTES_MIN} to {MINUTES_MAX}"


@dataclass
class ActivityInput:
    """An entry of the activity log as a form, the API or the demo gives it."""

    school_urn: object
    kind: object
    started_at: object
    minutes: object
    detail: object = ""
    place_id: object = None
    note: object = ""


@dataclass
class PatrolPlanInput:
    """A patrol plan as a form or the demo gives it; ``weekdays`` are numbers, Monday 0."""

    school_urn: object
    weekdays: object
    starts_at: object
    ends_at: object
    valid_from: object
    valid_until: object = None
    place_id: object = None
    active: object = True


def token_hash(token: str) -> str:
    """The hash stored for a calendar address's secret (a 256-bit random token)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# Checks ------------------------------------------------------------------------------------


def _school(value: object, actor: Any, errors: dict[str, str]) -> School | None:
    urn: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        urn = value
    elif isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 10:
        urn = int(value.strip())
    school = None
    if urn is not None and 1 <= urn <= URN_MAX:
        school = access.activity_schools(actor).filter(urn=urn).first()
    if school is None:
        errors["school_urn"] = "Choose a school you are deployed to (its URN)"
    return school


def _place(
    value: object, school: School | None, errors: dict[str, str], *, keep: Any = None
) -> Place | None:
    if value in (None, ""):
        return None
    place = None
    if school is not None:
        try:
            place = Place.objects.filter(pk=str(value), school=school).first()
        except (ValidationError, ValueError):
            place = None
    # A place the school has since stopped using may stay on what was recorded at it.
    if place is not None and not place.active and place.pk != keep:
        place = None
    if place is None:
        errors["place_id"] = "Choose one of the school's places, or none"
    return place


def _kind(value: object, detail: object, errors: dict[str, str]) -> tuple[str, str]:
    if not isinstance(value, str) or value not in ActivityKind.values:
        errors["kind"] = "Choose one of: " + ", ".join(ActivityKind.values)
        return "", ""
    if detail in (None, ""):
        return value, ""
    allowed = [str(d) for d in KIND_DETAILS.get(value, ())]
    if not allowed:
        with_details = ", ".join(KIND_DETAILS)
        errors["detail"] = f"Leave the detail out: only {with_details} have one"
        return value, ""
    if not isinstance(detail, str) or detail not in allowed:
        errors["detail"] = f"Choose one of: {', '.join(allowed)} (or none)"
        return value, ""
    return value, detail


def _started_at(value: object, errors: dict[str, str]) -> datetime | None:
    moment = value
    if isinstance(value, str):
        try:
            moment = parse_datetime(value.strip())
        except ValueError:
            moment = None
    if not isinstance(moment, datetime):
        errors["started_at"] = "Give a date and time, e.g. 2025-03-03T08:15:00Z"
        return None
    if timezone.is_naive(moment):
        errors["started_at"] = "Give the time with its offset from UTC, e.g. 2025-03-03T08:15:00Z"
        return None
    # The year first: a time near the calendar's ends cannot be compared across time zones.
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        errors["started_at"] = f"Give a date from the year {EARLIEST_YEAR} on"
        return None
    if moment > timezone.now() + FUTURE_GRACE:
        errors["started_at"] = "An activity cannot start in the future"
        return None
    return moment


def _minutes(value: object, errors: dict[str, str]) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        errors["minutes"] = MINUTES_MESSAGE
        return 0
    if not MINUTES_MIN <= value <= MINUTES_MAX:
        errors["minutes"] = MINUTES_MESSAGE
        return 0
    return value


def _note(value: object, errors: dict[str, str]) -> str:
    try:
        return text_clean(value, field="note", max_length=NOTE_MAX, required=False)
    except ValidationError as error:
        errors["note"] = error.message_dict["note"][0]
        return ""


def _clean_activity(data: ActivityInput, *, actor: Any, keep_place: Any = None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    school = _school(data.school_urn, actor, errors)
    kind, detail = _kind(data.kind, data.detail, errors)
    values = {
        "school": school,
        "kind": kind,
        "detail": detail,
        "started_at": _started_at(data.started_at, errors),
        "minutes": _minutes(data.minutes, errors),
        "place": _place(data.place_id, school, errors, keep=keep_place),
        "note": _note(data.note, errors),
    }
    if errors:
        raise ValidationError(errors)
    return values


def _require_officer(actor: Any) -> None:
    if not access.can_log_activity(actor):
        raise ValidationError({"school_urn": "Choose a school you are deployed to (its URN)"})


# The activity log --------------------------------------------------------------------------


def activity_log(*, actor: Any, data: ActivityInput, source: str) -> Activity:
    """Log time the actor, an SSP officer, spent at a school they are deployed to."""
    _require_officer(actor)
    values = _clean_activity(data, actor=actor)
    with transaction.atomic():
        activity = Activity.objects.create(officer=actor, **values)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            source=source,
            obj=activity,
            detail={"kind": activity.kind, "minutes": activity.minutes},
        )
    return activity


_ACTIVITY_FIELDS = ("school", "kind", "detail", "started_at", "minutes", "place", "note")


def activity_update(
    *, actor: Any, activity: Activity, data: ActivityInput, source: str
) -> Activity:
    """Correct an entry of the actor's own log (fetched with ``write=True``); the audit event
    names the fields that changed."""
    _require_officer(actor)
    values = _clean_activity(data, actor=actor, keep_place=activity.place_id)
    with transaction.atomic():
        current = Activity.objects.select_for_update().filter(pk=activity.pk, officer=actor).first()
        if current is None:
            raise ValidationError({"id": GONE})
        changed = [name for name in _ACTIVITY_FIELDS if getattr(current, name) != values[name]]
        for name in _ACTIVITY_FIELDS:
            setattr(current, name, values[name])
        current.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            source=source,
            obj=current,
            detail={"changed": changed},
        )
    return current


def activity_delete(*, actor: Any, activity: Activity, source: str) -> None:
    """Remove an entry of the actor's own log (fetched with ``write=True``)."""
    with transaction.atomic():
        current = Activity.objects.select_for_update().filter(pk=activity.pk, officer=actor).first()
        if current is None:
            return
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            source=source,
            obj=current,
            detail={"kind": current.kind, "minutes": current.minutes},
        )
        current.delete()


# Patrol plans ------------------------------------------------------------------------------


def _weekdays(value: object, errors: dict[str, str]) -> int:
    days = value if isinstance(value, list | tuple | set | frozenset) else None
    if days is not None and all(
        isinstance(day, int) and not isinstance(day, bool) and 0 <= day < len(WEEKDAY_NAMES)
        for day in days
    ):
        mask = 0
        for day in days:
            mask |= 1 << day
        if mask:
            return mask
    errors["weekdays"] = "Choose at least one day from Monday to Friday"
    return 0


def _time(value: object, field: str, errors: dict[str, str]) -> time | None:
    moment = value
    if isinstance(value, str):
        try:
            moment = parse_time(value.strip())
        except ValueError:
            moment = None
    if not isinstance(moment, time):
        errors[field] = "Give a time of day, e.g. 08:15"
        return None
    return moment.replace(second=0, microsecond=0, tzinfo=None)


def _date(value: object, field: str, errors: dict[str, str], *, required: bool) -> date | None:
    if value in (None, "") and not required:
        return None
    day = value
    if isinstance(value, str):
        try:
            day = parse_date(value.strip())
        except ValueError:
            day = None
    if (
        isinstance(day, datetime)
        or not isinstance(day, date)
        or not EARLIEST_YEAR <= day.year <= LATEST_YEAR
    ):
        errors[field] = "Give a date from the year 2000 on, e.g. 2025-09-01"
        return None
    return day


def _clean_plan(data: PatrolPlanInput, *, actor: Any, keep_place: Any = None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    school = _school(data.school_urn, actor, errors)
    values: dict[str, Any] = {
        "school": school,
        "place": _place(data.place_id, school, errors, keep=keep_place),
        "weekdays": _weekdays(data.weekdays, errors),
        "starts_at": _time(data.starts_at, "starts_at", errors),
        "ends_at": _time(data.ends_at, "ends_at", errors),
        "valid_from": _date(data.valid_from, "valid_from", errors, required=True),
        "valid_until": _date(data.valid_until, "valid_until", errors, required=False),
    }
    if not isinstance(data.active, bool):
        errors["active"] = "Answer yes (true) or no (false)"
    values["active"] = bool(data.active)
    if values["starts_at"] and values["ends_at"] and values["ends_at"] <= values["starts_at"]:
        errors["ends_at"] = "The patrol must end after it starts, on the same day"
    if (
        values["valid_from"]
        and values["valid_until"]
        and values["valid_until"] < values["valid_from"]
    ):
        errors["valid_until"] = "The last day cannot be before the first"
    if errors:
        raise ValidationError(errors)
    return values


def patrol_plan_create(*, actor: Any, data: PatrolPlanInput, source: str) -> PatrolPlan:
    """Plan a recurring patrol at a school the actor, an SSP officer, is deployed to."""
    _require_officer(actor)
    values = _clean_plan(data, actor=actor)
    with transaction.atomic():
        plan = PatrolPlan.objects.create(officer=actor, **values)
        audit_record(actor=actor, action=AuditAction.CREATE, source=source, obj=plan)
    return plan


_PLAN_FIELDS = (
    "school",
    "place",
    "weekdays",
    "starts_at",
    "ends_at",
    "valid_from",
    "valid_until",
    "active",
)


def patrol_plan_update(
    *, actor: Any, plan: PatrolPlan, data: PatrolPlanInput, source: str
) -> PatrolPlan:
    """Change one of the actor's own patrol plans (fetched with ``write=True``)."""
    _require_officer(actor)
    values = _clean_plan(data, actor=actor, keep_place=plan.place_id)
    with transaction.atomic():
        current = PatrolPlan.objects.select_for_update().filter(pk=plan.pk, officer=actor).first()
        if current is None:
            raise ValidationError({"id": GONE})
        changed = [name for name in _PLAN_FIELDS if getattr(current, name) != values[name]]
        for name in _PLAN_FIELDS:
            setattr(current, name, values[name])
        current.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            source=source,
            obj=current,
            detail={"changed": changed},
        )
    return current


# The calendar address ----------------------------------------------------------------------


def _revoke_working(actor: Any, source: str, now: datetime) -> int:
    working = list(CalendarFeed.objects.filter(officer=actor, revoked_at__isnull=True))
    for feed in working:
        feed.revoked_at = now
        feed.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            source=source,
            obj=feed,
            detail={"revoked": True},
        )
    return len(working)


def calendar_feed_create(*, actor: Any, source: str) -> tuple[CalendarFeed, str]:
    """A new private calendar address for the actor's patrol plans; the one before stops
    working. Returns the feed and its secret token, which is not kept: show it once."""
    if not access.can_log_activity(actor):
        raise ValidationError({"officer": "Only SSP officers have a patrol calendar"})
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    with transaction.atomic():
        # One working address per officer: making two at once waits here, one after the other.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        _revoke_working(actor, source, now)
        feed = CalendarFeed.objects.create(
            officer=actor, token_hash=token_hash(token), created_at=now
        )
        audit_record(actor=actor, action=AuditAction.CREATE, source=source, obj=feed)
    return feed, token


def calendar_feed_revoke(*, actor: Any, source: str) -> bool:
    """Stop the actor's calendar address working; whether there was one."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).first()
        return _revoke_working(actor, source, timezone.now()) > 0
