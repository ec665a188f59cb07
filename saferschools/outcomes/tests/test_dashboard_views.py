"""The dashboards' pages: who opens a school's, a partnership's and an area's dashboard (out of
scope is 404, as for what does not exist), the indicators each role sees first, choosing an
indicator, a kind of period and a span (bad choices named, status 400), the table, chart and
sentence of each indicator, the comparison schools, the work-plan's target and the partnership's
start."""

import html
import re
from datetime import date

import pytest
import time_machine

from saferschools.accounts.models import Role
from saferschools.outcomes.dashboard import ROLE_INDICATORS
from saferschools.testing.factories import SchoolFactory

from .dashboard_world import (
    NOW,
    at,
    incidents,
    pin_comparison,
    published,
    work_plan_target,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def school_url(school, query: str = "") -> str:
    return f"/schools/{school.urn}/dashboard/" + (f"?{query}" if query else "")


def partnership_url(partnership, query: str = "") -> str:
    return f"/partnerships/{partnership.pk}/dashboard/" + (f"?{query}" if query else "")


def area_url(area, query: str = "") -> str:
    return f"/areas/{area.pk}/dashboard/" + (f"?{query}" if query else "")


def codes(response) -> list[str]:
    return [view.panel.indicator.code for view in response.context["panels"]]


def panel(response, code: str):
    return next(
        view.panel for view in response.context["panels"] if view.panel.indicator.code == code
    )


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


# Who opens which dashboard ---------------------------------------------------------------------

SCHOOL_A = [
    (Role.SAFEGUARDING_LEAD, "school_a", 200),
    (Role.HEAD_TEACHER, "school_b", 200),  # a colleague school of the partnership
    (Role.SCHOOL_STAFF, "school_a", 200),
    (Role.SSP_OFFICER, "p", 200),
    (Role.STEERING_MEMBER, "p", 200),
    (Role.POLICE_SUPERVISOR, "police", 200),
    (Role.LA_ANALYST, "area", 200),
    (Role.AREA_ADMIN, "area", 200),
    (Role.AGENCY_PRACTITIONER, "yot", 200),
    (Role.SAFEGUARDING_LEAD, "school_c", 404),
    (Role.SSP_OFFICER, "q", 404),
    (Role.STEERING_MEMBER, "q", 404),
    (Role.LA_ANALYST, "other_area", 404),
    (Role.POLICE_SUPERVISOR, "other_police", 404),
]


@pytest.mark.parametrize("role,scope,status", SCHOOL_A)
def test_a_schools_dashboard_is_for_whoever_sees_the_school(
    client, world, persona, role, scope, status
):
    client.force_login(persona(role, getattr(world, scope)))

    assert client.get(school_url(world.school_a)).status_code == status


PARTNERSHIP_P = [
    (Role.SAFEGUARDING_LEAD, "school_a", 200),
    (Role.SCHOOL_STAFF, "school_b", 200),
    (Role.SSP_OFFICER, "p", 200),
    (Role.STEERING_MEMBER, "p", 200),
    (Role.LA_ANALYST, "area", 200),
    (Role.POLICE_SUPERVISOR, "police", 200),
    (Role.SAFEGUARDING_LEAD, "school_c", 404),
    (Role.STEERING_MEMBER, "q", 404),
    (Role.AREA_ADMIN, "other_area", 404),
]


@pytest.mark.parametrize("role,scope,status", PARTNERSHIP_P)
def test_a_partnerships_dashboard_is_for_whoever_sees_the_partnership(
    client, world, persona, role, scope, status
):
    client.force_login(persona(role, getattr(world, scope)))

    assert client.get(partnership_url(world.p)).status_code == status


AREA = [
    (Role.LA_ANALYST, "area", 200),
    (Role.POLICE_SUPERVISOR, "police", 200),
    (Role.AREA_ADMIN, "area", 200),
    (Role.HEAD_TEACHER, "school_a", 404),
    (Role.SSP_OFFICER, "p", 404),
    (Role.STEERING_MEMBER, "p", 404),
    (Role.AGENCY_PRACTITIONER, "yot", 404),
    (Role.LA_ANALYST, "other_area", 404),
]


@pytest.mark.parametrize("role,scope,status", AREA)
def test_an_areas_dashboard_is_for_those_who_oversee_the_area(
    client, world, persona, role, scope, status
):
    client.force_login(persona(role, getattr(world, scope)))

    assert client.get(area_url(world.area)).status_code == status


def test_what_does_not_exist_is_not_found_alike(client, world, persona):
    client.force_login(persona(Role.LA_ANALYST, world.area))

    assert client.get("/schools/999999999/dashboard/").status_code == 404
    assert (
        client.get("/partnerships/00000000-0000-0000-0000-000000000000/dashboard/").status_code
        == 404
    )
    assert client.get("/partnerships/not-a-uuid/dashboard/").status_code == 404
    assert client.get("/areas/00000000-0000-0000-0000-000000000000/dashboard/").status_code == 404


def test_signing_in_comes_first(client, world):
    response = client.get(school_url(world.school_a))

    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]


