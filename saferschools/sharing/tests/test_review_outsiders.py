"""Everyone the policy leaves out gets, from every page, file and endpoint of sharing, exactly
what they would get for something that does not exist, and changes nothing."""

import re
import uuid
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.casework.models import PupilTransfer, TransferReason, TransferStatus
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.lib.schooldays import LONDON
from saferschools.sharing.models import PoliceNotification, SharedItem, SharingDecision
from saferschools.sharing.police_services import police_notification_record
from saferschools.testing.factories import AgencyFactory

from .test_decision_services import decide

pytestmark = pytest.mark.django_db

MISSING = uuid.UUID(int=99)


def unmasked(body: bytes) -> bytes:
    """A page without its CSRF token, which is masked anew on every page."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


@pytest.fixture
def scene(world, dsl, persona):
    """School A's casework of pupil A: a share to the youth offending team naming plans, a
    police notification, and the people around it."""
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=LONDON), tick=False):
        officer = persona(Role.SSP_OFFICER, world.p)
        decision = decide(
            dsl, world.pupil_a, world.yot, items=[SharedItem.PLANS], expires_on=date(2026, 4, 1)
        )
        notification = police_notification_record(
            actor=officer,
            school=world.school_a,
            pupil_id=str(world.pupil_a.pk),
            kind="missing",
            summary="Missing overnight; found safe.",
            occurred_at=timezone.now() - timedelta(hours=5),
            source="test",
        )
    return {"decision": decision, "notification": notification, "officer": officer}


def outsider(name, world, persona, dsl, scene):
    """Each kind of person the policy leaves out of pupil A's sharing."""
    if name == "staff":
        return persona(Role.SCHOOL_STAFF, world.school_a)
    if name == "lead-of-school-b":
        return persona(Role.SAFEGUARDING_LEAD, world.school_b)
    if name == "officer-of-q":
        return persona(Role.SSP_OFFICER, world.q)
    if name == "supervisor-of-force":
        return persona(Role.POLICE_SUPERVISOR, world.police)
    if name == "supervisor-of-area":
        return persona(Role.POLICE_SUPERVISOR, world.area)
    if name == "analyst":
        return persona(Role.LA_ANALYST, world.area)
    if name == "steering-member":
        return persona(Role.STEERING_MEMBER, world.p)
    if name == "admin":
        return persona(Role.AREA_ADMIN, world.area)
    if name == "practitioner-of-another-agency":
        return persona(Role.AGENCY_PRACTITIONER, AgencyFactory(area=world.area, name="CAMHS"))
    if name == "practitioner-of-another-area":
        return persona(Role.AGENCY_PRACTITIONER, world.other_police)
    if name == "practitioner-after-revocation":
        user = persona(Role.AGENCY_PRACTITIONER, world.yot)
        SharingDecision.objects.filter(pk=scene["decision"].pk).update(
            revoked_at=timezone.now(), revoked_by=dsl
        )
        return user
    if name == "practitioner-after-expiry":
        return persona(Role.AGENCY_PRACTITIONER, world.yot)
    if name == "lead-after-confirmed-transfer":
        PupilTransfer.objects.create(
            pupil=world.pupil_a,
            from_school=world.school_a,
            to_school=world.school_b,
            reason=TransferReason.MANAGED_MOVE,
            status=TransferStatus.CONFIRMED,
            sent_by=dsl,
            sent_at=timezone.now(),
        )
        return dsl
    raise AssertionError(name)


OUTSIDERS = [
    "staff",
    "lead-of-school-b",
    "officer-of-q",
    "supervisor-of-force",
    "supervisor-of-area",
    "analyst",
    "steering-member",
    "admin",
    "practitioner-of-another-agency",
    "practitioner-of-another-area",
    "practitioner-after-revocation",
    "practitioner-after-expiry",
    "lead-after-confirmed-transfer",
]


