"""The annual report's pages: the years, the report of a year with its charts, the form for its
written sections and the PDF; who may read and write them; bad input."""

import html
import io
from datetime import date

import pytest
import time_machine
from pypdf import PdfReader

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.outcomes.models import AnnualReport

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
def steering(world, persona):
    return persona(Role.STEERING_MEMBER, world.p)


def url(partnership, suffix: str = "") -> str:
    return f"/partnerships/{partnership.pk}/annual-report/{suffix}"


def text(response) -> str:
    return html.unescape(response.content.decode())


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def form(**fields) -> dict:
    data = {
        "version": "0",
        "summary": "",
        "successes": "",
        "case_studies": "",
        "further_work": "",
        "priorities": "",
        "resources": "",
        "evaluation": "",
    }
    data.update(fields)
    return data


# Who reads it ---------------------------------------------------------------------------------


READERS = [
    (Role.SAFEGUARDING_LEAD, "school_a"),
    (Role.SCHOOL_STAFF, "school_b"),
    (Role.SSP_OFFICER, "p"),
    (Role.STEERING_MEMBER, "p"),
    (Role.LA_ANALYST, "area"),
    (Role.POLICE_SUPERVISOR, "police"),
    (Role.AGENCY_PRACTITIONER, "yot"),
    (Role.AREA_ADMIN, "area"),
]


@pytest.mark.parametrize(("role", "scope"), READERS)
def test_everyone_who_reaches_the_partnership_reads_its_reports(
    client, world, persona, year, role, scope
):
    client.force_login(persona(role, getattr(world, scope)))

    years = client.get(url(world.p))
    report = client.get(url(world.p, f"{YEAR}/"))

    assert years.status_code == 200
    body = text(years)
    assert body.index("2026/27") < body.index("2025/26") < body.index("2024/25")
    assert report.status_code == 200
    # The same counts for every reader: small ones not shown, even to those who see them in
    # full elsewhere.
    assert "fewer than 5" in text(report)
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.SSP_OFFICER, "q"),
        (Role.HEAD_TEACHER, "school_c"),
        (Role.STEERING_MEMBER, "r"),
        (Role.LA_ANALYST, "other_area"),
        (Role.SAFEGUARDING_LEAD, "school_e"),
    ],
)
def test_outsiders_get_404_for_every_page(client, world, persona, year, role, scope):
    client.force_login(persona(role, getattr(world, scope)))
    for suffix in ("", f"{YEAR}/", f"{YEAR}/edit/", f"{YEAR}.pdf"):
        assert client.get(url(world.p, suffix)).status_code == 404, suffix
    assert client.post(url(world.p, f"{YEAR}/edit/"), form(summary="x")).status_code == 404
    assert not AnnualReport.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, world, year):
    response = client.get(url(world.p, f"{YEAR}/"))
    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]


@pytest.mark.parametrize("suffix", ["2023/", "2027/", "99999999999/", "0/", "2023.pdf"])
def test_a_year_without_a_report_is_404(client, world, year, steering, suffix):
    client.force_login(steering)
    assert client.get(url(world.p, suffix)).status_code == 404


def test_a_missing_partnership_is_404(client, year, steering):
    client.force_login(steering)
    missing = "/partnerships/6f1c1a0e-8d8b-4c57-9c3b-7c9a6f0f0f0f/annual-report/2025/"
    assert client.get(missing).status_code == 404


# The report ---------------------------------------------------------------------------------------


def test_the_report_has_a_contents_list_its_sections_charts_and_tables(
    client, world, year, steering
):
    client.force_login(steering)

    response = client.get(url(world.p, f"{YEAR}/"))

    body = text(response)
    for heading in (
        "Contents",
        "Partners and governance",
        "The officers' activity",
        "Pupils' reports and incidents",
        "Casework and information sharing",
        "The work-plan",
        "Indicators against baseline and target",
        "Evaluation",
        "Successes",
        "Case studies",
        "Areas for further work",
        "Business plan for 2026/27",
    ):
        assert heading in body
    assert body.count("<svg") >= 8
    assert body.count("<caption") >= 8
    assert 'href="#reports-incidents"' in body
    assert "Bus stop" in body and "Oakwood School" in body
    assert "Version 1 of the protocol" in body
    assert "Year 10 representative" not in body
    # No pupil's name, whoever they are.
    for pupil in (world.pupil_a, world.pupil_b):
        assert pupil.family_name not in body


