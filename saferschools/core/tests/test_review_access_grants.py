"""Sharing grants at their edges: a practitioner of two agencies, one who is also a member of a
school's staff, one whose membership is removed, and a pupil whose record moves school while a
grant is live."""

from datetime import date, datetime

import pytest
import time_machine
from django.http import Http404
from django.utils import timezone

from saferschools.accounts.models import Membership, Role, User
from saferschools.casework.models import PupilTransfer, TransferReason, TransferStatus
from saferschools.core import access
from saferschools.lib.schooldays import LONDON
from saferschools.sharing.decision_services import SharingDecisionInput, sharing_decision_record
from saferschools.sharing.models import Consent, Decision, LawfulBasis, SharedItem
from saferschools.testing.factories import AgencyFactory, MembershipFactory, PupilFactory

pytestmark = pytest.mark.django_db


def share(actor, pupil, agency, *, expires_on, items=(SharedItem.PLANS,), practitioner=None):
    return sharing_decision_record(
        actor=actor,
        pupil=pupil,
        data=SharingDecisionInput(
            agency_id=str(agency.pk),
            practitioner_id=str(practitioner.pk) if practitioner else None,
            purpose="Joint support",
            information="The plan",
            items=list(items),
            lawful_basis=LawfulBasis.PUBLIC_TASK,
            consent=Consent.GIVEN,
            golden_rules_confirmed=True,
            decision=Decision.SHARE,
            expires_on=expires_on,
        ),
        source="test",
    )


def fresh(user) -> User:
    """The user as the next request loads them: memberships and grants read anew."""
    return User.objects.get(pk=user.pk)


def reaches(user, pupil) -> bool:
    try:
        access.get_casework_pupil_for_user(fresh(user), pupil.pk)
    except Http404:
        return False
    return True


def at(*moment: int) -> time_machine.travel:
    return time_machine.travel(datetime(*moment, tzinfo=LONDON), tick=False)


def test_a_practitioner_of_two_agencies_holds_the_grants_of_both(world, dsl, practitioner, persona):
    camhs = AgencyFactory(area=world.area, name="CAMHS")
    MembershipFactory(user=practitioner, role=Role.AGENCY_PRACTITIONER, agency=camhs)
    lead_b = persona(Role.SAFEGUARDING_LEAD, world.school_b)
    with at(2026, 3, 2, 9, 0):
        to_team = share(dsl, world.pupil_a, world.yot, expires_on=date(2026, 4, 1))
        to_camhs = share(
            lead_b, world.pupil_b, camhs, expires_on=date(2026, 4, 1), items=[SharedItem.MEETINGS]
        )
        assert reaches(practitioner, world.pupil_a)
        assert reaches(practitioner, world.pupil_b)
        user = fresh(practitioner)
        assert set(access.pupils_granted(user)) == {to_team, to_camhs}
        # Each grant opens its own items, for its own pupil.
        assert access.granted_items(user, world.pupil_a) == {SharedItem.PLANS}
        assert access.granted_items(user, world.pupil_b) == {SharedItem.MEETINGS}
        assert not reaches(practitioner, world.pupil_c)


def test_a_grant_follows_the_agency_membership_not_the_person(world, dsl, practitioner):
    camhs = AgencyFactory(area=world.area, name="CAMHS")
    MembershipFactory(user=practitioner, role=Role.AGENCY_PRACTITIONER, agency=camhs)
    with at(2026, 3, 2, 9, 0):
        named = share(
            dsl, world.pupil_a, world.yot, expires_on=date(2026, 4, 1), practitioner=practitioner
        )
        assert reaches(practitioner, world.pupil_a)
        # Removed from the youth offending team, still a practitioner of CAMHS: the grant to
        # the team, naming them, is no longer theirs.
        Membership.objects.filter(user=practitioner, agency=world.yot).delete()
        assert not reaches(practitioner, world.pupil_a)
        assert named not in access.pupils_granted(fresh(practitioner))


