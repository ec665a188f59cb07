"""Recording multi-agency meetings: who attended, the pupils discussed (each with a short note),
the decisions, and the actions agreed with their owners.

Each function checks everything first and raises one ``ValidationError`` keyed by field (rows by
position: ``guests[0].name``, ``pupils[1].note``, ``actions[2].due_on``), then writes in one
transaction with its audit events: one for the meeting and one for each pupil whose discussion
was recorded, changed or removed, so that the pupil's own record shows it.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from saferschools.core import access
from saferschools.core.audit import audit_record, audit_record_many
from saferschools.core.models import AuditAction, School
from saferschools.lib.checks import check_boolean, check_text

from .meeting_selectors import meeting_people
from .models import Meeting, MeetingAction, MeetingGuest, MeetingPupil, Pupil
from .records import pupil_check_writable

TITLE_MAX = 200
LOCATION_MAX = 200
DECISIONS_MAX = 20_000
NOTE_MAX = 2_000
NAME_MAX = 200
DESCRIPTION_MAX = 500
MAX_GUESTS = 40
MAX_PUPILS = 40
MAX_ACTIONS = 40
MAX_ATTENDEES = 100
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class GuestInput:
    """Someone at the meeting who is not a user of the product."""

    name: object
    organisation: object
    role: object = ""


@dataclass(frozen=True)
class PupilNoteInput:
    """A pupil of the school discussed, with what was said about them."""

    pupil_id: object
    note: object


@dataclass(frozen=True)
class ActionInput:
    """An action agreed: owned by a user (``owner_id``) or by someone named (``owner_name``).
    ``action_id`` names an action the meeting already has, when changing it."""

    description: object
    due_on: object
    owner_id: object = None
    owner_name: object = ""
    done: object = False
    action_id: object = None


@dataclass
class MeetingInput:
    """What a meeting's minutes hold, as given by the form or the demo."""

    title: object
    held_at: object
    location: object = ""
    attendee_ids: object = ()
    guests: object = ()
    pupils: object = ()
    decisions: object = ""
    actions: object = field(default_factory=tuple)


def _uuid(value: object) -> str | None:
    try:
        return str(uuid.UUID(str(value))) if value not in (None, "") else None
    except ValueError:
        return None


def _rows(value: object, name: str, kind: type, most: int, errors: dict[str, str]) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, kind) for v in value):
        errors[name] = "Give a list"
        return []
    if len(value) > most:
        errors[name] = f"Give at most {most}"
        return []
    return list(value)


def _moment(value: object, errors: dict[str, str]) -> datetime | None:
    if not isinstance(value, datetime):
        errors["held_at"] = "Give the date and time the meeting was held"
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        errors["held_at"] = f"Give a date from {FIRST_YEAR} to {LAST_YEAR}"
        return None
    return value


def _day(value: object, key: str, errors: dict[str, str]) -> date | None:
    if not isinstance(value, date) or isinstance(value, datetime):
        errors[key] = "Give the date it is due"
        return None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        errors[key] = f"Give a date from {FIRST_YEAR} to {LAST_YEAR}"
        return None
    return value


def _text(value: object, key: str, most: int, errors: dict[str, str], *, required: bool) -> str:
    return check_text(value, key, most, errors, required=required)


@dataclass(frozen=True)
class _Cleaned:
    title: str
    held_at: datetime
    location: str
    decisions: str
    attendees: list[Any]
    guests: list[tuple[str, str, str]]
    pupils: list[tuple[Pupil, str]]
    actions: list[dict[str, Any]]


