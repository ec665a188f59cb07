"""The steering group of a partnership (guidance 3.9 to 3.11, 4.3): its members, its meetings
with agenda, minutes and decisions, and the actions agreed with their owners and due dates.

Each function checks everything first and raises one ``ValidationError`` keyed by field (an
action's by its position: ``actions[1].due_on``), then writes in one transaction with its audit
event. Callers fetch what they change through the access policy; the functions check again
that the actor may do what they ask (``access.can_govern``; an action's owner marks it done), so
that every caller is held to the rule the pages apply. The steering group's records hold no
pupil's personal data: a pupil representative is described ("Year 10 representative"), never
named, and the forms say not to name pupils.

An open action is reminded once it is overdue: at the start of the first school day after its
due date, then every five school days, three times at most. Each reminder is a background task
stored in the same transaction as the change that makes it due, so it exists exactly when the
action does; it checks the action when it runs, and does nothing once the action is done or its
due date has moved (the new date has its own reminders). A reminder goes to the action's owner;
an action whose owner was only named (someone without an account), or whose owner can no longer
see the partnership, is reminded to whoever recorded the meeting, so that they can chase it.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import AuditAction, Partnership
from saferschools.core.notifications import notify
from saferschools.lib.checks import check_boolean, check_choice, check_text
from saferschools.lib.schooldays import (
    LONDON,
    add_school_days,
    next_school_day,
    school_day_start,
    start_of_next_school_day,
)

from .models import SteeringAction, SteeringMeeting, SteeringMember

NAME_MAX = 200
LOCATION_MAX = 200
AGENDA_MAX = 20_000
MINUTES_MAX = 50_000
DECISIONS_MAX = 20_000
DESCRIPTION_MAX = 500
MAX_ACTIONS = 40
MAX_ATTENDEES = 100
FIRST_YEAR, LAST_YEAR = 2000, 2100
# The same meeting recorded again by the same person within this time (a second press of the
# button) is the one already recorded.
DUPLICATE_WINDOW = timedelta(minutes=10)
# Reminders of an overdue action: the first on the school day after it fell due, then every
# five school days, three in all.
REMINDER_SCHOOL_DAYS = 5
MAX_REMINDERS = 3
REMIND_SOURCE = "task:steering_action_remind"


# Members -------------------------------------------------------------------------------------


@dataclass
class MemberInput:
    """A member of the steering group as given by the form or the demo. ``user_id`` links the
    member to a user account reaching the partnership; a pupil representative has none."""

    kind: object
    name: object
    joined_on: object
    organisation: object = ""
    role: object = ""
    user_id: object = None


def _check_keeps(actor: Any, partnership: Partnership) -> None:
    if not access.can_govern(actor, partnership):
        raise ValidationError(
            {
                "partnership": "Only the partnership's head teachers, its steering group and the "
                "area's administrators keep its steering group"
            }
        )


def _uuid(value: object) -> str | None:
    try:
        return str(uuid.UUID(str(value))) if value not in (None, "") else None
    except ValueError:
        return None


def _day(value: object, key: str, what: str, errors: dict[str, str]) -> date | None:
    if not isinstance(value, date) or isinstance(value, datetime):
        errors[key] = f"Enter the date {what}"
        return None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        errors[key] = f"Enter a date from {FIRST_YEAR} to {LAST_YEAR}"
        return None
    return value


def _member_values(
    data: MemberInput, *, partnership: Partnership, current: SteeringMember | None
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    kind = check_choice(data.kind, SteeringMember.Kind, "kind", errors)
    values: dict[str, Any] = {
        "kind": kind,
        "name": check_text(data.name, "name", NAME_MAX, errors, required=True),
        "organisation": check_text(
            data.organisation, "organisation", NAME_MAX, errors, required=False
        ),
        "role": check_text(data.role, "role", NAME_MAX, errors, required=False),
        "joined_on": _day(data.joined_on, "joined_on", "they joined the group", errors),
        "user": None,
    }
    if (
        current is not None
        and current.left_on is not None
        and values["joined_on"] is not None
        and values["joined_on"] > current.left_on
    ):
        errors["joined_on"] = "The date they joined must be on or before the date they left"
    if data.user_id not in (None, ""):
        key = _uuid(data.user_id)
        if kind == SteeringMember.Kind.PUPIL:
            errors["user_id"] = "A pupil representative is not linked to an account"
        elif current is not None and key is not None and key == str(current.user_id):
            # Linked already: the link stays even if they have since moved on.
            values["user"] = current.user
        else:
            user = (
                access.users_reaching_partnership(partnership).filter(pk=key).first()
                if key
                else None
            )
            if user is None:
                errors["user_id"] = "Choose someone who can see the partnership"
            elif (
                SteeringMember.objects.filter(
                    partnership=partnership, user=user, left_on__isnull=True
                )
                .exclude(pk__in=[current.pk] if current is not None else [])
                .exists()
            ):
                errors["user_id"] = f"{user.full_name or user.email} is a member already"
            else:
                values["user"] = user
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def steering_member_add(
    *, actor: Any, partnership: Partnership, data: MemberInput, source: str
) -> SteeringMember:
    """Add a member to the partnership's steering group; refused (``ValidationError``, nothing
    written) for an actor who does not keep its governance or a bad value, named by field.
    Audited."""
    _check_keeps(actor, partnership)
    values = _member_values(data, partnership=partnership, current=None)
    member = SteeringMember(partnership=partnership, **values)
    member.full_clean()
    member.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        source=source,
        obj=member,
        detail={"partnership": str(partnership.pk), "kind": member.kind},
    )
    return member


@transaction.atomic
def steering_member_update(
    *, actor: Any, member: SteeringMember, data: MemberInput, source: str
) -> SteeringMember:
    """Change what the steering group records of a member (fetched with ``write=True``; an
    actor who does not keep the partnership's governance is refused). Only what changed is
    written, and named in the audit event; nothing changed, nothing written."""
    member = (
        SteeringMember.objects.select_for_update(of=("self",))
        .select_related("partnership", "user")
        .get(pk=member.pk)
    )
    _check_keeps(actor, member.partnership)
    values = _member_values(data, partnership=member.partnership, current=member)
    changed = [name for name, value in values.items() if getattr(member, name) != value]
    if not changed:
        return member
    for name in changed:
        setattr(member, name, values[name])
    member.full_clean()
    member.save(update_fields=changed)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=member,
        detail={"fields": changed},
    )
    return member


@transaction.atomic
def steering_member_leave(
    *, actor: Any, member: SteeringMember, left_on: object, source: str
) -> SteeringMember:
    """Record that a member has left the group on ``left_on`` (on or after they joined, and
    not after today), by an actor who keeps the partnership's governance. They stay in the
    group's history and on the meetings they attended."""
    member = (
        SteeringMember.objects.select_for_update(of=("self",))
        .select_related("partnership")
        .get(pk=member.pk)
    )
    _check_keeps(actor, member.partnership)
    errors: dict[str, str] = {}
    if member.left_on is not None:
        raise ValidationError({"left_on": f"{member.name} left the group already"})
    day = _day(left_on, "left_on", "they left the group", errors)
    if day is not None and day < member.joined_on:
        errors["left_on"] = "The date they left must be on or after the date they joined"
    elif day is not None and day > timezone.localdate():
        errors["left_on"] = "The date they left must be today or in the past"
    if errors:
        raise ValidationError(errors)
    member.left_on = day
    member.full_clean()
    member.save(update_fields=["left_on"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=member,
        detail={"fields": ["left_on"]},
    )
    return member


# Meetings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionInput:
    """An action agreed: owned by a user (``owner_id``, the account of a member of the group)
    or by someone named (``owner_name``). ``action_id`` names one the meeting has already."""

    description: object
    due_on: object
    owner_id: object = None
    owner_name: object = ""
    done: object = False
    action_id: object = None


@dataclass
class MeetingInput:
    """What a steering group meeting's record holds, as given by the form or the demo.

    ``seen_updated_at`` is when the meeting had last changed as the person changing it saw it:
    a change made over someone else's since is refused rather than silently undoing theirs."""

    held_at: object
    agenda: object
    location: object = ""
    minutes: object = ""
    decisions: object = ""
    attendee_ids: object = ()
    actions: object = field(default_factory=tuple)
    seen_updated_at: object = None


@dataclass(frozen=True)
class _Cleaned:
    held_at: datetime
    location: str
    agenda: str
    minutes: str
    decisions: str
    attendees: list[SteeringMember]
    actions: list[dict[str, Any]]


def _moment(value: object, errors: dict[str, str]) -> datetime | None:
    if not isinstance(value, datetime):
        errors["held_at"] = "Enter the date and time of the meeting"
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=LONDON)
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        errors["held_at"] = f"Enter a date from {FIRST_YEAR} to {LAST_YEAR}"
        return None
    return value


def _clean_meeting(
    data: MeetingInput, *, partnership: Partnership, current: SteeringMeeting | None
) -> _Cleaned:
    """Every value checked, every problem kept under its field's name and raised together.

    Attendees are members of the partnership's group (past members too: a meeting recorded
    late was attended by who was a member then). A new owner is the account of a current
    member who still reaches the partnership, so that they can see the action; an owner the
    action has already stays."""
    errors: dict[str, str] = {}
    held_at = _moment(data.held_at, errors)
    location = check_text(data.location, "location", LOCATION_MAX, errors, required=False)
    agenda = check_text(data.agenda, "agenda", AGENDA_MAX, errors, required=True)
    minutes = check_text(data.minutes, "minutes", MINUTES_MAX, errors, required=False)
    decisions = check_text(data.decisions, "decisions", DECISIONS_MAX, errors, required=False)

    members = {str(m.pk): m for m in SteeringMember.objects.filter(partnership=partnership)}
    attendees: list[SteeringMember] = []
    attendee_ids = data.attendee_ids
    if not isinstance(attendee_ids, list | tuple) or len(attendee_ids) > MAX_ATTENDEES:
        errors["attendee_ids"] = f"Give a list of at most {MAX_ATTENDEES} members"
    else:
        for value in dict.fromkeys(_uuid(v) for v in attendee_ids):
            if value is None or value not in members:
                errors["attendee_ids"] = "Choose attendees among the members of the group"
                break
            attendees.append(members[value])

    existing = {str(a.pk): a for a in current.actions.all()} if current is not None else {}
    owners: dict[str, Any] | None = None
    rows = data.actions
    if not isinstance(rows, list | tuple) or not all(isinstance(r, ActionInput) for r in rows):
        errors["actions"] = "Give a list of actions"
        rows = []
    elif len(rows) > MAX_ACTIONS:
        errors["actions"] = f"Give at most {MAX_ACTIONS} actions"
        rows = []
    actions: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        key = f"actions[{index}]"
        action_id = _uuid(row.action_id)
        if row.action_id not in (None, "") and action_id not in existing:
            errors[f"{key}.action_id"] = "Choose an action of this meeting"
            continue
        before = existing.get(action_id or "")
        description = check_text(
            row.description, f"{key}.description", DESCRIPTION_MAX, errors, required=True
        )
        due_on = _day(row.due_on, f"{key}.due_on", "it is due", errors)
        owner_name = check_text(
            row.owner_name, f"{key}.owner_name", NAME_MAX, errors, required=False
        )
        owner = None
        if row.owner_id not in (None, ""):
            owner_id = _uuid(row.owner_id)
            if before is not None and owner_id is not None and owner_id == str(before.owner_id):
                owner = before.owner
            else:
                if owners is None:
                    owners = _possible_owners(partnership)
                owner = owners.get(owner_id or "")
                if owner is None:
                    errors[f"{key}.owner_id"] = (
                        "Choose a member of the group who can see the partnership, or name the "
                        "owner"
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
                "current": before,
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
    return _Cleaned(held_at, location, agenda, minutes, decisions, attendees, actions)


def _possible_owners(partnership: Partnership) -> dict[str, Any]:
    """The accounts of the group's current members who still reach the partnership, by id."""
    users = access.users_reaching_partnership(partnership).filter(
        pk__in=SteeringMember.objects.filter(
            partnership=partnership, left_on__isnull=True, user__isnull=False
        ).values("user_id")
    )
    return {str(user.pk): user for user in users}


def _new_action(meeting: SteeringMeeting, row: dict[str, Any], now: datetime) -> SteeringAction:
    action = SteeringAction(
        meeting=meeting,
        description=row["description"],
        owner=row["owner"],
        owner_name=row["owner_name"],
        due_on=row["due_on"],
        done_at=now if row["done"] else None,
    )
    action.full_clean(exclude=["meeting", "owner"])
    return action


def _holds(meeting: SteeringMeeting, cleaned: _Cleaned) -> bool:
    """Whether the meeting (attendees and actions prefetched) holds exactly what ``cleaned``
    says."""
    held = [
        (a.description, a.due_on, a.owner_id, a.owner_name, a.done_at is not None)
        for a in meeting.actions.all()
    ]
    given = [
        (
            row["description"],
            row["due_on"],
            row["owner"].pk if row["owner"] is not None else None,
            row["owner_name"],
            row["done"],
        )
        for row in cleaned.actions
    ]
    return (
        (meeting.location, meeting.minutes, meeting.decisions)
        == (cleaned.location, cleaned.minutes, cleaned.decisions)
        and {m.pk for m in meeting.attendees.all()} == {m.pk for m in cleaned.attendees}
        and sorted(held, key=repr) == sorted(given, key=repr)
    )


def _repeated(*, actor: Any, partnership: Partnership, cleaned: _Cleaned) -> SteeringMeeting | None:
    """The meeting at the same time with the same agenda that the actor recorded moments ago;
    ``ValidationError`` on ``held_at`` if it holds anything other than ``cleaned``: a form sent
    again with a correction is neither dropped in silence nor recorded a second time."""
    repeated = (
        SteeringMeeting.objects.filter(
            partnership=partnership,
            recorded_by=actor,
            held_at=cleaned.held_at,
            agenda=cleaned.agenda,
            created_at__gte=timezone.now() - DUPLICATE_WINDOW,
        )
        .prefetch_related("attendees", "actions")
        .order_by("-created_at")
        .first()
    )
    if repeated is not None and not _holds(repeated, cleaned):
        raise ValidationError(
            {
                "held_at": "You recorded this meeting a few minutes ago, with other details: open "
                "it from the steering group's page and change it there"
            }
        )
    return repeated


@transaction.atomic
def steering_meeting_record(
    *, actor: Any, partnership: Partnership, data: MeetingInput, source: str
) -> SteeringMeeting:
    """Record a meeting of the partnership's steering group: when and where, its agenda,
    minutes and decisions, who attended and the actions agreed, by an actor who keeps the
    partnership's governance (anyone else is refused, nothing written).

    Audited; each open action's reminders are queued. The same meeting sent twice by the same
    person (a second press of the button) is recorded once; sent again by them within minutes
    with other details, it is refused (``ValidationError`` on ``held_at``), nothing written."""
    _check_keeps(actor, partnership)
    cleaned = _clean_meeting(data, partnership=partnership, current=None)
    # A partnership's meetings are recorded one at a time, so that the same one sent twice at
    # once is found by the second.
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
    repeated = _repeated(actor=actor, partnership=partnership, cleaned=cleaned)
    if repeated is not None:
        return repeated
    now = timezone.now()
    meeting = SteeringMeeting(
        partnership=partnership,
        held_at=cleaned.held_at,
        location=cleaned.location,
        agenda=cleaned.agenda,
        minutes=cleaned.minutes,
        decisions=cleaned.decisions,
        recorded_by=actor,
    )
    meeting.full_clean(exclude=["partnership", "recorded_by"])
    meeting.save()
    meeting.attendees.set(cleaned.attendees)
    actions = [_new_action(meeting, row, now) for row in cleaned.actions]
    for action in actions:
        action.save()
        _schedule_reminders(action)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        source=source,
        obj=meeting,
        detail={
            "partnership": str(partnership.pk),
            "attendees": len(cleaned.attendees),
            "actions": len(actions),
        },
    )
    return meeting


@transaction.atomic
def steering_meeting_update(
    *, actor: Any, meeting: SteeringMeeting, data: MeetingInput, source: str
) -> SteeringMeeting:
    """Change a meeting's record to what ``data`` says: actions left out are removed. Only an
    actor who keeps the partnership's governance changes it.

    Only what changed is written and named in the audit event (field names, never values);
    nothing changed, nothing written. Given ``data.seen_updated_at``, a change to a meeting
    someone else has changed since is refused (a ``ValidationError`` on ``updated_at``) unless
    it changes nothing. An action whose due date moves has its reminders start again."""
    meeting = (
        SteeringMeeting.objects.select_for_update(of=("self",))
        .select_related("partnership")
        .prefetch_related("attendees", "actions__owner")
        .get(pk=meeting.pk)
    )
    _check_keeps(actor, meeting.partnership)
    cleaned = _clean_meeting(data, partnership=meeting.partnership, current=meeting)
    now = timezone.now()
    fields_changed = [
        name
        for name in ("held_at", "location", "agenda", "minutes", "decisions")
        if getattr(meeting, name) != getattr(cleaned, name)
    ]
    attendees_changed = {m.pk for m in meeting.attendees.all()} != {m.pk for m in cleaned.attendees}
    plan = _action_changes(meeting, cleaned.actions, now)
    changed = [
        *fields_changed,
        *(["attendees"] if attendees_changed else []),
        *(["actions"] if plan.changed else []),
    ]
    if not changed:
        return meeting
    seen = data.seen_updated_at
    if seen is not None and seen != meeting.updated_at:
        raise ValidationError(
            {
                "updated_at": "Someone changed this meeting while you were changing it. Check "
                "the meeting as it is now (open it in another tab), then save again to replace "
                "it with what is below."
            }
        )
    for name in fields_changed:
        setattr(meeting, name, getattr(cleaned, name))
    if attendees_changed:
        meeting.attendees.set(cleaned.attendees)
    plan.apply(meeting)
    # Saved whenever anything of the meeting changed, so that its time of change moves.
    meeting.full_clean(exclude=["partnership", "recorded_by", "attendees"])
    meeting.save(update_fields=[*fields_changed, "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=meeting,
        detail={"fields": changed},
    )
    return meeting


@dataclass
class _ActionPlan:
    gone: list[Any]
    new: list[dict[str, Any]]
    updates: list[tuple[SteeringAction, dict[str, Any]]]
    now: datetime

    @property
    def changed(self) -> bool:
        return bool(self.gone or self.new or self.updates)

    def apply(self, meeting: SteeringMeeting) -> None:
        if self.gone:
            SteeringAction.objects.filter(pk__in=self.gone).delete()
        for action, values in self.updates:
            for name, value in values.items():
                setattr(action, name, value)
            if "due_on" in values:
                # A new due date: the reminders of the old one stop, and the new one's start.
                action.reminders_sent = 0
            action.full_clean(exclude=["meeting", "owner"])
            action.save(
                update_fields=[*values, *(["reminders_sent"] if "due_on" in values else [])]
            )
            if "due_on" in values or values.get("done_at", False) is None:
                _schedule_reminders(action)
        for row in self.new:
            action = _new_action(meeting, row, self.now)
            action.save()
            _schedule_reminders(action)


def _action_changes(
    meeting: SteeringMeeting, rows: list[dict[str, Any]], now: datetime
) -> _ActionPlan:
    """What bringing the meeting's actions in line with ``rows`` changes, not yet written."""
    kept = {row["current"].pk for row in rows if row["current"] is not None}
    plan = _ActionPlan(
        gone=[a.pk for a in meeting.actions.all() if a.pk not in kept],
        new=[row for row in rows if row["current"] is None],
        updates=[],
        now=now,
    )
    for row in rows:
        action = row["current"]
        if action is None:
            continue
        values: dict[str, Any] = {
            "description": row["description"],
            "owner": row["owner"],
            "owner_name": row["owner_name"],
            "due_on": row["due_on"],
        }
        if row["done"] != (action.done_at is not None):
            values["done_at"] = now if row["done"] else None
        differs = {name: value for name, value in values.items() if getattr(action, name) != value}
        if differs:
            plan.updates.append((action, differs))
    return plan


@transaction.atomic
def steering_action_set_done(
    *, actor: Any, action: SteeringAction, done: bool, source: str
) -> SteeringAction:
    """Mark an action done (now) or not done again: its owner, or one who keeps the
    partnership's governance (``access.get_steering_action_for_user(write=True)``); anyone else
    is refused (``ValidationError``). Marking it as it already is changes nothing. The
    meeting's time of change moves, so that a change to the meeting begun before is not saved
    over this; an action opened again is reminded again while it is overdue."""
    # The meeting first, then the action, in the order a change to the meeting takes them:
    # the other way round, the two would each wait for the other's lock.
    SteeringMeeting.objects.select_for_update().filter(pk=action.meeting_id).first()
    locked = SteeringAction.objects.select_for_update().get(pk=action.pk)
    try:
        access.get_steering_action_for_user(actor, locked.pk, write=True)
    except Http404:
        raise ValidationError(
            {"action": "Only the action's owner, or one who keeps the group, marks it done"}
        ) from None
    if (locked.done_at is not None) == done:
        return locked
    now = timezone.now()
    locked.done_at = now if done else None
    locked.save(update_fields=["done_at"])
    SteeringMeeting.objects.filter(pk=locked.meeting_id).update(updated_at=now)
    if not done:
        _schedule_reminders(locked)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=locked,
        detail={"meeting": str(locked.meeting_id), "done": done},
    )
    return locked


# Reminders -----------------------------------------------------------------------------------


def first_reminder_at(due_on: date, now: datetime | None = None) -> datetime:
    """When an action due on ``due_on`` is first reminded: at the start of the first school day
    after it, or, for one overdue already, at the start of the next school day from now."""
    due = datetime.combine(next_school_day(due_on), school_day_start(), tzinfo=LONDON)
    soonest = start_of_next_school_day(now or timezone.now())
    return max(due, soonest)


def next_reminder_at(now: datetime) -> datetime:
    """When the reminder after one sent at ``now`` is due: five school days on, at the start
    of the school day."""
    day = add_school_days(now.astimezone(LONDON).date(), REMINDER_SCHOOL_DAYS)
    return datetime.combine(day, school_day_start(), tzinfo=LONDON)


def _queue_reminder(action: SteeringAction, reminder: int, at: datetime) -> None:
    from .steering_tasks import steering_action_remind

    # Stored with the action: the reminder comes when due, even after a restart.
    steering_action_remind.using(run_after=at).enqueue(
        str(action.pk), action.due_on.isoformat(), reminder
    )


def _schedule_reminders(action: SteeringAction) -> None:
    """Queue the next reminder of an open action, if it has any left."""
    if action.done_at is None and action.reminders_sent < MAX_REMINDERS:
        _queue_reminder(action, action.reminders_sent + 1, first_reminder_at(action.due_on))


def _can_see(user: Any, action: SteeringAction) -> bool:
    if user is None or not user.is_active:
        return False
    return access.scope(user, SteeringAction).filter(pk=action.pk).exists()


@transaction.atomic
def steering_action_remind(*, action_id: str, due_on: str, reminder: int) -> str:
    """Run when reminder number ``reminder`` of an action due on ``due_on`` falls due.

    An action still open, still due that day, is reminded to its owner if they can still see
    it, else (and for an owner only named) to whoever recorded the meeting if they can, and the
    next reminder is queued five school days on, three at most. Returns what it did; running it
    twice does nothing more."""
    action = SteeringAction.objects.select_for_update().filter(pk=action_id).first()
    if action is None:
        return "gone"
    if action.done_at is not None:
        return "done"
    if action.due_on.isoformat() != due_on:
        return "moved"
    if action.reminders_sent >= reminder or reminder > MAX_REMINDERS:
        return "already reminded"
    meeting = SteeringMeeting.objects.select_related("partnership", "recorded_by").get(
        pk=action.meeting_id
    )
    partnership = meeting.partnership
    url = (
        reverse("planning-steering-meeting", args=[partnership.pk, meeting.pk])
        + f"#action-{action.pk}"
    )
    action.reminders_sent = reminder
    action.save(update_fields=["reminders_sent"])
    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        source=REMIND_SOURCE,
        obj=action,
        detail={"fields": ["reminders_sent"]},
    )
    owner = action.owner if action.owner_id is not None else None
    if owner is not None and _can_see(owner, action):
        notify(
            users=[owner],
            title=f"Your steering group action for {partnership.name} is overdue",
            url=url,
            kind="steering_action_overdue",
            object_id=str(action.pk),
        )
    elif _can_see(meeting.recorded_by, action):
        notify(
            users=[meeting.recorded_by],
            title=f"An action from a steering group meeting of {partnership.name} you recorded "
            "is overdue",
            url=url,
            kind="steering_action_overdue",
            object_id=str(action.pk),
        )
    if reminder < MAX_REMINDERS:
        _queue_reminder(action, reminder + 1, next_reminder_at(timezone.now()))
    return "reminded"
