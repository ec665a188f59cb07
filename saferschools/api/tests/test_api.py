"""The REST API under /api/v1/: token authentication, scoping, audit, errors and the schema."""

import json
import re
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from saferschools.accounts.models import Role
from saferschools.api.authentication import token_hash
from saferschools.api.models import ApiToken
from saferschools.api.services import api_token_create, api_token_revoke
from saferschools.core.audit import audit_verify
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.testing.factories import PupilFactory, UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"
SCHOOLS = "/api/v1/schools"
PUPILS = "/api/v1/pupils"
SCHEMA = "/api/v1/schema/"

SCHOOL_KEYS = {"urn", "name", "phase", "local_authority", "postcode", "partnership"}
PUPIL_KEYS = {"id", "school_urn", "name", "year_group", "upn"}
MEMBERSHIP_KEYS = {"role", "scope_type", "scope_id", "scope_name"}


def new_key(user) -> str:
    _, key = api_token_create(actor=None, user=user, name="test", source="test")
    return key


@pytest.fixture
def api_for():
    """An APIClient that sends ``<keyword> <key>`` with a new token for ``user``."""

    def make(user, keyword: str = "Token") -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"{keyword} {new_key(user)}")
        return client

    return make


def pupil_view_events(user) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        actor_id=user.pk, action=AuditAction.VIEW, object_type="casework.pupil"
    )


# /api/v1/me


def test_me_names_the_user_and_their_memberships(api_for, dsl, world):
    response = api_for(dsl).get(ME)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["email"] == dsl.email
    assert len(body["memberships"]) == 1
    membership = body["memberships"][0]
    assert set(membership) == MEMBERSHIP_KEYS
    assert membership == {
        "role": Role.SAFEGUARDING_LEAD,
        "scope_type": "school",
        "scope_id": str(world.school_a.pk),
        "scope_name": world.school_a.name,
    }


def test_me_lists_every_membership(api_for, persona, world):
    officer = persona(Role.SSP_OFFICER, world.p)
    officer.memberships.create(role=Role.STEERING_MEMBER, partnership=world.q)

    memberships = api_for(officer).get(ME).json()["memberships"]

    assert all(set(m) == MEMBERSHIP_KEYS for m in memberships)
    assert {(m["role"], m["scope_name"]) for m in memberships} == {
        (Role.SSP_OFFICER, world.p.name),
        (Role.STEERING_MEMBER, world.q.name),
    }


# /api/v1/schools


def test_schools_of_a_dsl_are_their_own_and_their_partnerships(api_for, dsl, world):
    response = api_for(dsl).get(SCHOOLS)

    assert response.status_code == 200
    schools = response.json()
    assert all(set(school) == SCHOOL_KEYS for school in schools)
    urns = {school["urn"] for school in schools}
    assert urns == {world.school_a.urn, world.school_b.urn}
    for outside in (world.school_c, world.school_d, world.school_e):
        assert outside.urn not in urns
    school_a = next(s for s in schools if s["urn"] == world.school_a.urn)
    assert school_a["name"] == world.school_a.name
    assert school_a["partnership"] == {"id": str(world.p.pk), "name": world.p.name}


def test_schools_of_an_analyst_are_every_school_of_their_area(api_for, persona, world):
    analyst = persona(Role.LA_ANALYST, world.area)

    schools = api_for(analyst).get(SCHOOLS).json()

    urns = {school["urn"] for school in schools}
    assert urns == {
        world.school_a.urn,
        world.school_b.urn,
        world.school_c.urn,
        world.school_e.urn,
    }
    assert world.school_d.urn not in urns
    unpartnered = next(s for s in schools if s["urn"] == world.school_e.urn)
    assert unpartnered["partnership"] is None


def test_schools_of_a_user_without_membership_are_none(api_for, world):
    response = api_for(UserFactory()).get(SCHOOLS)

    assert response.status_code == 200
    assert response.json() == []


# /api/v1/pupils


def test_pupils_of_a_school_for_its_dsl(api_for, dsl, world):
    response = api_for(dsl).get(PUPILS, {"school": world.school_a.urn})

    assert response.status_code == 200
    pupils = response.json()
    assert len(pupils) == 1
    assert set(pupils[0]) == PUPIL_KEYS
    pupil = world.pupil_a
    assert pupils[0] == {
        "id": str(pupil.pk),
        "school_urn": world.school_a.urn,
        "name": pupil.name,
        "year_group": pupil.year_group,
        "upn": pupil.upn,
    }


def test_pupils_for_an_officer_of_the_partnership_cover_its_schools(api_for, persona, world):
    officer = persona(Role.SSP_OFFICER, world.p)
    client = api_for(officer)

    everyone = {p["id"] for p in client.get(PUPILS).json()}
    of_b = client.get(PUPILS, {"school": world.school_b.urn}).json()

    assert everyone == {str(world.pupil_a.pk), str(world.pupil_b.pk)}
    assert [p["id"] for p in of_b] == [str(world.pupil_b.pk)]


