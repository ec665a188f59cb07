"""The landing page, schools, partnerships and areas, and the service's fixed pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import access, selectors
from .audit import audit_source


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/home.html",
        {"sections": selectors.landing_sections(user=request.user)},
    )


@login_required
@require_safe
def school_detail(request: HttpRequest, urn: int) -> HttpResponse:
    school = access.get_school_for_user(request.user, urn)
    return render(
        request,
        "core/school.html",
        {
            "school": school,
            "partnership": school.partnership,
            "can_see_pupils": access.can_read_pupils(request.user, school),
            "can_manage_pupils": access.can_manage_pupils(request.user, school),
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
