"""Background work for the work-plan, run by the task worker: reminding the owners of overdue
actions."""

import logging

from django.utils import timezone
from django_tasks import task

from saferschools.core.notifications import retry_delay

logger = logging.getLogger(__name__)

# A reminder that fails (the database away, say) is tried again for about a day.
REMIND_ATTEMPTS = 12


@task()
def workplan_action_remind(action_id: str, due_on: str, reminder: int = 1, attempt: int = 0) -> str:
    """Remind the owner of an overdue action, when the reminder falls due for the due date it
    was queued for.

    The task worker does not retry a failed task by itself: should the reminder fail, it is
    queued again for a little later before the failure is raised, so that no reminder is lost.
    """
    from .workplan_services import workplan_action_remind as remind

    try:
        return remind(action_id=action_id, due_on=due_on, reminder=reminder)
    except Exception:
        if attempt + 1 < REMIND_ATTEMPTS:
            workplan_action_remind.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
                action_id, due_on, reminder, attempt + 1
            )
            logger.exception(
                "Reminder of work-plan action %s failed; trying again later", action_id
            )
        raise
