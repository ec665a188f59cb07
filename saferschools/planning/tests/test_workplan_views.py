"""The work-plan's pages: who reads and who keeps a plan, starting and agreeing it, each form's
bad input, stale edits, an action's progress by its owner and by a governor, targets' progress
on the page with small counts left out, the landing page's list, and query counts."""

import html
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import RequestFactory

from saferschools.accounts.models import Role
from saferschools.activity.models import Activity
from saferschools.core.models import AuditEvent
from saferschools.incidents.models import Incident
from saferschools.outcomes.models import IndicatorValue
from saferschools.planning import workplan_services as services
from saferschools.planning import workplan_views
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
from saferschools.planning.workplan_services import ActionInput, RoleInput, TargetInput

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
YEAR = 2025


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a, full_name="Hana Head")


@pytest.fixture
def steering(world, persona):
    return persona(Role.STEERING_MEMBER, world.p, full_name="Sam Steer")


@pytest.fixture
def officer(world, persona):
    return persona(Role.SSP_OFFICER, world.p, full_name="Olu Officer")


@pytest.fixture
def plan(world, head, officer):
    """Partnership P's 2025/26 plan: one outcome with a role, an action the officer owns and a
    target on incidents."""
    workplan = services.workplan_start(actor=head, partnership=world.p, year=YEAR, source="t")
    outcome = services.workplan_outcome_add(
        actor=head,
        workplan=workplan,
        aim=CoreAim.BEYOND_SITE,
        text="Reduced concern about trouble hotspots",
        source="t",
    )
    services.workplan_role_add(
        actor=head,
        outcome=outcome,
        data=RoleInput(partner="Schools and police", role="Agree staffing and patrols"),
        source="t",
    )
    action = services.workplan_action_add(
        actor=head,
        outcome=outcome,
        data=ActionInput(
            description="Co-ordinated patrols at the beginning and end of the school day",
            owner_id=str(officer.pk),
            due_on=date(2026, 3, 1),
        ),
        source="t",
    )
    target = services.workplan_target_add(
        actor=head,
        outcome=outcome,
        data=TargetInput(
            description="Incidents on travel routes down",
            indicator="incidents",
            baseline=Decimal(10),
            baseline_on=date(2025, 9, 1),
            target_value=Decimal(4),
            target_on=date(2026, 7, 31),
        ),
        source="t",
    )
    return workplan, outcome, action, target


def text(response) -> str:
    return html.unescape(response.content.decode())


def plan_url(world, year=None) -> str:
    base = f"/partnerships/{world.p.pk}/work-plan/"
    return base if year is None else f"{base}{year}/"


def version_in(response) -> str:
    match = re.search(r'name="version" value="([0-9a-f]+)"', response.content.decode())
    assert match, "no version on the page"
    return match.group(1)


def date_fields(name, day) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def changes_count() -> int:
    return AuditEvent.objects.exclude(action="view").count()


# Who reads and who keeps ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "scope", "keeps"),
    [
        (Role.HEAD_TEACHER, "school_a", True),
        (Role.STEERING_MEMBER, "p", True),
        (Role.AREA_ADMIN, "area", True),
        (Role.SCHOOL_STAFF, "school_b", False),
        (Role.SAFEGUARDING_LEAD, "school_a", False),
        (Role.SSP_OFFICER, "p", False),
        (Role.AGENCY_PRACTITIONER, "yot", False),
        (Role.LA_ANALYST, "area", False),
        (Role.POLICE_SUPERVISOR, "police", False),
    ],
)
def test_everyone_reaching_the_partnership_reads_the_plan(
    client, world, persona, plan, role, scope, keeps
):
    user = persona(role, getattr(world, scope))
    client.force_login(user)
    page = client.get(plan_url(world))
    assert page.status_code == 200
    body = text(page)
    assert "Work-plan 2025/26" in body
    assert "Reduced concern about trouble hotspots" in body
    assert "Schools and police" in body
    assert "Co-ordinated patrols at the beginning and end of the school day" in body
    assert "Incidents on travel routes down" in body
    assert ("Add an outcome" in body) is keeps
    assert ("Agree the work-plan" in body) is keeps


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.SSP_OFFICER, "q"),
        (Role.SCHOOL_STAFF, "school_c"),
        (Role.HEAD_TEACHER, "school_d"),
        (Role.AREA_ADMIN, "other_area"),
        (Role.SCHOOL_STAFF, "school_e"),
    ],
)
def test_outsiders_get_404_everywhere(client, world, persona, plan, role, scope):
    workplan, outcome, action, target = plan
    role_row = PartnerRole.objects.get()
    client.force_login(persona(role, getattr(world, scope)))
    before = changes_count()
    urls = [
        plan_url(world),
        plan_url(world, YEAR),
        f"/partnerships/{world.p.pk}/work-plan/2026/start/",
        f"/work-plan/{workplan.pk}/outcomes/new/",
        f"/work-plan/outcomes/{outcome.pk}/edit/",
        f"/work-plan/outcomes/{outcome.pk}/remove/",
        f"/work-plan/outcomes/{outcome.pk}/roles/new/",
        f"/work-plan/roles/{role_row.pk}/edit/",
        f"/work-plan/roles/{role_row.pk}/remove/",
        f"/work-plan/outcomes/{outcome.pk}/actions/new/",
        f"/work-plan/actions/{action.pk}/",
        f"/work-plan/actions/{action.pk}/edit/",
        f"/work-plan/actions/{action.pk}/remove/",
        f"/work-plan/outcomes/{outcome.pk}/targets/new/",
        f"/work-plan/targets/{target.pk}/",
        f"/work-plan/targets/{target.pk}/edit/",
        f"/work-plan/targets/{target.pk}/remove/",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"version": "x", "status": "done"}).status_code in (404, 405), url
    assert client.post(f"/work-plan/{workplan.pk}/agree/").status_code == 404
    assert changes_count() == before


