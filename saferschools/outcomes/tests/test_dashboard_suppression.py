"""Small numbers on the dashboards: counts from 1 to 4 of records about pupils, and rates resting
on them, are not shown to those who do not see the school's counts in full; and no figure shown
gives one away by subtraction: a partnership's total less its schools', the area's less its
partnerships', a school's figure less its categories', a year's less its terms', one indicator's
less another's. Each test tries the subtraction."""

import pytest
import time_machine

from saferschools.accounts.models import Role
from saferschools.outcomes.models import PeriodKind
from saferschools.outcomes.periods import parse_period
from saferschools.testing.factories import PartnershipSchoolFactory, SchoolFactory

from .dashboard_world import NOW, at, incidents, pin_comparison

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def analyst(world, persona):
    return persona(Role.LA_ANALYST, world.area)


def figures(client, url: str, code: str) -> dict[str, str]:
    """The panel's figures by period: the figure, or how it reads when there is none."""
    response = client.get(url)
    assert response.status_code == 200
    panel = next(v.panel for v in response.context["panels"] if v.panel.indicator.code == code)
    return {row.period.label: row.subject.text or row.subject.state for row in panel.rows}


def by_unit(client, url: str, code: str) -> dict[str, str]:
    response = client.get(url)
    panel = next(v.panel for v in response.context["panels"] if v.panel.indicator.code == code)
    return {row.name: row.cell.text or row.cell.state for row in panel.units.rows}


def school(world, which: str, query: str) -> str:
    return f"/schools/{getattr(world, which).urn}/dashboard/?{query}"


MONTHS = "kind=month&since=2025-09&until=2026-02"
# Ending with January, whose figure the tables by school and by partnership give.
TO_JANUARY = "kind=month&since=2025-09&until=2026-01"


def test_a_small_count_is_not_shown_to_those_who_do_not_see_the_schools_records(
    client, world, dsl, analyst
):
    incidents(world.school_a, at(2026, 1, 12, 10), dsl, 3)

    client.force_login(analyst)
    hidden = figures(
        client, school(world, "school_a", f"indicator=incidents&{MONTHS}"), "incidents"
    )
    client.force_login(dsl)
    full = figures(client, school(world, "school_a", f"indicator=incidents&{MONTHS}"), "incidents")

    assert hidden["2026-01"] == "not_shown"
    assert hidden["2025-12"] == "0"
    assert full["2026-01"] == "3"


def test_a_rate_resting_on_a_small_count_is_not_shown(client, world, dsl, analyst):
    incidents(world.school_a, at(2026, 1, 12, 10), dsl, 2)
    client.force_login(analyst)

    found = figures(
        client, school(world, "school_a", "indicator=incidents_per_100"), "incidents_per_100"
    )

    assert found["2025/26"] == "not_shown"
    assert found["2024/25"] == "0.0"


def test_a_year_less_its_terms_gives_no_hidden_term_away(client, world, dsl, analyst):
    incidents(world.school_a, at(2025, 10, 7, 10), dsl, 9)
    incidents(world.school_a, at(2026, 1, 12, 10), dsl, 3)
    client.force_login(analyst)

    years = figures(client, school(world, "school_a", "indicator=incidents"), "incidents")
    terms = figures(client, school(world, "school_a", "indicator=incidents&kind=term"), "incidents")
    months = figures(
        client, school(world, "school_a", f"indicator=incidents&{MONTHS}"), "incidents"
    )

    assert years["2025/26"] == "12"
    # 12 less the autumn's 9 would give the spring's 3: the autumn is not shown either, nor its
    # October, which is all of it.
    assert terms["2025/26 spring"] == "not_shown"
    assert terms["2025/26 autumn"] == "not_shown"
    assert months["2026-01"] == "not_shown"
    assert months["2025-10"] == "not_shown"


