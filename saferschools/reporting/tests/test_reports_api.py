"""The reporting API: the pupil's side without an account, and the staff's inbox by token."""

import json
import logging
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework.test import APIClient

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.reporting import services
from saferschools.reporting.models import (
    URGENT_CATEGORIES,
    Category,
    EntryKind,
    Report,
    ReportEntry,
    Status,
)
from saferschools.reporting.selectors import followup_find
from saferschools.testing.factories import (
    PartnershipSchoolFactory,
    SchoolFactory,
    UserFactory,
    submit_report,
)

pytestmark = pytest.mark.django_db

CATEGORIES = "/api/v1/report-categories"
FOLLOWUP = "/api/v1/followup"
FOLLOWUP_MESSAGES = "/api/v1/followup/messages"
REPORTS = "/api/v1/reports"

GOOD = {
    "category": "online_bullying",
    "description": "Someone in my year keeps posting photos of me in a group chat.",
    "location": "online",
    "occurred": "2025-03-04",
    "about": "self",
    "in_danger": False,
    "anonymous": True,
}
LIST_KEYS = {"id", "school_urn", "category", "status", "urgent", "received_at", "due_at"}
STATE_KEYS = LIST_KEYS | {"acknowledged_at", "outcome", "closed_at"}
DETAIL_KEYS = STATE_KEYS | {
    "description",
    "location",
    "occurred",
    "about",
    "in_danger",
    "anonymous",
    "name",
    "year_group",
    "urgent_reasons",
    "assigned_to",
    "pupil",
    "messages",
    "notes",
}


def submit_url(school) -> str:
    return f"/api/v1/schools/{school.urn}/reports"


def report_url(report, action: str = "") -> str:
    return f"{REPORTS}/{report.pk}" + (f"/{action}" if action else "")


