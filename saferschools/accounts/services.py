"""Signing in, two-factor devices and memberships: every change here is audited."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from saferschools.core.audit import audit_record
from saferschools.core.models import Agency, Area, AuditAction, Partnership, School

from .models import Membership, Role, Scope, User, scope_fields


class SignInError(Exception):
    """A sign-in that did not succeed; ``message`` is safe to show to the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def sign_in_failed_message() -> str:
    # One message for every failure, locked accounts included, so that nobody learns from the
    # answer whether an e-mail address has an account.
    return (
        "Enter a correct e-mail address and password. After "
        f"{settings.LOCKOUT_FAILURES} failed attempts in a row an account is locked for "
        f"{settings.LOCKOUT_MINUTES} minutes."
    )


def _lock_message(user: User) -> str:
    until = timezone.localtime(user.locked_until).strftime("%H:%M")
    return (
        "This account is locked after too many failed sign-in attempts. "
        f"Try again after {until}, or ask your administrator to unlock it."
    )


def _record_failure(*, user: User, source: str, reason: str) -> None:
    """Count a failed attempt on a row the caller has locked; the attempt that reaches the
    limit locks the account."""
    user.failed_sign_ins += 1
    detail: dict[str, Any] = {"reason": reason}
    if user.failed_sign_ins >= settings.LOCKOUT_FAILURES:
        user.locked_until = timezone.now() + timedelta(minutes=settings.LOCKOUT_MINUTES)
        user.failed_sign_ins = 0
        detail["locked"] = True
    user.save(update_fields=["locked_until", "failed_sign_ins"])
    audit_record(
        actor=None, action=AuditAction.FAILED_SIGN_IN, source=source, obj=user, detail=detail
    )


def user_check_password(*, email: str, password: str, source: str) -> User:
    """The user with this e-mail and password, or ``SignInError``.

    Every failure (unknown e-mail, wrong password, inactive or locked account) gets the same
    message after about the same time, since a password is hashed on every path, and is audited.
    After ``LOCKOUT_FAILURES`` failures in a row the account is locked for ``LOCKOUT_MINUTES``
    and refuses even the right password. The user's row is locked while its password is checked,
    so parallel attempts are counted one after another and cannot slip past the limit.
    """
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email.strip()).first()
        if user is None or user.is_locked():
            make_password(password)  # the same work as a real check
            audit_record(
                actor=None,
                action=AuditAction.FAILED_SIGN_IN,
                source=source,
                obj=user,
                detail={"reason": "unknown_account" if user is None else "locked"},
            )
        elif not (user.check_password(password) and user.is_active):
            _record_failure(user=user, source=source, reason="bad_password")
        else:
            return user
    raise SignInError(sign_in_failed_message())


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


@transaction.atomic
def user_record_sign_out(*, user: User, source: str) -> None:
    """Audit a sign-out."""
    audit_record(actor=user, action=AuditAction.SIGN_OUT, source=source, obj=user)


@transaction.atomic
def user_unlock(*, actor: Any, user: User, source: str) -> None:
    """Lift a lock-out early (an administrator's action), audited."""
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


@transaction.atomic
def totp_device_get_or_create(*, user: User, source: str) -> TwoFactorState:
    """The user's authenticator: the confirmed one, else a pending one made once and reused.

    Making the pending one (the secret shown as a QR code) is audited.
    """
    devices = TOTPDevice.objects.select_for_update().filter(user=user)
    device = devices.filter(confirmed=True).first()
    if device is not None:
        return TwoFactorState(device, True)
    device = devices.filter(confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            source=source,
            obj=user,
            detail={"change": "two_factor_setup_started"},
        )
    return TwoFactorState(device, False)


def totp_verify(*, user: User, code: str, source: str) -> TOTPDevice:
    """Check a six-digit code against the user's authenticator, or raise ``SignInError``.

    A wrong code counts towards the same lock-out as a wrong password. The user's and the
    device's rows are locked while the code is checked, so a code cannot be used twice by
    racing requests. A correct code for a pending authenticator confirms it (audited).
    """
    code = "".join(code.split())
    with transaction.atomic():
        account = User.objects.select_for_update().get(pk=user.pk)
        if account.is_locked():
            message = _lock_message(account)
        else:
            state = totp_device_get_or_create(user=account, source=source)
            if code.isdigit() and len(code) == 6 and state.device.verify_token(code):
                if not state.confirmed:
                    state.device.confirmed = True
                    state.device.save(update_fields=["confirmed"])
                    audit_record(
                        actor=account,
                        action=AuditAction.UPDATE,
                        source=source,
                        obj=account,
                        detail={"change": "two_factor_enrolled"},
                    )
                return state.device
            _record_failure(user=account, source=source, reason="bad_code")
            message = (
                _lock_message(account)
                if account.is_locked()
                else "Enter the 6-digit code shown in your authenticator app."
            )
    user.locked_until = account.locked_until
    raise SignInError(message)


@transaction.atomic
def membership_grant(*, actor: Any, user: User, role: str, scope: Scope, source: str) -> Membership:
    """Give a user a role over one scope (school, partnership, agency or area), audited.

    Validates the role against the kind of scope; granting an existing membership returns it.
    """
    existing = Membership.objects.filter(user=user, role=role, **scope_fields(scope)).first()
    if existing is not None:
        return existing
    membership = Membership(user=user, role=role, **scope_fields(scope))
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


@transaction.atomic
def user_create(
    *, actor: Any, email: str, full_name: str, password: str | None, source: str
) -> User:
    """A new account, audited. Without a password it has none usable until one is set."""
    user = User(
        email=User.objects.normalize_email(email.strip()).lower(), full_name=full_name.strip()
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(actor=actor, action=AuditAction.CREATE, source=source, obj=user)
    return user


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
    email = User.objects.normalize_email(email.strip()).lower()
    if getattr(actor, "email", None) == email:
        # Whoever hands out roles must not be able to give themselves access to pupils.
        raise InvitationError("email", "You cannot give yourself a role; ask another administrator")
    with transaction.atomic():
        existing = User.objects.filter(email__iexact=email).first()
        created = existing is None
        user = existing or user_create(
            actor=actor, email=email, full_name=full_name, password=None, source=source
        )
        try:
            membership_grant(actor=actor, user=user, role=role, scope=scope, source=source)
        except ValidationError as error:
            messages = error.message_dict if hasattr(error, "error_dict") else {}
            message = next(iter(messages.values()), error.messages)[0]
            raise InvitationError("scope", message) from None
        if created:
            from .tasks import send_invitation

            transaction.on_commit(lambda: send_invitation.enqueue(str(user.pk)))
    return user


class MembershipError(ValueError):
    """A change to roles that would leave something broken; the message says what."""


@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership, source: str) -> None:
    """Take a role away; the account stays, with its other memberships.

    The last administrator of an area cannot be removed: the area would have nobody to manage it.
    """
    if membership.role == Role.AREA_ADMIN:
        administrators = Membership.objects.select_for_update().filter(
            role=Role.AREA_ADMIN, area=membership.area
        )
        if administrators.count() <= 1:
            raise MembershipError(
                "This is the area's only administrator. Give someone else the role first."
            )
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
