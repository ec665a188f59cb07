"""Notifications from the police to a school of an incident outside school that affects a pupil
(Operation Encompass and the like): recording one, the school reading it, and escalating it
while nobody has.

Each function checks everything first and raises one ``ValidationError`` keyed by field, then
writes in one transaction with its audit event; the alerts, and the check that runs when the
notification falls due, are stored in that same transaction.
"""

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.casework.models import Pupil, PupilTransfer, TransferStatus
from saferschools.core import access
from saferschools.core.audit import audit_record
from saferschools.core.models import AuditAction, Notification, School
from saferschools.core.notifications import notify
from saferschools.lib.checks import check_choice, check_text
from saferschools.lib.schooldays import LONDON, end_of_school_day, start_of_next_school_day

from .models import PoliceNotification, PoliceNotificationKind

SUMMARY_MAX = 5000
SUPPORT_MAX = 5000
# An officer records what has happened; a few minutes' grace covers clocks that disagree.
FUTURE_GRACE = timedelta(minutes=5)
# The same notification sent again (a second press of the button, a system sending again after
# losing the answer) within this time is the one already recorded: the school is not alerted
# twice about one incident.
DUPLICATE_WINDOW = timedelta(minutes=10)

KIND_RECORDED = "police_notification"
KIND_ESCALATED = "police_notification_escalated"
KIND_ESCALATED_AGAIN = "police_notification_escalated_again"
KIND_MOVED = "police_notification_pupil_moved"


def _notification_url(notification: PoliceNotification) -> str:
    return reverse("sharing-police-notification", args=[notification.pk])


def _pupil(value: object, actor: Any, school: School, errors: dict[str, str]) -> Pupil | None:
    """A pupil of the school whom the officer may see; else an error naming ``pupil_id``."""
    pupil = None
    if value not in (None, ""):
        try:
            pupil = access.scope(actor, Pupil).filter(pk=str(value), school=school).first()
        except (ValidationError, ValueError):
            pupil = None
    if pupil is None:
        errors["pupil_id"] = "Choose a pupil of this school"
    return pupil


def _occurred(value: object, errors: dict[str, str]) -> datetime | None:
    if not isinstance(value, datetime):
        errors["occurred_at"] = "Give the date and time it happened"
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + FUTURE_GRACE:
        errors["occurred_at"] = "It cannot have happened in the future"
        return None
    if value.year < 2000:
        errors["occurred_at"] = "Give a date from the year 2000 on"
        return None
    return value


def _leaders(school: School) -> list[Any]:
    return list(access.users_reaching_school(school, access.SCHOOL_LEADERS))


def _alert_school(notification: PoliceNotification, *, title: str, kind: str) -> None:
    """Alert the school's safeguarding leads and head teacher, urgently. A school with neither
    still has the notification read: the area's administrators are told, with a link to the
    school and nothing of the notification, so that they can put it right."""
    school = notification.school
    leaders = _leaders(school)
    if leaders:
        notify(
            users=leaders,
            title=title,
            url=_notification_url(notification),
            kind=kind,
            object_id=str(notification.pk),
            urgent=True,
        )
        return
    notify(
        users=access.users_reaching_school(school, {Role.AREA_ADMIN}),
        title=f"{title}: the school has no safeguarding lead or head teacher to read it",
        url=reverse("core-school", args=[school.urn]),
        kind=kind,
        object_id=str(notification.pk),
        urgent=True,
    )


def police_notification_record(
    *,
    actor: Any,
    school: School,
    pupil_id: object,
    kind: object,
    summary: object,
    occurred_at: object,
    source: str,
    ignore_repeat: bool = False,
) -> PoliceNotification:
    """Record a notification from the police to ``school`` about one of its pupils.

    It is due before the start of the next school day after it is recorded (weekends and bank
    holidays skipped). The school's safeguarding leads and head teacher are alerted at once,
    without the pupil's name, and a check is queued for when it falls due; all of it is stored
    with the notification and its audit event, or none of it. The caller checks
    ``access.can_record_police_notifications`` first. With ``ignore_repeat`` the same
    notification sent again by the same officer within ``DUPLICATE_WINDOW`` stores and alerts
    nothing more: the one already recorded is returned.
    """
    errors: dict[str, str] = {}
    pupil = _pupil(pupil_id, actor, school, errors)
    kind = check_choice(
        PoliceNotificationKind.OTHER if kind in (None, "") else kind,
        PoliceNotificationKind,
        "kind",
        errors,
    )
    summary = check_text(summary, "summary", SUMMARY_MAX, errors)
    occurred = _occurred(occurred_at, errors)
    if errors:
        raise ValidationError(errors)
    assert pupil is not None and occurred is not None  # the errors name them otherwise

    with transaction.atomic():
        recorded_at = timezone.now()
        if ignore_repeat:
            # One officer's notifications about one pupil are recorded one at a time, so that
            # the same one sent twice at once is found by the second.
            Pupil.objects.select_for_update().filter(pk=pupil.pk).first()
            repeated = (
                PoliceNotification.objects.filter(
                    school=school,
                    pupil=pupil,
                    kind=kind,
                    summary=summary,
                    occurred_at=occurred,
                    recorded_by=actor,
                    recorded_at__gte=recorded_at - DUPLICATE_WINDOW,
                )
                .order_by("-recorded_at")
                .first()
            )
            if repeated is not None:
                return repeated
        notification = PoliceNotification(
            school=school,
            pupil=pupil,
            kind=kind,
            summary=summary,
            occurred_at=occurred,
            recorded_by=actor,
            recorded_at=recorded_at,
            due_by=start_of_next_school_day(recorded_at),
        )
        notification.full_clean(exclude=["school", "pupil", "recorded_by"])
        notification.save()
        _alert_school(
            notification,
            title=f"Notification from the police for {school.name}",
            kind=KIND_RECORDED,
        )
        from .tasks import police_notification_check_due

        # Stored with the notification: the check runs when it falls due, even after a restart.
        police_notification_check_due.using(run_after=notification.due_by).enqueue(
            str(notification.pk), 1
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            source=source,
            obj=notification,
            detail={"school_urn": school.urn, "kind": kind, "pupil": str(pupil.pk)},
        )
    return notification


