"""Reads of multi-agency meetings, always through the access policy.

A meeting (its attendees, decisions and actions) is seen by the school's case workers and by its
attendees; what was said about each pupil is seen only by those who may see that pupil's
casework. Every read that shows a meeting is audited, and so is every pupil named with what was
said about them, naming the sharing decision when the reader reaches the pupil through one.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from saferschools.accounts.models import Membership, Role, User
from saferschools.core import access
from saferschools.core.audit import audit_record, audit_record_many
from saferschools.core.models import AuditAction, School
from saferschools.sharing.models import SharedItem, SharingDecision

from .models import Meeting, MeetingAction, MeetingPupil, Pupil
from .selectors import grant_detail

# Who may be listed as attending: those who work at the school, the police who oversee it and
# the practitioners of the area's agencies. Administrators, analysts and the steering group do
# not attend case meetings.
ATTENDEE_ROLES = access.SCHOOL_ROLES | {Role.POLICE_SUPERVISOR, Role.AGENCY_PRACTITIONER}
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class Person:
    """A user who may attend or own an action, labelled by name and roles."""

    user: Any
    label: str


def _label(user: Any) -> str:
    roles = sorted({f"{m.get_role_display()}, {m.scope_name}" for m in user.attending_memberships})
    name = user.full_name or user.email
    return f"{name} ({'; '.join(roles)})" if roles else name


def _attending_memberships() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(role__in=ATTENDEE_ROLES).select_related(
            "school", "partnership", "agency", "area"
        ),
        to_attr="attending_memberships",
    )


def meeting_people(*, school: School, also: Iterable[Any] = ()) -> list[Person]:
    """Who may be listed at the school's meetings: active users in an attending role over the
    school, its partnership, an agency of its area or its area, in name order; and ``also``
    (those already listed on a meeting, who stay listed if they have since moved on)."""
    memberships = _attending_memberships()
    also_ids = {user.pk for user in also}
    candidates = access.users_reaching_school(school, ATTENDEE_ROLES)
    users = (
        User.objects.filter(Q(pk__in=candidates.values("pk")) | Q(pk__in=also_ids))
        .prefetch_related(memberships)
        .order_by("full_name", "email")
        if also_ids
        else candidates.prefetch_related(memberships)
    )
    return [Person(user, _label(user)) for user in users]


def school_for_meetings(*, user: Any, urn: Any) -> School:
    """The school, if the user keeps its casework (its safeguarding leads, head teacher and
    officers); else ``Http404``, as for a school that does not exist."""
    school = access.get_school_for_user(user, urn)
    if not access.can_open_casework(user, school):
        raise Http404("No school found.")
    return school


def meeting_list(*, user: Any, school: School) -> QuerySet[Meeting]:
    """The school's meetings the user may see, the latest first, with how many pupils were
    discussed and how many actions are open. Not yet audited (see below)."""
    return (
        access.scope(user, Meeting)
        .filter(school=school)
        .annotate(
            pupil_count=Count("pupils_discussed", distinct=True),
            open_actions=Count("actions", filter=Q(actions__done_at__isnull=True), distinct=True),
        )
        .order_by("-held_at", "id")
    )


@transaction.atomic
def meeting_audit_listing(
    *, user: Any, meetings: Iterable[Meeting], source: str, **detail: Any
) -> list[Meeting]:
    """Evaluate meetings about to be listed, with one audit event for each."""
    shown = list(meetings)
    audit_record_many(
        actor=user,
        action=AuditAction.VIEW,
        source=source,
        objects=shown,
        detail={"listing": True, **detail},
    )
    return shown


@dataclass(frozen=True)
class DiscussedPupil:
    """A pupil discussed at a meeting as the reader sees them: named, with the note, or, for
    one whose record is not shared with the reader, neither."""

    pupil: Pupil | None
    note: str


@dataclass(frozen=True)
class Minutes:
    meeting: Meeting
    attendees: list[Any]
    guests: list[Any]
    pupils: list[DiscussedPupil]
    actions: list[MeetingAction]


def _meeting_notes_readable(
    user: Any, pupils: list[Pupil]
) -> tuple[set[Any], dict[Any, SharingDecision]]:
    """Which of these pupils the user may see named with what was said about them at a meeting,
    and, for those seen through a sharing grant, the grant (the newest naming meetings).

    The school's case workers see their school's pupils, except one whose record has moved to
    another school, receipt confirmed: from then on the sending school no longer sees them, in
    a meeting's minutes as anywhere else. A practitioner sees a pupil a live grant naming
    meetings opens to them. A few queries, however many pupils.
    """
    if not pupils:
        return set(), {}
    in_reach = set(
        access.scope(user, Pupil)
        .filter(pk__in=[pupil.pk for pupil in pupils])
        .values_list("pk", flat=True)
    )
    case_schools = set(access.casework_schools(user).values_list("pk", flat=True))
    meeting_grants: dict[Any, SharingDecision] = {}
    for grant in access.pupils_granted(user):
        if SharedItem.MEETINGS in (grant.items or []):
            meeting_grants.setdefault(grant.pupil_id, grant)
    readable: set[Any] = set()
    grants: dict[Any, SharingDecision] = {}
    for pupil in pupils:
        if pupil.pk not in in_reach:
            continue
        if pupil.school_id in case_schools:
            readable.add(pupil.pk)
        elif pupil.pk in meeting_grants:
            readable.add(pupil.pk)
            grants[pupil.pk] = meeting_grants[pupil.pk]
    return readable, grants


def _audit_pupils(
    *,
    user: Any,
    meeting: Meeting,
    pupils: list[Pupil],
    action: str,
    source: str,
    grants: dict[Any, SharingDecision] | None = None,
) -> None:
    """One event per pupil named with what was said: those reached through a grant name it
    (one write for each grant). ``grants`` is ``_meeting_notes_readable``'s, if already known."""
    if grants is None:
        grants = _meeting_notes_readable(user, pupils)[1]
    through: dict[Any, list[Pupil]] = {}
    direct = []
    for pupil in pupils:
        if pupil.pk in grants:
            through.setdefault(grants[pupil.pk].pk, []).append(pupil)
        else:
            direct.append(pupil)
    audit_record_many(
        actor=user,
        action=action,
        source=source,
        objects=direct,
        detail={"meeting": str(meeting.pk)},
    )
    for grant_id, granted in through.items():
        audit_record_many(
            actor=user,
            action=action,
            source=source,
            objects=granted,
            detail={"meeting": str(meeting.pk), "grant": str(grant_id)},
        )


