"""The steering group's services: members joining, changing and leaving, meetings recorded and
changed with their actions, actions marked done, and the reminders of overdue actions."""

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult

from saferschools.accounts.models import Role
from saferschools.core.access import users_reaching_partnership
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.lib.schooldays import LONDON
from saferschools.planning import steering_services as services
from saferschools.planning.models import SteeringAction, SteeringMeeting, SteeringMember
from saferschools.planning.steering_services import ActionInput, MeetingInput, MemberInput

pytestmark = pytest.mark.django_db

# Wednesday 4 March 2026, 10:00 in London (GMT).
WEDNESDAY = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def chair(world, persona):
    """A steering group member of partnership P: keeps its governance."""
    return persona(Role.STEERING_MEMBER, world.p, full_name="Chris Chair")


@pytest.fixture
def officer(world, persona):
    """The partnership's officer: reads its governance, keeps none of it."""
    return persona(Role.SSP_OFFICER, world.p, full_name="Pat Officer")


@pytest.fixture
def outsider(world, persona):
    """A head teacher in the other area."""
    return persona(Role.HEAD_TEACHER, world.school_d, full_name="Olly Outsider")


def add_member(actor, partnership, **changes) -> SteeringMember:
    values = {
        "kind": SteeringMember.Kind.POLICE,
        "name": "Pat Officer",
        "joined_on": date(2025, 9, 1),
        "organisation": "Surrey Police",
        "role": "",
        "user_id": None,
    }
    values.update(changes)
    return services.steering_member_add(
        actor=actor, partnership=partnership, data=MemberInput(**values), source="test"
    )


@pytest.fixture
def officer_member(world, chair, officer):
    return add_member(chair, world.p, user_id=str(officer.pk))


@pytest.fixture
def pupil_member(world, chair):
    return add_member(
        chair,
        world.p,
        kind=SteeringMember.Kind.PUPIL,
        name="Year 10 representative",
        organisation="Oakwood School",
    )


def record(actor, partnership, *, actions=(), attendees=(), **changes) -> SteeringMeeting:
    values = {
        "held_at": datetime(2026, 3, 4, 16, 0, tzinfo=LONDON),
        "agenda": "1. Hotspots near the station\n2. The protocol's review",
        "location": "Oakwood School library",
        "minutes": "Patrols after school were discussed.",
        "decisions": "Co-ordinated patrols on Fridays.",
        "attendee_ids": [str(m.pk) for m in attendees],
        "actions": list(actions),
    }
    values.update(changes)
    return services.steering_meeting_record(
        actor=actor, partnership=partnership, data=MeetingInput(**values), source="test"
    )


def data_of(meeting: SteeringMeeting, **changes) -> MeetingInput:
    """What the meeting holds now, as an input, with ``changes``."""
    values = {
        "held_at": meeting.held_at,
        "agenda": meeting.agenda,
        "location": meeting.location,
        "minutes": meeting.minutes,
        "decisions": meeting.decisions,
        "attendee_ids": [str(m.pk) for m in meeting.attendees.all()],
        "actions": [
            ActionInput(
                description=a.description,
                due_on=a.due_on,
                owner_id=str(a.owner_id) if a.owner_id else None,
                owner_name=a.owner_name,
                done=a.done_at is not None,
                action_id=str(a.pk),
            )
            for a in meeting.actions.order_by("due_on", "id")
        ],
        "seen_updated_at": meeting.updated_at,
    }
    values.update(changes)
    return MeetingInput(**values)


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def written():
    return (
        SteeringMember.objects.count(),
        SteeringMeeting.objects.count(),
        SteeringAction.objects.count(),
        AuditEvent.objects.exclude(action=AuditAction.VIEW).count(),
        DBTaskResult.objects.count(),
    )


def reminder_tasks(action: SteeringAction):
    return DBTaskResult.objects.filter(
        task_path__endswith="steering_action_remind", args_kwargs__args__0=str(action.pk)
    ).order_by("run_after", "enqueued_at")


