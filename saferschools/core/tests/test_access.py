"""The access matrix: every role, over every kind of scope it may hold, against the world.

The expectations are written out by hand below, one row per role and scope kind, from the policy
the foundation issue states; they are not derived from ``core.access``.
"""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from saferschools.accounts.models import ROLE_SCOPES, Membership, Role, User
from saferschools.casework.models import Pupil
from saferschools.core.access import get_pupil_for_user, scope
from saferschools.core.audit import audit_record
from saferschools.core.models import AuditAction, AuditEvent, School
from saferschools.testing.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PUPILS = ("a", "b", "c", "d", "e")  # world.pupil_a … pupil_e, one per school A … E
NONE: frozenset[str] = frozenset()

# Where each scope kind is placed in the world.
#   school       school A (partnership P, with school B)
#   partnership  partnership P (schools A and B)
#   police       the area's police force      yot   the area's youth offending team
#   area         the area (schools A, B, C, E; school D is in the other area)
#
# role, scope, pupils readable, pupils writable, schools visible
MATRIX = [
    (Role.SCHOOL_STAFF, "school", {"a"}, NONE, {"a", "b"}),
    (Role.SAFEGUARDING_LEAD, "school", {"a"}, {"a"}, {"a", "b"}),
    (Role.HEAD_TEACHER, "school", {"a"}, {"a"}, {"a", "b"}),
    (Role.SSP_OFFICER, "school", {"a"}, NONE, {"a", "b"}),
    (Role.SSP_OFFICER, "partnership", {"a", "b"}, NONE, {"a", "b"}),
    (Role.POLICE_SUPERVISOR, "police", NONE, NONE, {"a", "b", "c", "e"}),
    (Role.POLICE_SUPERVISOR, "area", NONE, NONE, {"a", "b", "c", "e"}),
    (Role.AGENCY_PRACTITIONER, "yot", NONE, NONE, {"a", "b", "c", "e"}),
    (Role.LA_ANALYST, "area", NONE, NONE, {"a", "b", "c", "e"}),
    (Role.STEERING_MEMBER, "partnership", NONE, NONE, {"a", "b"}),
    (Role.AREA_ADMIN, "area", NONE, NONE, {"a", "b", "c", "e"}),
]

SCOPE_KIND = {
    "school": "school",
    "partnership": "partnership",
    "police": "agency",
    "yot": "agency",
    "area": "area",
}


def _place(world, where: str):
    return {
        "school": world.school_a,
        "partnership": world.p,
        "police": world.police,
        "yot": world.yot,
        "area": world.area,
    }[where]


def _pupil(world, letter: str) -> Pupil:
    return getattr(world, f"pupil_{letter}")


def _school(world, letter: str) -> School:
    return getattr(world, f"school_{letter}")


def _fresh(user: User) -> User:
    """The same user loaded again, without the memberships cached on the object."""
    return User.objects.get(pk=user.pk)


def test_matrix_covers_every_role_and_every_scope_kind_it_may_hold():
    covered = {(role, SCOPE_KIND[where]) for role, where, *_ in MATRIX}
    legal = {(role, kind) for role, kinds in ROLE_SCOPES.items() for kind in kinds}
    assert covered == legal
    assert {role for role, _ in covered} == set(Role.values)


@pytest.mark.parametrize(
    ("role", "where", "readable", "writable", "schools"),
    MATRIX,
    ids=[f"{role}-{where}" for role, where, *_ in MATRIX],
)
def test_pupil_and_school_access_follows_the_matrix(
    world, persona, role, where, readable, writable, schools
):
    user = persona(role, _place(world, where))

    read_ids = set(scope(user, Pupil).values_list("pk", flat=True))
    write_ids = set(scope(user, Pupil, write=True).values_list("pk", flat=True))
    assert read_ids == {_pupil(world, x).pk for x in readable}
    assert write_ids == {_pupil(world, x).pk for x in writable}

    for letter in PUPILS:
        pupil = _pupil(world, letter)
        if letter in readable:
            assert get_pupil_for_user(user, pupil.pk) == pupil
            assert get_pupil_for_user(user, str(pupil.pk)) == pupil
        else:
            with pytest.raises(Http404):
                get_pupil_for_user(user, pupil.pk)
        if letter in writable:
            assert get_pupil_for_user(user, pupil.pk, write=True) == pupil
        else:
            with pytest.raises(Http404):
                get_pupil_for_user(user, pupil.pk, write=True)

    visible = set(scope(user, School).values_list("pk", flat=True))
    assert visible == {_school(world, x).pk for x in schools}


