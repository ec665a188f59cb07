"""The pupil's side of the survey over real HTTP: an app reads the open survey's questions and
sends a pupil's answers; the same code sent again is refused, and nothing of the caller is kept."""

import json
import urllib.error
import urllib.request

import pytest

from saferschools.accounts.models import Role
from saferschools.outcomes.models import SurveyAnswer, SurveyResponse
from saferschools.testing.factories import (
    MembershipFactory,
    PartnershipFactory,
    PartnershipSchoolFactory,
    SchoolFactory,
    UserFactory,
)

from .survey_helpers import open_round, print_codes, stored_anywhere

# The live server runs in another thread and needs committed data; the serialized rollback
# restores what migrations put in the database (the audit chain's head) for each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def call(url: str, data: object = None) -> tuple[int, dict[str, str], object]:
    """GET ``url``, or POST ``data`` as JSON; the status, headers and decoded JSON body."""
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(url, data=body, headers={"Accept": "application/json"})  # noqa: S310
    if body is not None:
        request.add_header("Content-Type", "application/json")
    request.add_header("User-Agent", "KioskApp/2.0")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), json.loads(error.read())


def test_a_pupil_answers_over_http_once(live_server, transactional_db):
    school = SchoolFactory(name="Oakwood School")
    partnership = PartnershipFactory(area=school.area, name="Horley SSP")
    PartnershipSchoolFactory(partnership=partnership, school=school)
    head = UserFactory(email="head@oakwood.example")
    MembershipFactory(user=head, role=Role.HEAD_TEACHER, school=school)
    survey = open_round(school, head)
    (code,) = print_codes(survey, head, 1)
    base = f"{live_server.url}/api/v1/schools/{school.urn}"

    status, headers, body = call(f"{base}/survey")
    assert status == 200
    assert headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in headers
    first = body["questions"][0]
    answers = {first["id"]: first["choices"][0]["value"]}

    status, headers, body = call(f"{base}/survey-responses", {"code": code, "answers": answers})
    assert (status, body) == (201, {})
    assert "Set-Cookie" not in headers
    status, _, body = call(f"{base}/survey-responses", {"code": code, "answers": answers})
    assert status == 400
    assert body["errors"] == {"code": ["This code has already been used."]}
    status, _, body = call(f"{base}/survey-responses", {"code": code, "answers": "all of them"})
    assert (status, list(body["errors"])) == (400, ["answers"])
    status, _, _ = call(f"{live_server.url}/api/v1/schools/1/survey")
    assert status == 404

    assert SurveyResponse.objects.count() == 1
    assert SurveyAnswer.objects.get().value == 1
    assert stored_anywhere(code) == []
    assert stored_anywhere("KioskApp") == []
    assert stored_anywhere("127.0.0.1") == []
