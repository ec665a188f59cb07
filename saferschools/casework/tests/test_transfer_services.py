"""Moving school: sending a pupil's record, the read-only time until receipt is confirmed, the
confirmation, the chase by the task worker after five school days, and the sealed export for a
school that does not use the product."""

import hashlib
import io
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError

from saferschools.accounts.models import Role, User
from saferschools.casework import transfer_services as services
from saferschools.casework.chronology import chronology_entries
from saferschools.casework.models import Pupil, PupilTransfer, TransferStatus
from saferschools.casework.records import pupil_check_writable
from saferschools.casework.transfer_selectors import receiving_schools
from saferschools.core import access
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.lib.schooldays import LONDON
from saferschools.testing.factories import PupilFactory, SchoolFactory

from .test_chronology import FACTOR_EVIDENCE, casework_record

pytestmark = pytest.mark.django_db

UPN = "A123456789012"


@pytest.fixture
def receiver(world, persona) -> User:
    """The safeguarding lead of school C, where the pupil moves."""
    return persona(Role.SAFEGUARDING_LEAD, world.school_c, email="lead@woking.example")


@pytest.fixture
def receiving_head(world, persona) -> User:
    return persona(Role.HEAD_TEACHER, world.school_c, email="head@woking.example")


@pytest.fixture
def record(world, dsl):
    world.pupil_a.upn = UPN
    world.pupil_a.save()
    return casework_record(world, dsl, world.pupil_a)


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def send(world, dsl, **changes) -> PupilTransfer:
    values = {
        "actor": dsl,
        "pupil": world.pupil_a,
        "to_school": world.school_c,
        "reason": "managed_move",
        "notes": "Settling in: a mentor has been agreed.",
        "source": "test",
    }
    values.update(changes)
    return services.transfer_send(**values)


def test_the_record_goes_to_the_schools_of_the_area_with_someone_to_receive_it(
    world, persona, receiver
):
    persona(Role.HEAD_TEACHER, world.school_d)  # another area
    persona(Role.SCHOOL_STAFF, world.school_e)  # nobody to confirm receipt
    closed = SchoolFactory(area=world.area, name="Closed School", is_open=False)
    persona(Role.SAFEGUARDING_LEAD, closed)
    persona(Role.SAFEGUARDING_LEAD, world.school_a)
    assert list(receiving_schools(pupil=world.pupil_a)) == [world.school_c]
    # A partnership-wide head teacher leads each school of the partnership.
    persona(Role.HEAD_TEACHER, world.p)
    assert list(receiving_schools(pupil=world.pupil_a)) == [world.school_b, world.school_c]


def test_sending_snapshots_the_record_and_tells_the_receiving_leaders(
    world, dsl, receiver, receiving_head, record
):
    transfer = send(world, dsl)
    assert transfer.status == TransferStatus.SENT
    assert (transfer.from_school, transfer.to_school) == (world.school_a, world.school_c)
    snapshot = transfer.record
    assert snapshot["pupil"]["upn"] == UPN
    assert snapshot["pupil"]["date_of_birth"] == world.pupil_a.date_of_birth.isoformat()
    assert snapshot["from_school"] == {"urn": world.school_a.urn, "name": "Oakwood School"}
    # The chronology as the sender saw it when sending, before the transfer itself was in it.
    now = chronology_entries(user=fresh(dsl), pupil=world.pupil_a)
    assert now[0].summary == "Safeguarding record sent to Woking High (managed move)"
    assert [e["summary"] for e in snapshot["chronology"]] == [e.summary for e in now[1:]]
    (assessment,) = snapshot["assessments"]
    assert assessment["level"] == "high"
    assert assessment["factors"][0]["code"] == "family_conflict"
    assert assessment["factors"][0]["evidence"] == FACTOR_EVIDENCE
    assert snapshot["plan"]["concerns"] == "Seen with older youths after school"
    assert snapshot["plan"]["actions"][0]["owner"] == "Sam Mentor"
    assert snapshot["plan"]["reviews"][0]["notes"] == "Going well"

    told = Notification.objects.filter(kind="transfer_sent")
    assert {n.user_id for n in told} == {receiver.pk, receiving_head.pk}
    for notification in told:
        assert world.pupil_a.given_name not in notification.title
        assert world.pupil_a.family_name not in notification.title
        assert notification.url == f"/transfers/{transfer.pk}/"
    (event,) = AuditEvent.objects.filter(action=AuditAction.SHARE, object_id=str(world.pupil_a.pk))
    assert event.detail == {"transfer": str(transfer.pk), "to_school_urn": world.school_c.urn}


