"""The indicator API: GET /api/v1/indicators and GET /api/v1/schools/<urn>/indicators."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.outcomes import survey_results
from saferschools.outcomes.models import Indicator, IndicatorValue
from saferschools.outcomes.periods import parse_period
from saferschools.outcomes.values import Value

from .test_computed_values import incident

pytestmark = pytest.mark.django_db

# Sunday 15 March 2026.
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
CATALOGUE = "/api/v1/indicators"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        _, key = api_token_create(actor=None, user=user, name="test", source="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def steering(world, persona):
    return persona(Role.STEERING_MEMBER, world.p)


def values_url(school) -> str:
    return f"/api/v1/schools/{school.urn}/indicators"


def published(school, code, period, number):
    IndicatorValue.objects.create(
        indicator_id=code,
        school=school,
        period=period,
        period_start=parse_period(period).start,
        value=None if number is None else Decimal(number),
        suppressed=number is None,
    )


def rows_of(response, code=None):
    assert response.status_code == 200, response.content
    return [
        (row["period"], row["value"], row["suppressed"])
        for row in response.json()
        if code is None or row["code"] == code
    ]


def test_the_catalogue_for_any_signed_in_user(api_for, practitioner):
    response = api_for(practitioner).get(CATALOGUE)
    assert response.status_code == 200
    found = response.json()
    assert len(found) == Indicator.objects.count()
    assert {tuple(sorted(row)) for row in found} == {
        ("code", "level", "lower_is_better", "name", "source", "unit")
    }
    by_code = {row["code"]: row for row in found}
    assert by_code["first_time_entrants"] == {
        "code": "first_time_entrants",
        "name": "First-time entrants to the youth justice system aged 10 to 17",
        "unit": "per_100k",
        "lower_is_better": True,
        "level": "area",
        "source": "imported",
    }
    assert by_code["reports_per_100"]["source"] == "computed"
    assert by_code["survey_trusts_police"]["lower_is_better"] is False
    assert APIClient().get(CATALOGUE).status_code in (401, 403)


def test_a_schools_values_each_in_its_own_kind_of_period(api_for, world, dsl):
    published(world.school_a, "persistent_absence", "2020/21", "30")  # before the default span
    published(world.school_a, "persistent_absence", "2023/24", "21.5")
    published(world.school_a, "persistent_absence", "2024/25", None)
    incident(world.school_a, datetime(2026, 2, 2, 10, 0, tzinfo=UTC), dsl)
    response = api_for(dsl).get(values_url(world.school_a))
    body = response.json()
    assert {tuple(sorted(row)) for row in body} == {
        ("code", "period", "source", "suppressed", "value")
    }
    assert rows_of(response, "persistent_absence") == [
        ("2023/24", 21.5, False),
        ("2024/25", None, True),
    ]
    # Computed: each academic year from 2021/22 to this one.
    assert rows_of(response, "incidents") == [
        ("2021/22", 0, False),
        ("2022/23", 0, False),
        ("2023/24", 0, False),
        ("2024/25", 0, False),
        ("2025/26", 1, False),
    ]
    assert rows_of(response, "reports_acknowledged_in_time")[-1] == ("2025/26", None, False)
    codes = [row["code"] for row in body]
    assert codes == sorted(codes)
    assert {row["source"] for row in body if row["code"] == "incidents"} == {"computed"}


def test_one_indicator_by_month_over_a_span_of_periods_or_days(api_for, world, dsl):
    incident(world.school_a, datetime(2026, 2, 2, 10, 0, tzinfo=UTC), dsl)
    client = api_for(dsl)
    by_periods = client.get(
        values_url(world.school_a),
        {"code": "incidents", "kind": "month", "since": "2025/26 spring", "until": "2026-02"},
    )
    assert rows_of(by_periods) == [("2026-01", 0, False), ("2026-02", 1, False)]
    by_days = client.get(
        values_url(world.school_a),
        {"code": " incidents", "kind": "month", "since": "2026-01-31", "until": "2026-02-01"},
    )
    assert rows_of(by_days) == rows_of(by_periods)
    terms = client.get(values_url(world.school_a), {"code": "incidents", "kind": "term"})
    # Terms yet to begin have no figure.
    assert rows_of(terms)[-2:] == [("2025/26 autumn", 0, False), ("2025/26 spring", 1, False)]
    imported_by_month = client.get(
        values_url(world.school_a), {"code": "overall_absence", "kind": "month"}
    )
    assert rows_of(imported_by_month) == []


def test_an_area_level_indicator_gives_the_schools_areas_figure(api_for, world, dsl):
    for area, number in ((world.area, "98.3"), (world.other_area, "150")):
        IndicatorValue.objects.create(
            indicator_id="first_time_entrants",
            area=area,
            period="2024/25",
            period_start=parse_period("2024/25").start,
            value=Decimal(number),
        )
    found = api_for(dsl).get(values_url(world.school_a), {"code": "first_time_entrants"})
    assert rows_of(found) == [("2024/25", 98.3, False)]


def test_small_counts_are_null_for_those_who_do_not_see_the_schools_records(
    api_for, world, dsl, steering
):
    for day in (2, 3):
        incident(world.school_a, datetime(2026, 2, day, 10, 0, tzinfo=UTC), dsl)
    params = {"code": "incidents", "kind": "month", "since": "2026-02", "until": "2026-02"}
    assert rows_of(api_for(dsl).get(values_url(world.school_a), params)) == [("2026-02", 2, False)]
    assert rows_of(api_for(steering).get(values_url(world.school_a), params)) == [
        ("2026-02", None, True)
    ]
    # Nor given away by the term or the year, nor by the rate per 100 pupils.
    for kind, code in (
        ("term", "incidents"),
        ("year", "incidents"),
        ("month", "incidents_per_100"),
    ):
        found = api_for(steering).get(
            values_url(world.school_a), {"code": code, "kind": kind, "since": "2026-02"}
        )
        assert rows_of(found)[0][1:] == (None, True), (kind, code)


def test_a_read_in_full_of_records_counts_is_audited(api_for, world, dsl, steering):
    theirs, ours = api_for(steering), api_for(dsl)
    before = AuditEvent.objects.count()
    theirs.get(values_url(world.school_a), {"code": "incidents"})
    ours.get(values_url(world.school_a), {"code": "overall_absence"})
    assert AuditEvent.objects.count() == before
    ours.get(values_url(world.school_a), {"code": "incidents", "since": "2025/26"})
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.object_type, event.object_id) == (
        AuditAction.VIEW,
        "core.school",
        str(world.school_a.pk),
    )
    assert event.actor_id == dsl.pk
    assert event.source == "api:api-school-indicators"
    assert event.detail == {
        "what": "indicator values",
        "codes": ["incidents"],
        "kind": "",
        "since": "2025-09-01",
        "until": "2026-03-15",
    }


def test_survey_figures_from_fewer_than_five_pupils_are_null_for_everyone(
    api_for, world, dsl, monkeypatch
):
    def answers(*, indicator, schools, periods):
        autumn, spring = periods[-2], periods[-1]
        return {
            school.pk: {
                autumn.label: Value(
                    indicator.code, autumn, Decimal(75), "surveyed", respondents=40
                ),
                spring.label: Value(indicator.code, spring, Decimal(50), "surveyed", respondents=4),
            }
            for school in schools
        }

    monkeypatch.setattr(survey_results, "survey_values", answers)
    found = api_for(dsl).get(values_url(world.school_a), {"code": "survey_safe_at_school"})
    assert rows_of(found) == [("2025/26 autumn", 75, False), ("2025/26 spring", None, True)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"code": "nope"}, "code"),
        ({"code": "incidents\x00"}, "code"),
        ({"code": "x" * 5000}, "code"),
        ({"kind": "week"}, "kind"),
        ({"kind": ""}, "kind"),
        ({"since": "2025/27"}, "since"),
        ({"since": "2026-02-30"}, "since"),
        ({"since": "0001-01-01"}, "since"),
        ({"since": "1e999999"}, "since"),
        ({"until": "2026-13"}, "until"),
        ({"until": "9" * 5000}, "until"),
        ({"until": "2026-03\x00"}, "until"),
        ({"since": "2026/27", "until": "2025/26"}, "since"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_for, world, dsl, params, field):
    response = api_for(dsl).get(values_url(world.school_a), params)
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {field}
    assert body["detail"] == f"Invalid input: {field}."
    assert all(len(message) < 300 for message in body["errors"][field])


def test_outsiders_get_404_as_for_no_school(api_for, world, outside_officer, dsl):
    assert api_for(outside_officer).get(values_url(world.school_a)).status_code == 404
    assert api_for(outside_officer).get(values_url(world.school_c)).status_code == 200
    client = api_for(dsl)
    assert client.get("/api/v1/schools/1/indicators").status_code == 404
    assert client.get(f"/api/v1/schools/{'9' * 30}/indicators").status_code == 404
    assert client.get(values_url(world.school_d)).json() == {"detail": "Not found."}


def test_the_values_take_the_same_queries_whatever_the_span(api_for, world, dsl, steering):
    for user in (dsl, steering):
        client = api_for(user)
        client.get(values_url(world.school_a), {"code": "incidents"})
        with CaptureQueriesContext(connection) as one_year:
            client.get(values_url(world.school_a), {"code": "incidents", "since": "2025/26"})
        with CaptureQueriesContext(connection) as months:
            client.get(
                values_url(world.school_a),
                {"code": "incidents", "kind": "month", "since": "2015-09-01"},
            )
        assert len(months) == len(one_year)


def test_the_whole_catalogue_of_a_school_in_a_bounded_number_of_queries(
    api_for, world, steering, django_assert_max_num_queries
):
    client = api_for(steering)
    client.get(CATALOGUE)
    # Sign-in, the school, the catalogue, each indicator's reading, and the readings of the
    # records behind those about pupils, to decide what to leave out.
    with django_assert_max_num_queries(12 + 2 * Indicator.objects.count()):
        response = client.get(values_url(world.school_a), {"since": "2024-09-01"})
    assert response.status_code == 200


def test_the_schema_describes_both_endpoints():
    document = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(document)
    paths = document["paths"]
    assert "/api/v1/indicators" in paths
    values = paths["/api/v1/schools/{urn}/indicators"]["get"]
    assert {p["name"] for p in values["parameters"]} >= {"urn", "code", "kind", "since", "until"}
    schemas = document["components"]["schemas"]
    assert set(schemas["IndicatorOutput"]["properties"]) == {
        "code",
        "name",
        "unit",
        "lower_is_better",
        "level",
        "source",
    }
    assert set(schemas["SchoolIndicatorValueOutput"]["properties"]) == {
        "code",
        "period",
        "value",
        "source",
        "suppressed",
    }
