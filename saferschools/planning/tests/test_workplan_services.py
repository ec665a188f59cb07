"""The work-plan's services: starting a year's plan, its outcomes, partner roles, actions and
targets, stale edits, agreeing it (and changes after), and an action's progress."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.planning import workplan_selectors as selectors
from saferschools.planning import workplan_services as services
from saferschools.planning.demo import guidance_example
from saferschools.planning.models import (
    ActionProgress,
    ActionStatus,
    CoreAim,
    DesiredOutcome,
    PartnerRole,
    PartnershipAim,
    Target,
    TargetMeasurement,
    Workplan,
    WorkplanAction,
    WorkplanOutcome,
)
from saferschools.planning.workplan_services import (
    ActionInput,
    OutcomeInput,
    RoleInput,
    TargetInput,
)

pytestmark = pytest.mark.django_db

YEAR = 2025
# A Wednesday in the 2025/26 academic year.
TODAY = date(2026, 3, 4)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(date(2026, 3, 4), tick=False):
        yield


@pytest.fixture
def head(world, persona):
    """The head teacher of school A: keeps partnership P's governance."""
    return persona(Role.HEAD_TEACHER, world.school_a, full_name="Hana Head")


@pytest.fixture
def officer(world, persona):
    return persona(Role.SSP_OFFICER, world.p, full_name="Olu Officer")


def start(partnership, actor, year=YEAR, desired=()):
    return services.workplan_start(
        actor=actor, partnership=partnership, year=year, desired_outcome_ids=desired, source="test"
    )


def add_outcome(
    workplan, actor, text="Improve behaviour and attendance", aim=CoreAim.BEHAVIOUR_ATTENDANCE
):
    return services.workplan_outcome_add(
        actor=actor, workplan=workplan, aim=aim, text=text, source="test"
    )


def add_action(outcome, actor, *, owner=None, owner_name="", due_on=date(2026, 3, 20), text=None):
    return services.workplan_action_add(
        actor=actor,
        outcome=outcome,
        data=ActionInput(
            description=text or "Joint work with 10 priority families to improve attendance",
            owner_id=str(owner.pk) if owner else None,
            owner_name=owner_name,
            due_on=due_on,
        ),
        source="test",
    )


def target_input(**changes) -> TargetInput:
    values = {
        "description": "Persistent absence down by a fifth",
        "indicator": "persistent_absence",
        "measure": "",
        "baseline": Decimal("20"),
        "baseline_on": date(2025, 9, 1),
        "target_value": Decimal("16"),
        "target_on": date(2026, 7, 31),
    }
    values.update(changes)
    return TargetInput(**values)


def add_target(outcome, actor, **changes):
    return services.workplan_target_add(
        actor=actor, outcome=outcome, data=target_input(**changes), source="test"
    )


def plan_with_action(world, head, **action):
    workplan = start(world.p, head)
    outcome = add_outcome(workplan, head)
    return workplan, outcome, add_action(outcome, head, **action)


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def desired_outcomes(world, head, *texts):
    aim = PartnershipAim.objects.create(
        partnership=world.p, aim=CoreAim.BEHAVIOUR_ATTENDANCE, chosen_by=head
    )
    return [DesiredOutcome.objects.create(aim=aim, text=text) for text in texts]


# Starting a plan -----------------------------------------------------------------------------


def test_a_plan_starts_with_the_desired_outcomes_chosen(world, head):
    chosen, _other = desired_outcomes(
        world, head, "Reduction in pupil absence", "Reduction in the need for exclusions"
    )
    workplan = start(world.p, head, desired=[str(chosen.pk)])
    assert (workplan.year, workplan.status, workplan.created_by) == (YEAR, "draft", head)
    assert workplan.year_label == "2025/26"
    (outcome,) = workplan.outcomes.all()
    assert (outcome.aim, outcome.text) == (
        CoreAim.BEHAVIOUR_ATTENDANCE,
        "Reduction in pupil absence",
    )
    events = AuditEvent.objects.filter(action=AuditAction.CREATE)
    assert {e.object_type for e in events} == {"planning.workplan", "planning.workplanoutcome"}


