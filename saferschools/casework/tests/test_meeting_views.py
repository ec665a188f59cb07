"""The pages of multi-agency meetings: recording and changing the minutes, reading them as a page
and a PDF, what each reader sees of the pupils discussed, marking actions done, and the parts of
the pupil's page and the landing page."""

import io
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from saferschools.accounts.models import Role
from saferschools.casework.meeting_services import (
    ActionInput,
    GuestInput,
    MeetingInput,
    PupilNoteInput,
    meeting_record,
)
from saferschools.casework.models import Meeting, MeetingAction, MeetingGuest, MeetingPupil
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.lib.schooldays import LONDON
from saferschools.sharing.models import Decision, SharedItem, SharingDecision
from saferschools.testing.factories import PupilFactory

pytestmark = pytest.mark.django_db

MEETING_TYPE = "casework.meeting"
PUPIL_TYPE = "casework.pupil"
HIDDEN = "A pupil whose record is not shared with you"


@pytest.fixture
def officer(world, persona):
    return persona(Role.SSP_OFFICER, world.p, full_name="Pat Officer")


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a)


@pytest.fixture
def dsl_b(world, persona):
    return persona(Role.SAFEGUARDING_LEAD, world.school_b)


@pytest.fixture
def attending_practitioner(world, persona):
    """A youth offending team practitioner who attended, with no sharing grant."""
    return persona(Role.AGENCY_PRACTITIONER, world.yot, full_name="Yasmin Ortiz")


@pytest.fixture
def sam(world):
    return PupilFactory(school=world.school_a, given_name="Sam", family_name="Okafor")


@pytest.fixture
def ava(world):
    return PupilFactory(school=world.school_a, given_name="Ava", family_name="Brown")


@pytest.fixture
def meeting(world, dsl, officer, attending_practitioner, sam, ava):
    return meeting_record(
        actor=dsl,
        school=world.school_a,
        data=MeetingInput(
            title="Year 9 early help panel",
            held_at=datetime(2026, 3, 4, 15, 30, tzinfo=LONDON),
            location="Library",
            attendee_ids=[str(dsl.pk), str(officer.pk), str(attending_practitioner.pk)],
            guests=[GuestInput(name="Jo Parent", organisation="Family Support Trust")],
            pupils=[
                PupilNoteInput(pupil_id=str(sam.pk), note="Sam's attendance is falling."),
                PupilNoteInput(pupil_id=str(ava.pk), note="Ava was seen with older youths."),
            ],
            decisions="Offer both a mentor.",
            actions=[
                ActionInput(
                    description="Arrange a mentor for both",
                    due_on=timezone.localdate() + timedelta(days=3),
                    owner_id=str(attending_practitioner.pk),
                ),
                ActionInput(
                    description="Call the family",
                    due_on=timezone.localdate() + timedelta(days=30),
                    owner_name="Jo Parent",
                ),
            ],
        ),
        source="test",
    )


def grant(world, dsl, practitioner, pupil, items):
    return SharingDecision.objects.create(
        pupil=pupil,
        school=world.school_a,
        agency=world.yot,
        purpose="Youth offending prevention",
        information="Casework",
        items=items,
        lawful_basis="gdpr_6_1_e",
        consent="not_sought",
        consent_reason="A child at risk",
        golden_rules_confirmed=True,
        decision=Decision.SHARE,
        expires_on=date.today() + timedelta(days=30),
        decided_by=dsl,
        decided_at=timezone.now(),
    )


def list_url(school):
    return reverse("casework-meetings", args=[school.urn])


def new_url(school):
    return reverse("casework-record-meeting", args=[school.urn])


def detail_url(meeting):
    return reverse("casework-meeting", args=[meeting.pk])


def edit_url(meeting):
    return reverse("casework-edit-meeting", args=[meeting.pk])


def pdf_url(meeting):
    return reverse("casework-meeting-pdf", args=[meeting.pk])


def done_url(action):
    return reverse("casework-meeting-action-done", args=[action.meeting_id, action.pk])


