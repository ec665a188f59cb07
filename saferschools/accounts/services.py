"""Signing in, two-factor devices and memberships: every change here is audited."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from saferschools.core.audit import audit_record
from saferschools.core.models import Agency, Area, AuditAction, Partnership, School

from .models import Membership, User

SIGN_IN_FAILED = "Enter a correct e-mail address and password."


class SignInError(Exception):
    """A sign-in that did not succeed; ``message`` is safe to show to the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _lock_message(user: User) -> str:
    until = timezone.localtime(user.locked_until).strftime("%H:%M")
    return (
        "This account is locked after too many failed sign-in attempts. "
        f"Try again after {until}, or ask your administrator to unlock it."
    )


@transaction.atomic
def _record_failure(*, user: User, source: str, reason: str) -> None:
    """Count a failed attempt; the attempt that reaches the limit locks the account."""
    User.objects.filter(pk=user.pk).update(failed_sign_ins=F("failed_sign_ins") + 1)
    user.refresh_from_db(fields=["failed_sign_ins", "locked_until"])
    detail: dict[str, Any] = {"reason": reason}
    if user.failed_sign_ins >= settings.LOCKOUT_FAILURES:
        user.locked_until = timezone.now() + timedelta(minutes=settings.LOCKOUT_MINUTES)
        user.failed_sign_ins = 0
        user.save(update_fields=["locked_until", "failed_sign_ins"])
        detail["locked"] = True
    audit_record(
        actor=None,
        action=AuditAction.FAILED_SIGN_IN,
        source=source,
        obj=user,
        detail=detail,
    )


def user_check_password(*, email: str, password: str, source: str) -> User:
    """The user with this e-mail and password, or ``SignInError``.

    Unknown e-mail, wrong password and inactive account get the same message (and about the
    same time, since a password is hashed either way). Every failure is audited; after
    ``LOCKOUT_FAILURES`` in a row the account is locked for ``LOCKOUT_MINUTES``, and a locked
    account refuses even the right password.
    """
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        make_password(password)  # spend the same effort as a real check
        audit_record(
            actor=None,
            action=AuditAction.FAILED_SIGN_IN,
            source=source,
            detail={"reason": "unknown_account"},
        )
        raise SignInError(SIGN_IN_FAILED)
    if user.is_locked():
        audit_record(
            actor=None,
            action=AuditAction.FAILED_SIGN_IN,
            source=source,
            obj=user,
            detail={"reason": "locked"},
        )
        raise SignInError(_lock_message(user))
    if not user.check_password(password) or not user.is_active:
        _record_failure(user=user, source=source, reason="bad_password")
        if user.is_locked():
            raise SignInError(_lock_message(user))
        raise SignInError(SIGN_IN_FAILED)
    return user


@transaction.atomic
def user_record_sign_in(*, user: User, source: str, two_factor: bool) -> None:
    """Clear the failure count and audit a completed sign-in."""
    User.objects.filter(pk=user.pk).update(failed_sign_ins=0, locked_until=None)
    user.failed_sign_ins = 0
    user.locked_until = None
    audit_record(
        actor=user,
        action=AuditAction.SIGN_IN,
        source=source,
        obj=user,
        detail={"two_factor": two_factor},
    )


def user_record_sign_out(*, user: User, source: str) -> None:
    audit_record(actor=user, action=AuditAction.SIGN_OUT, source=source, obj=user)


def user_unlock(*, actor: Any, user: User, source: str) -> None:
    """Lift a lock-out early (an administrator's action), audited."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_sign_ins=0, locked_until=None)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            source=source,
            obj=user,
            detail={"change": "unlocked"},
        )


@dataclass(frozen=True)
class TwoFactorState:
    device: TOTPDevice
    confirmed: bool


def totp_device_for(*, user: User) -> TwoFactorState:
    """The user's authenticator: the confirmed one, else a pending one made once and reused."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        return TwoFactorState(device, True)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return TwoFactorState(device, False)


