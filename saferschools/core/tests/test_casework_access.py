"""The access policy for casework and sharing grants, written out by hand from the issue.

Casework (assessments, plans, referrals, meetings, sharing decisions, police notifications) is
for the school's safeguarding leads, head teacher and officers; nobody else, unless a live
"share" decision grants an agency's practitioners the items it names, until the start of its
expiry date or its revocation.
"""

from datetime import date, timedelta

import pytest
import time_machine
from django.http import Http404
from django.utils import timezone

from saferschools.accounts.models import Role, User
from saferschools.casework.models import (
    Plan,
    Pupil,
    PupilTransfer,
    Referral,
    ReferralService,
    RiskAssessment,
    RiskLevel,
    TransferReason,
    TransferStatus,
)
from saferschools.core import access
from saferschools.sharing.models import Consent, Decision, LawfulBasis, SharingDecision

pytestmark = pytest.mark.django_db

NONE: frozenset[str] = frozenset()
# role, scope, pupils whose casework is readable and writable
MATRIX = [
    (Role.SCHOOL_STAFF, "school", NONE),
    (Role.SAFEGUARDING_LEAD, "school", {"a"}),
    (Role.HEAD_TEACHER, "school", {"a"}),
    (Role.SSP_OFFICER, "school", {"a"}),
    (Role.SSP_OFFICER, "partnership", {"a", "b"}),
    (Role.POLICE_SUPERVISOR, "police", NONE),
    (Role.POLICE_SUPERVISOR, "area", NONE),
    (Role.AGENCY_PRACTITIONER, "yot", NONE),
    (Role.LA_ANALYST, "area", NONE),
    (Role.STEERING_MEMBER, "partnership", NONE),
    (Role.AREA_ADMIN, "area", NONE),
]


def _place(world, where):
    return {
        "school": world.school_a,
        "partnership": world.p,
        "police": world.police,
        "yot": world.yot,
        "area": world.area,
    }[where]


def _assess(pupil: Pupil, by: User) -> RiskAssessment:
    return RiskAssessment.objects.create(
        pupil=pupil,
        school=pupil.school,
        assessed_by=by,
        assessed_at=timezone.now(),
        level=RiskLevel.LOW,
        level_reason="Low: 0 factors in 0 domains.",
    )


def _decide(pupil: Pupil, agency, by: User, **fields) -> SharingDecision:
    values = {
        "pupil": pupil,
        "school": pupil.school,
        "agency": agency,
        "purpose": "Assess for the youth offending team's prevention programme",
        "information": "Risk assessments",
        "items": ["assessments"],
        "lawful_basis": LawfulBasis.PUBLIC_TASK,
        "consent": Consent.GIVEN,
        "golden_rules_confirmed": True,
        "decision": Decision.SHARE,
        "expires_on": timezone.localdate() + timedelta(days=30),
        "decided_by": by,
        "decided_at": timezone.now(),
    }
    values.update(fields)
    return SharingDecision.objects.create(**values)


@pytest.fixture
def assessments(world, dsl):
    return {
        letter: _assess(getattr(world, f"pupil_{letter}"), dsl) for letter in ("a", "b", "c", "d")
    }


@pytest.mark.parametrize(
    ("role", "where", "pupils"), MATRIX, ids=[f"{role}-{where}" for role, where, _ in MATRIX]
)
def test_casework_follows_the_matrix(world, persona, assessments, role, where, pupils):
    user = persona(role, _place(world, where))
    expected = {assessments[x].pk for x in pupils}
    assert set(access.scope(user, RiskAssessment).values_list("pk", flat=True)) == expected
    assert set(access.scope(user, RiskAssessment, write=True).values_list("pk", flat=True)) == (
        expected
    )
    for letter, assessment in assessments.items():
        if letter in pupils:
            assert access.get_assessment_for_user(user, assessment.pk) == assessment
            assert access.get_casework_pupil_for_user(user, assessment.pupil_id, write=True)
        else:
            with pytest.raises(Http404):
                access.get_assessment_for_user(user, assessment.pk)
            with pytest.raises(Http404):
                access.get_casework_pupil_for_user(user, assessment.pupil_id)
        assert access.can_open_casework(user, assessment.school) is (letter in pupils)


def test_a_staff_member_who_is_not_a_safeguarding_lead_cannot_open_a_case(world, staff, dsl):
    plan = Plan.objects.create(
        pupil=world.pupil_a,
        school=world.school_a,
        lead_professional=dsl,
        concerns="Truancy",
        goals="Attend every day",
        opened_by=dsl,
        opened_at=timezone.now(),
    )
    with pytest.raises(Http404):
        access.get_plan_for_user(staff, plan.pk)
    assert access.get_plan_for_user(dsl, plan.pk) == plan


