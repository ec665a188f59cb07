"""The same form sent twice (a second press of the button) and the same request sent again by
a client that lost the answer: the first is recorded, audited and announced once; the second
stores nothing more and answers as the first did. Two keepers changing one agreement at once:
the second is told, rather than silently undoing the first."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.sharing.models import (
    InformationSharingAgreement,
    PoliceNotification,
    SharingDecision,
)

from .test_agreement_views import form_data as agreement_form
from .test_agreement_views import make_agreement
from .test_decision_api import body as decision_body
from .test_decision_services import decide
from .test_decision_views import form_data as decision_form
from .test_police_views import form_data as notification_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(world, persona):
    return persona(Role.SSP_OFFICER, world.p)


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        _, key = api_token_create(actor=None, user=user, name="test", source="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


def changes() -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.exclude(action=AuditAction.VIEW).values_list("action", "object_type")
    )


# Sharing decisions ------------------------------------------------------------------------------


def test_the_decision_form_sent_twice_records_one_decision(client, world, dsl, practitioner):
    client.force_login(dsl)
    url = f"/pupils/{world.pupil_a.pk}/sharing-decisions/new/"
    first = client.post(url, decision_form(world))
    second = client.post(url, decision_form(world))
    decision = SharingDecision.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == f"/sharing-decisions/{decision.pk}/"
    assert AuditEvent.objects.filter(action=AuditAction.SHARE).count() == 1
    assert Notification.objects.filter(user=practitioner).count() == 1
    # A different decision is a new one.
    assert client.post(url, decision_form(world, purpose="Another purpose")).status_code == 302
    assert SharingDecision.objects.count() == 2


def test_a_decision_sent_again_after_revoking_the_first_is_a_new_one(client, world, dsl):
    client.force_login(dsl)
    url = f"/pupils/{world.pupil_a.pk}/sharing-decisions/new/"
    client.post(url, decision_form(world))
    first = SharingDecision.objects.get()
    client.post(f"/sharing-decisions/{first.pk}/revoke/", {"reason": "Sent to the wrong team"})
    client.post(url, decision_form(world))
    assert SharingDecision.objects.count() == 2


def test_a_decision_sent_again_through_the_api_answers_with_the_same_one(
    api_for, world, dsl, practitioner
):
    api = api_for(dsl)
    first = api.post("/api/v1/sharing-decisions", decision_body(world), format="json")
    second = api.post("/api/v1/sharing-decisions", decision_body(world), format="json")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert SharingDecision.objects.count() == 1
    assert Notification.objects.filter(user=practitioner).count() == 1


def test_a_decision_repeated_after_the_window_is_recorded_again(client, world, dsl):
    client.force_login(dsl)
    url = f"/pupils/{world.pupil_a.pk}/sharing-decisions/new/"
    client.post(url, decision_form(world))
    SharingDecision.objects.update(decided_at=timezone.now() - timedelta(minutes=11))
    client.post(url, decision_form(world))
    assert SharingDecision.objects.count() == 2


def test_the_revoke_form_sent_twice_says_it_is_done(client, world, dsl, practitioner):
    decision = decide(dsl, world.pupil_a, world.yot)
    client.force_login(dsl)
    url = f"/sharing-decisions/{decision.pk}/revoke/"
    assert client.post(url, {"reason": "Case closed"}).status_code == 302
    again = client.post(url, {"reason": "Case closed"}, follow=True)
    assert again.status_code == 200
    assert "Access had already been revoked." in again.content.decode()
    revokes = AuditEvent.objects.filter(
        object_id=str(decision.pk), action=AuditAction.UPDATE, detail__revoked=True
    )
    assert revokes.count() == 1
    assert Notification.objects.filter(user=practitioner, kind="sharing_revoked").count() == 1


# Notifications from the police --------------------------------------------------------------


def test_the_notification_form_sent_twice_alerts_the_school_once(client, world, officer, dsl):
    client.force_login(officer)
    url = f"/schools/{world.school_a.urn}/police-notifications/new/"
    first = client.post(url, notification_form(world.pupil_a))
    second = client.post(url, notification_form(world.pupil_a))
    notification = PoliceNotification.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == f"/police-notifications/{notification.pk}/"
    assert Notification.objects.filter(user=dsl).count() == 1
    assert changes().count((AuditAction.CREATE, "sharing.policenotification")) == 1


def test_a_notification_sent_again_through_the_api_answers_with_the_same_one(
    api_for, world, officer, dsl
):
    api = api_for(officer)
    sent = {
        "school_urn": world.school_a.urn,
        "pupil_id": str(world.pupil_a.pk),
        "summary": "Police attended a domestic incident at home.",
        "occurred_at": "2026-03-04T21:40:00+00:00",
    }
    first = api.post("/api/v1/notifications", sent, format="json")
    second = api.post("/api/v1/notifications", sent, format="json")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert PoliceNotification.objects.count() == 1
    assert Notification.objects.filter(user=dsl).count() == 1
    # Another incident about the same pupil is another notification.
    other = api.post(
        "/api/v1/notifications", {**sent, "summary": "Missing overnight."}, format="json"
    )
    assert other.status_code == 201
    assert PoliceNotification.objects.count() == 2


# Agreements -----------------------------------------------------------------------------------


def test_the_agreement_form_sent_twice_records_one_agreement(client, world, dsl):
    client.force_login(dsl)
    url = f"/partnerships/{world.p.pk}/sharing-agreements/new/"
    first = client.post(url, agreement_form(world))
    second = client.post(url, agreement_form(world))
    agreement = InformationSharingAgreement.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == f"/sharing-agreements/{agreement.pk}/"
    assert changes().count((AuditAction.CREATE, "sharing.informationsharingagreement")) == 1


def test_a_change_sent_twice_makes_one_version(client, world, dsl):
    agreement = make_agreement(world, dsl)
    client.force_login(dsl)
    url = f"/sharing-agreements/{agreement.pk}/edit/"
    sent = agreement_form(world, title="Prevention referrals v2", version="1")
    assert client.post(url, sent).status_code == 302
    assert client.post(url, sent).status_code == 302
    agreement.refresh_from_db()
    assert (agreement.version, agreement.title) == (2, "Prevention referrals v2")


def test_a_change_to_a_replaced_version_is_refused_then_can_replace_it(client, world, dsl, persona):
    head = persona(Role.HEAD_TEACHER, world.school_b)
    agreement = make_agreement(world, dsl)
    url = f"/sharing-agreements/{agreement.pk}/edit/"
    # Both open version 1; the head teacher saves first.
    client.force_login(dsl)
    page = client.get(url).content.decode()
    assert 'name="version" value="1"' in page
    client.force_login(head)
    assert client.post(url, agreement_form(world, title="Head's title", version="1")).url
    client.force_login(dsl)
    refused = client.post(url, agreement_form(world, title="Lead's title", version="1"))
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Someone changed this agreement while you were changing it: it is now version 2" in (
        body
    )
    assert 'name="version" value="2"' in body
    agreement.refresh_from_db()
    assert (agreement.version, agreement.title) == (2, "Head's title")
    # Having seen it, saving again replaces it.
    resent = agreement_form(world, title="Lead's title", version="2")
    assert client.post(url, resent).status_code == 302
    agreement.refresh_from_db()
    assert (agreement.version, agreement.title) == (3, "Lead's title")
