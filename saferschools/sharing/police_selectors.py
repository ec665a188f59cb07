"""Reads of notifications from the police, always through the access policy. Every read that
shows a pupil's notification is audited; a read through a sharing grant names the grant."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from saferschools.casework.models import Pupil
from saferschools.core import access
from saferschools.core.audit import audit_record, audit_record_many
from saferschools.core.models import AuditAction, School

from .models import PoliceNotification, SharedItem


@dataclass(frozen=True)
class NotifiedSchool:
    """A school whose notifications from the police the user reads or records."""

    school: School
    acknowledges: bool
    records: bool


def police_notification_schools(*, user: Any) -> list[NotifiedSchool]:
    """The schools whose notifications from the police the user reads and acknowledges (their
    safeguarding leads and head teachers) or records (their officers), in name order."""
    acknowledged, recorded = access.police_notification_schools(user)
    if not (acknowledged or recorded):
        return []
    return [
        NotifiedSchool(school, school.pk in acknowledged, school.pk in recorded)
        for school in access.casework_schools(user)
        if school.pk in acknowledged or school.pk in recorded
    ]


def school_for_police_notifications(*, user: Any, urn: Any) -> School:
    """The school, if the user reads its notifications (its safeguarding leads and head
    teacher) or records them (its officers); else ``Http404``, as for a school that does not
    exist."""
    school = access.get_school_for_user(user, urn)
    if not (
        access.can_acknowledge_police_notifications(user, school)
        or access.can_record_police_notifications(user, school)
    ):
        raise Http404("No school found.")
    return school


def police_notification_list(*, user: Any, school: School) -> QuerySet[PoliceNotification]:
    """The school's notifications the user may see: unread first, the longest overdue first
    among them; then those read, newest first. Not yet audited (see below)."""
    unread = Case(
        When(acknowledged_at__isnull=True, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    unread_due = Case(When(acknowledged_at__isnull=True, then=F("due_by")))
    return (
        access.scope(user, PoliceNotification)
        .filter(school=school)
        .select_related("pupil", "recorded_by", "acknowledged_by")
        .annotate(read_rank=unread)
        .order_by("read_rank", unread_due.asc(), "-recorded_at", "id")
    )


@transaction.atomic
def police_notification_audit_listing(
    *, user: Any, notifications: Iterable[PoliceNotification], source: str
) -> list[PoliceNotification]:
    """Evaluate notifications about to be listed, with one audit event for each."""
    shown = list(notifications)
    audit_record_many(
        actor=user,
        action=AuditAction.VIEW,
        source=source,
        objects=shown,
        detail={"listing": True},
    )
    return shown


def _grant_detail(user: Any, pupil: Pupil) -> dict[str, Any]:
    """The audit detail naming the live grant that opens the pupil's notifications to the user,
    if that is how they read them: a grant naming notifications, not merely the newest."""
    grant = access.pupil_grant(user, pupil, SharedItem.NOTIFICATIONS)
    return {"grant": str(grant.pk)} if grant is not None else {}


def police_notification_get(*, user: Any, notification_id: Any, source: str) -> PoliceNotification:
    """One notification the user may see (else ``Http404``); the read is audited, naming the
    sharing decision that allows it when the user reaches the pupil through a grant."""
    found = access.get_police_notification_for_user(user, notification_id)
    notification = PoliceNotification.objects.select_related(
        "school", "pupil", "recorded_by", "acknowledged_by"
    ).get(pk=found.pk)
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        source=source,
        obj=notification,
        detail=_grant_detail(user, notification.pupil),
    )
    return notification


def police_notification_pupil_list(
    *, user: Any, pupil: Pupil, source: str
) -> list[PoliceNotification] | None:
    """A pupil's notifications from the police, newest first, for those who may see them
    (``None`` for others); the listing is audited, naming the grant that allows it, if any."""
    if not access.can_read_pupil_item(user, pupil, SharedItem.NOTIFICATIONS):
        return None
    notifications = list(
        access.scope(user, PoliceNotification)
        .filter(pupil=pupil)
        .select_related("recorded_by", "acknowledged_by")
        .order_by("-recorded_at", "id")
    )
    audit_record_many(
        actor=user,
        action=AuditAction.VIEW,
        source=source,
        objects=notifications,
        detail={"listing": True, **_grant_detail(user, pupil)},
    )
    return notifications


def police_notifications_unread(
    *, user: Any, schools: Iterable[School], limit: int
) -> list[PoliceNotification]:
    """Notifications not yet read at these schools (those whose notifications the user
    acknowledges), the longest overdue first. Their pupils are not named, so showing them is
    not a read of anyone's record."""
    schools = list(schools)
    if not schools:
        return []
    return list(
        access.scope(user, PoliceNotification)
        .filter(school__in=schools, acknowledged_at__isnull=True)
        .select_related("school")
        .order_by("due_by", "id")[:limit]
    )


def is_overdue(notification: PoliceNotification) -> bool:
    return notification.acknowledged_at is None and notification.due_by <= timezone.now()
