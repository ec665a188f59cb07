"""The landing page, notifications, schools, partnerships and areas, and the service's fixed
pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from saferschools.incidents import crime

from . import access, selectors
from .audit import audit_source
from .notifications import notification_list, notifications_mark_read, unread_count

NOTIFICATIONS_PER_PAGE = 50


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/home.html",
        {
            "sections": selectors.landing_sections(user=request.user),
            "reports": selectors.landing_reports(user=request.user),
            "reporting_areas": selectors.reporting_areas(user=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's own notifications, newest first; a POST marks them all read."""
    if request.method == "POST":
        count = notifications_mark_read(user=request.user)
        messages.success(
            request,
            f"{count} notification{'s' if count != 1 else ''} marked as read."
            if count
            else "You had no unread notifications.",
        )
        return redirect("core-notifications")
    page = Paginator(notification_list(user=request.user), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "core/notifications.html",
        {"page": page, "unread": unread_count(user=request.user)},
    )


@login_required
@require_safe
def school_detail(request: HttpRequest, urn: int) -> HttpResponse:
    school = access.get_school_for_user(request.user, urn)
    located = crime.school_located(school)
    return render(
        request,
        "core/school.html",
        {
            "school": school,
            "partnership": school.partnership,
            "can_see_pupils": access.can_read_pupils(request.user, school),
            "can_manage_pupils": access.can_manage_pupils(request.user, school),
            "can_see_hotspots": access.can_see_hotspots(request.user, school),
            "can_keep_places": access.can_keep_places(request.user, school),
            # Published crime near the school: public data, for everyone who sees the school.
            "crime_months": crime.crime_nearby_by_month(school=school) if located else None,
        },
    )


@login_required
@require_safe
def partnership_detail(request: HttpRequest, partnership_id: str) -> HttpResponse:
    partnership = access.get_partnership_for_user(request.user, partnership_id)
    return render(
        request,
        "core/partnership.html",
        {
            "partnership": partnership,
            "schools": partnership.schools.order_by("name"),
        },
    )


@login_required
@require_safe
def area_detail(request: HttpRequest, area_id: str) -> HttpResponse:
    area = access.get_area_for_user(request.user, area_id)
    return render(
        request,
        "core/area.html",
        {
            "area": area,
            "can_manage_accounts": access.can_manage_accounts(request.user, area),
            "memberships": selectors.area_accounts(
                user=request.user, area=area, source=audit_source(request)
            ),
            **selectors.area_overview(user=request.user, area=area),
        },
    )


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")
