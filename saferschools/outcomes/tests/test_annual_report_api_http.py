"""The annual report API over real HTTP: a partner reads the report's figures and downloads its
PDF with a token; a bad year and an outsider get their answers."""

import io
import json
import urllib.error
import urllib.request

import pytest
import time_machine
from pypdf import PdfReader

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.core.models import AuditAction, AuditEvent

from .annual_report_world import NOW, make_year

# The live server runs in another thread and needs committed data; the serialized rollback
# restores what migrations put in the database (the audit chain's head) for each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def get(url: str, key: str, accept: str = "application/json") -> tuple[int, dict[str, str], bytes]:
    """GET ``url`` with a token; the status, headers and body, also for 4xx answers."""
    request = urllib.request.Request(  # noqa: S310 - the test's own live server
        url, headers={"Accept": accept, "Authorization": f"Token {key}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def test_a_partner_reads_the_report_and_downloads_it_over_http(live_server, world, persona):
    with time_machine.travel(NOW):
        year = make_year(world, persona)
        _, key = api_token_create(actor=None, user=year.officer, name="http", source="test")
        outsider = persona(Role.SSP_OFFICER, world.q)
        _, outsider_key = api_token_create(actor=None, user=outsider, name="http", source="test")
        base = f"{live_server.url}/api/v1/partnerships/{world.p.pk}/annual-report"

        status, headers, body = get(f"{base}?year=2025/26", key)
        assert status == 200
        assert headers["Content-Type"] == "application/json"
        data = json.loads(body)
        assert (data["year_label"], data["summary"]["incidents"]["value"]) == ("2025/26", 18)

        status, headers, body = get(f"{base}.pdf?year=2025", key, accept="application/pdf")
        assert status == 200
        assert headers["Content-Type"] == "application/pdf"
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
        assert "Annual report and business plan 2025/26" in text

        status, headers, body = get(f"{base}.pdf?year=2025/27", key, accept="application/pdf")
        assert status == 400
        assert headers["Content-Type"] == "application/json"
        assert list(json.loads(body)["errors"]) == ["year"]

        status, _, body = get(f"{base}?year=2025", outsider_key)
        assert (status, json.loads(body)) == (404, {"detail": "Not found."})
        assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 1
