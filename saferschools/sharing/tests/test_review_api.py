"""The sharing endpoints over the test client with bad JSON of every kind: each is a 400 naming
the field (or the body), never a 500, and nothing is stored."""

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.sharing.models import PoliceNotification, SharingDecision
from saferschools.sharing.police_services import police_notification_record

from .test_decision_services import decide

pytestmark = pytest.mark.django_db

DECISIONS = "/api/v1/sharing-decisions"
NOTIFICATIONS = "/api/v1/notifications"
LONG = "x" * 10_000


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        _, key = api_token_create(actor=None, user=user, name="test", source="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def officer(world, persona):
    return persona(Role.SSP_OFFICER, world.p)


def stored() -> tuple[int, int, int, int]:
    return (
        SharingDecision.objects.count(),
        PoliceNotification.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.exclude(action=AuditAction.VIEW).count(),
    )


def raw(client: APIClient, url: str, text: str | bytes):
    return client.generic("POST", url, text, content_type="application/json")


def decision_body(world, **changes) -> dict:
    data = {
        "pupil_id": str(world.pupil_a.pk),
        "agency_id": str(world.yot.pk),
        "purpose": "Prevention work with the youth offending team",
        "information": "Attendance and the risk assessment",
        "lawful_basis": "gdpr_6_1_e",
        "consent": "given",
        "golden_rules_confirmed": True,
        "decision": "share",
        "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not ...}


def notification_body(world, **changes) -> dict:
    data = {
        "school_urn": world.school_a.urn,
        "pupil_id": str(world.pupil_a.pk),
        "summary": "Police attended a domestic incident; the pupil was at home.",
        "occurred_at": (timezone.now() - timedelta(hours=3)).isoformat(),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not ...}


DECISION_CASES = [
    ("expires_on", "2027-02-29", "end-29-feb-not-leap"),
    ("expires_on", "0000-01-01", "end-year-0"),
    ("expires_on", "+2027-01-01", "end-signed-year"),
    ("expires_on", "\uff12\uff10\uff12\uff17-01-01", "end-fullwidth-digits"),
    ("expires_on", "2027-01-01T00:00", "end-with-a-time"),
    ("expires_on", "9" * 10_000, "end-10000-digits"),
    ("expires_on", {"year": 2027}, "end-an-object"),
    ("expires_on", ["2027-01-01"], "end-a-list"),
    ("expires_on", True, "end-a-boolean"),
    ("expires_on", "2027-01-01\x00", "end-with-nul"),
    ("items", {"plans": True}, "items-an-object"),
    ("items", [None], "items-null-inside"),
    ("items", ["plans", ["x"]], "items-nested"),
    ("items", [LONG], "items-unknown-long"),
    ("golden_rules_confirmed", 1, "golden-rules-one"),
    ("golden_rules_confirmed", {}, "golden-rules-object"),
    ("golden_rules_confirmed", [True], "golden-rules-list"),
    ("golden_rules_confirmed", None, "golden-rules-null"),
    ("purpose", "x" * 2001, "purpose-too-long"),
    ("purpose", ["why"], "purpose-a-list"),
    ("purpose", {"why": 1}, "purpose-an-object"),
    ("purpose", None, "purpose-null"),
    ("purpose", True, "purpose-a-boolean"),
    ("information", "", "information-empty"),
    ("information", "   \n\t ", "information-blank"),
    ("lawful_basis", "", "basis-empty"),
    ("lawful_basis", None, "basis-null"),
    ("lawful_basis", ["gdpr_6_1_e"], "basis-a-list"),
    ("lawful_basis", "GDPR_6_1_E", "basis-wrong-case"),
    ("special_condition", "unknown", "condition-unknown"),
    ("special_condition", 3, "condition-a-number"),
    ("consent", None, "consent-null"),
    ("consent", "not_sought", "consent-not-sought-without-reason"),
    ("consent_reason", 12, "consent-reason-a-number"),
    ("decision", None, "decision-null"),
    ("decision", "SHARE", "decision-wrong-case"),
    ("reason", ["x"], "reason-a-list"),
    ("agency_id", "", "agency-empty"),
    ("agency_id", None, "agency-null"),
    ("agency_id", LONG, "agency-long"),
    ("agency_id", "\x00", "agency-nul"),
    ("agency_id", 7, "agency-a-number"),
    ("practitioner_id", LONG, "practitioner-long"),
    ("practitioner_id", str(uuid.UUID(int=3)), "practitioner-unknown"),
    ("practitioner_id", 5, "practitioner-a-number"),
    ("agreement_id", str(uuid.UUID(int=4)), "agreement-unknown"),
    ("agreement_id", "\x00", "agreement-nul"),
    ("pupil_id", LONG, "pupil-long"),
    ("pupil_id", "\x00", "pupil-nul"),
    ("pupil_id", "", "pupil-empty"),
    ("pupil_id", None, "pupil-null"),
    ("pupil_id", True, "pupil-a-boolean"),
    ("pupil_id", [str(uuid.UUID(int=5))], "pupil-a-list"),
    ("\x00", "x", "nul-key"),
    ("", "x", "empty-key"),
]


@pytest.mark.parametrize(
    ("field", "value"), [case[:2] for case in DECISION_CASES], ids=[c[2] for c in DECISION_CASES]
)
def test_every_bad_value_of_a_decision_is_a_400_naming_it(api_for, world, dsl, field, value):
    client = api_for(dsl)
    before = stored()
    response = client.post(DECISIONS, decision_body(world, **{field: value}), format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    named = "consent_reason" if field == "consent" and value == "not_sought" else field
    assert named in errors
    assert stored() == before


@pytest.mark.parametrize(
    "text",
    [
        b"{",
        b'{"purpose": "a"',
        b"\xff\xfe{}",
        b'{"purpose": "\\ud800"}',
        b"NaN",
        b"1e999",
        b"-Infinity",
        b"[" * 5000 + b"]" * 5000,
        b'{"a": ' * 3000 + b"1" + b"}" * 3000,
        b"9" * 10_000,
        b"",
        b"   ",
        b'"\\u0000"',
    ],
    ids=[
        "unclosed",
        "truncated",
        "not-utf8",
        "lone-surrogate",
        "nan",
        "infinite",
        "minus-infinity",
        "deep-list",
        "deep-object",
        "10000-digits",
        "empty",
        "blank",
        "nul-string",
    ],
)
def test_a_body_that_is_not_json_or_not_an_object_is_a_400(api_for, world, dsl, officer, text):
    decision = decide(dsl, world.pupil_a, world.yot)
    notification = police_notification_record(
        actor=officer,
        school=world.school_a,
        pupil_id=str(world.pupil_a.pk),
        kind="missing",
        summary="Missing overnight; found safe.",
        occurred_at=timezone.now() - timedelta(hours=5),
        source="test",
    )
    lead, notifier = api_for(dsl), api_for(officer)
    cases = [
        (lead, DECISIONS),
        (notifier, NOTIFICATIONS),
        (lead, f"{NOTIFICATIONS}/{notification.pk}/acknowledge"),
    ]
    if text.strip():
        # An empty body reads as an empty object, which revoking accepts.
        cases.append((lead, f"{DECISIONS}/{decision.pk}/revoke"))
    before = stored()
    for client, url in cases:
        response = raw(client, url, text)
        assert response.status_code == 400, (url, response.content)
        assert "detail" in response.json()
    assert stored() == before


NOTIFICATION_CASES = [
    ("school_urn", 2**63, "urn-2-63"),
    ("school_urn", 2**64 + 1, "urn-2-64"),
    ("school_urn", -(2**63) - 1, "urn-below-min"),
    ("school_urn", 1.5, "urn-a-fraction"),
    ("school_urn", [1], "urn-a-list"),
    ("school_urn", None, "urn-null"),
    ("occurred_at", "2026-02-31T10:00", "when-31-feb"),
    ("occurred_at", "0000-01-01T00:00", "when-year-0"),
    ("occurred_at", "0001-01-01T00:00:00+05:00", "when-before-year-1-in-utc"),
    ("occurred_at", "9999-12-31T23:59:59-05:00", "when-after-9999-in-utc"),
    ("occurred_at", "2026-03-01T10:00+24:00", "when-offset-24h"),
    ("occurred_at", "2026-03-01T24:00", "when-hour-24"),
    ("occurred_at", "2026-03-01T10:00\x00", "when-nul"),
    ("occurred_at", "9" * 10_000, "when-10000-digits"),
    ("occurred_at", 1_700_000_000, "when-a-number"),
    ("occurred_at", {"at": 1}, "when-an-object"),
    ("occurred_at", "1999-12-31T23:00Z", "when-last-century"),
    ("occurred_at", "2999-01-01T00:00Z", "when-future"),
    ("summary", "\x00\x00", "summary-nul"),
    ("summary", "x" * 5001, "summary-too-long"),
    ("summary", ["x"], "summary-a-list"),
    ("summary", None, "summary-null"),
    ("kind", 5, "kind-a-number"),
    ("kind", "burglary", "kind-unknown"),
    ("pupil_id", LONG, "pupil-long"),
    ("pupil_id", "\x00", "pupil-nul"),
    ("pupil_id", "", "pupil-empty"),
    ("pupil_id", {"id": 1}, "pupil-an-object"),
    ("surprise", 1, "unknown-key"),
]


@pytest.mark.parametrize(
    ("field", "value"),
    [case[:2] for case in NOTIFICATION_CASES],
    ids=[c[2] for c in NOTIFICATION_CASES],
)
def test_every_bad_value_of_a_notification_is_a_400_or_404(api_for, world, officer, field, value):
    client = api_for(officer)
    before = stored()
    response = client.post(NOTIFICATIONS, notification_body(world, **{field: value}), format="json")
    if field == "school_urn" and isinstance(value, int):
        assert response.status_code == 404
    else:
        assert response.status_code == 400, response.content
        assert field in response.json()["errors"]
    assert stored() == before


@pytest.mark.parametrize(
    "sent",
    [
        {"support_given": None},
        {"support_given": 5},
        {"support_given": ["x"]},
        {"support_given": "\x00"},
        {"support_given": "x" * 5001},
        {"support_given": "ok", "also": 1},
        {},
    ],
    ids=["null", "a-number", "a-list", "nul", "too-long", "unknown-key", "empty-object"],
)
def test_every_bad_acknowledgement_is_a_400(api_for, world, dsl, officer, sent):
    notification = police_notification_record(
        actor=officer,
        school=world.school_a,
        pupil_id=str(world.pupil_a.pk),
        kind="missing",
        summary="Missing overnight; found safe.",
        occurred_at=timezone.now() - timedelta(hours=5),
        source="test",
    )
    client = api_for(dsl)
    before = stored()
    response = client.post(
        f"{NOTIFICATIONS}/{notification.pk}/acknowledge",
        json.dumps(sent),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert stored() == before
    notification.refresh_from_db()
    assert notification.acknowledged_at is None
