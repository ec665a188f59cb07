"""The demo officer's plans and activity: believable, on school days, the same every time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.activity.demo import OFFICER, WEEKS, demo_activity
from saferschools.activity.models import Activity, ActivityKind, PatrolPlan
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.lib.schooldays import is_school_day, week_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_officer(world, persona):
    return persona(Role.SSP_OFFICER, world.p, email=OFFICER, full_name="PC Olu Officer")


def load(world):
    demo_activity(secondary=world.school_a, primaries=[world.school_b])


def contents():
    return sorted(
        Activity.objects.values_list(
            "school__urn", "kind", "detail", "started_at", "minutes", "note"
        )
    )


def test_the_demo_officer_gets_plans_and_a_term_of_activity(world, demo_officer):
    load(world)

    plans = list(PatrolPlan.objects.filter(officer=demo_officer).select_related("place"))
    assert len(plans) == 3
    assert {plan.place.name for plan in plans} == {"Main gate", "Station Road to Horley station"}
    assert sorted(len(plan.weekday_numbers) for plan in plans) == [1, 5, 5]
    entries = list(Activity.objects.filter(officer=demo_officer))
    assert len(entries) > 100
    days = {timezone.localtime(entry.started_at).date() for entry in entries}
    assert all(is_school_day(day) for day in days)
    today = timezone.localdate()
    assert min(days) >= week_start(today) - timedelta(weeks=WEEKS)
    assert all(entry.started_at <= timezone.now() for entry in entries)
    assert {entry.kind for entry in entries} == set(ActivityKind.values)
    assert {entry.school for entry in entries} == {world.school_a, world.school_b}
    # Made through the services: every entry has its audit event.
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="activity.activity", source="command:demo"
    ).count() == len(entries)


def test_loading_twice_adds_nothing(world, demo_officer):
    load(world)
    before = contents(), PatrolPlan.objects.count(), AuditEvent.objects.count()

    load(world)

    assert (contents(), PatrolPlan.objects.count(), AuditEvent.objects.count()) == before


def test_the_demo_is_the_same_every_time(world, demo_officer):
    load(world)
    first = contents()
    Activity.objects.all().delete()
    PatrolPlan.objects.all().delete()

    load(world)

    assert contents() == first


def test_without_the_demo_officer_nothing_is_made(world):
    load(world)

    assert not Activity.objects.exists()
    assert not PatrolPlan.objects.exists()
