"""Placeholder until this capability is built."""

from typing import Any

from django.http import HttpRequest
from django.urls import URLPattern

from saferschools.casework.models import Pupil

urlpatterns: list[URLPattern] = []


def pupil_panel(request: HttpRequest, pupil: Pupil) -> dict[str, Any] | None:
    """This capability's part of a pupil's page, or None when the user sees none of it."""
    return None
