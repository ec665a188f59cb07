"""The CSV export of the inbox: its columns, its filters, names only when asked, no free text,
no formula a spreadsheet would run, and one audit event per exported report."""

import csv
import io

import pytest
from django.urls import reverse

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.reporting import services
from saferschools.testing.factories import submit_report

pytestmark = pytest.mark.django_db

EXPORT = reverse("reporting-export")
COLUMNS = [
    "reference",
    "id",
    "school URN",
    "school",
    "category",
    "location",
    "received",
    "urgent",
    "urgent reasons",
    "status",
    "acknowledged at",
    "due at",
    "overdue",
    "assigned to",
    "closed at",
    "outcome",
]


@pytest.fixture
def officer(world, persona):
    return persona(Role.SSP_OFFICER, world.p)


@pytest.fixture
def named(world):
    return submit_report(
        world.school_a,
        anonymous=False,
        name='=HYPERLINK("http://x.example")',
        year_group=8,
        description="Secret words the pupil wrote",
        occurred="@yesterday",
    ).report


def rows_of(response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def exports():
    return AuditEvent.objects.filter(action=AuditAction.EXPORT)


def test_export_has_the_inbox_columns_and_no_names(client, world, dsl, named):
    client.force_login(dsl)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="reports-')
    header = response.content.decode().removeprefix("\ufeff").splitlines()[0]
    assert header.split(",") == COLUMNS
    (row,) = rows_of(response)
    assert row["reference"] == named.reference
    assert row["id"] == str(named.pk)
    assert row["school URN"] == str(world.school_a.urn)
    assert row["school"] == "Oakwood School"
    assert row["category"] == "Bullying (in person)"
    assert row["location"] == "At school"
    assert row["urgent"] == "no"
    assert row["status"] == "New"
    assert row["overdue"] == "no"
    body = response.content.decode()
    assert "HYPERLINK" not in body
    assert "Secret words" not in body
    assert "yesterday" not in body


def test_export_includes_names_when_asked_and_defuses_formulas(client, dsl, named):
    client.force_login(dsl)
    response = client.get(EXPORT, {"include_names": "1"})
    (row,) = rows_of(response)
    assert row["pupil name"] == '\'=HYPERLINK("http://x.example")'
    assert row["year group"] == "Year 8"
    assert "Secret words" not in response.content.decode()
    assert exports().get().detail == {"format": "csv", "names": True}


def test_export_shows_handling_and_times_in_uk_time(client, world, dsl, staff):
    report = submit_report(world.school_a, category="weapons").report
    services.report_assign(actor=dsl, report=report, assignee=staff, source="test")
    services.report_close(actor=dsl, report=report, outcome="police_action", source="test")
    client.force_login(dsl)
    (row,) = rows_of(client.get(EXPORT, {"status": "all"}))
    assert row["urgent"] == "yes"
    assert row["urgent reasons"] == "Serious category"
    assert row["assigned to"] == staff.full_name
    assert row["outcome"] == "Police action"
    assert row["status"] == "Closed"
    report.refresh_from_db()
    from django.utils import timezone

    assert row["closed at"] == timezone.localtime(report.closed_at).strftime("%Y-%m-%d %H:%M")


def test_export_follows_the_filters(client, world, officer):
    a = submit_report(world.school_a).report
    b = submit_report(world.school_b, category="hate").report
    client.force_login(officer)
    assert {r["id"] for r in rows_of(client.get(EXPORT))} == {str(a.pk), str(b.pk)}
    only_b = rows_of(client.get(EXPORT, {"school": world.school_b.urn}))
    assert [r["id"] for r in only_b] == [str(b.pk)]
    only_hate = rows_of(client.get(EXPORT, {"category": "hate"}))
    assert [r["id"] for r in only_hate] == [str(b.pk)]


def test_each_exported_report_is_audited(client, world, dsl):
    reports = [submit_report(world.school_a).report for _ in range(3)]
    submit_report(world.school_b)
    client.force_login(dsl)
    client.get(EXPORT)
    events = exports()
    assert {e.object_id for e in events} == {str(r.pk) for r in reports}
    assert all(e.actor_id == dsl.pk for e in events)
    assert all(e.source == "web:reporting-export" for e in events)
    assert all(e.detail == {"format": "csv", "names": False} for e in events)


@pytest.mark.parametrize("field", ["status", "category", "school"])
def test_bad_export_filters_are_a_400_and_export_nothing(client, world, dsl, named, field):
    client.force_login(dsl)
    response = client.get(EXPORT, {field: "nonsense"})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "There is a problem" in response.content.decode()
    assert not exports().exists()


@pytest.mark.parametrize("who", ["practitioner", "staff"])
def test_export_is_404_without_a_report_role(client, named, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(EXPORT).status_code == 404
    assert not exports().exists()


@pytest.mark.parametrize("role", [Role.LA_ANALYST, Role.STEERING_MEMBER, Role.AREA_ADMIN])
def test_export_is_404_for_roles_without_reports(client, world, persona, named, role):
    scope = world.p if role == Role.STEERING_MEMBER else world.area
    client.force_login(persona(role, scope))
    assert client.get(EXPORT).status_code == 404


def test_export_by_other_handlers_leaves_the_report_out(client, world, outside_officer, named):
    client.force_login(outside_officer)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert rows_of(response) == []
    assert str(named.pk) not in response.content.decode()
    assert not exports().exists()


def test_the_inbox_offers_the_download_with_its_filters(client, world, dsl, named):
    client.force_login(dsl)
    body = client.get(reverse("reporting-inbox"), {"category": "bullying"}).content.decode()
    assert f'action="{EXPORT}"' in body
    assert '<input type="hidden" name="category" value="bullying">' in body
    assert 'name="include_names"' in body
