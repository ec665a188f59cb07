"""The access policy for the partnership's life, written out by hand: who reads and who keeps a
partnership's aims, protocol, steering group and work-plan; who writes a school's needs
assessment and reads the requests made to it; who ranks an area's schools; who signs for whom."""

from datetime import date

import pytest
from django.http import Http404

from saferschools.accounts.models import Role
from saferschools.core import access
from saferschools.planning.models import (
    CoreAim,
    NeedsAssessment,
    SspRequest,
    SteeringAction,
    SteeringMeeting,
    Workplan,
    WorkplanAction,
    WorkplanOutcome,
)

pytestmark = pytest.mark.django_db

# (role, scope attribute of the world) → may read P's governance, may keep it.
GOVERNANCE = [
    (Role.HEAD_TEACHER, "school_a", True, True),
    (Role.HEAD_TEACHER, "school_c", False, False),
    (Role.STEERING_MEMBER, "p", True, True),
    (Role.STEERING_MEMBER, "q", False, False),
    (Role.AREA_ADMIN, "area", True, True),
    (Role.AREA_ADMIN, "other_area", False, False),
    (Role.SAFEGUARDING_LEAD, "school_a", True, False),
    (Role.SCHOOL_STAFF, "school_b", True, False),
    (Role.SSP_OFFICER, "p", True, False),
    (Role.SSP_OFFICER, "q", False, False),
    (Role.POLICE_SUPERVISOR, "police", True, False),
    (Role.POLICE_SUPERVISOR, "other_police", False, False),
    (Role.AGENCY_PRACTITIONER, "yot", True, False),
    (Role.LA_ANALYST, "area", True, False),
    (Role.LA_ANALYST, "other_area", False, False),
]


@pytest.fixture
def records(world, persona):
    head = persona(Role.HEAD_TEACHER, world.school_a)
    plan = Workplan.objects.create(partnership=world.p, year=2026, created_by=head)
    outcome = WorkplanOutcome.objects.create(
        workplan=plan, aim=CoreAim.SAFETY, text="Pupils feel safer"
    )
    action = WorkplanAction.objects.create(
        outcome=outcome, description="Patrols", owner_name="PC Olu", due_on=date(2026, 12, 1)
    )
    meeting = SteeringMeeting.objects.create(
        partnership=world.p, held_at="2026-11-20T16:00Z", agenda="Terms", recorded_by=head
    )
    steering_action = SteeringAction.objects.create(
        meeting=meeting,
        description="Write to parents",
        owner_name="Chair",
        due_on=date(2026, 12, 1),
    )
    return plan, action, meeting, steering_action


@pytest.mark.parametrize("role,scope,reads,keeps", GOVERNANCE)
def test_governance_of_a_partnership(world, persona, records, role, scope, reads, keeps):
    user = persona(role, getattr(world, scope))
    plan, action, meeting, steering_action = records

    assert access.scope(user, Workplan).filter(pk=plan.pk).exists() is reads
    assert access.scope(user, WorkplanAction).filter(pk=action.pk).exists() is reads
    assert access.scope(user, SteeringMeeting).filter(pk=meeting.pk).exists() is reads
    assert access.scope(user, SteeringAction).filter(pk=steering_action.pk).exists() is reads
    assert access.scope(user, Workplan, write=True).filter(pk=plan.pk).exists() is keeps
    assert access.can_govern(user, world.p) is keeps

    if keeps:
        assert access.get_governed_partnership_for_user(user, world.p.pk, write=True) == world.p
    else:
        with pytest.raises(Http404):
            access.get_governed_partnership_for_user(user, world.p.pk, write=True)
    if reads:
        assert access.get_workplan_action_for_user(user, action.pk) == action
        assert access.get_steering_meeting_for_user(user, meeting.pk) == meeting
    else:
        with pytest.raises(Http404):
            access.get_workplan_action_for_user(user, action.pk)
        with pytest.raises(Http404):
            access.get_steering_meeting_for_user(user, meeting.pk)
    if keeps:
        assert access.get_workplan_action_for_user(user, action.pk, write=True) == action
    else:
        with pytest.raises(Http404):
            access.get_workplan_action_for_user(user, action.pk, write=True)


