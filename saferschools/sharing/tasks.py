"""Background work for information sharing, run by the task worker."""

import logging

from django.utils import timezone
from django_tasks import task

from saferschools.core.notifications import retry_delay

logger = logging.getLogger(__name__)

# A check that fails (the database away, say) is tried again for about a day.
CHECK_ATTEMPTS = 12


@task()
def police_notification_check_due(
    notification_id: str, escalation: int = 1, attempt: int = 0
) -> str:
    """Escalate a notification from the police still unread when it falls due (and again at the
    end of that school day).

    The task worker does not retry a failed task by itself: should the check fail, it is queued
    again for a little later before the failure is raised, so that no escalation is lost.
    """
    from .police_services import police_notification_check_due as check

    try:
        return check(notification_id=notification_id, escalation=escalation)
    except Exception:
        if attempt + 1 < CHECK_ATTEMPTS:
            police_notification_check_due.using(
                run_after=timezone.now() + retry_delay(attempt)
            ).enqueue(notification_id, escalation, attempt + 1)
            logger.exception(
                "Due check of police notification %s failed; trying again later", notification_id
            )
        raise