def told() -> list:
    return [n.user for n in Notification.objects.filter(kind="steering_action_overdue")]


def run_at(moment: datetime, run_worker) -> None:
    with time_machine.travel(moment, tick=False):
        run_worker()
    assert not DBTaskResult.objects.failed().exists()


# Members -------------------------------------------------------------------------------------


def test_a_member_is_added_linked_and_audited(world, chair, officer):
    member = add_member(chair, world.p, user_id=str(officer.pk), role="Secretary")
    assert (member.kind, member.name, member.user, member.role) == (
        "police",
        "Pat Officer",
        officer,
        "Secretary",
    )
    event = AuditEvent.objects.get(object_id=str(member.pk))
    assert event.action == AuditAction.CREATE
    assert event.actor_id == chair.pk
    assert event.detail == {"partnership": str(world.p.pk), "kind": "police"}


def test_users_reaching_the_partnership(world, persona, chair, officer, outsider):
    staff_a = persona(Role.SCHOOL_STAFF, world.school_a)
    analyst = persona(Role.LA_ANALYST, world.area)
    yot = persona(Role.AGENCY_PRACTITIONER, world.yot)
    staff_c = persona(Role.SCHOOL_STAFF, world.school_c)
    other_chair = persona(Role.STEERING_MEMBER, world.q)
    gone = persona(Role.SCHOOL_STAFF, world.school_b, is_active=False)
    assert set(users_reaching_partnership(world.p)) == {chair, officer, staff_a, analyst, yot}
    assert {staff_c, other_chair, outsider, gone}.isdisjoint(users_reaching_partnership(world.p))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "governor"}, "kind"),
        ({"name": "  "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"organisation": "x" * 201}, "organisation"),
        ({"joined_on": "2025-09-01"}, "joined_on"),
        ({"joined_on": date(1999, 12, 31)}, "joined_on"),
        ({"user_id": "not-a-uuid"}, "user_id"),
    ],
)
def test_bad_member_input_is_refused_naming_the_field(world, chair, changes, field):
    before = written()
    with pytest.raises(ValidationError) as excinfo:
        add_member(chair, world.p, **changes)
    assert field in errors_of(excinfo)
    assert written() == before


def test_a_member_is_linked_only_to_someone_reaching_the_partnership(world, chair, outsider):
    with pytest.raises(ValidationError) as excinfo:
        add_member(chair, world.p, user_id=str(outsider.pk))
    assert errors_of(excinfo) == {"user_id": ["Choose someone who can see the partnership"]}
    assert not SteeringMember.objects.exists()


def test_a_pupil_representative_is_described_and_has_no_account(world, chair, officer):
    with pytest.raises(ValidationError) as excinfo:
        add_member(
            chair,
            world.p,
            kind=SteeringMember.Kind.PUPIL,
            name="Year 10 representative",
            user_id=str(officer.pk),
        )
    assert "user_id" in errors_of(excinfo)


def test_a_user_is_a_current_member_once(world, chair, officer, officer_member):
    with pytest.raises(ValidationError) as excinfo:
        add_member(chair, world.p, user_id=str(officer.pk), name="Pat again")
    assert errors_of(excinfo) == {"user_id": ["Pat Officer is a member already"]}


def test_a_member_is_changed_and_only_the_change_audited(world, chair, officer_member):
    data = MemberInput(
        kind="police",
        name="Pat Officer",
        joined_on=date(2025, 9, 1),
        organisation="Surrey Police",
        role="Vice-chair",
        user_id=str(officer_member.user_id),
    )
    services.steering_member_update(actor=chair, member=officer_member, data=data, source="test")
    event = AuditEvent.objects.filter(object_id=str(officer_member.pk)).latest("seq")
    assert (event.action, event.detail) == (AuditAction.UPDATE, {"fields": ["role"]})
    # The same again changes nothing.
    before = written()
    services.steering_member_update(actor=chair, member=officer_member, data=data, source="test")
    assert written() == before


