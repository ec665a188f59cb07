"""The CSV export of the inbox: its columns, its filters, names only when asked, no free text,
no formula a spreadsheet would run, and one audit event per exported report."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.urls import reverse

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.reporting import services
from saferschools.testing.browser import CHROMIUM, assert_accessible, sign_in
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


def test_a_handlers_refused_download_offers_the_whole_form_again(client, dsl):
    client.force_login(dsl)
    response = client.get(EXPORT, {"status": "nonsense", "include_names": "1"})
    assert response.status_code == 400
    body = response.content.decode()
    for name in ("school", "category", "status", "overdue", "mine", "include_names"):
        assert f'name="{name}"' in body
    assert f'href="{reverse("reporting-inbox")}" class="govuk-back-link"' in body


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


@pytest.mark.parametrize(
    ("role", "where"),
    [
        (Role.AREA_ADMIN, "area"),
        (Role.POLICE_SUPERVISOR, "police"),
        (Role.POLICE_SUPERVISOR, "area"),
        (Role.AGENCY_PRACTITIONER, "police"),
    ],
)
def test_export_is_404_for_roles_without_reports(client, world, persona, named, role, where):
    client.force_login(persona(role, getattr(world, where)))
    assert client.get(EXPORT).status_code == 404
    assert client.get(EXPORT, {"include_names": "1"}).status_code == 404
    assert not exports().exists()


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


# The register for the steering group and the area's analysts ------------------------------

REGISTER_COLUMNS = [column for column in COLUMNS if column != "assigned to"]
WRITTEN = ["Secret words", "Pupil wrote back", "School replied", "Staff note", "Tuesday"]


@pytest.fixture
def everywhere(world, dsl, staff):
    """A report at every school: A and B (partnership P), C (Q), D (the other area) and E (in
    no partnership). A's is named, assigned, answered and written back to."""
    reports = {
        "a": submit_report(
            world.school_a,
            anonymous=False,
            name="Alex Pupilname",
            year_group=9,
            description="Secret words the pupil wrote",
            occurred="Tuesday after PE",
        ).report,
        **{
            key: submit_report(getattr(world, f"school_{key}"), category="hate").report
            for key in "bcde"
        },
    }
    a = reports["a"]
    services.report_assign(actor=dsl, report=a, assignee=staff, source="test")
    services.report_reply(actor=dsl, report=a, body="School replied kindly", source="test")
    services.report_add_note(actor=dsl, report=a, body="Staff note on the case", source="test")
    services.followup_reply(report=a, body="Pupil wrote back again", source="test")
    return reports


@pytest.fixture
def steering(world, persona):
    return persona(Role.STEERING_MEMBER, world.p)


@pytest.fixture
def analyst(world, persona):
    return persona(Role.LA_ANALYST, world.area)


def ids(response) -> set[str]:
    return {row["id"] for row in rows_of(response)}


def test_steering_member_exports_their_partnerships_reports_only(client, steering, everywhere):
    client.force_login(steering)
    response = client.get(EXPORT, {"status": "all"})
    assert response.status_code == 200
    assert ids(response) == {str(everywhere["a"].pk), str(everywhere["b"].pk)}
    header = response.content.decode().removeprefix("\ufeff").splitlines()[0]
    assert header.split(",") == REGISTER_COLUMNS
    row = next(r for r in rows_of(response) if r["id"] == str(everywhere["a"].pk))
    assert row["school"] == "Oakwood School"
    assert row["category"] == "Bullying (in person)"
    assert row["status"] == "Acknowledged"


def test_the_register_holds_no_name_and_nothing_a_pupil_wrote(client, staff, steering, everywhere):
    client.force_login(steering)
    body = client.get(EXPORT, {"status": "all"}).content.decode()
    for text in [*WRITTEN, "Alex", "Pupilname", "Year 9", staff.full_name, staff.email]:
        assert text not in body
    assert "pupil name" not in body
    assert "assigned to" not in body


