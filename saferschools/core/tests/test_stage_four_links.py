"""The school, partnership, area and landing pages lead to stage 4: dashboards, surveys,
evaluations and annual reports, and the area's dashboard and survey questions only to those who
may open them."""

import pytest
from django.urls import reverse

from saferschools.accounts.models import Role

pytestmark = pytest.mark.django_db


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_school_page_links_its_dashboard_and_surveys(client, world, persona):
    school = world.school_a
    page = _page(
        client, persona(Role.SCHOOL_STAFF, school), reverse("core-school", args=[school.urn])
    )
    assert reverse("outcomes-dashboard-school", args=[school.urn]) in page
    assert reverse("outcomes-survey-list", args=[school.urn]) in page


def test_the_partnership_page_links_its_review(client, world, persona):
    page = _page(
        client,
        persona(Role.STEERING_MEMBER, world.p),
        reverse("core-partnership", args=[world.p.pk]),
    )
    for name in (
        "outcomes-dashboard-partnership",
        "outcomes-survey-partnership",
        "outcomes-evaluation-list",
        "outcomes-annual-reports",
    ):
        assert reverse(name, args=[world.p.pk]) in page


@pytest.mark.parametrize(
    "role,scope,dashboard,questions",
    [
        (Role.LA_ANALYST, "area", True, True),
        (Role.AREA_ADMIN, "area", True, True),
        (Role.POLICE_SUPERVISOR, "police", True, False),
        (Role.STEERING_MEMBER, "p", False, False),
        (Role.HEAD_TEACHER, "school_a", False, False),
    ],
)
def test_the_area_page_links_what_the_role_may_open(
    client, world, persona, role, scope, dashboard, questions
):
    user = persona(role, getattr(world, scope))
    page = _page(client, user, reverse("core-area", args=[world.area.pk]))
    assert (reverse("outcomes-dashboard-area", args=[world.area.pk]) in page) is dashboard
    assert (reverse("outcomes-survey-questions", args=[world.area.pk]) in page) is questions
    landing = _page(client, user, reverse("core-home"))
    assert (reverse("outcomes-dashboard-area", args=[world.area.pk]) in landing) is dashboard