def test_a_linked_account_stays_linked_after_its_owner_moved_on(world, chair, officer_member):
    officer_member.user.memberships.all().delete()
    data = MemberInput(
        kind="police",
        name="Pat Officer (retired)",
        joined_on=date(2025, 9, 1),
        user_id=str(officer_member.user_id),
    )
    member = services.steering_member_update(
        actor=chair, member=officer_member, data=data, source="test"
    )
    assert member.user_id == officer_member.user_id
    assert member.name == "Pat Officer (retired)"


@time_machine.travel(WEDNESDAY, tick=False)
def test_a_member_leaves_and_stays_in_the_history(world, chair, officer_member):
    member = services.steering_member_leave(
        actor=chair, member=officer_member, left_on=date(2026, 3, 4), source="test"
    )
    assert member.left_on == date(2026, 3, 4)
    assert SteeringMember.objects.filter(pk=member.pk).exists()
    event = AuditEvent.objects.filter(object_id=str(member.pk)).latest("seq")
    assert event.detail == {"fields": ["left_on"]}
    with pytest.raises(ValidationError) as excinfo:
        services.steering_member_leave(
            actor=chair, member=member, left_on=date(2026, 3, 4), source="test"
        )
    assert "left_on" in errors_of(excinfo)


@time_machine.travel(WEDNESDAY, tick=False)
@pytest.mark.parametrize(
    "left_on", [date(2025, 8, 31), date(2026, 3, 5), "yesterday", None], ids=str
)
def test_a_bad_date_of_leaving_is_refused(world, chair, officer_member, left_on):
    before = written()
    with pytest.raises(ValidationError) as excinfo:
        services.steering_member_leave(
            actor=chair, member=officer_member, left_on=left_on, source="test"
        )
    assert list(errors_of(excinfo)) == ["left_on"]
    assert written() == before


# Meetings ------------------------------------------------------------------------------------


@time_machine.travel(WEDNESDAY, tick=False)
def test_a_meeting_is_recorded_with_its_actions_audited_and_reminders_queued(
    world, chair, officer_member, pupil_member
):
    meeting = record(
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
                due_on=date(2026, 3, 20),
                owner_name="Sam Councillor",
            ),
            ActionInput(
                description="Circulate the agenda",
                due_on=date(2026, 3, 5),
                owner_name="Chris",
                done=True,
            ),
        ],
    )
    assert meeting.recorded_by == chair
    assert set(meeting.attendees.all()) == {officer_member, pupil_member}
    patrols = meeting.actions.get(description="Plan Friday patrols")
    lighting = meeting.actions.get(description="Ask the council about lighting")
    agenda = meeting.actions.get(description="Circulate the agenda")
    assert patrols.owner == officer_member.user and patrols.owner_name == ""
    assert lighting.owner is None and lighting.owner_name == "Sam Councillor"
    assert agenda.done_at == WEDNESDAY
    event = AuditEvent.objects.get(object_id=str(meeting.pk))
    assert event.action == AuditAction.CREATE
    assert event.detail == {"partnership": str(world.p.pk), "attendees": 2, "actions": 3}
    # Open actions are reminded from the start of the school day after they fall due (Friday
    # 13 March is due: Monday 16 March at 08:30); a done one is not.
    assert [t.run_after for t in reminder_tasks(patrols)] == [utc(2026, 3, 16, 8, 30)]
    assert [t.run_after for t in reminder_tasks(lighting)] == [utc(2026, 3, 23, 8, 30)]
    assert not reminder_tasks(agenda).exists()


@time_machine.travel(WEDNESDAY, tick=False)
def test_the_same_meeting_sent_twice_is_recorded_once(world, chair):
    first = record(chair, world.p)
    second = record(chair, world.p)
    assert first == second
    assert SteeringMeeting.objects.count() == 1