def test_readers_may_not_change_the_plan(client, world, persona, plan):
    workplan, outcome, action, target = plan
    client.force_login(persona(Role.SAFEGUARDING_LEAD, world.school_a))
    before = changes_count()
    for url, data in [
        (f"/partnerships/{world.p.pk}/work-plan/2026/start/", {}),
        (f"/work-plan/{workplan.pk}/outcomes/new/", {"aim": "safety", "text": "Mine"}),
        (f"/work-plan/{workplan.pk}/agree/", {}),
        (f"/work-plan/outcomes/{outcome.pk}/remove/", {}),
        (f"/work-plan/actions/{action.pk}/edit/", {}),
        (f"/work-plan/actions/{action.pk}/", {"status": "done"}),
        (f"/work-plan/targets/{target.pk}/", {"value": "3"}),
        (f"/work-plan/targets/{target.pk}/remove/", {}),
    ]:
        assert client.post(url, data).status_code == 404, url
    assert client.get(f"/work-plan/outcomes/{outcome.pk}/edit/").status_code == 404
    assert changes_count() == before
    # The action's page reads, without the progress form.
    page = client.get(f"/work-plan/actions/{action.pk}/")
    assert page.status_code == 200
    assert "Record progress" not in text(page)


def test_a_year_that_is_not_one_is_not_found(client, world, head):
    client.force_login(head)
    assert client.get(plan_url(world, 1999)).status_code == 404
    assert client.get(plan_url(world, 2101)).status_code == 404


# Starting a plan ------------------------------------------------------------------------------------


def test_a_governor_starts_the_plan_with_the_desired_outcomes(client, world, head):
    aim = PartnershipAim.objects.create(
        partnership=world.p, aim=CoreAim.BEHAVIOUR_ATTENDANCE, chosen_by=head
    )
    wanted = DesiredOutcome.objects.create(aim=aim, text="Reduction in pupil absence")
    DesiredOutcome.objects.create(aim=aim, text="Reduction in the need for exclusions")
    client.force_login(head)
    page = client.get(plan_url(world))
    assert "The partnership has no work-plan for 2025/26 yet." in text(page)
    assert f"/partnerships/{world.p.pk}/work-plan/2025/start/" in text(page)
    form = client.get(f"/partnerships/{world.p.pk}/work-plan/2025/start/")
    assert form.status_code == 200
    assert "Reduction in the need for exclusions" in text(form)
    # Bad input: an outcome that is not one of the list.
    bad = client.post(
        f"/partnerships/{world.p.pk}/work-plan/2025/start/", {"desired_outcomes": ["nonsense"]}
    )
    assert bad.status_code == 400
    assert "Choose outcomes from the list" in text(bad)
    assert not Workplan.objects.exists()
    done = client.post(
        f"/partnerships/{world.p.pk}/work-plan/2025/start/", {"desired_outcomes": [str(wanted.pk)]}
    )
    assert done.status_code == 302
    assert done["Location"] == plan_url(world, 2025)
    assert list(WorkplanOutcome.objects.values_list("text", flat=True)) == [
        "Reduction in pupil absence"
    ]
    # Starting again goes to the plan.
    again = client.get(f"/partnerships/{world.p.pk}/work-plan/2025/start/")
    assert again.status_code == 302