@transaction.atomic
def meeting_minutes(
    *, user: Any, meeting_id: Any, source: str, action: str = AuditAction.VIEW
) -> Minutes:
    """A meeting the user may see (else ``Http404``) as its minutes: each pupil discussed named,
    with the note, only for a reader who may see that pupil's meeting notes (not the sending
    school once a pupil's record has moved to another school). The read (or the export, with
    ``action``) is audited for the meeting and for each pupil named."""
    found = access.get_meeting_for_user(user, meeting_id)
    meeting = (
        Meeting.objects.select_related("school", "recorded_by")
        .prefetch_related(
            "guests",
            Prefetch(
                "attendees",
                queryset=User.objects.prefetch_related(_attending_memberships()).order_by(
                    "full_name", "email"
                ),
            ),
            Prefetch(
                "pupils_discussed",
                queryset=MeetingPupil.objects.select_related("pupil", "pupil__school").order_by(
                    "pupil__family_name", "pupil__given_name", "id"
                ),
            ),
            Prefetch("actions", queryset=MeetingAction.objects.select_related("owner")),
        )
        .get(pk=found.pk)
    )
    rows = list(meeting.pupils_discussed.all())
    readable, grants = _meeting_notes_readable(user, [row.pupil for row in rows])
    discussed = []
    named = []
    for row in rows:
        if row.pupil_id in readable:
            discussed.append(DiscussedPupil(row.pupil, row.note))
            named.append(row.pupil)
        else:
            discussed.append(DiscussedPupil(None, ""))
    # Those whose record is not shared with the reader come last, so that their place among
    # the names gives nothing away.
    discussed.sort(key=lambda item: item.pupil is None)
    audit_record(actor=user, action=action, source=source, obj=meeting)
    _audit_pupils(
        user=user, meeting=meeting, pupils=named, action=action, source=source, grants=grants
    )
    return Minutes(
        meeting=meeting,
        attendees=[Person(u, _label(u)) for u in meeting.attendees.all()],
        guests=list(meeting.guests.all()),
        pupils=discussed,
        actions=list(meeting.actions.all()),
    )