@transaction.atomic
def police_notification_acknowledge(
    *, actor: Any, notification: PoliceNotification, support_given: object, source: str
) -> PoliceNotification:
    """Record that the school has read the notification and what support it has given.

    ``support_given`` is required. A notification is acknowledged once: a second time is an
    error naming ``support_given`` and changes nothing. The caller checks
    ``access.can_acknowledge_police_notifications`` first.
    """
    errors: dict[str, str] = {}
    support = check_text(support_given, "support_given", SUPPORT_MAX, errors)
    locked = PoliceNotification.objects.select_for_update().get(pk=notification.pk)
    if locked.acknowledged_at is not None:
        errors = {"support_given": "This notification has already been read and acknowledged"}
    if errors:
        raise ValidationError(errors)
    locked.acknowledged_at = timezone.now()
    locked.acknowledged_by = actor
    locked.support_given = support
    locked.save(update_fields=["acknowledged_at", "acknowledged_by", "support_given"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=locked,
        detail={"change": "acknowledged"},
    )
    return locked


def _moved_before_read(
    notification: PoliceNotification, moved: PupilTransfer, escalation: int
) -> str:
    """A notification still unread when the pupil's record has moved to another school: the
    school it went to can no longer open it, so its leaders are not chased; the officer who
    recorded it is told once, with the way to notify the school the pupil moved to."""
    if escalation != 1 or notification.escalated_at is not None:
        return "pupil moved"
    notification.escalated_at = timezone.now()
    notification.save(update_fields=["escalated_at"])
    new_school = moved.to_school
    officer = notification.recorded_by
    if new_school is None:
        url = reverse("sharing-police-notifications", args=[notification.school.urn])
    elif access.can_record_police_notifications(officer, new_school):
        url = reverse("sharing-record-police-notification", args=[new_school.urn])
    else:
        url = reverse("core-school", args=[new_school.urn])
    notify(
        users=[officer],
        title=(
            f"Notification from the police for {notification.school.name} not read before the "
            f"pupil's record moved to {new_school.name if new_school else 'another school'}: "
            "notify the school they moved to"
        ),
        url=url,
        kind=KIND_MOVED,
        object_id=str(notification.pk),
        urgent=True,
    )
    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        source="task:police_notification_check_due",
        obj=notification,
        detail={"step": "pupil moved", "escalation": escalation},
    )
    return "pupil moved"


@transaction.atomic
def police_notification_check_due(*, notification_id: str, escalation: int = 1) -> str:
    """Run when a notification falls due (``escalation`` 1) and again at the end of that school
    day (2). Still unread, it is escalated: the school's leaders are alerted again and the
    officer who recorded it told; the first escalation is stamped on the notification and queues
    the second. At most two escalations; running a check twice does nothing more. Should the
    pupil's record have moved to another school meanwhile, only the officer is told, once.
    Returns what it did."""
    notification = (
        PoliceNotification.objects.select_for_update()
        .select_related("school", "recorded_by")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or notification.acknowledged_at is not None:
        return "nothing to do"
    moved = (
        PupilTransfer.objects.filter(
            pupil_id=notification.pupil_id, status=TransferStatus.CONFIRMED
        )
        .select_related("to_school")
        .first()
    )
    if moved is not None:
        return _moved_before_read(notification, moved, escalation)
    kind = KIND_ESCALATED if escalation == 1 else KIND_ESCALATED_AGAIN
    if escalation == 1 and notification.escalated_at is not None:
        return "already escalated"
    if (
        escalation != 1
        and Notification.objects.filter(kind=kind, object_id=str(notification.pk)).exists()
    ):
        return "already escalated"
    now = timezone.now()
    if escalation == 1:
        notification.escalated_at = now
        notification.save(update_fields=["escalated_at"])
    school = notification.school
    title = f"Notification from the police for {school.name} not yet read"
    _alert_school(notification, title=title, kind=kind)
    notify(
        users=[notification.recorded_by],
        title=title,
        url=_notification_url(notification),
        kind=kind,
        object_id=str(notification.pk),
        urgent=True,
    )
    if escalation == 1:
        from .tasks import police_notification_check_due as check_task

        end_of_day = end_of_school_day(notification.due_by.astimezone(LONDON).date())
        check_task.using(run_after=max(end_of_day, now)).enqueue(str(notification.pk), 2)
    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        source="task:police_notification_check_due",
        obj=notification,
        detail={"step": "escalated", "escalation": escalation},
    )
    return "escalated" if escalation == 1 else "escalated again"