@pytest.mark.parametrize(
    ("year", "message"),
    [
        (2027, "A work-plan can be started at most one academic year ahead"),
        (1999, "Give the year the academic year starts in"),
        ("2025", "Give the year the academic year starts in"),
        (True, "Give the year the academic year starts in"),
    ],
)
def test_a_plan_is_not_started_for_a_bad_year(world, head, year, message):
    with pytest.raises(ValidationError) as excinfo:
        start(world.p, head, year=year)
    assert errors_of(excinfo)["year"][0].startswith(message)
    assert not Workplan.objects.exists()


def test_a_year_has_one_plan(world, head):
    start(world.p, head)
    with pytest.raises(ValidationError) as excinfo:
        start(world.p, head)
    assert errors_of(excinfo) == {"year": ["There is already a work-plan for 2025/26"]}
    assert Workplan.objects.count() == 1


def test_a_plan_starts_only_with_the_partnerships_own_desired_outcomes(world, head):
    (mine,) = desired_outcomes(world, head, "Reduction in pupil absence")
    aim = PartnershipAim.objects.create(partnership=world.q, aim=CoreAim.SAFETY, chosen_by=head)
    theirs = DesiredOutcome.objects.create(aim=aim, text="Woking's outcome")
    for chosen in ([str(theirs.pk)], [str(mine.pk), "not-an-id"]):
        with pytest.raises(ValidationError) as excinfo:
            start(world.p, head, desired=chosen)
        assert "desired_outcomes" in errors_of(excinfo)
    assert not Workplan.objects.exists()


# Outcomes, roles, actions and targets ------------------------------------------------------------


def test_outcomes_are_added_in_order_changed_and_removed(world, head):
    workplan = start(world.p, head)
    first = add_outcome(workplan, head, "First")
    second = add_outcome(workplan, head, "Second", CoreAim.SAFETY)
    assert (first.position, second.position) == (0, 1)
    services.workplan_outcome_update(
        actor=head, outcome=first, aim=CoreAim.RELATIONS, text="First, reworded", source="test"
    )
    first.refresh_from_db()
    assert (first.aim, first.text) == (CoreAim.RELATIONS, "First, reworded")
    event = AuditEvent.objects.filter(object_id=str(first.pk)).last()
    assert event.detail == {"fields": ["aim", "text"]}
    # The same again is no change, and no audit event.
    count = AuditEvent.objects.count()
    services.workplan_outcome_update(
        actor=head, outcome=first, aim=CoreAim.RELATIONS, text="First, reworded", source="test"
    )
    assert AuditEvent.objects.count() == count


@pytest.mark.parametrize(
    ("aim", "text", "errors"),
    [
        ("", "Outcome", {"aim": ["Choose the core aim the outcome is tied to"]}),
        ("world_peace", "Outcome", {"aim": ["Choose the core aim the outcome is tied to"]}),
        (CoreAim.SAFETY, "  ", {"text": ["Enter the outcome"]}),
        (CoreAim.SAFETY, "x" * 501, {"text": ["Use 500 characters or fewer (this has 501)"]}),
        (CoreAim.SAFETY, 5, {"text": ["Enter text"]}),
    ],
)
def test_a_bad_outcome_is_refused(world, head, aim, text, errors):
    workplan = start(world.p, head)
    with pytest.raises(ValidationError) as excinfo:
        services.workplan_outcome_add(actor=head, workplan=workplan, aim=aim, text=text, source="t")
    assert errors_of(excinfo) == errors
    assert not WorkplanOutcome.objects.exists()


def test_removing_an_outcome_removes_what_is_under_it_audited(world, head, officer):
    _, outcome, action = plan_with_action(world, head, owner=officer)
    role = services.workplan_role_add(
        actor=head, outcome=outcome, data=RoleInput(partner="Police", role="Patrols"), source="t"
    )
    target = add_target(outcome, head)
    services.workplan_action_update_status(
        actor=officer, action=action, status="in_progress", note="Started", source="t"
    )
    note = ActionProgress.objects.get()
    measured = add_target(outcome, head, indicator=None, measure="Priority families' absence")
    measurement = services.workplan_target_measure(
        actor=head, target=measured, measured_on=date(2026, 1, 5), value=28, source="t"
    )
    services.workplan_outcome_remove(actor=head, outcome=outcome, source="t")
    assert not WorkplanOutcome.objects.exists()
    assert not ActionProgress.objects.exists()
    deleted = AuditEvent.objects.filter(action=AuditAction.DELETE)
    # Each row removed, down to the progress notes and measurements under it.
    assert {e.object_id for e in deleted} == {
        str(x.pk) for x in (outcome, role, action, note, target, measured, measurement)
    }


