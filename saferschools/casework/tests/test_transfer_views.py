"""Moving school's pages: sending a record, the transfer's page and confirming receipt, the
sealed PDF, and the parts of the pupil's page and the landing page about transfers."""

import base64
import io
import re
import uuid

import pytest
from django.urls import reverse
from pypdf import PdfReader

from saferschools.accounts.models import Role, User
from saferschools.casework import transfer_services as services
from saferschools.casework.models import Pupil, PupilTransfer, TransferStatus
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.testing.factories import PupilFactory

from .test_chronology import casework_record

pytestmark = pytest.mark.django_db

UPN = "B123456789012"


def new_url(pupil) -> str:
    return reverse("casework-new-transfer", args=[pupil.pk])


def transfer_url(transfer) -> str:
    return reverse("casework-transfer", args=[transfer.pk])


def confirm_url(transfer) -> str:
    return reverse("casework-confirm-transfer", args=[transfer.pk])


def seal_url(transfer) -> str:
    return reverse("casework-seal-transfer", args=[transfer.pk])


@pytest.fixture
def receiver(world, persona) -> User:
    return persona(Role.SAFEGUARDING_LEAD, world.school_c, email="lead@woking.example")


@pytest.fixture
def record(world, dsl):
    world.pupil_a.upn = UPN
    world.pupil_a.save()
    return casework_record(world, dsl, world.pupil_a)


@pytest.fixture
def sent(world, dsl, receiver, record) -> PupilTransfer:
    return services.transfer_send(
        actor=dsl,
        pupil=world.pupil_a,
        to_school=world.school_c,
        reason="managed_move",
        notes="He likes football.",
        source="test",
    )


SEND = {"to_school": "", "to_school_name": "", "reason": "managed_move", "notes": ""}


def test_a_safeguarding_lead_finds_the_school_and_sends_the_record(
    client, world, dsl, receiver, record
):
    client.force_login(dsl)
    page = client.get(new_url(world.pupil_a))
    assert page.status_code == 200
    body = page.content.decode()
    assert f"Woking High (URN {world.school_c.urn})" in body
    searched = client.get(new_url(world.pupil_a), {"q": "langshott"}).content.decode()
    assert "Woking High" not in searched
    assert "No school that uses SaferSchools matches" in searched
    by_urn = client.get(new_url(world.pupil_a), {"q": str(world.school_c.urn)})
    assert "Woking High" in by_urn.content.decode()

    response = client.post(
        new_url(world.pupil_a), {**SEND, "to_school": str(world.school_c.urn), "notes": "Hi"}
    )
    transfer = PupilTransfer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == transfer_url(transfer)
    assert (transfer.to_school, transfer.status, transfer.notes) == (
        world.school_c,
        TransferStatus.SENT,
        "Hi",
    )
    # The sending school reads what it sent, and is told its record is read-only.
    page = client.get(transfer_url(transfer)).content.decode()
    assert "Awaiting confirmation from Woking High" in page
    assert "Risk assessments" in page
    pupil_page = client.get(reverse("casework-pupil", args=[world.pupil_a.pk])).content.decode()
    assert "It is read-only until they confirm receipt" in pupil_page
    assert new_url(world.pupil_a) not in pupil_page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "to_school", "Choose the school the pupil is moving to"),
        ({"to_school": "999999"}, "to_school", "Choose the school the pupil is moving to from"),
        ({"to_school": "outside"}, "to_school_name", "Enter the name of the school"),
        ({"to_school": "outside", "to_school_name": "A\x00"}, "to_school_name", "Null"),
        ({"to_school": "outside", "to_school_name": "x" * 201}, "to_school_name", "200"),
        ({"reason": "holiday"}, "reason", "Choose why the pupil is moving school"),
        ({"notes": "x" * 2001}, "notes", "2,000 characters or fewer"),
    ],
    ids=["none", "unknown-urn", "no-name", "nul", "long-name", "reason", "long-notes"],
)
def test_bad_input_is_named_and_nothing_is_sent(
    client, world, dsl, receiver, record, data, field, message
):
    client.force_login(dsl)
    response = client.post(new_url(world.pupil_a), {**SEND, **data})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert message in response.content.decode()
    assert not PupilTransfer.objects.exists()