def _clean(data: MeetingInput, *, actor: Any, school: School, current: Meeting | None) -> _Cleaned:
    """Every value checked, every problem kept under its field's name and raised together.

    On a change (``current``), the people already on the meeting stay allowed even if they have
    since left the school, and so do the pupils already discussed."""
    errors: dict[str, str] = {}
    title = _text(data.title, "title", TITLE_MAX, errors, required=True)
    held_at = _moment(data.held_at, errors)
    location = _text(data.location, "location", LOCATION_MAX, errors, required=False)
    decisions = _text(data.decisions, "decisions", DECISIONS_MAX, errors, required=False)

    already: list[Any] = []
    if current is not None:
        already = list(current.attendees.all())
        already += [a.owner for a in current.actions.all() if a.owner is not None]
    people = {
        str(person.user.pk): person.user for person in meeting_people(school=school, also=already)
    }

    attendees: list[Any] = []
    attendee_ids = data.attendee_ids
    if not isinstance(attendee_ids, list | tuple) or len(attendee_ids) > MAX_ATTENDEES:
        errors["attendee_ids"] = f"Give a list of at most {MAX_ATTENDEES} people"
    else:
        for value in dict.fromkeys(_uuid(v) for v in attendee_ids):
            if value is None or value not in people:
                errors["attendee_ids"] = "Choose people from the list"
                break
            attendees.append(people[value])

    guests: list[tuple[str, str, str]] = []
    for index, guest in enumerate(_rows(data.guests, "guests", GuestInput, MAX_GUESTS, errors)):
        key = f"guests[{index}]"
        name = _text(guest.name, f"{key}.name", NAME_MAX, errors, required=True)
        organisation = _text(
            guest.organisation, f"{key}.organisation", NAME_MAX, errors, required=True
        )
        role = _text(guest.role, f"{key}.role", NAME_MAX, errors, required=False)
        guests.append((name, organisation, role))

    pupils = _clean_pupils(data.pupils, actor=actor, school=school, current=current, errors=errors)

    existing_actions = {str(a.pk): a for a in current.actions.all()} if current else {}
    # An action's owner who uses the product sees it on their landing page and marks it done
    # from the minutes: they must be able to open the meeting, as one of its attendees or one
    # of the school's case workers.
    attending = {user.pk for user in attendees}
    case_workers: set[Any] | None = None
    actions: list[dict[str, Any]] = []
    for index, row in enumerate(_rows(data.actions, "actions", ActionInput, MAX_ACTIONS, errors)):
        key = f"actions[{index}]"
        action_id = _uuid(row.action_id)
        if row.action_id not in (None, "") and action_id not in existing_actions:
            errors[f"{key}.action_id"] = "Choose an action of this meeting"
            continue
        description = _text(
            row.description, f"{key}.description", DESCRIPTION_MAX, errors, required=True
        )
        due_on = _day(row.due_on, f"{key}.due_on", errors)
        owner_name = _text(row.owner_name, f"{key}.owner_name", NAME_MAX, errors, required=False)
        owner = None
        if row.owner_id not in (None, ""):
            owner = people.get(_uuid(row.owner_id) or "")
            if owner is None:
                errors[f"{key}.owner_id"] = "Choose someone from the list"
            elif owner.pk not in attending:
                if case_workers is None:
                    case_workers = set(
                        access.users_reaching_school(school, access.CASEWORK_ROLES).values_list(
                            "pk", flat=True
                        )
                    )
                if owner.pk not in case_workers:
                    errors[f"{key}.owner_id"] = (
                        "Choose someone who attended (tick them above), or name them: the "
                        "owner must be able to see the meeting"
                    )
        if owner is not None and owner_name:
            errors[f"{key}.owner_name"] = (
                "Choose someone from the list or name someone else, not both"
            )
        elif owner is None and not owner_name and f"{key}.owner_id" not in errors:
            errors[f"{key}.owner_id"] = "Choose who owns the action, or name them"
        done = check_boolean(row.done, f"{key}.done", errors)
        actions.append(
            {
                "current": existing_actions.get(action_id or ""),
                "description": description,
                "due_on": due_on,
                "owner": owner,
                "owner_name": "" if owner is not None else owner_name,
                "done": done,
            }
        )
    if errors:
        raise ValidationError(errors)
    assert held_at is not None
    return _Cleaned(title, held_at, location, decisions, attendees, guests, pupils, actions)