def test_a_partner_role_may_name_an_agency_of_the_area(world, head):
    workplan = start(world.p, head)
    outcome = add_outcome(workplan, head)
    role = services.workplan_role_add(
        actor=head,
        outcome=outcome,
        data=RoleInput(
            partner="", role="Weekly update on pupils at risk", agency_id=str(world.yot.pk)
        ),
        source="t",
    )
    assert (role.partner, role.agency) == ("Surrey YOS", world.yot)
    with pytest.raises(ValidationError) as excinfo:
        services.workplan_role_add(
            actor=head,
            outcome=outcome,
            data=RoleInput(partner="Police", role="Patrols", agency_id=str(world.other_police.pk)),
            source="t",
        )
    assert errors_of(excinfo) == {"agency_id": ["Choose an agency of the partnership's area"]}
    with pytest.raises(ValidationError) as excinfo:
        services.workplan_role_add(actor=head, outcome=outcome, data=RoleInput(), source="t")
    assert set(errors_of(excinfo)) == {"partner", "role"}
    assert PartnerRole.objects.count() == 1


def test_an_action_is_owned_by_someone_in_the_partnership_or_a_name(world, head, officer, persona):
    workplan = start(world.p, head)
    outcome = add_outcome(workplan, head)
    owned = add_action(outcome, head, owner=officer)
    assert (owned.owner, owned.owner_name) == (officer, "")
    named = add_action(outcome, head, owner_name="Year managers")
    assert (named.owner, named.owner_name) == (None, "Year managers")
    # The owner is told, by the product and by e-mail.
    (note,) = Notification.objects.filter(kind="workplan_action_owned")
    assert (note.user, note.url) == (officer, f"/work-plan/actions/{owned.pk}/")
    outsider = persona(Role.SSP_OFFICER, world.q)
    cases = [
        ({"owner": outsider}, {"owner_id": ["Choose someone who works in the partnership"]}),
        (
            {},
            {"owner_id": ["Choose who owns the action, or type the name of the person"]},
        ),
        (
            {"owner": officer, "owner_name": "Also a name"},
            {"owner_name": ["Choose a person or type a name, not both"]},
        ),
        (
            {"owner_name": "Someone", "due_on": date(2027, 9, 1)},
            {
                "due_on": [
                    "Enter a due date from 1 January 2025 to 31 August 2027 for the 2025/26 "
                    "work-plan"
                ]
            },
        ),
        (
            {"owner_name": "Someone", "due_on": None},
            {"due_on": ["Enter the date the action is due"]},
        ),
    ]
    for changes, errors in cases:
        with pytest.raises(ValidationError) as excinfo:
            add_action(outcome, head, **changes)
        assert errors_of(excinfo) == errors
    assert WorkplanAction.objects.count() == 2


