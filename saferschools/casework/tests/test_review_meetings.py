"""Multi-agency meetings after a pupil's record has moved to another school: the sending school
keeps its meetings but no longer sees the moved pupil in them, and changing the minutes leaves
that pupil's row as it was; and what reading the minutes costs as pupils are added."""

import io
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from saferschools.accounts.models import Role
from saferschools.casework import transfer_services
from saferschools.casework.meeting_services import (
    ActionInput,
    MeetingInput,
    PupilNoteInput,
    meeting_record,
    meeting_update,
)
from saferschools.casework.models import Meeting, MeetingPupil
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.lib.schooldays import LONDON
from saferschools.testing.factories import PupilFactory

pytestmark = pytest.mark.django_db

MOVED_NOTE = "Moved pupil: stays out late most nights."
STAYING_NOTE = "Staying pupil: attendance is falling."
HIDDEN = "A pupil whose record is not shared with you"


@pytest.fixture
def officer(world, persona):
    return persona(Role.SSP_OFFICER, world.school_a)


@pytest.fixture
def receiver(world, persona):
    return persona(Role.SAFEGUARDING_LEAD, world.school_c)


@pytest.fixture
def moved(world):
    return PupilFactory(school=world.school_a, given_name="Milo", family_name="Hartley")


@pytest.fixture
def staying(world):
    return PupilFactory(school=world.school_a, given_name="Sara", family_name="Quint")


@pytest.fixture
def meeting(world, dsl, moved, staying):
    return meeting_record(
        actor=dsl,
        school=world.school_a,
        data=MeetingInput(
            title="Spring panel",
            held_at=datetime(2026, 3, 4, 15, 30, tzinfo=LONDON),
            pupils=[
                PupilNoteInput(pupil_id=str(moved.pk), note=MOVED_NOTE),
                PupilNoteInput(pupil_id=str(staying.pk), note=STAYING_NOTE),
            ],
        ),
        source="test",
    )


def move(dsl, receiver, pupil, school, *, confirm=True):
    transfer = transfer_services.transfer_send(
        actor=dsl, pupil=pupil, to_school=school, reason="managed_move", notes="", source="test"
    )
    if confirm:
        transfer_services.transfer_confirm(
            actor=receiver,
            transfer=transfer,
            new_pupil=transfer_services.NewPupil("NEW1"),
            source="test",
        )
    return transfer


def pdf_text(response) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def pupil_reads(pupil):
    return AuditEvent.objects.filter(object_type="casework.pupil", object_id=str(pupil.pk)).exclude(
        action__in=[AuditAction.CREATE, AuditAction.UPDATE, AuditAction.SHARE]
    )