def test_the_same_meeting_sent_again_with_other_details_is_refused(world, chair, officer_member):
    # Sent again a few minutes later with something changed (the browser's "back", a
    # correction): neither dropped in silence nor recorded twice.
    first = record(chair, world.p)
    before = written()
    with pytest.raises(ValidationError) as excinfo:
        record(
            chair,
            world.p,
            minutes="Patrols after school were discussed, and lighting.",
            actions=[
                ActionInput(
                    description="Ask about lighting", due_on=date(2026, 4, 1), owner_name="Sam"
                )
            ],
        )
    assert list(errors_of(excinfo)) == ["held_at"]
    assert "recorded this meeting" in errors_of(excinfo)["held_at"][0]
    assert written() == before
    first.refresh_from_db()
    assert first.minutes == "Patrols after school were discussed."


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"agenda": "   "}, "agenda"),
        ({"agenda": "x" * 20_001}, "agenda"),
        ({"held_at": "tomorrow"}, "held_at"),
        ({"held_at": datetime(1999, 1, 1, tzinfo=UTC)}, "held_at"),
        ({"location": "x" * 201}, "location"),
        ({"minutes": 12}, "minutes"),
        ({"attendee_ids": ["not-a-member"]}, "attendee_ids"),
        ({"attendee_ids": "everyone"}, "attendee_ids"),
        ({"actions": "do things"}, "actions"),
        (
            {"actions": [ActionInput(description="Plan patrols", due_on=None, owner_name="Jo")]},
            "actions[0].due_on",
        ),
        (
            {"actions": [ActionInput(description="", due_on=date(2026, 4, 1), owner_name="Jo")]},
            "actions[0].description",
        ),
        (
            {"actions": [ActionInput(description="Plan patrols", due_on=date(2026, 4, 1))]},
            "actions[0].owner_id",
        ),
        (
            {
                "actions": [
                    ActionInput(
                        description="Plan patrols",
                        due_on=date(2026, 4, 1),
                        owner_name="Jo",
                        done="yes",
                    )
                ]
            },
            "actions[0].done",
        ),
        (
            {
                "actions": [
                    ActionInput(
                        description="Plan patrols",
                        due_on=date(2026, 4, 1),
                        owner_name="Jo",
                        action_id="9b2a3c1e-0000-4000-8000-000000000000",
                    )
                ]
            },
            "actions[0].action_id",
        ),
    ],
)
def test_bad_meeting_input_is_refused_naming_the_field(world, chair, changes, field):
    before = written()
    with pytest.raises(ValidationError) as excinfo:
        record(chair, world.p, **changes)
    assert field in errors_of(excinfo)
    assert written() == before


def test_an_owner_who_cannot_reach_the_partnership_is_refused(
    world, chair, persona, outsider, officer_member
):
    # Someone of the other area, and a member of the group who has since lost their role.
    officer_member.user.memberships.all().delete()
    for owner in (outsider, officer_member.user):
        before = written()
        with pytest.raises(ValidationError) as excinfo:
            record(
                chair,
                world.p,
                actions=[
                    ActionInput(
                        description="Plan patrols", due_on=date(2026, 4, 1), owner_id=str(owner.pk)
                    )
                ],
            )
        assert list(errors_of(excinfo)) == ["actions[0].owner_id"]
        assert written() == before


def test_an_owner_is_a_member_with_an_account(world, chair, persona):
    # Someone who reaches the partnership but is not on its steering group.
    staff = persona(Role.SCHOOL_STAFF, world.school_a)
    with pytest.raises(ValidationError) as excinfo:
        record(
            chair,
            world.p,
            actions=[
                ActionInput(
                    description="Plan patrols", due_on=date(2026, 4, 1), owner_id=str(staff.pk)
                )
            ],
        )
    assert list(errors_of(excinfo)) == ["actions[0].owner_id"]


