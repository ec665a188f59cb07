from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from saferschools.accounts.middleware import needs_second_factor

from .notifications import unread_count
from .selectors import handles_reports


@dataclass(frozen=True)
class NavItem:
    href: str
    text: str
    active: bool = False


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
    }