def written():
    return (
        SharingDecision.objects.count(),
        list(SharingDecision.objects.values_list("revoked_at", flat=True)),
        PoliceNotification.objects.count(),
        list(PoliceNotification.objects.values_list("acknowledged_at", flat=True)),
        Notification.objects.count(),
        AuditEvent.objects.exclude(action=AuditAction.VIEW).count(),
    )


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_exactly_not_found_everywhere(client, world, persona, dsl, scene, who):
    decision, notification = scene["decision"], scene["notification"]
    with time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=LONDON), tick=False):
        user = outsider(who, world, persona, dsl, scene)
    # After expiry, for the one who waits for it; during the grant for everyone else.
    moment = datetime(2026, 4, 1, 9, 0) if who == "practitioner-after-expiry" else None
    moment = moment or datetime(2026, 3, 10, 9, 0)
    pupil = world.pupil_a
    pages = [
        ("get", "/sharing-decisions/{}/", decision.pk),
        ("get", "/sharing-decisions/{}/revoke/", decision.pk),
        ("post", "/sharing-decisions/{}/revoke/", decision.pk),
        ("get", "/pupils/{}/sharing-decisions/new/", pupil.pk),
        ("post", "/pupils/{}/sharing-decisions/new/", pupil.pk),
        ("get", "/police-notifications/{}/", notification.pk),
        ("post", "/police-notifications/{}/acknowledge/", notification.pk),
    ]
    if who != "staff":  # the school's staff read its register, not its casework
        pages.append(("get", "/pupils/{}/", pupil.pk))
    with time_machine.travel(moment.replace(tzinfo=LONDON), tick=False):
        client.force_login(user)
        api = APIClient()
        _, key = api_token_create(actor=None, user=user, name="test", source="test")
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        before = written()
        for method, url, real in pages:
            sent = {"reason": "Closed", "support_given": "Talked to them"}
            found = getattr(client, method)(url.format(real), sent)
            missing = getattr(client, method)(url.format(MISSING), sent)
            assert found.status_code == 404, (url, found.status_code)
            assert unmasked(found.content) == unmasked(missing.content), url
        for url in (
            f"/schools/{world.school_a.urn}/disclosure-log/",
            f"/schools/{world.school_a.urn}/disclosure-log/download/",
            f"/partnerships/{world.p.pk}/disclosure-log/",
            f"/partnerships/{world.p.pk}/disclosure-log/download/",
            f"/schools/{world.school_a.urn}/police-notifications/",
            f"/schools/{world.school_a.urn}/police-notifications/new/",
        ):
            if who == "lead-after-confirmed-transfer" and "police-notifications" in url:
                continue  # the school's own list; the pupil's notification is not on it
            if who == "lead-after-confirmed-transfer" and "disclosure-log" in url:
                continue  # the school's own log; the pupil is no longer named (tested apart)
            if who == "lead-of-school-b" and url.startswith("/partnerships/"):
                continue  # school B's own lines in the partnership's log
            found = client.get(url)
            missing = client.get(
                url.replace(str(world.school_a.urn), "1").replace(str(world.p.pk), str(MISSING))
            )
            assert found.status_code == 404, url
            assert unmasked(found.content) == unmasked(missing.content), url
        answers = [
            api.post(f"/api/v1/sharing-decisions/{decision.pk}/revoke", {}, format="json"),
            api.post(
                f"/api/v1/notifications/{notification.pk}/acknowledge",
                {"support_given": "Talked to them"},
                format="json",
            ),
            api.post(
                "/api/v1/sharing-decisions",
                {
                    "pupil_id": str(pupil.pk),
                    "agency_id": str(world.yot.pk),
                    "purpose": "x",
                    "information": "x",
                    "lawful_basis": "gdpr_6_1_e",
                    "consent": "given",
                    "golden_rules_confirmed": True,
                    "decision": "share",
                    "expires_on": "2026-03-20",
                },
                format="json",
            ),
            api.post(
                "/api/v1/notifications",
                {
                    "school_urn": world.school_a.urn,
                    "pupil_id": str(pupil.pk),
                    "summary": "x",
                    "occurred_at": "2026-03-09T20:00:00Z",
                },
                format="json",
            ),
        ]
        for answer in answers:
            assert answer.status_code == 404, answer.content
            assert answer.json() == {"detail": "Not found."}
        assert written() == before
        shared = client.get("/shared-with-me/")
        if who.startswith("practitioner"):
            assert "Nothing is shared with you today." in shared.content.decode()
        else:
            assert shared.status_code == 404
        if who == "staff":
            page = client.get(f"/pupils/{pupil.pk}/").content.decode()
            assert 'id="sharing-decisions"' not in page
            assert 'id="police-notifications"' not in page