def post_json(client: APIClient, url: str, data: object, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def pupil() -> APIClient:
    return APIClient()


@pytest.fixture
def api_for():
    """An APIClient that acts as ``user`` through a new API token."""

    def make(user) -> APIClient:
        _, key = api_token_create(actor=None, user=user, name="test", source="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def submitted(world):
    """A new anonymous report to school A, with its receipt."""
    return submit_report(world.school_a)


@pytest.fixture
def officer(world, persona):
    """The SSP officer of partnership P (schools A and B)."""
    return persona(Role.SSP_OFFICER, world.p)


ALLOWED = ["dsl", "officer"]


@pytest.fixture
def outsider(request, world, persona):
    kind = request.param
    if kind == "officer_of_q":
        return persona(Role.SSP_OFFICER, world.q)
    if kind == "practitioner":
        return persona(Role.AGENCY_PRACTITIONER, world.yot)
    if kind == "dsl_of_b":
        return persona(Role.SAFEGUARDING_LEAD, world.school_b)
    if kind == "staff_of_a":
        return persona(Role.SCHOOL_STAFF, world.school_a)
    if kind == "police_supervisor":
        return persona(Role.POLICE_SUPERVISOR, world.area)
    if kind == "area_admin":
        return persona(Role.AREA_ADMIN, world.area)
    if kind == "other_area_officer":
        return persona(Role.SSP_OFFICER, world.r)
    if kind == "no_membership":
        return UserFactory()
    raise AssertionError(kind)


OUTSIDERS = pytest.mark.parametrize(
    "outsider",
    [
        "officer_of_q",
        "practitioner",
        "dsl_of_b",
        "staff_of_a",
        "police_supervisor",
        "area_admin",
        "other_area_officer",
        "no_membership",
    ],
    indirect=True,
)


# GET /api/v1/report-categories


def test_categories_are_listed_for_anyone_with_their_urgency(db):
    response = APIClient().get(CATEGORIES)

    assert response.status_code == 200
    categories = response.json()
    assert [c["code"] for c in categories] == Category.values
    assert all(set(c) == {"code", "name", "urgent"} for c in categories)
    by_code = {c["code"]: c for c in categories}
    assert by_code["weapons"] == {"code": "weapons", "name": "Weapons or knives", "urgent": True}
    assert by_code["bullying"]["urgent"] is False
    assert {c["code"] for c in categories if c["urgent"]} == set(URGENT_CATEGORIES)
    assert "Set-Cookie" not in response


# POST /api/v1/schools/<urn>/reports


def test_a_pupil_submits_a_report_and_gets_a_receipt(world):
    response = post_json(pupil(), submit_url(world.school_a), GOOD)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"receipt"}
    receipt = body["receipt"]
    assert len(receipt) == 20
    assert receipt.isdigit()
    assert response["Cache-Control"] == "no-store"
    report = Report.objects.get()
    assert report.school == world.school_a
    assert report.category == "online_bullying"
    assert report.description == GOOD["description"]
    assert report.location == "online"
    assert report.occurred == "2025-03-04"
    assert report.about == "self"
    assert report.in_danger is False
    assert report.anonymous is True
    assert report.pupil_name == ""
    assert report.year_group is None
    assert report.status == Status.NEW
    assert followup_find(receipt) == report
    # Only a keyed hash of the receipt is kept.
    assert receipt not in report.receipt_hash
    event = AuditEvent.objects.get(object_id=str(report.pk), action=AuditAction.CREATE)
    assert event.actor_id is None
    assert event.source == "api:api-report-submit"


def test_a_named_report_keeps_the_name_and_year_group(world):
    data = {**GOOD, "anonymous": False, "name": "Sam Okafor", "year_group": 9}

    response = post_json(pupil(), submit_url(world.school_a), data)

    assert response.status_code == 201
    report = Report.objects.get()
    assert (report.anonymous, report.pupil_name, report.year_group) == (False, "Sam Okafor", 9)


def test_a_pupil_in_danger_makes_the_report_urgent(world):
    data = {**GOOD, "category": "other", "in_danger": True}

    assert post_json(pupil(), submit_url(world.school_a), data).status_code == 201

    report = Report.objects.get()
    assert report.urgent is True
    assert report.urgent_reasons == ["in_danger"]


def test_markup_emoji_and_control_characters_are_stored_as_text(world):
    data = {**GOOD, "description": "<script>alert(1)</script> they said 😡 to me\x00\x07"}

    assert post_json(pupil(), submit_url(world.school_a), data).status_code == 201

    assert Report.objects.get().description == "<script>alert(1)</script> they said 😡 to me"


@pytest.mark.parametrize(
    "school",
    ["unknown", "closed", "unpartnered", "other_area_unpartnered", "huge_urn", "zero_urn"],
)
def test_a_school_not_taking_reports_is_not_found(world, school):
    if school == "unknown":
        url = "/api/v1/schools/999999/reports"
    elif school == "closed":
        closed = SchoolFactory(area=world.area, is_open=False)
        PartnershipSchoolFactory(partnership=world.p, school=closed)
        url = submit_url(closed)
    elif school == "unpartnered":
        url = submit_url(world.school_e)
    elif school == "other_area_unpartnered":
        url = submit_url(SchoolFactory(area=world.other_area))
    elif school == "huge_urn":
        url = "/api/v1/schools/99999999999999999999999999/reports"
    else:
        url = "/api/v1/schools/0/reports"

    response = post_json(pupil(), url, GOOD)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert not Report.objects.exists()


def test_a_urn_that_is_not_a_number_is_not_found(world):
    response = post_json(pupil(), "/api/v1/schools/oakwood/reports", GOOD)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "fighting"}, "category"),
        ({"category": 3}, "category"),
        ({"category": None}, "category"),
        ({"description": ""}, "description"),
        ({"description": "   \n "}, "description"),
        ({"description": 12345}, "description"),
        ({"description": ["a list"]}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"location": "school"}, "location"),
        ({"location": ""}, "location"),
        ({"occurred": ""}, "occurred"),
        ({"occurred": 20250304}, "occurred"),
        ({"occurred": "y" * 101}, "occurred"),
        ({"about": "me"}, "about"),
        ({"about": True}, "about"),
        ({"in_danger": "yes"}, "in_danger"),
        ({"in_danger": 1}, "in_danger"),
        ({"in_danger": None}, "in_danger"),
        ({"anonymous": "false"}, "anonymous"),
        ({"anonymous": 0}, "anonymous"),
        ({"name": "Sam"}, "name"),
        ({"year_group": 9}, "name"),
        ({"anonymous": False}, "name"),
        ({"anonymous": False, "name": 42}, "name"),
        ({"anonymous": False, "name": "n" * 101}, "name"),
        ({"anonymous": False, "name": "Sam", "year_group": "9"}, "year_group"),
        ({"anonymous": False, "name": "Sam", "year_group": 9.5}, "year_group"),
        ({"anonymous": False, "name": "Sam", "year_group": True}, "year_group"),
        ({"anonymous": False, "name": "Sam", "year_group": 15}, "year_group"),
        ({"anonymous": False, "name": "Sam", "year_group": -2}, "year_group"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(world, changes, field):
    response = post_json(pupil(), submit_url(world.school_a), {**GOOD, **changes})

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert set(body["errors"]) == {field}
    assert field in body["detail"]
    assert all(isinstance(m, str) and m for m in body["errors"][field])
    assert response["Cache-Control"] == "no-store"
    assert not Report.objects.exists()
    assert not ReportEntry.objects.exists()


def test_every_missing_field_is_named_at_once(world):
    response = post_json(pupil(), submit_url(world.school_a), {})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "category",
        "description",
        "location",
        "occurred",
        "about",
        "in_danger",
        "anonymous",
    }
    assert not Report.objects.exists()


def test_unknown_fields_are_refused_by_name(world):
    data = {**GOOD, "photos": [], "ip_address": "203.0.113.9"}

    response = post_json(pupil(), submit_url(world.school_a), data)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"photos", "ip_address"}
    assert not Report.objects.exists()