def test_pupils_without_a_school_filter_are_only_those_in_scope(api_for, dsl, world):
    ids = {p["id"] for p in api_for(dsl).get(PUPILS).json()}

    assert ids == {str(world.pupil_a.pk)}


def test_pupils_leave_out_those_off_roll(api_for, dsl, world):
    PupilFactory(school=world.school_a, on_roll=False)

    ids = {p["id"] for p in api_for(dsl).get(PUPILS, {"school": world.school_a.urn}).json()}

    assert ids == {str(world.pupil_a.pk)}


def test_every_pupil_listed_is_audited(api_for, dsl, world):
    extra = PupilFactory(school=world.school_a)

    api_for(dsl).get(PUPILS, {"school": world.school_a.urn})

    events = pupil_view_events(dsl)
    assert {e.object_id for e in events} == {str(world.pupil_a.pk), str(extra.pk)}
    assert all(e.source == "api:api-pupils" for e in events)
    assert all(e.actor_email == dsl.email for e in events)
    assert audit_verify().ok


@pytest.mark.parametrize("school", ["school_c", "school_d"])
def test_pupils_of_a_school_out_of_scope_are_not_found(api_for, dsl, world, school):
    response = api_for(dsl).get(PUPILS, {"school": getattr(world, school).urn})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
    assert not pupil_view_events(dsl).exists()


def test_pupils_of_a_missing_school_are_not_found_in_the_same_words(api_for, dsl, world):
    response = api_for(dsl).get(PUPILS, {"school": 999_999_999})

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_pupils_of_a_partnership_school_not_the_users_own_are_not_found(api_for, dsl, world):
    # A dsl sees school B (same partnership) as a school, but not its pupils.
    response = api_for(dsl).get(PUPILS, {"school": world.school_b.urn})

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_pupils_outsider_officer_is_not_found(api_for, outside_officer, world):
    response = api_for(outside_officer).get(PUPILS, {"school": world.school_a.urn})

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("value", ["abc", "0", "-3", "1.5"])
def test_pupils_with_a_malformed_school_is_a_clear_error(api_for, dsl, world, value):
    response = api_for(dsl).get(PUPILS, {"school": value})

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert "school" in body["detail"]
    assert list(body["errors"]) == ["school"]
    assert body["errors"]["school"]
    assert all(isinstance(message, str) for message in body["errors"]["school"])
    assert not pupil_view_events(dsl).exists()


@pytest.mark.parametrize("role", [Role.POLICE_SUPERVISOR, Role.AGENCY_PRACTITIONER])
def test_pupils_are_none_for_supervisors_and_practitioners(api_for, persona, world, role):
    agency = world.police if role == Role.POLICE_SUPERVISOR else world.yot
    user = persona(role, agency)
    client = api_for(user)

    unfiltered = client.get(PUPILS)
    filtered = client.get(PUPILS, {"school": world.school_a.urn})

    assert unfiltered.status_code == 200
    assert unfiltered.json() == []
    assert filtered.status_code == 404
    assert filtered.json() == {"detail": "Not found."}
    assert not pupil_view_events(user).exists()


def test_pupils_are_none_for_an_analyst(api_for, persona, world):
    analyst = persona(Role.LA_ANALYST, world.area)
    client = api_for(analyst)

    assert client.get(PUPILS).json() == []
    assert client.get(PUPILS, {"school": world.school_a.urn}).status_code == 404


def _select_count(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PUPILS, params)
    assert response.status_code == 200
    return sum(
        1 for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
    )


def test_pupils_list_selects_do_not_grow_with_the_pupils(api_for, dsl, world):
    client = api_for(dsl)
    params = {"school": world.school_a.urn}
    PupilFactory.create_batch(2, school=world.school_a)
    client.get(PUPILS, params)  # the token's last use is recorded once; compare like with like

    few = _select_count(client, params)
    PupilFactory.create_batch(27, school=world.school_a)
    many = _select_count(client, params)

    assert len(client.get(PUPILS, params).json()) == 30
    assert many == few
    assert audit_verify().ok


def test_pupils_list_total_queries_stay_bounded(api_for, dsl, world, django_assert_max_num_queries):
    client = api_for(dsl)
    PupilFactory.create_batch(29, school=world.school_a)

    with django_assert_max_num_queries(15):
        response = client.get(PUPILS, {"school": world.school_a.urn})

    assert len(response.json()) == 30


# Authentication


@pytest.mark.parametrize("path", [ME, SCHOOLS, PUPILS])
def test_unauthenticated_calls_are_refused_with_a_challenge(world, path):
    response = APIClient().get(path)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Token realm="api"'
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_a_revoked_token_is_refused(dsl):
    token, key = api_token_create(actor=None, user=dsl, name="test", source="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(ME).status_code == 200

    api_token_revoke(actor=None, token=token, source="test")

    response = client.get(ME)
    assert response.status_code == 401
    assert response.json() == {"detail": "The token is not valid."}
    assert "WWW-Authenticate" in response


def test_an_unknown_token_is_refused(dsl):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token ss_not-a-real-token")

    response = client.get(ME)

    assert response.status_code == 401
    assert response.json() == {"detail": "The token is not valid."}


def test_a_token_of_an_inactive_user_is_refused(dsl):
    key = new_key(dsl)
    dsl.is_active = False
    dsl.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert client.get(ME).status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Token", "Bearer", "Token one two", "Token ss_é".encode().decode("latin-1")],
    ids=["no-key", "bearer-no-key", "two-keys", "non-ascii"],
)
def test_a_malformed_authorization_header_is_refused(dsl, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(ME)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}
    assert "WWW-Authenticate" in response


