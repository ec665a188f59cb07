"""Background work for the steering group, run by the task worker."""

import logging

from django.utils import timezone
from django_tasks import task

from saferschools.core.notifications import retry_delay

logger = logging.getLogger(__name__)

# A reminder that fails (the database away, say) is tried again for about a day.
REMIND_ATTEMPTS = 12


@task()
def steering_action_remind(action_id: str, due_on: str, reminder: int = 1, attempt: int = 0) -> str:
    """Remind the owner of an overdue steering group action, when the reminder falls due.

    The task worker does not retry a failed task by itself: should the reminder fail, it is
    queued again for a little later before the failure is raised, so that no reminder is lost.
    """
    from .steering_services import steering_action_remind as remind

    try:
        return remind(action_id=action_id, due_on=due_on, reminder=reminder)
    except Exception:
        if attempt + 1 < REMIND_ATTEMPTS:
            steering_action_remind.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
                action_id, due_on, reminder, attempt + 1
            )
            logger.exception("Reminder of steering action %s failed; trying again later", action_id)
        raise