NOT_OBJECTS = [
    "[]",
    '["bullying"]',
    '"bullying"',
    "42",
    "true",
    "null",
    "{not json",
    "\ufeff{}",
    '{"category": ' + "[" * 100_000,
    "[" * 100_000 + "]" * 100_000,
]


@pytest.mark.parametrize("raw", NOT_OBJECTS)
def test_a_body_that_is_not_a_json_object_is_refused(world, raw):
    response = pupil().post(submit_url(world.school_a), raw, content_type="application/json")

    assert response.status_code == 400
    assert "detail" in response.json()
    assert not Report.objects.exists()


def test_a_form_post_is_refused_as_the_wrong_media_type(world):
    response = pupil().post(submit_url(world.school_a), {"category": "bullying"})

    assert response.status_code == 415
    assert "detail" in response.json()
    assert not Report.objects.exists()


def test_an_oversized_body_is_refused(world, settings):
    data = {**GOOD, "description": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}

    response = post_json(pupil(), submit_url(world.school_a), data)

    assert response.status_code == 400
    assert set(response.json()) == {"detail"}
    assert not Report.objects.exists()


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_only_posting_a_report_is_allowed(world, method):
    response = getattr(pupil(), method)(submit_url(world.school_a))

    assert response.status_code == 405
    assert not Report.objects.exists()


def test_the_pupils_endpoints_keep_nothing_of_the_caller(world, caplog):
    address, agent = "198.51.100.77", "PupilPhone/1.0 (unique-agent-marker)"
    meta = {"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent}
    client = pupil()
    caplog.set_level(logging.DEBUG)

    receipt = post_json(client, submit_url(world.school_a), GOOD, **meta).json()["receipt"]
    followup = post_json(client, FOLLOWUP, {"receipt": receipt}, **meta)
    reply = post_json(client, FOLLOWUP_MESSAGES, {"receipt": receipt, "body": "Thanks"}, **meta)
    missing = post_json(client, FOLLOWUP, {"receipt": "1" * 20}, **meta)

    assert (followup.status_code, reply.status_code, missing.status_code) == (200, 201, 404)
    for response in (followup, reply, missing):
        assert "Set-Cookie" not in response
        assert response["Cache-Control"] == "no-store"
    assert not client.cookies
    assert not Session.objects.exists()
    rows = [
        *Report.objects.values(),
        *ReportEntry.objects.values(),
        *AuditEvent.objects.values(),
    ]
    stored = json.dumps(rows, default=str)
    assert address not in stored
    assert "unique-agent-marker" not in stored
    assert receipt not in stored
    assert address not in caplog.text
    assert "unique-agent-marker" not in caplog.text
    assert receipt not in caplog.text


def test_a_signed_in_session_plays_no_part_in_a_report(client, dsl, world):
    client.force_login(dsl)
    sessions = Session.objects.count()

    response = client.post(submit_url(world.school_a), GOOD, content_type="application/json")

    assert response.status_code == 201
    assert Session.objects.count() == sessions
    report = Report.objects.get()
    assert AuditEvent.objects.get(object_id=str(report.pk)).actor_id is None


# POST /api/v1/followup


def test_followup_shows_the_status_category_and_the_conversation(world, submitted, dsl):
    report = submitted.report
    services.report_reply(actor=dsl, report=report, body="Thank you for telling us.", source="t")
    services.report_add_note(actor=dsl, report=report, body="Spoke to form tutor", source="t")
    services.followup_reply(report=report, body="It happened again today 😞", source="t")

    response = post_json(pupil(), FOLLOWUP, {"receipt": submitted.receipt})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"status", "category", "messages"}
    assert body["status"] == "in_progress"
    assert body["category"] == "bullying"
    messages = body["messages"]
    assert [(m["from"], m["body"]) for m in messages] == [
        ("school", "Thank you for telling us."),
        ("pupil", "It happened again today 😞"),
    ]
    assert all(set(m) == {"from", "body", "sent_at"} for m in messages)
    assert "Spoke to form tutor" not in response.content.decode()
    assert dsl.email not in response.content.decode()


def test_followup_of_a_new_report_is_received_and_of_a_closed_one_closed(world, submitted, dsl):
    first = post_json(pupil(), FOLLOWUP, {"receipt": submitted.receipt}).json()
    services.report_close(
        actor=dsl, report=submitted.report, outcome="advice_given", note="", source="t"
    )
    then = post_json(pupil(), FOLLOWUP, {"receipt": submitted.receipt}).json()

    assert first == {"status": "received", "category": "bullying", "messages": []}
    assert then["status"] == "closed"