def test_only_reading_is_allowed(client, world, dsl):
    client.force_login(dsl)

    assert client.post(school_url(world.school_a)).status_code == 405


# What each role sees first ---------------------------------------------------------------------


def test_a_head_teacher_sees_the_schools_measures_in_order(client, world, persona):
    client.force_login(persona(Role.HEAD_TEACHER, world.school_a))

    response = client.get(school_url(world.school_a))

    assert codes(response) == list(ROLE_INDICATORS[Role.HEAD_TEACHER])
    assert "Pupils' reports received" in text(response)


def test_an_officer_sees_incidents_their_time_patrols_and_trust(client, world, persona):
    client.force_login(persona(Role.SSP_OFFICER, world.p))

    response = client.get(partnership_url(world.p))

    assert codes(response) == list(ROLE_INDICATORS[Role.SSP_OFFICER])


def test_an_analyst_sees_first_time_entrants_on_the_areas_dashboard_alone(client, world, persona):
    client.force_login(persona(Role.LA_ANALYST, world.area))

    area = codes(client.get(area_url(world.area)))
    school = codes(client.get(school_url(world.school_a)))

    assert area[0] == "first_time_entrants"
    assert "first_time_entrants" not in school
    assert school[0] == "persistent_absence"


def test_the_steering_group_sees_the_work_plans_targets_first(client, world, persona):
    steering = persona(Role.STEERING_MEMBER, world.p)
    work_plan_target(world.p, steering, indicator="critical_incidents", baseline="8", target="4")
    client.force_login(steering)

    found = codes(client.get(partnership_url(world.p)))

    assert found[0] == "critical_incidents"
    assert found[1:] == list(ROLE_INDICATORS[Role.STEERING_MEMBER])


def test_several_roles_see_each_roles_indicators_once(client, world, persona):
    user = persona(Role.SSP_OFFICER, world.p)
    from saferschools.testing.factories import MembershipFactory

    MembershipFactory(user=user, role=Role.POLICE_SUPERVISOR, agency=world.police)
    client.force_login(user)

    found = codes(client.get(partnership_url(world.p)))

    assert found[:6] == list(ROLE_INDICATORS[Role.SSP_OFFICER])
    assert found.count("officer_hours") == 1
    assert "incidents_per_100" in found


def test_any_other_indicator_of_the_catalogue_can_be_opened(client, world, dsl):
    client.force_login(dsl)

    response = client.get(school_url(world.school_a))
    others = [indicator.code for indicator, _ in response.context["others"]]
    alone = client.get(school_url(world.school_a, "indicator=survey_knows_help"))

    assert "survey_knows_help" in others
    assert "pupil_reports" not in others
    assert codes(alone) == ["survey_knows_help"]
    assert "Show the indicators for your role" in text(alone)


# Choosing periods ------------------------------------------------------------------------------


def test_by_default_the_latest_five_academic_years(client, world, dsl):
    client.force_login(dsl)

    span = client.get(school_url(world.school_a)).context["span"]

    assert [p.label for p in span.periods] == [
        "2021/22",
        "2022/23",
        "2023/24",
        "2024/25",
        "2025/26",
    ]


@pytest.mark.parametrize(
    "query,labels",
    [
        (
            "kind=term",
            [
                "2023/24 summer",
                "2024/25 autumn",
                "2024/25 spring",
                "2024/25 summer",
                "2025/26 autumn",
                "2025/26 spring",
            ],
        ),
        ("kind=month&since=2025-12&until=2026-02", ["2025-12", "2026-01", "2026-02"]),
        ("kind=year&since=2019/20&until=2020/21", ["2019/20", "2020/21"]),
        # A span given in years, read by term, up to the current term.
        ("kind=term&since=2025/26", ["2025/26 autumn", "2025/26 spring"]),
        # Only the end given: the five periods that end with it.
        ("until=2019/20", ["2015/16", "2016/17", "2017/18", "2018/19", "2019/20"]),
    ],
)
def test_the_kind_of_period_and_the_span_are_chosen(client, world, dsl, query, labels):
    client.force_login(dsl)

    response = client.get(school_url(world.school_a, query))

    assert response.status_code == 200
    assert [p.label for p in response.context["span"].periods] == labels


