"""Sign-in, the two-factor step and sign-out."""

import base64
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import INTERNAL_RESET_SESSION_TOKEN, PasswordResetConfirmView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from saferschools.core import access
from saferschools.core.audit import audit_source

from . import services
from .forms import InviteForm, SetPasswordForm, SignInForm, TwoFactorForm
from .middleware import needs_second_factor
from .models import User


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, for views behind ``login_required``."""
    assert isinstance(request.user, User)
    return request.user


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
    form = SignInForm(request.POST if request.method == "POST" else None)
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
    user = signed_in_user(request)
    if not needs_second_factor(user):
        return redirect(_next_url(request))
    state = services.totp_device_get_or_create(user=user, source=audit_source(request))
    form = TwoFactorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.totp_verify(
                user=user, code=form.cleaned_data["code"], source=audit_source(request)
            )
        except services.SignInError as error:
            if user.is_locked():
                logout(request)
                messages.error(request, error.message)
                return redirect("accounts-sign-in")
            form.add_error("code", error.message)
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


@login_required
@require_http_methods(["GET", "POST"])
def account_invite(request: HttpRequest, area_id: str) -> HttpResponse:
    area = access.get_area_for_user(request.user, area_id, write=True)
    form = InviteForm(request.POST if request.method == "POST" else None, area=area)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_invite(
                actor=request.user,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                role=form.cleaned_data["role"],
                scope=form.cleaned_data["scope"],
                source=audit_source(request),
            )
        except services.InvitationError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, f"{user.email} now has the role. New accounts get an e-mail.")
            return redirect("core-area", area_id=area.pk)
    return render(
        request,
        "accounts/invite.html",
        {"area": area, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_remove(request: HttpRequest, membership_id: str) -> HttpResponse:
    membership = access.get_membership_for_user(request.user, membership_id, write=True)
    area_id = access.area_of(membership.scope).pk
    if request.method == "POST":
        try:
            services.membership_revoke(
                actor=request.user, membership=membership, source=audit_source(request)
            )
        except services.MembershipError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{membership.user.email} no longer has that role.")
        return redirect("core-area", area_id=area_id)
    return render(
        request, "accounts/membership_remove.html", {"membership": membership, "area_id": area_id}
    )


@login_required
@require_POST
def account_unlock(request: HttpRequest, user_id: str) -> HttpResponse:
    account = access.get_account_for_user(request.user, user_id)
    services.user_unlock(actor=request.user, user=account, source=audit_source(request))
    messages.success(request, f"{account.email} can sign in again.")
    return redirect(_next_url(request))


@login_required
@require_POST
def account_send_password_link(request: HttpRequest, user_id: str) -> HttpResponse:
    account = access.get_account_for_user(request.user, user_id)
    services.user_send_password_link(actor=request.user, user=account, source=audit_source(request))
    messages.success(request, f"A link to set a new password is on its way to {account.email}.")
    return redirect(_next_url(request))


class SetPasswordView(PasswordResetConfirmView):
    """The link from an invitation or a reset: set a password, then sign in."""

    template_name = "accounts/set_password.html"
    form_class = SetPasswordForm
    reset_url_token = "set-password"  # noqa: S105 - a URL segment, not a secret
    success_url = reverse_lazy("accounts-sign-in")

    def form_valid(self, form):
        services.user_set_password(
            user=form.user,
            password=form.cleaned_data["new_password1"],
            source=audit_source(self.request),
        )
        del self.request.session[INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, "Your password is set. Sign in with it now.")
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response
