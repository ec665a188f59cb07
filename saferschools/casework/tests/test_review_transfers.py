"""A pupil's record moving school, as the two schools see it: the receiving school's reading of
the record is in the pupil's own "who looked at this record" list; once receipt is confirmed the
sending school meets every page of the pupil's casework as a pupil who does not exist."""

import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from saferschools.accounts.models import Role
from saferschools.casework import referral_services, transfer_services
from saferschools.casework.models import Referral, TransferStatus
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.testing.factories import PupilFactory

from .test_chronology import casework_record

pytestmark = pytest.mark.django_db

MISSING = uuid.UUID("00000000-0000-4000-8000-000000000000")


@pytest.fixture
def receiver(world, persona):
    return persona(Role.SAFEGUARDING_LEAD, world.school_c, email="lee@woking.example")


@pytest.fixture
def record(world, dsl):
    return casework_record(world, dsl, world.pupil_a)


@pytest.fixture
def sent(world, dsl, receiver, record):
    return transfer_services.transfer_send(
        actor=dsl,
        pupil=world.pupil_a,
        to_school=world.school_c,
        reason="managed_move",
        notes="",
        source="test",
    )


def test_the_receiving_schools_reading_is_in_the_pupils_access_list(
    client, world, dsl, receiver, sent
):
    client.force_login(receiver)
    assert client.get(reverse("casework-transfer", args=[sent.pk])).status_code == 200
    event = AuditEvent.objects.get(
        action=AuditAction.VIEW,
        object_type="casework.pupil",
        object_id=str(world.pupil_a.pk),
        actor_id=receiver.pk,
    )
    assert event.detail == {"transfer": str(sent.pk)}
    # The sending lead, whose access is read-only until receipt is confirmed, sees who read it.
    client.force_login(dsl)
    page = client.get(reverse("casework-pupil", args=[world.pupil_a.pk]))
    assert page.status_code == 200
    assert "lee@woking.example" in page.content.decode()


def _page(response, identifier) -> bytes:
    """A page without the identifier asked for and without its CSRF token, which differs on
    every page."""
    content = response.content.replace(str(identifier).encode(), b"")
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


def _pupil_urls(pupil_id):
    return [
        reverse("casework-pupil", args=[pupil_id]),
        reverse("casework-chronology", args=[pupil_id]),
        reverse("casework-chronology-pdf", args=[pupil_id]),
        reverse("casework-chronology-csv", args=[pupil_id]),
        reverse("casework-assessment-new", args=[pupil_id]),
        reverse("casework-new-plan", args=[pupil_id]),
        reverse("casework-new-referral", args=[pupil_id]),
        reverse("casework-new-transfer", args=[pupil_id]),
        f"/api/v1/pupils/{pupil_id}/chronology",
        f"/api/v1/pupils/{pupil_id}/risk-assessments",
    ]


def _item_urls(record):
    return [
        (reverse("casework-assessment", args=[record.assessment.pk]), "casework-assessment"),
        (reverse("casework-plan", args=[record.plan.pk]), "casework-plan"),
        (reverse("casework-referral", args=[record.referral.pk]), "casework-referral"),
        (
            reverse("casework-referral-status", args=[record.referral.pk]),
            "casework-referral-status",
        ),
    ]


def test_after_confirmation_the_sending_school_meets_a_pupil_who_does_not_exist(
    client, world, dsl, receiver, record, sent
):
    transfer_services.transfer_confirm(
        actor=receiver,
        transfer=sent,
        new_pupil=transfer_services.NewPupil("R100"),
        source="test",
    )
    client.force_login(dsl)
    pupil_id = str(world.pupil_a.pk)
    for url, missing in zip(_pupil_urls(pupil_id), _pupil_urls(str(MISSING)), strict=True):
        forbidden = client.get(url)
        absent = client.get(missing)
        assert forbidden.status_code == absent.status_code == 404, url
        assert _page(forbidden, pupil_id) == _page(absent, MISSING), url
    for url, name in _item_urls(record):
        forbidden = client.get(url)
        absent = client.get(reverse(name, args=[MISSING]))
        assert forbidden.status_code == absent.status_code == 404, url
        assert _page(forbidden, url.split("/")[2]) == _page(absent, MISSING), url
    # Nor is the pupil found by a search, nor named on the landing page.
    found = client.get(reverse("casework-search-pupils"), {"q": world.pupil_a.family_name})
    assert world.pupil_a.given_name not in found.content.decode()
    assert world.pupil_a.given_name not in client.get("/").content.decode()