def totp_verify(*, user: User, code: str, source: str) -> TOTPDevice:
    """Check a six-digit code against the user's authenticator, or raise ``SignInError``.

    A wrong code counts towards the same lock-out as a wrong password. A correct code for a
    pending authenticator confirms it (audited as an update of the user's account).
    """
    if user.is_locked():
        raise SignInError(_lock_message(user))
    state = totp_device_for(user=user)
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6) or not state.device.verify_token(code):
        _record_failure(user=user, source=source, reason="bad_code")
        if user.is_locked():
            raise SignInError(_lock_message(user))
        raise SignInError("Enter the 6-digit code shown in your authenticator app.")
    if not state.confirmed:
        with transaction.atomic():
            state.device.confirmed = True
            state.device.save(update_fields=["confirmed"])
            audit_record(
                actor=user,
                action=AuditAction.UPDATE,
                source=source,
                obj=user,
                detail={"change": "two_factor_enrolled"},
            )
    return state.device


@transaction.atomic
def membership_grant(
    *, actor: Any, user: User, role: str, source: str, **scope_kwargs: Any
) -> Membership:
    """Give a user a role over one scope (school, partnership, agency or area), audited.

    Validates the role against the kind of scope; granting an existing membership returns it.
    """
    existing = Membership.objects.filter(user=user, role=role, **scope_kwargs).first()
    if existing is not None:
        return existing
    membership = Membership(user=user, role=role, **scope_kwargs)
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        source=source,
        obj=membership,
        detail={"role": role, "scope_type": membership.scope_type, "scope_id": membership.scope_id},
    )
    return membership


class InvitationError(ValueError):
    """An invitation that cannot be made; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def user_invite(
    *,
    actor: Any,
    email: str,
    full_name: str,
    role: str,
    scope: School | Partnership | Agency | Area,
    source: str,
) -> User:
    """Give a person a role over a scope, making their account if they have none.

    The caller has checked that ``actor`` may manage memberships in the scope's area. A new
    account has no usable password: an invitation e-mail with a link to set one is sent by the
    task worker once the transaction commits. Everything is audited; nothing changes if the role
    does not fit the kind of scope.
    """
    kind = {School: "school", Partnership: "partnership", Agency: "agency", Area: "area"}[
        type(scope)
    ]
    email = User.objects.normalize_email(email.strip()).lower()
    with transaction.atomic():
        existing = User.objects.filter(email__iexact=email).first()
        created = existing is None
        if existing is None:
            user = User(email=email, full_name=full_name.strip())
            user.set_unusable_password()
            user.full_clean()
            user.save()
            audit_record(actor=actor, action=AuditAction.CREATE, source=source, obj=user)
        else:
            user = existing
        try:
            membership_grant(actor=actor, user=user, role=role, source=source, **{kind: scope})
        except ValidationError as error:
            messages = error.message_dict if hasattr(error, "error_dict") else {}
            message = next(iter(messages.values()), error.messages)[0]
            raise InvitationError("scope", message) from None
        if created:
            from .tasks import send_invitation

            transaction.on_commit(lambda: send_invitation.enqueue(str(user.pk)))
    return user


@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership, source: str) -> None:
    """Take a role away; the account stays, with its other memberships."""
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        source=source,
        obj=membership,
        detail={
            "role": membership.role,
            "scope_type": membership.scope_type,
            "scope_id": membership.scope_id,
            "user_id": str(membership.user_id),
        },
    )
    membership.delete()


@transaction.atomic
def user_set_password(*, user: User, password: str, source: str) -> None:
    """Set a user's password (validated by the caller's form) and clear any lock-out."""
    user.set_password(password)
    user.failed_sign_ins = 0
    user.locked_until = None
    user.save(update_fields=["password", "failed_sign_ins", "locked_until"])
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        source=source,
        obj=user,
        detail={"change": "password_set"},
    )


def user_send_password_link(*, actor: Any, user: User, source: str) -> None:
    """Send a user a fresh link to set their password (an administrator's action), audited."""
    from .tasks import send_invitation

    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            source=source,
            obj=user,
            detail={"change": "password_link_sent"},
        )
        transaction.on_commit(lambda: send_invitation.enqueue(str(user.pk), False))
