"""Holds users with access to personal data at the two-factor step until they pass it."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from saferschools.core.access import requires_two_factor


def needs_second_factor(user) -> bool:
    """Whether this signed-in user must still give a two-factor code in this session."""
    # A user just returned by the password check has not passed through OTPMiddleware, so has
    # no is_verified(): they have not given a second factor yet.
    is_verified = getattr(user, "is_verified", None)
    return (
        settings.REQUIRE_TWO_FACTOR
        and user.is_authenticated
        and not (is_verified is not None and is_verified())
        and requires_two_factor(user)
    )


class TwoFactorRequiredMiddleware:
    EXEMPT_PREFIXES = ("/static/", "/api/", "/account/", "/healthz")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The API checks this itself (VerifiedSessionAuthentication); the account pages are
        # where the second factor is given.
        if not request.path.startswith(self.EXEMPT_PREFIXES) and needs_second_factor(request.user):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts-two-factor')}?{query}")
        return self.get_response(request)