def test_followup_accepts_the_receipt_as_pupils_write_it(world, submitted):
    spaced = " ".join(submitted.receipt[i : i + 4] for i in range(0, 20, 4))

    response = post_json(pupil(), FOLLOWUP, {"receipt": f" {spaced} "})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"receipt": "12345678901234567890"},
        {"receipt": "1234"},
        {"receipt": "not a receipt"},
        {"receipt": ""},
        {"receipt": 12345678901234567890},
        {"receipt": None},
        {},
    ],
    ids=["wrong", "short", "words", "empty", "number", "null", "missing"],
)
def test_a_wrong_or_malformed_receipt_is_not_found(world, submitted, body):
    response = post_json(pupil(), FOLLOWUP, body)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert response["Cache-Control"] == "no-store"


def test_an_expired_receipt_gets_the_same_answer_as_a_wrong_one(world, submitted, dsl, settings):
    services.report_close(
        actor=dsl, report=submitted.report, outcome="advice_given", note="", source="t"
    )
    later = timezone.now() + timedelta(days=settings.RECEIPT_DAYS_AFTER_CLOSE + 1)

    with time_machine.travel(later):
        expired = post_json(pupil(), FOLLOWUP, {"receipt": submitted.receipt})
        wrong = post_json(pupil(), FOLLOWUP, {"receipt": "1" * 20})

    assert expired.status_code == wrong.status_code == 404
    assert expired.content == wrong.content


@pytest.mark.parametrize("url", [FOLLOWUP, FOLLOWUP_MESSAGES])
@pytest.mark.parametrize("raw", NOT_OBJECTS)
def test_followup_refuses_a_body_that_is_not_a_json_object(world, submitted, url, raw):
    response = pupil().post(url, raw, content_type="application/json")

    assert response.status_code == 400
    assert "detail" in response.json()
    assert response["Cache-Control"] == "no-store"
    assert not ReportEntry.objects.filter(kind=EntryKind.PUPIL_MESSAGE).exists()


@pytest.mark.parametrize("action", ["messages", "notes", "close"])
@pytest.mark.parametrize("raw", NOT_OBJECTS)
def test_staff_actions_refuse_a_body_that_is_not_a_json_object(
    api_for, dsl, submitted, action, raw
):
    client = api_for(dsl)

    response = client.post(
        report_url(submitted.report, action), raw, content_type="application/json"
    )

    assert response.status_code == 400
    assert "detail" in response.json()
    assert not submitted.report.entries.exclude(kind=EntryKind.RECEIVED).exists()


def test_followup_refuses_unknown_fields_and_bodies_that_are_not_objects(world, submitted):
    extra = post_json(pupil(), FOLLOWUP, {"receipt": submitted.receipt, "body": "hi"})
    listed = post_json(pupil(), FOLLOWUP, [submitted.receipt])

    assert extra.status_code == 400
    assert set(extra.json()["errors"]) == {"body"}
    assert listed.status_code == 400


def test_wrong_receipts_are_throttled_without_locking_out_other_pupils(world, submitted, settings):
    guesser = {"REMOTE_ADDR": "203.0.113.10"}
    for _ in range(settings.RECEIPT_ATTEMPTS):
        assert post_json(pupil(), FOLLOWUP, {"receipt": "9" * 20}, **guesser).status_code == 404

    limited = post_json(pupil(), FOLLOWUP, {"receipt": submitted.receipt}, **guesser)
    writing = post_json(
        pupil(), FOLLOWUP_MESSAGES, {"receipt": submitted.receipt, "body": "hi"}, **guesser
    )
    other = post_json(pupil(), FOLLOWUP, {"receipt": submitted.receipt}, REMOTE_ADDR="203.0.113.11")

    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= settings.RECEIPT_ATTEMPT_WINDOW_MINUTES * 60
    assert set(limited.json()) == {"detail"}
    assert limited["Cache-Control"] == "no-store"
    assert writing.status_code == 429
    assert not submitted.report.entries.filter(kind=EntryKind.PUPIL_MESSAGE).exists()
    assert other.status_code == 200


def test_right_receipts_do_not_count_towards_the_limit(world, submitted, settings):
    for _ in range(settings.RECEIPT_ATTEMPTS + 2):
        response = post_json(pupil(), FOLLOWUP, {"receipt": submitted.receipt})
        assert response.status_code == 200


def test_wrong_receipts_when_writing_back_count_towards_the_limit(world, submitted, settings):
    for _ in range(settings.RECEIPT_ATTEMPTS):
        response = post_json(pupil(), FOLLOWUP_MESSAGES, {"receipt": "9" * 20, "body": "hi"})
        assert response.status_code == 404

    assert post_json(pupil(), FOLLOWUP, {"receipt": submitted.receipt}).status_code == 429


# POST /api/v1/followup/messages


