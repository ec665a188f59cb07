"""The prioritisation page and its CSV file: who sees them, filters, weights tried and saved,
bad input, small counts, the file's audit and escaping, and the queries a page costs."""

import csv
import io
import re
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.planning import prioritisation as pr
from saferschools.planning.models import PriorityWeighting
from saferschools.testing.factories import (
    PartnershipFactory,
    PartnershipSchoolFactory,
    SchoolFactory,
    UserFactory,
)

from .test_prioritisation import crimes, deprived, incidents, published, reports

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def page_url(area, **query) -> str:
    url = reverse("planning-prioritisation", args=[area.pk])
    return f"{url}?{urlencode(query)}" if query else url


def csv_url(area, **query) -> str:
    url = reverse("planning-prioritisation-csv", args=[area.pk])
    return f"{url}?{urlencode(query)}" if query else url


@pytest.fixture
def analyst(world, persona):
    return persona(Role.LA_ANALYST, world.area)


@pytest.fixture
def figures(world):
    """Persistent absence for three schools, the deprivation of two, crime near one."""
    published(world.school_a, "persistent_absence", "20.0")
    published(world.school_b, "persistent_absence", "10.0")
    published(world.school_c, "persistent_absence", "15.0")
    deprived(world.school_c, 10)
    deprived(world.school_e, 30000)


def table_rows(body: str) -> list[str]:
    """The school names of the main table, in order."""
    table = body[body.index('aria-labelledby="schools"') :]
    return re.findall(
        r'<th scope="row" class="govuk-table__header"><a class="govuk-link" href="[^"]+">'
        r"([^<\n]+)",
        table,
    )


def school_row(body: str, name: str) -> str:
    """The main table's row of the school, from its name to the row's end."""
    table = body[body.index('aria-labelledby="schools"') :]
    row = table[table.index(f">{name}<") :]
    return row[: row.index("</tr>")]


# Who sees it -----------------------------------------------------------------------------------


@pytest.fixture
def allowed(world, persona):
    return {
        "analyst": persona(Role.LA_ANALYST, world.area),
        "supervisor": persona(Role.POLICE_SUPERVISOR, world.police),
        "area_supervisor": persona(Role.POLICE_SUPERVISOR, world.area),
        "admin": persona(Role.AREA_ADMIN, world.area),
    }


@pytest.fixture
def refused(world, persona, dsl, staff, practitioner, outside_officer):
    return {
        "dsl": dsl,
        "staff": staff,
        "head": persona(Role.HEAD_TEACHER, world.school_a),
        "officer": persona(Role.SSP_OFFICER, world.p),
        "outside_officer": outside_officer,
        "steering": persona(Role.STEERING_MEMBER, world.p),
        "practitioner": practitioner,
        "other_analyst": persona(Role.LA_ANALYST, world.other_area),
        "other_supervisor": persona(Role.POLICE_SUPERVISOR, world.other_police),
        "other_admin": persona(Role.AREA_ADMIN, world.other_area),
    }


@pytest.mark.parametrize("who", ["analyst", "supervisor", "area_supervisor", "admin"])
def test_those_who_rank_the_areas_schools_see_the_page_and_the_file(client, world, allowed, who):
    client.force_login(allowed[who])

    page = client.get(page_url(world.area))
    download = client.get(csv_url(world.area))

    assert page.status_code == 200
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize(
    "who",
    [
        "dsl",
        "staff",
        "head",
        "officer",
        "outside_officer",
        "steering",
        "practitioner",
        "other_analyst",
        "other_supervisor",
        "other_admin",
    ],
)
def test_everyone_else_gets_404_and_saves_nothing(client, world, refused, who):
    client.force_login(refused[who])

    assert client.get(page_url(world.area)).status_code == 404
    assert client.get(page_url(world.area, deprivation="x")).status_code == 404
    assert client.get(csv_url(world.area)).status_code == 404
    assert client.post(page_url(world.area), {"deprivation": "2"}).status_code == 404
    assert not PriorityWeighting.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_an_area_that_does_not_exist_is_404(client, analyst):
    client.force_login(analyst)

    url = reverse("planning-prioritisation", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url).status_code == 404


def test_signing_in_comes_first(client, world):
    response = client.get(page_url(world.area))

    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]


# The page --------------------------------------------------------------------------------------


