"""Submitting a report, routing it, and every step staff and the pupil take with it."""

import io
import re

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from PIL import Image

from saferschools.accounts.models import Membership, Role
from saferschools.core import access
from saferschools.core.audit import audit_verify
from saferschools.core.models import AuditAction, AuditEvent, Notification, School
from saferschools.reporting.models import (
    DESCRIPTION_MAX,
    URGENT_CATEGORIES,
    Category,
    EntryKind,
    Outcome,
    Report,
    ReportEntry,
    ReportPhoto,
    Status,
    UrgentReason,
)
from saferschools.reporting.receipts import RECEIPT_DIGITS, receipt_digest, receipt_display
from saferschools.reporting.selectors import followup_find, followup_messages
from saferschools.reporting.services import (
    AUDIT_TYPE,
    followup_reply,
    report_acknowledge,
    report_add_note,
    report_assign,
    report_close,
    report_link_pupil,
    report_reopen,
    report_reply,
    report_submit,
    school_for_reports,
)
from saferschools.testing.factories import PupilFactory, submit_report

pytestmark = pytest.mark.django_db

STORED = (Report, ReportEntry, ReportPhoto, AuditEvent, Notification, DBTaskResult)

GOOD = {
    "category": "bullying",
    "description": "Some pupils in year 9 keep taking my bag at lunch.",
    "location": "on_site",
    "occurred": "Last Tuesday at lunch",
    "about": "self",
    "in_danger": False,
    "anonymous": True,
    "source": "test",
}


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in STORED}


def png(size=(8, 8)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    out.seek(0)
    return out


def report_events(report: Report):
    return AuditEvent.objects.filter(object_type=AUDIT_TYPE, object_id=str(report.pk))


def kinds(report: Report) -> list[str]:
    return list(report.entries.order_by("at", "id").values_list("kind", flat=True))


@pytest.fixture
def officer(world, persona):
    """The SSP officer deployed to school A alone."""
    return persona(Role.SSP_OFFICER, world.school_a)


@pytest.fixture
def report(world, dsl, officer):
    return submit_report(world.school_a).report


# Submission ---------------------------------------------------------------------------------


def test_submit_stores_every_field(world, dsl):
    submitted = report_submit(
        school=world.school_a,
        category="hate",
        description="They shout names at me because of my religion.",
        location="journey",
        occurred="Every morning this week",
        about="someone_else",
        in_danger=False,
        anonymous=False,
        name="Sam Taylor",
        year_group=8,
        photos=[png()],
        source="test",
    )
    report = Report.objects.get(pk=submitted.report.pk)
    assert report.school == world.school_a
    assert report.category == "hate"
    assert report.description == "They shout names at me because of my religion."
    assert report.location == "journey"
    assert report.occurred == "Every morning this week"
    assert report.about == "someone_else"
    assert report.in_danger is False
    assert report.anonymous is False
    assert report.pupil_name == "Sam Taylor"
    assert report.year_group == 8
    assert report.urgent is False
    assert report.urgent_reasons == []
    assert report.status == Status.NEW
    assert report.unread_by_school is True
    assert report.received_at <= report.due_at <= report.outcome_due_at
    assert report.photos.count() == 1
    assert kinds(report) == [EntryKind.RECEIVED]
    (event,) = report_events(report)
    assert event.action == AuditAction.CREATE
    assert event.actor_id is None
    assert event.detail == {"category": "hate", "urgent": False}
    assert submitted.receipt.isdigit() and len(submitted.receipt) == RECEIPT_DIGITS


def test_submit_anonymous_stores_no_name(world):
    report = submit_report(world.school_a, anonymous=True).report
    report.refresh_from_db()
    assert report.anonymous is True
    assert report.pupil_name == ""
    assert report.year_group is None


def test_in_danger_makes_a_report_urgent(world):
    report = submit_report(world.school_a, in_danger=True).report
    assert report.urgent is True
    assert report.urgent_reasons == [UrgentReason.IN_DANGER]


@pytest.mark.parametrize("category", sorted(URGENT_CATEGORIES))
def test_serious_categories_are_urgent(world, category):
    report = submit_report(world.school_a, category=category).report
    assert report.urgent is True
    assert report.urgent_reasons == [UrgentReason.CATEGORY]


@pytest.mark.parametrize(
    "category", sorted(set(Category.values) - {str(c) for c in URGENT_CATEGORIES})
)
def test_other_categories_are_not_urgent_by_themselves(world, category):
    report = submit_report(world.school_a, category=category).report
    assert report.urgent is False
    assert report.urgent_reasons == []


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("description", "He said he has a KNIFE in his bag"),
        ("description", "I want to  kill\n myself"),
        ("description", "\uff4b\uff4e\uff49\uff46\uff45"),  # "knife" in full-width letters
        ("occurred", "After the stabbed boy was found"),
    ],
)
def test_cue_words_make_a_report_urgent(world, field, text):
    report = submit_report(world.school_a, **{field: text}).report
    assert report.urgent is True
    assert report.urgent_reasons == [UrgentReason.CUE_WORDS]