def test_the_pupil_writes_back(world, submitted):
    response = post_json(
        pupil(),
        FOLLOWUP_MESSAGES,
        {"receipt": submitted.receipt, "body": "Es ist wieder passiert ✋"},
    )

    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"from", "body", "sent_at"}
    assert (body["from"], body["body"]) == ("pupil", "Es ist wieder passiert ✋")
    entry = submitted.report.entries.get(kind=EntryKind.PUPIL_MESSAGE)
    assert entry.body == "Es ist wieder passiert ✋"
    assert entry.actor is None
    followup = post_json(pupil(), FOLLOWUP, {"receipt": submitted.receipt}).json()
    assert [m["body"] for m in followup["messages"]] == ["Es ist wieder passiert ✋"]


def test_writing_back_reopens_a_closed_report(world, submitted, dsl):
    services.report_close(
        actor=dsl, report=submitted.report, outcome="advice_given", note="", source="t"
    )

    response = post_json(
        pupil(), FOLLOWUP_MESSAGES, {"receipt": submitted.receipt, "body": "It started again"}
    )

    assert response.status_code == 201
    submitted.report.refresh_from_db()
    assert submitted.report.status == Status.ACKNOWLEDGED
    assert submitted.report.outcome == ""


@pytest.mark.parametrize(
    "changes",
    [{"body": ""}, {"body": "  "}, {"body": 7}, {"body": None}, {"body": "z" * 2001}, {}],
    ids=["empty", "blank", "number", "null", "too-long", "missing"],
)
def test_a_bad_message_from_the_pupil_is_refused_naming_body(world, submitted, changes):
    data = {"receipt": submitted.receipt, "body": "placeholder", **changes}
    if changes == {}:
        del data["body"]

    response = post_json(pupil(), FOLLOWUP_MESSAGES, data)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"body"}
    assert not submitted.report.entries.filter(kind=EntryKind.PUPIL_MESSAGE).exists()


def test_a_message_with_a_wrong_receipt_is_not_found_and_not_stored(world, submitted):
    response = post_json(pupil(), FOLLOWUP_MESSAGES, {"receipt": "1" * 20, "body": "hello"})

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert not ReportEntry.objects.filter(kind=EntryKind.PUPIL_MESSAGE).exists()


# Staff: GET /api/v1/reports


@pytest.mark.parametrize("who", ALLOWED)
def test_staff_list_the_reports_they_handle(api_for, request, world, who):
    mine = submit_report(world.school_a)
    urgent = submit_report(world.school_a, category="weapons")
    submit_report(world.school_c)
    submit_report(world.school_d)

    response = api_for(request.getfixturevalue(who)).get(REPORTS)

    assert response.status_code == 200
    reports = response.json()
    assert [r["id"] for r in reports] == [str(urgent.report.pk), str(mine.report.pk)]
    assert all(set(r) == LIST_KEYS for r in reports)
    item = reports[1]
    assert item["school_urn"] == world.school_a.urn
    assert item["category"] == "bullying"
    assert item["status"] == "new"
    assert item["urgent"] is False
    assert reports[0]["urgent"] is True
    assert item["received_at"] and item["due_at"]
    assert response["Cache-Control"] == "no-store"


def test_the_officer_of_a_partnership_lists_all_its_schools(api_for, officer, world):
    at_a = submit_report(world.school_a)
    at_b = submit_report(world.school_b)

    ids = {r["id"] for r in api_for(officer).get(REPORTS).json()}

    assert ids == {str(at_a.report.pk), str(at_b.report.pk)}


@OUTSIDERS
def test_outsiders_list_none_of_the_schools_reports(api_for, world, submitted, outsider):
    response = api_for(outsider).get(REPORTS)

    assert response.status_code == 200
    assert str(submitted.report.pk) not in {r["id"] for r in response.json()}


def test_the_list_filters_by_status_and_school(api_for, officer, world, dsl):
    at_a = submit_report(world.school_a)
    at_b = submit_report(world.school_b)
    closed = submit_report(world.school_a)
    services.report_close(actor=dsl, report=closed.report, outcome="referred", source="t")
    client = api_for(officer)

    of_b = client.get(REPORTS, {"school": world.school_b.urn}).json()
    new = client.get(REPORTS, {"status": "new"}).json()
    done = client.get(REPORTS, {"status": "closed", "school": world.school_a.urn}).json()
    still_open = client.get(REPORTS, {"status": "open"}).json()

    assert [r["id"] for r in of_b] == [str(at_b.report.pk)]
    assert {r["id"] for r in new} == {str(at_a.report.pk), str(at_b.report.pk)}
    assert [r["id"] for r in done] == [str(closed.report.pk)]
    assert {r["id"] for r in still_open} == {str(at_a.report.pk), str(at_b.report.pk)}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "pending"}, "status"),
        ({"school": "oakwood"}, "school"),
        ({"school": "0"}, "school"),
        ({"school": "-5"}, "school"),
    ],
)
def test_bad_list_filters_are_refused_naming_the_field(api_for, dsl, world, query, field):
    response = api_for(dsl).get(REPORTS, query)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {field}


