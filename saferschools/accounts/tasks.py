"""Background work for accounts, run by the task worker."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from .models import User


def set_password_url(user: User) -> str:
    """A one-time link to set a password; it stops working once the password changes."""
    path = reverse(
        "accounts-set-password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.BASE_URL.rstrip("/") + path


@task()
def send_invitation(user_id: str, new_account: bool = True) -> None:
    """E-mail a user the link to set their password. The e-mail names no pupil.

    For a new account, nothing is sent once a password has been set (the task may run late).
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or (new_account and user.has_usable_password()):
        return
    roles = [m.get_role_display() + ", " + m.scope_name for m in user.memberships.all()]
    body = render_to_string(
        "accounts/email/invitation.txt",
        {"user": user, "roles": roles, "url": set_password_url(user), "new_account": new_account},
    )
    send_mail("Your SaferSchools account", body, None, [user.email])
