"""Issuing and revoking API tokens, audited."""

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from saferschools.core.audit import audit_record
from saferschools.core.models import AuditAction

from .authentication import token_hash
from .models import ApiToken


@transaction.atomic
def api_token_create(*, actor: Any, user: Any, name: str, source: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the stored record and the key, which is shown once."""
    key = "ss_" + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=key[:8], key_hash=token_hash(key))
    token.full_clean()
    token.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        source=source,
        obj=token,
        detail={"user_id": str(user.pk)},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken, source: str) -> None:
    """Revoke a token at once; a revoked token never authenticates again."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        source=source,
        obj=token,
        detail={"change": "revoked"},
    )