def test_a_second_transfer_waits_for_the_first(client, world, dsl, sent):
    client.force_login(dsl)
    page = client.get(new_url(world.pupil_a)).content.decode()
    assert "awaits their confirmation" in page
    response = client.post(new_url(world.pupil_a), {**SEND, "to_school": str(world.school_c.urn)})
    assert response.status_code == 400
    assert "read-only until the receiving school confirms receipt" in response.content.decode()
    assert PupilTransfer.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "where"),
    [
        (Role.SCHOOL_STAFF, "school_a"),
        (Role.SSP_OFFICER, "school_a"),
        (Role.SAFEGUARDING_LEAD, "school_c"),
        (Role.AGENCY_PRACTITIONER, "yot"),
        (Role.LA_ANALYST, "area"),
    ],
    ids=lambda value: str(value),
)
def test_only_the_pupils_school_leaders_send_it(client, world, persona, record, role, where):
    client.force_login(persona(role, getattr(world, where)))
    assert client.get(new_url(world.pupil_a)).status_code == 404
    response = client.post(new_url(world.pupil_a), {**SEND, "to_school": str(world.school_c.urn)})
    assert response.status_code == 404
    assert not PupilTransfer.objects.exists()


def test_the_head_teacher_may_send_it(client, world, persona, receiver):
    client.force_login(persona(Role.HEAD_TEACHER, world.school_a))
    assert client.get(new_url(world.pupil_a)).status_code == 200


def test_the_receiving_lead_reads_the_record_and_confirms_with_a_pupil_on_the_register(
    client, world, dsl, receiver, sent
):
    arrived = PupilFactory(school=world.school_c, upn=UPN, family_name="Zed")
    PupilFactory(school=world.school_c, date_of_birth=world.pupil_a.date_of_birth)
    client.force_login(receiver)
    page = client.get(transfer_url(sent))
    assert page.status_code == 200
    body = page.content.decode()
    assert f"Safeguarding record: {world.pupil_a.name}" in body
    assert "He likes football." in body
    choices = page.context["form"].fields["pupil"].choices
    assert choices[0][0] == str(arrived.pk)  # the UPN's match comes first
    assert "the record&#x27;s UPN" in body
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=str(sent.pk), actor_id=receiver.pk
    ).exists()
    # The register's pupils offered are a read of their records.
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(arrived.pk)).exists()

    response = client.post(confirm_url(sent), {"pupil": str(arrived.pk)})
    assert response.status_code == 302
    assert response["Location"] == reverse("casework-pupil", args=[arrived.pk])
    sent.refresh_from_db()
    assert (sent.status, sent.received_pupil) == (TransferStatus.CONFIRMED, arrived)
    pupil_page = client.get(response["Location"]).content.decode()
    assert "Received from Oakwood School" in pupil_page
    assert "Safeguarding record received from Oakwood School" in pupil_page  # the chronology

    # The sending school no longer sees the pupil, nor the record it sent.
    client.force_login(dsl)
    assert client.get(reverse("casework-pupil", args=[world.pupil_a.pk])).status_code == 404
    after = client.get(transfer_url(sent))
    assert after.status_code == 200
    assert world.pupil_a.family_name not in after.content.decode()
    assert "The pupil is no longer shown here" in after.content.decode()


def test_the_receiving_lead_adds_the_pupil_from_the_record(client, world, receiver, sent):
    client.force_login(receiver)
    refused = client.post(confirm_url(sent), {"pupil": "new", "school_pupil_id": ""})
    assert refused.status_code == 400
    assert "Enter your school&#x27;s id for the pupil" in refused.content.decode()
    assert client.post(confirm_url(sent), {"pupil": str(uuid.uuid4())}).status_code == 400
    response = client.post(confirm_url(sent), {"pupil": "new", "school_pupil_id": "W-77"})
    added = Pupil.objects.get(school=world.school_c, school_pupil_id="W-77")
    assert response["Location"] == reverse("casework-pupil", args=[added.pk])
    assert added.upn == UPN
    again = client.post(confirm_url(sent), {"pupil": "new", "school_pupil_id": "W-78"})
    assert again.status_code == 302
    assert Pupil.objects.filter(school=world.school_c).count() == 2