def test_an_owner_chosen_and_named_is_refused(world, chair, officer_member):
    with pytest.raises(ValidationError) as excinfo:
        record(
            chair,
            world.p,
            actions=[
                ActionInput(
                    description="Plan patrols",
                    due_on=date(2026, 4, 1),
                    owner_id=str(officer_member.user_id),
                    owner_name="Pat",
                )
            ],
        )
    assert list(errors_of(excinfo)) == ["actions[0].owner_name"]


def test_attendees_are_members_of_this_partnerships_group(world, chair, persona):
    other_chair = persona(Role.STEERING_MEMBER, world.q)
    elsewhere = add_member(other_chair, world.q, name="Q's officer")
    with pytest.raises(ValidationError) as excinfo:
        record(chair, world.p, attendees=[elsewhere])
    assert list(errors_of(excinfo)) == ["attendee_ids"]


@time_machine.travel(WEDNESDAY, tick=False)
def test_a_meeting_is_changed_and_only_what_changed_audited(world, chair, officer_member):
    meeting = record(
        chair,
        world.p,
        actions=[
            ActionInput(description="Plan patrols", due_on=date(2026, 3, 13), owner_name="Jo"),
            ActionInput(description="Call the council", due_on=date(2026, 3, 20), owner_name="Al"),
        ],
    )
    data = data_of(meeting, minutes="Patrols were agreed.", attendee_ids=[str(officer_member.pk)])
    patrols = data.actions[0]
    data.actions = [
        ActionInput(
            description=patrols.description,
            due_on=patrols.due_on,
            owner_id=str(officer_member.user_id),
            owner_name="",
            action_id=patrols.action_id,
        ),
        ActionInput(description="Write to parents", due_on=date(2026, 4, 1), owner_name="Chris"),
    ]
    services.steering_meeting_update(actor=chair, meeting=meeting, data=data, source="test")
    meeting.refresh_from_db()
    assert meeting.minutes == "Patrols were agreed."
    assert list(meeting.attendees.all()) == [officer_member]
    assert sorted(meeting.actions.values_list("description", flat=True)) == [
        "Plan patrols",
        "Write to parents",
    ]
    assert meeting.actions.get(description="Plan patrols").owner == officer_member.user
    event = AuditEvent.objects.filter(object_id=str(meeting.pk)).latest("seq")
    assert event.detail == {"fields": ["minutes", "attendees", "actions"]}
    # Nothing changed: nothing written.
    before = written()
    meeting = SteeringMeeting.objects.get(pk=meeting.pk)
    services.steering_meeting_update(
        actor=chair, meeting=meeting, data=data_of(meeting), source="test"
    )
    assert written() == before


def test_only_those_who_keep_the_group_change_it_whoever_calls(
    world, chair, officer, officer_member
):
    # The services hold every caller to the rule the pages apply: the officer reads the
    # partnership's governance, keeps none of it, and may mark only their own actions done.
    meeting = record(
        chair,
        world.p,
        actions=[
            ActionInput(description="Ask about lighting", due_on=date(2090, 1, 1), owner_name="Sam")
        ],
    )
    before = written()
    attempts = [
        lambda: add_member(officer, world.p, name="Someone"),
        lambda: services.steering_member_update(
            actor=officer,
            member=officer_member,
            data=MemberInput(kind="police", name="Renamed", joined_on=date(2025, 9, 1)),
            source="test",
        ),
        lambda: services.steering_member_leave(
            actor=officer, member=officer_member, left_on=date(2026, 1, 5), source="test"
        ),
        lambda: record(officer, world.p, agenda="Another meeting"),
        lambda: services.steering_meeting_update(
            actor=officer, meeting=meeting, data=data_of(meeting, minutes="Mine"), source="test"
        ),
        lambda: services.steering_action_set_done(
            actor=officer, action=meeting.actions.get(), done=True, source="test"
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError):
            attempt()
    assert written() == before


def test_a_change_over_someone_elses_is_refused(world, chair, persona):
    head = persona(Role.HEAD_TEACHER, world.school_a)
    with time_machine.travel(WEDNESDAY, tick=False):
        meeting = record(chair, world.p)
        seen = data_of(meeting, minutes="The chair's version")
    with time_machine.travel(WEDNESDAY + timedelta(minutes=5), tick=False):
        services.steering_meeting_update(
            actor=head, meeting=meeting, data=data_of(meeting, decisions="The head's"), source="t"
        )
    with time_machine.travel(WEDNESDAY + timedelta(minutes=6), tick=False):
        before = written()
        with pytest.raises(ValidationError) as excinfo:
            services.steering_meeting_update(actor=chair, meeting=meeting, data=seen, source="t")
        assert list(errors_of(excinfo)) == ["updated_at"]
        assert written() == before
        # Having seen the meeting as it is now, the change is saved.
        current = SteeringMeeting.objects.get(pk=meeting.pk)
        services.steering_meeting_update(
            actor=chair,
            meeting=meeting,
            data=data_of(current, minutes="The chair's version"),
            source="t",
        )
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.decisions) == ("The chair's version", "The head's")