def pdf_text(response) -> str:
    reader = PdfReader(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    return "\n".join(page.extract_text() for page in reader.pages)


def meeting_events(meeting, action=AuditAction.VIEW):
    return AuditEvent.objects.filter(
        object_type=MEETING_TYPE, object_id=str(meeting.pk), action=action
    )


def pupil_events(pupil, action=AuditAction.VIEW):
    return AuditEvent.objects.filter(object_type=PUPIL_TYPE, object_id=str(pupil.pk), action=action)


def written():
    return (
        Meeting.objects.count(),
        MeetingGuest.objects.count(),
        MeetingPupil.objects.count(),
        MeetingAction.objects.count(),
        AuditEvent.objects.exclude(action=AuditAction.VIEW).count(),
    )


def form_data(sam=None, **overrides):
    data = {
        "guest_rows": "2",
        "pupil_rows": "1" if sam else "0",
        "action_rows": "2",
        "title": "Spring panel",
        "held_on_day": "4",
        "held_on_month": "3",
        "held_on_year": "2026",
        "held_time": "15:30",
        "location": "Library",
        "decisions": "Offer a mentor.",
        "guest_1_name": "Jo Parent",
        "guest_1_organisation": "Family Support Trust",
        "guest_1_role": "Support worker",
        "action_1_description": "Arrange a mentor",
        "action_1_owner": "",
        "action_1_owner_name": "Jo Parent",
        "action_1_due_day": "18",
        "action_1_due_month": "3",
        "action_1_due_year": "2026",
        "q": "",
        "save": "1",
    }
    if sam is not None:
        data.update({"pupil_1_id": str(sam.pk), "pupil_1_note": "Attendance falling."})
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


CASE_WORKERS = ["dsl", "head", "officer"]
OUTSIDERS = ["staff", "outside_officer", "practitioner", "dsl_b"]


# A school's meetings -------------------------------------------------------------------------


@pytest.mark.parametrize("who", CASE_WORKERS)
def test_case_workers_list_the_schools_meetings(client, world, meeting, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(list_url(world.school_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Year 9 early help panel" in body
    assert detail_url(meeting) in body
    shown = response.context["meetings"][0]
    assert (shown.pupil_count, shown.open_actions) == (2, 2)
    assert meeting_events(meeting).filter(detail={"listing": True}).count() == 1
    # No pupil is named in the list.
    assert "Okafor" not in body


@pytest.mark.parametrize("who", [*OUTSIDERS, "attending_practitioner"])
def test_the_list_is_404_for_everyone_else(client, world, meeting, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(list_url(world.school_a)).status_code == 404
    assert client.get(new_url(world.school_a)).status_code == 404
    assert not meeting_events(meeting).exists()


def test_the_list_costs_the_same_queries_however_many_meetings(client, world, dsl, sam):
    def add(count):
        for n in range(count):
            meeting_record(
                actor=dsl,
                school=world.school_a,
                data=MeetingInput(
                    title=f"Panel {n}",
                    held_at=timezone.now() - timedelta(days=n),
                    pupils=[PupilNoteInput(pupil_id=str(sam.pk), note="Note")],
                    actions=[
                        ActionInput(description="Act", due_on=date(2026, 5, 1), owner_name="Jo")
                    ],
                ),
                source="test",
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(list_url(world.school_a))
        return len(captured), len(response.context["meetings"])

    client.force_login(dsl)
    add(2)
    few = queries()
    add(10)
    many = queries()
    assert (few[1], many[1]) == (2, 12)
    assert few[0] == many[0]


# Recording ----------------------------------------------------------------------------------


def test_a_case_worker_records_a_meeting(client, world, dsl, attending_practitioner, sam):
    client.force_login(dsl)
    response = client.get(new_url(world.school_a))
    assert response.status_code == 200
    labels = [label for _, label in response.context["form"].fields["attendees"].choices]
    assert "Yasmin Ortiz (Agency practitioner, Surrey YOS)" in labels
    # In name order.
    assert labels == sorted(labels)

    data = form_data(
        sam,
        attendees=[str(dsl.pk), str(attending_practitioner.pk)],
        action_2_description="Refer to CAMHS",
        action_2_owner=str(attending_practitioner.pk),
        action_2_due_day="25",
        action_2_due_month="3",
        action_2_due_year="2026",
    )
    response = client.post(new_url(world.school_a), data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(meeting)
    assert meeting.held_at == datetime(2026, 3, 4, 15, 30, tzinfo=LONDON)
    assert set(meeting.attendees.all()) == {dsl, attending_practitioner}
    assert list(meeting.guests.values_list("name", "organisation", "role")) == [
        ("Jo Parent", "Family Support Trust", "Support worker")
    ]
    assert list(meeting.pupils_discussed.values_list("pupil", "note")) == [
        (sam.pk, "Attendance falling.")
    ]
    assert list(meeting.actions.values_list("description", "owner", "owner_name")) == [
        ("Arrange a mentor", None, "Jo Parent"),
        ("Refer to CAMHS", attending_practitioner.pk, ""),
    ]


def test_add_another_person_and_action_rows_without_saving(client, world, dsl):
    client.force_login(dsl)
    before = written()
    response = client.post(new_url(world.school_a), {**form_data(title=""), "add": "guest"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.counts == {"guest": 3, "pupil": 0, "action": 2}
    assert not form.errors  # asking for a row is not saving: the empty title is not judged
    body = response.content.decode()
    assert "Person 3" in body
    assert "Family Support Trust" in body
    response = client.post(new_url(world.school_a), {**form_data(), "add": "action"})
    assert response.context["form"].counts["action"] == 3
    assert written() == before


def test_find_a_pupil_and_add_them(client, world, dsl, sam, ava):
    client.force_login(dsl)
    response = client.post(new_url(world.school_a), {**form_data(q="okafor"), "find": "1"})
    assert response.status_code == 200
    assert [pupil for pupil, _ in response.context["found"]] == [sam]
    assert pupil_events(sam).filter(detail={"listing": True}).exists()
    response = client.post(
        new_url(world.school_a), {**form_data(q="okafor"), "add_pupil": str(sam.pk)}
    )
    form = response.context["form"]
    assert form.counts["pupil"] == 1
    assert [row.pupil for row in form.pupil_rows()] == [sam]
    # Found again, a pupil on the form is not offered twice.
    data = {**form_data(sam, q="okafor"), "find": "1"}
    assert client.post(new_url(world.school_a), data).context["found"] == []
    # A pupil of another school cannot be added.
    response = client.post(
        new_url(world.school_a), {**form_data(), "add_pupil": str(world.pupil_b.pk)}
    )
    assert response.context["form"].counts["pupil"] == 0
    assert not Meeting.objects.exists()


def test_starting_from_the_pupils_page_lists_the_pupil(client, world, dsl, sam):
    client.force_login(dsl)
    response = client.get(new_url(world.school_a), {"pupil": str(sam.pk)})
    assert [row.pupil for row in response.context["form"].pupil_rows()] == [sam]
    response = client.get(new_url(world.school_a), {"pupil": str(world.pupil_b.pk)})
    assert response.context["form"].counts["pupil"] == 0


def test_sent_empty_the_required_fields_are_named(client, world, dsl):
    client.force_login(dsl)
    before = written()
    response = client.post(new_url(world.school_a), {"save": "1"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"title", "held_on", "held_time"}
    assert written() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"guest_1_organisation": ""},
            "guest_1_organisation",
            "Person 1: enter their organisation",
        ),
        ({"action_1_due_day": ""}, "action_1_due", "The date it is due must include a day"),
        (
            {"action_1_due_day": "", "action_1_due_month": "", "action_1_due_year": ""},
            "action_1_due",
            "Action 1: enter the date it is due",
        ),
        ({"action_1_owner_name": ""}, "action_1_owner", "Action 1: choose the owner, or name them"),
        (
            {"action_1_owner": "not-a-user"},
            "action_1_owner",
            "Action 1: choose an owner from the list",
        ),
        ({"pupil_1_note": ""}, "pupil_1_note", "Sam Okafor: enter what was said"),
        ({"pupil_1_note": "x" * 2001}, "pupil_1_note", "Use 2,000 characters or fewer"),
        ({"pupil_1_id": "not-a-uuid"}, "pupil_1_note", "Pupil 1: choose a pupil of this school"),
        ({"attendees": ["not-a-user"]}, "attendees", None),
        ({"held_on_year": "1999"}, "held_on", "Give a date from 2000 to 2100"),
        ({"title": "\x00"}, "title", None),
    ],
    ids=[
        "person-without-organisation",
        "due-without-day",
        "action-without-due-date",
        "action-without-owner",
        "owner-not-listed",
        "pupil-without-note",
        "note-too-long",
        "pupil-unknown",
        "attendee-not-listed",
        "held-before-2000",
        "title-only-nul",
    ],
)
def test_bad_input_is_named_on_its_row_and_nothing_changes(
    client, world, dsl, sam, overrides, field, message
):
    client.force_login(dsl)
    before = written()
    response = client.post(new_url(world.school_a), form_data(sam, **overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    if message:
        assert message in errors[field]
    assert written() == before


def test_a_pupil_of_another_school_sent_by_hand_is_refused(client, world, dsl):
    client.force_login(dsl)
    before = written()
    data = form_data(world.pupil_b)
    response = client.post(new_url(world.school_a), data)
    assert response.status_code == 400
    assert "pupil_1_note" in response.context["form"].errors
    assert written() == before


def test_row_counts_sent_are_bounded(client, world, dsl):
    client.force_login(dsl)
    response = client.post(
        new_url(world.school_a),
        {**form_data(guest_rows="99999999999", action_rows="x"), "find": "1"},
    )
    form = response.context["form"]
    assert form.counts["guest"] == 40
    assert form.counts["action"] == 0


# Changing -------------------------------------------------------------------------------


def test_a_case_worker_changes_the_meeting(client, meeting, officer, sam, ava):
    client.force_login(officer)
    response = client.get(edit_url(meeting))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["title"] == "Year 9 early help panel"
    assert {row.pupil for row in form.pupil_rows()} == {sam, ava}
    # The form shows what was said about each pupil: a read of the meeting and of each pupil.
    assert meeting_events(meeting).count() == 1
    assert pupil_events(sam).filter(detail={"meeting": str(meeting.pk)}).exists()

    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list):
            data[name] = value
        elif isinstance(value, date):
            data[f"{name}_day"], data[f"{name}_month"], data[f"{name}_year"] = (
                str(value.day),
                str(value.month),
                str(value.year),
            )
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    data.update({"guest_rows": "3", "pupil_rows": "2", "action_rows": "4", "save": "1"})
    ava_row = next(row.number for row in form.pupil_rows() if row.pupil == ava)
    data[f"pupil_{ava_row}_remove"] = "on"
    data["title"] = "Year 9 panel"
    response = client.post(edit_url(meeting), data)
    assert response.status_code == 302, response.context["form"].errors
    meeting.refresh_from_db()
    assert meeting.title == "Year 9 panel"
    assert list(meeting.pupils_discussed.values_list("pupil", flat=True)) == [sam.pk]
    assert meeting.actions.count() == 2
    event = meeting_events(meeting, AuditAction.UPDATE).get()
    assert event.detail == {"fields": ["title", "pupils"]}


@pytest.mark.parametrize("who", [*OUTSIDERS, "attending_practitioner"])
def test_only_case_workers_change_a_meeting(client, meeting, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(edit_url(meeting)).status_code == 404
    response = client.post(edit_url(meeting), form_data(title="Taken over"))
    assert response.status_code == 404
    assert Meeting.objects.get(pk=meeting.pk).title == "Year 9 early help panel"


# The minutes -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", CASE_WORKERS)
def test_case_workers_read_every_pupil_and_note(client, meeting, sam, ava, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(detail_url(meeting))
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("Sam Okafor", "Sam&#x27;s attendance is falling.", "Ava Brown", "Jo Parent"):
        assert text in body
    assert HIDDEN not in body
    assert meeting_events(meeting).filter(detail={}).count() == 1
    assert pupil_events(sam).get().detail == {"meeting": str(meeting.pk)}
    assert pupil_events(ava).exists()


def test_an_attendee_without_a_grant_sees_the_meeting_but_no_pupil(
    client, meeting, attending_practitioner, sam, ava
):
    client.force_login(attending_practitioner)
    response = client.get(detail_url(meeting))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Year 9 early help panel" in body
    assert "Arrange a mentor for both" in body
    assert body.count(HIDDEN) == 2
    for text in ("Okafor", "Brown", "attendance", "older youths"):
        assert text not in body
    assert not pupil_events(sam).exists() and not pupil_events(ava).exists()
    assert meeting_events(meeting).count() == 1
    # Nor can they open the pupils' records.
    assert client.get(reverse("casework-pupil", args=[sam.pk])).status_code == 404


def test_a_grant_naming_meetings_shows_that_pupil_only(
    client, world, dsl, meeting, attending_practitioner, sam, ava
):
    decision = grant(world, dsl, attending_practitioner, sam, [SharedItem.MEETINGS])
    client.force_login(attending_practitioner)
    body = client.get(detail_url(meeting)).content.decode()
    assert "Sam Okafor" in body
    assert "Sam&#x27;s attendance is falling." in body
    assert body.count(HIDDEN) == 1
    assert "Brown" not in body and "older youths" not in body
    assert pupil_events(sam).get().detail == {"meeting": str(meeting.pk), "grant": str(decision.pk)}
    assert not pupil_events(ava).exists()


def test_a_grant_without_meetings_shows_no_pupil(
    client, world, dsl, meeting, attending_practitioner, sam
):
    grant(world, dsl, attending_practitioner, sam, [SharedItem.ASSESSMENTS])
    client.force_login(attending_practitioner)
    body = client.get(detail_url(meeting)).content.decode()
    assert body.count(HIDDEN) == 2
    assert "Okafor" not in body


def test_a_practitioner_granted_a_discussed_pupil_sees_the_meeting_without_attending(
    client, world, dsl, meeting, practitioner, sam
):
    client.force_login(practitioner)
    assert client.get(detail_url(meeting)).status_code == 404
    grant(world, dsl, practitioner, sam, [SharedItem.MEETINGS])
    body = client.get(detail_url(meeting)).content.decode()
    assert "Sam&#x27;s attendance is falling." in body
    assert body.count(HIDDEN) == 1


@pytest.mark.parametrize("who", OUTSIDERS)
def test_the_minutes_are_404_for_everyone_else(client, meeting, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(detail_url(meeting)).status_code == 404
    assert client.get(pdf_url(meeting)).status_code == 404
    assert not meeting_events(meeting).exists()


def test_a_missing_meeting_is_404(client, dsl):
    client.force_login(dsl)
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/meetings/{missing}/").status_code == 404
    assert client.get(f"/meetings/{missing}/minutes.pdf").status_code == 404


# The PDF --------------------------------------------------------------------------------------


def test_the_pdf_holds_the_minutes_and_is_an_audited_export(client, meeting, dsl, sam):
    client.force_login(dsl)
    response = client.get(pdf_url(meeting))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == 'attachment; filename="meeting-minutes-2026-03-04.pdf"'
    )
    text = pdf_text(response)
    for words in ("Year 9 early help panel", "Sam Okafor", "attendance is falling", "Jo Parent"):
        assert words in text
    assert "Arrange a mentor for both" in text
    assert meeting_events(meeting, AuditAction.EXPORT).count() == 1
    assert pupil_events(sam, AuditAction.EXPORT).get().detail == {"meeting": str(meeting.pk)}


def test_the_pdf_hides_what_the_page_hides(client, meeting, attending_practitioner):
    client.force_login(attending_practitioner)
    text = pdf_text(client.get(pdf_url(meeting)))
    assert "Year 9 early help panel" in text
    assert text.count(HIDDEN) == 2
    for words in ("Okafor", "Brown", "attendance", "older youths"):
        assert words not in text


# Actions ------------------------------------------------------------------------------------


def test_the_owner_marks_their_action_done(client, meeting, attending_practitioner):
    action = meeting.actions.get(description="Arrange a mentor for both")
    client.force_login(attending_practitioner)
    response = client.post(done_url(action), {"done": "1"})
    assert response.status_code == 302
    assert MeetingAction.objects.get(pk=action.pk).done_at is not None
    client.post(done_url(action), {"done": "0"})
    assert MeetingAction.objects.get(pk=action.pk).done_at is None


def test_a_case_worker_marks_any_action_done(client, meeting, officer):
    action = meeting.actions.get(description="Call the family")
    client.force_login(officer)
    assert client.post(done_url(action), {"done": "1"}).status_code == 302
    assert MeetingAction.objects.get(pk=action.pk).done_at is not None


@pytest.mark.parametrize("who", [*OUTSIDERS, "attending_practitioner"])
def test_others_cannot_mark_an_action(client, meeting, request, who):
    action = meeting.actions.get(description="Call the family")
    client.force_login(request.getfixturevalue(who))
    assert client.post(done_url(action), {"done": "1"}).status_code == 404
    assert MeetingAction.objects.get(pk=action.pk).done_at is None


def test_an_action_of_another_meeting_is_404(client, world, meeting, dsl):
    other = meeting_record(
        actor=dsl,
        school=world.school_a,
        data=MeetingInput(title="Other", held_at=timezone.now()),
        source="test",
    )
    action = meeting.actions.first()
    client.force_login(dsl)
    url = reverse("casework-meeting-action-done", args=[other.pk, action.pk])
    assert client.post(url, {"done": "1"}).status_code == 404
    assert client.get(done_url(action)).status_code == 405


# The pupil's page and the landing page -----------------------------------------------------


def test_the_pupils_page_lists_the_meetings_with_the_note(client, meeting, dsl, sam):
    client.force_login(dsl)
    body = client.get(reverse("casework-pupil", args=[sam.pk])).content.decode()
    assert "Multi-agency meetings" in body
    assert detail_url(meeting) in body
    assert "Sam&#x27;s attendance is falling." in body
    assert "older youths" not in body
    assert f"{new_url(sam.school)}?pupil={sam.pk}" in body
    assert meeting_events(meeting).filter(detail={"listing": True, "pupil": str(sam.pk)}).exists()


def test_a_granted_practitioner_sees_the_meetings_on_the_pupils_page(
    client, world, dsl, meeting, practitioner, sam
):
    decision = grant(world, dsl, practitioner, sam, [SharedItem.MEETINGS])
    client.force_login(practitioner)
    body = client.get(reverse("casework-pupil", args=[sam.pk])).content.decode()
    assert "Sam&#x27;s attendance is falling." in body
    assert new_url(sam.school) not in body
    assert meeting_events(meeting).filter(detail__grant=str(decision.pk)).exists()


def test_staff_see_no_meetings_on_the_pupils_page(client, meeting, staff, sam):
    client.force_login(staff)
    body = client.get(reverse("casework-pupil", args=[sam.pk])).content.decode()
    assert "Multi-agency meetings" not in body


def test_the_landing_page_lists_the_owners_actions_falling_due(
    client, world, dsl, meeting, attending_practitioner
):
    overdue = MeetingAction.objects.create(
        meeting=meeting,
        description="Send the letter",
        owner=attending_practitioner,
        due_on=timezone.localdate() - timedelta(days=2),
    )
    later = MeetingAction.objects.create(
        meeting=meeting,
        description="Review in the summer",
        owner=attending_practitioner,
        due_on=timezone.localdate() + timedelta(days=40),
    )
    client.force_login(attending_practitioner)
    response = client.get("/")
    body = response.content.decode()
    assert "Send the letter" in body and "Arrange a mentor for both" in body
    assert body.index("Send the letter") < body.index("Arrange a mentor for both")
    assert later.description not in body
    assert "Overdue" in body
    assert overdue.meeting.title in body
    # A practitioner keeps no school's casework: no list of meetings.
    assert list_url(world.school_a) not in body


def test_the_landing_page_links_case_workers_to_their_schools_meetings(client, world, officer):
    client.force_login(officer)
    body = client.get("/").content.decode()
    assert list_url(world.school_a) in body and list_url(world.school_b) in body


def test_nothing_on_the_landing_page_for_staff(client, staff):
    client.force_login(staff)
    assert "Multi-agency meetings" not in client.get("/").content.decode()