def test_a_target_on_an_indicator_or_measured_by_hand(world, head):
    workplan = start(world.p, head)
    outcome = add_outcome(workplan, head)
    on_indicator = add_target(outcome, head)
    assert (on_indicator.indicator_id, on_indicator.measure) == ("persistent_absence", "")
    by_hand = add_target(
        outcome,
        head,
        indicator=None,
        measure="Persistent absence among the 10 priority families (%)",
        baseline="31.5",
        target_value=25,
    )
    assert (by_hand.indicator, by_hand.baseline, by_hand.target_value) == (
        None,
        Decimal("31.5"),
        Decimal("25"),
    )


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"baseline": None},
            {"baseline": ["Enter the baseline: the figure when the target was set"]},
        ),
        (
            {"baseline": "a fifth"},
            {"baseline": ["Enter the baseline as a number, for example 12 or 7.5"]},
        ),
        (
            {"baseline": True},
            {"baseline": ["Enter the baseline as a number, for example 12 or 7.5"]},
        ),
        (
            {"baseline": "1.2345"},
            {"baseline": ["Enter the baseline with at most 3 decimal places"]},
        ),
        (
            {"baseline": "NaN"},
            {"baseline": ["Enter the baseline as a number, for example 12 or 7.5"]},
        ),
        (
            {"target_value": "1e12"},
            {"target_value": ["Enter the target value below 1,000,000,000"]},
        ),
        # Figures a Decimal holds but cannot take the absolute value of, or round.
        (
            {"baseline": "1e999999999", "target_value": "-1E+999999999"},
            {
                "baseline": ["Enter the baseline below 1,000,000,000"],
                "target_value": ["Enter the target value below 1,000,000,000"],
            },
        ),
        (
            {"target_value": "1e-999999999"},
            {"target_value": ["Enter the target value with at most 3 decimal places"]},
        ),
        ({"baseline": 1e308}, {"baseline": ["Enter the baseline below 1,000,000,000"]}),
        (
            {"baseline": None},
            {"baseline": ["Enter the baseline: the figure when the target was set"]},
        ),
        # Not a code of the catalogue, nor one that could be looked up (PostgreSQL refuses NUL).
        ({"indicator": "incidents\x00"}, {"indicator": ["Choose an indicator from the catalogue"]}),
        (
            {"target_value": 140},
            {"target_value": ["Enter a figure from 0 to 100 for persistent absence rate"]},
        ),
        (
            {"target_on": date(2025, 9, 1)},
            {"target_on": ["The target date must be after the baseline date"]},
        ),
        ({"baseline_on": None}, {"baseline_on": ["Enter the date of the baseline"]}),
        ({"indicator": "happiness"}, {"indicator": ["Choose an indicator from the catalogue"]}),
        (
            {"indicator": None},
            {"measure": ["Choose an indicator, or say what is measured by hand"]},
        ),
        (
            {"measure": "Also this"},
            {"measure": ["Choose an indicator or say what is measured by hand, not both"]},
        ),
        (
            {"description": ""},
            {
                "description": [
                    "Describe the target, for example “Persistent absence among 10 priority families down by a fifth”"
                ]
            },
        ),
    ],
)
def test_a_bad_target_is_refused(world, head, changes, errors):
    workplan = start(world.p, head)
    outcome = add_outcome(workplan, head)
    with pytest.raises(ValidationError) as excinfo:
        add_target(outcome, head, **changes)
    assert errors_of(excinfo) == errors
    assert not Target.objects.exists()


def test_a_count_target_may_not_be_negative(world, head):
    workplan = start(world.p, head)
    outcome = add_outcome(workplan, head)
    with pytest.raises(ValidationError) as excinfo:
        add_target(outcome, head, indicator="incidents", baseline=-1)
    assert errors_of(excinfo) == {
        "baseline": ["Enter a figure of 0 or more for incidents recorded"]
    }


def test_a_score_target_may_be_below_nought(world, head):
    """Progress 8 is 0 at the national average: a school below it starts from a negative."""
    workplan = start(world.p, head)
    outcome = add_outcome(workplan, head)
    target = add_target(outcome, head, indicator="ks4_progress8", baseline="-0.4", target_value=0)
    assert target.baseline == Decimal("-0.4")


# Stale edits --------------------------------------------------------------------------------------


