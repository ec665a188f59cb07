"""The demo's annual report: 2025/26 for the Horley partnership, written by its steering group
member through the report's service, naming no pupil, and written once however often the demo
is loaded."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from saferschools.accounts.models import User
from saferschools.core.demo import FAMILY_NAMES, GIVEN_NAMES
from saferschools.core.models import AuditAction, AuditEvent, Partnership
from saferschools.outcomes.annual_report_demo import STEERING, demo_annual_report
from saferschools.outcomes.annual_report_services import TEXT_FIELDS
from saferschools.outcomes.models import AnnualReport

pytestmark = pytest.mark.django_db


def test_the_demo_writes_last_years_report_once_as_its_steering_member():
    call_command("demo", "--quiet-sign-ins", stdout=io.StringIO())
    partnership = Partnership.objects.get()
    steering = User.objects.get(email=STEERING)

    report = AnnualReport.objects.get(partnership=partnership)
    assert (report.year, report.version, report.updated_by) == (2025, 1, steering)
    for name, _ in TEXT_FIELDS:
        assert getattr(report, name), name
    assert "Walking the route" in report.case_studies
    created = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(report.pk))
    assert (created.actor_id, created.source) == (steering.pk, "command:demo")

    call_command("demo", "--quiet-sign-ins", stdout=io.StringIO())
    demo_annual_report(partnership=partnership, secondary=None, primaries=[])  # type: ignore[arg-type]
    assert list(AnnualReport.objects.values_list("pk", "version")) == [(report.pk, 1)]

    # No pupil of the demo's registers is named: none of their names appears as a word.
    text = " ".join(getattr(report, name) for name, _ in TEXT_FIELDS)
    for name in (*GIVEN_NAMES, *FAMILY_NAMES):
        assert not re.search(rf"\b{re.escape(name)}\b", text), name

    # The demo's users read it, as a page and as a PDF.
    client = Client()
    client.force_login(steering)
    page = client.get(f"/partnerships/{partnership.pk}/annual-report/2025/")
    assert page.status_code == 200
    assert "Walking the route" in page.content.decode()
    pdf = client.get(f"/partnerships/{partnership.pk}/annual-report/2025.pdf")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