def test_a_plan_is_not_started_too_far_ahead(client, world, head):
    client.force_login(head)
    page = client.get(plan_url(world, 2027))
    assert "A work-plan can be started for this academic year or the next." in text(page)
    # The form is not offered for it: the year's page says why.
    form = client.get(f"/partnerships/{world.p.pk}/work-plan/2027/start/")
    assert (form.status_code, form["Location"]) == (302, plan_url(world, 2027))
    response = client.post(f"/partnerships/{world.p.pk}/work-plan/2027/start/", {})
    assert response.status_code == 400
    assert "A work-plan can be started at most one academic year ahead" in text(response)
    assert not Workplan.objects.exists()


def test_readers_are_told_who_may_start_a_plan(client, world, dsl):
    client.force_login(dsl)
    body = text(client.get(plan_url(world)))
    assert (
        "A head teacher, a steering group member or the area's administrator can start it." in body
    )
    assert "/start/" not in body


# The forms' bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        (
            "outcome-new",
            {"aim": "", "text": "An outcome"},
            "Choose the core aim the outcome is tied to",
        ),
        ("outcome-new", {"aim": "safety", "text": ""}, "Enter the outcome"),
        (
            "outcome-edit",
            {"aim": "nonsense", "text": "x"},
            "Choose the core aim the outcome is tied to",
        ),
        ("role-new", {"partner": "", "role": "Patrols"}, "Enter the partner, for example"),
        (
            "role-new",
            {"partner": "Police", "role": ""},
            "Enter what the partner does towards the outcome",
        ),
        (
            "role-new",
            {"partner": "Police", "role": "x", "agency": "nope"},
            "Choose an agency from the list",
        ),
        (
            "action-new",
            {"description": "Patrols", **date_fields("due_on", date(2026, 4, 1))},
            "Choose who owns the action, or type the name of the person",
        ),
        (
            "action-new",
            {"description": "", "owner_name": "Me", **date_fields("due_on", date(2026, 4, 1))},
            "Enter the action",
        ),
        (
            "action-new",
            {
                "description": "Patrols",
                "owner_name": "Me",
                "due_on_day": "31",
                "due_on_month": "2",
                "due_on_year": "2026",
            },
            "The date the action is due must be a real date",
        ),
        (
            "action-new",
            {
                "description": "Patrols",
                "owner_name": "Me",
                **date_fields("due_on", date(2030, 4, 1)),
            },
            "Enter a due date from 1 January 2025 to 31 August 2027",
        ),
        (
            "action-new",
            {
                "description": "Patrols",
                "owner": "not-a-user",
                "owner_name": "",
                **date_fields("due_on", date(2026, 4, 1)),
            },
            "Choose the owner from the list",
        ),
        (
            "target-new",
            {
                "description": "Absence down",
                "indicator": "persistent_absence",
                "baseline": "",
                "target_value": "4",
                **date_fields("baseline_on", date(2025, 9, 1)),
                **date_fields("target_on", date(2026, 7, 1)),
            },
            "Enter the baseline: the figure when the target was set",
        ),
        (
            "target-new",
            {
                "description": "Absence down",
                "indicator": "persistent_absence",
                "baseline": "ten",
                "target_value": "4",
                **date_fields("baseline_on", date(2025, 9, 1)),
                **date_fields("target_on", date(2026, 7, 1)),
            },
            "as a number, for example 12 or 7.5",
        ),
        (
            "target-new",
            {
                "description": "Absence down",
                "indicator": "",
                "measure": "",
                "baseline": "5",
                "target_value": "4",
                **date_fields("baseline_on", date(2025, 9, 1)),
                **date_fields("target_on", date(2026, 7, 1)),
            },
            "Choose an indicator, or say what is measured by hand",
        ),
        (
            "target-new",
            {
                "description": "Absence down",
                "indicator": "persistent_absence",
                "baseline": "5",
                "target_value": "4",
                **date_fields("baseline_on", date(2025, 9, 1)),
                **date_fields("target_on", date(2025, 7, 1)),
            },
            "The target date must be after the baseline date",
        ),
        (
            "target-new",
            {
                "description": "Absence down",
                "indicator": "persistent_absence",
                "baseline": "5",
                "target_value": "4",
                **date_fields("target_on", date(2026, 7, 1)),
            },
            "Enter the date of the baseline",
        ),
        (
            "target-new",
            {
                "description": "Absence down",
                "indicator": "persistent_absence",
                "baseline": "1e999999999",
                "target_value": "4",
                **date_fields("baseline_on", date(2025, 9, 1)),
                **date_fields("target_on", date(2026, 7, 1)),
            },
            "Enter the baseline below 1,000,000,000",
        ),
        (
            "measurement",
            {"value": "-1e999999999", **date_fields("measured_on", date(2026, 3, 1))},
            "Enter the value measured below 1,000,000,000",
        ),
    ],
)
def test_each_form_names_what_is_wrong_and_changes_nothing(
    client, world, head, plan, url, data, message
):
    workplan, outcome, _, _ = plan
    by_hand = Target.objects.create(
        outcome=outcome,
        description="Priority families' absence down",
        measure="Persistent absence among the priority families (%)",
        baseline=30,
        baseline_on=date(2025, 9, 1),
        target_value=24,
        target_on=date(2026, 7, 31),
    )
    urls = {
        "measurement": f"/work-plan/targets/{by_hand.pk}/",
        "outcome-new": f"/work-plan/{workplan.pk}/outcomes/new/",
        "outcome-edit": f"/work-plan/outcomes/{outcome.pk}/edit/",
        "role-new": f"/work-plan/outcomes/{outcome.pk}/roles/new/",
        "action-new": f"/work-plan/outcomes/{outcome.pk}/actions/new/",
        "target-new": f"/work-plan/outcomes/{outcome.pk}/targets/new/",
    }
    client.force_login(head)
    before = changes_count()
    assert client.get(urls[url]).status_code == 200
    response = client.post(urls[url], data)
    assert response.status_code == 400
    body = text(response)
    assert "There is a problem" in body
    assert message in body
    assert body.count(message) >= 2 or "govuk-error-message" in body
    assert changes_count() == before
    assert (WorkplanOutcome.objects.count(), PartnerRole.objects.count()) == (1, 1)
    assert (WorkplanAction.objects.count(), Target.objects.count()) == (1, 2)
    assert not TargetMeasurement.objects.exists()