def test_two_memberships_give_the_union(world):
    user = UserFactory()
    MembershipFactory(user=user, role=Role.SAFEGUARDING_LEAD, school=world.school_a)
    MembershipFactory(user=user, role=Role.SSP_OFFICER, partnership=world.q)

    assert set(scope(user, Pupil)) == {world.pupil_a, world.pupil_c}
    # Writing stays with the role that may write: the school A lead, not the officer of Q.
    assert set(scope(user, Pupil, write=True)) == {world.pupil_a}
    assert get_pupil_for_user(user, world.pupil_c.pk) == world.pupil_c
    with pytest.raises(Http404):
        get_pupil_for_user(user, world.pupil_c.pk, write=True)
    with pytest.raises(Http404):
        get_pupil_for_user(user, world.pupil_b.pk)


def test_inactive_user_sees_nothing(world, persona):
    user = persona(Role.SAFEGUARDING_LEAD, world.school_a, is_active=False)

    assert not scope(user, Pupil).exists()
    assert not scope(user, Pupil, write=True).exists()
    assert not scope(user, School).exists()
    with pytest.raises(Http404):
        get_pupil_for_user(user, world.pupil_a.pk)


def test_anonymous_user_sees_nothing(world):
    anonymous = AnonymousUser()

    assert not scope(anonymous, Pupil).exists()
    assert not scope(anonymous, School).exists()
    assert not scope(None, Pupil).exists()
    with pytest.raises(Http404):
        get_pupil_for_user(anonymous, world.pupil_a.pk)


@pytest.mark.parametrize("bad_id", ["not-a-uuid", 123, None, "", "1 OR 1=1"])
def test_malformed_pupil_id_is_not_found_like_a_missing_one(world, dsl, bad_id):
    with pytest.raises(Http404) as missing:
        get_pupil_for_user(dsl, uuid.uuid4())
    with pytest.raises(Http404) as malformed:
        get_pupil_for_user(dsl, bad_id)

    assert str(malformed.value) == str(missing.value)
    # The lead can read a real pupil of school A, so the 404 above is about the id alone.
    assert get_pupil_for_user(dsl, world.pupil_a.pk) == world.pupil_a


def test_model_without_rule_is_empty(world, persona):
    admin = persona(Role.AREA_ADMIN, world.area)
    lead = persona(Role.SAFEGUARDING_LEAD, world.school_a)
    audit_record(actor=admin, action=AuditAction.VIEW, source="test", obj=world.school_a)

    assert AuditEvent.objects.exists()
    assert not scope(admin, AuditEvent).exists()
    assert not scope(lead, AuditEvent).exists()
    assert not scope(admin, AuditEvent, write=True).exists()


def test_superuser_without_membership_sees_no_pupils(world):
    superuser = User.objects.create_superuser("root@operator.example", "x" * 20, full_name="Root")

    assert not scope(superuser, Pupil).exists()
    assert not scope(superuser, Pupil, write=True).exists()
    with pytest.raises(Http404):
        get_pupil_for_user(superuser, world.pupil_a.pk)


def test_membership_scope_is_the_only_source_of_access(world, persona):
    """A membership in the other area reaches nothing in this one, and vice versa."""
    officer = persona(Role.SSP_OFFICER, world.r)

    assert set(scope(officer, Pupil)) == {world.pupil_d}
    assert set(scope(officer, School)) == {world.school_d}


def test_pupil_scope_queries_do_not_grow_with_memberships(
    world, persona, django_assert_max_num_queries
):
    one = persona(Role.SAFEGUARDING_LEAD, world.school_a)
    six = persona(Role.SCHOOL_STAFF, world.school_a)
    for role, kind, place in [
        (Role.SAFEGUARDING_LEAD, "school", world.school_b),
        (Role.HEAD_TEACHER, "school", world.school_c),
        (Role.SSP_OFFICER, "school", world.school_d),
        (Role.SSP_OFFICER, "partnership", world.q),
        (Role.POLICE_SUPERVISOR, "agency", world.police),
    ]:
        MembershipFactory(user=six, role=role, **{kind: place})
    assert Membership.objects.filter(user=six).count() == 6

    one, six, six_again = _fresh(one), _fresh(six), _fresh(six)

    # One query for the memberships, one for the pupils, however many memberships there are.
    with django_assert_max_num_queries(2):
        assert list(scope(one, Pupil)) == [world.pupil_a]
    with django_assert_max_num_queries(2):
        seen = set(scope(six, Pupil))
    assert seen == {world.pupil_a, world.pupil_b, world.pupil_c, world.pupil_d}
    with django_assert_max_num_queries(2):
        assert len(list(scope(six_again, School))) == 5
