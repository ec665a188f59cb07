"""The evaluation pages: a partnership's list, the two steps of a new evaluation, and the
result; who may see and make them, and bad input answered on the page with nothing recorded."""

import re
import uuid

import pytest

from saferschools.accounts.models import Role
from saferschools.core.models import AuditEvent
from saferschools.outcomes.evaluation_services import evaluation_create
from saferschools.outcomes.models import Evaluation
from saferschools.testing.factories import SchoolFactory

from .evaluation_world import add_values, evaluation_world, trend

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(world):
    return evaluation_world(world)


@pytest.fixture
def analyst(world, persona):
    return persona(Role.LA_ANALYST, world.area, email="ana@surreycc.example", full_name="Ana Lyst")


@pytest.fixture
def officer(world, persona):
    """The partnership's officer: reads its evaluations, may not make one."""
    return persona(Role.SSP_OFFICER, world.p)


@pytest.fixture
def evaluation(world, figures, analyst):
    return evaluation_create(
        actor=analyst, partnership=world.p, indicator="persistent_absence", source="test"
    )


def signed_in(client, user):
    client.force_login(user)
    return client


def list_url(partnership) -> str:
    return f"/partnerships/{partnership.pk}/evaluations/"


def new_url(partnership) -> str:
    return f"/partnerships/{partnership.pk}/evaluations/new/"


def test_the_list_for_a_maker_and_for_a_reader(client, world, evaluation, analyst, officer):
    page = signed_in(client, analyst).get(list_url(world.p))
    assert page.status_code == 200
    html = page.content.decode()
    assert "New evaluation" in html
    assert f'href="/evaluations/{evaluation.pk}/"' in html
    assert "Persistent absence rate" in html and "by Ana Lyst" in html
    assert "<caption" in html

    page = signed_in(client, officer).get(list_url(world.p))
    assert page.status_code == 200
    assert "New evaluation" not in page.content.decode()
    assert f"/evaluations/{evaluation.pk}/" in page.content.decode()


def test_the_list_takes_the_same_queries_however_many_evaluations(
    client, world, figures, analyst, django_assert_max_num_queries
):
    for urn in [figures.secondaries[0].urn, figures.secondaries[1].urn, figures.primaries[0].urn]:
        others = [s.urn for s in figures.secondaries[2:]]
        evaluation_create(
            actor=analyst,
            partnership=world.p,
            indicator="persistent_absence",
            comparison_urns=[urn, *others],
            source="test",
        )
    signed_in(client, analyst)
    with django_assert_max_num_queries(12):
        page = client.get(list_url(world.p))
    assert page.content.decode().count("/evaluations/") >= 3


def test_outsiders_and_readers_who_may_not_evaluate(client, world, evaluation, persona, officer):
    outsider = persona(Role.LA_ANALYST, world.other_area)
    signed_in(client, outsider)
    assert client.get(list_url(world.p)).status_code == 404
    assert client.get(new_url(world.p)).status_code == 404
    assert client.get(f"/evaluations/{evaluation.pk}/").status_code == 404
    assert client.get("/evaluations/not-a-uuid/").status_code == 404
    assert client.get(f"/evaluations/{uuid.uuid4()}/").status_code == 404

    signed_in(client, officer)
    assert client.get(new_url(world.p)).status_code == 404
    response = client.post(new_url(world.p), {"indicator": "persistent_absence"})
    assert response.status_code == 404
    assert Evaluation.objects.count() == 1
    assert client.get(f"/evaluations/{evaluation.pk}/").status_code == 200

    client.logout()
    assert client.get(list_url(world.p)).status_code == 302


def test_a_new_evaluation_in_two_steps(client, world, figures, analyst):
    signed_in(client, analyst)
    first = client.get(new_url(world.p))
    assert first.status_code == 200
    html = first.content.decode()
    assert 'name="indicator"' in html
    assert "Incidents recorded" not in html  # computed: the comparison schools have none
    assert "First-time entrants" not in html  # measured for the area, not per school

    second = client.get(new_url(world.p), {"indicator": "persistent_absence"})
    assert second.status_code == 200
    html = second.content.decode()
    boxes = re.findall(r'name="comparison" type="checkbox" value="(\d+)" checked', html)
    assert len(boxes) == 5
    assert "Secondary, like Oakwood School; 1,000 pupils (Oakwood School: 1,100)" in html
    assert "persistent absence rate before the start" in html

    response = client.post(
        new_url(world.p),
        {"indicator": "persistent_absence", "comparison": boxes[1:], "added_urns": ""},
    )
    evaluation = Evaluation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/evaluations/{evaluation.pk}/"
    assert evaluation.comparison_chosen == Evaluation.Chosen.EDITED
    assert evaluation.created_by == analyst

    # The same form sent again (a double click) records nothing new.
    again = client.post(
        new_url(world.p),
        {"indicator": "persistent_absence", "comparison": boxes[1:], "added_urns": ""},
    )
    assert again["Location"] == f"/evaluations/{evaluation.pk}/"
    assert Evaluation.objects.count() == 1


