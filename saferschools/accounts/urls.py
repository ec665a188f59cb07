from django.urls import path

from . import views

urlpatterns = [
    path("sign-in/", views.sign_in, name="accounts-sign-in"),
    path("two-factor/", views.two_factor, name="accounts-two-factor"),
    path("sign-out/", views.sign_out, name="accounts-sign-out"),
    path(
        "set-password/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="accounts-set-password",
    ),
]

# Account administration, for area administrators; mounted at the site root.
manage_urlpatterns = [
    path("areas/<uuid:area_id>/accounts/new/", views.account_invite, name="accounts-invite"),
    path(
        "memberships/<uuid:membership_id>/remove/",
        views.membership_remove,
        name="accounts-remove-membership",
    ),
    path("users/<uuid:user_id>/unlock/", views.account_unlock, name="accounts-unlock"),
    path(
        "users/<uuid:user_id>/password-link/",
        views.account_send_password_link,
        name="accounts-send-password-link",
    ),
]
