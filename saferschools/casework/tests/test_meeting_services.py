"""Recording and changing multi-agency meetings: what is checked, what is written, what the
audit log says."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.casework.meeting_services import (
    ActionInput,
    GuestInput,
    MeetingInput,
    PupilNoteInput,
    meeting_action_set_done,
    meeting_record,
    meeting_update,
)
from saferschools.casework.models import (
    Meeting,
    MeetingAction,
    MeetingGuest,
    MeetingPupil,
    PupilTransfer,
    TransferReason,
    TransferStatus,
)
from saferschools.core.audit import audit_verify
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.lib.schooldays import LONDON
from saferschools.testing.factories import PupilFactory

pytestmark = pytest.mark.django_db

MEETING_TYPE = "casework.meeting"
PUPIL_TYPE = "casework.pupil"


@pytest.fixture
def officer(world, persona):
    return persona(Role.SSP_OFFICER, world.p, full_name="Pat Officer")


@pytest.fixture
def yot_worker(world, persona):
    return persona(Role.AGENCY_PRACTITIONER, world.yot, full_name="Yasmin Ortiz")


@pytest.fixture
def ava(world):
    return PupilFactory(school=world.school_a, given_name="Ava", family_name="Brown")


def good(world, dsl, officer, yot_worker, **changes) -> MeetingInput:
    values = {
        "title": "Year 9 early help panel",
        "held_at": datetime(2026, 3, 4, 15, 30, tzinfo=LONDON),
        "location": "Library",
        "attendee_ids": [str(dsl.pk), str(officer.pk), str(yot_worker.pk)],
        "guests": [GuestInput(name="Jo Parent", organisation="Family Support Trust")],
        "pupils": [PupilNoteInput(pupil_id=str(world.pupil_a.pk), note="Attendance falling.")],
        "decisions": "Offer a mentor.",
        "actions": [
            ActionInput(
                description="Arrange a mentor", due_on=date(2026, 3, 18), owner_id=str(dsl.pk)
            ),
            ActionInput(description="Call the family", due_on=date(2026, 3, 11), owner_name="Jo"),
        ],
    }
    values.update(changes)
    return MeetingInput(**values)


@pytest.fixture
def meeting(world, dsl, officer, yot_worker):
    return meeting_record(
        actor=dsl, school=world.school_a, data=good(world, dsl, officer, yot_worker), source="t"
    )


def test_recording_stores_everything_and_audits_the_meeting_and_each_pupil(
    world, dsl, officer, yot_worker, meeting
):
    assert meeting.school == world.school_a
    assert meeting.recorded_by == dsl
    assert set(meeting.attendees.all()) == {dsl, officer, yot_worker}
    guest = MeetingGuest.objects.get(meeting=meeting)
    assert (guest.name, guest.organisation, guest.role) == ("Jo Parent", "Family Support Trust", "")
    (row,) = MeetingPupil.objects.filter(meeting=meeting)
    assert (row.pupil, row.note) == (world.pupil_a, "Attendance falling.")
    actions = list(MeetingAction.objects.filter(meeting=meeting))
    assert [(a.description, a.owner, a.owner_name) for a in actions] == [
        ("Call the family", None, "Jo"),
        ("Arrange a mentor", dsl, ""),
    ]
    created = AuditEvent.objects.get(object_type=MEETING_TYPE, action=AuditAction.CREATE)
    assert created.detail == {
        "school_urn": world.school_a.urn,
        "attendees": 3,
        "guests": 1,
        "pupils": 1,
        "actions": 2,
    }
    on_pupil = AuditEvent.objects.get(object_type=PUPIL_TYPE, object_id=str(world.pupil_a.pk))
    assert on_pupil.action == AuditAction.UPDATE
    assert on_pupil.detail == {"meeting": str(meeting.pk), "change": "discussed"}
    # Nothing of what was said is in the audit log.
    assert "Attendance" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))
    assert audit_verify().ok


def test_attendees_are_people_of_the_school_its_police_and_the_areas_agencies(
    world, persona, dsl, officer, yot_worker
):
    analyst = persona(Role.LA_ANALYST, world.area)
    other_area = persona(Role.AGENCY_PRACTITIONER, world.other_police)
    dsl_c = persona(Role.SAFEGUARDING_LEAD, world.school_c)
    for outsider in (analyst, other_area, dsl_c):
        with pytest.raises(ValidationError) as raised:
            meeting_record(
                actor=dsl,
                school=world.school_a,
                data=good(world, dsl, officer, yot_worker, attendee_ids=[str(outsider.pk)]),
                source="t",
            )
        assert raised.value.message_dict["attendee_ids"] == ["Choose people from the list"]
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"held_at": "2026-03-04"}, "held_at"),
        ({"held_at": datetime(1999, 3, 4, 15, 0, tzinfo=LONDON)}, "held_at"),
        ({"location": 5}, "location"),
        ({"attendee_ids": "everyone"}, "attendee_ids"),
        ({"attendee_ids": ["not-an-id"]}, "attendee_ids"),
        ({"guests": [GuestInput(name="", organisation="Trust")]}, "guests[0].name"),
        ({"guests": [GuestInput(name="Jo", organisation="")]}, "guests[0].organisation"),
        ({"guests": "Jo"}, "guests"),
        ({"pupils": [PupilNoteInput(pupil_id="x", note="Hi")]}, "pupils[0].pupil_id"),
        ({"pupils": [PupilNoteInput(pupil_id="pupil_b", note="Hi")]}, "pupils[0].pupil_id"),
        ({"pupils": [PupilNoteInput(pupil_id="pupil_a", note="")]}, "pupils[0].note"),
        ({"pupils": [PupilNoteInput(pupil_id="pupil_a", note="x" * 2001)]}, "pupils[0].note"),
        (
            {
                "pupils": [
                    PupilNoteInput(pupil_id="pupil_a", note="One"),
                    PupilNoteInput(pupil_id="pupil_a", note="Two"),
                ]
            },
            "pupils[1].pupil_id",
        ),
        (
            {"actions": [ActionInput(description="", due_on=date(2026, 3, 9), owner_name="J")]},
            "actions[0].description",
        ),
        (
            {"actions": [ActionInput(description="Call", due_on="soon", owner_name="J")]},
            "actions[0].due_on",
        ),
        (
            {"actions": [ActionInput(description="Call", due_on=date(2026, 3, 9))]},
            "actions[0].owner_id",
        ),
        (
            {"actions": [ActionInput(description="Call", due_on=date(2026, 3, 9), owner_id="x")]},
            "actions[0].owner_id",
        ),
        (
            {
                "actions": [
                    ActionInput(
                        description="Call", due_on=date(2026, 3, 9), owner_id="dsl", owner_name="J"
                    )
                ]
            },
            "actions[0].owner_name",
        ),
        (
            {
                "actions": [
                    ActionInput(
                        description="Call",
                        due_on=date(2026, 3, 9),
                        owner_name="J",
                        action_id="00000000-0000-0000-0000-000000000000",
                    )
                ]
            },
            "actions[0].action_id",
        ),
        (
            {
                "actions": [
                    ActionInput(
                        description="Call", due_on=date(2026, 3, 9), owner_name="J", done="yes"
                    )
                ]
            },
            "actions[0].done",
        ),
        ({"decisions": "x" * 20_001}, "decisions"),
    ],
    ids=[
        "no-title",
        "long-title",
        "held-not-a-time",
        "held-before-2000",
        "location-not-text",
        "attendees-not-a-list",
        "attendee-not-an-id",
        "guest-without-name",
        "guest-without-organisation",
        "guests-not-a-list",
        "pupil-not-an-id",
        "pupil-of-another-school",
        "pupil-without-note",
        "note-too-long",
        "pupil-twice",
        "action-without-description",
        "action-due-not-a-date",
        "action-without-owner",
        "action-owner-unknown",
        "action-owner-twice",
        "action-of-another-meeting",
        "done-not-a-boolean",
        "decisions-too-long",
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    world, dsl, officer, yot_worker, changes, field
):
    people = {
        "pupil_a": str(world.pupil_a.pk),
        "pupil_b": str(world.pupil_b.pk),
        "dsl": str(dsl.pk),
    }

    def swap(value):
        if isinstance(value, PupilNoteInput):
            return PupilNoteInput(
                pupil_id=people.get(value.pupil_id, value.pupil_id), note=value.note
            )
        if isinstance(value, ActionInput) and value.owner_id in people:
            return ActionInput(**{**value.__dict__, "owner_id": people[value.owner_id]})
        return value

    changes = {
        key: [swap(v) for v in value] if isinstance(value, list) else value
        for key, value in changes.items()
    }
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as raised:
        meeting_record(
            actor=dsl,
            school=world.school_a,
            data=good(world, dsl, officer, yot_worker, **changes),
            source="t",
        )
    assert field in raised.value.message_dict
    assert not Meeting.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_pupil_whose_record_awaits_another_school_cannot_be_added(
    world, dsl, officer, yot_worker
):
    PupilTransfer.objects.create(
        pupil=world.pupil_a,
        from_school=world.school_a,
        to_school=world.school_b,
        reason=TransferReason.MANAGED_MOVE,
        status=TransferStatus.SENT,
        sent_by=dsl,
        sent_at=timezone.now(),
    )
    with pytest.raises(ValidationError) as raised:
        meeting_record(
            actor=dsl, school=world.school_a, data=good(world, dsl, officer, yot_worker), source="t"
        )
    assert "read-only" in raised.value.message_dict["pupils[0].pupil_id"][0]


def test_changing_writes_only_what_changed_and_names_it(
    world, dsl, officer, yot_worker, meeting, ava
):
    mentor, call = (
        MeetingAction.objects.get(meeting=meeting, description=d)
        for d in ("Arrange a mentor", "Call the family")
    )
    data = good(
        world,
        dsl,
        officer,
        yot_worker,
        title="Year 9 panel (spring)",
        attendee_ids=[str(dsl.pk), str(officer.pk)],
        pupils=[
            PupilNoteInput(pupil_id=str(world.pupil_a.pk), note="Attendance improving."),
            PupilNoteInput(pupil_id=str(ava.pk), note="New concern."),
        ],
        actions=[
            ActionInput(
                description="Arrange a mentor",
                due_on=date(2026, 3, 18),
                owner_id=str(dsl.pk),
                done=True,
                action_id=str(mentor.pk),
            ),
        ],
    )
    with time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=LONDON), tick=False):
        meeting_update(actor=dsl, meeting=meeting, data=data, source="t")
    meeting.refresh_from_db()
    assert meeting.title == "Year 9 panel (spring)"
    assert set(meeting.attendees.all()) == {dsl, officer}
    assert dict(MeetingPupil.objects.filter(meeting=meeting).values_list("pupil_id", "note")) == {
        world.pupil_a.pk: "Attendance improving.",
        ava.pk: "New concern.",
    }
    mentor.refresh_from_db()
    assert mentor.done_at == datetime(2026, 3, 10, 9, 0, tzinfo=LONDON)
    assert not MeetingAction.objects.filter(pk=call.pk).exists()
    event = AuditEvent.objects.filter(object_type=MEETING_TYPE, action=AuditAction.UPDATE).get()
    assert event.detail == {"fields": ["title", "attendees", "pupils", "actions"]}
    pupil_events = {
        (e.object_id, e.detail["change"])
        for e in AuditEvent.objects.filter(object_type=PUPIL_TYPE, detail__meeting=str(meeting.pk))
    }
    assert pupil_events == {
        (str(world.pupil_a.pk), "discussed"),
        (str(world.pupil_a.pk), "note"),
        (str(ava.pk), "discussed"),
    }


def test_saving_the_same_minutes_changes_nothing(world, dsl, officer, yot_worker, meeting):
    actions = list(MeetingAction.objects.filter(meeting=meeting).order_by("due_on"))
    data = good(
        world,
        dsl,
        officer,
        yot_worker,
        actions=[
            ActionInput(
                description=a.description,
                due_on=a.due_on,
                owner_id=str(a.owner_id) if a.owner_id else None,
                owner_name=a.owner_name,
                action_id=str(a.pk),
            )
            for a in actions
        ],
    )
    events = AuditEvent.objects.count()
    updated_at = Meeting.objects.get(pk=meeting.pk).updated_at
    meeting_update(actor=dsl, meeting=meeting, data=data, source="t")
    assert AuditEvent.objects.count() == events
    assert Meeting.objects.get(pk=meeting.pk).updated_at == updated_at


def test_removing_a_pupil_is_on_their_record(world, dsl, officer, yot_worker, meeting):
    meeting_update(
        actor=dsl,
        meeting=meeting,
        data=good(world, dsl, officer, yot_worker, pupils=[]),
        source="t",
    )
    assert not MeetingPupil.objects.filter(meeting=meeting).exists()
    assert AuditEvent.objects.filter(
        object_type=PUPIL_TYPE,
        object_id=str(world.pupil_a.pk),
        detail={"meeting": str(meeting.pk), "change": "removed"},
    ).exists()


def test_someone_who_has_left_stays_listed_on_a_meeting_they_attended(
    world, dsl, officer, yot_worker, meeting
):
    yot_worker.memberships.all().delete()
    data = good(world, dsl, officer, yot_worker, title="Renamed")
    meeting_update(actor=dsl, meeting=meeting, data=data, source="t")
    assert yot_worker in Meeting.objects.get(pk=meeting.pk).attendees.all()


def test_marking_an_action_done_and_not_done(world, dsl, meeting):
    action = MeetingAction.objects.get(meeting=meeting, description="Arrange a mentor")
    moment = timezone.now() - timedelta(minutes=1)
    with time_machine.travel(moment, tick=False):
        meeting_action_set_done(actor=dsl, action=action, done=True, source="t")
    assert MeetingAction.objects.get(pk=action.pk).done_at == moment
    # Again: nothing changes, nothing is written.
    events = AuditEvent.objects.count()
    meeting_action_set_done(actor=dsl, action=action, done=True, source="t")
    assert AuditEvent.objects.count() == events
    meeting_action_set_done(actor=dsl, action=action, done=False, source="t")
    assert MeetingAction.objects.get(pk=action.pk).done_at is None
    details = [
        e.detail
        for e in AuditEvent.objects.filter(object_type=MEETING_TYPE, action=AuditAction.UPDATE)
    ]
    assert details == [
        {"action": str(action.pk), "done": True},
        {"action": str(action.pk), "done": False},
    ]