def test_a_change_to_what_someone_else_changed_since_is_refused(world, head, persona):
    steering = persona(Role.STEERING_MEMBER, world.p)
    _, outcome, action = plan_with_action(world, head, owner_name="Year managers")
    target = add_target(outcome, head)
    seen = {
        "outcome": services.outcome_version(outcome),
        "action": services.action_version(action),
        "target": services.target_version(target),
    }
    # The steering member changes each first.
    services.workplan_outcome_update(
        actor=steering, outcome=outcome, aim=outcome.aim, text="Better attendance", source="t"
    )
    services.workplan_action_update(
        actor=steering,
        action=action,
        data=ActionInput(description="Changed", owner_name="Year managers", due_on=action.due_on),
        source="t",
    )
    services.workplan_target_update(
        actor=steering, target=target, data=target_input(target_value=Decimal(15)), source="t"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.workplan_outcome_update(
            actor=head,
            outcome=outcome,
            aim=outcome.aim,
            text="Mine",
            version=seen["outcome"],
            source="t",
        )
    assert errors_of(excinfo) == {"version": [services.CHANGED_SINCE]}
    with pytest.raises(ValidationError):
        services.workplan_action_update(
            actor=head,
            action=action,
            data=ActionInput(description="Mine", owner_name="Me", due_on=action.due_on),
            version=seen["action"],
            source="t",
        )
    with pytest.raises(ValidationError):
        services.workplan_target_remove(
            actor=head, target=target, version=seen["target"], source="t"
        )
    outcome.refresh_from_db()
    action.refresh_from_db()
    assert (outcome.text, action.description) == ("Better attendance", "Changed")
    assert Target.objects.get().target_value == Decimal(15)


def test_a_change_to_what_someone_removed_a_moment_before_is_refused(world, head, officer):
    """Each was fetched (through the access policy) just before another person removed the
    outcome holding it: the change is refused as stale, with nothing written."""
    _, outcome, action = plan_with_action(world, head, owner=officer)
    role = services.workplan_role_add(
        actor=head, outcome=outcome, data=RoleInput(partner="Police", role="Patrols"), source="t"
    )
    target = add_target(outcome, head, indicator=None, measure="Priority families' absence")
    services.workplan_outcome_remove(actor=officer, outcome=outcome, source="t")
    before = AuditEvent.objects.count()
    role_input = RoleInput(partner="Police", role="More patrols")
    action_input = ActionInput(description="Patrols", owner_name="Me", due_on=date(2026, 4, 1))
    steps = [
        lambda: services.workplan_outcome_update(
            actor=head, outcome=outcome, aim=outcome.aim, text="Mine", source="t"
        ),
        lambda: services.workplan_role_add(
            actor=head, outcome=outcome, data=role_input, source="t"
        ),
        lambda: services.workplan_role_update(actor=head, role=role, data=role_input, source="t"),
        lambda: services.workplan_role_remove(actor=head, role=role, source="t"),
        lambda: services.workplan_action_add(
            actor=head, outcome=outcome, data=action_input, source="t"
        ),
        lambda: services.workplan_action_update(
            actor=head, action=action, data=action_input, source="t"
        ),
        lambda: services.workplan_action_update_status(
            actor=officer, action=action, status="done", source="t"
        ),
        lambda: services.workplan_action_remove(actor=head, action=action, source="t"),
        lambda: services.workplan_target_add(
            actor=head, outcome=outcome, data=target_input(), source="t"
        ),
        lambda: services.workplan_target_update(
            actor=head, target=target, data=target_input(), source="t"
        ),
        lambda: services.workplan_target_remove(actor=head, target=target, source="t"),
        lambda: services.workplan_target_measure(
            actor=head, target=target, measured_on=date(2026, 1, 5), value=28, source="t"
        ),
    ]
    for step in steps:
        with pytest.raises(ValidationError) as excinfo:
            step()
        assert errors_of(excinfo) == {"version": [services.REMOVED_SINCE]}
    assert AuditEvent.objects.count() == before
    assert not (
        WorkplanOutcome.objects.exists()
        or PartnerRole.objects.exists()
        or WorkplanAction.objects.exists()
        or Target.objects.exists()
        or TargetMeasurement.objects.exists()
    )


# Agreeing ------------------------------------------------------------------------------------------


def test_a_plan_is_agreed_once_each_outcome_has_an_action(world, head):
    workplan = start(world.p, head)
    with pytest.raises(ValidationError) as excinfo:
        services.workplan_agree(actor=head, workplan=workplan, version=None, source="t")
    assert errors_of(excinfo) == {
        "workplan": ["Before the plan can be agreed: add at least one outcome"]
    }
    outcome = add_outcome(workplan, head)
    with pytest.raises(ValidationError) as excinfo:
        services.workplan_agree(actor=head, workplan=workplan, version=None, source="t")
    assert "add an action to the outcome" in errors_of(excinfo)["workplan"][0]
    add_action(outcome, head, owner_name="Year managers")
    fetched = selectors.workplan_get(partnership=world.p, year=YEAR)
    services.workplan_agree(
        actor=head, workplan=workplan, version=services.workplan_version(fetched), source="t"
    )
    workplan.refresh_from_db()
    assert (workplan.status, workplan.agreed_on, workplan.agreed_by) == ("agreed", TODAY, head)
    assert selectors.workplan_changed_after_agreement(workplan=workplan) is None
    with pytest.raises(ValidationError) as excinfo:
        services.workplan_agree(actor=head, workplan=workplan, version=None, source="t")
    assert errors_of(excinfo) == {
        "workplan": ["The plan is already agreed, and has not changed since"]
    }


def test_agreeing_a_plan_changed_since_it_was_shown_is_refused(world, head):
    workplan, outcome, _ = plan_with_action(world, head, owner_name="Year managers")
    seen = services.workplan_version(selectors.workplan_get(partnership=world.p, year=YEAR))
    add_action(outcome, head, owner_name="Police", text="Co-ordinated patrols")
    with pytest.raises(ValidationError) as excinfo:
        services.workplan_agree(actor=head, workplan=workplan, version=seen, source="t")
    assert errors_of(excinfo) == {"version": [services.CHANGED_SINCE]}
    assert Workplan.objects.get().status == "draft"


def test_a_change_after_agreement_is_recorded_until_agreed_again(world, head):
    workplan, outcome, _ = plan_with_action(world, head, owner_name="Year managers")
    services.workplan_agree(actor=head, workplan=workplan, version=None, source="t")
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        add_target(outcome, head)
    workplan.refresh_from_db()
    changed = selectors.workplan_changed_after_agreement(workplan=workplan)
    assert changed is not None and changed.date() == date(2026, 3, 7)
    event = AuditEvent.objects.filter(object_id=str(workplan.pk)).last()
    assert event.detail == {"changed_after_agreement": "target added"}
    # Still agreed: the stage does not go back.
    assert workplan.status == "agreed"
    services.workplan_agree(actor=head, workplan=workplan, version=None, source="t")
    assert selectors.workplan_changed_after_agreement(workplan=workplan) is None


# An action's progress -------------------------------------------------------------------------------


def test_progress_is_recorded_and_done_sets_the_day(world, head, officer):
    _, _, action = plan_with_action(world, head, owner=officer)
    services.workplan_action_update_status(
        actor=officer, action=action, status="in_progress", note="Met the families", source="t"
    )
    services.workplan_action_update_status(actor=officer, action=action, status="done", source="t")
    action.refresh_from_db()
    assert (action.status, action.completed_on) == (ActionStatus.DONE, TODAY)
    services.workplan_action_update_status(
        actor=head, action=action, status="in_progress", note="One family still to see", source="t"
    )
    action.refresh_from_db()
    assert (action.status, action.completed_on) == (ActionStatus.IN_PROGRESS, None)
    # Time stands still here: the notes are compared regardless of their order.
    notes = set(ActionProgress.objects.values_list("status", "note", "by"))
    assert notes == {
        ("in_progress", "Met the families", officer.pk),
        ("done", "", officer.pk),
        ("in_progress", "One family still to see", head.pk),
    }
    event = AuditEvent.objects.filter(object_id=str(action.pk)).last()
    assert event.detail == {"fields": ["completed_on", "status"]}


@pytest.mark.parametrize(
    ("status", "note", "errors"),
    [
        ("finished", "", {"status": ["Choose a status: not_started, in_progress, done, dropped"]}),
        (3, "", {"status": ["Choose a status: not_started, in_progress, done, dropped"]}),
        ("dropped", "", {"note": ["Say why the action is dropped"]}),
        (
            "not_started",
            "",
            {"note": ["The action is already not started: add a note to record progress"]},
        ),
        ("done", "x" * 2001, {"note": ["Use 2,000 characters or fewer (this has 2,001)"]}),
    ],
)
def test_bad_progress_is_refused(world, head, status, note, errors):
    _, _, action = plan_with_action(world, head, owner_name="Year managers")
    with pytest.raises(ValidationError) as excinfo:
        services.workplan_action_update_status(
            actor=head, action=action, status=status, note=note, source="t"
        )
    assert errors_of(excinfo) == errors
    assert not ActionProgress.objects.exists()
    assert WorkplanAction.objects.get().status == ActionStatus.NOT_STARTED


def test_progress_on_a_status_changed_since_is_refused(world, head, officer):
    _, _, action = plan_with_action(world, head, owner=officer)
    seen = services.action_status_version(action)
    services.workplan_action_update_status(actor=officer, action=action, status="done", source="t")
    with pytest.raises(ValidationError) as excinfo:
        services.workplan_action_update_status(
            actor=head,
            action=action,
            status="dropped",
            note="No longer needed",
            version=seen,
            source="t",
        )
    assert errors_of(excinfo) == {"version": [services.CHANGED_SINCE]}
    assert WorkplanAction.objects.get().status == ActionStatus.DONE


# Measurements -----------------------------------------------------------------------------------------


def test_a_hand_measured_target_gets_measurements(world, head):
    workplan = start(world.p, head)
    outcome = add_outcome(workplan, head)
    target = add_target(outcome, head, indicator=None, measure="Priority families' absence (%)")
    services.workplan_target_measure(
        actor=head,
        target=target,
        measured_on=date(2026, 2, 1),
        value="27.5",
        note="Register",
        source="t",
    )
    assert TargetMeasurement.objects.get().value == Decimal("27.5")
    cases = [
        (
            {"measured_on": date(2026, 3, 5)},
            {"measured_on": ["The date it was measured cannot be in the future"]},
        ),
        (
            {"measured_on": date(2025, 8, 1)},
            {
                "measured_on": [
                    "The date it was measured cannot be before the baseline date (1 September 2025)"
                ]
            },
        ),
        ({"value": ""}, {"value": ["Enter the value measured"]}),
    ]
    for changes, errors in cases:
        values = {"measured_on": date(2026, 3, 1), "value": "26", **changes}
        with pytest.raises(ValidationError) as excinfo:
            services.workplan_target_measure(actor=head, target=target, source="t", **values)
        assert errors_of(excinfo) == errors
    on_indicator = add_target(outcome, head)
    with pytest.raises(ValidationError) as excinfo:
        services.workplan_target_measure(
            actor=head, target=on_indicator, measured_on=date(2026, 3, 1), value=1, source="t"
        )
    assert errors_of(excinfo) == {
        "value": ["This target's progress comes from its indicator, not by hand"]
    }
    assert TargetMeasurement.objects.count() == 1


# Several outcomes at once (the API's service) --------------------------------------------------------


def test_outcomes_with_everything_under_them_are_added_all_or_nothing(world, head, officer):
    good = OutcomeInput(
        aim=CoreAim.BEYOND_SITE,
        text="Reduced concern about trouble hotspots",
        partner_roles=[RoleInput(partner="Schools and police", role="Agree staffing")],
        actions=[
            ActionInput(
                description="Co-ordinated patrols",
                owner_id=str(officer.pk),
                due_on=date(2026, 4, 1),
            )
        ],
        targets=[
            TargetInput(**vars(target_input(indicator="patrols", baseline=10, target_value=20)))
        ],
    )
    bad = OutcomeInput(
        aim=CoreAim.SAFETY,
        text="Another",
        targets=[target_input(), target_input(baseline=None)],
    )
    with pytest.raises(ValidationError) as excinfo:
        services.workplan_outcomes_add(
            actor=head, partnership=world.p, year=YEAR, outcomes=[good, bad], source="t"
        )
    assert errors_of(excinfo) == {
        "outcomes[1].targets[1].baseline": [
            "Enter the baseline: the figure when the target was set"
        ]
    }
    assert not Workplan.objects.exists()
    workplan = services.workplan_outcomes_add(
        actor=head, partnership=world.p, year=YEAR, outcomes=[good], source="t"
    )
    (outcome,) = workplan.outcomes.all()
    assert (outcome.partner_roles.count(), outcome.actions.count(), outcome.targets.count()) == (
        1,
        1,
        1,
    )


def test_the_guidance_example_makes_a_plan_that_can_be_agreed(world, head, officer):
    workplan = services.workplan_outcomes_add(
        actor=head,
        partnership=world.p,
        year=YEAR,
        outcomes=guidance_example(year=YEAR, owner_id=str(officer.pk)),
        source="t",
    )
    assert workplan.outcomes.count() == 4
    assert WorkplanAction.objects.get(owner=officer).description.startswith("Co-ordinated patrols")
    services.workplan_agree(actor=head, workplan=workplan, version=None, source="t")
    assert Workplan.objects.get().status == "agreed"
