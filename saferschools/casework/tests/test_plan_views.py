"""Early-intervention plans' pages: who may open, read and change a plan, bad input, the plans
part of the pupil's page and of the landing page."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.casework import plan_services, referral_services
from saferschools.casework.models import Plan, PlanAction, PlanReview, PlanStatus
from saferschools.casework.referral_services import ReferralInput
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.sharing.models import Consent, Decision, LawfulBasis, SharingDecision
from saferschools.testing.factories import PupilFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def date_fields(name, day):
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def open_plan(actor, pupil, **changes):
    values = {
        "lead_professional_id": str(actor.pk),
        "concerns": "Missing lessons after lunch.",
        "goals": "Full attendance by half term.",
        "next_review_on": today() + timedelta(days=28),
    }
    values.update(changes)
    return plan_services.plan_open(actor=actor, pupil=pupil, source="test", **values)


def grant(pupil, agency, decider, *, items=("plans",), days=30, practitioner=None):
    """A "share" decision made directly, as the sharing pages would record it."""
    return SharingDecision.objects.create(
        pupil=pupil,
        school=pupil.school,
        agency=agency,
        practitioner=practitioner,
        purpose="To support the pupil together",
        information="The plan and its actions",
        items=list(items),
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        consent=Consent.GIVEN,
        golden_rules_confirmed=True,
        decision=Decision.SHARE,
        expires_on=today() + timedelta(days=days),
        decided_by=decider,
        decided_at=timezone.now(),
    )


def new_url(pupil):
    return reverse("casework-new-plan", args=[pupil.pk])


def plan_url(plan, name="casework-plan"):
    return reverse(name, args=[plan.pk])


def good_form(lead, **changes):
    data = {
        "lead_professional": str(lead.pk),
        "concerns": "Seen with older youths at the park during school hours.",
        "goals": "A mentor and full attendance.",
        **date_fields("next_review_on", today() + timedelta(days=14)),
    }
    data.update(changes)
    return data


@pytest.fixture
def plan(world, dsl):
    return open_plan(dsl, world.pupil_a)


# Opening a plan ------------------------------------------------------------------------------


def test_a_safeguarding_lead_opens_a_plan_from_the_form(client, world, dsl):
    client.force_login(dsl)
    page = client.get(new_url(world.pupil_a))
    assert page.status_code == 200
    assert "Open an early-intervention plan" in page.content.decode()
    response = client.post(new_url(world.pupil_a), good_form(dsl))
    plan = Plan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == plan_url(plan)
    assert plan.next_review_on == today() + timedelta(days=14)
    assert plan.pupil == world.pupil_a


def test_a_staff_member_who_is_not_a_safeguarding_lead_cannot_open_a_case(
    client, world, staff, dsl
):
    client.force_login(staff)
    assert client.get(new_url(world.pupil_a)).status_code == 404
    assert client.post(new_url(world.pupil_a), good_form(dsl)).status_code == 404
    assert not Plan.objects.exists()
    # Nor does the pupil's page offer it, or show plans at all.
    page = client.get(reverse("casework-pupil", args=[world.pupil_a.pk]))
    assert page.status_code == 200
    assert new_url(world.pupil_a) not in page.content.decode()
    assert "Early-intervention plans" not in page.content.decode()


@pytest.mark.parametrize("who", ["outside_officer", "practitioner"])
def test_outsiders_cannot_open_a_plan(client, world, request, who, dsl):
    client.force_login(request.getfixturevalue(who))
    assert client.get(new_url(world.pupil_a)).status_code == 404
    assert client.post(new_url(world.pupil_a), good_form(dsl)).status_code == 404
    assert not Plan.objects.exists()


def test_a_practitioner_with_a_grant_still_cannot_open_a_plan(client, world, dsl, practitioner):
    grant(world.pupil_a, world.yot, dsl)
    client.force_login(practitioner)
    assert client.post(new_url(world.pupil_a), good_form(dsl)).status_code == 404
    assert not Plan.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"concerns": ""}, "Enter the concerns"),
        ({"lead_professional": "nobody"}, "Choose the lead professional from the list"),
        (date_fields("next_review_on", today() - timedelta(days=1)), "today or later"),
        ({"next_review_on_day": "31", "next_review_on_month": "2"}, "must be a real date"),
        ({"goals": "\x00"}, "Null characters are not allowed"),
    ],
    ids=["no concerns", "unknown lead", "past review", "no such day", "only a NUL"],
)
def test_bad_input_shows_the_error_and_opens_nothing(client, world, dsl, changes, message):
    client.force_login(dsl)
    page = client.post(new_url(world.pupil_a), good_form(dsl, **changes))
    assert page.status_code == 400
    assert message in page.content.decode()
    assert "govuk-error-summary" in page.content.decode()
    assert not Plan.objects.exists()


def test_a_second_plan_is_refused_while_one_is_open(client, world, dsl, plan):
    client.force_login(dsl)
    page = client.get(new_url(world.pupil_a))
    assert plan_url(plan) in page.content.decode()
    page = client.post(new_url(world.pupil_a), good_form(dsl))
    assert page.status_code == 400
    assert plan_services.ONE_OPEN_PLAN in page.content.decode()
    assert Plan.objects.count() == 1


# Reading a plan ------------------------------------------------------------------------------


def test_the_plan_page_shows_the_plan_and_audits_the_read(client, world, dsl, plan):
    plan_services.plan_action_add(
        actor=dsl,
        plan=plan,
        description="Call the parents",
        owner_id="",
        owner_name="Sam Jones",
        owner_organisation="Surrey YOS",
        due_on=today(),
        source="test",
    )
    client.force_login(dsl)
    page = client.get(plan_url(plan))
    body = page.content.decode()
    assert page.status_code == 200
    assert world.pupil_a.name in body
    assert "Call the parents" in body
    assert "Sam Jones (Surrey YOS)" in body
    assert "Add an action" in body
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_id=str(plan.pk))
    assert event.detail == {"pupil": str(world.pupil_a.pk)}


@pytest.mark.parametrize("who", ["staff", "outside_officer", "practitioner"])
def test_others_get_404_for_a_plan(client, world, request, who, plan):
    client.force_login(request.getfixturevalue(who))
    assert client.get(plan_url(plan)).status_code == 404
    assert client.get(plan_url(plan, "casework-edit-plan")).status_code == 404
    assert client.post(plan_url(plan, "casework-reopen-plan")).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_a_missing_plan_is_404_like_a_forbidden_one(client, dsl):
    client.force_login(dsl)
    assert client.get("/plans/9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d/").status_code == 404
    assert client.get("/plans/not-a-plan/").status_code == 404


def test_a_practitioner_granted_plans_reads_them_until_the_grant_ends(
    client, world, dsl, practitioner, plan
):
    decision = grant(world.pupil_a, world.yot, dsl, days=3)
    client.force_login(practitioner)
    page = client.get(plan_url(plan))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Add an action" not in body
    assert "Close the plan" not in body
    event = AuditEvent.objects.get(action=AuditAction.VIEW, object_id=str(plan.pk))
    assert event.detail == {"pupil": str(world.pupil_a.pk), "grant": str(decision.pk)}
    assert world.pupil_a.name in body
    # Reading is not changing.
    assert client.get(plan_url(plan, "casework-new-plan-action")).status_code == 404
    assert (
        client.post(plan_url(plan, "casework-plan-status"), {"status": "under_review"}).status_code
        == 404
    )
    assert Plan.objects.get().status == PlanStatus.OPEN
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        client.force_login(practitioner)
        assert client.get(plan_url(plan)).status_code == 404


def test_a_grant_that_does_not_name_plans_opens_none(client, world, dsl, practitioner, plan):
    grant(world.pupil_a, world.yot, dsl, items=("referrals",))
    client.force_login(practitioner)
    assert client.get(plan_url(plan)).status_code == 404


# Changing a plan -----------------------------------------------------------------------------


def test_adding_an_action_and_marking_it_done(client, world, dsl, plan):
    client.force_login(dsl)
    assert client.get(plan_url(plan, "casework-new-plan-action")).status_code == 200
    response = client.post(
        plan_url(plan, "casework-new-plan-action"),
        {
            "description": "Mentoring every Tuesday",
            "owner": str(dsl.pk),
            **date_fields("due_on", today() + timedelta(days=7)),
        },
    )
    assert response.status_code == 302
    action = PlanAction.objects.get()
    assert (action.owner, action.description) == (dsl, "Mentoring every Tuesday")
    done_url = reverse("casework-done-plan-action", args=[plan.pk, action.pk])
    assert client.post(done_url).status_code == 302
    action.refresh_from_db()
    assert action.done_at is not None
    # Done twice: the plan's page again, with the error, and no change.
    page = client.post(done_url)
    assert page.status_code == 400
    assert "already marked done" in page.content.decode()


def test_an_action_with_no_owner_is_refused_on_the_form(client, world, dsl, plan):
    client.force_login(dsl)
    page = client.post(
        plan_url(plan, "casework-new-plan-action"),
        {"description": "Something", **date_fields("due_on", today())},
    )
    assert page.status_code == 400
    assert "Choose who owns the action" in page.content.decode()
    assert not PlanAction.objects.exists()


def test_an_action_of_another_plan_is_404(client, world, dsl, persona, plan):
    other_lead = persona(Role.SAFEGUARDING_LEAD, world.school_b)
    other = open_plan(other_lead, world.pupil_b)
    action = plan_services.plan_action_add(
        actor=other_lead,
        plan=other,
        description="Other",
        owner_id=str(other_lead.pk),
        owner_name="",
        owner_organisation="",
        due_on=today(),
        source="test",
    )
    client.force_login(dsl)
    url = reverse("casework-done-plan-action", args=[plan.pk, action.pk])
    assert client.post(url).status_code == 404
    assert PlanAction.objects.get().done_at is None


def test_editing_the_plan(client, world, dsl, plan):
    client.force_login(dsl)
    page = client.get(plan_url(plan, "casework-edit-plan"))
    assert page.status_code == 200
    assert plan.concerns in page.content.decode()
    response = client.post(
        plan_url(plan, "casework-edit-plan"),
        {"lead_professional": str(dsl.pk), "concerns": "Changed", "goals": plan.goals},
    )
    assert response.status_code == 302
    assert Plan.objects.get().concerns == "Changed"
    page = client.post(
        plan_url(plan, "casework-edit-plan"),
        {"lead_professional": str(dsl.pk), "concerns": "", "goals": plan.goals},
    )
    assert page.status_code == 400
    assert Plan.objects.get().concerns == "Changed"


def test_recording_a_review(client, world, dsl, plan):
    client.force_login(dsl)
    assert client.get(plan_url(plan, "casework-new-plan-review")).status_code == 200
    response = client.post(
        plan_url(plan, "casework-new-plan-review"),
        {
            **date_fields("held_on", today()),
            "notes": "Good progress",
            **date_fields("next_review_on", today() + timedelta(days=30)),
        },
    )
    assert response.status_code == 302
    assert Plan.objects.get().next_review_on == today() + timedelta(days=30)
    page = client.post(
        plan_url(plan, "casework-new-plan-review"),
        {**date_fields("held_on", today()), "notes": "Again"},
    )
    assert page.status_code == 400
    assert PlanReview.objects.count() == 1


def test_status_close_and_reopen(client, world, dsl, plan):
    client.force_login(dsl)
    assert (
        client.post(plan_url(plan, "casework-plan-status"), {"status": "under_review"}).status_code
        == 302
    )
    assert Plan.objects.get().status == PlanStatus.UNDER_REVIEW
    page = client.post(plan_url(plan, "casework-plan-status"), {"status": "closed"})
    assert page.status_code == 400
    assert "Choose open or under review" in page.content.decode()
    page = client.post(plan_url(plan, "casework-close-plan"), {"outcome": ""})
    assert page.status_code == 400
    assert "Enter the outcome" in page.content.decode()
    assert (
        client.post(plan_url(plan, "casework-close-plan"), {"outcome": "Done"}).status_code == 302
    )
    assert Plan.objects.get().status == PlanStatus.CLOSED
    assert "Reopen the plan" in client.get(plan_url(plan)).content.decode()
    assert client.post(plan_url(plan, "casework-reopen-plan")).status_code == 302
    assert Plan.objects.get().status == PlanStatus.OPEN


def test_the_partnerships_officer_keeps_the_plan_too(client, world, persona, plan):
    officer = persona(Role.SSP_OFFICER, world.p)
    client.force_login(officer)
    assert client.get(plan_url(plan)).status_code == 200
    assert (
        client.post(plan_url(plan, "casework-close-plan"), {"outcome": "Done"}).status_code == 302
    )


def test_changes_are_get_or_post_only(client, dsl, plan):
    client.force_login(dsl)
    assert client.get(plan_url(plan, "casework-reopen-plan")).status_code == 405
    assert client.post(plan_url(plan)).status_code == 405


# The pupil's page ----------------------------------------------------------------------------


def test_the_pupils_page_lists_the_open_plan_first(client, world, dsl):
    old = open_plan(dsl, world.pupil_a)
    plan_services.plan_close(actor=dsl, plan=old, outcome="Done", source="test")
    current = open_plan(dsl, world.pupil_a)
    client.force_login(dsl)
    page = client.get(reverse("casework-pupil", args=[world.pupil_a.pk]))
    body = page.content.decode()
    assert body.index(plan_url(current)) < body.index(plan_url(old))
    # One plan not closed: no link to open another.
    assert new_url(world.pupil_a) not in body
    listed = AuditEvent.objects.filter(action=AuditAction.VIEW, detail__listing=True)
    assert {e.object_id for e in listed if e.object_type == "casework.plan"} == {
        str(old.pk),
        str(current.pk),
    }


def test_the_pupils_page_offers_to_open_a_plan(client, world, dsl):
    client.force_login(dsl)
    page = client.get(reverse("casework-pupil", args=[world.pupil_a.pk]))
    assert new_url(world.pupil_a) in page.content.decode()


def test_the_plans_panel_costs_the_same_queries_for_many_plans(client, world, dsl):
    client.force_login(dsl)
    url = reverse("casework-pupil", args=[world.pupil_a.pk])
    plan = open_plan(dsl, world.pupil_a)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(6):
        plan_services.plan_close(actor=dsl, plan=plan, outcome="Done", source="test")
        plan = open_plan(dsl, world.pupil_a)
    with CaptureQueriesContext(connection) as seven:
        assert client.get(url).status_code == 200
    assert len(seven) == len(one)


# The landing page ----------------------------------------------------------------------------


def test_the_landing_page_lists_overdue_actions_and_reviews(client, world, dsl, persona):
    officer = persona(Role.SSP_OFFICER, world.school_a)
    plan = open_plan(dsl, world.pupil_a, next_review_on=today() + timedelta(days=2))
    mine = plan_services.plan_action_add(
        actor=dsl,
        plan=plan,
        description="Home visit",
        owner_id=str(dsl.pk),
        owner_name="",
        owner_organisation="",
        due_on=today() + timedelta(days=1),
        source="test",
    )
    plan_services.plan_action_add(
        actor=dsl,
        plan=plan,
        description="Assembly talk by the officer",
        owner_id=str(officer.pk),
        owner_name="",
        owner_organisation="",
        due_on=today() + timedelta(days=1),
        source="test",
    )
    client.force_login(dsl)
    body = client.get("/").content.decode()
    assert "No action of yours is overdue" in body
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        client.force_login(dsl)
        body = client.get("/").content.decode()
        assert "Home visit" in body
        assert "Assembly talk by the officer" not in body
        assert "Your overdue actions (1)" in body
        assert "past their review date (1)" in body
        assert world.pupil_a.name in body
        # Once done, it is no longer owed.
        plan_services.plan_action_complete(actor=dsl, action=mine, source="test")
        body = client.get("/").content.decode()
        assert "Home visit" not in body
        client.force_login(officer)
        body = client.get("/").content.decode()
        assert "Assembly talk by the officer" in body
        assert "past their review date" not in body


def test_a_closed_plan_owes_nothing(client, world, dsl):
    plan = open_plan(dsl, world.pupil_a, next_review_on=today())
    plan_services.plan_close(actor=dsl, plan=plan, outcome="Done", source="test")
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        client.force_login(dsl)
        assert "past their review date" not in client.get("/").content.decode()


def test_those_who_do_no_casework_get_no_plans_panel(client, world, staff, practitioner):
    for user in (staff, practitioner):
        client.force_login(user)
        assert 'id="plans-owed"' not in client.get("/").content.decode()


def test_the_landing_panel_costs_the_same_queries_for_many_overdue_items(client, world, dsl):
    pupils = [world.pupil_a, *(PupilFactory(school=world.school_a) for _ in range(4))]
    for pupil in pupils:
        plan = open_plan(dsl, pupil, next_review_on=today())
        for number in range(3):
            plan_services.plan_action_add(
                actor=dsl,
                plan=plan,
                description=f"Action {number}",
                owner_id=str(dsl.pk),
                owner_name="",
                owner_organisation="",
                due_on=today(),
                source="test",
            )
        if pupil == world.pupil_a:
            with time_machine.travel(timezone.now() + timedelta(days=3)):
                client.force_login(dsl)
                with CaptureQueriesContext(connection) as few:
                    client.get("/")
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        client.force_login(dsl)
        with CaptureQueriesContext(connection) as many:
            body = client.get("/").content.decode()
    assert "Your overdue actions (15)" in body
    assert "The 10 longest overdue are shown." in body
    # The counts beyond the first ten cost two queries more, and no more however many.
    assert len(many) <= len(few) + 2


def test_the_plan_lists_the_referrals_made_under_it(client, world, dsl, plan):
    under = referral_services.referral_create(
        actor=dsl,
        pupil=world.pupil_a,
        data=ReferralInput(agency_id=str(world.yot.pk), reason="R", plan_id=str(plan.pk)),
        source="test",
    )
    apart = referral_services.referral_create(
        actor=dsl,
        pupil=world.pupil_a,
        data=ReferralInput(agency_id=str(world.police.pk), reason="R"),
        source="test",
    )
    client.force_login(dsl)
    body = client.get(plan_url(plan)).content.decode()
    assert f"/referrals/{under.pk}/" in body
    assert f"/referrals/{apart.pk}/" not in body
    assert f"{reverse('casework-new-referral', args=[world.pupil_a.pk])}?plan={plan.pk}" in body
    listed = AuditEvent.objects.get(action=AuditAction.VIEW, object_id=str(under.pk))
    assert listed.detail == {"listing": True, "pupil": str(world.pupil_a.pk)}
