"""Referrals' pages: making one from the pupil's page, reading it, recording the answer, and the
referrals part of the pupil's page and of the landing page."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.casework import plan_services, referral_services
from saferschools.casework.models import Referral, ReferralStatus
from saferschools.casework.referral_services import ReferralInput
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.sharing.models import Consent, Decision, LawfulBasis, SharingDecision

pytestmark = pytest.mark.django_db


def grant(pupil, agency, decider, *, items=("referrals",), days=30):
    return SharingDecision.objects.create(
        pupil=pupil,
        school=pupil.school,
        agency=agency,
        purpose="To support the pupil together",
        information="Attendance",
        items=list(items),
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        consent=Consent.NOT_SOUGHT,
        consent_reason="The child is at risk",
        golden_rules_confirmed=True,
        decision=Decision.SHARE,
        expires_on=timezone.localdate() + timedelta(days=days),
        decided_by=decider,
        decided_at=timezone.now(),
    )


def refer(actor, pupil, agency, **changes) -> Referral:
    values = {"agency_id": str(agency.pk), "reason": "Repeated absence and a new peer group."}
    values.update(changes)
    return referral_services.referral_create(
        actor=actor, pupil=pupil, data=ReferralInput(**values), source="test"
    )


def new_url(pupil):
    return reverse("casework-new-referral", args=[pupil.pk])


def referral_url(referral, name="casework-referral"):
    return reverse(name, args=[referral.pk])


def pupil_url(pupil):
    return reverse("casework-pupil", args=[pupil.pk])


@pytest.fixture
def referral(world, dsl):
    return refer(dsl, world.pupil_a, world.yot)


# Making a referral ---------------------------------------------------------------------------


def test_a_safeguarding_lead_makes_a_referral(client, world, dsl, practitioner):
    decision = grant(world.pupil_a, world.yot, dsl)
    client.force_login(dsl)
    page = client.get(new_url(world.pupil_a))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Surrey YOS" in body
    assert "Hampshire Police" not in body
    assert str(decision.pk) in body
    response = client.post(
        new_url(world.pupil_a),
        {
            "agency_id": str(world.yot.pk),
            "service": "",
            "reason": "Seen carrying a knife outside school.",
            "sharing_decision_id": str(decision.pk),
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == referral_url(referral)
    assert referral.service == "youth_offending_team"
    assert referral.sharing_decision == decision
    assert Notification.objects.get(kind="referral_received").user == practitioner


def test_the_plan_is_chosen_from_the_plans_link(client, world, dsl):
    plan = plan_services.plan_open(
        actor=dsl,
        pupil=world.pupil_a,
        lead_professional_id=str(dsl.pk),
        concerns="c",
        goals="g",
        next_review_on=timezone.localdate(),
        source="test",
    )
    client.force_login(dsl)
    page = client.get(new_url(world.pupil_a), {"plan": str(plan.pk)})
    assert f'<option value="{plan.pk}" selected>' in page.content.decode()
    assert client.get(new_url(world.pupil_a), {"plan": "nonsense"}).status_code == 200


@pytest.mark.parametrize("who", ["staff", "outside_officer", "practitioner"])
def test_others_cannot_make_a_referral(client, world, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(new_url(world.pupil_a)).status_code == 404
    data = {"agency_id": str(world.yot.pk), "reason": "Reason"}
    assert client.post(new_url(world.pupil_a), data).status_code == 404
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "Reason"}, "Choose the agency to refer to"),
        ({"agency_id": "other", "reason": "Reason"}, "Choose the agency from the list"),
        ({"agency_id": "yot", "reason": ""}, "Enter the reason for the referral"),
        ({"agency_id": "yot", "reason": "x", "service": "spa"}, "Choose the service from the list"),
        (
            {"agency_id": "yot", "reason": "x", "sharing_decision_id": "police"},
            "shares with another agency",
        ),
    ],
    ids=["no agency", "other area", "no reason", "bad service", "decision to another agency"],
)
def test_bad_input_shows_the_error_and_sends_nothing(client, world, dsl, data, message):
    police_decision = grant(world.pupil_a, world.police, dsl)
    ids = {
        "yot": str(world.yot.pk),
        "other": str(world.other_police.pk),
        "police": str(police_decision.pk),
    }
    client.force_login(dsl)
    page = client.post(new_url(world.pupil_a), {k: ids.get(v, v) for k, v in data.items()})
    assert page.status_code == 400
    assert message in page.content.decode()
    assert not Referral.objects.exists()


# Reading a referral and answering it ---------------------------------------------------------


def test_the_referral_page_shows_it_and_audits_the_read(client, world, dsl, referral):
    client.force_login(dsl)
    page = client.get(referral_url(referral))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Repeated absence and a new peer group." in body
    assert world.pupil_a.name in body
    assert "Record the answer" in body
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_id=str(referral.pk))
    assert event.detail == {"pupil": str(world.pupil_a.pk)}


@pytest.mark.parametrize("who", ["staff", "outside_officer", "practitioner"])
def test_others_get_404_for_a_referral(client, world, request, who, referral):
    client.force_login(request.getfixturevalue(who))
    assert client.get(referral_url(referral)).status_code == 404
    status_url = referral_url(referral, "casework-referral-status")
    assert client.get(status_url).status_code == 404
    assert client.post(status_url, {"status": "accepted"}).status_code == 404
    assert Referral.objects.get().status == ReferralStatus.SENT


def test_the_agencys_practitioner_with_a_grant_answers_until_it_ends(
    client, world, dsl, practitioner, referral
):
    decision = grant(world.pupil_a, world.yot, dsl, days=2)
    client.force_login(practitioner)
    page = client.get(referral_url(referral))
    assert page.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_id=str(referral.pk))
    assert event.detail == {"pupil": str(world.pupil_a.pk), "grant": str(decision.pk)}
    status_url = referral_url(referral, "casework-referral-status")
    page = client.get(status_url)
    assert page.status_code == 200
    assert "Completed" not in page.content.decode()
    assert client.post(status_url, {"status": "accepted"}).status_code == 302
    assert Referral.objects.get().status == ReferralStatus.ACCEPTED
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        client.force_login(practitioner)
        assert client.get(referral_url(referral)).status_code == 404
        assert client.post(status_url, {"status": "completed", "outcome": "x"}).status_code == 404
    assert Referral.objects.get().status == ReferralStatus.ACCEPTED


def test_a_bad_answer_shows_the_error_and_changes_nothing(client, world, dsl, referral):
    client.force_login(dsl)
    status_url = referral_url(referral, "casework-referral-status")
    page = client.post(status_url, {"status": "declined", "outcome": ""})
    assert page.status_code == 400
    assert "Enter why the referral was declined" in page.content.decode()
    page = client.post(status_url, {"status": "completed", "outcome": "x"})
    assert page.status_code == 400
    assert "Choose one of the answers listed" in page.content.decode()
    assert Referral.objects.get().status == ReferralStatus.SENT
    assert (
        client.post(status_url, {"status": "declined", "outcome": "Not our area"}).status_code
        == 302
    )
    page = client.get(referral_url(referral))
    assert "Not our area" in page.content.decode()
    assert "Record the answer" not in page.content.decode()
    assert "Its answer is final" in client.get(status_url).content.decode()


# The pupil's page ----------------------------------------------------------------------------


def test_the_pupils_page_lists_referrals_and_offers_a_new_one(client, world, dsl, referral):
    client.force_login(dsl)
    body = client.get(pupil_url(world.pupil_a)).content.decode()
    assert referral_url(referral) in body
    assert new_url(world.pupil_a) in body
    listed = AuditEvent.objects.get(action=AuditAction.VIEW, object_id=str(referral.pk))
    assert listed.detail["listing"] is True


def test_a_practitioner_sees_only_the_referrals_to_their_agency(
    client, world, dsl, practitioner, referral
):
    to_police = refer(dsl, world.pupil_a, world.police)
    grant(world.pupil_a, world.yot, dsl, items=())
    client.force_login(practitioner)
    body = client.get(pupil_url(world.pupil_a)).content.decode()
    assert referral_url(referral) in body
    assert referral_url(to_police) not in body
    assert new_url(world.pupil_a) not in body


def test_staff_see_no_referrals(client, world, staff, referral):
    client.force_login(staff)
    body = client.get(pupil_url(world.pupil_a)).content.decode()
    assert referral_url(referral) not in body
    assert 'id="referrals"' not in body


def test_the_referrals_panel_costs_the_same_queries_for_many(client, world, dsl, referral):
    client.force_login(dsl)
    url = pupil_url(world.pupil_a)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(8):
        refer(dsl, world.pupil_a, world.police)
    with CaptureQueriesContext(connection) as nine:
        assert client.get(url).status_code == 200
    assert len(nine) == len(one)


# The landing page ----------------------------------------------------------------------------


def test_a_practitioner_sees_referrals_to_answer_on_the_landing_page(
    client, world, dsl, practitioner, referral
):
    client.force_login(practitioner)
    assert 'id="referrals-waiting"' not in client.get("/").content.decode()
    decision = grant(world.pupil_a, world.yot, dsl, items=())
    body = client.get("/").content.decode()
    assert "Referrals to your agency waiting for an answer (1)" in body
    assert referral_url(referral) in body
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_id=str(referral.pk))
    assert event.detail == {
        "listing": True,
        "pupil": str(world.pupil_a.pk),
        "grant": str(decision.pk),
    }
    referral_services.referral_update_status(
        actor=practitioner, referral=referral, status="accepted", source="test"
    )
    assert 'id="referrals-waiting"' not in client.get("/").content.decode()


def test_the_referrer_sees_unanswered_referrals_after_a_reminder(client, world, dsl, referral):
    client.force_login(dsl)
    assert 'id="referrals-waiting"' not in client.get("/").content.decode()
    Referral.objects.filter(pk=referral.pk).update(reminders_sent=1)
    body = client.get("/").content.decode()
    assert "Your referrals with no answer after five school days (1)" in body
    assert referral_url(referral) in body


def test_the_landing_panel_costs_the_same_queries_for_many(client, world, dsl, persona):
    Referral.objects.filter(pk=refer(dsl, world.pupil_a, world.yot).pk).update(reminders_sent=1)
    client.force_login(dsl)
    client.get("/")
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    for _ in range(14):
        refer(dsl, world.pupil_a, world.yot)
    Referral.objects.update(reminders_sent=1)
    with CaptureQueriesContext(connection) as many:
        body = client.get("/").content.decode()
    assert "(15)" in body
    # Beyond the first ten, one count more.
    assert len(many) <= len(one) + 1


def test_the_head_teacher_is_not_shown_the_dsls_referrals(client, world, persona, referral):
    head = persona(Role.HEAD_TEACHER, world.school_a)
    Referral.objects.update(reminders_sent=1)
    client.force_login(head)
    assert referral_url(referral) not in client.get("/").content.decode()
