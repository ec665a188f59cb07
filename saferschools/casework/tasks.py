"""Background work for casework, run by the task worker."""

import logging

from django.utils import timezone
from django_tasks import task

from saferschools.core.notifications import retry_delay

logger = logging.getLogger(__name__)

# A reminder that fails (the database away, say) is tried again for about a day.
REMIND_ATTEMPTS = 12


@task()
def referral_remind(referral_id: str, reminder: int = 1, attempt: int = 0) -> str:
    """Remind the school of a referral that has had no answer, when the reminder falls due.

    The task worker does not retry a failed task by itself: should the reminder fail, it is
    queued again for a little later before the failure is raised, so that no reminder is lost.
    """
    from .referral_services import referral_remind as remind

    try:
        return remind(referral_id=referral_id, reminder=reminder)
    except Exception:
        if attempt + 1 < REMIND_ATTEMPTS:
            referral_remind.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
                referral_id, reminder, attempt + 1
            )
            logger.exception("Reminder of referral %s failed; trying again later", referral_id)
        raise