def test_a_governor_adds_and_changes_each_part(client, world, head, steering, plan):
    workplan, outcome, action, target = plan
    client.force_login(steering)
    response = client.post(
        f"/work-plan/{workplan.pk}/outcomes/new/",
        {"aim": "early_identification", "text": "Pupils most at risk challenged and supported"},
    )
    assert response.status_code == 302
    new = WorkplanOutcome.objects.get(text__startswith="Pupils most at risk")
    response = client.post(
        f"/work-plan/outcomes/{new.pk}/roles/new/",
        {"partner": "", "agency": str(world.yot.pk), "role": "Weekly update on pupils at risk"},
    )
    assert response.status_code == 302
    assert PartnerRole.objects.get(outcome=new).partner == "Surrey YOS"
    response = client.post(
        f"/work-plan/outcomes/{new.pk}/actions/new/",
        {
            "description": "Year managers consult the SSP officer about pupils at risk",
            "owner": str(head.pk),
            "owner_name": "",
            **date_fields("due_on", date(2026, 5, 1)),
        },
    )
    assert response.status_code == 302
    assert WorkplanAction.objects.get(outcome=new).owner == head
    response = client.post(
        f"/work-plan/outcomes/{new.pk}/targets/new/",
        {
            "description": "Persistent absence among 10 priority families down by a fifth",
            "indicator": "",
            "measure": "Persistent absence among the priority families (%)",
            "baseline": "30",
            "target_value": "24",
            **date_fields("baseline_on", date(2025, 9, 1)),
            **date_fields("target_on", date(2026, 7, 31)),
        },
    )
    assert response.status_code == 302
    measured = Target.objects.get(outcome=new)
    # Change the target and record a measurement on its page.
    form = client.get(f"/work-plan/targets/{measured.pk}/edit/")
    assert form.status_code == 200
    response = client.post(
        f"/work-plan/targets/{measured.pk}/edit/",
        {
            "description": measured.description,
            "indicator": "",
            "measure": measured.measure,
            "baseline": "30",
            "target_value": "22.5",
            "version": version_in(form),
            **date_fields("baseline_on", date(2025, 9, 1)),
            **date_fields("target_on", date(2026, 7, 31)),
        },
    )
    assert response.status_code == 302
    assert Target.objects.get(pk=measured.pk).target_value == Decimal("22.5")
    bad = client.post(
        f"/work-plan/targets/{measured.pk}/",
        {"value": "", **date_fields("measured_on", date(2026, 3, 1))},
    )
    assert bad.status_code == 400
    assert "Enter the value measured" in text(bad)
    response = client.post(
        f"/work-plan/targets/{measured.pk}/",
        {"value": "26", "note": "Register", **date_fields("measured_on", date(2026, 3, 1))},
    )
    assert response.status_code == 302
    page = text(client.get(f"/work-plan/targets/{measured.pk}/"))
    assert "1 March 2026" in page and "Sam Steer" in page
    assert TargetMeasurement.objects.get().value == Decimal(26)
    # Remove the role, after confirming.
    role = PartnerRole.objects.get(outcome=new)
    confirm = client.get(f"/work-plan/roles/{role.pk}/remove/")
    assert "Remove the partner role “Surrey YOS”?" in text(confirm)
    response = client.post(f"/work-plan/roles/{role.pk}/remove/", {"version": version_in(confirm)})
    assert response.status_code == 302
    assert not PartnerRole.objects.filter(pk=role.pk).exists()
    # Remove an outcome with all under it.
    confirm = client.get(f"/work-plan/outcomes/{outcome.pk}/remove/")
    assert "Its 1 partner role, 1 action and 1 target are removed with it" in text(confirm)
    response = client.post(
        f"/work-plan/outcomes/{outcome.pk}/remove/", {"version": version_in(confirm)}
    )
    assert response.status_code == 302
    assert not Target.objects.filter(pk=target.pk).exists()
    assert not WorkplanAction.objects.filter(pk=action.pk).exists()


