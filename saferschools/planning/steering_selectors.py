"""Reads of a partnership's steering group: its members, its meetings and their actions.

Everything starts from the access policy: the partnership, a meeting, a member or an action is
fetched through ``core.access`` (out of scope is "not found"), and lists come from its scoped
querysets. The steering group's records hold no pupil's personal data; a pupil representative
is described, not named.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from saferschools.accounts.models import Membership, User
from saferschools.core import access
from saferschools.core.models import Partnership

from .models import SteeringAction, SteeringMeeting, SteeringMember

# The landing page lists this many of a user's open actions, the earliest due first.
LANDING_LIMIT = 10


@dataclass(frozen=True)
class Person:
    """A user who may be linked to a member or own an action, labelled by name and roles."""

    user: Any
    label: str


def _label(user: Any) -> str:
    roles = sorted(str(membership) for membership in user.listed_memberships)
    name = user.full_name or user.email
    return f"{name} ({'; '.join(roles)})" if roles else name


def partnership_people(*, partnership: Partnership, also: Iterable[Any] = ()) -> list[Person]:
    """Who may be linked to a member of the steering group: the active users reaching the
    partnership, in name order, and ``also`` (one linked already, who stays listed if they have
    since moved on)."""
    also_ids = {user.pk for user in also}
    reaching = access.users_reaching_partnership(partnership)
    users = (
        User.objects.filter(Q(pk__in=reaching.values("pk")) | Q(pk__in=also_ids)).order_by(
            "full_name", "email"
        )
        if also_ids
        else reaching
    )
    users = users.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related(
                "school", "partnership", "agency", "area"
            ).order_by("role"),
            to_attr="listed_memberships",
        )
    )
    return [Person(user, _label(user)) for user in users]


def member_label(member: SteeringMember) -> str:
    """A member as listed on a meeting: their name (or a pupil representative's description)
    and organisation."""
    return f"{member.name} ({member.organisation})" if member.organisation else member.name


def owner_label(action: SteeringAction) -> str:
    """Who owns an action: the user's name, or the name typed."""
    if action.owner is not None:
        return action.owner.full_name or action.owner.email
    return action.owner_name


# The steering group page -------------------------------------------------------------------


@dataclass(frozen=True)
class SteeringGroup:
    partnership: Partnership
    current: list[SteeringMember]
    past: list[SteeringMember]
    upcoming: list[SteeringMeeting]
    held: list[SteeringMeeting]


def steering_group(*, user: Any, partnership: Partnership) -> SteeringGroup:
    """The partnership's steering group as the user may read it: its current and past members,
    its meetings to come (soonest first) and those held (latest first), each with its number of
    attendees and of open actions. The caller fetched the partnership through
    ``access.get_governed_partnership_for_user``. A fixed number of queries."""
    members = list(
        access.scope(user, SteeringMember)
        .filter(partnership=partnership)
        .select_related("user")
        .order_by("kind", "name", "joined_on")
    )
    meetings = list(
        access.scope(user, SteeringMeeting)
        .filter(partnership=partnership)
        .annotate(
            attendee_count=Count("attendees", distinct=True),
            open_actions=Count("actions", filter=Q(actions__done_at__isnull=True), distinct=True),
        )
        .order_by("-held_at", "id")
    )
    now = timezone.now()
    return SteeringGroup(
        partnership=partnership,
        current=[m for m in members if m.left_on is None],
        past=sorted(
            (m for m in members if m.left_on is not None),
            key=lambda m: (m.left_on, m.name),
            reverse=True,
        ),
        upcoming=[m for m in reversed(meetings) if m.held_at > now],
        held=[m for m in meetings if m.held_at <= now],
    )


def member_for_change(*, user: Any, partnership: Partnership, member_id: Any) -> SteeringMember:
    """A member of this partnership's steering group the user may change; else ``Http404``."""
    member = access.get_steering_member_for_user(user, member_id, write=True)
    if member.partnership_id != partnership.pk:
        raise Http404("No steering group member found.")
    return member


def current_members(*, partnership: Partnership, also: Iterable[Any] = ()) -> list[SteeringMember]:
    """The partnership's current members, in the group's order, and ``also`` (members listed on
    a meeting already, who stay listed once they have left)."""
    also_ids = {member.pk for member in also}
    return list(
        SteeringMember.objects.filter(partnership=partnership)
        .filter(Q(left_on__isnull=True) | Q(pk__in=also_ids))
        .select_related("user")
        .order_by("kind", "name", "joined_on")
    )


def action_owners(*, partnership: Partnership, also: Iterable[Any] = ()) -> list[Person]:
    """Who may be chosen as an action's owner: the user accounts of the current members who
    still reach the partnership, and ``also`` (owners of a meeting's actions already)."""
    reaching = access.users_reaching_partnership(partnership).filter(
        pk__in=SteeringMember.objects.filter(
            partnership=partnership, left_on__isnull=True, user__isnull=False
        ).values("user_id")
    )
    also_ids = {user.pk for user in also}
    users = User.objects.filter(Q(pk__in=reaching.values("pk")) | Q(pk__in=also_ids)).order_by(
        "full_name", "email"
    )
    members = {
        member.user_id: member
        for member in SteeringMember.objects.filter(
            partnership=partnership, user__in=users
        ).order_by("-joined_on")
    }
    people = []
    for user in users:
        name = user.full_name or user.email
        member = members.get(user.pk)
        people.append(
            Person(
                user, f"{name} ({member.organisation})" if member and member.organisation else name
            )
        )
    return people


# Meetings ----------------------------------------------------------------------------------


def _meeting_queryset(queryset: QuerySet[SteeringMeeting]) -> QuerySet[SteeringMeeting]:
    return queryset.select_related("partnership", "recorded_by").prefetch_related(
        Prefetch("attendees", queryset=SteeringMember.objects.order_by("kind", "name")),
        Prefetch("actions", queryset=SteeringAction.objects.select_related("owner")),
    )


def meeting_get(
    *, user: Any, partnership: Partnership, meeting_id: Any, write: bool = False
) -> SteeringMeeting:
    """A meeting of this partnership's steering group the user may read (or, with ``write``,
    change), with its attendees and actions; else ``Http404``."""
    meetings = _meeting_queryset(access.scope(user, SteeringMeeting, write=write))
    try:
        return meetings.get(pk=meeting_id, partnership=partnership)
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError):
        # A malformed id, another partnership's meeting and one out of scope answer alike.
        raise Http404("No steering meeting found.") from None