@pytest.mark.parametrize("value", ["1", "on", "true"])
def test_names_asked_for_by_the_steering_group_are_refused(client, steering, everywhere, value):
    client.force_login(steering)
    response = client.get(EXPORT, {"include_names": value, "status": "all"})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["include_names"]
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Names are only for those who handle the schools" in body
    assert "Alex" not in body
    assert not exports().exists()


def test_the_steering_groups_export_is_audited(client, steering, everywhere):
    client.force_login(steering)
    client.get(EXPORT, {"status": "all"})
    events = exports()
    assert {e.object_id for e in events} == {str(everywhere["a"].pk), str(everywhere["b"].pk)}
    assert all(e.actor_id == steering.pk for e in events)
    assert all(e.object_type == "reporting.report" for e in events)
    assert all(e.source == "web:reporting-export" for e in events)
    assert all(e.detail == {"format": "csv", "names": False} for e in events)


def test_the_register_follows_the_filters(client, world, steering, everywhere):
    client.force_login(steering)
    only_b = client.get(EXPORT, {"status": "all", "school": world.school_b.urn})
    assert ids(only_b) == {str(everywhere["b"].pk)}
    hate = client.get(EXPORT, {"status": "all", "category": "hate"})
    assert ids(hate) == {str(everywhere["b"].pk)}
    # The default, as in the inbox, is the open reports.
    services.report_close(actor=None, report=everywhere["b"], outcome="advice_given", source="test")
    assert ids(client.get(EXPORT)) == {str(everywhere["a"].pk)}


@pytest.mark.parametrize(("field", "value"), [("school", "c"), ("status", "x"), ("category", "x")])
def test_bad_register_filters_are_a_400_naming_the_field(
    client, world, steering, everywhere, field, value
):
    client.force_login(steering)
    value = world.school_c.urn if value == "c" else value
    response = client.get(EXPORT, {field: value})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert "There is a problem" in response.content.decode()
    assert "Woking High" not in response.content.decode()
    assert not exports().exists()


def test_analyst_exports_every_partnership_school_of_their_area(client, analyst, everywhere):
    client.force_login(analyst)
    response = client.get(EXPORT, {"status": "all"})
    assert response.status_code == 200
    # Not school D (another area), not school E (in no partnership).
    assert ids(response) == {str(everywhere[key].pk) for key in "abc"}
    body = response.content.decode()
    assert not any(text in body for text in [*WRITTEN, "Alex"])
    assert client.get(EXPORT, {"include_names": "1"}).status_code == 400


def test_analyst_of_the_other_area_exports_its_schools_only(client, world, persona, everywhere):
    client.force_login(persona(Role.LA_ANALYST, world.other_area))
    assert ids(client.get(EXPORT, {"status": "all"})) == {str(everywhere["d"].pk)}


def test_staff_without_a_report_get_404_and_with_one_export_it_alone(client, world, persona):
    report = submit_report(world.school_a).report
    submit_report(world.school_a)
    colleague = persona(Role.SCHOOL_STAFF, world.school_a)
    client.force_login(colleague)
    assert client.get(EXPORT).status_code == 404
    lead = persona(Role.SAFEGUARDING_LEAD, world.school_a)
    services.report_assign(actor=lead, report=report, assignee=colleague, source="test")
    response = client.get(EXPORT, {"include_names": "1"})
    assert response.status_code == 200
    assert ids(response) == {str(report.pk)}


