"""The partnership's stages: what each needs, moving on, the partnership page and its API."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditEvent, Partnership
from saferschools.planning.models import (
    CoreAim,
    DesiredOutcome,
    NeedsAssessment,
    PartnershipAim,
    Protocol,
    ProtocolPartner,
    Workplan,
    WorkplanAction,
    WorkplanOutcome,
)
from saferschools.planning.stage import partnership_advance, stage_missing

pytestmark = pytest.mark.django_db

Stage = Partnership.Stage
TODAY = date(2026, 11, 28)


def assess(school, user, *, completed=True):
    return NeedsAssessment.objects.create(
        school=school, updated_by=user, completed_on=TODAY if completed else None
    )


def protocol(partnership, user, *, version=1, agencies=(), schools=(), signed=True):
    made = Protocol.objects.create(
        partnership=partnership,
        version=version,
        purpose="Keep pupils safe",
        line_management="Remains with the force",
        deployment=Protocol.Deployment.PART_TIME,
        resources_and_funding="The force pays for the officer",
        communication="Letters home",
        governance="Steering group each term",
        review_on=date(2027, 9, 1),
        created_by=user,
    )
    for agency in agencies:
        ProtocolPartner.objects.create(
            protocol=made,
            agency=agency,
            brings="An officer",
            responsibilities="Patrols",
            signed_by=user if signed else None,
            signed_at=timezone.now() if signed else None,
        )
    for school in schools:
        ProtocolPartner.objects.create(
            protocol=made,
            school=school,
            brings="A room",
            responsibilities="Referrals",
            signed_by=user if signed else None,
            signed_at=timezone.now() if signed else None,
        )
    return made


def choose_aim(partnership, user, *, with_outcome=True):
    aim = PartnershipAim.objects.create(
        partnership=partnership, aim=CoreAim.BEHAVIOUR_ATTENDANCE, chosen_by=user
    )
    if with_outcome:
        DesiredOutcome.objects.create(aim=aim, text="Reduction in pupil absence")
    return aim


def workplan(partnership, user, *, year=2026, agreed=True, with_action=True):
    plan = Workplan.objects.create(
        partnership=partnership,
        year=year,
        created_by=user,
        status=Workplan.Status.AGREED if agreed else Workplan.Status.DRAFT,
        agreed_on=TODAY if agreed else None,
    )
    outcome = WorkplanOutcome.objects.create(
        workplan=plan, aim=CoreAim.BEHAVIOUR_ATTENDANCE, text="Improve attendance"
    )
    if with_action:
        WorkplanAction.objects.create(
            outcome=outcome, description="Work with 10 families", owner=user, due_on=TODAY
        )
    return plan


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 11, 28), tick=False):
        yield


# What each stage needs -----------------------------------------------------------------------


def test_stage_one_needs_every_school_assessed(world, head):
    assert stage_missing(world.p) == [
        "Complete the needs assessment of Langshott Primary",
        "Complete the needs assessment of Oakwood School",
    ]
    assess(world.school_a, head)
    assess(world.school_b, head, completed=False)
    assert stage_missing(world.p) == ["Complete the needs assessment of Langshott Primary"]
    NeedsAssessment.objects.filter(school=world.school_b).update(completed_on=TODAY)
    assert stage_missing(world.p) == []


def test_a_partnership_without_schools_needs_one(world):
    empty = Partnership.objects.create(area=world.area, name="Empty SSP")
    assert stage_missing(empty) == ["Add a school to the partnership"]


def test_stage_two_needs_aims_and_a_protocol_signed_by_every_partner(world, head):
    world.p.stage = Stage.PRIORITISE
    missing = stage_missing(world.p)
    assert "Choose the core aims the partnership takes on" in missing
    assert "Agree a protocol setting out the partnership's working arrangements" in missing

    aim = choose_aim(world.p, head, with_outcome=False)
    assert "Agree a desired outcome for at least one aim" in stage_missing(world.p)
    DesiredOutcome.objects.create(aim=aim, text="Fewer exclusions")

    protocol(world.p, head, agencies=[world.yot], schools=[world.school_a], signed=False)
    assert stage_missing(world.p) == [
        "Name the police force as a partner in the protocol",
        "Name Langshott Primary as a partner in the protocol",
        "Surrey YOS to sign version 1 of the protocol",
        "Oakwood School to sign version 1 of the protocol",
    ]

    protocol(
        world.p,
        head,
        version=2,
        agencies=[world.police, world.yot],
        schools=[world.school_a, world.school_b],
    )
    assert stage_missing(world.p) == []


def test_only_the_latest_protocol_counts(world, head):
    world.p.stage = Stage.PRIORITISE
    choose_aim(world.p, head)
    everyone = {"agencies": [world.police], "schools": [world.school_a, world.school_b]}
    protocol(world.p, head, **everyone)
    assert stage_missing(world.p) == []
    protocol(world.p, head, version=2, signed=False, **everyone)
    assert stage_missing(world.p) == [
        "Surrey Police to sign version 2 of the protocol",
        "Oakwood School to sign version 2 of the protocol",
        "Langshott Primary to sign version 2 of the protocol",
    ]


def test_stage_three_needs_this_years_work_plan_agreed_with_actions(world, head):
    world.p.stage = Stage.IMPLEMENT
    assert stage_missing(world.p) == ["Write the work-plan for 2026/27"]
    workplan(world.p, head, year=2025)
    assert stage_missing(world.p) == ["Write the work-plan for 2026/27"]

    plan = workplan(world.p, head, agreed=False, with_action=False)
    assert stage_missing(world.p) == [
        "Agree an action for the outcome “Improve attendance”",
        "Agree the 2026/27 work-plan",
    ]
    WorkplanAction.objects.create(
        outcome=plan.outcomes.get(), description="Patrols", owner_name="PC Olu", due_on=TODAY
    )
    Workplan.objects.filter(pk=plan.pk).update(status=Workplan.Status.AGREED)
    assert stage_missing(world.p) == []


def test_the_last_stage_needs_nothing_more(world):
    world.p.stage = Stage.REVIEW
    assert stage_missing(world.p) == []


# Moving on -----------------------------------------------------------------------------------


def test_moving_on_is_refused_while_something_is_missing(world, head):
    with pytest.raises(ValidationError) as raised:
        partnership_advance(actor=head, partnership=world.p, source="test")
    assert raised.value.message_dict["stage"][0].startswith("Still needed: Complete the needs")
    world.p.refresh_from_db()
    assert world.p.stage == Stage.IDENTIFY_NEED
    assert not AuditEvent.objects.filter(object_id=str(world.p.pk)).exists()


def test_moving_on_one_stage_is_audited(world, head):
    assess(world.school_a, head)
    assess(world.school_b, head)
    partnership_advance(actor=head, partnership=world.p, source="test")
    world.p.refresh_from_db()
    assert world.p.stage == Stage.PRIORITISE
    event = AuditEvent.objects.get(object_id=str(world.p.pk))
    assert event.detail == {"from_stage": 1, "to_stage": 2}
    assert event.actor_id == head.pk


def test_reaching_stage_three_records_the_start(world, head):
    Partnership.objects.filter(pk=world.p.pk).update(stage=Stage.PRIORITISE, started_on=None)
    world.p.refresh_from_db()
    choose_aim(world.p, head)
    protocol(world.p, head, agencies=[world.police], schools=[world.school_a, world.school_b])
    partnership_advance(actor=head, partnership=world.p, source="test")
    world.p.refresh_from_db()
    assert world.p.stage == Stage.IMPLEMENT
    assert world.p.started_on == TODAY


def test_the_last_stage_cannot_move_on(world, head):
    Partnership.objects.filter(pk=world.p.pk).update(stage=Stage.REVIEW)
    with pytest.raises(ValidationError, match="last stage"):
        partnership_advance(actor=head, partnership=world.p, source="test")


# The page and the button ---------------------------------------------------------------------


def test_the_partnership_page_shows_what_is_missing(client, world, persona):
    staff = persona(Role.SCHOOL_STAFF, world.school_a)
    client.force_login(staff)
    page = client.get(f"/partnerships/{world.p.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Complete the needs assessment of Oakwood School" in text
    assert "Move to stage" not in text


def test_a_governor_moves_the_partnership_on(client, world, head):
    assess(world.school_a, head)
    assess(world.school_b, head)
    client.force_login(head)
    page = client.get(f"/partnerships/{world.p.pk}/")
    assert "Move to stage 2" in page.content.decode()
    answer = client.post(f"/partnerships/{world.p.pk}/stage/", follow=True)
    assert answer.status_code == 200
    assert "is now at Stage 2" in answer.content.decode()
    world.p.refresh_from_db()
    assert world.p.stage == Stage.PRIORITISE


def test_moving_on_too_early_says_what_is_missing(client, world, head):
    client.force_login(head)
    answer = client.post(f"/partnerships/{world.p.pk}/stage/", follow=True)
    assert "Still needed: Complete the needs assessment of Langshott Primary" in (
        answer.content.decode()
    )
    world.p.refresh_from_db()
    assert world.p.stage == Stage.IDENTIFY_NEED


@pytest.mark.parametrize(
    "role,scope",
    [
        (Role.SCHOOL_STAFF, "school_a"),
        (Role.SAFEGUARDING_LEAD, "school_a"),
        (Role.SSP_OFFICER, "p"),
        (Role.LA_ANALYST, "area"),
        (Role.HEAD_TEACHER, "school_c"),
        (Role.STEERING_MEMBER, "q"),
        (Role.AREA_ADMIN, "other_area"),
    ],
)
def test_others_cannot_move_the_partnership_on(client, world, persona, role, scope):
    assess(world.school_a, persona(Role.HEAD_TEACHER, world.school_a))
    assess(world.school_b, persona(Role.HEAD_TEACHER, world.school_b))
    client.force_login(persona(role, getattr(world, scope)))
    assert client.post(f"/partnerships/{world.p.pk}/stage/").status_code == 404
    world.p.refresh_from_db()
    assert world.p.stage == Stage.IDENTIFY_NEED


@pytest.mark.parametrize("role,scope", [(Role.STEERING_MEMBER, "p"), (Role.AREA_ADMIN, "area")])
def test_steering_members_and_administrators_move_it_on(client, world, persona, role, scope):
    head = persona(Role.HEAD_TEACHER, world.school_a)
    assess(world.school_a, head)
    assess(world.school_b, head)
    client.force_login(persona(role, getattr(world, scope)))
    client.post(f"/partnerships/{world.p.pk}/stage/")
    world.p.refresh_from_db()
    assert world.p.stage == Stage.PRIORITISE


def test_moving_on_takes_a_post(client, world, head):
    client.force_login(head)
    assert client.get(f"/partnerships/{world.p.pk}/stage/").status_code == 405


# The API ---------------------------------------------------------------------------------------


def api_for(user) -> APIClient:
    _, key = api_token_create(actor=None, user=user, name="test", source="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_partnership_api_gives_stage_schools_and_what_is_missing(world, persona):
    analyst = persona(Role.LA_ANALYST, world.area)
    assess(world.school_b, persona(Role.HEAD_TEACHER, world.school_b))
    answer = api_for(analyst).get(f"/api/v1/partnerships/{world.p.pk}")
    assert answer.status_code == 200
    assert answer.json() == {
        "id": str(world.p.pk),
        "name": "Horley SSP",
        "stage": 1,
        "stage_name": "Stage 1: identify need and mobilise support",
        "started_on": None,
        "schools": [
            {"urn": world.school_b.urn, "name": "Langshott Primary", "phase": "Primary"},
            {"urn": world.school_a.urn, "name": "Oakwood School", "phase": "Secondary"},
        ],
        "missing_for_next_stage": ["Complete the needs assessment of Oakwood School"],
    }


def test_the_partnership_api_hides_other_areas(world, persona):
    outsider = persona(Role.LA_ANALYST, world.other_area)
    answer = api_for(outsider).get(f"/api/v1/partnerships/{world.p.pk}")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Not found."}


def test_the_partnership_api_needs_a_sign_in(world):
    assert APIClient().get(f"/api/v1/partnerships/{world.p.pk}").status_code in (401, 403)
