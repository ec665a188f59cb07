"""The officer's pages: the week's log (add, correct, delete), patrol plans and the private
calendar address, the calendar feed itself, and time use with its download.

The log and the plans are the officer's own; a police supervisor reads the plans and the time
use of the officers they oversee. Everyone else gets "not found", as for a page that does not
exist.
"""

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from saferschools.core import access
from saferschools.core import selectors as core_selectors
from saferschools.core.audit import audit_record, audit_source
from saferschools.core.models import AuditAction
from saferschools.lib.csvfile import csv_cell
from saferschools.lib.schooldays import week_start

from . import selectors, services
from .forms import ActivityForm, PatrolPlanForm, TimeUseForm, WeekForm, activity_choice
from .models import Activity, ActivityKind, PatrolPlan


def _require_officer(user: Any) -> None:
    if not access.can_log_activity(user):
        raise Http404("No activity found.")


def _today() -> date:
    return timezone.localdate()


def _week_url(monday: date) -> str:
    return f"{reverse('activity-week')}?{urlencode({'week': monday.isoformat()})}"


def _activity_form(request: HttpRequest, data: Any = None, **kwargs: Any) -> ActivityForm:
    return ActivityForm(
        data,
        schools=access.activity_schools(request.user),
        places=selectors.activity_places(user=request.user),
        **kwargs,
    )


# The week ----------------------------------------------------------------------------------


@dataclass
class Day:
    day: date
    entries: list[Activity]

    @property
    def minutes(self) -> int:
        return sum(entry.minutes for entry in self.entries)


