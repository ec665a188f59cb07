"""People, places and a frozen clock for the activity tests.

The clock stands at Wednesday 12 March 2025, 10:00 UK time (GMT), unless a test moves it.
Officer "officer" is deployed to partnership P (schools A and B); the area's police supervisor
oversees them; the other area's supervisor does not.
"""

from datetime import datetime

import pytest
import time_machine

from saferschools.accounts.models import Role
from saferschools.incidents.models import Place, PlaceKind
from saferschools.lib.schooldays import LONDON

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def officer(world, persona):
    return persona(
        Role.SSP_OFFICER, world.p, email="ada@surrey-police.example", full_name="PC Ada Lovell"
    )


@pytest.fixture
def school_officer(world, persona):
    """An officer deployed to school C alone, by a school membership."""
    return persona(Role.SSP_OFFICER, world.school_c, full_name="PC Colin Woking")


@pytest.fixture
def other_area_officer(world, persona):
    return persona(Role.SSP_OFFICER, world.school_d, full_name="PC Dee Fareham")


@pytest.fixture
def supervisor(world, persona):
    """The sergeant of the area's police force."""
    return persona(Role.POLICE_SUPERVISOR, world.police, full_name="Sgt Sue Pervisor")


@pytest.fixture
def other_supervisor(world, persona):
    """The sergeant of the other area's police force."""
    return persona(Role.POLICE_SUPERVISOR, world.other_police, full_name="Sgt Hal Hampshire")


@pytest.fixture
def analyst(world, persona):
    return persona(Role.LA_ANALYST, world.area)


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a)


@pytest.fixture
def gate(world):
    return Place.objects.create(school=world.school_a, name="Main gate", kind=PlaceKind.SITE_ZONE)


@pytest.fixture
def route(world):
    return Place.objects.create(
        school=world.school_a, name="Station Road", kind=PlaceKind.TRAVEL_ROUTE
    )


@pytest.fixture
def place_c(world):
    return Place.objects.create(school=world.school_c, name="Bus stop", kind=PlaceKind.STOP)
