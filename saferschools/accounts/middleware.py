"""Holds users with access to personal data at the two-factor step until they pass it."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from saferschools.core.access import has_personal_data_role


def needs_second_factor(user) -> bool:
    """Whether this signed-in user must still give a two-factor code in this session."""
    return (
        settings.REQUIRE_TWO_FACTOR
        and user.is_authenticated
        and not user.is_verified()
        and has_personal_data_role(user)
    )


class TwoFactorRequiredMiddleware:
    EXEMPT_PREFIXES = ("/static/", "/api/", "/account/", "/healthz")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The API checks this itself (VerifiedSessionAuthentication); the account pages are
        # where the second factor is given.
        if not request.path.startswith(self.EXEMPT_PREFIXES) and needs_second_factor(request.user):
            return redirect(f"{reverse('accounts-two-factor')}?next={request.path}")
        return self.get_response(request)
