"""Making an evaluation: the schools and periods it uses, the estimate, its caveats and audit,
and every bad request refused with the field named and nothing recorded."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from saferschools.accounts.models import Role
from saferschools.core.audit import audit_verify
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.outcomes.comparison import choose_comparison_schools
from saferschools.outcomes.evaluation_services import evaluation_create
from saferschools.outcomes.models import Evaluation
from saferschools.testing.factories import SchoolFactory

from .evaluation_world import EFFECT, add_values, evaluation_world, trend

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(world):
    return evaluation_world(world)


@pytest.fixture
def analyst(world, persona):
    return persona(Role.LA_ANALYST, world.area, email="ana@surreycc.example")


def make(analyst, partnership, **kwargs):
    kwargs.setdefault("indicator", "persistent_absence")
    return evaluation_create(actor=analyst, partnership=partnership, source="test", **kwargs)


def refused(analyst, partnership, **kwargs) -> dict[str, list[str]]:
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        make(analyst, partnership, **kwargs)
    assert not Evaluation.objects.exists()
    assert AuditEvent.objects.count() == events
    return caught.value.message_dict


def test_an_evaluation_with_automatic_comparison_schools(world, figures, analyst):
    evaluation = make(analyst, world.p)

    assert evaluation.comparison_chosen == Evaluation.Chosen.AUTOMATIC
    assert evaluation.treated_urns == [world.school_b.urn, world.school_a.urn]
    # Three matches for each partnership school, of its own phase; the school without figures
    # before the start, the closed one and those of other partnerships are never chosen.
    chosen = set(evaluation.comparison_urns)
    assert {school.urn for school in figures.primaries} <= chosen
    assert len(chosen) == 5
    assert chosen.isdisjoint(
        {figures.no_history.urn, figures.closed.urn, world.school_c.urn, world.school_e.urn}
    )
    assert evaluation.periods == [f"{y}/{(y + 1) % 100:02d}" for y in range(2018, 2025)]
    assert evaluation.started_on == date(2023, 9, 1)
    assert (evaluation.n_units, evaluation.n_periods, evaluation.n_observations) == (7, 7, 49)
    assert evaluation.estimate == pytest.approx(EFFECT, abs=0.5)
    assert evaluation.ci_low < evaluation.estimate < evaluation.ci_high
    assert evaluation.p_value < 0.05
    assert evaluation.period_kind == "year"
    assert any("not chosen at random" in caveat for caveat in evaluation.caveats)
    assert any("latest used is for 2024/25" in caveat for caveat in evaluation.caveats)
    assert any("Only 7 schools are compared" in caveat for caveat in evaluation.caveats)

    event = AuditEvent.objects.get(object_id=str(evaluation.pk))
    assert event.action == AuditAction.CREATE
    assert event.actor_id == analyst.pk
    assert event.detail["indicator"] == "persistent_absence"
    assert event.detail["comparison_urns"] == [str(urn) for urn in evaluation.comparison_urns]
    assert audit_verify().ok


def test_a_repeat_of_the_latest_evaluation_is_not_recorded_twice(world, figures, analyst):
    first = make(analyst, world.p)
    assert make(analyst, world.p) == first
    assert Evaluation.objects.count() == 1
    assert AuditEvent.objects.filter(object_id=str(first.pk)).count() == 1

    # New figures make a new evaluation.
    add_values(figures.secondaries[0], {2025: 24.0})
    assert make(analyst, world.p) != first
    assert Evaluation.objects.count() == 2


def test_an_edited_or_given_list_of_comparison_schools(world, figures, analyst):
    automatic = make(analyst, world.p).comparison_urns
    extra = SchoolFactory(area=world.area, name="Added Secondary")
    add_values(extra, trend(24.0, 40))
    edited = make(analyst, world.p, comparison_urns=[*automatic[1:], str(extra.urn)])
    assert edited.comparison_chosen == Evaluation.Chosen.EDITED
    assert set(edited.comparison_urns) == {*automatic[1:], extra.urn}

    chosen_now = {
        s.urn for s in choose_comparison_schools(partnership=world.p, indicator=edited.indicator)
    }
    given = [s.urn for s in [*figures.secondaries, extra] if s.urn not in chosen_now]
    assert len(given) == 3
    evaluation = make(analyst, world.p, comparison_urns=given)
    assert evaluation.comparison_chosen == Evaluation.Chosen.GIVEN
    assert evaluation.comparison_urns == given


def test_suppressed_figures_and_schools_without_figures_are_left_out_and_said(
    world, figures, analyst
):
    add_values(figures.secondaries[4], {2025: None})
    empty = SchoolFactory(area=world.area, name="Silent Secondary")
    urns = [school.urn for school in figures.secondaries + figures.primaries] + [empty.urn]
    evaluation = make(analyst, world.p, comparison_urns=urns)
    assert empty.urn not in evaluation.comparison_urns
    assert (
        "1 figure was left out: suppressed by the publisher, or from fewer than 5 pupils"
        in " ".join(evaluation.caveats)
    )
    assert "Left out for want of any figure: Silent Secondary." in evaluation.caveats


def test_a_partnership_without_a_start_date(world, figures, analyst):
    world.p.started_on = None
    world.p.save()
    errors = refused(analyst, world.p)
    assert list(errors) == ["partnership_id"]


def test_no_period_before_the_start(world, figures, analyst):
    world.p.started_on = date(2018, 9, 1)
    world.p.save()
    errors = refused(analyst, world.p)
    assert errors["indicator"] == [
        "None of the partnership's schools has a figure for Persistent absence rate from before "
        "the partnership began on 1 September 2018: there is nothing to measure the change from"
    ]


def test_no_figure_since_the_start(world, figures, analyst):
    world.p.started_on = date(2025, 9, 1)
    world.p.save()
    errors = refused(analyst, world.p)
    assert errors["indicator"] == [
        "There is no figure yet for Persistent absence rate from after the partnership began on "
        "1 September 2025"
    ]


def test_comparison_schools_that_do_not_fit(world, figures, analyst):
    other_area = SchoolFactory(area=world.other_area)
    errors = refused(
        analyst,
        world.p,
        comparison_urns=[
            world.school_a.urn,
            world.school_c.urn,
            figures.closed.urn,
            other_area.urn,
            999999,
        ],
    )
    assert errors == {
        "comparison_urns": [
            f"Oakwood School ({world.school_a.urn}) is one of the partnership's own schools: a "
            "comparison school must be outside it",
            f"Woking High ({world.school_c.urn}) is in another partnership, Woking SSP: a "
            "comparison school must be in none",
            f"Closed Secondary ({figures.closed.urn}) is closed",
            f"No school of the area has the URN {other_area.urn}",
            "No school of the area has the URN 999999",
        ]
    }


@pytest.mark.parametrize(
    "urns, message",
    [
        ([], "Choose at least one comparison school"),
        ("125273", "Give the comparison schools as a list of URNs"),
        ({"urn": 1}, "Give the comparison schools as a list of URNs"),
        ([True], "A URN is a number, like 125273, not “something else”"),
        (["12\x0034"], "A URN is a number, like 125273, not “12\x0034”"),
        ([10**30], "A URN is a number, like 125273, not “something else”"),
        ([10**5000], "A URN is a number, like 125273, not “something else”"),
        (["\u00b2"], "A URN is a number, like 125273, not “\u00b2”"),
        (["9" * 5000], "A URN is a number, like 125273, not “99999999999999999999”"),
        ([1.5], "A URN is a number, like 125273, not “something else”"),
        (list(range(1, 102)), "Give at most 100 comparison schools"),
    ],
)
def test_absurd_comparison_urns(world, figures, analyst, urns, message):
    assert refused(analyst, world.p, comparison_urns=urns) == {"comparison_urns": [message]}


@pytest.mark.parametrize(
    "indicator, message",
    [
        (None, "Choose an indicator to evaluate"),
        (42, "Choose an indicator to evaluate"),
        ("no_such", "There is no indicator “no_such”: choose one from the catalogue"),
        ("x" * 5000, f"There is no indicator “{'x' * 60}”: choose one from the catalogue"),
        ("nul\x00code", "There is no indicator “nul\x00code”: choose one from the catalogue"),
        (
            "incidents",
            "Incidents recorded is counted from the product's own records, which only the "
            "partnership's schools keep: the comparison schools have no figures for it",
        ),
        (
            "first_time_entrants",
            "First-time entrants to the youth justice system aged 10 to 17 is measured for the "
            "whole area, not for each school: it cannot be compared between schools",
        ),
    ],
)
def test_indicators_that_cannot_be_evaluated(world, figures, analyst, indicator, message):
    assert refused(analyst, world.p, indicator=indicator) == {"indicator": [message]}


def test_an_indicator_the_comparison_schools_have_no_figures_for(world, figures, analyst):
    add_values(world.school_a, trend(60.0, 1, treated=True), code="overall_absence")
    errors = refused(analyst, world.p, indicator="overall_absence")
    assert errors["indicator"] == [
        "No school of the area outside a partnership, of the same phase, has figures for "
        "Overall absence rate from before the partnership began"
    ]
    given = refused(
        analyst,
        world.p,
        indicator="overall_absence",
        comparison_urns=[figures.secondaries[0].urn],
    )
    assert given == {
        "comparison_urns": ["None of these schools has a figure for Overall absence rate"]
    }


def test_too_few_schools(world, figures, analyst):
    errors = refused(analyst, world.p, comparison_urns=[figures.secondaries[0].urn])
    assert errors == {
        "comparison_urns": [
            "An evaluation needs at least 4 schools with figures for Persistent absence rate; "
            "these are 2 of the partnership's and 1 comparison school: add comparison schools"
        ]
    }
