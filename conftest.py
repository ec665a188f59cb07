"""Shared test fixtures: a small world of two areas, three partnerships and their people.

    area ─┬─ partnership P: school A (secondary), school B (primary)
          ├─ partnership Q: school C
          ├─ school E (in no partnership)
          └─ agencies: police force, youth offending team
    other area ─ partnership R: school D; its own police force

``persona(role, scope)`` makes a signed-in-ready user holding one membership.
"""

from dataclasses import dataclass

import pytest

from saferschools.accounts.models import Role, User, scope_fields
from saferschools.casework.models import Pupil
from saferschools.core.models import Agency, Area, Partnership, School
from saferschools.testing.factories import (
    TEST_PASSWORD,
    AgencyFactory,
    AreaFactory,
    MembershipFactory,
    PartnershipFactory,
    PartnershipSchoolFactory,
    PupilFactory,
    SchoolFactory,
    UserFactory,
)

# The browser, its contexts and pages, for every app's browser tests.
pytest_plugins = ["saferschools.testing.browser"]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """Wrong-receipt counts live in a process-wide cache: start every test with none."""
    from django.core.cache import caches

    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


@pytest.fixture
def run_worker(db, monkeypatch):
    """Run the real database task worker until the queue is empty, in this test's transaction.

    The worker closes "old" connections between tasks; inside a test's transaction that would
    close the test's own connection, so only that step is left out.
    """
    from django.core.management import call_command

    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run() -> None:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    return run


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@dataclass
class World:
    area: Area
    other_area: Area
    p: Partnership
    q: Partnership
    r: Partnership
    school_a: School
    school_b: School
    school_c: School
    school_d: School
    school_e: School
    police: Agency
    yot: Agency
    other_police: Agency
    pupil_a: Pupil
    pupil_b: Pupil
    pupil_c: Pupil
    pupil_d: Pupil
    pupil_e: Pupil


@pytest.fixture
def world(db) -> World:
    area = AreaFactory(name="Surrey")
    other_area = AreaFactory(name="Hampshire")
    p = PartnershipFactory(area=area, name="Horley SSP")
    q = PartnershipFactory(area=area, name="Woking SSP")
    r = PartnershipFactory(area=other_area, name="Fareham SSP")
    school_a = SchoolFactory(area=area, name="Oakwood School")
    school_b = SchoolFactory(area=area, name="Langshott Primary", phase="Primary")
    school_c = SchoolFactory(area=area, name="Woking High")
    school_d = SchoolFactory(area=other_area, name="Fareham Academy")
    school_e = SchoolFactory(area=area, name="Unpartnered School")
    PartnershipSchoolFactory(partnership=p, school=school_a)
    PartnershipSchoolFactory(partnership=p, school=school_b)
    PartnershipSchoolFactory(partnership=q, school=school_c)
    PartnershipSchoolFactory(partnership=r, school=school_d)
    return World(
        area=area,
        other_area=other_area,
        p=p,
        q=q,
        r=r,
        school_a=school_a,
        school_b=school_b,
        school_c=school_c,
        school_d=school_d,
        school_e=school_e,
        police=AgencyFactory(area=area, name="Surrey Police", kind=Agency.Kind.POLICE_FORCE),
        yot=AgencyFactory(area=area, name="Surrey YOS", kind=Agency.Kind.YOUTH_OFFENDING_TEAM),
        other_police=AgencyFactory(
            area=other_area, name="Hampshire Police", kind=Agency.Kind.POLICE_FORCE
        ),
        pupil_a=PupilFactory(school=school_a),
        pupil_b=PupilFactory(school=school_b, year_group=4),
        pupil_c=PupilFactory(school=school_c),
        pupil_d=PupilFactory(school=school_d),
        pupil_e=PupilFactory(school=school_e),
    )


@pytest.fixture
def persona(db):
    """Make a user holding ``role`` over ``scope`` (a School, Partnership, Agency or Area)."""

    def make(role: str, scope, **user_fields) -> User:
        user = UserFactory(**user_fields)
        MembershipFactory(user=user, role=role, **scope_fields(scope))
        return user

    return make


@pytest.fixture
def dsl(world, persona) -> User:
    """The safeguarding lead of school A."""
    return persona(Role.SAFEGUARDING_LEAD, world.school_a)


@pytest.fixture
def staff(world, persona) -> User:
    """A member of staff (not a safeguarding lead) at school A."""
    return persona(Role.SCHOOL_STAFF, world.school_a)


@pytest.fixture
def outside_officer(world, persona) -> User:
    """An SSP officer of another partnership (Q) in the same area."""
    return persona(Role.SSP_OFFICER, world.q)


@pytest.fixture
def practitioner(world, persona) -> User:
    """A youth offending team practitioner with no sharing grant."""
    return persona(Role.AGENCY_PRACTITIONER, world.yot)
