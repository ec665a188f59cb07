"""The evaluation API over real HTTP: an analyst evaluates the partnership, a partner reads the
result, and a bad comparison school, a reader who may not evaluate and an outsider get their
answers."""

import json
import urllib.error
import urllib.request

import pytest

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.outcomes.models import Evaluation

from .evaluation_world import evaluation_world

# The live server runs in another thread and needs committed data; the serialized rollback
# restores what migrations put in the database (the catalogue, the audit chain's head).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def call(url: str, data: object = None, key: str | None = None) -> tuple[int, dict, object]:
    """GET ``url``, or POST ``data`` as JSON; the status, headers and decoded JSON body, also
    for 4xx answers."""
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(url, data=body, headers={"Accept": "application/json"})  # noqa: S310
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if key is not None:
        request.add_header("Authorization", f"Token {key}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), json.loads(error.read())


def token(user) -> str:
    _, key = api_token_create(actor=None, user=user, name="http test", source="test")
    return key


def test_an_evaluation_over_http(live_server, world, persona):
    evaluation_world(world)
    analyst = token(persona(Role.LA_ANALYST, world.area))
    officer = token(persona(Role.SSP_OFFICER, world.p))
    outsider = token(persona(Role.LA_ANALYST, world.other_area))
    url = f"{live_server.url}/api/v1/evaluations"
    body = {"partnership_id": str(world.p.pk), "indicator": "persistent_absence"}

    status, _, answer = call(url, {**body, "comparison_urns": [world.school_a.urn]}, key=analyst)
    assert status == 400
    assert list(answer["errors"]) == ["comparison_urns"]
    assert call(url, body, key=officer)[0] == 404
    assert call(url, body, key=outsider)[0] == 404
    assert not Evaluation.objects.exists()

    status, headers, made = call(url, body, key=analyst)
    assert status == 201
    assert headers["Location"] == f"/evaluations/{made['id']}/"
    assert made["estimate"] < 0 and made["ci_low"] < made["estimate"] < made["ci_high"]
    assert made["treated_urns"] == [world.school_b.urn, world.school_a.urn]

    status, _, read = call(f"{url}/{made['id']}", key=officer)
    assert (status, read) == (200, made)
    assert call(f"{url}/{made['id']}", key=outsider)[0] == 404
