"""The catalogue of indicators: every indicator with its code, unit, direction, level, source and
national indicator, grouped by source. A reference the dashboards, the work-plan's targets and
the API's users link to (``/indicators/#<code>``); it holds nothing about anyone, and any
signed-in user reads it."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_safe

from .selectors import indicator_catalogue


@login_required
@require_safe
def indicator_catalogue_page(request: HttpRequest) -> HttpResponse:
    """Every indicator of the catalogue, grouped by where its figures come from."""
    return render(request, "outcomes/indicator_catalogue.html", {"groups": indicator_catalogue()})


urlpatterns: list[URLPattern] = [
    path("indicators/", indicator_catalogue_page, name="outcomes-indicators"),
]
