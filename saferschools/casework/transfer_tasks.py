"""Background work for moving school, run by the task worker."""

import logging

from django.utils import timezone
from django_tasks import task

from saferschools.core.notifications import retry_delay

logger = logging.getLogger(__name__)

# A chase that fails (the database away, say) is tried again for about a day.
CHASE_ATTEMPTS = 12


@task()
def transfer_chase(transfer_id: str, chase: int = 1, attempt: int = 0) -> str:
    """Chase a record sent to another school whose receipt is still unconfirmed.

    The task worker does not retry a failed task by itself: should the chase fail, it is queued
    again for a little later before the failure is raised, so that no chase is lost.
    """
    from .transfer_services import transfer_chase as chase_transfer

    try:
        return chase_transfer(transfer_id=transfer_id, chase=chase)
    except Exception:
        if attempt + 1 < CHASE_ATTEMPTS:
            transfer_chase.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
                transfer_id, chase, attempt + 1
            )
            logger.exception(
                "Chase %d of transfer %s failed; trying again later", chase, transfer_id
            )
        raise