@pytest.mark.parametrize("urn", ["school_d", "unknown"])
def test_a_school_filter_outside_the_users_schools_is_not_found(api_for, dsl, world, urn):
    school_urn = world.school_d.urn if urn == "school_d" else 999999

    response = api_for(dsl).get(REPORTS, {"school": school_urn})

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_the_list_takes_the_same_few_queries_however_many_reports(
    api_for, officer, world, django_assert_max_num_queries
):
    client = api_for(officer)
    for _ in range(2):
        submit_report(world.school_a)
    client.get(REPORTS)  # the token's first use is recorded once
    with django_assert_max_num_queries(6) as few:
        client.get(REPORTS)
    for _ in range(8):
        submit_report(world.school_b)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(REPORTS)

    assert len(response.json()) == 10


# Staff: GET /api/v1/reports/<id>


@pytest.mark.parametrize("who", ALLOWED)
def test_staff_open_a_report_with_its_conversation_and_notes(api_for, request, world, who, dsl):
    user = request.getfixturevalue(who)
    submitted = submit_report(
        world.school_a,
        category="home",
        in_danger=True,
        anonymous=False,
        name="Sam Okafor",
        year_group=8,
        description="My brother's friends make me <b>carry</b> things for them.",
        location="journey",
        occurred="every Friday",
        about="someone_else",
    )
    report = submitted.report
    services.report_reply(actor=dsl, report=report, body="We'd like to help.", source="t")
    services.report_add_note(actor=dsl, report=report, body="Call the family", source="t")
    services.followup_reply(report=report, body="OK", source="t")
    services.report_link_pupil(actor=dsl, report=report, pupil=world.pupil_a, source="t")

    response = api_for(user).get(report_url(report))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == DETAIL_KEYS
    assert body["id"] == str(report.pk)
    assert body["school_urn"] == world.school_a.urn
    assert body["category"] == "home"
    assert body["status"] == "acknowledged"
    assert body["urgent"] is True
    assert body["urgent_reasons"] == ["in_danger"]
    assert body["description"] == "My brother's friends make me <b>carry</b> things for them."
    assert body["location"] == "journey"
    assert body["occurred"] == "every Friday"
    assert body["about"] == "someone_else"
    assert (body["in_danger"], body["anonymous"]) == (True, False)
    assert (body["name"], body["year_group"]) == ("Sam Okafor", 8)
    assert body["acknowledged_at"] is not None
    assert body["outcome"] is None
    assert body["closed_at"] is None
    assert body["assigned_to"] is None
    assert body["pupil"] == str(world.pupil_a.pk)
    assert [(m["from"], m["body"]) for m in body["messages"]] == [
        ("school", "We'd like to help."),
        ("pupil", "OK"),
    ]
    assert body["messages"][0]["author"] == {"id": str(dsl.pk), "name": dsl.full_name}
    assert body["messages"][1]["author"] is None
    assert [(n["body"], n["author"]["id"]) for n in body["notes"]] == [
        ("Call the family", str(dsl.pk))
    ]
    assert all(set(n) == {"body", "written_at", "author"} for n in body["notes"])
    assert response["Cache-Control"] == "no-store"


def test_an_anonymous_report_has_no_name(api_for, dsl, submitted):
    body = api_for(dsl).get(report_url(submitted.report)).json()

    assert (body["anonymous"], body["name"], body["year_group"]) == (True, None, None)
    assert body["pupil"] is None
    assert body["messages"] == [] and body["notes"] == []


def test_opening_a_report_is_audited(api_for, dsl, submitted):
    api_for(dsl).get(report_url(submitted.report))

    event = AuditEvent.objects.get(actor_id=dsl.pk, action=AuditAction.VIEW)
    assert event.object_id == str(submitted.report.pk)
    assert event.object_type == "reporting.report"
    assert event.source == "api:api-report"


def test_a_report_assigned_to_a_colleague_is_theirs_to_open(api_for, dsl, staff, submitted):
    services.report_assign(actor=dsl, report=submitted.report, assignee=staff, source="t")

    response = api_for(staff).get(report_url(submitted.report))

    assert response.status_code == 200
    assert response.json()["assigned_to"] == {"id": str(staff.pk), "name": staff.full_name}


@OUTSIDERS
def test_outsiders_cannot_open_a_report_and_no_read_is_recorded(api_for, submitted, outsider):
    response = api_for(outsider).get(report_url(submitted.report))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert not AuditEvent.objects.filter(actor_id=outsider.pk, action=AuditAction.VIEW).exists()


def test_a_missing_report_is_not_found_like_a_forbidden_one(api_for, dsl, world):
    forbidden = submit_report(world.school_c).report
    client = api_for(dsl)

    missing = client.get(f"{REPORTS}/6f1d0f0e-94a4-4f44-8a4c-5c2b8e2d1a11")
    hidden = client.get(report_url(forbidden))
    malformed = client.get(f"{REPORTS}/not-a-uuid")

    assert missing.status_code == hidden.status_code == malformed.status_code == 404
    assert missing.json() == hidden.json() == malformed.json() == {"detail": "Not found."}