# Stale edits ------------------------------------------------------------------------------------------


def test_an_edit_to_what_someone_changed_since_is_refused_then_may_be_sent_again(
    client, world, head, steering, plan
):
    action = plan[2]
    client.force_login(head)
    form = client.get(f"/work-plan/actions/{action.pk}/edit/")
    seen = version_in(form)
    services.workplan_action_update(
        actor=steering,
        action=action,
        data=ActionInput(
            description="Patrols, changed by Sam",
            owner_id=str(action.owner_id),
            due_on=action.due_on,
        ),
        source="t",
    )
    data = {
        "description": "Patrols, changed by Hana",
        "owner": str(action.owner_id),
        "owner_name": "",
        "version": seen,
        **date_fields("due_on", date(2026, 4, 30)),
    }
    response = client.post(f"/work-plan/actions/{action.pk}/edit/", data)
    assert response.status_code == 400
    body = text(response)
    assert services.CHANGED_SINCE in body
    assert "What it says now:" in body and "Patrols, changed by Sam" in body
    assert WorkplanAction.objects.get().description == "Patrols, changed by Sam"
    # The form now carries the present version: sending it again replaces Sam's change.
    response = client.post(
        f"/work-plan/actions/{action.pk}/edit/", {**data, "version": version_in(response)}
    )
    assert response.status_code == 302
    assert WorkplanAction.objects.get().description == "Patrols, changed by Hana"
    assert WorkplanAction.objects.get().due_on == date(2026, 4, 30)


# Agreeing --------------------------------------------------------------------------------------------


def test_an_edit_to_what_someone_removed_a_moment_before_is_refused(
    client, world, head, officer, plan, monkeypatch
):
    _, outcome, action, _ = plan
    edit, record = services.workplan_outcome_update, services.workplan_action_update_status

    def removed_first(real):
        def run(**kwargs):
            WorkplanOutcome.objects.all().delete()
            return real(**kwargs)

        return run

    monkeypatch.setattr(services, "workplan_outcome_update", removed_first(edit))
    monkeypatch.setattr(services, "workplan_action_update_status", removed_first(record))
    client.force_login(head)
    response = client.post(
        f"/work-plan/outcomes/{outcome.pk}/edit/",
        {"aim": "safety", "text": "Mine", "version": services.outcome_version(outcome)},
    )
    assert response.status_code == 400
    assert services.REMOVED_SINCE in text(response)
    # Progress on an action removed with its outcome as it is recorded: no longer found.
    outcome = services.workplan_outcome_add(
        actor=head, workplan=outcome.workplan, aim="safety", text="Again", source="t"
    )
    action = services.workplan_action_add(
        actor=head,
        outcome=outcome,
        data=ActionInput(description="Patrols", owner_id=str(officer.pk), due_on=action.due_on),
        source="t",
    )
    client.force_login(officer)
    response = client.post(f"/work-plan/actions/{action.pk}/", {"status": "done", "note": "x"})
    assert response.status_code == 404
    assert not ActionProgress.objects.exists()


