"""The API over real HTTP: a live server on a socket, called with the standard library."""

import json
import urllib.error
import urllib.request

import pytest

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.testing.factories import (
    MembershipFactory,
    PupilFactory,
    SchoolFactory,
    UserFactory,
)

# The live server runs in another thread and needs committed data; the serialized rollback
# restores what migrations put in the database (the audit chain's head) for each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def call(url: str, key: str | None = None) -> tuple[int, dict[str, str], object]:
    """GET ``url``; the status, the headers and the decoded JSON body, also for 4xx answers."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    if key is not None:
        request.add_header("Authorization", f"Token {key}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), json.loads(error.read())


@pytest.fixture
def dsl_and_key(transactional_db):
    school = SchoolFactory(name="Oakwood School")
    user = UserFactory(email="dsl@oakwood.example")
    MembershipFactory(user=user, role=Role.SAFEGUARDING_LEAD, school=school)
    pupil = PupilFactory(school=school, given_name="Ada", family_name="Lovelace", year_group=8)
    _, key = api_token_create(actor=None, user=user, name="http test", source="test")
    return user, school, pupil, key


def test_me_over_http(live_server, dsl_and_key):
    _, school, _, key = dsl_and_key

    status, headers, body = call(f"{live_server.url}/api/v1/me", key)

    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert body == {
        "email": "dsl@oakwood.example",
        "memberships": [
            {
                "role": "safeguarding_lead",
                "scope_type": "school",
                "scope_id": str(school.pk),
                "scope_name": "Oakwood School",
            }
        ],
    }


def test_pupils_over_http_are_listed_and_audited(live_server, dsl_and_key):
    user, school, pupil, key = dsl_and_key

    status, headers, body = call(f"{live_server.url}/api/v1/pupils?school={school.urn}", key)

    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert body == [
        {
            "id": str(pupil.pk),
            "school_urn": school.urn,
            "name": "Ada Lovelace",
            "year_group": 8,
            "upn": pupil.upn,
        }
    ]
    assert AuditEvent.objects.filter(
        actor_id=user.pk, action=AuditAction.VIEW, object_id=str(pupil.pk)
    ).exists()


def test_pupils_of_another_school_over_http_are_not_found(live_server, dsl_and_key):
    *_, key = dsl_and_key
    other = SchoolFactory()
    PupilFactory(school=other)

    status, headers, body = call(f"{live_server.url}/api/v1/pupils?school={other.urn}", key)

    assert status == 404
    assert headers["Content-Type"] == "application/json"
    assert body == {"detail": "Not found."}


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/pupils?school={urn}"])
def test_no_token_over_http_is_unauthorised(live_server, dsl_and_key, path):
    _, school, _, _ = dsl_and_key

    status, headers, body = call(live_server.url + path.format(urn=school.urn))

    assert status == 401
    assert headers["Content-Type"] == "application/json"
    assert headers["WWW-Authenticate"] == 'Token realm="api"'
    assert body == {"detail": "Authentication credentials were not provided."}


def test_a_wrong_token_over_http_is_unauthorised(live_server, dsl_and_key):
    status, headers, body = call(f"{live_server.url}/api/v1/me", "ss_wrong")

    assert status == 401
    assert headers["Content-Type"] == "application/json"
    assert body == {"detail": "The token is not valid."}


def test_api_answers_over_http_carry_the_security_headers(live_server, dsl_and_key):
    *_, key = dsl_and_key

    _, headers, _ = call(f"{live_server.url}/api/v1/me", key)

    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
