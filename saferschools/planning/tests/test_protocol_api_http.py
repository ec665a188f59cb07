"""The protocol sign-off API over real HTTP: partners sign through a live server, and each kind
of bad sign-off is answered with a 400 naming its field, or a 404 for an outsider."""

import json
import urllib.error
import urllib.request

import pytest

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.planning.models import ProtocolPartner

from .test_protocol_services import save

# The live server runs in another thread and needs committed data; the serialized rollback
# restores what migrations put in the database (the audit chain's head) for each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def call(url: str, data: object = None, key: str | None = None) -> tuple[int, object]:
    """GET ``url``, or POST ``data`` as JSON; the status and decoded JSON body, also for 4xx."""
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(url, data=body, headers={"Accept": "application/json"})  # noqa: S310
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if key is not None:
        request.add_header("Authorization", f"Token {key}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def key_for(user) -> str:
    _, key = api_token_create(actor=None, user=user, name="http test", source="test")
    return key


def signed() -> set[str]:
    return {
        partner.name
        for partner in ProtocolPartner.objects.filter(signed_at__isnull=False).select_related(
            "agency", "school"
        )
    }


def test_sign_offs_over_http(live_server, world, persona):
    head = persona(Role.HEAD_TEACHER, world.school_a, full_name="Hana Head")
    practitioner = persona(Role.AGENCY_PRACTITIONER, world.yot, full_name="Pat Practitioner")
    outsider = persona(Role.POLICE_SUPERVISOR, world.other_police)
    head_key, practitioner_key = key_for(head), key_for(practitioner)
    base = f"{live_server.url}/api/v1/partnerships/{world.p.pk}/protocol"
    sign_off = base + "/sign-off"

    # No protocol yet: nothing to sign, and nothing to read.
    status, body = call(sign_off, {"agency_id": str(world.yot.pk)}, practitioner_key)
    assert (status, body["errors"]) == (
        400,
        {"protocol": ["The partnership has no protocol yet: there is nothing to sign"]},
    )
    assert call(base, key=practitioner_key)[0] == 404

    save(world, head)
    cases = [
        ({}, "agency_id"),
        ({"agency_id": 7}, "agency_id"),
        ({"agency_id": "not-an-id"}, "agency_id"),
        ({"agency_id": str(world.other_police.pk)}, "agency_id"),
        # A user of one agency signing for another.
        ({"agency_id": str(world.police.pk)}, "agency_id"),
        ({"school_urn": world.school_a.urn}, "school_urn"),
        ({"school_urn": "a school"}, "school_urn"),
        ({"agency_id": str(world.yot.pk), "school_urn": world.school_a.urn}, "school_urn"),
        ({"agency_id": str(world.yot.pk), "comment": "x"}, "comment"),
    ]
    for sent, field in cases:
        status, body = call(sign_off, sent, practitioner_key)
        assert status == 400, sent
        assert list(body["errors"]) == [field], (sent, body)
        assert body["detail"] == f"Invalid input: {field}."
    assert signed() == set()

    status, body = call(sign_off, {"agency_id": str(world.yot.pk)}, practitioner_key)
    assert status == 200
    assert body["version"] == 1 and body["in_force"] is False
    assert {p["name"]: p["signed_by"] for p in body["partners"]}["Surrey YOS"] == "Pat Practitioner"
    # Signing again is refused, by field.
    status, body = call(sign_off, {"agency_id": str(world.yot.pk)}, practitioner_key)
    assert status == 400 and list(body["errors"]) == ["agency_id"]

    status, body = call(sign_off, {"school_urn": world.school_a.urn}, head_key)
    assert status == 200
    assert signed() == {"Surrey YOS", "Oakwood School"}

    # An outsider learns nothing, whatever they send.
    outsider_key = key_for(outsider)
    for sent in ({"agency_id": str(world.other_police.pk)}, {"agency_id": 5}, {}):
        assert call(sign_off, sent, outsider_key) == (404, {"detail": "Not found."})
    assert call(base, key=outsider_key) == (404, {"detail": "Not found."})

    status, body = call(base, key=head_key)
    assert status == 200
    assert {p["name"] for p in body["partners"] if p["signed_at"]} == {
        "Surrey YOS",
        "Oakwood School",
    }
    assert signed() == {"Surrey YOS", "Oakwood School"}
