"""Background work for pupils' reports, run by the task worker."""

from django_tasks import task


@task()
def report_check_due(report_id: str) -> str:
    """Escalate or mark overdue a report still unacknowledged when it falls due."""
    from .services import report_check_due as check

    return check(report_id=report_id)
