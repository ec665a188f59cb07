"""The reporting API over real HTTP: a pupil and a member of staff talk through a live server."""

import json
import urllib.error
import urllib.request

import pytest

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.reporting.models import Report
from saferschools.testing.factories import (
    MembershipFactory,
    PartnershipFactory,
    PartnershipSchoolFactory,
    SchoolFactory,
    UserFactory,
)

# The live server runs in another thread and needs committed data; the serialized rollback
# restores what migrations put in the database (the audit chain's head) for each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REPORT = {
    "category": "unsafe_journey",
    "description": "Older boys wait for us at the bus stop on Victoria Road 🚌",
    "location": "journey",
    "occurred": "Most days after school",
    "about": "someone_else",
    "in_danger": False,
    "anonymous": True,
}


def call(
    url: str, data: object = None, key: str | None = None
) -> tuple[int, dict[str, str], object]:
    """GET ``url``, or POST ``data`` as JSON; the status, headers and decoded JSON body, also
    for 4xx answers."""
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(url, data=body, headers={"Accept": "application/json"})  # noqa: S310
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if key is not None:
        request.add_header("Authorization", f"Token {key}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), json.loads(error.read())


@pytest.fixture
def school_and_key(transactional_db):
    """A partnership school and an API token for its safeguarding lead."""
    school = SchoolFactory(name="Oakwood School")
    PartnershipSchoolFactory(partnership=PartnershipFactory(area=school.area), school=school)
    user = UserFactory(email="dsl@oakwood.example", full_name="Dee Singh")
    MembershipFactory(user=user, role=Role.SAFEGUARDING_LEAD, school=school)
    _, key = api_token_create(actor=None, user=user, name="http test", source="test")
    return school, user, key


def test_a_pupil_and_the_school_talk_over_http(live_server, school_and_key):
    school, user, key = school_and_key
    api = f"{live_server.url}/api/v1"

    # The pupil reports, and keeps the receipt.
    status, headers, body = call(f"{api}/schools/{school.urn}/reports", REPORT)
    assert status == 201
    assert headers["Content-Type"] == "application/json"
    assert headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in headers
    assert isinstance(body, dict)
    receipt = body["receipt"]
    assert len(receipt) == 20 and receipt.isdigit()

    # The pupil follows up: received, nothing yet.
    status, headers, body = call(f"{api}/followup", {"receipt": receipt})
    assert status == 200
    assert headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in headers
    assert body == {"status": "received", "category": "unsafe_journey", "messages": []}

    # The safeguarding lead finds it in the list and opens it.
    status, _, listed = call(f"{api}/reports", key=key)
    assert status == 200
    assert isinstance(listed, list)
    assert [(r["school_urn"], r["category"], r["status"]) for r in listed] == [
        (school.urn, "unsafe_journey", "new")
    ]
    report_id = listed[0]["id"]
    status, headers, detail = call(f"{api}/reports/{report_id}", key=key)
    assert status == 200
    assert headers["Cache-Control"] == "no-store"
    assert isinstance(detail, dict)
    assert detail["description"] == REPORT["description"]
    assert AuditEvent.objects.filter(
        actor_id=user.pk, action=AuditAction.VIEW, object_id=report_id
    ).exists()

    # They reply to the pupil.
    reply = "Thank you. We will have staff at the bus stop from tomorrow."
    status, _, sent = call(f"{api}/reports/{report_id}/messages", {"body": reply}, key=key)
    assert status == 201
    assert isinstance(sent, dict)
    assert sent["from"] == "school"
    assert sent["author"] == {"id": str(user.pk), "name": "Dee Singh"}

    # The pupil reads the reply with the receipt, in groups as printed, and writes back.
    spaced = " ".join(receipt[i : i + 4] for i in range(0, 20, 4))
    status, _, body = call(f"{api}/followup", {"receipt": spaced})
    assert status == 200
    assert isinstance(body, dict)
    assert body["status"] == "in_progress"
    assert [(m["from"], m["body"]) for m in body["messages"]] == [("school", reply)]
    assert body["messages"][0]["sent_at"] == sent["sent_at"]
    status, headers, written = call(
        f"{api}/followup/messages", {"receipt": receipt, "body": "Thank you 🙏"}
    )
    assert status == 201
    assert "Set-Cookie" not in headers
    assert isinstance(written, dict)
    assert (written["from"], written["body"]) == ("pupil", "Thank you 🙏")

    # The school sees the pupil's answer.
    _, _, detail = call(f"{api}/reports/{report_id}", key=key)
    assert isinstance(detail, dict)
    assert [(m["from"], m["body"]) for m in detail["messages"]] == [
        ("school", reply),
        ("pupil", "Thank you 🙏"),
    ]


def test_bad_input_over_http_names_the_fields_and_stores_nothing(live_server, school_and_key):
    school, _, _ = school_and_key
    bad = {**REPORT, "location": "bus", "in_danger": "no", "colour": "red"}
    url = f"{live_server.url}/api/v1/schools/{school.urn}/reports"

    unknown_field = call(url, bad)
    bad_values = call(url, {**REPORT, "location": "bus", "in_danger": "no"})

    assert unknown_field[0] == 400
    assert unknown_field[2] == {
        "detail": "Invalid input: colour.",
        "errors": {"colour": ["This field is not expected"]},
    }
    status, headers, body = bad_values
    assert status == 400
    assert headers["Content-Type"] == "application/json"
    assert isinstance(body, dict)
    assert set(body["errors"]) == {"location", "in_danger"}
    assert not Report.objects.exists()


def test_an_unknown_school_over_http_is_not_found(live_server, school_and_key):
    status, headers, body = call(f"{live_server.url}/api/v1/schools/999999/reports", REPORT)

    assert status == 404
    assert headers["Content-Type"] == "application/json"
    assert body == {"detail": "Not found."}
    assert not Report.objects.exists()


def test_guessing_receipts_over_http_is_throttled(live_server, school_and_key, settings):
    settings.RECEIPT_ATTEMPTS = 3
    url = f"{live_server.url}/api/v1/followup"
    misses = [call(url, {"receipt": "5" * 20})[0] for _ in range(3)]

    status, headers, body = call(url, {"receipt": "5" * 20})

    assert misses == [404, 404, 404]
    assert status == 429
    assert int(headers["Retry-After"]) > 0
    assert isinstance(body, dict) and set(body) == {"detail"}


def test_categories_over_http_need_no_credentials(live_server, school_and_key):
    status, headers, body = call(f"{live_server.url}/api/v1/report-categories")

    assert status == 200
    assert "Set-Cookie" not in headers
    assert isinstance(body, list)
    assert {"code": "self_harm", "name": "Self-harm or thoughts of suicide", "urgent": True} in body
