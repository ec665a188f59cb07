"""The chronology's page, PDF and CSV, and its part of the pupil's page: who sees them, what
they show, how they are filtered, and that every read and export is audited."""

import csv
import io
import re
import uuid
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from saferschools.accounts.models import Role
from saferschools.casework.models import RiskLevel
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.lib.schooldays import LONDON
from saferschools.sharing.models import SharingDecision

from .test_chronology import MEETING_NOTE, REPORT_TEXT, assess, casework_record, decide

pytestmark = pytest.mark.django_db


def page_url(pupil) -> str:
    return reverse("casework-chronology", args=[pupil.pk])


def pdf_url(pupil) -> str:
    return reverse("casework-chronology-pdf", args=[pupil.pk])


def csv_url(pupil) -> str:
    return reverse("casework-chronology-csv", args=[pupil.pk])


def without_token(content: bytes) -> bytes:
    """A page without its CSRF token, which differs on every page."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


def chronology_events(pupil, action=AuditAction.VIEW):
    return AuditEvent.objects.filter(
        action=action, object_id=str(pupil.pk), detail__chronology=True
    ).order_by("seq")


@pytest.fixture
def record(world, dsl):
    return casework_record(world, dsl, world.pupil_a)


def test_a_safeguarding_lead_reads_the_chronology_and_the_read_is_audited(
    client, world, dsl, record
):
    client.force_login(dsl)
    page = client.get(page_url(world.pupil_a))
    assert page.status_code == 200
    body = page.content.decode()
    assert "14 entries" in body
    assert "Decided not to share with Surrey Police" in body
    assert reverse("casework-plan", args=[record.plan.pk]) in body
    assert REPORT_TEXT not in body and MEETING_NOTE not in body
    assert csv_url(world.pupil_a) in body
    (event,) = chronology_events(world.pupil_a)
    assert event.actor_id == dsl.pk
    assert event.detail == {"chronology": True}
    assert event.source == "web:casework-chronology"


@pytest.mark.parametrize(
    ("role", "where"),
    [
        (Role.SCHOOL_STAFF, "school_a"),
        (Role.SSP_OFFICER, "q"),
        (Role.LA_ANALYST, "area"),
        (Role.POLICE_SUPERVISOR, "area"),
        (Role.STEERING_MEMBER, "p"),
        (Role.AREA_ADMIN, "area"),
        (Role.AGENCY_PRACTITIONER, "yot"),
        (Role.SAFEGUARDING_LEAD, "school_b"),
    ],
    ids=lambda value: str(value),
)
def test_nobody_else_learns_the_chronology_exists(client, world, persona, record, role, where):
    record.shared.delete()
    client.force_login(persona(role, getattr(world, where)))
    missing = client.get(page_url(world.pupil_a).replace(str(world.pupil_a.pk), str(uuid.uuid4())))
    for url in (page_url(world.pupil_a), pdf_url(world.pupil_a), csv_url(world.pupil_a)):
        response = client.get(url)
        assert response.status_code == 404
        assert without_token(response.content) == without_token(missing.content)
    assert not AuditEvent.objects.filter(object_id=str(world.pupil_a.pk)).exists()


def test_a_practitioner_reads_only_what_the_grant_names_until_it_expires(
    client, world, dsl, practitioner, record
):
    client.force_login(practitioner)
    page = client.get(page_url(world.pupil_a))
    assert page.status_code == 200
    body = page.content.decode()
    assert "2 entries" in body
    assert "Risk assessment: high risk" in body
    assert "Decided to share with Surrey YOS" in body
    assert "Decided not to share" not in body and "Referred to" not in body
    # The CSV is for the school's case workers, who answer lawful requests.
    assert csv_url(world.pupil_a) not in body
    assert client.get(csv_url(world.pupil_a)).status_code == 404
    (event,) = chronology_events(world.pupil_a)
    assert event.detail == {"chronology": True, "grant": str(record.shared.pk)}
    # Another pupil of the same school stays out of reach.
    assert client.get(page_url(world.pupil_b)).status_code == 404

    # The grant ends as its expiry date starts, in the United Kingdom.
    ends = datetime.combine(record.shared.expires_on, time(), tzinfo=LONDON)
    with time_machine.travel(ends - timedelta(seconds=1), tick=False):
        client.force_login(practitioner)
        assert client.get(page_url(world.pupil_a)).status_code == 200
    with time_machine.travel(ends, tick=False):
        client.force_login(practitioner)
        assert client.get(page_url(world.pupil_a)).status_code == 404
        assert client.get(pdf_url(world.pupil_a)).status_code == 404


def test_a_revoked_grant_ends_the_practitioners_reading_at_once(
    client, world, dsl, practitioner, record
):
    client.force_login(practitioner)
    assert client.get(page_url(world.pupil_a)).status_code == 200
    SharingDecision.objects.filter(pk=record.shared.pk).update(
        revoked_at=timezone.now(), revoked_by=dsl
    )
    assert client.get(page_url(world.pupil_a)).status_code == 404


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"kind": "diary"}, "kind", "Choose what to show from the list"),
        (
            {"since_day": "31", "since_month": "2", "since_year": "2026"},
            "since",
            "The date to show from must be a real date",
        ),
        (
            {"since_day": "1", "since_month": "1", "since_year": "9" * 5000},
            "since",
            "The date to show from must be a real date",
        ),
        (
            {"since_day": "9" * 5000, "since_month": "1", "since_year": "2026"},
            "since",
            "The date to show from must be a real date",
        ),
        (
            {"until_day": "1", "until_month": "1", "until_year": "1999"},
            "until",
            "Enter a date from 2000 to 2100",
        ),
        (
            {
                "since_day": "2",
                "since_month": "3",
                "since_year": "2026",
                "until_day": "1",
                "until_month": "3",
                "until_year": "2026",
            },
            "until",
            "The date to show to must be the same as or after the first",
        ),
        ({"until_day": "1\x00", "until_month": "3", "until_year": "2026"}, "until", "real date"),
    ],
    ids=["kind", "not-a-date", "huge-year", "huge-day", "too-early", "backwards", "nul"],
)
def test_bad_filters_are_named_and_show_nothing(client, world, dsl, record, query, field, message):
    client.force_login(dsl)
    for url in (page_url(world.pupil_a), pdf_url(world.pupil_a), csv_url(world.pupil_a)):
        response = client.get(url, query)
        assert response.status_code == 400
        assert response.context["form"].errors[field]
        assert message in response.content.decode()
        assert "Decided not to share" not in response.content.decode()
    assert not chronology_events(world.pupil_a).exists()
    assert not chronology_events(world.pupil_a, AuditAction.EXPORT).exists()


def test_the_filters_narrow_the_page_and_travel_to_the_downloads(client, world, dsl, record):
    client.force_login(dsl)
    day = timezone.localdate() - timedelta(days=2)
    query = {
        "kind": ["plan", "police_notification"],
        "since_day": str(day.day),
        "since_month": str(day.month),
        "since_year": str(day.year),
    }
    page = client.get(page_url(world.pupil_a), query)
    assert page.status_code == 200
    assert [e.summary for e in page.context["entries"]] == [
        "Notification from the police read by the school, and the support given recorded",
        "Notification from the police: domestic abuse at home",
        "Early-intervention plan reviewed",
    ]
    expected = f"kind=plan&amp;kind=police_notification&amp;since_day={day.day}"
    assert f"{pdf_url(world.pupil_a)}?{expected}" in page.content.decode()


def test_a_long_chronology_is_paginated_in_the_same_queries(
    client, world, dsl, record, django_assert_max_num_queries
):
    client.force_login(dsl)
    client.get(page_url(world.pupil_a))  # the session and caches settle
    for days in range(60):
        assess(world.pupil_a, dsl, at=timezone.now() - timedelta(days=100 + days))
    with django_assert_max_num_queries(32):
        first = client.get(page_url(world.pupil_a))
    assert "74 entries, page 1 of 2" in first.content.decode()
    assert len(first.context["entries"]) == 50
    second = client.get(page_url(world.pupil_a), {"page": "2"})
    assert len(second.context["entries"]) == 24
    assert client.get(page_url(world.pupil_a), {"page": "x" * 50}).status_code == 200


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(page.extract_text() for page in reader.pages)


def test_the_pdf_prints_the_chronology_and_is_audited_as_an_export(client, world, dsl, record):
    client.force_login(dsl)
    response = client.get(pdf_url(world.pupil_a), {"kind": ["assessment", "referral"]})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    text = " ".join(pdf_text(response.content).split())
    assert f"Chronology: {world.pupil_a.name}" in text
    assert "Shown: Risk assessments, Referrals" in text
    assert "Risk assessment: high risk" in text
    assert "Referral to Surrey YOS: Accepted" in text
    assert "Decided not to share" not in text
    assert "OFFICIAL-SENSITIVE" in text
    (event,) = chronology_events(world.pupil_a, AuditAction.EXPORT)
    assert event.detail == {"chronology": True, "format": "pdf"}


def test_a_practitioners_pdf_holds_only_what_the_grant_names(client, world, practitioner, record):
    client.force_login(practitioner)
    text = pdf_text(client.get(pdf_url(world.pupil_a)).content)
    assert "Risk assessment: high risk" in text
    assert "Referred to" not in text and "Incident" not in text
    (event,) = chronology_events(world.pupil_a, AuditAction.EXPORT)
    assert event.detail["grant"] == str(record.shared.pk)


def test_the_csv_answers_a_lawful_request_safely(client, world, dsl, record):
    world.pupil_a.given_name = "=HYPERLINK(1)"
    world.pupil_a.save()
    client.force_login(dsl)
    response = client.get(csv_url(world.pupil_a), {"kind": "assessment"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["pupil", "school", "date", "time", "kind", "summary", "record id"]
    (row,) = rows[1:]
    assert row[0] == f"'=HYPERLINK(1) {world.pupil_a.family_name}"
    assert row[1] == "Oakwood School"
    assert row[4:] == ["Risk assessments", "Risk assessment: high risk", str(record.assessment.pk)]
    (event,) = chronology_events(world.pupil_a, AuditAction.EXPORT)
    assert event.detail == {"chronology": True, "format": "csv"}


def test_the_pupil_page_shows_the_latest_five_entries(client, world, dsl, staff, record):
    client.force_login(dsl)
    body = client.get(reverse("casework-pupil", args=[world.pupil_a.pk])).content.decode()
    assert "The latest 5 of 14 entries" in body
    assert page_url(world.pupil_a) in body
    assert "Notification from the police: domestic abuse at home" in body
    assert "Referred to Surrey YOS" not in body  # older than the latest five
    client.force_login(staff)
    body = client.get(reverse("casework-pupil", args=[world.pupil_a.pk])).content.decode()
    assert page_url(world.pupil_a) not in body


def test_a_practitioner_sees_the_panel_for_the_granted_pupil(client, world, dsl, practitioner):
    assess(world.pupil_a, dsl, at=timezone.now(), level=RiskLevel.MEDIUM)
    decide(world.pupil_a, world.yot, dsl)
    client.force_login(practitioner)
    body = client.get(reverse("casework-pupil", args=[world.pupil_a.pk])).content.decode()
    assert "Risk assessment: medium risk" in body
    assert "The latest 2 of 2 entries" in body