def test_the_page_asks_no_more_queries_with_more_records(
    client, world, year, steering, django_assert_max_num_queries
):
    client.force_login(steering)
    client.get(url(world.p, f"{YEAR}/"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url(world.p, f"{YEAR}/"))
    make_more(world, year)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(url(world.p, f"{YEAR}/"))


def make_more(world, year):
    from .annual_report_world import activity, incident, report

    for day in (date(2025, 12, 2), date(2026, 4, 21), date(2026, 6, 9)):
        for _ in range(6):
            report(world.school_b, "gangs", day)
            incident(world.school_b, year.dsl, "assault", day)
        activity(world.school_b, year.officer, "event", day, 120)


def test_a_written_report_shows_its_sections_as_safe_markdown(client, world, year, steering):
    client.force_login(steering)
    client.post(
        url(world.p, f"{YEAR}/edit/"),
        form(
            summary="A **safer** year.",
            successes="* Patrols at the bus stop\n* A new <script>alert(1)</script> club",
            priorities="Keep the patrols",
        ),
    )

    body = client.get(url(world.p, f"{YEAR}/")).content.decode()

    assert "<strong>safer</strong>" in body
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body
    assert "Keep the patrols" in body


# Writing it ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "scope"),
    [(Role.HEAD_TEACHER, "school_a"), (Role.STEERING_MEMBER, "p"), (Role.AREA_ADMIN, "area")],
)
def test_governors_write_the_sections(client, world, persona, year, role, scope):
    governor = persona(role, getattr(world, scope))
    client.force_login(governor)

    page = client.get(url(world.p, f"{YEAR}/edit/"))
    assert page.status_code == 200
    assert "Do not name a pupil" in text(page)
    response = client.post(
        url(world.p, f"{YEAR}/edit/"),
        form(summary="Our year", evaluation=str(year.evaluation.pk)),
    )

    assert response.status_code == 302
    assert response["Location"] == url(world.p, f"{YEAR}/")
    report = AnnualReport.objects.get()
    assert (report.summary, report.evaluation, report.updated_by) == (
        "Our year",
        year.evaluation,
        governor,
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="outcomes.annualreport", actor_id=governor.pk
    ).exists()


@pytest.mark.parametrize(
    ("role", "scope"),
    [(Role.SAFEGUARDING_LEAD, "school_a"), (Role.SSP_OFFICER, "p"), (Role.LA_ANALYST, "area")],
)
def test_readers_who_do_not_govern_cannot_write(client, world, persona, year, role, scope):
    client.force_login(persona(role, getattr(world, scope)))

    assert "Write the report's sections" not in text(client.get(url(world.p, f"{YEAR}/")))
    assert client.get(url(world.p, f"{YEAR}/edit/")).status_code == 404
    assert client.post(url(world.p, f"{YEAR}/edit/"), form(summary="x")).status_code == 404
    assert not AnnualReport.objects.exists()


def test_the_same_form_sent_twice_saves_once(client, world, year, steering):
    client.force_login(steering)
    data = form(summary="Once only")

    first = client.post(url(world.p, f"{YEAR}/edit/"), data)
    second = client.post(url(world.p, f"{YEAR}/edit/"), data)

    assert first.status_code == second.status_code == 302
    assert AnnualReport.objects.get().version == 1
    assert AuditEvent.objects.filter(object_type="outcomes.annualreport").count() == 1


def test_a_save_over_someone_elses_is_refused_then_can_replace_it(client, world, year, steering):
    client.force_login(steering)
    client.post(url(world.p, f"{YEAR}/edit/"), form(summary="First"))
    client.force_login(year.head)
    client.post(url(world.p, f"{YEAR}/edit/"), form(summary="The head's", version="1"))
    client.force_login(steering)

    refused = client.post(url(world.p, f"{YEAR}/edit/"), form(summary="Mine", version="1"))

    assert refused.status_code == 400
    body = text(refused)
    assert "Someone else saved this report" in body
    assert 'name="version" value="2"' in body
    assert AnnualReport.objects.get().summary == "The head's"
    replaced = client.post(url(world.p, f"{YEAR}/edit/"), form(summary="Mine", version="2"))
    assert replaced.status_code == 302
    assert AnnualReport.objects.get().summary == "Mine"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"summary": "x" * 5001}, "Use 5,000 characters or fewer for the summary"),
        ({"successes": "x" * 20001}, "Use 20,000 characters or fewer for the successes"),
        ({"summary": "Null\x00 here"}, "Null characters are not allowed"),
        (
            {"summary": "Fine", "evaluation": "not-one"},
            "Choose one of the partnership's evaluations",
        ),
        ({"summary": "Fine", "version": "1e999999"}, "This form is out of date"),
        ({"summary": "   "}, "Write at least one section before you save"),
    ],
)
def test_bad_input_is_named_and_changes_nothing(client, world, year, steering, fields, message):
    client.force_login(steering)

    response = client.post(url(world.p, f"{YEAR}/edit/"), form(**fields))

    assert response.status_code == 400
    body = text(response)
    assert "There is a problem" in body
    assert message in body
    assert not AnnualReport.objects.exists()


# The PDF ------------------------------------------------------------------------------------------


def test_the_pdf_holds_the_figures_and_sections_and_its_download_is_audited(
    client, world, year, steering
):
    client.force_login(steering)
    client.post(
        url(world.p, f"{YEAR}/edit/"),
        form(
            summary="The partnership's first full year.",
            successes="Patrols at the bus stop.",
            case_studies="A pupil in year 9 was supported through the early-help plan.",
            further_work="Online bullying.",
            priorities="Journeys home.",
            resources="The officer full time.",
        ),
    )

    response = client.get(url(world.p, f"{YEAR}.pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "horley-ssp-annual-report-2025-26.pdf" in response["Content-Disposition"]
    content = pdf_text(response.content)
    for expected in (
        "Annual report and business plan 2025/26",
        "Partners and governance",
        "The officers' activity",
        "Bus stop",
        "fewer than 5",
        "The partnership's first full year.",
        "Patrols at the bus stop.",
        "supported through the early-help plan",
        "Online bullying.",
        "Journeys home.",
        "The officer full time.",
        "Business plan for 2026/27",
    ):
        assert expected in content, expected
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.object_type, event.object_id) == ("core.partnership", str(world.p.pk))
    assert event.detail == {"document": "annual_report", "format": "pdf", "year": YEAR}