@pytest.mark.usefixtures("figures")
def test_the_page_ranks_every_school_and_explains_the_score(client, world, analyst):
    client.force_login(analyst)

    response = client.get(page_url(world.area))

    body = response.content.decode()
    assert response.status_code == 200
    assert "How the score is worked out" in body
    assert "scored as if" not in body
    assert "counts them as 2.5" in body
    # Persistent absence: A 1, B 0, C 0.5; deprivation: C 1, E 0; no reports or incidents
    # anywhere: one half each.
    assert table_rows(body) == [
        "Oakwood School",
        "Woking High",
        "Langshott Primary",
        "Unpartnered School",
    ]
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="app-chart"' in body
    assert "The 4 schools of highest need shown" in body
    assert "No street crime has been imported for the area\u2019s police force yet" in body
    assert "with the default weights" in body
    assert "Save these weights" in body


@pytest.mark.usefixtures("figures")
def test_each_school_links_its_needs_assessment_and_says_what_its_score_rests_on(
    client, world, analyst
):
    client.force_login(analyst)

    body = client.get(page_url(world.area)).content.decode()

    needs = reverse("planning-needs", args=[world.school_c.urn])
    assert f'<a class="govuk-link" href="{needs}">Woking High' in body
    assert client.get(needs).status_code == 200
    # Persistent absence, deprivation, and reports and incidents (none, at the partnership
    # schools) have figures in the area; the school in no partnership has only deprivation.
    assert "indicators" not in school_row(body, "Woking High")
    assert "from 2 of 3 indicators" in school_row(body, "Oakwood School")
    assert "from 1 of 3 indicators" in school_row(body, "Unpartnered School")
    rows = read_csv(client.get(csv_url(world.area)))
    counts = {row["school"]: row["weighted indicators with a figure (of 3)"] for row in rows}
    assert counts == {
        "Woking High": "3",
        "Oakwood School": "2",
        "Langshott Primary": "2",
        "Unpartnered School": "1",
    }


@pytest.mark.usefixtures("figures")
def test_each_schools_score_is_broken_down_by_indicator(client, world, analyst):
    client.force_login(analyst)

    body = client.get(page_url(world.area)).content.decode()

    woking = school_row(body, "Woking High")
    assert "15.0%" in woking
    assert "16.7 points" in woking
    assert "rank 10" in woking
    assert "33.3 points" in woking
    assert "decile 1" in woking


@pytest.mark.usefixtures("figures")
def test_weights_are_tried_without_saving(client, world, analyst):
    client.force_login(analyst)
    weights = dict.fromkeys(pr.CODES, "0") | {"deprivation": "1"}

    response = client.get(page_url(world.area, **weights))

    body = response.content.decode()
    assert response.status_code == 200
    assert table_rows(body) == [
        "Woking High",
        "Unpartnered School",
        "Langshott Primary",
        "Oakwood School",
    ]
    assert "not enough data" in body
    assert "which are not saved" in body
    assert not PriorityWeighting.objects.exists()


@pytest.mark.usefixtures("figures")
@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"phase": "Primary"}, ["Langshott Primary"]),
        ({"partnership": "no"}, ["Unpartnered School"]),
        ({"partnership": "yes"}, ["Oakwood School", "Woking High", "Langshott Primary"]),
        (
            {"local_authority": "Surrey", "phase": "Secondary", "partnership": "no"},
            ["Unpartnered School"],
        ),
    ],
)
def test_filters_choose_the_schools_shown_without_changing_their_scores(
    client, world, analyst, query, names
):
    client.force_login(analyst)
    everyone = client.get(page_url(world.area)).content.decode()

    body = client.get(page_url(world.area, **query)).content.decode()

    assert table_rows(body) == names
    assert f"{len(names)} of the area\u2019s 4 open schools" in body
    for name in names:
        assert school_row(body, name) == school_row(everyone, name)