def test_a_head_teacher_on_the_steering_group_gets_names_only_for_their_school(
    client, world, persona, everywhere
):
    head = persona(Role.HEAD_TEACHER, world.school_a)
    from saferschools.accounts.models import scope_fields
    from saferschools.testing.factories import MembershipFactory

    MembershipFactory(user=head, role=Role.STEERING_MEMBER, **scope_fields(world.p))
    b_lead = persona(Role.SAFEGUARDING_LEAD, world.school_b)
    b_staff = persona(Role.SCHOOL_STAFF, world.school_b, full_name="Bea Colleague")
    services.report_assign(actor=b_lead, report=everywhere["b"], assignee=b_staff, source="test")
    client.force_login(head)
    response = client.get(EXPORT, {"status": "all"})
    assert ids(response) == {str(everywhere["a"].pk), str(everywhere["b"].pk)}
    by_school = {row["school"]: row for row in rows_of(response)}
    # A is the head's own school; at B they only oversee, so who holds it is left out.
    assert by_school["Oakwood School"]["assigned to"] != ""
    assert by_school["Langshott Primary"]["assigned to"] == ""
    assert "Bea Colleague" not in response.content.decode()

    mixed = client.get(EXPORT, {"status": "all", "include_names": "1"})
    assert mixed.status_code == 400
    assert list(mixed.context["form"].errors) == ["include_names"]
    assert "Alex" not in mixed.content.decode()

    own = client.get(EXPORT, {"status": "all", "include_names": "1", "school": world.school_a.urn})
    (row,) = rows_of(own)
    assert row["pupil name"] == "Alex Pupilname"
    assert row["year group"] == "Year 9"


def test_the_export_costs_the_same_queries_however_many_reports(client, world, steering):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        client.force_login(steering)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(EXPORT).status_code == 200
        return len(captured)

    submit_report(world.school_a)
    few = queries()
    for _ in range(6):
        submit_report(world.school_b)
    assert queries() == few


# Where the download is offered ------------------------------------------------------------

COUNTS = reverse("reporting-counts")


@pytest.mark.parametrize("who", ["steering", "analyst"])
def test_the_counts_page_offers_the_register_without_names(client, request, world, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(COUNTS)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Download the list of reports" in body
    assert f'action="{EXPORT}"' in body
    assert "nothing a pupil wrote and no names" in body
    assert 'name="include_names"' not in body
    assert '<option value="all" selected>All</option>' in body
    offered = set(re.findall(r'<option value="(\d+)"', body))
    schools = [world.school_a, world.school_b] + ([world.school_c] if who == "analyst" else [])
    assert offered == {str(school.urn) for school in schools}


def test_the_counts_page_offers_no_download_to_those_who_may_not(client, practitioner):
    client.force_login(practitioner)
    response = client.get(COUNTS)
    assert response.status_code == 200
    assert "Download the list of reports" not in response.content.decode()
    assert EXPORT not in response.content.decode()


def test_a_handler_is_sent_to_the_inbox_for_names(client, dsl):
    client.force_login(dsl)
    body = client.get(COUNTS).content.decode()
    assert "Download the list of reports" in body
    assert 'name="include_names"' not in body
    assert f'href="{reverse("reporting-inbox")}"' in body


@pytest.mark.parametrize("who", ["steering", "analyst"])
def test_the_landing_page_links_the_steering_group_and_analysts_to_it(client, request, who):
    client.force_login(request.getfixturevalue(who))
    body = client.get(reverse("core-home")).content.decode()
    link = f'<a class="govuk-link" href="{COUNTS}#download">Download the list of reports</a>'
    assert link in body
    assert "without names or anything a pupil wrote" in body


@pytest.mark.parametrize("who", ["practitioner", "staff"])
def test_the_landing_page_has_no_such_link_for_others(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert f"{COUNTS}#download" not in client.get(reverse("core-home")).content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_a_steering_member_downloads_the_list_in_a_browser(page, world, persona, password):
    member = persona(Role.STEERING_MEMBER, world.p, email="sam@steering.example")
    a = submit_report(world.school_a, description="Secret words the pupil wrote").report
    b = submit_report(world.school_b).report
    sign_in(page, member.email, password)
    page.get_by_role("link", name="Download the list of reports").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("School").last.select_option(label="Langshott Primary")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the list (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert str(b.pk) in text
    assert str(a.pk) not in text
    assert "Secret words" not in text

    page.goto(f"{EXPORT}?include_names=1")
    summary = page.locator(".govuk-error-summary")
    summary.get_by_role("link", name="Names are only for those who handle").click()
    names = page.get_by_label("Include the names and year groups pupils gave")
    assert names.is_checked()
    assert_accessible(page)
    names.uncheck()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the list (CSV)").click()
    assert "pupil name" not in Path(download.value.path()).read_text(encoding="utf-8-sig")
