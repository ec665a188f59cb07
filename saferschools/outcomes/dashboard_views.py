"""The dashboards of a school, a partnership and an area, and the records behind a school's
computed figure.

A school's dashboard is for whoever sees the school (``access.get_school_for_user``), a
partnership's for whoever sees the partnership, an area's for those who oversee the area
(``access.get_dashboard_area_for_user``); anyone else gets 404, as for what does not exist. The
choices are sent by GET, so that a dashboard can be bookmarked and works without JavaScript;
a bad choice is named on the page, with status 400.

The records behind a figure are for those who see the school's counts in full; listing them is
audited as a read of records about pupils.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from saferschools.core import access
from saferschools.core.audit import audit_source
from saferschools.lib.charts import Series, line_chart_svg
from saferschools.reporting.models import Report

from . import dashboard
from .dashboard_forms import CategoryForm, DashboardForm
from .dashboard_panels import KIND_WORDS, Page, Panel, Span
from .dashboard_records import RECORDS_BEHIND, categories_of, records_audit, records_behind
from .models import Indicator, PeriodKind
from .periods import PeriodError, parse_period

RECORDS_PAGE_SIZE = 50


@dataclass(frozen=True)
class PanelView:
    panel: Panel
    chart: SafeString | None
    alone: str  # the page's query for this indicator alone
    other_kinds: list[tuple[str, str]]  # (kind's words, query) of the other kinds with figures


def _chart(panel: Panel) -> SafeString | None:
    """The figures as lines over the periods, beside the table of the same figures."""
    if not panel.has_figures:
        return None
    rows = panel.rows
    series = [Series(panel.subject, [row.subject.value for row in rows])]
    if panel.has_comparison_figures:
        series.append(
            Series(
                panel.comparison,
                [row.comparison.value if row.comparison else None for row in rows],
            )
        )
    gaps = any(row.subject.value is None for row in rows)
    return line_chart_svg(
        title=f"{panel.indicator.name}, by {panel.span.words[0]}",
        description=panel.summary
        + " The table beside the chart gives the same figures."
        + (" A gap in a line is a figure not shown or not available." if gaps else ""),
        labels=[row.period.label for row in rows],
        series=series,
        chart_id=f"chart-{panel.indicator.code}",
        references=panel.references,
        marker=panel.marker,
        marker_label="Partnership began" if panel.marker is not None else "",
    )


def _panel_view(panel: Panel, form: DashboardForm) -> PanelView:
    code = panel.indicator.code
    other_kinds = [
        (KIND_WORDS[kind][1], urlencode({"indicator": code, "kind": kind}))
        for kind in PeriodKind.values
        if kind in panel.kinds and kind != panel.span.kind
    ]
    return PanelView(panel, _chart(panel), urlencode(form.query(indicator=code)), other_kinds)


Build = Callable[[list[Indicator], Span, bool], list[Panel]]


@dataclass(frozen=True)
class Board:
    """A dashboard to show: what it is of, where it sits, the catalogue it offers, the
    work-plan's targets (for the steering group's indicators) and how its panels are made
    (given the indicators, the span, and whether one indicator is shown alone)."""

    page: str
    name: str
    back_url: str
    catalogue: list[Indicator]
    targets: dict[str, Any]
    build: Build


def _render(request: HttpRequest, board: Board) -> HttpResponse:
    form = DashboardForm(request.GET, catalogue=board.catalogue, today=timezone.localdate())
    context: dict[str, Any] = {"board": board, "form": form}
    if not form.is_valid():
        return render(request, "outcomes/dashboard_page.html", context, status=400)
    chosen = form.chosen
    indicators = (
        [chosen]
        if chosen is not None
        else dashboard.indicators_for(
            user=request.user, catalogue=board.catalogue, targets=board.targets
        )
    )
    panels = board.build(indicators, form.span, chosen is not None)
    shown = {indicator.code for indicator in indicators}
    context.update(
        {
            "panels": [_panel_view(panel, form) for panel in panels],
            "span": form.span,
            "chosen": chosen,
            "others": [
                (indicator, urlencode(form.query(indicator=indicator.code)))
                for indicator in board.catalogue
                if indicator.code not in shown
            ],
            "role_query": urlencode(form.query(indicator="")),
        }
    )
    return render(request, "outcomes/dashboard_page.html", context)


@login_required
@require_safe
def school_dashboard(request: HttpRequest, urn: int) -> HttpResponse:
    user = request.user
    school = access.get_school_for_user(user, urn)
    today = timezone.localdate()
    partnership = school.partnership
    targets = (
        dashboard.partnership_targets(user=user, partnership=partnership, today=today)
        if partnership
        else {}
    )

    def build(indicators: list[Indicator], span: Span, alone: bool) -> list[Panel]:
        return dashboard.school_dashboard(
            user=user, school=school, span=span, indicators=indicators, targets=targets
        )

    page = Page.SCHOOL
    back = reverse("core-school", args=[school.urn])
    board = Board(page, school.name, back, dashboard.catalogue_for(page), targets, build)
    return _render(request, board)


@login_required
@require_safe
def partnership_dashboard(request: HttpRequest, partnership_id: str) -> HttpResponse:
    user = request.user
    partnership = access.get_partnership_for_user(user, partnership_id)
    today = timezone.localdate()
    targets = dashboard.partnership_targets(user=user, partnership=partnership, today=today)

    def build(indicators: list[Indicator], span: Span, alone: bool) -> list[Panel]:
        return dashboard.partnership_dashboard(
            user=user, partnership=partnership, span=span, indicators=indicators, targets=targets
        )

    page = Page.PARTNERSHIP
    back = reverse("core-partnership", args=[partnership.pk])
    board = Board(page, partnership.name, back, dashboard.catalogue_for(page), targets, build)
    return _render(request, board)


@login_required
@require_safe
def area_dashboard(request: HttpRequest, area_id: str) -> HttpResponse:
    user = request.user
    area = access.get_dashboard_area_for_user(user, area_id)

    def build(indicators: list[Indicator], span: Span, alone: bool) -> list[Panel]:
        return dashboard.area_dashboard(
            user=user, area=area, span=span, indicators=indicators, by_partnership=alone
        )

    page = Page.AREA
    back = reverse("core-area", args=[area.pk])
    board = Board(page, area.name, back, dashboard.catalogue_for(page), {}, build)
    return _render(request, board)


# The records behind a figure ----------------------------------------------------------------------


@login_required
@require_safe
def dashboard_records(request: HttpRequest, urn: int, code: str, period: str) -> HttpResponse:
    """The reports or incidents a school's computed figure counts for one period, for those
    who see the school's records; each record links to its own page."""
    user = request.user
    school = access.get_school_for_user(user, urn)
    behind = RECORDS_BEHIND.get(code)
    indicator = Indicator.objects.filter(code=code).first() if behind else None
    if behind is None or indicator is None or not access.sees_school_counts_in_full(user, school):
        raise Http404("No figure found.")
    try:
        chosen_period = parse_period(period)
    except PeriodError:
        raise Http404("No figure found.") from None
    form = CategoryForm(request.GET, choices=categories_of(behind))
    context: dict[str, Any] = {
        "school": school,
        "indicator": indicator,
        "behind": behind,
        "period": chosen_period,
        "form": form,
        "is_report": behind.model is Report,
    }
    if not form.is_valid():
        return render(request, "outcomes/dashboard_records.html", context, status=400)
    category = form.cleaned_data["category"]
    records = records_behind(
        user=user, school=school, behind=behind, period=chosen_period, category=category
    )
    page = Paginator(records, RECORDS_PAGE_SIZE).get_page(request.GET.get("page"))
    listed = list(page)
    records_audit(
        user=user, records=listed, source=audit_source(request), code=code, period=chosen_period
    )
    context.update(
        {
            "page": page,
            "records": listed,
            "query": urlencode({"category": category} if category else {}),
            "category_label": dict(categories_of(behind)).get(category, ""),
        }
    )
    return render(request, "outcomes/dashboard_records.html", context)


urlpatterns: list[URLPattern] = [
    path("schools/<int:urn>/dashboard/", school_dashboard, name="outcomes-dashboard-school"),
    path(
        "partnerships/<uuid:partnership_id>/dashboard/",
        partnership_dashboard,
        name="outcomes-dashboard-partnership",
    ),
    path("areas/<uuid:area_id>/dashboard/", area_dashboard, name="outcomes-dashboard-area"),
    path(
        "schools/<int:urn>/dashboard/<slug:code>/<path:period>/",
        dashboard_records,
        name="outcomes-dashboard-records",
    ),
]