class _FormValues(HTMLParser):
    """The values a browser would send, unchanged, for the POST form of a page going to
    ``action``."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.data: dict[str, list[str]] = {}
        self._in_form = False
        self._textarea: str | None = None
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and values.get("action") == self.action and not self._done:
            self._in_form = True
        if not self._in_form:
            return
        name = values.get("name")
        if tag == "input" and name:
            kind = values.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in values:
                return
            if kind == "submit":
                return
            self.data.setdefault(name, []).append(values.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")
        elif tag == "button" and name and values.get("value") and name == "save":
            self.data.setdefault(name, []).append(values["value"])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        if tag == "form" and self._in_form:
            self._in_form = False
            self._done = True


def form_values(html: str, action: str) -> dict[str, list[str]]:
    parser = _FormValues(action)
    parser.feed(html)
    # A textarea's content starts after a newline the browser drops.
    return {
        name: [value[1:] if value.startswith("\n") else value for value in values]
        for name, values in parser.data.items()
    }


# Reading the minutes --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dsl", "officer"])
def test_the_sending_school_no_longer_sees_a_moved_pupil_in_the_minutes(
    client, request, world, dsl, receiver, meeting, moved, staying, who
):
    move(dsl, receiver, moved, world.school_c)
    reader = request.getfixturevalue(who)
    client.force_login(reader)
    page = client.get(reverse("casework-meeting", args=[meeting.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert moved.family_name not in body and MOVED_NOTE not in body
    assert reverse("casework-pupil", args=[moved.pk]) not in body
    assert HIDDEN in body
    assert staying.family_name in body and STAYING_NOTE in body
    pdf = client.get(reverse("casework-meeting-pdf", args=[meeting.pk]))
    assert pdf.status_code == 200
    text = pdf_text(pdf)
    assert "Hartley" not in text and "stays out late" not in text
    assert "Quint" in text and HIDDEN in text
    # Nothing of the moved pupil was read, so nothing of them is audited as read.
    assert not pupil_reads(moved).filter(actor_id=reader.pk).exists()
    assert pupil_reads(staying).filter(actor_id=reader.pk).count() == 2


def test_while_the_move_awaits_confirmation_the_sending_school_still_reads_the_pupil(
    client, world, dsl, receiver, meeting, moved
):
    move(dsl, receiver, moved, world.school_c, confirm=False)
    client.force_login(dsl)
    body = client.get(reverse("casework-meeting", args=[meeting.pk])).content.decode()
    assert moved.family_name in body and MOVED_NOTE in body


# Changing the minutes -------------------------------------------------------------------------


def test_the_edit_form_leaves_out_a_moved_pupil(client, world, dsl, receiver, meeting, moved):
    move(dsl, receiver, moved, world.school_c)
    client.force_login(dsl)
    page = client.get(reverse("casework-edit-meeting", args=[meeting.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert moved.family_name not in body and MOVED_NOTE not in body
    assert str(moved.pk) not in body
    assert "Quint" in body and STAYING_NOTE in body


def test_saving_the_minutes_unchanged_keeps_the_moved_pupils_row(
    client, world, dsl, receiver, meeting, moved, staying
):
    move(dsl, receiver, moved, world.school_c)
    client.force_login(dsl)
    url = reverse("casework-edit-meeting", args=[meeting.pk])
    data = form_values(client.get(url).content.decode(), url)
    assert data["title"] == ["Spring panel"]
    data["title"] = ["Spring panel (amended)"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    notes = dict(MeetingPupil.objects.filter(meeting=meeting).values_list("pupil_id", "note"))
    assert notes == {moved.pk: MOVED_NOTE, staying.pk: STAYING_NOTE}
    meeting.refresh_from_db()
    assert meeting.title == "Spring panel (amended)"


def test_naming_a_moved_pupil_again_is_refused_and_changes_nothing(
    world, dsl, receiver, meeting, moved, staying
):
    move(dsl, receiver, moved, world.school_c)
    before = list(MeetingPupil.objects.filter(meeting=meeting).values_list("pupil_id", "note"))
    with pytest.raises(ValidationError) as refused:
        meeting_update(
            actor=dsl,
            meeting=meeting,
            data=MeetingInput(
                title="Spring panel",
                held_at=meeting.held_at,
                pupils=[
                    PupilNoteInput(pupil_id=str(moved.pk), note="Changed by the sending school"),
                    PupilNoteInput(pupil_id=str(staying.pk), note=STAYING_NOTE),
                ],
            ),
            source="test",
        )
    assert refused.value.message_dict == {"pupils[0].pupil_id": ["Choose a pupil of this school"]}
    after = list(MeetingPupil.objects.filter(meeting=meeting).values_list("pupil_id", "note"))
    assert sorted(after) == sorted(before)


def test_removing_the_staying_pupil_keeps_the_moved_one(
    world, dsl, receiver, meeting, moved, staying
):
    move(dsl, receiver, moved, world.school_c)
    meeting_update(
        actor=dsl,
        meeting=meeting,
        data=MeetingInput(title="Spring panel", held_at=meeting.held_at, pupils=[]),
        source="test",
    )
    assert list(MeetingPupil.objects.filter(meeting=meeting).values_list("pupil_id", "note")) == [
        (moved.pk, MOVED_NOTE)
    ]


# What reading costs ---------------------------------------------------------------------------


def test_the_minutes_cost_the_same_queries_however_many_pupils_were_discussed(
    client, world, dsl, meeting
):
    client.force_login(dsl)
    url = reverse("casework-meeting", args=[meeting.pk])
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    for number in range(8):
        MeetingPupil.objects.create(
            meeting=meeting, pupil=PupilFactory(school=world.school_a), note=f"Note {number}"
        )
    with CaptureQueriesContext(connection) as ten:
        page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count("govuk-summary-list__row") >= 10
    assert len(ten) == len(two)


def test_a_case_workers_edit_form_costs_the_same_however_many_pupils(client, world, dsl, meeting):
    client.force_login(dsl)
    url = reverse("casework-edit-meeting", args=[meeting.pk])
    with CaptureQueriesContext(connection) as two:
        assert client.get(url).status_code == 200
    for number in range(8):
        MeetingPupil.objects.create(
            meeting=meeting, pupil=PupilFactory(school=world.school_a), note=f"Note {number}"
        )
    with CaptureQueriesContext(connection) as ten:
        assert client.get(url).status_code == 200
    assert len(ten) == len(two)


def test_an_old_meeting_of_the_sending_school_is_not_in_the_receiving_pupils_record(
    client, world, dsl, receiver, meeting, moved
):
    transfer = move(dsl, receiver, moved, world.school_c)
    transfer.refresh_from_db()
    received = transfer.received_pupil
    client.force_login(receiver)
    page = client.get(reverse("casework-pupil", args=[received.pk]))
    assert page.status_code == 200
    assert reverse("casework-meeting", args=[meeting.pk]) not in page.content.decode()
    assert client.get(reverse("casework-meeting", args=[meeting.pk])).status_code == 404
    assert timezone.now() - transfer.confirmed_at < timedelta(minutes=5)


# Who may own an action ------------------------------------------------------------------------


def _with_action(dsl, school, owner, attendees):
    return MeetingInput(
        title="Summer panel",
        held_at=datetime(2026, 6, 4, 15, 30, tzinfo=LONDON),
        attendee_ids=[str(user.pk) for user in attendees],
        actions=[
            ActionInput(
                description="Visit the family",
                due_on=timezone.localdate() + timedelta(days=3),
                owner_id=str(owner.pk),
            )
        ],
    )


def test_an_action_owner_who_could_not_open_the_meeting_is_refused(world, dsl, practitioner):
    with pytest.raises(ValidationError) as refused:
        meeting_record(
            actor=dsl,
            school=world.school_a,
            data=_with_action(dsl, world.school_a, practitioner, attendees=[dsl]),
            source="test",
        )
    assert list(refused.value.message_dict) == ["actions[0].owner_id"]
    assert not Meeting.objects.exists()


def test_an_attending_owner_sees_their_action_and_marks_it_done(client, world, dsl, practitioner):
    recorded = meeting_record(
        actor=dsl,
        school=world.school_a,
        data=_with_action(dsl, world.school_a, practitioner, attendees=[dsl, practitioner]),
        source="test",
    )
    action = recorded.actions.get()
    client.force_login(practitioner)
    assert "Visit the family" in client.get("/").content.decode()
    done = client.post(
        reverse("casework-meeting-action-done", args=[recorded.pk, action.pk]), {"done": "1"}
    )
    assert done.status_code == 302
    action.refresh_from_db()
    assert action.done_at is not None


def test_a_case_worker_owns_an_action_without_attending(client, world, dsl, officer):
    recorded = meeting_record(
        actor=dsl,
        school=world.school_a,
        data=_with_action(dsl, world.school_a, officer, attendees=[dsl]),
        source="test",
    )
    client.force_login(officer)
    assert "Visit the family" in client.get("/").content.decode()
    assert client.get(reverse("casework-meeting", args=[recorded.pk])).status_code == 200


def test_the_form_names_the_action_row_whose_owner_could_not_open_the_meeting(
    client, world, dsl, practitioner
):
    client.force_login(dsl)
    url = reverse("casework-record-meeting", args=[world.school_a.urn])
    due = timezone.localdate() + timedelta(days=3)
    response = client.post(
        url,
        {
            "save": "1",
            "guest_rows": "0",
            "pupil_rows": "0",
            "action_rows": "1",
            "title": "Summer panel",
            "held_on_day": "4",
            "held_on_month": "6",
            "held_on_year": "2026",
            "held_time": "15:30",
            "attendees": [str(dsl.pk)],
            "action_1_description": "Visit the family",
            "action_1_owner": str(practitioner.pk),
            "action_1_due_day": str(due.day),
            "action_1_due_month": str(due.month),
            "action_1_due_year": str(due.year),
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#id_action_1_owner"' in body and 'id="id_action_1_owner"' in body
    assert "the owner must be able to see the meeting" in body


def test_taking_an_owner_off_the_attendees_is_refused_while_they_own_an_action(
    world, dsl, practitioner
):
    recorded = meeting_record(
        actor=dsl,
        school=world.school_a,
        data=_with_action(dsl, world.school_a, practitioner, attendees=[dsl, practitioner]),
        source="test",
    )
    action = recorded.actions.get()
    changed = _with_action(dsl, world.school_a, practitioner, attendees=[dsl])
    changed.actions = [
        ActionInput(
            description=action.description,
            due_on=action.due_on,
            owner_id=str(practitioner.pk),
            action_id=str(action.pk),
        )
    ]
    with pytest.raises(ValidationError) as refused:
        meeting_update(actor=dsl, meeting=recorded, data=changed, source="test")
    assert list(refused.value.message_dict) == ["actions[0].owner_id"]
    assert set(recorded.attendees.values_list("pk", flat=True)) == {dsl.pk, practitioner.pk}