def test_a_partnerships_total_less_its_schools_gives_no_hidden_school_away(
    client, world, dsl, analyst, persona
):
    incidents(world.school_a, at(2026, 1, 12, 10), dsl, 20)
    incidents(world.school_b, at(2026, 1, 12, 10), dsl, 3)
    url = f"/partnerships/{world.p.pk}/dashboard/?indicator=incidents&{TO_JANUARY}"

    client.force_login(analyst)
    seen_by_analyst = by_unit(client, url, "incidents")
    client.force_login(persona(Role.HEAD_TEACHER, world.school_a))
    seen_by_head_of_a = by_unit(client, url, "incidents")
    client.force_login(persona(Role.SSP_OFFICER, world.p))
    seen_by_officer = by_unit(client, url, "incidents")

    assert seen_by_analyst == {
        "Langshott Primary": "not_shown",
        "Oakwood School": "20",
        "Horley SSP's schools together": "not_shown",
    }
    # The head teacher sees their own school's 20 in full: 23 less 20 is the other school's.
    assert seen_by_head_of_a["Horley SSP's schools together"] == "not_shown"
    assert seen_by_head_of_a["Oakwood School"] == "20"
    # The partnership's officer sees both schools' records: nothing is hidden.
    assert seen_by_officer["Horley SSP's schools together"] == "23"
    assert seen_by_officer["Langshott Primary"] == "3"


def test_the_areas_total_less_its_partnerships_gives_no_hidden_partnership_away(
    client, world, dsl, analyst
):
    extra = SchoolFactory(area=world.area, name="Another Unpartnered")
    incidents(world.school_a, at(2026, 1, 12, 10), dsl, 20)
    incidents(world.school_b, at(2026, 1, 12, 10), dsl, 3)
    incidents(world.school_c, at(2026, 1, 12, 10), dsl, 30)
    incidents(world.school_e, at(2026, 1, 12, 10), dsl, 3)
    incidents(extra, at(2026, 1, 12, 10), dsl, 3)
    client.force_login(analyst)

    found = by_unit(
        client, f"/areas/{world.area.pk}/dashboard/?indicator=incidents&{TO_JANUARY}", "incidents"
    )

    # Horley's 23 is hidden (less Oakwood's 20 it would give Langshott's 3). The area's 59, less
    # Woking's 30 and the 6 of the schools in no partnership, would give Horley's back: hidden.
    assert found == {
        "Horley SSP": "not_shown",
        "Woking SSP": "30",
        "Schools in no partnership": "6",
        "Surrey's schools": "not_shown",
    }


def test_a_schools_categories_less_its_total_give_no_small_category_away(
    client, world, dsl, analyst
):
    incidents(world.school_a, at(2026, 1, 12, 10), dsl, 7, category="bullying")
    incidents(world.school_a, at(2026, 1, 12, 10), dsl, 2, category="theft")
    url = school(world, "school_a", f"indicator=incidents&{TO_JANUARY}")

    client.force_login(analyst)
    response = client.get(url)
    panel = response.context["panels"][0].panel
    client.force_login(dsl)
    full = client.get(url).context["panels"][0].panel

    assert panel.rows[-1].subject.text == "9"
    assert panel.breakdown.period.label == "2026-01"
    # 9 less bullying's 7 would give theft's 2: neither is shown.
    assert {row.key: row.cell.state for row in panel.breakdown.rows} == {
        "bullying": "not_shown",
        "theft": "not_shown",
    }
    assert {row.key: row.cell.text for row in full.breakdown.rows} == {
        "bullying": "7",
        "theft": "2",
    }


def test_incidents_less_critical_incidents_give_no_small_count_away(client, world, dsl, analyst):
    incidents(world.school_a, at(2026, 1, 12, 10), dsl, 8, critical=True)
    incidents(world.school_a, at(2026, 1, 12, 10), dsl, 2)
    client.force_login(analyst)

    all_of_them = figures(
        client, school(world, "school_a", f"indicator=incidents&{MONTHS}"), "incidents"
    )
    critical = figures(
        client,
        school(world, "school_a", f"indicator=critical_incidents&{MONTHS}"),
        "critical_incidents",
    )

    # 10 incidents less 8 critical would give the 2 that were not critical.
    assert all_of_them["2026-01"] == "10"
    assert critical["2026-01"] == "not_shown"


