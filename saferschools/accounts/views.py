"""Sign-in, the two-factor step and sign-out."""

import base64
from urllib.parse import urlencode

import segno
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from saferschools.core.audit import audit_source

from . import services
from .forms import SignInForm, TwoFactorForm
from .middleware import needs_second_factor


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("core-home")


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and not needs_second_factor(request.user):
        return redirect(_next_url(request))
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_check_password(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                source=audit_source(request),
            )
        except services.SignInError as error:
            form.add_error(None, error.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if needs_second_factor(user):
                query = urlencode({"next": _next_url(request)})
                return redirect(f"{reverse('accounts-two-factor')}?{query}")
            services.user_record_sign_in(user=user, source=audit_source(request), two_factor=False)
            return redirect(_next_url(request))
    status = 400 if form.errors else 200
    return render(
        request, "accounts/sign_in.html", {"form": form, "next": _next_url(request)}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not needs_second_factor(user):
        return redirect(_next_url(request))
    state = services.totp_device_for(user=user)
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_verify(
                user=user, code=form.cleaned_data["code"], source=audit_source(request)
            )
        except services.SignInError as error:
            form.add_error("code", error.message)
            if user.is_locked():
                logout(request)
                form = SignInForm()
                # An unbound form has no cleaned_data, which add_error expects to prune.
                form.cleaned_data = {}
                form.add_error(None, error.message)
                return render(request, "accounts/sign_in.html", {"form": form}, status=400)
        else:
            otp_login(request, device)
            services.user_record_sign_in(user=user, source=audit_source(request), two_factor=True)
            return redirect(_next_url(request))
    context = {"form": form, "next": _next_url(request), "enrolling": not state.confirmed}
    if not state.confirmed:
        context["qr_svg"] = segno.make(state.device.config_url, error="m").svg_inline(
            scale=4, title="QR code for your authenticator app"
        )
        context["secret"] = " ".join(
            _base32(state.device.bin_key)[i : i + 4] for i in range(0, 32, 4)
        )
    return render(request, "accounts/two_factor.html", context, status=400 if form.errors else 200)


def _base32(key: bytes) -> str:
    return base64.b32encode(key).decode("ascii").rstrip("=")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.user_record_sign_out(user=request.user, source=audit_source(request))
    logout(request)
    return redirect("accounts-sign-in")
