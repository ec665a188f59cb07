"""The steering group's pages: who reads and who keeps them, members, meetings and their forms,
the minutes as a PDF, marking actions done, and the owner's actions on their home page."""

import io
import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.lib.schooldays import LONDON
from saferschools.planning import steering_services as services
from saferschools.planning import steering_views
from saferschools.planning.models import SteeringAction, SteeringMeeting, SteeringMember
from saferschools.planning.steering_services import ActionInput
from saferschools.planning.tests.test_steering_services import (
    WEDNESDAY,
    add_member,
    data_of,
    record,
)

pytestmark = pytest.mark.django_db

GOVERNORS = ["chair", "head", "admin"]
READERS = ["staff", "officer", "analyst", "practitioner", "supervisor"]
OUTSIDERS = ["other_head", "other_chair", "other_staff", "other_analyst"]


@pytest.fixture
def chair(world, persona):
    return persona(Role.STEERING_MEMBER, world.p, full_name="Chris Chair")


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a, full_name="Hana Head")


@pytest.fixture
def admin(world, persona):
    return persona(Role.AREA_ADMIN, world.area)


@pytest.fixture
def staff(world, persona):
    return persona(Role.SCHOOL_STAFF, world.school_a)


@pytest.fixture
def officer(world, persona):
    return persona(Role.SSP_OFFICER, world.p, full_name="Pat Officer")


@pytest.fixture
def analyst(world, persona):
    return persona(Role.LA_ANALYST, world.area)


@pytest.fixture
def practitioner(world, persona):
    return persona(Role.AGENCY_PRACTITIONER, world.yot)


@pytest.fixture
def supervisor(world, persona):
    return persona(Role.POLICE_SUPERVISOR, world.police)


@pytest.fixture
def other_head(world, persona):
    """A head teacher in the other area."""
    return persona(Role.HEAD_TEACHER, world.school_d)


@pytest.fixture
def other_chair(world, persona):
    """A steering group member of another partnership (Q) of the same area."""
    return persona(Role.STEERING_MEMBER, world.q)


@pytest.fixture
def other_staff(world, persona):
    """A member of staff of a school of partnership Q."""
    return persona(Role.SCHOOL_STAFF, world.school_c)


@pytest.fixture
def other_analyst(world, persona):
    return persona(Role.LA_ANALYST, world.other_area)


@pytest.fixture
def officer_member(world, chair, officer):
    return add_member(chair, world.p, user_id=str(officer.pk), role="Secretary")


@pytest.fixture
def pupil_member(world, chair):
    return add_member(
        chair,
        world.p,
        kind=SteeringMember.Kind.PUPIL,
        name="Year 10 representative",
        organisation="Oakwood School",
    )


@pytest.fixture
def meeting(world, chair, officer_member, pupil_member):
    with time_machine.travel(WEDNESDAY, tick=False):
        return record(
            chair,
            world.p,
            attendees=[officer_member, pupil_member],
            actions=[
                ActionInput(
                    description="Plan Friday patrols",
                    due_on=date(2026, 3, 13),
                    owner_id=str(officer_member.user_id),
                ),
                ActionInput(
                    description="Ask the council about lighting",
                    due_on=date(2030, 3, 20),
                    owner_name="Sam Councillor",
                ),
            ],
        )


def group_url(partnership):
    return reverse("planning-steering", args=[partnership.pk])


def meeting_url(meeting, name="planning-steering-meeting"):
    return reverse(name, args=[meeting.partnership_id, meeting.pk])


def member_url(member, name):
    return reverse(name, args=[member.partnership_id, member.pk])


def done_url(action):
    return reverse(
        "planning-steering-action-done",
        args=[action.meeting.partnership_id, action.meeting_id, action.pk],
    )


def pdf_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def written():
    return (
        SteeringMember.objects.count(),
        SteeringMeeting.objects.count(),
        SteeringAction.objects.count(),
        list(SteeringMember.objects.values_list("name", "left_on").order_by("name")),
        list(SteeringMeeting.objects.values_list("agenda", "minutes", "updated_at")),
        AuditEvent.objects.exclude(action=AuditAction.VIEW).count(),
    )


