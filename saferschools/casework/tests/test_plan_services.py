"""Early-intervention plans: opening one, its actions and reviews, its status, closing and
reopening, and the rules every change obeys."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.casework import plan_services
from saferschools.casework.models import (
    Plan,
    PlanAction,
    PlanReview,
    PlanStatus,
    PupilTransfer,
    TransferReason,
    TransferStatus,
)
from saferschools.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def open_plan(actor, pupil, **changes):
    values = {
        "lead_professional_id": str(actor.pk),
        "concerns": "Missing lessons after lunch; seen with older youths at the park.",
        "goals": "Full attendance by half term; a mentor from the youth service.",
        "next_review_on": today() + timedelta(days=28),
    }
    values.update(changes)
    return plan_services.plan_open(actor=actor, pupil=pupil, source="test", **values)


def add_action(actor, plan, **changes):
    values = {
        "description": "Meet the family at home",
        "owner_id": str(actor.pk),
        "owner_name": "",
        "owner_organisation": "",
        "due_on": today() + timedelta(days=7),
    }
    values.update(changes)
    return plan_services.plan_action_add(actor=actor, plan=plan, source="test", **values)


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def events(obj, action=None):
    found = AuditEvent.objects.filter(object_id=str(obj.pk))
    return found.filter(action=action) if action else found


# Opening a plan ------------------------------------------------------------------------------


def test_a_safeguarding_lead_opens_a_plan(world, dsl):
    plan = open_plan(dsl, world.pupil_a)
    assert plan.status == PlanStatus.OPEN
    assert plan.school == world.school_a
    assert plan.lead_professional == dsl
    assert plan.opened_by == dsl
    assert plan.next_review_on == today() + timedelta(days=28)
    (event,) = events(plan)
    assert event.action == AuditAction.CREATE
    assert event.detail == {"pupil": str(world.pupil_a.pk)}


def test_the_lead_may_be_another_case_worker_of_the_school(world, dsl, persona):
    officer = persona(Role.SSP_OFFICER, world.p)
    plan = open_plan(dsl, world.pupil_a, lead_professional_id=str(officer.pk))
    assert plan.lead_professional == officer


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"concerns": "  "}, "concerns"),
        ({"goals": ""}, "goals"),
        ({"goals": "x" * 5001}, "goals"),
        ({"next_review_on": None}, "next_review_on"),
        ({"next_review_on": "2030-01-01"}, "next_review_on"),
        ({"lead_professional_id": "not-an-id"}, "lead_professional"),
        ({"lead_professional_id": None}, "lead_professional"),
    ],
    ids=[
        "blank concerns",
        "no goals",
        "long goals",
        "no review",
        "review as text",
        "bad lead",
        "no lead",
    ],
)
def test_bad_input_is_refused_naming_the_field(world, dsl, changes, field):
    with pytest.raises(ValidationError) as excinfo:
        open_plan(dsl, world.pupil_a, **changes)
    assert field in errors_of(excinfo)
    assert not Plan.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_first_review_cannot_be_in_the_past_or_years_away(world, dsl):
    with pytest.raises(ValidationError) as excinfo:
        open_plan(dsl, world.pupil_a, next_review_on=today() - timedelta(days=1))
    assert errors_of(excinfo)["next_review_on"] == ["The first review must be today or later"]
    with pytest.raises(ValidationError) as excinfo:
        open_plan(dsl, world.pupil_a, next_review_on=today() + timedelta(days=800))
    assert "next_review_on" in errors_of(excinfo)
    assert open_plan(dsl, world.pupil_a, next_review_on=today()).next_review_on == today()


def test_the_lead_must_work_on_the_schools_cases(world, dsl, staff, persona):
    other_school_lead = persona(Role.SAFEGUARDING_LEAD, world.school_b)
    for lead in (staff, other_school_lead):
        with pytest.raises(ValidationError) as excinfo:
            open_plan(dsl, world.pupil_a, lead_professional_id=str(lead.pk))
        assert errors_of(excinfo) == {
            "lead_professional": ["Choose someone who works on the school's cases"]
        }
    assert not Plan.objects.exists()


def test_a_pupil_has_one_plan_that_is_not_closed_at_a_time(world, dsl):
    first = open_plan(dsl, world.pupil_a)
    with pytest.raises(ValidationError) as excinfo:
        open_plan(dsl, world.pupil_a)
    assert errors_of(excinfo) == {"plan": [plan_services.ONE_OPEN_PLAN]}
    plan_services.plan_status_set(
        actor=dsl, plan=first, status=PlanStatus.UNDER_REVIEW, source="test"
    )
    with pytest.raises(ValidationError):
        open_plan(dsl, world.pupil_a)
    plan_services.plan_close(actor=dsl, plan=first, outcome="Attending fully.", source="test")
    second = open_plan(dsl, world.pupil_a)
    # The first cannot be reopened while the second is open.
    with pytest.raises(ValidationError) as excinfo:
        plan_services.plan_reopen(actor=dsl, plan=first, source="test")
    assert errors_of(excinfo) == {"plan": [plan_services.ONE_OPEN_PLAN]}
    assert Plan.objects.exclude(status=PlanStatus.CLOSED).get() == second


# Changing a plan -----------------------------------------------------------------------------


def test_a_change_is_audited_by_the_fields_changed_never_their_values(world, dsl, persona):
    plan = open_plan(dsl, world.pupil_a)
    officer = persona(Role.SSP_OFFICER, world.school_a)
    plan_services.plan_update(
        actor=dsl,
        plan=plan,
        lead_professional_id=str(officer.pk),
        concerns=plan.concerns,
        goals="Secret goal text",
        source="test",
    )
    plan.refresh_from_db()
    assert (plan.lead_professional, plan.goals) == (officer, "Secret goal text")
    event = events(plan, AuditAction.UPDATE).get()
    assert event.detail == {"fields": ["goals", "lead_professional"]}
    assert "Secret" not in str(event.detail)


def test_saving_a_plan_unchanged_writes_nothing(world, dsl):
    plan = open_plan(dsl, world.pupil_a)
    plan_services.plan_update(
        actor=dsl,
        plan=plan,
        lead_professional_id=str(dsl.pk),
        concerns=plan.concerns,
        goals=plan.goals,
        source="test",
    )
    assert not events(plan, AuditAction.UPDATE).exists()


def test_a_lead_who_has_left_the_school_may_stay_the_lead(world, dsl, persona):
    officer = persona(Role.SSP_OFFICER, world.school_a)
    plan = open_plan(dsl, world.pupil_a, lead_professional_id=str(officer.pk))
    officer.memberships.all().delete()
    plan_services.plan_update(
        actor=dsl,
        plan=plan,
        lead_professional_id=str(officer.pk),
        concerns="New concerns",
        goals=plan.goals,
        source="test",
    )
    plan.refresh_from_db()
    assert (plan.lead_professional, plan.concerns) == (officer, "New concerns")


# Actions -------------------------------------------------------------------------------------


def test_an_action_owned_by_a_case_worker(world, dsl):
    plan = open_plan(dsl, world.pupil_a)
    action = add_action(dsl, plan)
    assert (action.owner, action.owner_name, action.done_at) == (dsl, "", None)
    event = events(action).get()
    assert (event.action, event.detail) == (AuditAction.CREATE, {"plan": str(plan.pk)})


def test_an_action_owned_by_someone_from_outside(world, dsl):
    plan = open_plan(dsl, world.pupil_a)
    action = add_action(
        dsl, plan, owner_id="", owner_name="Sam Jones", owner_organisation="Surrey YOS"
    )
    assert action.owner is None
    assert action.owner_name == "Sam Jones (Surrey YOS)"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"owner_id": ""}, "owner"),
        ({"owner_id": "", "owner_name": "Sam Jones"}, "owner_organisation"),
        ({"owner_id": "", "owner_organisation": "Surrey YOS"}, "owner_name"),
        ({"owner_name": "Sam Jones", "owner_organisation": "YOS"}, "owner_name"),
        ({"owner_id": "8f2a1c5e-0000-4000-8000-000000000000"}, "owner"),
        ({"description": ""}, "description"),
        ({"due_on": None}, "due_on"),
    ],
    ids=["no owner", "no organisation", "no name", "both", "unknown owner", "no text", "no due"],
)
def test_a_bad_action_is_refused(world, dsl, changes, field):
    plan = open_plan(dsl, world.pupil_a)
    with pytest.raises(ValidationError) as excinfo:
        add_action(dsl, plan, **changes)
    assert field in errors_of(excinfo)
    assert not PlanAction.objects.exists()


def test_an_action_is_not_due_before_the_plan_opened(world, dsl):
    plan = open_plan(dsl, world.pupil_a)
    with pytest.raises(ValidationError) as excinfo:
        add_action(dsl, plan, due_on=today() - timedelta(days=1))
    assert errors_of(excinfo) == {"due_on": ["The due date cannot be before the plan was opened"]}


def test_the_owner_must_work_on_the_schools_cases(world, dsl, staff):
    plan = open_plan(dsl, world.pupil_a)
    with pytest.raises(ValidationError) as excinfo:
        add_action(dsl, plan, owner_id=str(staff.pk))
    assert "owner" in errors_of(excinfo)


def test_an_action_is_marked_done_once(world, dsl):
    plan = open_plan(dsl, world.pupil_a)
    action = add_action(dsl, plan)
    plan_services.plan_action_complete(actor=dsl, action=action, source="test")
    action.refresh_from_db()
    assert action.done_at is not None
    assert events(action, AuditAction.UPDATE).get().detail == {
        "plan": str(plan.pk),
        "fields": ["done_at"],
    }
    with pytest.raises(ValidationError) as excinfo:
        plan_services.plan_action_complete(actor=dsl, action=action, source="test")
    assert "action" in errors_of(excinfo)


# Reviews and status --------------------------------------------------------------------------


def test_a_review_sets_the_next_one_and_ends_under_review(world, dsl):
    plan = open_plan(dsl, world.pupil_a)
    plan_services.plan_status_set(actor=dsl, plan=plan, status="under_review", source="test")
    review = plan_services.plan_review_record(
        actor=dsl,
        plan=plan,
        held_on=today(),
        notes="Attendance up to 92%.",
        next_review_on=today() + timedelta(days=42),
        source="test",
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.OPEN
    assert plan.next_review_on == today() + timedelta(days=42)
    assert (review.reviewed_by, review.next_review_on) == (dsl, plan.next_review_on)
    assert events(plan, AuditAction.UPDATE).last().detail == {
        "fields": ["next_review_on", "status"]
    }
    assert events(review, AuditAction.CREATE).exists()


@pytest.mark.parametrize(
    ("held", "next_in", "field"),
    [(1, 30, "held_on"), (0, 0, "next_review_on"), (0, -1, "next_review_on"), (-1, 0, "")],
    ids=["held in the future", "next the same day", "next before", "held yesterday, next today"],
)
def test_review_dates_must_make_sense(world, dsl, held, next_in, field):
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        plan = open_plan(dsl, world.pupil_a)

    def record():
        return plan_services.plan_review_record(
            actor=dsl,
            plan=plan,
            held_on=today() + timedelta(days=held),
            notes="Notes",
            next_review_on=today() + timedelta(days=next_in),
            source="test",
        )

    if not field:
        assert record().held_on == today() - timedelta(days=1)
        return
    with pytest.raises(ValidationError) as excinfo:
        record()
    assert list(errors_of(excinfo)) == [field]
    assert not PlanReview.objects.exists()


def test_status_moves_between_open_and_under_review_only(world, dsl):
    plan = open_plan(dsl, world.pupil_a)
    for bad in ("closed", "sent", None, ["open"]):
        with pytest.raises(ValidationError) as excinfo:
            plan_services.plan_status_set(actor=dsl, plan=plan, status=bad, source="test")
        assert "status" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        plan_services.plan_status_set(actor=dsl, plan=plan, status="open", source="test")
    assert errors_of(excinfo) == {"status": ["The plan is already open"]}
    plan_services.plan_status_set(actor=dsl, plan=plan, status="under_review", source="test")
    plan_services.plan_status_set(actor=dsl, plan=plan, status="open", source="test")
    assert Plan.objects.get().status == PlanStatus.OPEN
    assert events(plan, AuditAction.UPDATE).count() == 2


# Closing and reopening -----------------------------------------------------------------------


def test_closing_needs_an_outcome_and_freezes_the_plan_until_reopened(world, dsl):
    plan = open_plan(dsl, world.pupil_a)
    with pytest.raises(ValidationError) as excinfo:
        plan_services.plan_close(actor=dsl, plan=plan, outcome=" ", source="test")
    assert "outcome" in errors_of(excinfo)
    plan_services.plan_close(actor=dsl, plan=plan, outcome="Back on track.", source="test")
    plan.refresh_from_db()
    assert (plan.status, plan.outcome) == (PlanStatus.CLOSED, "Back on track.")
    assert plan.closed_at is not None
    with pytest.raises(ValidationError) as excinfo:
        add_action(dsl, plan)
    assert errors_of(excinfo) == {"plan": [plan_services.PLAN_CLOSED]}
    with pytest.raises(ValidationError):
        plan_services.plan_close(actor=dsl, plan=plan, outcome="Again", source="test")
    plan_services.plan_reopen(actor=dsl, plan=plan, source="test")
    plan.refresh_from_db()
    assert (plan.status, plan.closed_at) == (PlanStatus.OPEN, None)
    add_action(dsl, plan)
    with pytest.raises(ValidationError) as excinfo:
        plan_services.plan_reopen(actor=dsl, plan=plan, source="test")
    assert errors_of(excinfo) == {"plan": ["This plan is not closed"]}


def test_nothing_changes_while_the_record_awaits_another_schools_confirmation(world, dsl):
    plan = open_plan(dsl, world.pupil_a)
    action = add_action(dsl, plan)
    PupilTransfer.objects.create(
        pupil=world.pupil_a,
        from_school=world.school_a,
        to_school=world.school_b,
        reason=TransferReason.MANAGED_MOVE,
        status=TransferStatus.SENT,
        sent_by=dsl,
        sent_at=timezone.now(),
    )
    before = AuditEvent.objects.count()
    steps = [
        lambda: add_action(dsl, plan),
        lambda: plan_services.plan_action_complete(actor=dsl, action=action, source="test"),
        lambda: plan_services.plan_status_set(
            actor=dsl, plan=plan, status="under_review", source="test"
        ),
        lambda: plan_services.plan_close(actor=dsl, plan=plan, outcome="Moved", source="test"),
        lambda: plan_services.plan_update(
            actor=dsl,
            plan=plan,
            lead_professional_id=str(dsl.pk),
            concerns="c",
            goals="g",
            source="test",
        ),
        lambda: open_plan(dsl, world.pupil_a),
    ]
    for step in steps:
        with pytest.raises(ValidationError) as excinfo:
            step()
        assert "pupil" in errors_of(excinfo)
    assert AuditEvent.objects.count() == before
    assert PlanAction.objects.get().done_at is None