def test_an_action_set_done_by_its_owner_is_audited_once(world, chair, officer_member):
    with time_machine.travel(WEDNESDAY, tick=False):
        meeting = record(
            chair,
            world.p,
            actions=[
                ActionInput(
                    description="Plan patrols",
                    due_on=date(2026, 3, 13),
                    owner_id=str(officer_member.user_id),
                )
            ],
        )
    action = meeting.actions.get()
    with time_machine.travel(WEDNESDAY + timedelta(hours=1), tick=False):
        services.steering_action_set_done(
            actor=officer_member.user, action=action, done=True, source="test"
        )
        before = written()
        services.steering_action_set_done(
            actor=officer_member.user, action=action, done=True, source="test"
        )
        assert written() == before
    action.refresh_from_db()
    assert action.done_at == WEDNESDAY + timedelta(hours=1)
    event = AuditEvent.objects.filter(object_id=str(action.pk)).latest("seq")
    assert (event.actor_id, event.detail) == (
        officer_member.user_id,
        {"meeting": str(meeting.pk), "done": True},
    )
    # The meeting's time of change moves, so that an edit begun before is not saved over it.
    meeting.refresh_from_db()
    assert meeting.updated_at == WEDNESDAY + timedelta(hours=1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need a database that takes them"
)
def test_an_action_marked_done_while_its_meeting_is_changed_waits_its_turn(
    world, chair, officer_member, monkeypatch
):
    # Marking an action done takes the meeting's lock before the action's, as a change to the
    # meeting does: taken the other way round, the two would wait for each other for ever.
    meeting = record(
        chair,
        world.p,
        actions=[
            ActionInput(
                description="Plan patrols",
                due_on=date(2090, 3, 13),
                owner_id=str(officer_member.user_id),
            )
        ],
    )
    action = meeting.actions.get()
    changed = data_of(meeting, seen_updated_at=None)
    changed.actions = [
        ActionInput(
            description="Plan patrols on Fridays",
            due_on=action.due_on,
            owner_id=str(officer_member.user_id),
            action_id=str(action.pk),
        )
    ]
    locked, go = threading.Event(), threading.Event()
    clean = services._clean_meeting

    def clean_then_wait(*args, **kwargs):
        cleaned = clean(*args, **kwargs)
        locked.set()
        go.wait(timeout=10)
        return cleaned

    monkeypatch.setattr(services, "_clean_meeting", clean_then_wait)
    failures: list[BaseException] = []

    def in_thread(work) -> None:
        try:
            work()
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    def change() -> None:
        services.steering_meeting_update(
            actor=chair,
            meeting=SteeringMeeting.objects.get(pk=meeting.pk),
            data=changed,
            source="test",
        )

    def mark_done() -> None:
        services.steering_action_set_done(
            actor=officer_member.user,
            action=SteeringAction.objects.get(pk=action.pk),
            done=True,
            source="test",
        )

    changing = threading.Thread(target=in_thread, args=(change,))
    changing.start()
    assert locked.wait(timeout=10)
    marking = threading.Thread(target=in_thread, args=(mark_done,))
    marking.start()
    time.sleep(0.5)
    go.set()
    changing.join()
    marking.join()
    assert failures == []
    action.refresh_from_db()
    assert action.description == "Plan patrols on Fridays"
    assert action.done_at is not None