def test_a_staff_member_who_is_also_a_practitioner_sees_only_what_the_grant_names(
    world, dsl, persona
):
    both = persona(Role.SCHOOL_STAFF, world.school_a)
    MembershipFactory(user=both, role=Role.AGENCY_PRACTITIONER, agency=world.yot)
    assert not reaches(both, world.pupil_a)
    with at(2026, 3, 2, 9, 0):
        grant = share(dsl, world.pupil_a, world.yot, expires_on=date(2026, 4, 1))
        user = fresh(both)
        assert reaches(both, world.pupil_a)
        assert access.granted_items(user, world.pupil_a) == {SharedItem.PLANS}
        # Reading as a grantee is named in the audit, though the register is theirs too.
        assert access.pupil_grant(user, world.pupil_a) == grant
        assert not access.can_open_casework(user, world.school_a)
        with pytest.raises(Http404):
            access.get_casework_pupil_for_user(user, world.pupil_a.pk, write=True)


@pytest.mark.parametrize(
    ("decided", "expires_on", "last_moment", "first_moment_after"),
    [
        ((2026, 1, 5, 9, 0), date(2026, 1, 20), (2026, 1, 19, 23, 59, 59), (2026, 1, 20, 0, 0)),
        ((2026, 7, 1, 9, 0), date(2026, 7, 20), (2026, 7, 19, 23, 59, 59), (2026, 7, 20, 0, 0)),
    ],
    ids=["winter", "summer"],
)
def test_a_grant_ends_as_its_expiry_date_begins_in_london(
    world, dsl, practitioner, decided, expires_on, last_moment, first_moment_after
):
    with at(*decided):
        share(dsl, world.pupil_a, world.yot, expires_on=expires_on)
    with at(*last_moment):
        assert reaches(practitioner, world.pupil_a)
    with at(*first_moment_after):
        assert not reaches(practitioner, world.pupil_a)


def test_a_confirmed_transfer_ends_the_grants_the_sending_school_made(world, dsl, practitioner):
    with at(2026, 3, 2, 9, 0):
        grant = share(dsl, world.pupil_a, world.yot, expires_on=date(2026, 12, 1))
        transfer = PupilTransfer.objects.create(
            pupil=world.pupil_a,
            from_school=world.school_a,
            to_school=world.school_c,
            reason=TransferReason.MANAGED_MOVE,
            status=TransferStatus.SENT,
            sent_by=dsl,
            sent_at=timezone.now(),
        )
        # Awaiting confirmation, the grant stands and the sending school can still end it.
        assert reaches(practitioner, world.pupil_a)
        assert access.get_sharing_decision_for_user(fresh(dsl), grant.pk, write=True) == grant
        transfer.status = TransferStatus.CONFIRMED
        transfer.save()
        # Confirmed, the sending school no longer sees the pupil, nor can it revoke: the
        # access it gave ends with its own.
        with pytest.raises(Http404):
            access.get_sharing_decision_for_user(fresh(dsl), grant.pk, write=True)
        assert not reaches(practitioner, world.pupil_a)
        assert access.pupils_granted(fresh(practitioner)) == []
        with pytest.raises(Http404):
            access.get_pupil_for_user(fresh(practitioner), world.pupil_a.pk)


def test_the_sending_school_sees_no_item_of_a_pupil_who_has_moved(world, dsl):
    user = fresh(dsl)
    assert access.granted_items(user, world.pupil_a) is None
    assert access.can_read_pupil_item(user, world.pupil_a, SharedItem.PLANS)
    PupilTransfer.objects.create(
        pupil=world.pupil_a,
        from_school=world.school_a,
        to_school=world.school_c,
        reason=TransferReason.MANAGED_MOVE,
        status=TransferStatus.CONFIRMED,
        sent_by=dsl,
        sent_at=timezone.now(),
    )
    user = fresh(dsl)
    assert access.granted_items(user, world.pupil_a) == frozenset()
    assert not access.can_read_pupil_item(user, world.pupil_a, SharedItem.PLANS)
    # Still a case worker of the school for its other pupils.
    assert access.granted_items(user, PupilFactory(school=world.school_a)) is None