def test_schools_of_another_local_authority_are_a_choice(client, world, analyst):
    SchoolFactory(area=world.area, name="Crawley College", local_authority="West Sussex")
    client.force_login(analyst)

    body = client.get(page_url(world.area, local_authority="West Sussex")).content.decode()

    assert table_rows(body) == ["Crawley College"]
    assert '<option value="West Sussex" selected>West Sussex</option>' in body


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            {"deprivation": "lots"},
            "deprivation",
            "The weight of Deprivation must be a number, like 2 or 0.5",
        ),
        (
            {"crime_nearby": "-2"},
            "crime_nearby",
            "The weight of Street crime nearby must be 0 or more",
        ),
        (
            {"crime_nearby": "1000"},
            "crime_nearby",
            "The weight of Street crime nearby must be 100 or less",
        ),
        (
            {"crime_nearby": ""},
            "crime_nearby",
            "Enter the weight of Street crime nearby: 0 leaves it out",
        ),
        (
            {"crime_nearby": "1" * 30},
            "crime_nearby",
            "The weight of Street crime nearby must be a number, like 2 or 0.5",
        ),
        (
            dict.fromkeys(pr.CODES, "0"),
            "overall_absence",
            "Give at least one indicator a weight above 0",
        ),
        ({"phase": "Nursery"}, "phase", "Choose one of the phases in the list"),
        (
            {"local_authority": "Kent"},
            "local_authority",
            "Choose one of the local authorities in the list",
        ),
        (
            {"partnership": "maybe"},
            "partnership_0",
            "Choose whether to show schools in a partnership",
        ),
    ],
)
def test_bad_input_is_named_and_linked_to_its_field(client, world, analyst, query, field, message):
    client.force_login(analyst)

    response = client.get(page_url(world.area, **query))

    body = response.content.decode()
    assert response.status_code == 400
    assert f'<a href="#id_{field}">{message}</a>' in body
    assert "<title>Error: " in body
    assert 'aria-labelledby="schools"' not in body

    download = client.get(csv_url(world.area, **query))
    assert download.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


# Saving weights --------------------------------------------------------------------------------


@pytest.mark.usefixtures("figures")
def test_weights_are_saved_and_the_page_opens_with_them(client, world, analyst):
    client.force_login(analyst)
    weights = dict.fromkeys(pr.CODES, "0") | {"deprivation": "2.5", "crime_nearby": "1"}

    response = client.post(page_url(world.area), {**weights, "phase": "Secondary"})

    assert response.status_code == 302
    assert response["Location"] == page_url(world.area, phase="Secondary")
    saved = PriorityWeighting.objects.get(user=analyst, area=world.area)
    assert saved.weights["deprivation"] == "2.5"
    event = AuditEvent.objects.get(object_id=str(saved.pk))
    assert (event.action, event.source) == (AuditAction.CREATE, "web:planning-prioritisation")
    body = client.get(response["Location"]).content.decode()
    assert "Your weights are saved" in body
    assert "ranked with your saved weights" in body
    assert 'name="deprivation" type="text" value="2.5"' in body
    assert "Save these weights" not in body
    assert table_rows(body)[0] == "Woking High"


def test_bad_weights_are_not_saved(client, world, analyst):
    client.force_login(analyst)
    weights = dict.fromkeys(pr.CODES, "1") | {"deprivation": "two"}

    response = client.post(page_url(world.area), weights)

    body = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#id_deprivation">The weight of Deprivation must be a number' in body
    assert 'value="two"' in body
    assert not PriorityWeighting.objects.exists()
    assert not AuditEvent.objects.filter(object_type="planning.priorityweighting").exists()


def test_only_get_head_and_post_are_answered(client, world, analyst):
    client.force_login(analyst)

    assert client.put(page_url(world.area)).status_code == 405
    assert client.post(csv_url(world.area)).status_code == 405


# Small counts ----------------------------------------------------------------------------------


def test_a_small_count_of_reports_and_incidents_is_not_shown(client, world, analyst):
    by = UserFactory()
    reports(world.school_a, 2)
    incidents(world.school_a, 1, by)
    reports(world.school_c, 9)
    client.force_login(analyst)

    body = client.get(page_url(world.area)).content.decode()

    oakwood = school_row(body, "Oakwood School")
    assert "fewer than 5" in oakwood
    assert "scored as if 2.5" in oakwood
    assert "0.3 per 100 pupils" not in oakwood
    woking = school_row(body, "Woking High")
    assert "1.0 per 100 pupils" in woking
    assert "9 in 12 months" in woking


# The CSV file ----------------------------------------------------------------------------------