# Reminders -----------------------------------------------------------------------------------


@pytest.fixture
def owned(world, chair, officer_member):
    """A meeting on Wednesday 4 March with an action owned by the officer, due Friday 13th,
    and one owned by someone named, due the same day."""
    with time_machine.travel(WEDNESDAY, tick=False):
        meeting = record(
            chair,
            world.p,
            actions=[
                ActionInput(
                    description="Plan patrols",
                    due_on=date(2026, 3, 13),
                    owner_id=str(officer_member.user_id),
                ),
                ActionInput(
                    description="Ask about lighting", due_on=date(2026, 3, 13), owner_name="Sam"
                ),
            ],
        )
    return meeting


def test_an_overdue_action_is_reminded_three_times(world, chair, officer, owned, run_worker):
    patrols = owned.actions.get(description="Plan patrols")
    run_at(utc(2026, 3, 16, 8, 29), run_worker)
    assert not told()
    run_at(utc(2026, 3, 16, 8, 31), run_worker)
    patrols.refresh_from_db()
    assert patrols.reminders_sent == 1
    # The officer is told of theirs; the named owner's is told to who recorded the meeting.
    assert sorted(u.full_name for u in told()) == ["Chris Chair", "Pat Officer"]
    notification = Notification.objects.get(user=officer)
    assert notification.title == "Your steering group action for Horley SSP is overdue"
    assert notification.url == (
        f"/partnerships/{world.p.pk}/steering-group/meetings/{owned.pk}/#action-{patrols.pk}"
    )
    # Every five school days after, three in all.
    assert [t.run_after for t in reminder_tasks(patrols)] == [
        utc(2026, 3, 16, 8, 30),
        utc(2026, 3, 23, 8, 30),
    ]
    run_at(utc(2026, 3, 23, 8, 31), run_worker)
    run_at(utc(2026, 3, 30, 8, 31), run_worker)
    patrols.refresh_from_db()
    assert patrols.reminders_sent == 3
    assert reminder_tasks(patrols).count() == 3
    run_at(utc(2026, 5, 1, 12, 0), run_worker)
    assert Notification.objects.filter(user=officer).count() == 3
    events = AuditEvent.objects.filter(object_id=str(patrols.pk), source=services.REMIND_SOURCE)
    assert events.count() == 3


def test_the_reminder_skips_weekends_and_bank_holidays(world, chair):
    # Due Thursday 2 April 2026: Good Friday and Easter Monday are bank holidays.
    with time_machine.travel(utc(2026, 3, 25, 10, 0), tick=False):
        meeting = record(
            chair,
            world.p,
            actions=[ActionInput(description="Plan", due_on=date(2026, 4, 2), owner_name="Jo")],
        )
    action = meeting.actions.get()
    # 8:30 in London in summer time is 7:30 UTC.
    assert [t.run_after for t in reminder_tasks(action)] == [utc(2026, 4, 7, 7, 30)]


def test_a_done_action_is_not_reminded(world, officer, officer_member, owned, run_worker):
    patrols = owned.actions.get(description="Plan patrols")
    with time_machine.travel(utc(2026, 3, 13, 12, 0), tick=False):
        services.steering_action_set_done(actor=officer, action=patrols, done=True, source="t")
    run_at(utc(2026, 3, 16, 8, 31), run_worker)
    patrols.refresh_from_db()
    assert patrols.reminders_sent == 0
    assert officer not in told()
    assert reminder_tasks(patrols).count() == 1


