"""The protocol API: GET /api/v1/partnerships/<id>/protocol and
POST /api/v1/partnerships/<id>/protocol/sign-off."""

import pytest
from rest_framework.test import APIClient

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.planning.models import ProtocolPartner

from .test_protocol_services import save, sign

pytestmark = pytest.mark.django_db


def protocol_url(partnership) -> str:
    return f"/api/v1/partnerships/{partnership.pk}/protocol"


def sign_off_url(partnership) -> str:
    return protocol_url(partnership) + "/sign-off"


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        _, key = api_token_create(actor=None, user=user, name="test", source="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a, full_name="Hana Head")


@pytest.fixture
def sergeant(world, persona):
    return persona(Role.POLICE_SUPERVISOR, world.police, full_name="Sam Sergeant")


def signed() -> int:
    return ProtocolPartner.objects.filter(signed_at__isnull=False).count()


# Reading -----------------------------------------------------------------------------------------


def test_the_latest_protocol_is_read_with_its_sign_offs(api_for, world, head, sergeant):
    protocol = save(world, head, change_note="First")
    sign(protocol, sergeant, agency=world.police)
    response = api_for(sergeant).get(protocol_url(world.p))
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == str(protocol.pk)
    assert data["version"] == 1
    assert data["deployment"] == "part_time"
    assert data["change_note"] == "First"
    assert data["sharing_agreement_id"] is None
    assert data["in_force"] is False
    assert "Surrey YOS to sign version 1 of the protocol" in data["missing"]
    by_name = {partner["name"]: partner for partner in data["partners"]}
    assert by_name["Surrey Police"]["agency_id"] == str(world.police.pk)
    assert by_name["Surrey Police"]["signed_by"] == "Sam Sergeant"
    assert by_name["Surrey Police"]["signed_at"]
    assert by_name["Oakwood School"]["school_urn"] == world.school_a.urn
    assert "agency_id" not in by_name["Oakwood School"]
    assert by_name["Oakwood School"]["signed_by"] is None


def test_reading_a_partnership_without_a_protocol_is_not_found(api_for, world, head):
    response = api_for(head).get(protocol_url(world.p))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


# Signing -----------------------------------------------------------------------------------------


def test_a_yot_practitioner_signs_for_the_yot(api_for, world, head, practitioner):
    protocol = save(world, head)
    response = api_for(practitioner).post(
        sign_off_url(world.p), {"agency_id": str(world.yot.pk)}, format="json"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["version"] == 1
    assert data["in_force"] is False
    yot = next(p for p in data["partners"] if p["name"] == "Surrey YOS")
    assert yot["agency_id"] == str(world.yot.pk)
    assert yot["signed_by"] == practitioner.full_name
    assert protocol.partners.get(agency=world.yot).signed_by == practitioner
    event = AuditEvent.objects.filter(object_id=str(protocol.pk)).latest("seq")
    assert (event.action, event.source) == (AuditAction.UPDATE, "api:api-protocol-sign-off")


def test_a_head_teacher_signs_for_their_school_by_urn(api_for, world, head):
    save(world, head)
    response = api_for(head).post(
        sign_off_url(world.p), {"school_urn": world.school_a.urn}, format="json"
    )
    assert response.status_code == 200
    oakwood = next(p for p in response.json()["partners"] if p["name"] == "Oakwood School")
    assert oakwood["signed_by"] == "Hana Head"


def test_the_last_signature_puts_it_in_force(api_for, world, head, persona, sergeant, practitioner):
    protocol = save(world, head)
    sign(protocol, head, school=world.school_a)
    sign(protocol, persona(Role.HEAD_TEACHER, world.school_b), school=world.school_b)
    sign(protocol, sergeant, agency=world.police)
    response = api_for(practitioner).post(
        sign_off_url(world.p), {"agency_id": str(world.yot.pk)}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["in_force"] is True


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {},
            {
                "agency_id": [
                    "This field is required: the agency you sign for (or school_urn for a school)"
                ]
            },
        ),
        (
            {"agency_id": None},
            {
                "agency_id": [
                    "This field is required: the agency you sign for (or school_urn for a school)"
                ]
            },
        ),
        ({"agency_id": 12}, {"agency_id": ["Give the id of an agency as a string, not a number"]}),
        ({"agency_id": ["x"]}, {"agency_id": ["Give the id of an agency as a string, not a list"]}),
        ({"agency_id": "not-an-id"}, {"agency_id": ["Give the id of an agency"]}),
        (
            {"agency_id": "00000000-0000-0000-0000-000000000000"},
            {"agency_id": ["No partner with this id is named in version 1 of the protocol"]},
        ),
        (
            {"school_urn": "123"},
            {"school_urn": ["Give a school's URN as a whole number, not a string"]},
        ),
        (
            {"school_urn": True},
            {"school_urn": ["Give a school's URN as a whole number, not true or false"]},
        ),
        (
            {"school_urn": 100001.5},
            {"school_urn": ["Give a school's URN as a whole number, without a decimal point"]},
        ),
        (
            {"school_urn": 10**40},
            {"school_urn": ["No partner with this URN is named in version 1 of the protocol"]},
        ),
        (
            {"agency_id": "{yot}", "school_urn": 1},
            {"school_urn": ["Give agency_id or school_urn, not both"]},
        ),
        ({"agency_id": "{yot}", "note": "hi"}, {"note": ["This field is not expected"]}),
        (
            {"agency_id": "{police}"},
            {
                "agency_id": [
                    "You cannot sign for Surrey Police: sign only for a partner you work for"
                ]
            },
        ),
        (
            {"agency_id": "{other_police}"},
            {"agency_id": ["No partner with this id is named in version 1 of the protocol"]},
        ),
        (
            {"school_urn": "{school_a}"},
            {
                "school_urn": [
                    "You cannot sign for Oakwood School: sign only for a partner you lead as its head teacher"
                ]
            },
        ),
        (
            {"school_urn": "{school_c}"},
            {"school_urn": ["Woking High is not a partner in version 1 of the protocol"]},
        ),
    ],
)
def test_bad_sign_offs_name_the_field_and_change_nothing(
    api_for, world, head, practitioner, body, errors
):
    save(world, head)
    values = {
        "{yot}": str(world.yot.pk),
        "{police}": str(world.police.pk),
        "{other_police}": str(world.other_police.pk),
        "{school_a}": world.school_a.urn,
        "{school_c}": world.school_c.urn,
    }
    sent = {
        key: values.get(value, value) if isinstance(value, str) else value
        for key, value in body.items()
    }
    client = api_for(practitioner)
    before = (AuditEvent.objects.count(), Notification.objects.count())
    response = client.post(sign_off_url(world.p), sent, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert signed() == 0
    assert (AuditEvent.objects.count(), Notification.objects.count()) == before


def test_a_body_that_is_not_an_object_is_refused(api_for, world, head, practitioner):
    save(world, head)
    response = api_for(practitioner).post(sign_off_url(world.p), ["x"], format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"non_field_errors": ["Send a JSON object"]}
    broken = api_for(practitioner).post(
        sign_off_url(world.p), "{not json", content_type="application/json"
    )
    assert broken.status_code == 400
    assert signed() == 0


def test_signing_again_is_refused(api_for, world, head, practitioner):
    save(world, head)
    client = api_for(practitioner)
    assert (
        client.post(
            sign_off_url(world.p), {"agency_id": str(world.yot.pk)}, format="json"
        ).status_code
        == 200
    )
    again = client.post(sign_off_url(world.p), {"agency_id": str(world.yot.pk)}, format="json")
    assert again.status_code == 400
    assert list(again.json()["errors"]) == ["agency_id"]
    assert "Surrey YOS signed version 1 already" in again.json()["errors"]["agency_id"][0]
    assert signed() == 1


def test_without_a_protocol_there_is_nothing_to_sign(api_for, world, practitioner):
    response = api_for(practitioner).post(
        sign_off_url(world.p), {"agency_id": str(world.yot.pk)}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "protocol": ["The partnership has no protocol yet: there is nothing to sign"]
    }


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.POLICE_SUPERVISOR, "other_police"),
        (Role.SSP_OFFICER, "q"),
        (Role.HEAD_TEACHER, "school_d"),
    ],
    ids=["other-force", "other-partnership-officer", "other-area-head"],
)
def test_outsiders_get_404_whatever_they_send(api_for, world, head, persona, role, scope):
    save(world, head)
    client = api_for(persona(role, getattr(world, scope)))
    for body in ({"agency_id": str(world.other_police.pk)}, {"agency_id": 5, "extra": 1}, {}):
        response = client.post(sign_off_url(world.p), body, format="json")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert client.get(protocol_url(world.p)).status_code == 404
    assert (
        client.post(
            "/api/v1/partnerships/not-a-uuid/protocol/sign-off", {}, format="json"
        ).status_code
        == 404
    )
    assert signed() == 0


def test_signing_needs_a_signed_in_user(world, head):
    save(world, head)
    response = APIClient().post(
        sign_off_url(world.p), {"agency_id": str(world.yot.pk)}, format="json"
    )
    assert response.status_code in (401, 403)
    assert signed() == 0


def test_the_schema_documents_both_endpoints(db):
    document = APIClient().get("/api/v1/schema/?format=json").json()
    paths = document["paths"]
    assert "post" in paths["/api/v1/partnerships/{partnership_id}/protocol/sign-off"]
    assert "get" in paths["/api/v1/partnerships/{partnership_id}/protocol"]
    sign_off = paths["/api/v1/partnerships/{partnership_id}/protocol/sign-off"]["post"]
    assert set(sign_off["responses"]) == {"200", "400", "404"}