def _clean_pupils(
    value: object,
    *,
    actor: Any,
    school: School,
    current: Meeting | None,
    errors: dict[str, str],
) -> list[tuple[Pupil, str]]:
    rows = _rows(value, "pupils", PupilNoteInput, MAX_PUPILS, errors)
    ids = [_uuid(row.pupil_id) for row in rows]
    discussed = (
        {str(row.pupil_id): row for row in current.pupils_discussed.all()} if current else {}
    )
    # The pupils named and discussed are locked before their records are checked, in one order,
    # so that no change crosses the sending of a record to another school (``pupil_lock``).
    list(
        Pupil.objects.select_for_update()
        .filter(pk__in=[*(i for i in ids if i), *discussed])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    # A pupil discussed whose record has since moved to another school, receipt confirmed, is
    # no longer the actor's to see: their row stays as it is, and naming them is refused as for
    # any pupil out of reach.
    hidden: dict[str, MeetingPupil] = {}
    if discussed:
        in_reach = {
            str(pk)
            for pk in access.scope(actor, Pupil)
            .filter(pk__in=list(discussed))
            .values_list("pk", flat=True)
        }
        hidden = {pk: row for pk, row in discussed.items() if pk not in in_reach}
        discussed = {pk: row for pk, row in discussed.items() if pk in in_reach}
    # A pupil newly discussed is one of the school's that the actor sees (not one who has moved
    # to another school); one already discussed stays.
    visible = {
        str(pupil.pk): pupil
        for pupil in access.scope(actor, Pupil).filter(
            school=school, pk__in=[i for i in ids if i and i not in discussed]
        )
    }
    pupils: list[tuple[Pupil, str]] = []
    seen: set[str] = set()
    for index, (row, pupil_id) in enumerate(zip(rows, ids, strict=True)):
        key = f"pupils[{index}]"
        known = discussed.get(pupil_id or "")
        pupil = known.pupil if known is not None else visible.get(pupil_id or "")
        if pupil is None:
            errors[f"{key}.pupil_id"] = "Choose a pupil of this school"
            continue
        if pupil_id in seen:
            errors[f"{key}.pupil_id"] = "This pupil is listed already"
            continue
        seen.add(str(pupil_id))
        note = _text(row.note, f"{key}.note", NOTE_MAX, errors, required=True)
        changed = pupil_id not in discussed or discussed[pupil_id].note != note
        if changed and note:
            try:
                pupil_check_writable(pupil)
            except ValidationError as error:
                errors[f"{key}.pupil_id"] = error.message_dict["pupil"][0]
                continue
        pupils.append((pupil, note))
    kept = {str(pupil.pk) for pupil, _ in pupils}
    for pupil_id, row in discussed.items():
        if pupil_id not in kept and pupil_id not in ids:
            try:
                pupil_check_writable(row.pupil)
            except ValidationError as error:
                errors["pupils"] = error.message_dict["pupil"][0]
    pupils.extend((row.pupil, row.note) for row in hidden.values())
    return pupils


def _pupil_events(
    *, actor: Any, meeting: Meeting, changes: dict[str, list[Pupil]], source: str
) -> None:
    """An event on each pupil whose discussion was recorded, changed or removed."""
    for change, pupils in changes.items():
        audit_record_many(
            actor=actor,
            action=AuditAction.UPDATE,
            source=source,
            objects=pupils,
            detail={"meeting": str(meeting.pk), "change": change},
        )


def _new_action(meeting: Meeting, row: dict[str, Any], now: datetime) -> MeetingAction:
    return MeetingAction(
        meeting=meeting,
        description=row["description"],
        owner=row["owner"],
        owner_name=row["owner_name"],
        due_on=row["due_on"],
        done_at=now if row["done"] else None,
    )


@transaction.atomic
def meeting_record(*, actor: Any, school: School, data: MeetingInput, source: str) -> Meeting:
    """Record a multi-agency meeting convened by ``school``, with everything it holds.

    The caller checks ``access.can_open_casework`` first. Audited: the meeting, and each pupil
    discussed (on the pupil's own record)."""
    cleaned = _clean(data, actor=actor, school=school, current=None)
    now = timezone.now()
    meeting = Meeting(
        school=school,
        title=cleaned.title,
        held_at=cleaned.held_at,
        location=cleaned.location,
        decisions=cleaned.decisions,
        recorded_by=actor,
    )
    meeting.full_clean(exclude=["school", "recorded_by"])
    meeting.save()
    meeting.attendees.set(cleaned.attendees)
    MeetingGuest.objects.bulk_create(
        MeetingGuest(meeting=meeting, name=name, organisation=organisation, role=role)
        for name, organisation, role in cleaned.guests
    )
    MeetingPupil.objects.bulk_create(
        MeetingPupil(meeting=meeting, pupil=pupil, note=note) for pupil, note in cleaned.pupils
    )
    MeetingAction.objects.bulk_create(_new_action(meeting, row, now) for row in cleaned.actions)
    _pupil_events(
        actor=actor,
        meeting=meeting,
        changes={"discussed": [pupil for pupil, _ in cleaned.pupils]},
        source=source,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        source=source,
        obj=meeting,
        detail={
            "school_urn": school.urn,
            "attendees": len(cleaned.attendees),
            "guests": len(cleaned.guests),
            "pupils": len(cleaned.pupils),
            "actions": len(cleaned.actions),
        },
    )
    return meeting


@transaction.atomic
def meeting_update(*, actor: Any, meeting: Meeting, data: MeetingInput, source: str) -> Meeting:
    """Change a meeting's minutes to what ``data`` says: rows left out are removed.

    The caller fetched the meeting with ``write=True``. Only what changed is written and named
    in the audit event (field names, never values); nothing changed, nothing is written."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("school")
        .prefetch_related("attendees", "guests", "pupils_discussed__pupil", "actions__owner")
        .get(pk=meeting.pk)
    )
    cleaned = _clean(data, actor=actor, school=meeting.school, current=meeting)
    now = timezone.now()
    changed: list[str] = []
    for name in ("title", "held_at", "location", "decisions"):
        value = getattr(cleaned, name)
        if getattr(meeting, name) != value:
            setattr(meeting, name, value)
            changed.append(name)
    fields_changed = list(changed)

    if {u.pk for u in meeting.attendees.all()} != {u.pk for u in cleaned.attendees}:
        meeting.attendees.set(cleaned.attendees)
        changed.append("attendees")

    guests = [(g.name, g.organisation, g.role) for g in meeting.guests.all()]
    if guests != cleaned.guests:
        meeting.guests.all().delete()
        MeetingGuest.objects.bulk_create(
            MeetingGuest(meeting=meeting, name=name, organisation=organisation, role=role)
            for name, organisation, role in cleaned.guests
        )
        changed.append("guests")

    pupil_changes = _update_pupils(meeting, cleaned.pupils)
    if any(pupil_changes.values()):
        changed.append("pupils")

    if _update_actions(meeting, cleaned.actions, now):
        changed.append("actions")

    if not changed:
        return meeting
    # Saved whenever anything of the meeting changed, so that its time of change moves.
    meeting.save(update_fields=[*fields_changed, "updated_at"])
    _pupil_events(actor=actor, meeting=meeting, changes=pupil_changes, source=source)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=meeting,
        detail={"fields": changed},
    )
    return meeting


def _update_pupils(meeting: Meeting, pupils: list[tuple[Pupil, str]]) -> dict[str, list[Pupil]]:
    rows = {row.pupil_id: row for row in meeting.pupils_discussed.all()}
    wanted = {pupil.pk: (pupil, note) for pupil, note in pupils}
    added = [pupil for pk, (pupil, _) in wanted.items() if pk not in rows]
    removed = [row.pupil for pk, row in rows.items() if pk not in wanted]
    noted = [row.pupil for pk, row in rows.items() if pk in wanted and row.note != wanted[pk][1]]
    if removed:
        MeetingPupil.objects.filter(meeting=meeting, pupil__in=removed).delete()
    for pupil in noted:
        MeetingPupil.objects.filter(meeting=meeting, pupil=pupil).update(note=wanted[pupil.pk][1])
    MeetingPupil.objects.bulk_create(
        MeetingPupil(meeting=meeting, pupil=pupil, note=wanted[pupil.pk][1]) for pupil in added
    )
    return {"discussed": added, "note": noted, "removed": removed}


def _update_actions(meeting: Meeting, rows: list[dict[str, Any]], now: datetime) -> bool:
    """Bring the meeting's actions in line with ``rows``; whether anything changed."""
    kept = {row["current"].pk for row in rows if row["current"] is not None}
    gone = [a.pk for a in meeting.actions.all() if a.pk not in kept]
    changed = bool(gone)
    if gone:
        MeetingAction.objects.filter(pk__in=gone).delete()
    for row in rows:
        action = row["current"]
        if action is None:
            _new_action(meeting, row, now).save()
            changed = True
            continue
        values = {
            "description": row["description"],
            "owner": row["owner"],
            "owner_name": row["owner_name"],
            "due_on": row["due_on"],
        }
        if row["done"] != (action.done_at is not None):
            values["done_at"] = now if row["done"] else None
        differs = [name for name, value in values.items() if getattr(action, name) != value]
        if differs:
            for name in differs:
                setattr(action, name, values[name])
            action.save(update_fields=differs)
            changed = True
    return changed


@transaction.atomic
def meeting_action_set_done(
    *, actor: Any, action: MeetingAction, done: bool, source: str
) -> MeetingAction:
    """Mark an action done (now) or not done. The caller fetched it with
    ``meeting_selectors.meeting_action_for_change``. Marking it as it already is changes
    nothing."""
    locked = MeetingAction.objects.select_for_update().get(pk=action.pk)
    if (locked.done_at is not None) == done:
        return locked
    locked.done_at = timezone.now() if done else None
    locked.save(update_fields=["done_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=locked.meeting,
        detail={"action": str(locked.pk), "done": done},
    )
    return locked