# Staff: the actions


@pytest.mark.parametrize("who", ALLOWED)
def test_staff_acknowledge_a_report(api_for, request, submitted, who):
    user = request.getfixturevalue(who)
    client = api_for(user)

    response = client.post(report_url(submitted.report, "acknowledge"))
    again = client.post(report_url(submitted.report, "acknowledge"), {}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == STATE_KEYS
    assert body["status"] == "acknowledged"
    assert body["acknowledged_at"] is not None
    assert again.status_code == 200
    assert again.json()["acknowledged_at"] == body["acknowledged_at"]
    submitted.report.refresh_from_db()
    assert submitted.report.acknowledged_by == user
    assert submitted.report.entries.filter(kind=EntryKind.ACKNOWLEDGED).count() == 1
    assert AuditEvent.objects.filter(
        actor_id=user.pk, source="api:api-report-acknowledge", action=AuditAction.UPDATE
    ).exists()


def test_a_closed_report_cannot_be_acknowledged(api_for, dsl, submitted):
    services.report_close(actor=dsl, report=submitted.report, outcome="referred", source="t")

    response = api_for(dsl).post(report_url(submitted.report, "acknowledge"))

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status"}


def test_acknowledging_takes_no_fields(api_for, dsl, submitted):
    response = api_for(dsl).post(
        report_url(submitted.report, "acknowledge"), {"status": "closed"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status"}
    submitted.report.refresh_from_db()
    assert submitted.report.status == Status.NEW


@pytest.mark.parametrize("who", ALLOWED)
def test_staff_reply_to_the_pupil_who_reads_it(api_for, request, submitted, who):
    user = request.getfixturevalue(who)

    response = api_for(user).post(
        report_url(submitted.report, "messages"),
        {"body": "Thanks for telling us — come to room 4 at break."},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"from", "body", "sent_at", "author"}
    assert body["from"] == "school"
    assert body["author"] == {"id": str(user.pk), "name": user.full_name}
    followup = post_json(pupil(), FOLLOWUP, {"receipt": submitted.receipt}).json()
    assert followup["status"] == "in_progress"
    assert followup["messages"] == [
        {
            "from": "school",
            "body": "Thanks for telling us — come to room 4 at break.",
            "sent_at": body["sent_at"],
        }
    ]


@pytest.mark.parametrize("who", ALLOWED)
def test_staff_add_a_note_the_pupil_never_sees(api_for, request, submitted, who):
    user = request.getfixturevalue(who)

    response = api_for(user).post(
        report_url(submitted.report, "notes"), {"body": "Checked CCTV: nothing"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"body", "written_at", "author"}
    assert body["body"] == "Checked CCTV: nothing"
    assert body["author"]["id"] == str(user.pk)
    assert submitted.report.entries.filter(kind=EntryKind.NOTE).count() == 1
    followup = post_json(pupil(), FOLLOWUP, {"receipt": submitted.receipt})
    assert "Checked CCTV" not in followup.content.decode()


@pytest.mark.parametrize("action", ["messages", "notes"])
@pytest.mark.parametrize(
    "data",
    [{"body": ""}, {"body": " \n"}, {"body": 5}, {"body": None}, {}, {"body": "x" * 5001}],
    ids=["empty", "blank", "number", "null", "missing", "too-long"],
)
def test_a_bad_message_or_note_is_refused_naming_body(api_for, dsl, submitted, action, data):
    response = api_for(dsl).post(report_url(submitted.report, action), data, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"body"}
    assert not submitted.report.entries.exclude(kind=EntryKind.RECEIVED).exists()
    submitted.report.refresh_from_db()
    assert submitted.report.status == Status.NEW


@pytest.mark.parametrize("action", ["messages", "notes", "close"])
def test_unknown_fields_in_staff_actions_are_refused(api_for, dsl, submitted, action):
    data = {"body": "hello", "outcome": "referred", "urgent": False}
    if action != "close":
        del data["outcome"]

    response = api_for(dsl).post(report_url(submitted.report, action), data, format="json")

    assert response.status_code == 400
    expected = {"urgent"} if action != "close" else {"body", "urgent"}
    assert set(response.json()["errors"]) == expected
    assert not submitted.report.entries.exclude(kind=EntryKind.RECEIVED).exists()


def test_a_reply_to_a_closed_report_is_refused(api_for, dsl, submitted):
    services.report_close(actor=dsl, report=submitted.report, outcome="referred", source="t")

    response = api_for(dsl).post(
        report_url(submitted.report, "messages"), {"body": "One more thing"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"body"}
    assert not submitted.report.entries.filter(kind=EntryKind.SCHOOL_MESSAGE).exists()


@pytest.mark.parametrize("who", ALLOWED)
def test_staff_close_a_report_with_an_outcome(api_for, request, submitted, who):
    user = request.getfixturevalue(who)
    client = api_for(user)

    response = client.post(
        report_url(submitted.report, "close"),
        {"outcome": "resolved_in_school", "note": "Restorative meeting held"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == STATE_KEYS
    assert (body["status"], body["outcome"]) == ("closed", "resolved_in_school")
    assert body["closed_at"] is not None
    submitted.report.refresh_from_db()
    assert submitted.report.status == Status.CLOSED
    assert submitted.report.closed_by == user
    detail = client.get(report_url(submitted.report)).json()
    assert [n["body"] for n in detail["notes"]] == ["Restorative meeting held"]


def test_closing_without_a_note(api_for, dsl, submitted):
    response = api_for(dsl).post(
        report_url(submitted.report, "close"), {"outcome": "no_further_action"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["outcome"] == "no_further_action"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "outcome"),
        ({"outcome": "sorted"}, "outcome"),
        ({"outcome": ""}, "outcome"),
        ({"outcome": 1}, "outcome"),
        ({"outcome": "referred", "note": 12}, "note"),
        ({"outcome": "referred", "note": "n" * 5001}, "note"),
    ],
)
def test_a_bad_close_is_refused_naming_the_field(api_for, dsl, submitted, data, field):
    response = api_for(dsl).post(report_url(submitted.report, "close"), data, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {field}
    submitted.report.refresh_from_db()
    assert submitted.report.status == Status.NEW
    assert submitted.report.outcome == ""


def test_a_closed_report_cannot_be_closed_again(api_for, dsl, submitted):
    services.report_close(actor=dsl, report=submitted.report, outcome="referred", source="t")

    response = api_for(dsl).post(
        report_url(submitted.report, "close"), {"outcome": "advice_given"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status"}
    submitted.report.refresh_from_db()
    assert submitted.report.outcome == "referred"


ACTIONS = [
    ("acknowledge", {}),
    ("messages", {"body": "Hello"}),
    ("notes", {"body": "Note"}),
    ("close", {"outcome": "referred"}),
]


@OUTSIDERS
@pytest.mark.parametrize(("action", "data"), ACTIONS, ids=[a for a, _ in ACTIONS])
def test_outsiders_cannot_act_on_a_report(api_for, submitted, outsider, action, data):
    response = api_for(outsider).post(report_url(submitted.report, action), data, format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert not submitted.report.entries.exclude(kind=EntryKind.RECEIVED).exists()
    submitted.report.refresh_from_db()
    assert submitted.report.status == Status.NEW


def test_outsiders_get_not_found_even_for_bad_input(api_for, world, submitted, persona):
    outsider = persona(Role.SSP_OFFICER, world.q)

    response = api_for(outsider).post(
        report_url(submitted.report, "close"), {"outcome": "nonsense"}, format="json"
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "action"),
    [("get", ""), ("get", "detail"), *[("post", a) for a, _ in ACTIONS]],
)
def test_staff_endpoints_need_credentials(world, submitted, method, action):
    url = (
        REPORTS
        if action == ""
        else report_url(submitted.report, "" if action == "detail" else action)
    )

    response = getattr(APIClient(), method)(url, {}, format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Token realm="api"'
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert not submitted.report.entries.exclude(kind=EntryKind.RECEIVED).exists()


def test_a_session_must_send_the_csrf_token_to_act(dsl, submitted, password):
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(email=dsl.email, password=password)

    listed = client.get(REPORTS)
    acted = client.post(report_url(submitted.report, "acknowledge"))

    assert listed.status_code == 200
    assert acted.status_code == 403
    submitted.report.refresh_from_db()
    assert submitted.report.status == Status.NEW


# The schema


def test_the_schema_documents_every_reporting_endpoint(db):
    document = APIClient().get("/api/v1/schema/?format=json").json()

    paths = document["paths"]
    for path, method in [
        ("/api/v1/report-categories", "get"),
        ("/api/v1/schools/{urn}/reports", "post"),
        ("/api/v1/followup", "post"),
        ("/api/v1/followup/messages", "post"),
        ("/api/v1/reports", "get"),
        ("/api/v1/reports/{report_id}", "get"),
        ("/api/v1/reports/{report_id}/acknowledge", "post"),
        ("/api/v1/reports/{report_id}/messages", "post"),
        ("/api/v1/reports/{report_id}/notes", "post"),
        ("/api/v1/reports/{report_id}/close", "post"),
    ]:
        assert method in paths[path], path
    schemas = document["components"]["schemas"]
    assert set(schemas["ReportOutput"]["properties"]) == LIST_KEYS
    assert set(schemas["ReportDetailOutput"]["properties"]) == DETAIL_KEYS
    assert set(schemas["FollowupMessageOutput"]["properties"]) == {"from", "body", "sent_at"}
    assert "security" not in paths["/api/v1/followup"]["post"]
    assert "429" in paths["/api/v1/followup"]["post"]["responses"]
