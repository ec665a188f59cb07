from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from saferschools.accounts.middleware import needs_second_factor
from saferschools.accounts.models import Role
from saferschools.casework.models import Pupil

from . import access
from .models import School
from .notifications import unread_count
from .selectors import handles_reports


@dataclass(frozen=True)
class NavItem:
    href: str
    text: str
    active: bool = False


class IncidentSchools:
    """The schools where the user records incidents, asked one school at a time by a template:
    ``{% if school in incident_schools %}``. Nothing is looked up until a page asks."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self._known: dict[Any, bool] = {}

    def __contains__(self, school: object) -> bool:
        if not isinstance(school, School):
            return False
        if school.pk not in self._known:
            self._known[school.pk] = access.can_record_incidents(self.user, school)
        return self._known[school.pk]


def _incidents_item(request: HttpRequest, user: Any) -> NavItem | None:
    """For those who record incidents: their school's incidents, or, for an officer of a whole
    partnership, the partnership's schools to choose from. From the memberships already loaded,
    without a query of its own."""
    held = [m for m in access.memberships_of(user) if m.role in access.SCHOOL_ROLES]
    if not held:
        return None
    school = next((m.school for m in held if m.school is not None), None)
    if school is not None:
        href = reverse("incidents-list", args=[school.urn])
    elif held[0].partnership_id is not None:
        href = reverse("core-partnership", args=[held[0].partnership_id])
    else:
        href = reverse("core-home")
    match = getattr(request, "resolver_match", None)
    url_name = (match.url_name or "") if match else ""
    return NavItem(href, "Incidents", active=url_name.startswith("incidents-"))


def _activity_item(request: HttpRequest, user: Any) -> NavItem | None:
    """An officer's week of activity; a police supervisor's view of their officers' time."""
    if access.can_log_activity(user):
        href = reverse("activity-week")
    elif access.can_see_time_use(user):
        href = reverse("activity-time-use")
    else:
        return None
    return NavItem(href, "Activity", active=request.path.startswith("/activity/"))


def _pupils_item(request: HttpRequest, user: Any) -> NavItem | None:
    """Finding a pupil, for those who see pupils' records: a school's staff and officers (from
    the memberships already loaded), or a practitioner with a live sharing grant (one query,
    kept for the rest of the request)."""
    if not (access.roles_of(user) & access.POLICY[Pupil].read or access.pupils_granted(user)):
        return None
    href = reverse("casework-search-pupils")
    return NavItem(href, "Pupils", active=request.path.startswith(href))


def service(request: HttpRequest) -> dict[str, object]:
    nav_items = []
    user = getattr(request, "user", None)
    # Until the second factor is given, the only way on is the code page (or signing out).
    if user is not None and user.is_authenticated and not needs_second_factor(user):
        home = reverse("core-home")
        nav_items.append(NavItem(home, "Home", active=request.path == home))
        if handles_reports(user=user):
            inbox = reverse("reporting-inbox")
            nav_items.append(NavItem(inbox, "Reports", active=request.path.startswith(inbox)))
        incidents = _incidents_item(request, user)
        if incidents is not None:
            nav_items.append(incidents)
        pupils = _pupils_item(request, user)
        if pupils is not None:
            nav_items.append(pupils)
        activity = _activity_item(request, user)
        if activity is not None:
            nav_items.append(activity)
        if Role.AGENCY_PRACTITIONER in access.roles_of(user):
            shared = reverse("sharing-shared-with-me")
            nav_items.append(NavItem(shared, "Shared with you", active=request.path == shared))
        notifications = reverse("core-notifications")
        unread = unread_count(user=user)
        nav_items.append(
            NavItem(
                notifications,
                f"Notifications ({unread} unread)" if unread else "Notifications",
                active=request.path == notifications,
            )
        )
    return {
        "service_name": "SaferSchools",
        "two_factor_required": settings.REQUIRE_TWO_FACTOR,
        "production": settings.PRODUCTION,
        "nav_items": nav_items,
        "incident_schools": IncidentSchools(user),
    }