def test_every_reason_is_recorded_in_order(world):
    report = submit_report(
        world.school_a, category="weapons", in_danger=True, description="he has a knife"
    ).report
    assert report.urgent_reasons == ["in_danger", "category", "cue_words"]


def test_words_inside_other_words_are_not_cues(world):
    report = submit_report(world.school_a, description="The sknife and penknifeless gunner").report
    assert report.urgent is False


BAD_FIELDS = [
    ("category", "nope"),
    ("category", ""),
    ("category", None),
    ("category", 3),
    ("category", ["bullying"]),
    ("location", "school"),
    ("location", None),
    ("about", "me"),
    ("about", True),
    ("in_danger", "yes"),
    ("in_danger", 1),
    ("in_danger", None),
    ("anonymous", "no"),
    ("anonymous", 0),
    ("description", ""),
    ("description", "   \n\t "),
    ("description", "\x00\x01"),
    ("description", None),
    ("description", 42),
    ("description", "x" * (DESCRIPTION_MAX + 1)),
    ("occurred", ""),
    ("occurred", "x" * 101),
    ("occurred", {"date": "2026-01-01"}),
]


@pytest.mark.parametrize(("field", "value"), BAD_FIELDS)
def test_bad_field_is_named_and_nothing_is_stored(world, dsl, field, value):
    submit_report(world.school_a)  # so that the counts below start from something
    before = counts()
    with pytest.raises(ValidationError) as error:
        submit_report(world.school_a, **{field: value})
    assert set(error.value.message_dict) == {field}
    assert counts() == before


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"anonymous": True, "name": "Sam"}, "name"),
        ({"anonymous": True, "year_group": 8}, "name"),
        ({"anonymous": False}, "name"),
        ({"anonymous": False, "name": "  "}, "name"),
        ({"anonymous": False, "name": "x" * 101}, "name"),
        ({"anonymous": False, "name": 7}, "name"),
        ({"anonymous": False, "name": "Sam", "year_group": 15}, "year_group"),
        ({"anonymous": False, "name": "Sam", "year_group": -2}, "year_group"),
        ({"anonymous": False, "name": "Sam", "year_group": "9"}, "year_group"),
        ({"anonymous": False, "name": "Sam", "year_group": 9.0}, "year_group"),
        ({"anonymous": False, "name": "Sam", "year_group": True}, "year_group"),
    ],
)
def test_bad_name_or_year_group_is_named_and_nothing_is_stored(world, dsl, fields, named):
    before = counts()
    with pytest.raises(ValidationError) as error:
        submit_report(world.school_a, **fields)
    assert set(error.value.message_dict) == {named}
    assert counts() == before


def test_all_problems_are_raised_together(world):
    with pytest.raises(ValidationError) as error:
        submit_report(world.school_a, category="x", location="x", description="", in_danger="x")
    assert set(error.value.message_dict) == {"category", "location", "description", "in_danger"}
    assert counts() == dict.fromkeys(counts(), 0)


