import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from saferschools.api.models import ApiToken
from saferschools.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def new_token(email: str) -> str:
    out = io.StringIO()
    call_command("create_api_token", email, stdout=out)
    return out.getvalue().strip()


def status_with(key: str) -> int:
    return APIClient().get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {key}").status_code


def test_revoked_token_stops_working_at_once(dsl):
    key = new_token(dsl.email)
    assert status_with(key) == 200
    call_command("revoke_api_token", key[:8], stdout=io.StringIO())
    assert status_with(key) == 401
    token = ApiToken.objects.get(prefix=key[:8])
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(token.pk), detail__change="revoked"
    ).exists()


def test_all_of_a_users_tokens_can_be_revoked_and_listed(dsl, staff):
    keys = [new_token(dsl.email), new_token(dsl.email)]
    other = new_token(staff.email)
    call_command("revoke_api_token", "--all", dsl.email, stdout=io.StringIO())
    assert [status_with(k) for k in keys] == [401, 401]
    assert status_with(other) == 200
    listing = io.StringIO()
    call_command("revoke_api_token", "--list", dsl.email, stdout=listing)
    assert listing.getvalue().count("revoked") == 2


def test_unknown_prefix_is_an_error(dsl):
    with pytest.raises(CommandError, match="No live token"):
        call_command("revoke_api_token", "ss_nope0", stdout=io.StringIO())
