"""Background work for pupils' reports, run by the task worker."""

import logging

from django.utils import timezone
from django_tasks import task

from saferschools.core.notifications import retry_delay

logger = logging.getLogger(__name__)

# An escalation that fails (the database away, say) is tried again for about a day.
CHECK_ATTEMPTS = 12


@task()
def report_check_due(report_id: str, attempt: int = 0) -> str:
    """Escalate or mark overdue a report still unacknowledged when it falls due.

    The task worker does not retry a failed task by itself: should the check fail, it is queued
    again for a little later before the failure is raised, so that no escalation is lost.
    """
    from .services import report_check_due as check

    try:
        return check(report_id=report_id)
    except Exception:
        if attempt + 1 < CHECK_ATTEMPTS:
            report_check_due.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
                report_id, attempt + 1
            )
            logger.exception("Due check of report %s failed; trying again later", report_id)
        raise