def _week_page(
    request: HttpRequest,
    monday: date,
    *,
    form: ActivityForm | None = None,
    week_form: WeekForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = _today()
    days = [monday + timedelta(days=offset) for offset in range(7)]
    if form is None:
        latest = selectors.latest_school(user=request.user)
        form = _activity_form(
            request,
            week_days=days,
            initial={
                "day": (today if today in days else monday).isoformat(),
                "school": latest.urn if latest else None,
            },
        )
    entries = selectors.activity_week(user=request.user, monday=monday)
    by_day = {day: Day(day, []) for day in days}
    for entry in entries:
        by_day[timezone.localtime(entry.started_at).date()].entries.append(entry)
    return render(
        request,
        "activity/week.html",
        {
            "form": form,
            "week_form": week_form or WeekForm(initial={"week": monday}),
            "monday": monday,
            "sunday": days[-1],
            "days": list(by_day.values()),
            "total": sum(entry.minutes for entry in entries),
            "previous_url": _week_url(monday - timedelta(days=7)),
            "next_url": _week_url(monday + timedelta(days=7)),
            "this_week_url": reverse("activity-week"),
            "is_this_week": week_start(today) == monday,
            "has_schools": bool(form.fields["school"].choices),  # type: ignore[attr-defined]
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def week(request: HttpRequest) -> HttpResponse:
    """The officer's week, Monday to Sunday (``?week=`` any day of it), and the quick add."""
    _require_officer(request.user)
    week_form = WeekForm(request.GET)
    if not week_form.is_valid():
        return _week_page(request, week_start(_today()), week_form=week_form, status=400)
    monday = week_start(week_form.cleaned_data["week"] or _today())
    if request.method != "POST":
        return _week_page(request, monday)
    days = [monday + timedelta(days=offset) for offset in range(7)]
    form = _activity_form(request, request.POST, week_days=days)
    if form.is_valid():
        try:
            entry = services.activity_log(
                actor=request.user, data=form.activity_input(), source=audit_source(request)
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{entry.what} added.")
            return redirect(_week_url(week_start(timezone.localtime(entry.started_at).date())))
    return _week_page(request, monday, form=form, status=400)


def _initial(entry: Activity) -> dict[str, Any]:
    started = timezone.localtime(entry.started_at)
    return {
        "day": started.date(),
        "start": started.time().replace(second=0, microsecond=0),
        "minutes": entry.minutes,
        "activity": activity_choice(entry.kind, entry.detail),
        "school": entry.school.urn,
        "place": str(entry.place_id or ""),
        "note": entry.note,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def activity_edit(request: HttpRequest, activity_id: str) -> HttpResponse:
    """Correct one of the officer's own entries."""
    _require_officer(request.user)
    entry = access.get_activity_for_user(request.user, activity_id, write=True)
    if request.method == "POST":
        form = _activity_form(request, request.POST)
        if form.is_valid():
            try:
                entry = services.activity_update(
                    actor=request.user,
                    activity=entry,
                    data=form.activity_input(),
                    source=audit_source(request),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, f"{entry.what} changed.")
                return redirect(_week_url(week_start(timezone.localtime(entry.started_at).date())))
    else:
        form = _activity_form(request, initial=_initial(entry))
    monday = week_start(timezone.localtime(entry.started_at).date())
    return render(
        request,
        "activity/activity_edit.html",
        {"form": form, "entry": entry, "back_url": _week_url(monday)},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def activity_delete(request: HttpRequest, activity_id: str) -> HttpResponse:
    """Ask, then delete one of the officer's own entries."""
    _require_officer(request.user)
    entry = access.get_activity_for_user(request.user, activity_id, write=True)
    monday = week_start(timezone.localtime(entry.started_at).date())
    if request.method == "POST":
        services.activity_delete(actor=request.user, activity=entry, source=audit_source(request))
        messages.success(request, f"{entry.what} deleted.")
        return redirect(_week_url(monday))
    return render(
        request, "activity/activity_delete.html", {"entry": entry, "back_url": _week_url(monday)}
    )


# Patrol plans and the calendar -------------------------------------------------------------


@dataclass
class PlanRow:
    plan: PatrolPlan
    next_patrol: selectors.Occurrence | None
    own: bool


@login_required
@require_safe
def plan_list(request: HttpRequest) -> HttpResponse:
    """The officer's patrol plans and calendar address; a supervisor's officers' plans."""
    user = request.user
    if not access.can_see_time_use(user):
        raise Http404("No patrol plans found.")
    today = _today()
    rows = []
    plans = list(selectors.plan_list(user=user))
    last = today + timedelta(weeks=8)
    # The holidays of every plan's area at once, rather than a query per plan.
    holidays = core_selectors.holiday_days_by_area(
        {plan.school.area_id for plan in plans}, today, last
    )
    for plan in plans:
        upcoming = (
            selectors.plan_occurrences(plan, today, last, holidays=holidays[plan.school.area_id])
            if plan.active
            else []
        )
        rows.append(PlanRow(plan, upcoming[0] if upcoming else None, plan.officer_id == user.pk))
    officer = access.can_log_activity(user)
    return render(
        request,
        "activity/plans.html",
        {
            "own_rows": [row for row in rows if row.own],
            "other_rows": [row for row in rows if not row.own],
            "is_officer": officer,
            "feed": selectors.calendar_feed_current(user=user) if officer else None,
        },
    )


def _plan_form(request: HttpRequest, data: Any = None, **kwargs: Any) -> PatrolPlanForm:
    return PatrolPlanForm(
        data,
        schools=access.activity_schools(request.user),
        places=selectors.activity_places(user=request.user),
        **kwargs,
    )


def _plan_page(request: HttpRequest, form: PatrolPlanForm, plan: PatrolPlan | None) -> HttpResponse:
    return render(
        request,
        "activity/plan_form.html",
        {"form": form, "plan": plan},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan_add(request: HttpRequest) -> HttpResponse:
    _require_officer(request.user)
    if request.method == "POST":
        form = _plan_form(request, request.POST)
        if form.is_valid():
            try:
                services.patrol_plan_create(
                    actor=request.user, data=form.plan_input(), source=audit_source(request)
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, "Patrol plan added.")
                return redirect("activity-plans")
    else:
        form = _plan_form(
            request,
            initial={"valid_from": _today(), "weekdays": [0, 1, 2, 3, 4], "active": True},
        )
    return _plan_page(request, form, None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan_edit(request: HttpRequest, plan_id: str) -> HttpResponse:
    _require_officer(request.user)
    plan = access.get_patrol_plan_for_user(request.user, plan_id, write=True)
    if request.method == "POST":
        form = _plan_form(request, request.POST)
        if form.is_valid():
            try:
                services.patrol_plan_update(
                    actor=request.user,
                    plan=plan,
                    data=form.plan_input(),
                    source=audit_source(request),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, "Patrol plan changed.")
                return redirect("activity-plans")
    else:
        form = _plan_form(
            request,
            initial={
                "school": plan.school.urn,
                "place": str(plan.place_id or ""),
                "weekdays": plan.weekday_numbers,
                "starts_at": plan.starts_at,
                "ends_at": plan.ends_at,
                "valid_from": plan.valid_from,
                "valid_until": plan.valid_until,
                "active": plan.active,
            },
        )
    return _plan_page(request, form, plan)


def _feed_url(token: str) -> str:
    path = reverse("activity-calendar-feed", kwargs={"token": token})
    return settings.BASE_URL.rstrip("/") + path


@login_required
@require_POST
def calendar_new(request: HttpRequest) -> HttpResponse:
    """Make a new private calendar address (the old one stops working) and show it, once."""
    _require_officer(request.user)
    _, token = services.calendar_feed_create(actor=request.user, source=audit_source(request))
    url = _feed_url(token)
    return render(
        request,
        "activity/calendar_link.html",
        {"url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]},
    )


@login_required
@require_POST
def calendar_revoke(request: HttpRequest) -> HttpResponse:
    """Stop the officer's calendar address working, without making another."""
    _require_officer(request.user)
    if services.calendar_feed_revoke(actor=request.user, source=audit_source(request)):
        messages.success(request, "Your calendar link no longer works.")
    else:
        messages.info(request, "You had no calendar link.")
    return redirect("activity-plans")


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The officer's patrol plans as an iCalendar feed, for calendar programs, which cannot
    sign in: the secret address is the key. Nothing here reads or starts a session."""
    feed = selectors.calendar_feed_find(token)
    if feed is None:
        raise Http404("No calendar found.")
    body = selectors.calendar_feed_body(feed, today=_today())
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="patrols.ics"'
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# Time use ----------------------------------------------------------------------------------


def _time_use_form(request: HttpRequest) -> TimeUseForm:
    user = request.user
    if not access.can_see_time_use(user):
        raise Http404("No time use found.")
    return TimeUseForm(
        request.GET,
        today=_today(),
        officers=access.officers_overseen(user),
        schools=selectors.time_use_schools(user=user),
    )


def _time_use_of(form: TimeUseForm, user: Any) -> selectors.TimeUse:
    first, last = selectors.month_bounds(form.chosen_month())
    return selectors.time_use(
        user=user,
        first=first,
        last=last,
        officer=form.chosen_officer(),
        school=form.chosen_school(),
    )


@login_required
@require_safe
def time_use(request: HttpRequest) -> HttpResponse:
    """Minutes by kind per officer, school and month; planned against logged patrols."""
    form = _time_use_form(request)
    if not form.is_valid():
        return render(
            request, "activity/time_use.html", {"form": form, "time_use": None}, status=400
        )
    query = {key: value for key, value in request.GET.items() if key in form.fields and value}
    return render(
        request,
        "activity/time_use.html",
        {
            "form": form,
            "time_use": _time_use_of(form, request.user),
            "kinds": ActivityKind.choices,
            "export_url": f"{reverse('activity-export-time-use')}?{urlencode(query)}",
            "several_officers": len(form.officers) > 1,
        },
    )


EXPORT_COLUMNS = [
    "month",
    "officer",
    "officer e-mail",
    "school URN",
    "school",
    *(f"{label} (minutes)" for _, label in ActivityKind.choices),
    "total (minutes)",
    "planned patrols",
    "planned patrol minutes",
    "logged patrols",
    "logged patrol minutes",
]


@login_required
@require_safe
def time_use_export(request: HttpRequest) -> HttpResponse:
    """Time use as CSV, with the page's filters; each download is audited."""
    form = _time_use_form(request)
    if not form.is_valid():
        return render(
            request, "activity/time_use.html", {"form": form, "time_use": None}, status=400
        )
    use = _time_use_of(form, request.user)
    school = form.chosen_school()
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        source=audit_source(request),
        object_type="activity.timeuse",
        object_id=f"{use.first:%Y-%m}",
        detail={
            "format": "csv",
            "officers": sorted({str(row.officer.pk) for row in use.rows}),
            "school": school.urn if school else "",
            "rows": len(use.rows),
        },
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="time-use-{use.first:%Y-%m}.csv"'
    # The byte-order mark makes spreadsheets read the file as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(EXPORT_COLUMNS)
    for row in use.rows:
        writer.writerow(
            csv_cell(value)
            for value in [
                f"{use.first:%Y-%m}",
                row.officer.full_name,
                row.officer.email,
                row.school.urn,
                row.school.name,
                *(row.by_kind[kind] for kind in ActivityKind.values),
                row.total,
                row.planned_patrols,
                row.planned_minutes,
                row.logged_patrols,
                row.logged_patrol_minutes,
            ]
        )
    return response