def test_until_receipt_is_confirmed_the_sending_school_only_reads(world, dsl, receiver, record):
    from saferschools.casework.assessment_services import assessment_record
    from saferschools.casework.plan_services import plan_open

    send(world, dsl)
    pupil = Pupil.objects.get(pk=world.pupil_a.pk)
    with pytest.raises(ValidationError) as refused:
        pupil_check_writable(pupil)
    assert "read-only until the receiving school confirms receipt" in str(refused.value)
    before = (pupil.risk_assessments.count(), pupil.plans.count())
    with pytest.raises(ValidationError) as refused:
        assessment_record(actor=fresh(dsl), pupil=pupil, factors=[], source="test")
    assert "read-only" in refused.value.message_dict["pupil"][0]
    with pytest.raises(ValidationError) as refused:
        plan_open(
            actor=fresh(dsl),
            pupil=pupil,
            lead_professional_id=str(dsl.pk),
            concerns="More worries",
            goals="Support",
            next_review_on=timezone.localdate() + timedelta(days=7),
            source="test",
        )
    assert "read-only" in refused.value.message_dict["pupil"][0]
    assert (pupil.risk_assessments.count(), pupil.plans.count()) == before
    # Still read: the chronology and the pupil.
    assert access.get_casework_pupil_for_user(fresh(dsl), pupil.pk)
    assert chronology_entries(user=fresh(dsl), pupil=pupil)
    # And a second transfer waits for the first.
    with pytest.raises(ValidationError) as refused:
        send(world, dsl)
    assert list(refused.value.message_dict) == ["pupil"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"to_school": None}, "to_school"),
        ({"to_school": "school_d"}, "to_school"),
        ({"to_school": "school_a"}, "to_school"),
        ({"reason": "holiday"}, "reason"),
        ({"reason": ["managed_move"]}, "reason"),
        ({"notes": "x" * 2001}, "notes"),
        ({"notes": 12}, "notes"),
    ],
    ids=[
        "no-school",
        "other-area",
        "own-school",
        "reason",
        "reason-type",
        "long-notes",
        "notes-type",
    ],
)
def test_bad_input_is_named_and_nothing_is_sent(world, dsl, receiver, persona, changes, field):
    persona(Role.HEAD_TEACHER, world.school_d)
    if isinstance(changes.get("to_school"), str):
        changes["to_school"] = getattr(world, changes["to_school"])
    with pytest.raises(ValidationError) as refused:
        send(world, dsl, **changes)
    assert field in refused.value.message_dict
    assert not PupilTransfer.objects.exists()
    assert not Notification.objects.filter(kind="transfer_sent").exists()
    assert not AuditEvent.objects.filter(action=AuditAction.SHARE).exists()


def test_only_the_schools_leaders_send_or_export_its_records(world, persona, receiver):
    officer = persona(Role.SSP_OFFICER, world.school_a)
    with pytest.raises(ValidationError) as refused:
        send(world, officer)
    assert list(refused.value.message_dict) == ["pupil"]
    with pytest.raises(ValidationError) as refused:
        services.transfer_export(
            actor=officer,
            pupil=world.pupil_a,
            to_school_name="St Anne's",
            reason="managed_move",
            notes="",
            source="test",
        )
    assert list(refused.value.message_dict) == ["pupil"]
    assert not PupilTransfer.objects.exists()


def test_confirming_with_a_pupil_on_the_register_moves_the_pupil(world, dsl, receiver, record):
    arrived = PupilFactory(school=world.school_c, upn=UPN)
    transfer = send(world, dsl)
    confirmed = services.transfer_confirm(
        actor=fresh(receiver), transfer=transfer, pupil=arrived, source="test"
    )
    assert confirmed.status == TransferStatus.CONFIRMED
    assert confirmed.received_pupil == arrived
    assert confirmed.confirmed_by == receiver
    # The sending school no longer sees the pupil at all; the receiving school does.
    with pytest.raises(Http404):
        access.get_pupil_for_user(fresh(dsl), world.pupil_a.pk)
    with pytest.raises(Http404):
        access.get_casework_pupil_for_user(fresh(dsl), world.pupil_a.pk)
    entries = chronology_entries(user=fresh(receiver), pupil=arrived)
    assert [e.summary for e in entries] == ["Safeguarding record received from Oakwood School"]
    (told,) = Notification.objects.filter(kind="transfer_confirmed")
    assert told.user_id == dsl.pk
    assert world.pupil_a.family_name not in told.title
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(transfer.pk), detail__status="confirmed"
    ).exists()


