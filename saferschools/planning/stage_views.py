"""Moving a partnership on to its next stage."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from saferschools.core import access
from saferschools.core.audit import audit_source

from .stage import partnership_advance


@login_required
@require_POST
def partnership_stage_advance(request: HttpRequest, partnership_id: str) -> HttpResponse:
    """Move the partnership on one stage, for those who keep its governance; what is missing is
    shown on the partnership page when it may not move yet."""
    partnership = access.get_governed_partnership_for_user(request.user, partnership_id, write=True)
    try:
        partnership_advance(
            actor=request.user, partnership=partnership, source=audit_source(request)
        )
    except ValidationError as error:
        for text in error.message_dict.get("stage", []):
            messages.error(request, text)
    else:
        messages.success(
            request, f"{partnership.name} is now at {partnership.get_stage_display()}."
        )
    return redirect("core-partnership", partnership_id=partnership.pk)


urlpatterns: list[URLPattern] = [
    path(
        "partnerships/<uuid:partnership_id>/stage/",
        partnership_stage_advance,
        name="planning-stage-advance",
    ),
]