@pytest.mark.parametrize(
    ("role", "where"),
    [
        (Role.SSP_OFFICER, "school_c"),
        (Role.SCHOOL_STAFF, "school_c"),
        (Role.SAFEGUARDING_LEAD, "school_b"),
        (Role.AGENCY_PRACTITIONER, "yot"),
    ],
    ids=lambda value: str(value),
)
def test_others_do_not_see_the_transfer(client, world, persona, sent, role, where):
    client.force_login(persona(role, getattr(world, where)))
    assert client.get(transfer_url(sent)).status_code == 404
    assert (
        client.post(confirm_url(sent), {"pupil": "new", "school_pupil_id": "X"}).status_code == 404
    )
    sent.refresh_from_db()
    assert sent.status == TransferStatus.SENT


def test_the_sender_cannot_confirm_its_own_transfer(client, world, dsl, sent):
    client.force_login(dsl)
    assert (
        client.post(confirm_url(sent), {"pupil": "new", "school_pupil_id": "X"}).status_code == 404
    )
    assert client.post(seal_url(sent)).status_code == 404
    assert client.get(reverse("casework-transfer", args=[uuid.uuid4()])).status_code == 404


def test_a_record_for_a_school_outside_the_product_is_sealed_with_a_passphrase_shown_once(
    client, world, dsl, persona, record
):
    client.force_login(dsl)
    response = client.post(
        new_url(world.pupil_a),
        {**SEND, "to_school": "outside", "to_school_name": "St Anne's, Guildford"},
    )
    transfer = PupilTransfer.objects.get()
    assert response["Location"] == transfer_url(transfer)
    assert transfer.status == TransferStatus.EXPORTED
    page = client.get(transfer_url(transfer)).content.decode()
    assert "Make the sealed PDF" in page

    sealed = client.post(seal_url(transfer))
    assert sealed.status_code == 200
    body = sealed.content.decode()
    passphrase = re.search(r"<strong>([A-Z2-9]{5}(?:-[A-Z2-9]{5}){3})</strong>", body).group(1)
    data = re.search(r'href="data:application/pdf;base64,([A-Za-z0-9+/=]+)"', body).group(1)
    pdf = base64.b64decode(data)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.is_encrypted
    assert reader.decrypt(passphrase) != 0
    assert "St Anne's, Guildford" in reader.pages[0].extract_text()
    transfer.refresh_from_db()
    assert transfer.pdf_sha256 in body
    # The passphrase is kept nowhere: not in the audit log, not with the transfer.
    assert not AuditEvent.objects.filter(detail__icontains=passphrase).exists()
    assert passphrase not in str(PupilTransfer.objects.values().get())
    # The school's officer may not make it.
    client.force_login(persona(Role.SSP_OFFICER, world.school_a))
    assert client.post(seal_url(transfer)).status_code == 404
    transfer.refresh_from_db()
    assert transfer.pdf_sha256 in body


def test_the_landing_page_lists_transfers_without_names(client, world, dsl, receiver, sent):
    client.force_login(receiver)
    home = client.get(reverse("core-home")).content.decode()
    assert "Awaiting your confirmation" in home
    assert "Record from Oakwood School" in home
    assert world.pupil_a.family_name not in home
    client.force_login(dsl)
    home = client.get(reverse("core-home")).content.decode()
    assert "Sent, not yet confirmed" in home
    assert "Record sent to Woking High" in home
    assert world.pupil_a.family_name not in home


def test_the_pupil_page_offers_sending_to_the_leaders_only(client, world, dsl, persona):
    client.force_login(dsl)
    page = client.get(reverse("casework-pupil", args=[world.pupil_a.pk])).content.decode()
    assert new_url(world.pupil_a) in page
    assert "has not moved between schools" in page
    client.force_login(persona(Role.SSP_OFFICER, world.school_a))
    page = client.get(reverse("casework-pupil", args=[world.pupil_a.pk])).content.decode()
    assert new_url(world.pupil_a) not in page
    assert "Moving school" not in page