def test_confirming_adds_the_pupil_from_the_record(world, dsl, receiver, record):
    transfer = send(world, dsl)
    confirmed = services.transfer_confirm(
        actor=fresh(receiver),
        transfer=transfer,
        new_pupil=services.NewPupil(" W-2041 "),
        source="test",
    )
    added = confirmed.received_pupil
    assert added.school == world.school_c
    assert added.school_pupil_id == "W-2041"
    assert (added.given_name, added.family_name, added.upn) == (
        world.pupil_a.given_name,
        world.pupil_a.family_name,
        UPN,
    )
    assert added.date_of_birth == world.pupil_a.date_of_birth
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(added.pk), detail__transfer=str(transfer.pk)
    ).exists()


def test_confirming_is_refused_with_the_field_named(world, dsl, receiver, persona, record):
    transfer = send(world, dsl)
    PupilFactory(school=world.school_c, school_pupil_id="W-1", upn="")
    cases = [
        (fresh(dsl), {"pupil": world.pupil_b}, "transfer"),
        (persona(Role.SSP_OFFICER, world.school_c), {"pupil": world.pupil_c}, "transfer"),
        (fresh(receiver), {"pupil": world.pupil_b}, "pupil"),
        (fresh(receiver), {}, "pupil"),
        (fresh(receiver), {"new_pupil": services.NewPupil("W-1")}, "school_pupil_id"),
        (fresh(receiver), {"new_pupil": services.NewPupil("   ")}, "school_pupil_id"),
    ]
    for actor, choice, field in cases:
        with pytest.raises(ValidationError) as refused:
            services.transfer_confirm(actor=actor, transfer=transfer, source="test", **choice)
        assert list(refused.value.message_dict) == [field], (actor, choice)
    PupilFactory(school=world.school_c, upn=UPN)
    with pytest.raises(ValidationError) as refused:
        services.transfer_confirm(
            actor=fresh(receiver),
            transfer=transfer,
            new_pupil=services.NewPupil("W-2"),
            source="test",
        )
    assert "UPN" in refused.value.message_dict["pupil"][0]
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.SENT
    assert Pupil.objects.filter(school=world.school_c).count() == 3
    services.transfer_confirm(
        actor=fresh(receiver), transfer=transfer, pupil=world.pupil_c, source="test"
    )
    with pytest.raises(ValidationError) as refused:
        services.transfer_confirm(
            actor=fresh(receiver), transfer=transfer, pupil=world.pupil_c, source="test"
        )
    assert list(refused.value.message_dict) == ["transfer"]