def test_a_governor_agrees_the_plan_and_later_changes_are_flagged(
    client, world, head, steering, plan
):
    workplan, outcome, _, _ = plan
    client.force_login(steering)
    page = client.get(plan_url(world))
    seen = version_in(page)
    assert "Draft" in text(page)
    response = client.post(f"/work-plan/{workplan.pk}/agree/", {"version": seen})
    assert response.status_code == 302
    workplan.refresh_from_db()
    assert (workplan.status, workplan.agreed_by) == ("agreed", steering)
    body = text(client.get(plan_url(world)))
    assert "Agreed</strong> on 15 March 2026 by Sam Steer." in body
    assert "Agree the work-plan" not in body
    services.workplan_outcome_update(
        actor=head, outcome=outcome, aim=outcome.aim, text="Reworded", source="t"
    )
    page = client.get(plan_url(world))
    body = text(page)
    assert "The plan was changed on 15 March 2026, after it was agreed." in body
    assert "Agree the changed work-plan" in body
    # An out-of-date agreement is refused on the page, naming why.
    response = client.post(f"/work-plan/{workplan.pk}/agree/", {"version": seen})
    assert response.status_code == 400
    assert services.CHANGED_SINCE in text(response)
    response = client.post(f"/work-plan/{workplan.pk}/agree/", {"version": version_in(page)})
    assert response.status_code == 302
    assert "after it was agreed" not in text(client.get(plan_url(world)))


def test_a_plan_without_actions_cannot_be_agreed(client, world, head):
    workplan = services.workplan_start(actor=head, partnership=world.p, year=YEAR, source="t")
    services.workplan_outcome_add(
        actor=head, workplan=workplan, aim="safety", text="Safer", source="t"
    )
    client.force_login(head)
    body = text(client.get(plan_url(world)))
    assert "Add an action to the outcome “Safer”" in body
    response = client.post(f"/work-plan/{workplan.pk}/agree/", {})
    assert response.status_code == 400
    assert "Before the plan can be agreed: add an action to the outcome “Safer”" in text(response)
    assert Workplan.objects.get().status == "draft"


# An action's progress ------------------------------------------------------------------------------


def test_the_owner_records_progress(client, world, officer, plan):
    _, _, action, _ = plan
    client.force_login(officer)
    page = client.get(f"/work-plan/actions/{action.pk}/")
    assert page.status_code == 200
    body = text(page)
    assert "Overdue" in body and "Record progress" in body
    # The owner does not keep the plan: no changing the action itself.
    assert f"/work-plan/actions/{action.pk}/edit/" not in body
    assert client.get(f"/work-plan/actions/{action.pk}/edit/").status_code == 404
    bad = client.post(
        f"/work-plan/actions/{action.pk}/",
        {"status": "dropped", "note": "", "version": version_in(page)},
    )
    assert bad.status_code == 400
    assert "Say why the action is dropped" in text(bad)
    assert not ActionProgress.objects.exists()
    done = client.post(
        f"/work-plan/actions/{action.pk}/",
        {"status": "done", "note": "Patrols in place since February", "version": version_in(page)},
    )
    assert done.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.completed_on) == (ActionStatus.DONE, date(2026, 3, 15))
    body = text(client.get(f"/work-plan/actions/{action.pk}/"))
    assert "Patrols in place since February" in body and "Olu Officer" in body
    assert "Overdue" not in body


def test_a_governor_records_progress_and_a_stale_status_is_refused(
    client, world, head, officer, plan
):
    _, _, action, _ = plan
    client.force_login(head)
    page = client.get(f"/work-plan/actions/{action.pk}/")
    services.workplan_action_update_status(
        actor=officer, action=action, status="in_progress", note="Begun", source="t"
    )
    response = client.post(
        f"/work-plan/actions/{action.pk}/",
        {"status": "dropped", "note": "Not needed", "version": version_in(page)},
    )
    assert response.status_code == 400
    assert services.CHANGED_SINCE in text(response)
    assert WorkplanAction.objects.get().status == ActionStatus.IN_PROGRESS
    response = client.post(
        f"/work-plan/actions/{action.pk}/",
        {"status": "dropped", "note": "Not needed", "version": version_in(response)},
    )
    assert response.status_code == 302
    assert WorkplanAction.objects.get().status == ActionStatus.DROPPED


# Progress on the page ---------------------------------------------------------------------------------


def incidents_in_february(world, recorder, count, school=None):
    for day in range(count):
        Incident.objects.create(
            school=school or world.school_a,
            occurred_at=datetime(2026, 2, 2 + day, 10, 0, tzinfo=UTC),
            recorded_at=NOW,
            recorded_by=recorder,
            location_kind="on_site",
            category="bullying",
            severity="medium",
            description="Trouble at the bus stop.",
            updated_at=NOW,
            updated_by=recorder,
        )


