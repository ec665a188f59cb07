from django.conf import settings
from django.http import HttpRequest


def service(request: HttpRequest) -> dict[str, object]:
    return {
        "service_name": "SaferSchools",
        "two_factor_required": settings.REQUIRE_TWO_FACTOR,
        "production": settings.PRODUCTION,
    }