def test_schools_added_by_urn(client, world, figures, analyst):
    extra = SchoolFactory(area=world.area, name="Added Secondary")
    add_values(extra, trend(24.0, 40))
    signed_in(client, analyst)
    response = client.post(
        new_url(world.p),
        {
            "indicator": "persistent_absence",
            "added_urns": f" {extra.urn},\n{figures.primaries[0].urn}",
        },
    )
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert set(evaluation.comparison_urns) == {extra.urn, figures.primaries[0].urn}
    assert evaluation.comparison_chosen == Evaluation.Chosen.EDITED


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"added_urns": "{a}"},
            "added_urns",
            "Oakwood School ({a}) is one of the partnership&#x27;s own schools",
        ),
        ({"added_urns": "12ab"}, "added_urns", "A URN is a number, like 125273, not “12ab”"),
        ({"added_urns": "9" * 3000}, "added_urns", "Use 2,000 characters or fewer"),
        ({"added_urns": "\x00"}, "added_urns", "A URN is a number"),
        ({"comparison": ["1"]}, "comparison", "Choose comparison schools from the list"),
        ({}, "comparison", "Choose at least one comparison school"),
    ],
)
def test_bad_comparison_schools_are_named_on_the_page(
    client, world, figures, analyst, data, field, message
):
    signed_in(client, analyst)
    if "added_urns" in data:
        data = {"added_urns": data["added_urns"].replace("{a}", str(world.school_a.urn))}
        message = message.replace("{a}", str(world.school_a.urn))
    response = client.post(new_url(world.p), {"indicator": "persistent_absence", **data})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert f'id="id_{field}-error"' in html or f'id="id_{field}_0-error"' in html
    assert message in html
    assert not Evaluation.objects.exists()
    assert not AuditEvent.objects.filter(object_type="outcomes.evaluation").exists()


def test_a_bad_indicator_goes_back_to_the_first_step(client, world, figures, analyst):
    signed_in(client, analyst)
    response = client.get(new_url(world.p), {"indicator": "incidents"})
    assert response.status_code == 400
    assert "Choose one of the indicators in the list" in response.content.decode()
    response = client.post(new_url(world.p), {"indicator": "x" * 5000})
    assert response.status_code == 400
    assert not Evaluation.objects.exists()


def test_an_indicator_without_figures_before_the_start_is_said(client, world, figures, analyst):
    world.p.started_on = world.p.started_on.replace(year=2018)
    world.p.save()
    signed_in(client, analyst)
    response = client.post(
        new_url(world.p),
        {"indicator": "persistent_absence", "added_urns": str(figures.secondaries[0].urn)},
    )
    assert response.status_code == 400
    assert "from before the partnership began on 1 September 2018" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_the_result_page(client, world, evaluation, officer):
    page = signed_in(client, officer).get(f"/evaluations/{evaluation.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "percentage points lower than expected" in html
    assert "an improvement, as lower is better" in html
    assert "95% confidence interval" in html
    assert "<svg" in html and ">Start</text>" in html
    assert "Mean persistent absence rate of each group, by year" in html
    assert "Before the partnership began, the partnership&#x27;s schools averaged" in html
    assert "Oakwood School" in html and "Comparison Secondary 1" in html
    assert "Deprivation decile" in html
    assert "not chosen at random" in html
    assert "2018/19, 2019/20" in html


def test_a_partnership_without_a_start_date_cannot_begin_one(client, world, analyst):
    world.p.started_on = None
    world.p.save()
    signed_in(client, analyst)
    assert "no start date" in client.get(list_url(world.p)).content.decode()
    assert "no start date" in client.get(new_url(world.p)).content.decode()
