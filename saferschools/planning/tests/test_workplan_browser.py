"""A head teacher writes and agrees the year's work-plan, and the action's owner records
progress, in a real headless Chromium, each page checked with axe."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.lib.schooldays import academic_year_label, academic_year_of
from saferschools.planning import workplan_services as services
from saferschools.planning.models import Target, Workplan, WorkplanAction
from saferschools.planning.workplan_services import ActionInput
from saferschools.testing.browser import BROWSER_TEST_MARKS, assert_accessible, sign_in, watch

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def head(transactional_db, world, persona):
    return persona(
        Role.HEAD_TEACHER, world.school_a, email="hana@oakwood.example", full_name="Hana Head"
    )


@pytest.fixture
def officer(transactional_db, world, persona):
    return persona(Role.SSP_OFFICER, world.p, email="olu@police.example", full_name="Olu Officer")


def fill_date(group, day) -> None:
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def submit(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def test_a_head_teacher_writes_and_agrees_the_work_plan(page, world, head, officer, password):
    seen = watch(page)
    today = timezone.localdate()
    label = academic_year_label(academic_year_of(today))
    sign_in(page, head.email, password)
    page.goto(f"/partnerships/{world.p.pk}/work-plan/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Work-plan {label}"
    assert_accessible(page)
    page.get_by_role("button", name=f"Start the {label} work-plan").click()
    page.wait_for_load_state()
    assert_accessible(page)
    submit(page, "Start the work-plan")
    assert page.get_by_text(f"The {label} work-plan is started.").is_visible()

    page.get_by_role("button", name="Add an outcome").click()
    page.wait_for_load_state()
    page.get_by_label("Outcome", exact=True).fill("Improve behaviour and attendance")
    submit(page, "Add the outcome")
    # Without a core aim: the summary names it, linked to its field.
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role(
        "link", name="Choose the core aim the outcome is tied to"
    ).is_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    page.get_by_label("Improved standards of pupil behaviour and attendance").check()
    submit(page, "Add the outcome")
    assert page.get_by_text("Outcome added.").is_visible()

    page.get_by_role("link", name="Add an action for “Improve behaviour and attendance”").click()
    page.wait_for_load_state()
    page.get_by_label("Action", exact=True).fill(
        "Joint work with 10 priority families to improve attendance"
    )
    page.get_by_label("Owner", exact=True).select_option(label="Olu Officer (olu@police.example)")
    fill_date(page.get_by_role("group", name="Due by"), today + timedelta(days=21))
    assert_accessible(page)
    submit(page, "Add the action")
    assert page.get_by_text("Action added.").is_visible()

    page.get_by_role("link", name="Add a target for “Improve behaviour and attendance”").click()
    page.wait_for_load_state()
    page.get_by_label("Target", exact=True).fill(
        "Persistent absence among 10 priority families down"
    )
    page.get_by_label("What is measured (if measured by hand)").fill(
        "Persistent absence among the priority families (%)"
    )
    fill_date(page.get_by_role("group", name="Date of the baseline"), today - timedelta(days=30))
    page.get_by_label("Target value").fill("24")
    fill_date(page.get_by_role("group", name="Target date"), today + timedelta(days=200))
    submit(page, "Add the target")
    # A target without a baseline is refused, naming it.
    assert (
        page.locator(".govuk-error-summary")
        .get_by_role("link", name="Enter the baseline: the figure when the target was set")
        .is_visible()
    )
    assert not Target.objects.exists()
    assert_accessible(page)
    page.get_by_label("Baseline", exact=True).fill("30")
    submit(page, "Add the target")
    assert page.get_by_text("Target added.").is_visible()
    assert page.get_by_role(
        "heading", name="Persistent absence among 10 priority families down"
    ).is_visible()
    assert_accessible(page)

    # A measurement, on the target's own page: its chart beside its table.
    page.get_by_role("link", name="Persistent absence among 10 priority families down").click()
    page.wait_for_load_state()
    page.get_by_label("Value measured").fill("27.5")
    submit(page, "Record the measurement")
    assert page.get_by_text("Measurement recorded.").is_visible()
    chart = page.get_by_role(
        "img", name="Persistent absence among the priority families (%), as measured"
    )
    assert chart.is_visible()
    assert page.get_by_role("cell", name="27.5").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name=f"Back to the {label} work-plan").click()
    page.wait_for_load_state()

    submit(page, "Agree the work-plan")
    assert page.get_by_text(f"The {label} work-plan is agreed.").is_visible()
    assert Workplan.objects.get().status == "agreed"
    assert urlsplit(page.url).path.startswith(f"/partnerships/{world.p.pk}/work-plan/")
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []


def test_the_owner_records_progress(new_context, world, head, officer, password):
    workplan = services.workplan_start(
        actor=head, partnership=world.p, year=academic_year_of(timezone.localdate()), source="t"
    )
    outcome = services.workplan_outcome_add(
        actor=head, workplan=workplan, aim="safety", text="Safer travel", source="t"
    )
    action = services.workplan_action_add(
        actor=head,
        outcome=outcome,
        data=ActionInput(
            description="Co-ordinated patrols",
            owner_id=str(officer.pk),
            due_on=timezone.localdate() + timedelta(days=10),
        ),
        source="t",
    )
    page = new_context().new_page()
    sign_in(page, officer.email, password)
    page.goto("/")
    assert page.get_by_role("heading", name="Your work-plan actions").is_visible()
    page.get_by_role("link", name="Co-ordinated patrols").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("In progress").check()
    page.get_by_label("Progress note").fill("First week of patrols done")
    submit(page, "Record progress")
    assert page.get_by_text("Progress recorded.").is_visible()
    assert page.get_by_role("cell", name="First week of patrols done").is_visible()
    assert WorkplanAction.objects.get(pk=action.pk).status == "in_progress"
    assert_accessible(page)
