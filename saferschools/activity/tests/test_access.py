"""Who sees whose activity and plans: an officer their own; a police supervisor those of the
officers deployed within their reach; nobody else."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from saferschools.accounts.models import Role
from saferschools.activity.models import Activity, PatrolPlan
from saferschools.core import access

from .helpers import log, plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(world, officer, school_officer, other_area_officer):
    """One entry and one plan by each of three officers, in three places."""
    made = {
        "officer": (log(officer, world.school_a), plan(officer, world.school_a)),
        "school_officer": (
            log(school_officer, world.school_c),
            plan(school_officer, world.school_c),
        ),
        "other_area_officer": (
            log(other_area_officer, world.school_d),
            plan(other_area_officer, world.school_d),
        ),
    }
    return made


def visible(user, model) -> set:
    return set(access.scope(user, model).values_list("officer__full_name", flat=True))


def test_an_officer_sees_and_changes_only_their_own(entries, officer):
    for model in (Activity, PatrolPlan):
        assert visible(officer, model) == {"PC Ada Lovell"}
        assert set(access.scope(officer, model, write=True)) == {
            entries["officer"][0 if model is Activity else 1]
        }


def test_a_force_supervisor_sees_the_officers_of_the_forces_area(entries, supervisor):
    for model in (Activity, PatrolPlan):
        assert visible(supervisor, model) == {"PC Ada Lovell", "PC Colin Woking"}
        assert not access.scope(supervisor, model, write=True).exists()


def test_an_area_supervisor_sees_the_officers_of_the_area(world, entries, persona):
    area_supervisor = persona(Role.POLICE_SUPERVISOR, world.area)

    assert visible(area_supervisor, Activity) == {"PC Ada Lovell", "PC Colin Woking"}


def test_the_other_areas_supervisor_sees_only_their_own_areas_officer(entries, other_supervisor):
    assert visible(other_supervisor, Activity) == {"PC Dee Fareham"}
    assert visible(other_supervisor, PatrolPlan) == {"PC Dee Fareham"}


@pytest.mark.parametrize(
    "who", ["dsl", "staff", "head", "analyst", "practitioner", "outside_officer"]
)
def test_nobody_else_sees_an_officers_activity(entries, request, who):
    user = request.getfixturevalue(who)
    for model in (Activity, PatrolPlan):
        assert not access.scope(user, model).exists()


def test_one_entry_is_not_found_out_of_scope(entries, officer, supervisor, other_supervisor, dsl):
    entry = entries["officer"][0]

    assert access.get_activity_for_user(officer, entry.pk, write=True) == entry
    assert access.get_activity_for_user(supervisor, entry.pk) == entry
    for user, write in [(supervisor, True), (other_supervisor, False), (dsl, False)]:
        with pytest.raises(Http404):
            access.get_activity_for_user(user, entry.pk, write=write)
    with pytest.raises(Http404):
        access.get_activity_for_user(officer, "not-a-uuid")


def test_an_officer_is_overseen_by_their_areas_supervisor(
    world, officer, school_officer, other_area_officer, supervisor, other_supervisor, dsl
):
    assert list(access.officers_overseen(supervisor)) == [officer, school_officer]
    assert list(access.officers_overseen(other_supervisor)) == [other_area_officer]
    assert list(access.officers_overseen(officer)) == [officer]
    assert not access.officers_overseen(dsl).exists()
    assert access.get_officer_for_user(supervisor, officer.pk) == officer
    for user, whom in [(other_supervisor, officer), (officer, school_officer), (dsl, officer)]:
        with pytest.raises(Http404):
            access.get_officer_for_user(user, whom.pk)


def test_an_officer_logs_at_the_schools_of_their_deployment(
    world, officer, school_officer, supervisor
):
    assert list(access.activity_schools(officer)) == sorted(
        [world.school_a, world.school_b], key=lambda school: school.name
    )
    assert list(access.activity_schools(school_officer)) == [world.school_c]
    assert not access.activity_schools(supervisor).exists()
    assert access.can_log_activity(officer)
    assert not access.can_log_activity(supervisor)
    assert access.can_see_time_use(supervisor)
    assert not access.can_see_time_use(AnonymousUser())


def test_an_officer_who_leaves_the_role_no_longer_sees_their_log(entries, officer):
    officer.memberships.all().delete()
    officer._memberships_cache = None

    assert not access.scope(officer, Activity).exists()