def action_for_change(
    *, user: Any, partnership: Partnership, meeting_id: Any, action_id: Any
) -> SteeringAction:
    """An action of this meeting that the user may mark done (its owner, or one who keeps the
    partnership's governance); else ``Http404``."""
    action = access.get_steering_action_for_user(user, action_id, write=True)
    try:
        same_meeting = str(action.meeting_id) == str(uuid.UUID(str(meeting_id)))
    except ValueError:
        same_meeting = False
    if not same_meeting or action.meeting.partnership_id != partnership.pk:
        raise Http404("No action found.")
    return action


# The landing page --------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnedActions:
    actions: list[SteeringAction]
    total: int
    overdue: int


def open_actions_owned(*, user: Any, today: date | None = None) -> OwnedActions:
    """The user's open steering group actions in the partnerships they still reach, the
    earliest due first (at most ``LANDING_LIMIT``), with how many there are and how many are
    overdue. Three queries, whatever their number."""
    today = today or timezone.localdate()
    owned = access.scope(user, SteeringAction).filter(owner=user, done_at__isnull=True)
    counts = owned.aggregate(
        total=Count("pk", distinct=True),
        overdue=Count("pk", filter=Q(due_on__lt=today), distinct=True),
    )
    actions = list(
        owned.select_related("meeting__partnership").order_by("due_on", "id")[:LANDING_LIMIT]
    )
    return OwnedActions(actions=actions, total=counts["total"], overdue=counts["overdue"])
