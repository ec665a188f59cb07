"""Notifications from the police to a school: the officer records one; the school's safeguarding
leads and head teacher read it, before the next school day, and record the support given.

Notifications are fetched through the access policy (out of scope is "not found"); every page
that shows one is audited, and every change is a service call that writes the audit log.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_filter
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from saferschools.casework import selectors as casework_selectors
from saferschools.casework.models import Pupil
from saferschools.core import access
from saferschools.core.audit import audit_source
from saferschools.core.models import School

from . import police_selectors as selectors
from . import police_services as services
from .models import PoliceNotification
from .police_forms import AcknowledgeForm, PoliceNotificationForm, search_words

LIST_PAGE_SIZE = 50
SEARCH_LIMIT = 20
LANDING_SHOWN = 10


@dataclass(frozen=True)
class NotificationRow:
    notification: PoliceNotification
    overdue: bool


def _rows(notifications: list[PoliceNotification]) -> list[NotificationRow]:
    return [NotificationRow(n, selectors.is_overdue(n)) for n in notifications]


# A school's notifications ---------------------------------------------------------------------


@login_required
@require_safe
def police_notification_list(request: HttpRequest, urn: int) -> HttpResponse:
    """The school's notifications, unread first and the overdue among them flagged."""
    user = request.user
    school = selectors.school_for_police_notifications(user=user, urn=urn)
    page = Paginator(
        selectors.police_notification_list(user=user, school=school), LIST_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    shown = selectors.police_notification_audit_listing(
        user=user, notifications=list(page), source=audit_source(request)
    )
    return render(
        request,
        "sharing/police_list.html",
        {
            "school": school,
            "page": page,
            "rows": _rows(shown),
            "can_record": access.can_record_police_notifications(user, school),
            "can_acknowledge": access.can_acknowledge_police_notifications(user, school),
        },
    )


# Recording one ----------------------------------------------------------------------------


def _school_for_recording(user: Any, urn: int) -> School:
    school = access.get_school_for_user(user, urn)
    if not access.can_record_police_notifications(user, school):
        raise Http404("No school found.")
    return school


def _pupils_offered(user: Any, school: School, query: str, chosen: object) -> list[Pupil]:
    """The pupils the form offers: those the search finds (on roll), and the one already
    chosen, so that a second search does not lose the first choice."""
    register = casework_selectors.pupil_list(user=user, school=school)
    offered: list[Pupil] = []
    if chosen:
        try:
            offered = list(
                casework_selectors.pupil_list(user=user, school=school, on_roll=None).filter(
                    pk=str(chosen)
                )
            )
        except (ValidationError, ValueError):
            offered = []
    if query:
        found = casework_selectors.pupil_search(register, query)
        offered += [p for p in found[:SEARCH_LIMIT] if p not in offered]
    return offered


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def police_notification_record(request: HttpRequest, urn: int) -> HttpResponse:
    """Record a notification. The pupil is found by a search on the same form ("Find"), which
    sends the form back with what was typed so far, unsaved: it works without JavaScript."""
    user = request.user
    school = _school_for_recording(user, urn)
    source = audit_source(request)
    posted = request.method == "POST"
    values = request.POST if posted else request.GET
    query = search_words(values.get("q", ""))
    chosen = values.get("pupil", "")
    pupils = _pupils_offered(user, school, query, chosen)
    # The names offered are a listing of the register, audited as such.
    casework_selectors.audit_listing(user=user, pupils=pupils, source=source)
    if not posted:
        initial = {"q": query, "pupil": str(pupils[0].pk) if chosen and pupils else ""}
        form = PoliceNotificationForm(initial=initial, pupils=pupils)
        return _form_page(request, school=school, form=form, searched=bool(query))
    form = PoliceNotificationForm(request.POST, pupils=pupils)
    if "find" in request.POST:
        form.keep_unjudged()
        return _form_page(request, school=school, form=form, searched=True)
    if form.is_valid():
        try:
            notification = services.police_notification_record(
                actor=user,
                school=school,
                pupil_id=form.cleaned_data["pupil"],
                kind=form.cleaned_data["kind"],
                summary=form.cleaned_data["summary"],
                occurred_at=form.occurred_at(),
                source=source,
                ignore_repeat=True,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                f"Notification sent to {school.name}. Its safeguarding leads and head teacher "
                f"have been alerted; it is due to be read by "
                f"{date_filter(timezone.localtime(notification.due_by), 'l j F Y H:i')}.",
            )
            return redirect("sharing-police-notification", notification_id=notification.pk)
    return _form_page(request, school=school, form=form, searched=bool(query))


def _form_page(
    request: HttpRequest, *, school: School, form: PoliceNotificationForm, searched: bool
) -> HttpResponse:
    return render(
        request,
        "sharing/police_form.html",
        {"school": school, "form": form, "searched": searched},
        status=400 if form.errors else 200,
    )


# One notification ---------------------------------------------------------------------------


def _detail_page(
    request: HttpRequest, notification: PoliceNotification, form: AcknowledgeForm | None
) -> HttpResponse:
    user = request.user
    can_acknowledge = notification.acknowledged_at is None and (
        access.can_acknowledge_police_notifications(user, notification.school)
    )
    return render(
        request,
        "sharing/police_detail.html",
        {
            "notification": notification,
            "overdue": selectors.is_overdue(notification),
            "form": (form or AcknowledgeForm()) if can_acknowledge else None,
            "sees_school_list": access.can_acknowledge_police_notifications(
                user, notification.school
            )
            or access.can_record_police_notifications(user, notification.school),
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_safe
def police_notification_detail(request: HttpRequest, notification_id: str) -> HttpResponse:
    notification = selectors.police_notification_get(
        user=request.user, notification_id=notification_id, source=audit_source(request)
    )
    return _detail_page(request, notification, None)


@login_required
@require_POST
def police_notification_acknowledge(request: HttpRequest, notification_id: str) -> HttpResponse:
    """The school's leaders record that they have read it, and the support given."""
    user = request.user
    found = access.get_police_notification_for_user(user, notification_id)
    if not access.can_acknowledge_police_notifications(user, found.school):
        raise Http404("No notification found.")
    if found.acknowledged_at is not None:
        messages.info(request, "This notification had already been acknowledged.")
        return redirect("sharing-police-notification", notification_id=found.pk)
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            services.police_notification_acknowledge(
                actor=user,
                notification=found,
                support_given=form.cleaned_data["support_given"],
                source=audit_source(request),
            )
        except ValidationError as error:
            if PoliceNotification.objects.filter(
                pk=found.pk, acknowledged_at__isnull=False
            ).exists():
                # Someone acknowledged it in the meantime: the page has no form left to put
                # the error on, so it says so as the check above does.
                messages.info(request, "This notification had already been acknowledged.")
                return redirect("sharing-police-notification", notification_id=found.pk)
            form.add_service_errors(error)
        else:
            messages.success(request, "Notification acknowledged: read, with the support given.")
            return redirect("sharing-police-notification", notification_id=found.pk)
    # The page comes back with the notification on it: a read like any other.
    notification = selectors.police_notification_get(
        user=user, notification_id=found.pk, source=audit_source(request)
    )
    return _detail_page(request, notification, form)


urlpatterns = [
    path(
        "schools/<int:urn>/police-notifications/",
        police_notification_list,
        name="sharing-police-notifications",
    ),
    path(
        "schools/<int:urn>/police-notifications/new/",
        police_notification_record,
        name="sharing-record-police-notification",
    ),
    path(
        "police-notifications/<uuid:notification_id>/",
        police_notification_detail,
        name="sharing-police-notification",
    ),
    path(
        "police-notifications/<uuid:notification_id>/acknowledge/",
        police_notification_acknowledge,
        name="sharing-acknowledge-police-notification",
    ),
]


# Parts of other pages ------------------------------------------------------------------------


def pupil_panel(request: HttpRequest, pupil: Pupil) -> dict[str, Any] | None:
    """The pupil's notifications from the police, for those who may see them; with a link to
    record one for the school's officers."""
    notifications = selectors.police_notification_pupil_list(
        user=request.user, pupil=pupil, source=audit_source(request)
    )
    if notifications is None:
        return None
    return {
        "pupil": pupil,
        "rows": _rows(notifications),
        "can_record": access.can_record_police_notifications(request.user, pupil.school),
    }


def landing_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Unread notifications for the school's leaders, the longest overdue first, and the
    schools' lists for them and for the officers who record notifications."""
    user = request.user
    schools = selectors.police_notification_schools(user=user)
    if not schools:
        return None
    unread = selectors.police_notifications_unread(
        user=user,
        schools=[item.school for item in schools if item.acknowledges],
        limit=LANDING_SHOWN + 1,
    )
    return {
        "schools": schools,
        "rows": _rows(unread[:LANDING_SHOWN]),
        "more": len(unread) > LANDING_SHOWN,
        "acknowledges": any(item.acknowledges for item in schools),
    }