def test_another_scheme_is_not_a_token(dsl):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Basic {new_key(dsl)}")

    assert client.get(ME).status_code == 401


@pytest.mark.parametrize("keyword", ["Bearer", "bearer", "token"])
def test_bearer_and_any_case_work_like_token(api_for, dsl, keyword):
    response = api_for(dsl, keyword=keyword).get(ME)

    assert response.status_code == 200
    assert response.json()["email"] == dsl.email


def test_token_use_is_recorded(api_for, dsl):
    client = api_for(dsl)
    token = ApiToken.objects.get(user=dsl)
    assert token.last_used_at is None

    client.get(ME)

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_signed_in_session_works_without_a_token(client, dsl, password):
    assert client.login(email=dsl.email, password=password)

    response = client.get(ME)

    assert response.status_code == 200
    assert response.json()["email"] == dsl.email


def test_a_session_still_owing_its_second_factor_is_refused(client, dsl, password, settings):
    settings.REQUIRE_TWO_FACTOR = True
    assert client.login(email=dsl.email, password=password)

    assert client.get(ME).status_code == 401


# Errors and schema


@pytest.mark.parametrize("path", [ME, SCHOOLS, PUPILS])
def test_writing_to_a_read_only_endpoint_is_not_allowed(api_for, dsl, path):
    response = api_for(dsl).post(path, {"email": "x@example.org"}, format="json")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": 'Method "POST" not allowed.'}


def test_an_unknown_api_path_is_json_not_found(api_for, dsl):
    response = api_for(dsl).get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def _schema(response) -> dict:
    content_type = response["Content-Type"]
    assert content_type.startswith("application/vnd.oai.openapi")
    if "json" in content_type:
        return json.loads(response.content)
    return yaml.safe_load(response.content)


def _response_properties(document: dict, path: str) -> set[str]:
    """The property names of the 200 response of GET ``path`` (or of its items)."""
    schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    schema = schema["schema"]
    schema = schema.get("items", schema)
    name = schema["$ref"].rsplit("/", 1)[-1]
    return set(document["components"]["schemas"][name]["properties"])


@pytest.mark.parametrize("query", ["?format=json", ""], ids=["json", "yaml"])
def test_schema_is_an_openapi_3_document_naming_every_path(db, query):
    response = APIClient().get(SCHEMA + query)

    assert response.status_code == 200
    assert ("json" in response["Content-Type"]) == bool(query)
    document = _schema(response)
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/me", "/api/v1/schools", "/api/v1/pupils"} <= set(document["paths"])
    parameters = document["paths"]["/api/v1/pupils"]["get"]["parameters"]
    assert any(p["name"] == "school" for p in parameters)


def test_schema_describes_each_response_by_its_own_fields(db):
    document = _schema(APIClient().get(SCHEMA + "?format=json"))

    assert _response_properties(document, "/api/v1/me") == {"email", "memberships"}
    assert _response_properties(document, "/api/v1/schools") == SCHOOL_KEYS
    assert _response_properties(document, "/api/v1/pupils") == PUPIL_KEYS


# create_api_token


def test_create_api_token_prints_a_working_token_and_stores_only_its_hash(dsl):
    out = StringIO()

    call_command("create_api_token", dsl.email.upper(), "--name", "MIS sync", stdout=out)

    key = out.getvalue().strip()
    assert key.startswith("ss_")
    token = ApiToken.objects.get(user=dsl)
    assert token.name == "MIS sync"
    assert token.key_hash == token_hash(key)
    for row in ApiToken.objects.values():
        assert not any(key in str(value) for value in row.values())
    for row in AuditEvent.objects.values():
        assert not any(key in str(value) for value in row.values())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(ME).json()["email"] == dsl.email


def test_create_api_token_audits_the_creation(dsl):
    call_command("create_api_token", dsl.email, stdout=StringIO())

    token = ApiToken.objects.get(user=dsl)
    event = AuditEvent.objects.get(object_type="api.apitoken", object_id=str(token.pk))
    assert event.action == AuditAction.CREATE
    assert event.source == "command:create_api_token"


def test_create_api_token_for_an_unknown_email_fails(db):
    with pytest.raises(CommandError, match=re.escape("nobody@school.example")):
        call_command("create_api_token", "nobody@school.example", stdout=StringIO())

    assert not ApiToken.objects.exists()


def test_create_api_token_for_an_inactive_user_fails(dsl):
    dsl.is_active = False
    dsl.save()

    with pytest.raises(CommandError):
        call_command("create_api_token", dsl.email, stdout=StringIO())

    assert not ApiToken.objects.exists()