def at_london(day: str, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(datetime.fromisoformat(day).date(), time(hour, minute), tzinfo=LONDON)


def chases(transfer) -> list[int]:
    return list(
        AuditEvent.objects.filter(object_id=str(transfer.pk), detail__step="chase").values_list(
            "detail__chase", flat=True
        )
    )


def test_an_unconfirmed_transfer_is_chased_every_five_school_days_three_times(
    world, dsl, receiver, run_worker
):
    # Sent on the Thursday before Easter 2026: Good Friday and Easter Monday are no school days.
    with time_machine.travel(at_london("2026-04-02", 10), tick=False):
        transfer = send(world, dsl)
        run_worker()
    # The fifth school day after is Monday 13 April; before its end, nothing.
    with time_machine.travel(at_london("2026-04-13", 16, 59), tick=False):
        run_worker()
    transfer.refresh_from_db()
    assert transfer.chased_at is None
    with time_machine.travel(at_london("2026-04-13", 17, 1), tick=False):
        run_worker()
        run_worker()
    transfer.refresh_from_db()
    assert transfer.chased_at == at_london("2026-04-13", 17, 1)
    assert chases(transfer) == [1]
    chased = Notification.objects.filter(kind="transfer_chased")
    assert sorted(n.user_id for n in chased) == sorted([receiver.pk, dsl.pk])
    assert all(world.pupil_a.family_name not in n.title for n in chased)
    # Then at the end of every fifth school day, three chases in all.
    for day in ("2026-04-20", "2026-04-27", "2026-05-04", "2026-05-11"):
        with time_machine.travel(at_london(day, 18), tick=False):
            run_worker()
    assert chases(transfer) == [1, 2, 3]
    assert Notification.objects.filter(kind="transfer_chased", urgent=True).count() == 1


def test_a_confirmed_transfer_is_not_chased(world, dsl, receiver, run_worker):
    with time_machine.travel(at_london("2026-03-02", 10), tick=False):
        transfer = send(world, dsl)
        services.transfer_confirm(
            actor=fresh(receiver), transfer=transfer, pupil=world.pupil_c, source="test"
        )
    with time_machine.travel(at_london("2026-03-09", 18), tick=False):
        run_worker()
    transfer.refresh_from_db()
    assert transfer.chased_at is None
    assert not Notification.objects.filter(kind="transfer_chased").exists()


def test_a_chase_run_twice_chases_once(world, dsl, receiver):
    with time_machine.travel(at_london("2026-03-02", 10), tick=False):
        transfer = send(world, dsl)
    with time_machine.travel(at_london("2026-03-09", 18), tick=False):
        assert services.transfer_chase(transfer_id=str(transfer.pk), chase=1) == "chased"
        assert services.transfer_chase(transfer_id=str(transfer.pk), chase=1) == "already chased"
    with time_machine.travel(at_london("2026-03-10", 18), tick=False):
        assert services.transfer_chase(transfer_id=str(transfer.pk), chase=2) == "not yet due"
    missing = "00000000-0000-0000-0000-000000000000"
    assert services.transfer_chase(transfer_id=missing, chase=1) == "nothing to do"


def opened(pdf: bytes, passphrase: str) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.is_encrypted
    assert reader.decrypt(passphrase) != 0
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_a_school_that_does_not_use_the_product_gets_a_sealed_pdf(world, dsl, record):
    transfer = services.transfer_export(
        actor=dsl,
        pupil=world.pupil_a,
        to_school_name="St Anne's, Guildford",
        reason="after_exclusion",
        notes="",
        source="test",
    )
    assert transfer.status == TransferStatus.EXPORTED
    assert transfer.to_school is None
    assert transfer.pdf_sha256 == ""
    sealed = services.transfer_seal(actor=dsl, transfer=transfer, source="test")
    transfer.refresh_from_db()
    assert transfer.pdf_sha256 == hashlib.sha256(sealed.pdf).hexdigest()
    with pytest.raises(FileNotDecryptedError):
        PdfReader(io.BytesIO(sealed.pdf)).pages[0].extract_text()
    text = opened(sealed.pdf, sealed.passphrase)
    assert f"Safeguarding record: {world.pupil_a.given_name} {world.pupil_a.family_name}" in text
    assert "St Anne's, Guildford" in text
    assert FACTOR_EVIDENCE in text
    assert "Seen with older youths after school" in text
    assert "Decided not to share with Surrey Police" in text

    # Making it again makes a new passphrase; the old one does not open the new file.
    again = services.transfer_seal(actor=dsl, transfer=transfer, source="test")
    assert again.passphrase != sealed.passphrase
    assert PdfReader(io.BytesIO(again.pdf)).decrypt(sealed.passphrase) == 0
    transfer.refresh_from_db()
    assert transfer.pdf_sha256 == hashlib.sha256(again.pdf).hexdigest()
    exports = AuditEvent.objects.filter(
        action=AuditAction.EXPORT,
        object_id=str(world.pupil_a.pk),
        detail__transfer=str(transfer.pk),
    )
    assert exports.count() == 2
    # An exported record leaves the pupil with the school: its casework stays writable.
    pupil_check_writable(Pupil.objects.get(pk=world.pupil_a.pk))


def test_exporting_needs_the_schools_name_and_seals_only_exports(world, dsl, receiver):
    with pytest.raises(ValidationError) as refused:
        services.transfer_export(
            actor=dsl,
            pupil=world.pupil_a,
            to_school_name="  ",
            reason="nonsense",
            notes="",
            source="test",
        )
    assert set(refused.value.message_dict) == {"to_school_name", "reason"}
    sent = send(world, dsl)
    with pytest.raises(ValidationError):
        services.transfer_seal(actor=dsl, transfer=sent, source="test")