def test_a_pupil_the_receiving_school_has_sent_on_is_not_offered_as_a_match(
    client, world, dsl, receiver, persona, sent
):
    # Woking High once had a pupil born the same day, whose record it has sent on to
    # Langshott Primary, receipt confirmed: Woking High no longer sees that pupil.
    gone = PupilFactory(
        school=world.school_c,
        given_name="Gwen",
        family_name="Gone",
        date_of_birth=world.pupil_a.date_of_birth,
    )
    lead_b = persona(Role.SAFEGUARDING_LEAD, world.school_b)
    onward = transfer_services.transfer_send(
        actor=receiver, pupil=gone, to_school=world.school_b, reason="other", notes="", source="t"
    )
    transfer_services.transfer_confirm(
        actor=lead_b, transfer=onward, new_pupil=transfer_services.NewPupil("B1"), source="t"
    )
    client.force_login(receiver)
    page = client.get(reverse("casework-transfer", args=[sent.pk]))
    assert page.status_code == 200
    assert "Gone" not in page.content.decode()
    choices = [value for value, _ in page.context["form"].fields["pupil"].choices]
    assert str(gone.pk) not in choices
    response = client.post(reverse("casework-confirm-transfer", args=[sent.pk]), {"pupil": gone.pk})
    assert response.status_code == 400
    with pytest.raises(ValidationError) as refused:
        transfer_services.transfer_confirm(actor=receiver, transfer=sent, pupil=gone, source="t")
    assert refused.value.message_dict == {"pupil": ["Choose a pupil on your school's register"]}
    sent.refresh_from_db()
    assert sent.status == TransferStatus.SENT


def test_while_awaiting_confirmation_the_pupils_page_offers_no_change(
    client, world, dsl, receiver, sent
):
    client.force_login(dsl)
    body = client.get(reverse("casework-pupil", args=[world.pupil_a.pk])).content.decode()
    assert "read-only until they confirm receipt" in body
    for offered in (
        reverse("casework-assessment-new", args=[world.pupil_a.pk]),
        reverse("casework-new-plan", args=[world.pupil_a.pk]),
        reverse("casework-new-referral", args=[world.pupil_a.pk]),
        reverse("casework-new-transfer", args=[world.pupil_a.pk]),
        reverse("casework-record-meeting", args=[world.school_a.urn])
        + f"?pupil={world.pupil_a.pk}",
    ):
        assert offered not in body, offered


def test_no_reminder_of_an_unanswered_referral_once_the_pupil_has_moved(world, dsl, receiver, sent):
    referral = Referral.objects.create(
        pupil=world.pupil_a,
        school=world.school_a,
        agency=world.yot,
        service="youth_offending_team",
        reason="Risk of exploitation",
        referred_by=dsl,
        referred_at=sent.sent_at,
    )
    transfer_services.transfer_confirm(
        actor=receiver, transfer=sent, new_pupil=transfer_services.NewPupil("R100"), source="t"
    )
    assert referral_services.referral_remind(referral_id=str(referral.pk), reminder=1) == "moved"
    referral.refresh_from_db()
    assert referral.reminders_sent == 0
    assert not Notification.objects.filter(kind="referral_unanswered").exists()


def test_a_referral_is_still_reminded_while_the_move_awaits_confirmation(world, dsl, sent):
    referral = Referral.objects.create(
        pupil=world.pupil_a,
        school=world.school_a,
        agency=world.yot,
        service="youth_offending_team",
        reason="Risk of exploitation",
        referred_by=dsl,
        referred_at=sent.sent_at,
    )
    assert referral_services.referral_remind(referral_id=str(referral.pk), reminder=1) == "reminded"
    assert Notification.objects.filter(kind="referral_unanswered", user=dsl).exists()
