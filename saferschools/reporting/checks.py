"""Start-up checks for pupils' reports."""

from typing import Any

from django.core.checks import Error, register


@register()
def task_backend_can_wait(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Escalations are jobs that wait until a report falls due: the task backend must be able
    to hold a job until a given time, and keep it across restarts."""
    from django_tasks import task_backends

    backend = task_backends["default"]
    if not backend.supports_defer:
        return [
            Error(
                f"The task backend {type(backend).__name__} cannot run a job at a later time, "
                "so urgent reports could not be escalated.",
                hint="Set SAFERSCHOOLS_TASK_BACKEND to django_tasks_db.DatabaseBackend.",
                id="saferschools.E001",
            )
        ]
    return []