def test_too_many_photos_are_refused(world):
    with pytest.raises(ValidationError) as error:
        submit_report(world.school_a, photos=[png(), png(), png(), png()])
    assert error.value.message_dict == {"photos": ["Add up to 3 photos"]}
    assert counts() == dict.fromkeys(counts(), 0)


def test_a_bad_photo_is_named_and_nothing_is_stored(world):
    with pytest.raises(ValidationError) as error:
        submit_report(world.school_a, photos=[png(), io.BytesIO(b"GIF89a not really")])
    assert error.value.message_dict == {"photos": ["Photo 2 must be a JPEG, PNG or HEIC image"]}
    assert counts() == dict.fromkeys(counts(), 0)


def test_photos_are_stored_in_order(world):
    report = submit_report(world.school_a, photos=[png((10, 5)), png((4, 12))]).report
    photos = list(report.photos.all())
    assert [(p.position, p.width, p.height) for p in photos] == [(1, 10, 5), (2, 4, 12)]
    assert all(p.content_type == "image/png" for p in photos)


def test_description_of_exactly_the_limit_is_accepted(world):
    text = "é" * DESCRIPTION_MAX
    report = submit_report(world.school_a, description=text).report
    report.refresh_from_db()
    assert report.description == text


@pytest.mark.parametrize(
    "text",
    [
        "They sent me 😡🔪 messages 👨‍👩‍👧 🏳️‍🌈",
        "يضايقني الطلاب في الحافلة كل يوم",
        "מישהו מאיים עליי",
        "有人在网上欺负我。我很害怕。",
        "ㄱㄴㄷ 학교에서 괴롭힘을 당했어요",
        "Mixed: abc مرحبا 123 שלום",
    ],
)
def test_any_language_and_emoji_round_trip(world, text):
    report = submit_report(world.school_a, description=text, occurred=text[:50]).report
    stored = Report.objects.get(pk=report.pk)
    assert stored.description == text
    assert stored.occurred == text[:50]


def test_control_characters_are_removed(world):
    report = submit_report(
        world.school_a, description="one\x00two\x07three\x1b[31m\r\nfour\x7f", occurred="\x00Monday"
    ).report
    stored = Report.objects.get(pk=report.pk)
    assert stored.description == "onetwothree[31m\nfour"
    assert stored.occurred == "Monday"


def test_markup_is_stored_as_written(world):
    text = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    report = submit_report(world.school_a, description=text).report
    assert Report.objects.get(pk=report.pk).description == text


def _text_values():
    """Every value of every text and JSON column of every model, as text."""
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        manager = model._base_manager
        for row in manager.values_list(*fields):
            for value in row:
                if value is not None:
                    yield model, str(value)


def test_the_receipt_is_stored_only_as_a_keyed_hash(world, dsl, officer, run_worker):
    submitted = submit_report(world.school_a, anonymous=False, name="Sam")
    receipt = submitted.receipt
    report = Report.objects.get(pk=submitted.report.pk)
    assert report.receipt_hash == receipt_digest(receipt)
    assert report.receipt_hash != receipt
    run_worker()
    forms = {receipt, receipt_display(receipt), receipt[:10], receipt[-10:]}
    scanned = set()
    for model, value in _text_values():
        scanned.add(model)
        for form in forms:
            assert form not in value, f"{model.__name__} holds the receipt"
    assert {Report, ReportEntry, AuditEvent, Notification, DBTaskResult} <= scanned
    assert followup_find(receipt) == report


def test_submission_is_queued_for_its_due_check(world):
    report = submit_report(world.school_a).report
    (task,) = DBTaskResult.objects.filter(task_path__endswith="report_check_due")
    assert task.args_kwargs == {"args": [str(report.pk)], "kwargs": {}}
    assert task.run_after == report.due_at


