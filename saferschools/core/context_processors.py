from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    href: str
    text: str
    active: bool = False


def service(request: HttpRequest) -> dict[str, object]:
    nav_items = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        home = reverse("core-home")
        nav_items.append(NavItem(home, "Home", active=request.path == home))
    return {
        "service_name": "SaferSchools",
        "two_factor_required": settings.REQUIRE_TWO_FACTOR,
        "production": settings.PRODUCTION,
        "nav_items": nav_items,
    }