def test_a_moved_due_date_stops_the_old_reminders_and_starts_new_ones(
    world, chair, officer, owned, run_worker
):
    patrols = owned.actions.get(description="Plan patrols")
    run_at(utc(2026, 3, 16, 8, 31), run_worker)
    assert Notification.objects.filter(user=officer).count() == 1
    with time_machine.travel(utc(2026, 3, 17, 10, 0), tick=False):
        data = data_of(SteeringMeeting.objects.get(pk=owned.pk))
        data.actions = [
            ActionInput(
                description=row.description,
                due_on=date(2026, 4, 30) if row.action_id == str(patrols.pk) else row.due_on,
                owner_id=row.owner_id,
                owner_name=row.owner_name,
                done=row.done,
                action_id=row.action_id,
            )
            for row in data.actions
        ]
        services.steering_meeting_update(actor=chair, meeting=owned, data=data, source="t")
    patrols.refresh_from_db()
    assert patrols.reminders_sent == 0
    # The old date's second reminder finds the date moved and does nothing.
    run_at(utc(2026, 3, 23, 8, 31), run_worker)
    assert Notification.objects.filter(user=officer).count() == 1
    # The new date's first comes on Friday 1 May.
    run_at(utc(2026, 5, 1, 7, 31), run_worker)
    assert Notification.objects.filter(user=officer).count() == 2
    patrols.refresh_from_db()
    assert patrols.reminders_sent == 1


def test_an_owner_who_can_no_longer_see_it_is_not_reminded(
    world, chair, officer, owned, run_worker
):
    officer.memberships.all().delete()
    run_at(utc(2026, 3, 16, 8, 31), run_worker)
    assert officer not in told()
    # Whoever recorded the meeting hears of both actions instead.
    assert [u.full_name for u in told()] == ["Chris Chair", "Chris Chair"]


def test_a_reminder_run_twice_reminds_once(world, owned):
    patrols = owned.actions.get(description="Plan patrols")
    with time_machine.travel(utc(2026, 3, 16, 8, 31), tick=False):
        args = {"action_id": str(patrols.pk), "due_on": "2026-03-13", "reminder": 1}
        assert services.steering_action_remind(**args) == "reminded"
        assert services.steering_action_remind(**args) == "already reminded"
        assert services.steering_action_remind(**{**args, "due_on": "2026-03-12"}) == "moved"
    patrols.refresh_from_db()
    assert patrols.reminders_sent == 1


def test_a_reminder_that_fails_is_tried_again(world, officer, owned, run_worker, monkeypatch):
    patrols = owned.actions.get(description="Plan patrols")
    real = services.steering_action_remind

    def broken(**kwargs):
        raise ConnectionError("the database went away")

    monkeypatch.setattr(services, "steering_action_remind", broken)
    with time_machine.travel(utc(2026, 3, 16, 8, 31), tick=False):
        run_worker()
    patrols.refresh_from_db()
    assert patrols.reminders_sent == 0
    retry = DBTaskResult.objects.get(
        task_path__endswith="steering_action_remind",
        args_kwargs__args=[str(patrols.pk), "2026-03-13", 1, 1],
    )
    assert retry.run_after == utc(2026, 3, 16, 8, 32)
    monkeypatch.setattr(services, "steering_action_remind", real)
    with time_machine.travel(utc(2026, 3, 16, 8, 34), tick=False):
        run_worker()
    patrols.refresh_from_db()
    assert patrols.reminders_sent == 1
    assert officer in told()


def test_an_action_opened_again_is_reminded_again(world, officer, owned, run_worker):
    patrols = owned.actions.get(description="Plan patrols")
    with time_machine.travel(utc(2026, 3, 13, 12, 0), tick=False):
        services.steering_action_set_done(actor=officer, action=patrols, done=True, source="t")
    run_at(utc(2026, 3, 16, 8, 31), run_worker)
    assert officer not in told()
    with time_machine.travel(utc(2026, 3, 17, 10, 0), tick=False):
        services.steering_action_set_done(actor=officer, action=patrols, done=False, source="t")
    run_at(utc(2026, 3, 18, 8, 31), run_worker)
    assert officer in told()