def test_a_failure_after_the_report_is_written_leaves_nothing(world, dsl, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("mail queue down")

    monkeypatch.setattr("saferschools.reporting.services.notify", fail)
    with pytest.raises(RuntimeError):
        submit_report(world.school_a)
    assert counts() == dict.fromkeys(counts(), 0)


# Routing ----------------------------------------------------------------------------------


def notified(kind: str = "report_received") -> set:
    return {n.user for n in Notification.objects.filter(kind=kind).select_related("user")}


def test_new_report_goes_to_the_schools_leads_and_officers_only(world, persona, dsl, staff):
    second_lead = persona(Role.SAFEGUARDING_LEAD, world.school_a)
    school_officer = persona(Role.SSP_OFFICER, world.school_a)
    partnership_officer = persona(Role.SSP_OFFICER, world.p)
    head = persona(Role.HEAD_TEACHER, world.school_a)
    persona(Role.SAFEGUARDING_LEAD, world.school_b)
    persona(Role.SSP_OFFICER, world.school_b)
    persona(Role.SSP_OFFICER, world.q)
    persona(Role.SSP_OFFICER, world.r)
    persona(Role.SAFEGUARDING_LEAD, world.school_d)
    persona(Role.POLICE_SUPERVISOR, world.police)
    persona(Role.AREA_ADMIN, world.area)
    persona(Role.LA_ANALYST, world.area)
    persona(Role.STEERING_MEMBER, world.p)
    persona(Role.AGENCY_PRACTITIONER, world.yot)
    persona(Role.SAFEGUARDING_LEAD, world.school_a, is_active=False)

    report = submit_report(world.school_a).report

    assert notified() == {dsl, second_lead, school_officer, partnership_officer}
    assert staff not in notified() and head not in notified()
    notification = Notification.objects.filter(kind="report_received").first()
    assert notification.object_id == str(report.pk)
    assert notification.url == reverse("reporting-report", args=[report.pk])
    assert notification.urgent is False
    assert notification.title == "New report at Oakwood School"


def test_a_school_without_lead_or_officer_reaches_its_head_and_supervisors(world, persona):
    head = persona(Role.HEAD_TEACHER, world.school_c)
    supervisor = persona(Role.POLICE_SUPERVISOR, world.police)
    persona(Role.AREA_ADMIN, world.area)
    persona(Role.HEAD_TEACHER, world.school_a)
    persona(Role.POLICE_SUPERVISOR, world.other_police)

    submit_report(world.school_c)

    assert notified() == {head, supervisor}


def test_a_school_with_nobody_reaches_the_area_administrators(world, persona):
    admin = persona(Role.AREA_ADMIN, world.area)
    persona(Role.AREA_ADMIN, world.other_area)
    persona(Role.SCHOOL_STAFF, world.school_c)

    submit_report(world.school_c)

    assert notified() == {admin}


def test_a_report_nobody_is_told_of_is_still_stored(world):
    report = submit_report(world.school_c).report
    assert Report.objects.filter(pk=report.pk).exists()
    assert not Notification.objects.exists()


def test_urgent_alerts_are_marked_urgent(world, dsl):
    submit_report(world.school_a, in_danger=True)
    (notification,) = Notification.objects.filter(user=dsl)
    assert notification.urgent is True
    assert notification.title == "New urgent report at Oakwood School"


def test_the_worker_emails_each_receiver_a_link_and_no_content(
    world, dsl, officer, staff, run_worker, settings
):
    settings.BASE_URL = "https://saferschools.example"
    description = "The boy in 10B called Jordan keeps threatening me"
    occurred = "Thursday behind the sports hall"
    report = submit_report(
        world.school_a,
        description=description,
        occurred=occurred,
        anonymous=False,
        name="Priya Shah",
        year_group=10,
    ).report
    assert mail.outbox == []

    run_worker()

    assert sorted(m.to[0] for m in mail.outbox) == sorted([dsl.email, officer.email])
    link = "https://saferschools.example" + reverse("reporting-report", args=[report.pk])
    for message in mail.outbox:
        assert len(message.to) == 1
        assert message.subject == "SaferSchools: New report at Oakwood School"
        assert link in message.body
        for secret in (description, occurred, "Priya", "Shah", "Jordan", "10B"):
            assert secret not in message.body
            assert secret not in message.subject
    assert not DBTaskResult.objects.failed().exists()


def test_urgent_email_subject_says_urgent(world, dsl, run_worker):
    submit_report(world.school_a, category="self_harm")
    run_worker()
    (message,) = mail.outbox
    assert message.subject == "SaferSchools: URGENT: New urgent report at Oakwood School"


# Staff steps --------------------------------------------------------------------------------


def test_acknowledge_once(report, dsl):
    acknowledged = report_acknowledge(actor=dsl, report=report, source="test")
    assert acknowledged.status == Status.ACKNOWLEDGED
    assert acknowledged.acknowledged_by == dsl
    assert acknowledged.acknowledged_at is not None
    first_at = acknowledged.acknowledged_at
    events = report_events(report).count()

    again = report_acknowledge(actor=dsl, report=report, source="test")

    assert again.acknowledged_at == first_at
    assert kinds(report) == [EntryKind.RECEIVED, EntryKind.ACKNOWLEDGED]
    assert report_events(report).count() == events
    stored = Report.objects.get(pk=report.pk)
    assert stored.status == Status.ACKNOWLEDGED and stored.acknowledged_by == dsl


def test_acknowledge_of_a_closed_report_is_refused(report, dsl):
    report_close(actor=dsl, report=report, outcome="advice_given", source="test")
    with pytest.raises(ValidationError) as error:
        report_acknowledge(actor=dsl, report=report, source="test")
    assert set(error.value.message_dict) == {"status"}


def test_assign_to_a_colleague_who_is_told_and_can_then_read_it(report, dsl, staff):
    assert not access.scope(staff, Report).filter(pk=report.pk).exists()

    report_assign(actor=dsl, report=report, assignee=staff, source="test")

    stored = Report.objects.get(pk=report.pk)
    assert stored.assigned_to == staff
    entry = report.entries.get(kind=EntryKind.ASSIGNED)
    assert entry.actor == dsl and entry.subject == staff.full_name
    assert report_events(report).filter(detail__step="assign").count() == 1
    (notification,) = Notification.objects.filter(user=staff)
    assert notification.kind == "report_assigned"
    assert notification.url == reverse("reporting-report", args=[report.pk])
    assert access.get_report_for_user(staff, report.pk) == report
    assert access.get_report_for_user(staff, report.pk, write=True) == report


def test_assign_to_the_same_person_again_changes_nothing(report, dsl, staff):
    report_assign(actor=dsl, report=report, assignee=staff, source="test")
    entries, events = report.entries.count(), report_events(report).count()
    report_assign(actor=dsl, report=report, assignee=staff, source="test")
    assert (report.entries.count(), report_events(report).count()) == (entries, events)
    assert Notification.objects.filter(user=staff).count() == 1


def test_assign_to_oneself_tells_nobody(report, dsl):
    report_assign(actor=dsl, report=report, assignee=dsl, source="test")
    assert Report.objects.get(pk=report.pk).assigned_to == dsl
    assert not Notification.objects.filter(user=dsl, kind="report_assigned").exists()


@pytest.mark.parametrize(
    "who",
    ["school_b_staff", "outside_officer", "practitioner", "supervisor", "admin", "inactive", None],
)
def test_assign_to_someone_outside_the_school_is_refused(
    report, dsl, world, persona, outside_officer, practitioner, who
):
    people = {
        "school_b_staff": lambda: persona(Role.SCHOOL_STAFF, world.school_b),
        "outside_officer": lambda: outside_officer,
        "practitioner": lambda: practitioner,
        "supervisor": lambda: persona(Role.POLICE_SUPERVISOR, world.police),
        "admin": lambda: persona(Role.AREA_ADMIN, world.area),
        "inactive": lambda: persona(Role.SCHOOL_STAFF, world.school_a, is_active=False),
        None: lambda: None,
    }
    assignee = people[who]()
    entries, events = report.entries.count(), report_events(report).count()
    with pytest.raises(ValidationError) as error:
        report_assign(actor=dsl, report=report, assignee=assignee, source="test")
    assert set(error.value.message_dict) == {"assignee"}
    assert Report.objects.get(pk=report.pk).assigned_to is None
    assert (report.entries.count(), report_events(report).count()) == (entries, events)


def test_reply_acknowledges_and_the_pupil_reads_it(report, dsl):
    entry = report_reply(
        actor=dsl, report=report, body="  Thank you for telling us.\r\n  ", source="test"
    )
    assert entry.kind == EntryKind.SCHOOL_MESSAGE
    assert entry.body == "Thank you for telling us."
    stored = Report.objects.get(pk=report.pk)
    assert stored.status == Status.ACKNOWLEDGED and stored.acknowledged_by == dsl
    assert kinds(report) == [EntryKind.RECEIVED, EntryKind.ACKNOWLEDGED, EntryKind.SCHOOL_MESSAGE]
    assert list(followup_messages(report=report)) == [entry]
    assert report_events(report).filter(detail__step="reply").count() == 1


@pytest.mark.parametrize("body", ["", "   ", None, 3, "x" * 2001])
def test_bad_reply_is_named_and_changes_nothing(report, dsl, body):
    with pytest.raises(ValidationError) as error:
        report_reply(actor=dsl, report=report, body=body, source="test")
    assert set(error.value.message_dict) == {"body"}
    assert Report.objects.get(pk=report.pk).status == Status.NEW
    assert kinds(report) == [EntryKind.RECEIVED]


def test_note_is_kept_from_the_pupil(report, dsl):
    entry = report_add_note(actor=dsl, report=report, body="Spoke to form tutor.", source="test")
    assert entry.kind == EntryKind.NOTE and entry.actor == dsl
    assert list(followup_messages(report=report)) == []
    # A note is not an acknowledgement.
    assert Report.objects.get(pk=report.pk).status == Status.NEW
    assert report_events(report).filter(detail__step="note").count() == 1
    with pytest.raises(ValidationError) as error:
        report_add_note(actor=dsl, report=report, body="", source="test")
    assert set(error.value.message_dict) == {"body"}


def test_link_and_unlink_a_pupil_of_the_school(report, dsl, world):
    report_link_pupil(actor=dsl, report=report, pupil=world.pupil_a, source="test")
    assert Report.objects.get(pk=report.pk).pupil == world.pupil_a
    linked = report.entries.get(kind=EntryKind.PUPIL_LINKED)
    assert linked.subject == world.pupil_a.name
    # Linking the same pupil again changes nothing.
    report_link_pupil(actor=dsl, report=report, pupil=world.pupil_a, source="test")
    assert report.entries.filter(kind=EntryKind.PUPIL_LINKED).count() == 1

    report_link_pupil(actor=dsl, report=report, pupil=None, source="test")
    assert Report.objects.get(pk=report.pk).pupil is None
    assert report.entries.filter(kind=EntryKind.PUPIL_UNLINKED).count() == 1
    steps = list(report_events(report).values_list("detail__step", flat=True))
    assert steps.count("link_pupil") == 1 and steps.count("unlink_pupil") == 1


@pytest.mark.parametrize("letter", ["b", "c", "d"])
def test_a_pupil_of_another_school_cannot_be_linked(report, dsl, world, letter):
    with pytest.raises(ValidationError) as error:
        report_link_pupil(
            actor=dsl, report=report, pupil=getattr(world, f"pupil_{letter}"), source="test"
        )
    assert set(error.value.message_dict) == {"pupil"}
    assert Report.objects.get(pk=report.pk).pupil is None
    assert kinds(report) == [EntryKind.RECEIVED]


@pytest.mark.parametrize("outcome", ["", "solved", None, 1, ["advice_given"], "ADVICE_GIVEN"])
def test_close_with_a_bad_outcome_is_refused(report, dsl, outcome):
    with pytest.raises(ValidationError) as error:
        report_close(actor=dsl, report=report, outcome=outcome, source="test")
    assert set(error.value.message_dict) == {"outcome"}
    assert Report.objects.get(pk=report.pk).status == Status.NEW
    assert kinds(report) == [EntryKind.RECEIVED]


def test_close_with_a_bad_note_is_refused(report, dsl):
    with pytest.raises(ValidationError) as error:
        report_close(actor=dsl, report=report, outcome="advice_given", note=5, source="test")
    assert set(error.value.message_dict) == {"note"}
    assert Report.objects.get(pk=report.pk).status == Status.NEW


@pytest.mark.parametrize("outcome", Outcome.values)
def test_close_with_an_outcome(report, dsl, outcome):
    closed = report_close(
        actor=dsl, report=report, outcome=outcome, note="Talked it through.", source="test"
    )
    stored = Report.objects.get(pk=closed.pk)
    assert stored.status == Status.CLOSED
    assert stored.outcome == outcome
    assert stored.closed_by == dsl and stored.closed_at is not None
    # Closing a report nobody acknowledged acknowledges it too.
    assert stored.acknowledged_by == dsl
    entry = report.entries.get(kind=EntryKind.CLOSED)
    assert entry.subject == Outcome(outcome).label
    assert entry.body == "Talked it through."
    assert list(followup_messages(report=report)) == []


def test_a_closed_report_refuses_replies_and_a_second_close(report, dsl):
    report_close(actor=dsl, report=report, outcome="resolved_in_school", source="test")
    with pytest.raises(ValidationError) as error:
        report_reply(actor=dsl, report=report, body="One more thing", source="test")
    assert set(error.value.message_dict) == {"body"}
    with pytest.raises(ValidationError) as error:
        report_close(actor=dsl, report=report, outcome="advice_given", source="test")
    assert set(error.value.message_dict) == {"status"}
    assert Report.objects.get(pk=report.pk).outcome == "resolved_in_school"


def test_the_database_holds_closed_reports_to_an_outcome(report):
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(status=Status.CLOSED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(outcome="advice_given")
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(anonymous=True, pupil_name="Sam")


def test_reopen(report, dsl):
    with pytest.raises(ValidationError) as error:
        report_reopen(actor=dsl, report=report, source="test")
    assert set(error.value.message_dict) == {"status"}

    report_close(actor=dsl, report=report, outcome="no_further_action", source="test")
    reopened = report_reopen(actor=dsl, report=report, source="test")

    stored = Report.objects.get(pk=reopened.pk)
    assert stored.status == Status.ACKNOWLEDGED
    assert (stored.outcome, stored.closed_at, stored.closed_by) == ("", None, None)
    assert stored.outcome_due_at > stored.received_at
    assert kinds(report)[-1] == EntryKind.REOPENED
    report_reply(actor=dsl, report=report, body="We are looking again.", source="test")


def test_pupil_writing_back_reopens_a_closed_report_and_tells_the_receivers(report, dsl, officer):
    report_close(actor=dsl, report=report, outcome="advice_given", source="test")
    Notification.objects.all().delete()

    entry = followup_reply(report=report, body="It started again today.", source="test")

    assert entry.kind == EntryKind.PUPIL_MESSAGE and entry.actor is None
    stored = Report.objects.get(pk=report.pk)
    assert stored.status == Status.ACKNOWLEDGED
    assert stored.outcome == "" and stored.closed_at is None
    assert stored.unread_by_school is True
    assert kinds(report)[-2:] == [EntryKind.REOPENED, EntryKind.PUPIL_MESSAGE]
    assert notified("report_pupil_message") == {dsl, officer}
    assert [m.body for m in followup_messages(report=report)] == ["It started again today."]


def test_pupil_writing_back_tells_the_assignee_only(report, dsl, officer, staff):
    report_assign(actor=dsl, report=report, assignee=staff, source="test")
    followup_reply(report=report, body="Hello?", source="test")
    assert notified("report_pupil_message") == {staff}


@pytest.mark.parametrize("body", ["", None, ["x"], "x" * 2001])
def test_bad_pupil_message_changes_nothing(report, body):
    with pytest.raises(ValidationError) as error:
        followup_reply(report=report, body=body, source="test")
    assert set(error.value.message_dict) == {"body"}
    assert kinds(report) == [EntryKind.RECEIVED]


def test_every_step_is_in_the_timeline_and_the_audit_log(world, dsl, staff, run_worker):
    submitted = submit_report(world.school_a)
    report = submitted.report
    steps = [
        lambda: report_acknowledge(actor=dsl, report=report, source="test"),
        lambda: report_assign(actor=dsl, report=report, assignee=staff, source="test"),
        lambda: report_reply(actor=staff, report=report, body="We hear you.", source="test"),
        lambda: report_add_note(actor=staff, report=report, body="Tutor told.", source="test"),
        lambda: report_link_pupil(actor=dsl, report=report, pupil=world.pupil_a, source="test"),
        lambda: followup_reply(
            report=followup_find(submitted.receipt), body="Thanks", source="test"
        ),
        lambda: report_close(actor=dsl, report=report, outcome="referred", source="test"),
        lambda: report_reopen(actor=dsl, report=report, source="test"),
    ]
    for step in steps:
        entries, events = report.entries.count(), report_events(report).count()
        step()
        assert report.entries.count() == entries + 1
        assert report_events(report).count() == events + 1
    assert kinds(report) == [
        EntryKind.RECEIVED,
        EntryKind.ACKNOWLEDGED,
        EntryKind.ASSIGNED,
        EntryKind.SCHOOL_MESSAGE,
        EntryKind.NOTE,
        EntryKind.PUPIL_LINKED,
        EntryKind.PUPIL_MESSAGE,
        EntryKind.CLOSED,
        EntryKind.REOPENED,
    ]
    run_worker()
    assert audit_verify().ok
    # Nothing from the pupil or the staff's words reached an audit event.
    for event in report_events(report):
        assert not re.search(r"We hear you|Tutor told|Thanks", str(event.detail))


def test_pupil_writing_back_after_the_assignee_left_tells_the_receivers(
    report, dsl, officer, staff
):
    report_assign(actor=dsl, report=report, assignee=staff, source="test")
    Membership.objects.filter(user=staff).delete()
    followup_reply(report=report, body="Is anyone there?", source="test")
    assert notified("report_pupil_message") == {dsl, officer}


# Which schools take reports ---------------------------------------------------------------


def test_schools_in_a_partnership_take_reports(world):
    assert school_for_reports(world.school_a.urn) == world.school_a
    assert school_for_reports(str(world.school_d.urn)) == world.school_d


@pytest.mark.parametrize(
    "urn", ["school_e", "closed", None, "", "abc", "1e5", -1, "9" * 30, 2**63, 10**19]
)
def test_other_urns_take_no_reports(world, urn):
    if urn == "school_e":  # in no partnership: nobody would read its reports
        urn = world.school_e.urn
    elif urn == "closed":
        School.objects.filter(pk=world.school_c.pk).update(is_open=False)
        urn = world.school_c.urn
    with pytest.raises(School.DoesNotExist):
        school_for_reports(urn)


def test_long_names_fit_the_timeline(report, dsl, world, persona):
    pupil = PupilFactory(school=world.school_a, given_name="G" * 100, family_name="F" * 100)
    report_link_pupil(actor=dsl, report=report, pupil=pupil, source="test")
    assert report.entries.get(kind=EntryKind.PUPIL_LINKED).subject == pupil.name[:200]
    colleague = persona(
        Role.SCHOOL_STAFF, world.school_a, full_name="", email="x" * 240 + "@s.example"
    )
    report_assign(actor=dsl, report=report, assignee=colleague, source="test")
    assert report.entries.get(kind=EntryKind.ASSIGNED).subject == colleague.email[:200]