def test_progress_is_shown_in_full_to_those_who_see_every_schools_counts(
    client, world, officer, plan, persona
):
    incidents_in_february(world, officer, 3)
    client.force_login(officer)
    body = text(client.get(plan_url(world)))
    assert "February 2026" in body
    assert "Met" in body
    assert (
        '<svg xmlns="http://www.w3.org/2000/svg" class="app-chart"'
        in client.get(plan_url(world)).content.decode()
    )
    assert "not shown" not in body


@pytest.mark.parametrize(
    ("role", "scope"), [(Role.STEERING_MEMBER, "p"), (Role.HEAD_TEACHER, "school_a")]
)
def test_small_counts_are_not_shown_to_others(client, world, officer, plan, persona, role, scope):
    # At school B, whose counts neither sees in full.
    incidents_in_february(world, officer, 3, world.school_b)
    client.force_login(persona(role, getattr(world, scope)))
    body = text(client.get(plan_url(world)))
    assert "not shown" in body
    assert "Figures that could give away a count from 1 to 4 are not shown" in body
    assert "Not shown" in body  # the status tag


def test_a_head_teacher_sees_their_own_schools_count_but_not_the_others_by_difference(
    client, world, officer, plan, head
):
    """School A's head sees its counts in full: the partnership's total, less school A's, would
    tell them school B's."""
    incidents_in_february(world, officer, 3)
    client.force_login(head)
    body = text(client.get(plan_url(world)))
    # All three at school A, which the head sees anyway.
    assert "not shown" not in body and "Met" in body
    # Six at school A and two at school B: the total of eight would give school B's two away.
    incidents_in_february(world, officer, 3)
    incidents_in_february(world, officer, 2, world.school_b)
    body = text(client.get(plan_url(world)))
    assert "Not shown" in body
    assert ">8<" not in body.replace(" ", "")
    # With five at school B, the total of eleven gives away nothing small.
    incidents_in_february(world, officer, 3, world.school_b)
    body = text(client.get(plan_url(world)))
    assert "Not shown" not in body
    assert "11" in body


def svg_texts(page: str, chart_id: str) -> tuple[str, list[str]]:
    """The title of one chart on the page and its small texts: the axis's figures and periods,
    and the levels drawn across it."""
    match = re.search(rf'<svg[^>]*aria-labelledby="{chart_id}-title[^"]*".*?</svg>', page, re.S)
    assert match, f"no chart {chart_id}"
    svg = match.group(0)
    title = re.search(r"<title[^>]*>(.*?)</title>", svg).group(1)
    return html.unescape(title), re.findall(r'font-size="12"[^>]*>([^<]*)</text>', svg)


def test_every_kind_of_target_has_a_chart_beside_its_table(client, world, head, officer, plan):
    _, outcome, _, _ = plan

    def add(**values):
        return services.workplan_target_add(
            actor=head,
            outcome=outcome,
            data=TargetInput(baseline_on=date(2025, 9, 1), target_on=date(2026, 7, 31), **values),
            source="t",
        )

    hours = add(
        description="Officer time up", indicator="officer_hours", baseline=2, target_value=10
    )
    absence = add(
        description="Persistent absence down",
        indicator="persistent_absence",
        baseline=Decimal("18.4"),
        target_value=15,
    )
    families = add(
        description="Priority families' absence down",
        measure="Priority families' absence (%)",
        baseline=30,
        target_value=24,
    )
    # Two hours and six minutes of officer time in February.
    for minutes in (90, 36):
        Activity.objects.create(
            officer=officer,
            school=world.school_a,
            kind="lesson",
            started_at=datetime(2026, 2, 3, 10, 0, tzinfo=UTC),
            minutes=minutes,
        )
    for period, start, number in (("2023/24", 2023, "19.25"), ("2024/25", 2024, "17.5")):
        IndicatorValue.objects.create(
            indicator_id="persistent_absence",
            school=world.school_a,
            period=period,
            period_start=date(start, 9, 1),
            value=Decimal(number),
        )
    IndicatorValue.objects.create(
        indicator_id="persistent_absence",
        school=world.school_b,
        period="2024/25",
        period_start=date(2024, 9, 1),
        suppressed=True,
    )
    for day, number in ((date(2025, 12, 1), "28.5"), (date(2026, 2, 1), "26")):
        services.workplan_target_measure(
            actor=head, target=families, measured_on=day, value=number, source="t"
        )
    client.force_login(officer)
    page = client.get(plan_url(world)).content.decode()
    title, texts = svg_texts(page, f"chart-{hours.pk}")
    assert title == "Officer time in school by school month"
    assert {"February 2026", "Baseline 2", "Target 10"} <= set(texts)
    title, texts = svg_texts(page, f"chart-{absence.pk}")
    assert title == "Persistent absence rate by published year"
    assert {"2023/24", "2024/25", "Baseline 18.4", "Target 15"} <= set(texts)
    title, texts = svg_texts(page, f"chart-{families.pk}")
    assert title == "Priority families' absence (%), as measured"
    assert {"1 December 2025", "1 February 2026", "Baseline 30", "Target 24"} <= set(texts)
    # Each beside its table, in the target's own page too.
    for made in (hours, absence, families):
        own = client.get(f"/work-plan/targets/{made.pk}/").content.decode()
        card = own[own.index('class="govuk-summary-card"') :]
        assert card.index("<table") < card.index(f'aria-labelledby="chart-{made.pk}-title')


