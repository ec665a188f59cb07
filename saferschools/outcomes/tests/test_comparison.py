"""Choosing comparison schools: who may be one, nearest matches on phase, size, deprivation and
the indicator before the start, each used once."""

import pytest

from saferschools.outcomes.comparison import (
    choose_comparison_schools,
    comparison_candidates,
    comparison_matches,
)
from saferschools.outcomes.models import Indicator
from saferschools.testing.factories import SchoolFactory

from .evaluation_world import add_values, evaluation_world, neighbourhood, trend

pytestmark = pytest.mark.django_db


@pytest.fixture
def absence(db):
    return Indicator.objects.get(code="persistent_absence")


def test_candidates_are_the_areas_open_schools_in_no_partnership_of_a_partnership_phase(world):
    figures = evaluation_world(world)
    special = SchoolFactory(area=world.area, phase="Not applicable")
    SchoolFactory(area=world.other_area)
    candidates = list(comparison_candidates(partnership=world.p))
    assert world.school_e in candidates
    assert figures.no_history in candidates  # a candidate, though it cannot be matched
    for school in (figures.closed, special, world.school_a, world.school_c, world.school_d):
        assert school not in candidates
    assert candidates == sorted(candidates, key=lambda school: (school.name, school.urn))


def test_each_partnership_school_gets_its_nearest_of_its_own_phase_each_used_once(world, absence):
    figures = evaluation_world(world)
    matches = comparison_matches(partnership=world.p, indicator=absence)
    by_partner: dict[str, list[str]] = {}
    for match in matches:
        assert match.school.phase == match.partner.school.phase
        by_partner.setdefault(match.partner.school.name, []).append(match.school.name)
    # Oakwood (1,100 pupils, rank 9,000, about 22.8 before) is most like Comparison Secondary
    # 1 and 2; the primaries have only two candidates between them.
    assert by_partner == {
        "Oakwood School": [
            "Comparison Secondary 1",
            "Comparison Secondary 2",
            "Comparison Secondary 4",
        ],
        "Langshott Primary": ["Comparison Primary 1", "Comparison Primary 2"],
    }
    assert [m.distance for m in matches] == sorted(m.distance for m in matches)
    assert len({match.school.urn for match in matches}) == len(matches)
    # The school without figures before the start, and school E with none, are never chosen.
    chosen = {match.school for match in matches}
    assert figures.no_history not in chosen and world.school_e not in chosen
    assert choose_comparison_schools(partnership=world.p, indicator=absence) == [
        match.school for match in matches
    ]


def test_the_number_per_school_can_be_chosen(world, absence):
    evaluation_world(world)
    one_each = choose_comparison_schools(partnership=world.p, indicator=absence, count=1)
    assert [school.name for school in one_each] == [
        "Comparison Primary 1",
        "Comparison Secondary 1",
    ]
    assert len(choose_comparison_schools(partnership=world.p, indicator=absence, count=10)) == 7


def test_a_school_shared_by_two_partnership_schools_goes_to_the_nearer(world, absence):
    evaluation_world(world)
    world.school_b.phase = "Secondary"
    world.school_b.save()
    twin = SchoolFactory(area=world.area, name="Twin of Langshott", number_of_pupils=300)
    neighbourhood(twin, 12000)
    add_values(twin, trend(14.0, 2))
    matches = comparison_matches(partnership=world.p, indicator=absence, count=1)
    assert {(m.partner.school.name, m.school.name) for m in matches} == {
        ("Langshott Primary", "Twin of Langshott"),
        ("Oakwood School", "Comparison Secondary 1"),
    }


def test_no_start_date_or_no_figures_means_no_match(world, absence):
    evaluation_world(world)
    overall = Indicator.objects.get(code="overall_absence")
    assert comparison_matches(partnership=world.p, indicator=overall) == []
    world.p.started_on = None
    world.p.save()
    assert comparison_matches(partnership=world.p, indicator=absence) == []