@pytest.mark.parametrize(
    "query,field,message",
    [
        ("indicator=no_such_thing", "indicator", "Choose one of the indicators in the list"),
        ("indicator=first_time_entrants", "indicator", "Choose one of the indicators in the list"),
        ("kind=fortnight", "kind", "Choose academic years, terms or months"),
        ("since=2025/27", "since", "after 2025 comes 2025/26"),
        ("since=yesterday", "since", "is not a period"),
        ("since=1e999999", "since", "is not a period"),
        ("until=2027/28", "until", "To: choose 2025/26 or earlier"),
        ("since=2025/26&until=2023/24", "since", "From: choose a period before 2023/24"),
        ("kind=month&since=2020-01", "since", "at most 36 months"),
        ("since=" + "9" * 5000, "since", "give a period such as"),
        ("since=2025%00", "since", ""),
        ("since=1989/90", "since", "between 1990 and 2100"),
    ],
)
def test_a_bad_choice_is_named_and_nothing_shown(client, world, dsl, query, field, message):
    client.force_login(dsl)

    response = client.get(school_url(world.school_a, query))

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert message in errors[field][0]
    assert "There is a problem" in text(response)
    assert "panels" not in response.context


def test_a_kind_the_indicator_has_no_figures_for_says_so(client, world, dsl):
    published(world.school_a, "persistent_absence", "2024/25", "20.5")
    client.force_login(dsl)

    response = client.get(school_url(world.school_a, "indicator=persistent_absence&kind=term"))

    assert "This indicator has no figures by term." in text(response)
    assert "indicator=persistent_absence&amp;kind=year" in response.content.decode()


# Each indicator's table, chart and sentence ------------------------------------------------------


def test_the_figures_are_a_table_beside_a_chart_with_a_sentence(client, world, dsl):
    published(world.school_a, "persistent_absence", "2023/24", "22.0")
    published(world.school_a, "persistent_absence", "2024/25", "18.5")
    published(world.school_a, "persistent_absence", "2022/23", None)
    client.force_login(dsl)

    response = client.get(school_url(world.school_a, "indicator=persistent_absence"))
    found = panel(response, "persistent_absence")
    page = text(response)

    assert [row.subject.state for row in found.rows] == [
        "none",
        "publisher",
        "figure",
        "figure",
        "none",
    ]
    rows = {row.period.label: row for row in found.rows}
    assert rows["2024/25"].subject.text == "18.5"
    assert rows["2024/25"].change_text == "\u22123.5"
    assert "Persistent absence rate by academic year" in page  # the table's caption
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img"' in page
    assert "Oakwood School: 18.5% in 2024/25" in found.summary
    assert "A lower figure is better." in found.summary
    assert "suppressed" in page


def test_the_comparison_schools_are_a_second_line_and_in_the_sentence(client, world, dsl):
    others = [SchoolFactory(area=world.area, name=f"Compare {n}") for n in range(2)]
    pin_comparison(world.p, "persistent_absence", others)
    published(world.school_a, "persistent_absence", "2024/25", "18.0")
    published(others[0], "persistent_absence", "2024/25", "20.0")
    published(others[1], "persistent_absence", "2024/25", "24.0")
    client.force_login(dsl)

    response = client.get(school_url(world.school_a, "indicator=persistent_absence"))
    found = panel(response, "persistent_absence")
    latest = next(row for row in found.rows if row.period.label == "2024/25")

    assert [school.name for school in found.comparison_schools] == ["Compare 0", "Compare 1"]
    assert latest.comparison.text == "22.0"  # weighted by pupils, 900 each
    assert "the comparison schools: 22.0%, so better than them" in found.summary
    chart = str(response.context["panels"][0].chart)
    assert "Comparison schools" in chart
    assert "Compare 1" in text(response)


def test_the_work_plans_baseline_and_target_are_drawn_across_a_rate(client, world, persona):
    head = persona(Role.HEAD_TEACHER, world.school_a)
    work_plan_target(world.p, head, indicator="persistent_absence", baseline="20", target="15")
    published(world.school_a, "persistent_absence", "2025/26", "17.0")
    published(world.school_b, "persistent_absence", "2025/26", "19.0")
    client.force_login(head)

    response = client.get(partnership_url(world.p, "indicator=persistent_absence"))
    found = panel(response, "persistent_absence")
    chart = str(response.context["panels"][0].chart)

    assert [(r.name, r.value) for r in found.references] == [("Baseline", 20), ("Target", 15)]
    assert "Baseline 20" in chart and "Target 15" in chart
    assert (
        "down 2.0 on the work-plan's baseline of 20.0% (1 September 2025), better" in found.summary
    )
    assert "Work-plan target: Down on the baseline" in text(response)