def test_an_owner_updates_their_own_actions_only(world, persona, records):
    _, action, _, steering_action = records
    officer = persona(Role.SSP_OFFICER, world.p)
    WorkplanAction.objects.filter(pk=action.pk).update(owner=officer, owner_name="")
    SteeringAction.objects.filter(pk=steering_action.pk).update(owner=officer, owner_name="")

    assert access.get_workplan_action_for_user(officer, action.pk, write=True) == action
    assert access.get_steering_action_for_user(officer, steering_action.pk, write=True)
    other = WorkplanAction.objects.create(
        outcome=action.outcome, description="Assemblies", owner_name="Head", due_on=date(2027, 1, 1)
    )
    with pytest.raises(Http404):
        access.get_workplan_action_for_user(officer, other.pk, write=True)


def test_an_owner_who_left_the_partnership_no_longer_updates(world, persona, records):
    _, action, _, _ = records
    officer = persona(Role.SSP_OFFICER, world.q)  # another partnership's officer
    WorkplanAction.objects.filter(pk=action.pk).update(owner=officer, owner_name="")
    with pytest.raises(Http404):
        access.get_workplan_action_for_user(officer, action.pk, write=True)


@pytest.mark.parametrize(
    "role,scope,reads,writes",
    [
        (Role.SAFEGUARDING_LEAD, "school_a", True, True),
        (Role.HEAD_TEACHER, "school_a", True, True),
        (Role.SSP_OFFICER, "p", True, True),
        (Role.SSP_OFFICER, "q", False, False),
        (Role.SCHOOL_STAFF, "school_a", True, False),
        (Role.HEAD_TEACHER, "school_b", True, False),  # a colleague school of the partnership
        (Role.STEERING_MEMBER, "p", True, False),
        (Role.LA_ANALYST, "area", True, False),
        (Role.LA_ANALYST, "other_area", False, False),
    ],
)
def test_needs_assessment(world, persona, role, scope, reads, writes):
    user = persona(role, getattr(world, scope))
    assessment = NeedsAssessment.objects.create(
        school=world.school_a, updated_by=persona(Role.HEAD_TEACHER, world.school_a)
    )
    assert access.scope(user, NeedsAssessment).filter(pk=assessment.pk).exists() is reads
    assert access.can_assess_needs(user, world.school_a) is writes


@pytest.mark.parametrize(
    "role,scope,reads",
    [
        (Role.SAFEGUARDING_LEAD, "school_a", True),
        (Role.HEAD_TEACHER, "school_a", True),
        (Role.HEAD_TEACHER, "school_b", False),
        (Role.SSP_OFFICER, "p", False),
        (Role.SCHOOL_STAFF, "school_a", False),
        (Role.STEERING_MEMBER, "p", False),
        (Role.AREA_ADMIN, "area", False),
    ],
)
def test_requests_name_their_makers_so_only_the_schools_leaders_read_them(
    world, persona, role, scope, reads
):
    user = persona(role, getattr(world, scope))
    made = SspRequest.objects.create(
        school=world.school_a,
        requester=SspRequest.Requester.PARENT,
        name="A parent",
        reason="Trouble at the bus stop",
        received_on=date(2026, 11, 1),
    )
    assert access.can_read_ssp_requests(user, world.school_a) is reads
    if reads:
        assert access.get_ssp_request_for_user(user, made.pk) == made
    else:
        with pytest.raises(Http404):
            access.get_ssp_request_for_user(user, made.pk)


@pytest.mark.parametrize(
    "role,scope,ranks",
    [
        (Role.LA_ANALYST, "area", True),
        (Role.POLICE_SUPERVISOR, "police", True),
        (Role.AREA_ADMIN, "area", True),
        (Role.LA_ANALYST, "other_area", False),
        (Role.POLICE_SUPERVISOR, "other_police", False),
        (Role.HEAD_TEACHER, "school_a", False),
        (Role.STEERING_MEMBER, "p", False),
        (Role.SSP_OFFICER, "p", False),
        (Role.AGENCY_PRACTITIONER, "yot", False),
    ],
)
def test_ranking_an_areas_schools(world, persona, role, scope, ranks):
    user = persona(role, getattr(world, scope))
    assert (world.area in access.prioritisation_areas(user)) is ranks
    if ranks:
        assert access.get_prioritisation_area_for_user(user, world.area.pk) == world.area
    else:
        with pytest.raises(Http404):
            access.get_prioritisation_area_for_user(user, world.area.pk)