def read_csv(response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.usefixtures("figures")
def test_the_file_has_the_pages_schools_and_is_audited_as_an_export(client, world, analyst):
    client.force_login(analyst)
    weights = dict.fromkeys(pr.CODES, "1") | {"deprivation": "3"}

    response = client.get(csv_url(world.area, partnership="yes", **weights))

    assert response["Content-Disposition"] == 'attachment; filename="prioritisation-2026-03-20.csv"'
    assert response["Cache-Control"] == "no-store"
    rows = read_csv(response)
    assert [row["school"] for row in rows] == ["Woking High", "Oakwood School", "Langshott Primary"]
    woking = rows[0]
    assert woking["rank"] == "1"
    assert woking["URN"] == str(world.school_c.urn)
    assert woking["partnership"] == "Woking SSP"
    assert woking["Persistent absence rate"] == "15"
    assert woking["Deprivation"] == "10"
    assert woking["Deprivation: points (weight 3)"] == "60.0"
    assert woking["Street crime nearby"] == ""
    assert woking["Street crime nearby: points (weight 1)"] == ""
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.object_type, event.object_id) == ("core.area", str(world.area.pk))
    assert event.source == "web:planning-prioritisation-csv"
    assert event.detail["rows"] == 3
    assert event.detail["filters"] == ["partnership=yes"]
    assert "deprivation:3" in event.detail["weights"]


def test_the_file_is_safe_to_open_in_a_spreadsheet(client, world, analyst):
    SchoolFactory(area=world.area, name='=HYPERLINK("http://example.com","x")', phase="@Odd")
    by = UserFactory()
    reports(world.school_a, 3)
    incidents(world.school_b, 1, by)
    client.force_login(analyst)

    rows = read_csv(client.get(csv_url(world.area)))

    odd = next(row for row in rows if "HYPERLINK" in row["school"])
    assert odd["school"] == '\'=HYPERLINK("http://example.com","x")'
    assert odd["phase"] == "'@Odd"
    oakwood = next(row for row in rows if row["school"] == "Oakwood School")
    assert oakwood["Reports and incidents"] == "fewer than 5"


def test_the_file_lists_schools_without_a_score_last(client, world, analyst):
    client.force_login(analyst)

    rows = read_csv(client.get(csv_url(world.area)))

    # Nothing imported and nothing recorded: the partnership schools have 0 reports and
    # incidents; the school in no partnership has no figure at all, so no score, and comes last.
    assert [(row["school"], row["rank"], row["score"]) for row in rows] == [
        ("Langshott Primary", "1", "50.0"),
        ("Oakwood School", "1", "50.0"),
        ("Woking High", "1", "50.0"),
        ("Unpartnered School", "not ranked", "not enough data"),
    ]
    weights = dict.fromkeys(pr.CODES, "0") | {"deprivation": "1"}
    rows = read_csv(client.get(csv_url(world.area, **weights)))
    assert {(row["rank"], row["score"]) for row in rows} == {("not ranked", "not enough data")}


# Queries ---------------------------------------------------------------------------------------


def _populate(world, count: int) -> None:
    by = UserFactory()
    partnership = PartnershipFactory(area=world.area)
    for index in range(count):
        school = SchoolFactory(
            area=world.area, easting=500000 + index * 100, northing=150000, phase="Primary"
        )
        if index % 2:
            PartnershipSchoolFactory(partnership=partnership, school=school)
        published(school, "overall_absence", f"{index % 9}.5")
        deprived(school, 100 + index)
        crimes(school, datetime(2023, 9, 1).date(), index % 3)
        reports(school, index % 7)
        incidents(school, 1, by)


def test_the_page_costs_the_same_queries_however_many_schools(client, world, analyst):
    client.force_login(analyst)
    _populate(world, 2)
    client.get(page_url(world.area))  # sessions and the like settle

    with CaptureQueriesContext(connection) as few:
        assert client.get(page_url(world.area)).status_code == 200
    _populate(world, 30)
    with CaptureQueriesContext(connection) as many:
        assert client.get(page_url(world.area, phase="Primary")).status_code == 200

    assert len(many) == len(few)


def test_the_page_and_the_file_stay_within_a_few_queries(
    client, world, analyst, django_assert_max_num_queries
):
    client.force_login(analyst)
    _populate(world, 25)
    pr.priority_weights_save(
        actor=analyst, area=world.area, weights=pr.weights_default(), source="test"
    )

    with django_assert_max_num_queries(20):
        assert client.get(page_url(world.area)).status_code == 200
    with django_assert_max_num_queries(24):
        assert client.get(csv_url(world.area)).status_code == 200