def test_a_grant_opens_the_pupil_and_the_items_it_names_only(world, dsl, practitioner):
    assessments = {letter: _assess(getattr(world, f"pupil_{letter}"), dsl) for letter in "ab"}
    grant = _decide(world.pupil_a, world.yot, dsl)
    user = User.objects.get(pk=practitioner.pk)

    assert list(access.scope(user, Pupil)) == [world.pupil_a]
    assert access.get_pupil_for_user(user, world.pupil_a.pk) == world.pupil_a
    assert access.get_casework_pupil_for_user(user, world.pupil_a.pk) == world.pupil_a
    with pytest.raises(Http404):
        access.get_pupil_for_user(user, world.pupil_a.pk, write=True)
    with pytest.raises(Http404):
        access.get_casework_pupil_for_user(user, world.pupil_a.pk, write=True)
    with pytest.raises(Http404):
        access.get_pupil_for_user(user, world.pupil_b.pk)
    assert access.pupil_grant(user, world.pupil_a) == grant
    assert access.granted_items(user, world.pupil_a) == {"assessments"}
    assert access.get_assessment_for_user(user, assessments["a"].pk)
    with pytest.raises(Http404):
        access.get_assessment_for_user(user, assessments["a"].pk, write=True)
    with pytest.raises(Http404):
        access.get_assessment_for_user(user, assessments["b"].pk)
    # Plans were not named: none is visible.
    plan = Plan.objects.create(
        pupil=world.pupil_a,
        school=world.school_a,
        lead_professional=dsl,
        concerns="c",
        goals="g",
        opened_by=dsl,
        opened_at=timezone.now(),
    )
    with pytest.raises(Http404):
        access.get_plan_for_user(user, plan.pk)
    # The decision itself is visible to its grantee while live.
    assert access.get_sharing_decision_for_user(user, grant.pk) == grant


def test_a_grant_ends_at_the_start_of_its_expiry_date(world, dsl, practitioner):
    _decide(world.pupil_a, world.yot, dsl, expires_on=date(2027, 3, 10))
    with time_machine.travel("2027-03-09 23:59 +00:00", tick=False):
        assert access.scope(User.objects.get(pk=practitioner.pk), Pupil).count() == 1
    with time_machine.travel("2027-03-10 00:01 +00:00", tick=False):
        assert access.scope(User.objects.get(pk=practitioner.pk), Pupil).count() == 0


def test_a_revoked_or_refused_decision_grants_nothing(world, dsl, practitioner):
    _decide(world.pupil_a, world.yot, dsl, revoked_at=timezone.now(), revoked_by=dsl)
    _decide(world.pupil_a, world.yot, dsl, decision=Decision.NOT_SHARE, expires_on=None)
    assert not access.scope(User.objects.get(pk=practitioner.pk), Pupil).exists()


def test_a_named_practitioner_excludes_colleagues_and_other_agencies_get_nothing(
    world, dsl, persona
):
    named = persona(Role.AGENCY_PRACTITIONER, world.yot)
    colleague = persona(Role.AGENCY_PRACTITIONER, world.yot)
    police = persona(Role.AGENCY_PRACTITIONER, world.police)
    _decide(world.pupil_a, world.yot, dsl, practitioner=named)
    assert access.scope(named, Pupil).count() == 1
    assert access.scope(colleague, Pupil).count() == 0
    assert access.scope(police, Pupil).count() == 0


def test_referrals_to_an_agency_are_seen_by_its_grantees(world, dsl, practitioner):
    referral = Referral.objects.create(
        pupil=world.pupil_a,
        school=world.school_a,
        agency=world.yot,
        service=ReferralService.YOUTH_OFFENDING_TEAM,
        reason="Prevention",
        referred_by=dsl,
        referred_at=timezone.now(),
    )
    other = Referral.objects.create(
        pupil=world.pupil_a,
        school=world.school_a,
        agency=world.police,
        service=ReferralService.OTHER,
        reason="Other",
        referred_by=dsl,
        referred_at=timezone.now(),
    )
    with pytest.raises(Http404):
        access.get_referral_for_user(practitioner, referral.pk)
    _decide(world.pupil_a, world.yot, dsl)
    user = User.objects.get(pk=practitioner.pk)
    assert access.get_referral_for_user(user, referral.pk) == referral
    assert access.can_answer_referral(user, referral)
    with pytest.raises(Http404):
        access.get_referral_for_user(user, other.pk)


def test_a_confirmed_transfer_ends_the_sending_schools_access(world, dsl, persona):
    officer = persona(Role.SSP_OFFICER, world.school_a)
    assessment = _assess(world.pupil_a, dsl)
    transfer = PupilTransfer.objects.create(
        pupil=world.pupil_a,
        from_school=world.school_a,
        to_school=world.school_c,
        reason=TransferReason.MANAGED_MOVE,
        status=TransferStatus.SENT,
        sent_by=dsl,
        sent_at=timezone.now(),
    )
    # Sent: the sending school still reads the record.
    assert access.get_pupil_for_user(User.objects.get(pk=dsl.pk), world.pupil_a.pk)
    assert access.get_assessment_for_user(User.objects.get(pk=officer.pk), assessment.pk)
    transfer.status = TransferStatus.CONFIRMED
    transfer.save()
    for user in (dsl, officer):
        fresh = User.objects.get(pk=user.pk)
        with pytest.raises(Http404):
            access.get_pupil_for_user(fresh, world.pupil_a.pk)
        with pytest.raises(Http404):
            access.get_assessment_for_user(fresh, assessment.pk)
    # Both schools' leaders see the transfer itself.
    receiving = persona(Role.SAFEGUARDING_LEAD, world.school_c)
    assert access.get_transfer_for_user(receiving, transfer.pk) == transfer
    assert access.get_transfer_for_user(User.objects.get(pk=dsl.pk), transfer.pk) == transfer
    with pytest.raises(Http404):
        access.get_transfer_for_user(officer, transfer.pk)
