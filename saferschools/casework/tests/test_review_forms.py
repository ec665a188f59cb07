"""Casework forms sent twice or sent wrong: each error summary links to a field on the page, a
second sending of the same form makes nothing twice and never fails, and the buttons that
record something guard against a double click."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.casework import plan_services, transfer_services
from saferschools.casework.models import Plan, PupilTransfer, ReferralUpdate, TransferStatus

from .test_chronology import casework_record

pytestmark = pytest.mark.django_db


def error_links(body: str) -> list[str]:
    """The ids the error summary links to; the summary must be there."""
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', body, re.S)
    assert summary is not None, "no error summary"
    return re.findall(r'href="#([^"]+)"', summary.group(1))


def missing_targets(body: str) -> list[str]:
    return [target for target in error_links(body) if f'id="{target}"' not in body]


def plan_form(dsl) -> dict[str, str]:
    review = timezone.localdate() + timedelta(days=14)
    return {
        "lead_professional": str(dsl.pk),
        "concerns": "Seen with older youths",
        "goals": "Safe journeys home",
        "next_review_on_day": str(review.day),
        "next_review_on_month": str(review.month),
        "next_review_on_year": str(review.year),
    }


def test_opening_a_plan_twice_opens_one_and_the_second_says_why(client, world, dsl):
    client.force_login(dsl)
    url = reverse("casework-new-plan", args=[world.pupil_a.pk])
    first = client.post(url, plan_form(dsl))
    assert first.status_code == 302
    second = client.post(url, plan_form(dsl))
    assert second.status_code == 400
    body = second.content.decode()
    assert "This pupil already has a plan that is not closed" in body
    assert reverse("casework-plan", args=[Plan.objects.get().pk]) in body
    # The summary says why, and points at no field: the page shows none.
    assert plan_services.ONE_OPEN_PLAN in body
    assert error_links(body) == []
    assert 'id="id_lead_professional"' not in body
    assert Plan.objects.count() == 1


def test_opening_a_plan_on_a_record_awaiting_confirmation_says_why(client, world, dsl, persona):
    persona(Role.SAFEGUARDING_LEAD, world.school_c)
    transfer_services.transfer_send(
        actor=dsl,
        pupil=world.pupil_a,
        to_school=world.school_c,
        reason="managed_move",
        notes="",
        source="test",
    )
    client.force_login(dsl)
    response = client.post(reverse("casework-new-plan", args=[world.pupil_a.pk]), plan_form(dsl))
    assert response.status_code == 400
    body = response.content.decode()
    assert "read-only until the receiving school confirms receipt" in body
    assert error_links(body) == []
    assert not Plan.objects.exists()


def test_a_plan_form_sent_wrong_links_each_error_to_its_field(client, world, dsl):
    client.force_login(dsl)
    response = client.post(reverse("casework-new-plan", args=[world.pupil_a.pk]), {})
    assert response.status_code == 400
    body = response.content.decode()
    assert error_links(body) == [
        "id_lead_professional",
        "id_concerns",
        "id_goals",
        "id_next_review_on_0",
    ]
    assert missing_targets(body) == []


def test_a_bad_school_in_the_pupil_search_links_to_a_field_on_the_page(client, world, dsl):
    client.force_login(dsl)
    response = client.get(reverse("casework-search-pupils"), {"q": "Family", "school": "zz"})
    assert response.status_code == 400
    body = response.content.decode()
    assert error_links(body) == ["id_school"]
    assert missing_targets(body) == []


def test_answering_a_referral_twice_records_one_answer(client, world, dsl):
    """The second sending of a final answer says the answer is final; its summary does not
    point at radios that are no longer on the page."""
    record = casework_record(world, dsl, world.pupil_a)
    client.force_login(dsl)
    url = reverse("casework-referral-status", args=[record.referral.pk])
    answer = {"status": "completed", "outcome": "Mentoring finished"}
    assert client.post(url, answer).status_code == 302
    again = client.post(url, answer)
    assert again.status_code == 400
    body = again.content.decode()
    assert "Its answer is final" in body
    assert 'href="#id_status_0"' not in body
    assert ReferralUpdate.objects.filter(referral=record.referral, status="completed").count() == 1


def test_confirming_receipt_twice_confirms_once(client, world, dsl, persona):
    receiver = persona(Role.SAFEGUARDING_LEAD, world.school_c)
    transfer = transfer_services.transfer_send(
        actor=dsl,
        pupil=world.pupil_a,
        to_school=world.school_c,
        reason="managed_move",
        notes="",
        source="test",
    )
    client.force_login(receiver)
    url = reverse("casework-confirm-transfer", args=[transfer.pk])
    sent = {"pupil": "new", "school_pupil_id": "R100"}
    assert client.post(url, sent).status_code == 302
    again = client.post(url, sent)
    assert again.status_code == 302
    assert again["Location"] == reverse("casework-transfer", args=[transfer.pk])
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CONFIRMED
    assert PupilTransfer.objects.count() == 1
    assert world.school_c.pupils.filter(school_pupil_id="R100").count() == 1


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("casework-assessment-new", "pupil"),
        ("casework-new-plan", "pupil"),
        ("casework-new-referral", "pupil"),
        ("casework-new-transfer", "pupil"),
        ("casework-record-meeting", "urn"),
    ],
)
def test_recording_buttons_guard_against_a_double_click(client, world, dsl, name, args):
    client.force_login(dsl)
    arg = world.pupil_a.pk if args == "pupil" else world.school_a.urn
    body = client.get(reverse(name, args=[arg])).content.decode()
    buttons = re.findall(r'<button type="submit"[^>]*class="govuk-button"[^>]*>', body)
    assert buttons
    assert all('data-prevent-double-click="true"' in button for button in buttons)
