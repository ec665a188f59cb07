"""The annual report API: GET /api/v1/partnerships/<id>/annual-report?year=YYYY (the figures as
JSON) and GET …/annual-report.pdf?year=YYYY (the PDF)."""

import io

import pytest
import time_machine
from pypdf import PdfReader
from rest_framework.test import APIClient

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.outcomes.annual_report_services import ReportInput, annual_report_save

from .annual_report_world import NOW, YEAR, make_year

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def year(world, persona):
    return make_year(world, persona)


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        _, key = api_token_create(actor=None, user=user, name="test", source="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


def url(partnership, pdf: bool = False) -> str:
    return f"/api/v1/partnerships/{partnership.pk}/annual-report{'.pdf' if pdf else ''}"


def test_the_figures_and_sections_as_json(api_for, world, persona, year):
    annual_report_save(
        actor=year.head,
        partnership=year.partnership,
        year=YEAR,
        data=ReportInput(summary="A safer year.", priorities="Journeys home"),
        source="test",
    )
    analyst = persona(Role.LA_ANALYST, world.area)

    response = api_for(analyst).get(url(world.p), {"year": "2025/26"})

    assert response.status_code == 200
    data = response.json()
    assert (data["year"], data["year_label"], data["complete"]) == (2025, "2025/26", True)
    assert data["partnership_id"] == str(world.p.pk)
    assert data["summary"]["reports"] == {"value": 23, "text": "23"}
    assert data["summary"]["officer_hours"] == 6.7
    assert data["activity"]["patrols_planned"] == 4
    months = {m["month"]: m for m in data["reports_and_incidents"]["months"]}
    assert months["2025-11"]["reports"] == {"value": None, "text": "fewer than 5"}
    assert data["reports_and_incidents"]["hotspots"][0] == {
        "place": "Bus stop",
        "school": "Oakwood School",
        "count": {"value": 9, "text": "9"},
    }
    assert data["governance"]["protocol"]["signed_on"] == "2025-07-10"
    assert data["governance"]["meetings_held"] == ["2025-10-16", "2026-03-19"]
    assert data["workplan"]["actions_done"] == 1
    absence = next(row for row in data["indicators"] if row["code"] == "overall_absence")
    assert [p["value"] for p in absence["points"]] == [4.55, 4.35, 3.85]
    assert absence["current"] == {"period": "2025/26", "value": 3.85, "text": "3.85"}
    assert absence["status"] == "met"
    assert data["evaluation"]["estimate"] == -0.42
    assert data["written"]["summary"] == "A safer year."
    assert data["written"]["priorities"] == "Journeys home"
    assert data["written"]["version"] == 1


def test_every_reader_gets_the_same_figures(api_for, world, persona, year):
    dsl = api_for(year.dsl).get(url(world.p), {"year": YEAR}).json()
    steering = (
        api_for(persona(Role.STEERING_MEMBER, world.p)).get(url(world.p), {"year": YEAR}).json()
    )

    assert dsl == steering
    assert dsl["reports_and_incidents"]["report_categories"][-1]["count"]["value"] is None


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"year": ""},
        {"year": "2025/27"},
        {"year": "1e999999"},
        {"year": "2025\x00"},
        {"year": "x" * 5000},
        {"year": "2023"},
        {"year": "2027/28"},
        {"year": "-1"},
        {"year": "2025/26 autumn"},
    ],
)
def test_a_missing_or_bad_year_is_a_400_naming_it(api_for, world, year, params):
    for pdf in (False, True):
        response = api_for(year.head).get(url(world.p, pdf), params)
        assert response.status_code == 400, params
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert list(body["errors"]) == ["year"]
        assert body["detail"] == "Invalid input: year."
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize(
    ("role", "scope"),
    [(Role.SSP_OFFICER, "q"), (Role.STEERING_MEMBER, "r"), (Role.HEAD_TEACHER, "school_e")],
)
def test_a_partnership_out_of_scope_is_404(api_for, world, persona, year, role, scope):
    client = api_for(persona(role, getattr(world, scope)))
    for pdf in (False, True):
        response = client.get(url(world.p, pdf), {"year": YEAR})
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
        # Out of scope is 404 before the year is looked at.
        assert client.get(url(world.p, pdf), {"year": "bad"}).status_code == 404


def test_a_malformed_or_missing_partnership_is_404(api_for, year):
    client = api_for(year.head)
    assert client.get("/api/v1/partnerships/not-a-uuid/annual-report?year=2025").status_code == 404
    missing = "/api/v1/partnerships/6f1c1a0e-8d8b-4c57-9c3b-7c9a6f0f0f0f/annual-report"
    assert client.get(missing, {"year": YEAR}).status_code == 404


def test_without_a_token_it_is_refused(world, year):
    response = APIClient().get(url(world.p), {"year": YEAR})
    assert response.status_code in (401, 403)


def test_the_pdf_is_the_report_and_its_download_is_audited(api_for, world, year):
    response = api_for(year.head).get(
        url(world.p, pdf=True), {"year": "2025"}, HTTP_ACCEPT="application/pdf"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Annual report and business plan 2025/26" in text
    assert "Hotspots: the places with most incidents" in text
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor_id == year.head.pk
    assert event.source == "api:api-annual-report-pdf"
    assert event.detail["year"] == YEAR


def test_the_schema_describes_both_endpoints(api_for, year):
    response = api_for(year.head).get("/api/v1/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    assert "/api/v1/partnerships/{partnership_id}/annual-report:" in schema
    assert "/api/v1/partnerships/{partnership_id}/annual-report.pdf:" in schema
    assert "AnnualReportOutput" in schema
    assert "application/pdf" in schema
