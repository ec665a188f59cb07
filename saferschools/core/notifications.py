"""In-product notifications and their e-mail copies.

``notify`` stores one notification per user in the caller's transaction and queues their e-mail
in the same transaction, so that an alert is sent exactly when what it announces is stored. The
e-mail carries the title and a link, never the content of what it announces.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from .models import Notification

logger = logging.getLogger(__name__)


def notify(
    *,
    users: Iterable[Any],
    title: str,
    url: str,
    kind: str,
    object_id: str = "",
    urgent: bool = False,
) -> list[Notification]:
    """Notify each active user once (duplicates in ``users`` are dropped) and queue the
    e-mails. Nothing is sent if the caller's transaction rolls back."""
    now = timezone.now()
    seen = set()
    notifications = []
    for user in users:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        notifications.append(
            Notification(
                user=user,
                created_at=now,
                title=title[:200],
                url=url,
                kind=kind,
                object_id=object_id,
                urgent=urgent,
            )
        )
    if not notifications:
        return []
    with transaction.atomic():
        Notification.objects.bulk_create(notifications)
        # The database task backend stores the job in this same transaction.
        send_notification_emails.enqueue([str(n.pk) for n in notifications])
    return notifications


def notification_list(*, user: Any) -> QuerySet[Notification]:
    """A user's own notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at")


def unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_mark_read(*, user: Any, ids: Iterable[str] | None = None) -> int:
    """Mark the user's notifications (all, or those with these ids) read; returns how many."""
    queryset = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())


# A refused e-mail is tried again after 1, 2, 4 … minutes, for about seventeen hours in all.
EMAIL_ATTEMPTS = 11


def retry_delay(attempt: int) -> timedelta:
    """How long to wait before try number ``attempt + 1`` of background work that failed."""
    return timedelta(minutes=2 ** min(attempt, 10))


@task()
def send_notification_emails(notification_ids: list[str], attempt: int = 0) -> int:
    """E-mail each notification not yet e-mailed to its user; returns how many were sent.

    Marking before sending, one at a time, means a retried batch sends nothing twice. A message
    the mail server refuses is unmarked again and does not hold up the others; those refused
    are queued again for later (the task worker does not retry a failed task by itself), and
    only after the last attempt does the task fail, so that the failure is seen.
    """
    sent = 0
    failed: list[str] = []
    errors: list[Exception] = []
    for notification in Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("user"):
        updated = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not updated or not notification.user.is_active:
            continue
        link = settings.BASE_URL.rstrip("/") + notification.url if notification.url else ""
        body = render_to_string(
            "core/email/notification.txt", {"notification": notification, "link": link}
        )
        subject = ("URGENT: " if notification.urgent else "") + notification.title
        try:
            send_mail(f"SaferSchools: {subject}", body, None, [notification.user.email])
        except Exception as error:  # the mail server's refusal, of whatever kind
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
            failed.append(str(notification.pk))
            errors.append(error)
            continue
        sent += 1
    if failed and attempt + 1 < EMAIL_ATTEMPTS:
        send_notification_emails.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
            failed, attempt + 1
        )
        logger.warning(
            "%d notification e-mail(s) refused; trying again (attempt %d of %d)",
            len(failed),
            attempt + 2,
            EMAIL_ATTEMPTS,
        )
    elif failed:
        raise RuntimeError(
            f"{len(failed)} notification e-mail(s) still refused after {EMAIL_ATTEMPTS} attempts"
        ) from errors[0]
    return sent