def test_the_target_form_offers_the_latest_figures(client, world, head, plan):
    _, outcome, _, _ = plan
    client.force_login(head)
    body = text(client.get(f"/work-plan/outcomes/{outcome.pk}/targets/new/"))
    assert "The partnership's latest figures" in body
    assert "Patrols done" in body and "0 (February 2026)" in body


# Query counts -----------------------------------------------------------------------------------------


def grow(plan, head, officer, times):
    workplan = plan[0]
    for index in range(times):
        outcome = services.workplan_outcome_add(
            actor=head, workplan=workplan, aim="safety", text=f"Outcome {index}", source="t"
        )
        services.workplan_role_add(
            actor=head,
            outcome=outcome,
            data=RoleInput(partner=f"P{index}", role="Role"),
            source="t",
        )
        for number in range(2):
            services.workplan_action_add(
                actor=head,
                outcome=outcome,
                data=ActionInput(
                    description=f"A{number}", owner_id=str(officer.pk), due_on=date(2026, 6, 1)
                ),
                source="t",
            )
        for code in ("incidents", "patrols", "persistent_absence"):
            services.workplan_target_add(
                actor=head,
                outcome=outcome,
                data=TargetInput(
                    description=code,
                    indicator=code,
                    baseline=5,
                    baseline_on=date(2025, 9, 1),
                    target_value=4,
                    target_on=date(2026, 7, 1),
                ),
                source="t",
            )
        services.workplan_target_add(
            actor=head,
            outcome=outcome,
            data=TargetInput(
                description="hand",
                measure="Families",
                baseline=5,
                baseline_on=date(2025, 9, 1),
                target_value=4,
                target_on=date(2026, 7, 1),
            ),
            source="t",
        )


def test_the_plan_page_takes_the_same_queries_however_large(
    client, world, head, officer, plan, django_assert_max_num_queries
):
    client.force_login(head)
    client.get(plan_url(world))
    grow(plan, head, officer, 1)
    with django_assert_max_num_queries(30) as small:
        assert client.get(plan_url(world)).status_code == 200
    grow(plan, head, officer, 6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(plan_url(world)).status_code == 200


# The landing page --------------------------------------------------------------------------------------


def test_owners_see_their_open_actions_with_the_overdue_flagged(
    world, head, officer, plan, django_assert_max_num_queries
):
    _, outcome, overdue, _ = plan
    later = services.workplan_action_add(
        actor=head,
        outcome=outcome,
        data=ActionInput(
            description="Review the patrol plan", owner_id=str(officer.pk), due_on=date(2026, 6, 1)
        ),
        source="t",
    )
    finished = services.workplan_action_add(
        actor=head,
        outcome=outcome,
        data=ActionInput(
            description="Already finished", owner_id=str(officer.pk), due_on=date(2026, 2, 1)
        ),
        source="t",
    )
    services.workplan_action_update_status(
        actor=officer, action=finished, status="done", source="t"
    )
    request = RequestFactory().get("/")
    request.user = officer
    with django_assert_max_num_queries(3):
        panel = workplan_views.landing_panel(request)
    owed = panel["owed"]
    assert [a.pk for a in owed.actions] == [overdue.pk, later.pk]
    assert owed.overdue_ids == {overdue.pk}
    assert (owed.count, owed.overdue_count) == (2, 1)
    rendered = html.unescape(
        render_to_string("planning/_landing_workplan_actions.html", {"panel": panel})
    )
    assert "2 open actions, 1 overdue." in rendered
    assert f"/work-plan/actions/{overdue.pk}/" in rendered
    assert rendered.count("Overdue") == 1
    request.user = head
    assert workplan_views.landing_panel(request) is None


def test_an_owner_who_left_the_partnership_is_not_shown_its_actions(world, head, officer, plan):
    officer.memberships.all().delete()
    officer._memberships_cache = None
    request = RequestFactory().get("/")
    request.user = officer
    assert workplan_views.landing_panel(request) is None
