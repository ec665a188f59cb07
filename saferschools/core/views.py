"""The landing page, notifications, schools, partnerships and areas, and the service's fixed
pages."""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from saferschools.casework.panels import landing_panels
from saferschools.incidents import crime
from saferschools.incidents.forms import DateInputField
from saferschools.planning.stage import stage_missing

from . import access, selectors, services
from .audit import audit_source
from .models import Partnership, School, SchoolHoliday
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
            "casework_panels": landing_panels(request),
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
            "can_read_ssp_requests": access.can_read_ssp_requests(request.user, school),
            **_casework_links(request, school),
            # Published crime near the school: public data, for everyone who sees the school.
            "crime_months": crime.crime_nearby_by_month(school=school) if located else None,
        },
    )


def _casework_links(request: HttpRequest, school: School) -> dict[str, bool]:
    """Which of the school's casework pages to link: only its case workers reach any."""
    user = request.user
    if not access.can_open_casework(user, school):
        return {"can_open_casework": False}
    return {
        "can_open_casework": True,
        "can_record_police_notifications": access.can_record_police_notifications(user, school),
        "keeps_disclosure_log": access.disclosure_log_schools(user).filter(pk=school.pk).exists(),
    }


@login_required
@require_safe
def partnership_detail(request: HttpRequest, partnership_id: str) -> HttpResponse:
    partnership = access.get_partnership_for_user(request.user, partnership_id)
    return render(
        request,
        "core/partnership.html",
        {
            "partnership": partnership,
            "schools": partnership.schools.select_related("needs_assessment").order_by("name"),
            "keeps_disclosure_log": access.disclosure_log_schools(request.user)
            .filter(partnership_link__partnership=partnership)
            .exists(),
            "can_govern": access.can_govern(request.user, partnership),
            "missing_for_next_stage": stage_missing(partnership),
            "last_stage": partnership.stage == Partnership.Stage.REVIEW,
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
            "can_prioritise": access.prioritisation_areas(request.user).filter(pk=area.pk).exists(),
            "can_word_survey": access.survey_question_areas(request.user)
            .filter(pk=area.pk)
            .exists(),
            "can_see_dashboard": access.dashboard_areas(request.user).filter(pk=area.pk).exists(),
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


# The area's school holidays ----------------------------------------------------------------


class SchoolHolidayForm(forms.Form):
    name = forms.CharField(
        label="Name",
        help_text="For example, Autumn half term",
        max_length=services.HOLIDAY_NAME_MAX,
        error_messages={
            "required": "Enter the name of the holiday",
            "max_length": f"The name must be {services.HOLIDAY_NAME_MAX} characters or fewer",
        },
    )
    starts_on = DateInputField(
        label="First day", help_text="For example, 26 10 2026", what="of the first day"
    )
    ends_on = DateInputField(
        label="Last day", help_text="For example, 30 10 2026", what="of the last day"
    )


def _holiday_of(area_id: uuid.UUID, raw: object) -> SchoolHoliday:
    """The area's holiday with this id; else ``Http404``, as for one that does not exist."""
    try:
        holiday_id = uuid.UUID(str(raw))
    except ValueError:
        raise Http404("No holiday found.") from None
    holiday = SchoolHoliday.objects.filter(area_id=area_id, pk=holiday_id).first()
    if holiday is None:
        raise Http404("No holiday found.")
    return holiday


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def area_holidays(request: HttpRequest, area_id: str) -> HttpResponse:
    """The area's school holidays, for its administrators: the list, adding and removing."""
    area = access.get_area_for_user(request.user, area_id, write=True)
    form = SchoolHolidayForm()
    if request.method == "POST" and "remove" in request.POST:
        holiday = _holiday_of(area.pk, request.POST["remove"])
        services.school_holiday_remove(
            actor=request.user, holiday=holiday, source=audit_source(request)
        )
        messages.success(request, f"{holiday.name} removed.")
        return redirect("core-holidays", area_id=area.pk)
    if request.method == "POST":
        form = SchoolHolidayForm(request.POST)
        if form.is_valid():
            try:
                holiday = services.school_holiday_add(
                    actor=request.user,
                    area=area,
                    name=form.cleaned_data["name"],
                    starts_on=form.cleaned_data["starts_on"],
                    ends_on=form.cleaned_data["ends_on"],
                    source=audit_source(request),
                )
            except ValidationError as error:
                for field, texts in error.message_dict.items():
                    for text in texts:
                        form.add_error(field if field in form.fields else None, text)
            else:
                messages.success(request, f"{holiday.name} added.")
                return redirect("core-holidays", area_id=area.pk)
    return render(
        request,
        "core/holidays.html",
        {"area": area, "holidays": selectors.school_holidays(area=area), "form": form},
        status=400 if form.errors else 200,
    )