def test_a_count_target_is_drawn_only_by_month_on_the_partnerships_dashboard(
    client, world, persona
):
    head = persona(Role.HEAD_TEACHER, world.school_a)
    work_plan_target(world.p, head, indicator="incidents", baseline="10", target="4")
    client.force_login(head)

    school = panel(client.get(school_url(world.school_a, "indicator=incidents")), "incidents")
    by_year = panel(client.get(partnership_url(world.p, "indicator=incidents")), "incidents")
    by_month = panel(
        client.get(partnership_url(world.p, "indicator=incidents&kind=month")), "incidents"
    )

    assert school.references == [] and by_year.references == []
    assert any("month by month" in note for note in school.notes)
    assert [r.name for r in by_month.references] == ["Baseline", "Target"]


def test_the_partnerships_start_is_marked_and_is_the_baseline(client, world, dsl):
    world.p.started_on = date(2024, 9, 1)
    world.p.save()
    published(world.school_a, "persistent_absence", "2023/24", "25.0")
    published(world.school_a, "persistent_absence", "2024/25", "21.0")
    client.force_login(dsl)

    response = client.get(school_url(world.school_a, "indicator=persistent_absence"))
    found = panel(response, "persistent_absence")

    assert found.marker == 3  # 2024/25, after 2021/22, 2022/23 and 2023/24
    assert "Partnership began" in str(response.context["panels"][0].chart)
    assert "down 4.0 on 25.0% in 2023/24, before the partnership began, better" in found.summary


def test_a_partnerships_dashboard_gives_each_schools_latest_figure(client, world, dsl):
    published(world.school_a, "persistent_absence", "2024/25", "18.0")
    published(world.school_b, "persistent_absence", "2024/25", "6.0")
    client.force_login(dsl)

    found = panel(
        client.get(partnership_url(world.p, "indicator=persistent_absence")), "persistent_absence"
    )

    assert found.units.period.label == "2024/25"
    assert [(row.name, row.cell.text) for row in found.units.rows] == [
        ("Langshott Primary", "6.0"),
        ("Oakwood School", "18.0"),
        ("Horley SSP's schools together", "12.0"),
    ]


def test_an_area_indicator_opened_alone_gives_each_partnerships_latest_figure(
    client, world, persona, dsl
):
    incidents(world.school_a, at(2026, 1, 12, 10), dsl, 12)
    incidents(world.school_c, at(2026, 1, 12, 10), dsl, 9)
    incidents(world.school_e, at(2026, 1, 12, 10), dsl, 6)
    client.force_login(persona(Role.LA_ANALYST, world.area))

    found = panel(client.get(area_url(world.area, "indicator=incidents")), "incidents")

    assert [(row.name, row.cell.text) for row in found.units.rows] == [
        ("Horley SSP", "12"),
        ("Woking SSP", "9"),
        ("Schools in no partnership", "6"),
        ("Surrey's schools", "27"),
    ]
    assert found.rows[-1].subject.text == "27"
    assert found.rows[-1].comparison.text == "6"


def test_an_area_wide_figure_is_shown_as_published(client, world, persona):
    from saferschools.outcomes.models import IndicatorValue

    IndicatorValue.objects.create(
        indicator_id="first_time_entrants",
        area=world.area,
        period="2024/25",
        period_kind="year",
        period_start=date(2024, 9, 1),
        value=3,
    )
    client.force_login(persona(Role.LA_ANALYST, world.area))

    found = panel(client.get(area_url(world.area)), "first_time_entrants")

    assert [row.subject.text for row in found.rows if row.subject.shown] == ["3.0"]
    assert found.comparison == ""


def test_noughts_from_before_records_were_kept_are_no_baseline(client, world, dsl):
    world.p.started_on = date(2025, 9, 1)
    world.p.save()
    incidents(world.school_a, at(2026, 1, 12, 10), dsl, 6)
    client.force_login(dsl)

    found = panel(client.get(school_url(world.school_a, "indicator=incidents")), "incidents")

    assert found.summary == "Oakwood School: 6 in 2025/26. A lower figure is better."


def test_an_officer_sees_the_partnerships_officer_time_by_kind(client, world, persona):
    from saferschools.activity.models import Activity

    officer = persona(Role.SSP_OFFICER, world.p)
    for kind, minutes in (("patrol", 90), ("lesson", 60), ("patrol", 30)):
        Activity.objects.create(
            officer=officer,
            school=world.school_b,
            kind=kind,
            started_at=at(2026, 2, 3, 8),
            minutes=minutes,
        )
    client.force_login(officer)

    found = panel(
        client.get(partnership_url(world.p, "indicator=officer_hours&kind=month")), "officer_hours"
    )

    assert found.rows[-2].subject.text == "3.0"  # February
    assert found.breakdown.heading == "kind"
    assert found.breakdown.period.label == "2026-02"
    assert [(row.label, row.cell.text) for row in found.breakdown.rows] == [
        ("Patrol", "2.0"),
        ("Lesson", "1.0"),
    ]