@transaction.atomic
def meeting_audit_read(*, user: Any, meeting: Meeting, pupils: list[Pupil], source: str) -> None:
    """Audit a read of a meeting shown some other way than as its minutes (its form, say),
    naming the pupils shown with what was said about them."""
    audit_record(actor=user, action=AuditAction.VIEW, source=source, obj=meeting)
    _audit_pupils(user=user, meeting=meeting, pupils=pupils, action=AuditAction.VIEW, source=source)


def meeting_for_change(*, user: Any, meeting_id: Any) -> Meeting:
    """A meeting the user may change (the school's case workers), with what it holds; else
    ``Http404``. Its pupils discussed are those the user still sees: one whose record has moved
    to another school (receipt confirmed) is left out, and ``meeting_update`` keeps that row as
    it is. Not audited: the caller audits what it shows."""
    found = access.get_meeting_for_user(user, meeting_id, write=True)
    return (
        Meeting.objects.select_related("school")
        .prefetch_related(
            "attendees",
            "guests",
            Prefetch(
                "pupils_discussed",
                queryset=MeetingPupil.objects.filter(
                    pupil__in=access.scope(user, Pupil).order_by().values("pk")
                )
                .select_related("pupil")
                .order_by("pupil__family_name", "pupil__given_name", "id"),
            ),
            Prefetch("actions", queryset=MeetingAction.objects.select_related("owner")),
        )
        .get(pk=found.pk)
    )


def meeting_action_for_change(*, user: Any, meeting_id: Any, action_id: Any) -> MeetingAction:
    """An action of a meeting that the user may mark done or not: the school's case workers, or
    the action's owner while they may see the meeting. Else ``Http404``."""
    meeting = access.get_meeting_for_user(user, meeting_id)
    try:
        action = MeetingAction.objects.select_related("meeting").get(
            pk=str(action_id), meeting=meeting
        )
    except (MeetingAction.DoesNotExist, ValidationError, ValueError, TypeError):
        # A malformed id is "not found" too.
        raise Http404("No action found.") from None
    if action.owner_id == user.pk:
        return action
    access.get_meeting_for_user(user, meeting_id, write=True)
    return action


def can_change_meeting(user: Any, meeting: Meeting) -> bool:
    return access.scope(user, Meeting, write=True).filter(pk=meeting.pk).exists()


@dataclass(frozen=True)
class PupilMeeting:
    meeting: Meeting
    note: str


def meeting_pupil_list(*, user: Any, pupil: Pupil, source: str) -> list[PupilMeeting] | None:
    """The meetings where the pupil was discussed, the latest first, each with what was said,
    for those who may see the pupil's meeting notes (``None`` for others); audited as a
    listing of the meetings, naming the grant that allows it, if any."""
    if not access.can_read_pupil_item(user, pupil, SharedItem.MEETINGS):
        return None
    rows = list(
        MeetingPupil.objects.filter(
            pupil=pupil, meeting__in=access.scope(user, Meeting).values("pk")
        )
        .select_related("meeting")
        .order_by("-meeting__held_at", "id")
    )
    meeting_audit_listing(
        user=user,
        meetings=[row.meeting for row in rows],
        source=source,
        pupil=str(pupil.pk),
        **grant_detail(user, pupil, SharedItem.MEETINGS),
    )
    return [PupilMeeting(row.meeting, row.note) for row in rows]


def meeting_actions_due(*, user: Any, source: str) -> list[MeetingAction]:
    """The open actions the user owns that are overdue or due within a week, the earliest
    first, of meetings the user may see; showing them is audited as a listing of those
    meetings."""
    soon = timezone.localdate() + timedelta(days=DUE_SOON_DAYS)
    actions = list(
        MeetingAction.objects.filter(
            owner=user,
            done_at__isnull=True,
            due_on__lte=soon,
            meeting__in=access.scope(user, Meeting).values("pk"),
        )
        .select_related("meeting", "meeting__school")
        .order_by("due_on", "id")
    )
    meetings = list({action.meeting_id: action.meeting for action in actions}.values())
    meeting_audit_listing(user=user, meetings=meetings, source=source, shown="actions")
    return actions