def test_the_comparison_schools_less_those_shown_give_no_hidden_school_away(
    client, world, dsl, analyst
):
    other = SchoolFactory(area=world.area, name="Compare Two")
    pin_comparison(world.p, "incidents", [world.school_e, other])
    incidents(world.school_e, at(2026, 1, 12, 10), dsl, 20)
    incidents(other, at(2026, 1, 12, 10), dsl, 3)
    client.force_login(analyst)

    response = client.get(school(world, "school_a", f"indicator=incidents&{MONTHS}"))
    panel = response.context["panels"][0].panel
    e_alone = figures(
        client, school(world, "school_e", f"indicator=incidents&{MONTHS}"), "incidents"
    )

    assert e_alone["2026-01"] == "20"
    assert panel.rows[-2].period.label == "2026-01"
    assert panel.rows[-2].comparison.state == "not_shown"


def test_a_school_in_a_partnership_is_hidden_alike_on_every_dashboard(client, world, dsl, analyst):
    incidents(world.school_a, at(2025, 10, 7, 10), dsl, 9)
    incidents(world.school_a, at(2026, 1, 12, 10), dsl, 3)
    incidents(world.school_b, at(2026, 1, 12, 10), dsl, 12)
    client.force_login(analyst)
    query = "indicator=incidents&kind=term"

    own = figures(client, school(world, "school_a", query), "incidents")
    in_partnership = by_unit(client, f"/partnerships/{world.p.pk}/dashboard/?{query}", "incidents")

    assert own["2025/26 spring"] == "not_shown"
    assert in_partnership["Oakwood School"] == "not_shown"


def test_the_dashboards_decide_as_the_rest_of_the_product(client, world, dsl, analyst):
    """A school's and a partnership's figures left out here are those the API and the annual
    report leave out (``indicator_suppression``)."""
    from saferschools.outcomes.dashboard_hiding import Groups, hidden_figures
    from saferschools.outcomes.indicator_suppression import group_hidden, school_hidden
    from saferschools.outcomes.models import Indicator

    third = SchoolFactory(area=world.area, name="Third")
    PartnershipSchoolFactory(partnership=world.p, school=third)
    counts = {
        world.school_a: [(at(2025, 9, 9, 10), 2), (at(2025, 11, 3, 10), 6), (at(2026, 2, 2, 9), 1)],
        world.school_b: [(at(2025, 10, 1, 10), 4), (at(2026, 1, 5, 10), 7)],
        third: [(at(2025, 12, 1, 10), 3), (at(2026, 3, 2, 10), 5)],
    }
    for one, moments in counts.items():
        for when, count in moments:
            incidents(one, when, dsl, count, critical=count % 2 == 1)
    members = [world.school_a, world.school_b, third]
    periods = [parse_period("2025/26")]
    for code in ("incidents", "critical_incidents", "incidents_per_100"):
        indicator = Indicator.objects.get(code=code)
        for seen in ([], [world.school_a]):
            found = hidden_figures(
                indicator=indicator,
                schools=members,
                seen={s.pk for s in seen},
                groups=Groups({"p": [s.pk for s in members]}),
                periods=periods,
            )
            expected_group = {
                label
                for c, label in group_hidden(
                    schools=members, seen=seen, codes=[code], periods=periods
                )
                if c == code
            }
            assert found.get("p", set()) == expected_group, (code, seen)
            for one in members:
                if one in seen:
                    continue
                expected = {
                    label
                    for c, label in school_hidden(school=one, codes=[code], periods=periods)
                    if c == code
                }
                assert found.get(one.pk, set()) == expected, (code, one.name)
    assert PeriodKind.YEAR == "year"
