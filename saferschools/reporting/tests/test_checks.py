import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from saferschools.reporting.checks import task_backend_can_wait


def test_the_database_task_backend_passes():
    assert task_backend_can_wait() == []


def test_a_backend_that_cannot_wait_is_refused_at_start(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    (error,) = task_backend_can_wait()
    assert error.id == "saferschools.E001"
    with pytest.raises(SystemCheckError, match=r"saferschools\.E001"):
        call_command("check")