def test_who_signs_for_whom(world, persona):
    yot_practitioner = persona(Role.AGENCY_PRACTITIONER, world.yot)
    sergeant = persona(Role.POLICE_SUPERVISOR, world.police)
    area_analyst = persona(Role.LA_ANALYST, world.area)
    head_a = persona(Role.HEAD_TEACHER, world.school_a)
    dsl_a = persona(Role.SAFEGUARDING_LEAD, world.school_a)

    assert access.can_sign_for_agency(yot_practitioner, world.yot)
    assert not access.can_sign_for_agency(yot_practitioner, world.police)
    assert access.can_sign_for_agency(sergeant, world.police)
    # A role over the whole area is not a role in the agency.
    assert not access.can_sign_for_agency(area_analyst, world.police)
    assert access.can_sign_for_school(head_a, world.school_a)
    assert not access.can_sign_for_school(head_a, world.school_b)
    assert not access.can_sign_for_school(dsl_a, world.school_a)


def test_people_reaching_a_partnership_and_its_governors(world, persona):
    head_a = persona(Role.HEAD_TEACHER, world.school_a)
    staff_b = persona(Role.SCHOOL_STAFF, world.school_b)
    steering = persona(Role.STEERING_MEMBER, world.p)
    sergeant = persona(Role.POLICE_SUPERVISOR, world.police)
    admin = persona(Role.AREA_ADMIN, world.area)
    head_c = persona(Role.HEAD_TEACHER, world.school_c)
    elsewhere = persona(Role.AREA_ADMIN, world.other_area)
    gone = persona(Role.SCHOOL_STAFF, world.school_a, is_active=False)

    reaching = set(access.users_reaching_partnership(world.p))
    assert {head_a, staff_b, steering, sergeant, admin} <= reaching
    assert not {head_c, elsewhere, gone} & reaching
    governors = set(access.partnership_governors(world.p))
    assert governors == {head_a, steering, admin}
    assert all(access.can_govern(user, world.p) for user in governors)


def test_who_is_asked_to_sign_a_protocol(world, persona):
    from django.utils import timezone

    from saferschools.planning.models import Protocol, ProtocolPartner

    head_a = persona(Role.HEAD_TEACHER, world.school_a)
    dsl_a = persona(Role.SAFEGUARDING_LEAD, world.school_a)
    yot = persona(Role.AGENCY_PRACTITIONER, world.yot)
    police = persona(Role.POLICE_SUPERVISOR, world.police)
    protocol = Protocol.objects.create(
        partnership=world.p,
        version=1,
        purpose="p",
        line_management="l",
        deployment=Protocol.Deployment.FULL_TIME,
        resources_and_funding="r",
        communication="c",
        governance="g",
        review_on=timezone.localdate(),
        created_by=head_a,
    )
    ProtocolPartner.objects.create(
        protocol=protocol, agency=world.yot, brings="b", responsibilities="r"
    )
    ProtocolPartner.objects.create(
        protocol=protocol, school=world.school_a, brings="b", responsibilities="r"
    )
    assert set(access.protocol_signers(protocol)) == {head_a, yot}
    assert dsl_a not in access.protocol_signers(protocol)
    assert police not in access.protocol_signers(protocol)


def test_whose_counts_a_user_sees_in_full(world, persona, django_assert_num_queries):
    dsl_a = persona(Role.SAFEGUARDING_LEAD, world.school_a)
    officer = persona(Role.SSP_OFFICER, world.p)
    analyst = persona(Role.LA_ANALYST, world.area)
    schools = [world.school_a, world.school_b, world.school_c]
    access.memberships_of(dsl_a)
    with django_assert_num_queries(1):
        assert access.schools_with_counts_in_full(dsl_a, schools) == {world.school_a.pk}
    assert access.schools_with_counts_in_full(officer, schools) == {
        world.school_a.pk,
        world.school_b.pk,
    }
    assert access.schools_with_counts_in_full(analyst, schools) == set()
    for school in schools:
        assert access.sees_school_counts_in_full(officer, school) is (
            school.pk in access.schools_with_counts_in_full(officer, [school])
        )