def meeting_form(**overrides):
    data = {
        "updated_at": "",
        "action_rows": "2",
        "held_on_day": "4",
        "held_on_month": "3",
        "held_on_year": "2026",
        "held_time": "16:00",
        "location": "Library",
        "agenda": "1. Hotspots\n2. The protocol",
        "minutes": "Patrols were discussed.",
        "decisions": "Patrols on Fridays.",
        "action_1_description": "Plan patrols",
        "action_1_owner": "",
        "action_1_owner_name": "Jo Bloggs",
        "action_1_due_day": "13",
        "action_1_due_month": "3",
        "action_1_due_year": "2026",
        "save": "1",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def member_form(**overrides):
    data = {
        "kind": "local_authority",
        "name": "Lee Council",
        "organisation": "Surrey County Council",
        "role": "",
        "joined_on_day": "1",
        "joined_on_month": "9",
        "joined_on_year": "2025",
        "user": "",
    }
    data.update(overrides)
    return data


# Who reads and who keeps the group ---------------------------------------------------------


@pytest.mark.parametrize("who", GOVERNORS + READERS)
def test_everyone_reaching_the_partnership_reads_the_group(
    client, request, world, who, meeting, officer_member, pupil_member
):
    client.force_login(request.getfixturevalue(who))
    response = client.get(group_url(world.p))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Pat Officer" in content and "Year 10 representative" in content
    assert meeting_url(meeting) in content
    assert ("Record a meeting" in content) == (who in GOVERNORS)
    assert ("Add a member" in content) == (who in GOVERNORS)
    response = client.get(meeting_url(meeting))
    assert response.status_code == 200
    assert "Plan Friday patrols" in response.content.decode()
    assert ("Change<span" in response.content.decode()) == (who in GOVERNORS)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_not_found(client, request, world, who, meeting, officer_member):
    client.force_login(request.getfixturevalue(who))
    action = meeting.actions.first()
    for url in (
        group_url(world.p),
        meeting_url(meeting),
        meeting_url(meeting, "planning-steering-minutes-pdf"),
        meeting_url(meeting, "planning-steering-meeting-edit"),
        reverse("planning-steering-meeting-new", args=[world.p.pk]),
        reverse("planning-steering-member-new", args=[world.p.pk]),
        member_url(officer_member, "planning-steering-member-edit"),
        member_url(officer_member, "planning-steering-member-leave"),
    ):
        assert client.get(url).status_code == 404, url
    before = written()
    assert client.post(done_url(action), {"done": "1"}).status_code == 404
    url = reverse("planning-steering-member-new", args=[world.p.pk])
    assert client.post(url, member_form()).status_code == 404
    assert written() == before


@pytest.mark.parametrize("who", READERS)
def test_readers_cannot_change_anything(client, request, world, who, meeting, officer_member):
    client.force_login(request.getfixturevalue(who))
    for url in (
        meeting_url(meeting, "planning-steering-meeting-edit"),
        reverse("planning-steering-meeting-new", args=[world.p.pk]),
        reverse("planning-steering-member-new", args=[world.p.pk]),
        member_url(officer_member, "planning-steering-member-edit"),
        member_url(officer_member, "planning-steering-member-leave"),
    ):
        assert client.get(url).status_code == 404, url
    before = written()
    posts = [
        (reverse("planning-steering-member-new", args=[world.p.pk]), member_form()),
        (member_url(officer_member, "planning-steering-member-edit"), member_form()),
        (
            member_url(officer_member, "planning-steering-member-leave"),
            {"left_on_day": "1", "left_on_month": "3", "left_on_year": "2026"},
        ),
        (reverse("planning-steering-meeting-new", args=[world.p.pk]), meeting_form()),
        (meeting_url(meeting, "planning-steering-meeting-edit"), meeting_form()),
    ]
    if who != "officer":
        # The officer owns an action: marking it done is theirs (below).
        posts.append((done_url(meeting.actions.get(owner__isnull=False)), {"done": "1"}))
    posts.append((done_url(meeting.actions.get(owner__isnull=True)), {"done": "1"}))
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert written() == before


def test_a_meeting_is_found_only_under_its_own_partnership(client, world, admin, meeting):
    client.force_login(admin)
    for name in ("planning-steering-meeting", "planning-steering-meeting-edit"):
        url = reverse(name, args=[world.q.pk, meeting.pk])
        assert client.get(url).status_code == 404
    action = meeting.actions.first()
    url = reverse("planning-steering-action-done", args=[world.q.pk, meeting.pk, action.pk])
    assert client.post(url, {"done": "1"}).status_code == 404


# Members -----------------------------------------------------------------------------------


def test_a_governor_adds_a_member_linked_to_an_account(client, world, head, analyst):
    client.force_login(head)
    url = reverse("planning-steering-member-new", args=[world.p.pk])
    page = client.get(url).content.decode()
    assert f'value="{analyst.pk}"' in page
    response = client.post(url, member_form(user=str(analyst.pk)))
    assert response.status_code == 302
    assert response["Location"] == group_url(world.p)
    member = SteeringMember.objects.get()
    assert (member.name, member.kind, member.user) == ("Lee Council", "local_authority", analyst)
    assert AuditEvent.objects.filter(
        object_id=str(member.pk),
        action=AuditAction.CREATE,
        source="web:planning-steering-member-new",
    ).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter their name, or for a pupil representative a description"),
        ({"kind": "governor"}, "kind", "Choose who they represent from the list"),
        ({"joined_on_month": "13"}, "joined_on", "must be a real date"),
        ({"user": "0b8f2a44-0000-4000-8000-000000000000"}, "user", "Choose an account from"),
        (
            {"kind": "pupil", "name": "Year 10 representative", "user": "{analyst}"},
            "user",
            "A pupil representative is not linked to an account",
        ),
    ],
)
def test_bad_member_input_is_refused_naming_the_field(
    client, world, chair, analyst, changes, field, message
):
    client.force_login(chair)
    changes = {k: v.format(analyst=analyst.pk) for k, v in changes.items()}
    before = written()
    response = client.post(
        reverse("planning-steering-member-new", args=[world.p.pk]), member_form(**changes)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    assert written() == before


def test_a_member_is_changed_and_marked_as_left(client, world, chair, officer_member):
    client.force_login(chair)
    response = client.get(member_url(officer_member, "planning-steering-member-edit"))
    assert 'value="Pat Officer"' in response.content.decode()
    response = client.post(
        member_url(officer_member, "planning-steering-member-edit"),
        member_form(
            kind="police", name="Pat Officer", role="Vice-chair", user=str(officer_member.user_id)
        ),
    )
    assert response.status_code == 302
    officer_member.refresh_from_db()
    assert officer_member.role == "Vice-chair"
    with time_machine.travel(WEDNESDAY, tick=False):
        bad = client.post(
            member_url(officer_member, "planning-steering-member-leave"),
            {"left_on_day": "1", "left_on_month": "1", "left_on_year": "2025"},
        )
        assert bad.status_code == 400
        assert "on or after the date they joined" in bad.content.decode()
        response = client.post(
            member_url(officer_member, "planning-steering-member-leave"),
            {"left_on_day": "4", "left_on_month": "3", "left_on_year": "2026"},
        )
        assert response.status_code == 302
        page = client.get(group_url(world.p)).content.decode()
    officer_member.refresh_from_db()
    assert officer_member.left_on == date(2026, 3, 4)
    assert "Past members (1)" in page


# Meetings ----------------------------------------------------------------------------------


def test_a_governor_records_a_meeting_with_two_actions(
    client, world, chair, officer_member, pupil_member
):
    client.force_login(chair)
    url = reverse("planning-steering-meeting-new", args=[world.p.pk])
    page = client.get(url).content.decode()
    assert "Do not name pupils" in page
    assert "Year 10 representative (Oakwood School)" in page
    # "Add another action" sends the form back with what was typed, and a third row.
    response = client.post(url, meeting_form(add="action", save=None))
    assert response.status_code == 200
    assert response.context["form"].count == 3
    assert 'value="Jo Bloggs"' in response.content.decode()
    assert not SteeringMeeting.objects.exists()
    data = meeting_form(
        action_rows="3",
        attendees=[str(officer_member.pk), str(pupil_member.pk)],
        action_2_description="Write to parents",
        action_2_owner=str(officer_member.user_id),
        action_2_due_day="20",
        action_2_due_month="3",
        action_2_due_year="2026",
    )
    response = client.post(url, data)
    meeting = SteeringMeeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == meeting_url(meeting)
    assert meeting.held_at == datetime.fromisoformat("2026-03-04T16:00:00+00:00")
    assert meeting.attendees.count() == 2
    assert sorted(meeting.actions.values_list("description", "owner_name")) == [
        ("Plan patrols", "Jo Bloggs"),
        ("Write to parents", ""),
    ]
    assert meeting.actions.get(description="Write to parents").owner == officer_member.user


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"agenda": ""}, "agenda", "Enter the agenda of the meeting"),
        ({"held_time": "25:00"}, "held_time", "Enter the time the meeting starts as hours"),
        ({"held_on_month": ""}, "held_on", "The date of the meeting must include a month"),
        (
            {"action_1_due_day": "", "action_1_due_month": "", "action_1_due_year": ""},
            "action_1_due",
            "Action 1: enter the date it is due",
        ),
        ({"action_1_owner_name": ""}, "action_1_owner", "Action 1: choose the owner, or name"),
        ({"action_1_description": ""}, "action_1_description", "Action 1: enter what is to be"),
        ({"attendees": ["x"]}, "attendees", "Choose attendees among the members of the group"),
    ],
)
def test_bad_meeting_input_is_refused_naming_the_field(
    client, world, chair, changes, field, message
):
    client.force_login(chair)
    before = written()
    response = client.post(
        reverse("planning-steering-meeting-new", args=[world.p.pk]), meeting_form(**changes)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    assert written() == before


def test_a_meeting_sent_again_with_a_correction_is_refused_not_dropped(client, world, chair):
    client.force_login(chair)
    url = reverse("planning-steering-meeting-new", args=[world.p.pk])
    first = client.post(url, meeting_form())
    assert first.status_code == 302
    # The same form sent again unchanged (a second press) lands on the meeting recorded.
    assert client.post(url, meeting_form())["Location"] == first["Location"]
    before = written()
    again = client.post(url, meeting_form(minutes="Patrols and lighting were discussed."))
    assert again.status_code == 400
    assert "You recorded this meeting a few minutes ago" in again.content.decode()
    assert "held_on" in again.context["form"].errors
    assert written() == before


def test_an_owner_who_cannot_reach_the_partnership_is_refused(
    client, world, chair, officer_member, other_head
):
    client.force_login(chair)
    url = reverse("planning-steering-meeting-new", args=[world.p.pk])
    before = written()
    response = client.post(
        url, meeting_form(action_1_owner=str(other_head.pk), action_1_owner_name="")
    )
    assert response.status_code == 400
    assert "Action 1: choose an owner from the list" in response.content.decode()
    # A member whose account no longer reaches the partnership is no longer offered.
    officer_member.user.memberships.all().delete()
    response = client.post(
        url, meeting_form(action_1_owner=str(officer_member.user_id), action_1_owner_name="")
    )
    assert response.status_code == 400
    assert "action_1_owner" in response.context["form"].errors
    assert written() == before


def test_the_meeting_page_shows_the_record(client, world, staff, meeting):
    client.force_login(staff)
    content = client.get(meeting_url(meeting)).content.decode()
    for text in (
        "Hotspots near the station",
        "Patrols after school were discussed.",
        "Co-ordinated patrols on Fridays.",
        "Pat Officer (Surrey Police)",
        "Year 10 representative (Oakwood School)",
        "Sam Councillor",
        "Overdue",
    ):
        assert text in content
    # A reader who neither owns an action nor keeps the group marks none done.
    assert "Mark done" not in content


def test_a_meeting_is_changed_from_its_form(client, world, chair, meeting):
    client.force_login(chair)
    url = meeting_url(meeting, "planning-steering-meeting-edit")
    response = client.get(url)
    form = response.context["form"]
    assert form.count == 4
    data = {
        name: value
        for name, value in re.findall(
            r'name="([^"]+)"[^>]*value="([^"]*)"', response.content.decode()
        )
        if name != "csrfmiddlewaretoken"
    }
    assert data["updated_at"] == meeting.updated_at.isoformat()
    data.update(
        {
            "agenda": meeting.agenda,
            "minutes": "Patrols agreed.",
            "decisions": meeting.decisions,
            "action_1_owner": str(meeting.actions.get(owner__isnull=False).owner_id),
            "attendees": [str(m.pk) for m in meeting.attendees.all()],
            "save": "1",
        }
    )
    data.pop("add", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    meeting.refresh_from_db()
    assert meeting.minutes == "Patrols agreed."
    assert meeting.actions.count() == 2
    event = AuditEvent.objects.filter(object_id=str(meeting.pk)).latest("seq")
    assert event.detail == {"fields": ["minutes"]}


def test_the_change_form_says_how_an_action_is_removed(client, world, chair, meeting):
    client.force_login(chair)
    url = meeting_url(meeting, "planning-steering-meeting-edit")
    assert (
        "To remove an action agreed by mistake, clear its row" in client.get(url).content.decode()
    )
    new = reverse("planning-steering-meeting-new", args=[world.p.pk])
    assert "To remove an action" not in client.get(new).content.decode()


def test_a_meeting_with_the_most_actions_shows_every_one_on_its_form(client, world, chair):
    # Actions left out of the form are removed when it is saved: the form must offer a row for
    # every action a meeting may hold, however the casework meeting form bounds its own rows.
    meeting = services.steering_meeting_record(
        actor=chair,
        partnership=world.p,
        data=services.MeetingInput(
            held_at=datetime(2026, 3, 4, 16, 0, tzinfo=LONDON),
            agenda="Everything",
            actions=[
                ActionInput(description=f"Action {n}", due_on=date(2090, 1, 1), owner_name="Jo")
                for n in range(services.MAX_ACTIONS)
            ],
        ),
        source="test",
    )
    client.force_login(chair)
    url = meeting_url(meeting, "planning-steering-meeting-edit")
    form = client.get(url).context["form"]
    assert form.count == services.MAX_ACTIONS
    again = client.post(url, {**form.initial, "add": "action", "action_rows": str(form.count)})
    assert again.context["form"].count == services.MAX_ACTIONS


def test_a_stale_edit_is_refused_then_saved_having_seen_it(client, world, chair, head, meeting):
    client.force_login(chair)
    url = meeting_url(meeting, "planning-steering-meeting-edit")
    seen = meeting.updated_at.isoformat()
    with time_machine.travel(WEDNESDAY + timedelta(hours=1), tick=False):
        services.steering_meeting_update(
            actor=head, meeting=meeting, data=data_of(meeting, decisions="Head's"), source="t"
        )
    data = meeting_form(
        updated_at=seen,
        action_rows="0",
        agenda=meeting.agenda,
        minutes="Chair's",
        decisions="Head's",
        action_1_description=None,
        action_1_owner=None,
        action_1_owner_name=None,
        action_1_due_day=None,
        action_1_due_month=None,
        action_1_due_year=None,
    )
    before = written()
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Someone changed this meeting while you were changing it" in response.content.decode()
    assert written() == before
    resent = re.search(r'name="updated_at" value="([^"]*)"', response.content.decode()).group(1)
    assert resent != seen
    # Saving again, having seen the error, replaces the meeting as it is now.
    response = client.post(url, {**data, "updated_at": resent})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.decisions) == ("Chair's", "Head's")
    assert meeting.actions.count() == 0


def test_the_minutes_pdf_is_audited_as_an_export(client, world, practitioner, meeting):
    client.force_login(practitioner)
    response = client.get(meeting_url(meeting, "planning-steering-minutes-pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "steering-group-minutes-2026-03-04.pdf" in response["Content-Disposition"]
    text = pdf_text(response)
    for words in ("Horley SSP: steering group", "Hotspots near the station", "Sam Councillor"):
        assert words in text
    event = AuditEvent.objects.get(object_id=str(meeting.pk), action=AuditAction.EXPORT)
    assert (event.actor_id, event.detail) == (practitioner.pk, {"format": "pdf"})


# Actions -----------------------------------------------------------------------------------


def test_the_owner_marks_their_action_done_and_not_done(client, world, officer, meeting):
    client.force_login(officer)
    action = meeting.actions.get(owner=officer)
    page = client.get(meeting_url(meeting)).content.decode()
    assert 'Mark done<span class="govuk-visually-hidden"> \u2013 Plan Friday patrols' in page
    assert "Ask the council about lighting</span>" not in page
    response = client.post(done_url(action), {"done": "1"})
    assert response.status_code == 302
    assert response["Location"] == meeting_url(meeting)
    action.refresh_from_db()
    assert action.done_at is not None
    client.post(done_url(action), {"done": "0"})
    action.refresh_from_db()
    assert action.done_at is None
    assert (
        AuditEvent.objects.filter(object_id=str(action.pk), action=AuditAction.UPDATE).count() == 2
    )


@pytest.mark.parametrize("sent", [{"done": "yes"}, {"done": ""}, {"done": "1\x00"}, {}])
def test_marking_an_action_with_a_bad_value_is_refused_and_changes_nothing(
    client, world, officer, meeting, sent
):
    client.force_login(officer)
    action = meeting.actions.get(owner=officer)
    client.post(done_url(action), {"done": "1"})
    before = written()
    response = client.post(done_url(action), sent)
    assert response.status_code == 400
    assert written() == before
    action.refresh_from_db()
    assert action.done_at is not None


def test_an_owner_whose_role_goes_in_the_meantime_gets_not_found(
    client, world, officer, meeting, monkeypatch
):
    client.force_login(officer)
    action = meeting.actions.get(owner=officer)
    set_done = services.steering_action_set_done

    def role_taken_away_first(**kwargs):
        officer.memberships.all().delete()
        return set_done(**{**kwargs, "actor": type(officer).objects.get(pk=officer.pk)})

    monkeypatch.setattr(services, "steering_action_set_done", role_taken_away_first)
    assert client.post(done_url(action), {"done": "1"}).status_code == 404
    action.refresh_from_db()
    assert action.done_at is None


def test_a_governor_marks_any_action_done(client, world, admin, meeting):
    client.force_login(admin)
    action = meeting.actions.get(owner__isnull=True)
    assert client.post(done_url(action), {"done": "1"}).status_code == 302
    action.refresh_from_db()
    assert action.done_at is not None


# The landing page --------------------------------------------------------------------------


def test_the_owner_sees_their_open_actions_on_their_home_page(client, world, officer, meeting):
    client.force_login(officer)
    with time_machine.travel(datetime(2026, 3, 16, 10, 0, tzinfo=LONDON), tick=False):
        page = client.get("/").content.decode()
    card = page[page.index('id="steering-actions"') :]
    assert "Plan Friday patrols" in card
    assert "Horley SSP" in card
    assert "Overdue" in card
    action = meeting.actions.get(owner=officer)
    assert f"{meeting_url(meeting)}#action-{action.pk}" in card
    # Done, it leaves the page.
    services.steering_action_set_done(actor=officer, action=action, done=True, source="t")
    assert 'id="steering-actions"' not in client.get("/").content.decode()


def test_no_panel_without_open_actions(world, staff, chair, meeting):
    for user in (staff, chair):
        request = RequestFactory().get("/")
        request.user = user
        assert steering_views.landing_panel(request) is None


def test_an_owner_who_lost_the_partnership_no_longer_sees_the_action(world, officer, meeting):
    officer.memberships.all().delete()
    request = RequestFactory().get("/")
    request.user = officer
    assert steering_views.landing_panel(request) is None


def test_the_landing_panel_takes_the_same_queries_for_many_actions(
    world, chair, officer, officer_member
):
    def panel_queries() -> tuple[int, dict]:
        request = RequestFactory().get("/")
        request.user = type(officer).objects.get(pk=officer.pk)
        with CaptureQueriesContext(connection) as queries:
            panel = steering_views.landing_panel(request)
        return len(queries), panel

    def actions(count, start):
        return [
            ActionInput(
                description=f"Action {n}",
                due_on=date(2026, 3, 1) + timedelta(days=n),
                owner_id=str(officer.pk),
            )
            for n in range(start, start + count)
        ]

    record(chair, world.p, actions=actions(1, 0), agenda="First")
    few, panel = panel_queries()
    assert panel["total"] == 1
    record(chair, world.p, actions=actions(15, 1), agenda="Second")
    many, panel = panel_queries()
    assert many == few
    assert panel["total"] == 16
    assert len(panel["actions"]) == 10


# Query counts ------------------------------------------------------------------------------


def _fill(world, chair, officer, members: int, meetings: int) -> None:
    people = [add_member(chair, world.p, name=f"Member {n}") for n in range(members)]
    linked = add_member(chair, world.p, name="Pat", user_id=str(officer.pk))
    for n in range(meetings):
        record(
            chair,
            world.p,
            agenda=f"Meeting {n}",
            held_at=datetime(2026, 1, 1 + n, 16, 0, tzinfo=LONDON),
            attendees=[*people, linked],
            actions=[
                ActionInput(
                    description=f"Action {k}",
                    due_on=date(2026, 4, 1),
                    owner_id=str(officer.pk) if k % 2 else None,
                    owner_name="" if k % 2 else "Jo",
                )
                for k in range(4)
            ],
        )


@pytest.mark.parametrize("size", [1, 8])
def test_the_steering_page_takes_a_fixed_number_of_queries(
    client, world, chair, officer, size, django_assert_max_num_queries
):
    _fill(world, chair, officer, members=size, meetings=size)
    client.force_login(officer)
    with django_assert_max_num_queries(10):
        response = client.get(group_url(world.p))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 8])
def test_the_meeting_page_takes_a_fixed_number_of_queries(
    client, world, chair, officer, size, django_assert_max_num_queries
):
    _fill(world, chair, officer, members=size, meetings=1)
    meeting = SteeringMeeting.objects.get()
    client.force_login(chair)
    with django_assert_max_num_queries(13):
        response = client.get(meeting_url(meeting))
    assert response.status_code == 200
