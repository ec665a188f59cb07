"""The staff side of pupils' reports: the inbox, a report and each step on it, photos, counts,
the area's settings and safety advice, the landing page and the pupil's record."""

import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.reporting import selectors, services
from saferschools.reporting.models import (
    EntryKind,
    Report,
    ReportEntry,
    ReportingSettings,
    SafetyTopic,
    Status,
)
from saferschools.testing.factories import PupilFactory, submit_report

pytestmark = pytest.mark.django_db

INBOX = reverse("reporting-inbox")
COUNTS = reverse("reporting-counts")
HOME = reverse("core-home")
REPORT_TYPE = "reporting.report"
INTERNAL = "Internal note — the pupil cannot see this"


# People -----------------------------------------------------------------------------------


@pytest.fixture
def officer(world, persona):
    """The SSP officer deployed to partnership P (schools A and B)."""
    return persona(Role.SSP_OFFICER, world.p)


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a)


@pytest.fixture
def dsl_b(world, persona):
    """The safeguarding lead of school B, in the same partnership as school A."""
    return persona(Role.SAFEGUARDING_LEAD, world.school_b)


@pytest.fixture
def other_area_dsl(world, persona):
    return persona(Role.SAFEGUARDING_LEAD, world.school_d)


@pytest.fixture
def other_area_admin(world, persona):
    return persona(Role.AREA_ADMIN, world.other_area)


@pytest.fixture
def area_admin(world, persona):
    return persona(Role.AREA_ADMIN, world.area)


@pytest.fixture
def analyst(world, persona):
    return persona(Role.LA_ANALYST, world.area)


ALLOWED = ["dsl", "officer", "head"]
OUTSIDERS = ["outside_officer", "practitioner", "dsl_b", "other_area_dsl", "staff"]


@pytest.fixture
def report(world):
    """An anonymous report to school A whose text holds markup and a line break."""
    return submit_report(
        world.school_a,
        description="They wrote <b>loser</b> on my bag\nand <script>alert(1)</script>",
    ).report


def report_url(report, name="reporting-report", *args):
    return reverse(name, args=[report.pk, *args])


def views_of(report, **detail):
    events = AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type=REPORT_TYPE, object_id=str(report.pk)
    )
    return events.filter(detail=detail) if detail else events


def updates_of(report):
    return AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type=REPORT_TYPE, object_id=str(report.pk)
    ).exclude(actor_id=None)


def snapshot(report):
    """Everything a step could change about a report."""
    row = Report.objects.values(
        "status", "assigned_to", "pupil", "outcome", "acknowledged_at", "closed_at"
    ).get(pk=report.pk)
    entries = list(
        ReportEntry.objects.filter(report=report).values_list("kind", "body").order_by("at")
    )
    return row, entries, updates_of(report).count()


def png_file(width=640, height=480):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "screenshot.png"
    return buffer


# The inbox --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ALLOWED)
def test_report_handlers_see_the_report_in_their_inbox(client, world, report, request, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(INBOX)
    assert page.status_code == 200
    body = page.content.decode()
    assert report.reference in body
    assert report_url(report) in body
    assert "Oakwood School" in body
    assert "Bullying (in person)" in body
    assert "New message" in body
    # What the pupil wrote is never in the list.
    assert "loser" not in body


@pytest.mark.parametrize("who", ["outside_officer", "dsl_b", "other_area_dsl"])
def test_other_handlers_do_not_see_the_report_in_their_inbox(client, report, request, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(INBOX)
    assert page.status_code == 200
    assert report.reference not in page.content.decode()
    assert list(page.context["rows"]) == []


@pytest.mark.parametrize("who", ["practitioner", "staff", "analyst", "area_admin"])
def test_the_inbox_is_404_without_a_report_role(client, report, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(INBOX).status_code == 404


def test_the_inbox_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts-sign-in"))


def test_a_colleague_given_a_report_sees_it_and_only_it(client, world, dsl, staff, report):
    other = submit_report(world.school_a).report
    services.report_assign(actor=dsl, report=report, assignee=staff, source="test")
    client.force_login(staff)
    page = client.get(INBOX)
    assert page.status_code == 200
    assert [row.report.pk for row in page.context["rows"]] == [report.pk]
    assert other.reference not in page.content.decode()
    assert client.get(report_url(report)).status_code == 200
    assert client.get(report_url(other)).status_code == 404


def test_urgent_open_reports_come_first(client, world, dsl):
    older_urgent = submit_report(world.school_a, in_danger=True).report
    newer = submit_report(world.school_a).report
    client.force_login(dsl)
    rows = client.get(INBOX).context["rows"]
    assert [row.report.pk for row in rows] == [older_urgent.pk, newer.pk]
    body = client.get(INBOX).content.decode()
    assert "Someone is in danger now" in body
    assert "Urgent" in body


def test_received_times_are_shown_in_uk_time(client, world, dsl):
    with time_machine.travel("2025-07-01 09:30:00+00:00", tick=False):
        submit_report(world.school_a)
    client.force_login(dsl)
    body = client.get(INBOX, {"status": "all"}).content.decode()
    assert "1 Jul 2025 10:30" in body


def test_status_filter(client, world, dsl, report):
    closed = submit_report(world.school_a).report
    services.report_close(actor=dsl, report=closed, outcome="advice_given", source="test")
    client.force_login(dsl)

    def shown(**query):
        return {row.report.pk for row in client.get(INBOX, query).context["rows"]}

    assert shown() == {report.pk}
    assert shown(status="open") == {report.pk}
    assert shown(status="new") == {report.pk}
    assert shown(status="acknowledged") == set()
    assert shown(status="closed") == {closed.pk}
    assert shown(status="all") == {report.pk, closed.pk}


def test_category_school_and_mine_filters(client, world, officer, report):
    weapons = submit_report(world.school_b, category="weapons").report
    services.report_assign(actor=officer, report=weapons, assignee=officer, source="test")
    client.force_login(officer)

    def shown(**query):
        response = client.get(INBOX, query)
        assert response.status_code == 200
        return {row.report.pk for row in response.context["rows"]}

    assert shown() == {report.pk, weapons.pk}
    assert shown(category="weapons") == {weapons.pk}
    assert shown(school=world.school_a.urn) == {report.pk}
    assert shown(school=world.school_b.urn) == {weapons.pk}
    assert shown(mine="1") == {weapons.pk}


def test_the_school_filter_offers_only_the_schools_one_handles(client, world, dsl):
    client.force_login(dsl)
    choices = dict(client.get(INBOX).context["form"].fields["school"].choices)
    assert world.school_a.urn in choices
    assert world.school_b.urn not in choices


def test_overdue_filter(client, world, dsl, report):
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        late = submit_report(world.school_a).report
    client.force_login(dsl)
    response = client.get(INBOX, {"overdue": "1"})
    assert [row.report.pk for row in response.context["rows"]] == [late.pk]
    assert "Overdue" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "pending"}, "status"),
        ({"category": "nonsense"}, "category"),
        ({"school": "not-a-number"}, "school"),
        ({"school": "999999"}, "school"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(client, world, dsl, report, query, field):
    client.force_login(dsl)
    response = client.get(INBOX, query)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    body = response.content.decode()
    assert "There is a problem" in body
    assert f'href="#id_{field}"' in body
    assert report.reference not in body


def test_a_school_of_another_partnership_is_refused_as_a_filter(client, world, dsl):
    submit_report(world.school_c)
    client.force_login(dsl)
    response = client.get(INBOX, {"school": world.school_c.urn})
    assert response.status_code == 400
    assert "Choose one of the schools whose reports you handle" in response.content.decode()


def test_htmx_gets_the_results_alone(client, world, dsl, report):
    client.force_login(dsl)
    response = client.get(INBOX, {"status": "open"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="report-results">')
    assert "<html" not in body
    assert report.reference in body


def test_the_inbox_is_paginated_and_keeps_its_filters(client, world, dsl):
    for _ in range(55):
        submit_report(world.school_a)
    client.force_login(dsl)
    first = client.get(INBOX, {"category": "bullying"})
    assert len(first.context["rows"]) == 50
    assert "page=2" in first.content.decode()
    assert "category=bullying&amp;page=2" in first.content.decode()
    second = client.get(INBOX, {"category": "bullying", "page": "2"})
    assert len(second.context["rows"]) == 5
    assert client.get(INBOX, {"page": "nonsense"}).status_code == 200


def _inbox_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(INBOX, {"status": "all"}).status_code == 200
    return len(queries.captured_queries)


def test_inbox_queries_do_not_grow_with_reports(client, world, dsl, staff):
    client.force_login(dsl)
    for _ in range(3):
        report = submit_report(world.school_a).report
        services.report_assign(actor=dsl, report=report, assignee=staff, source="test")
    small = _inbox_queries(client)
    for n in range(45):
        report = submit_report(world.school_a, in_danger=n % 2 == 0).report
        if n % 3 == 0:
            services.report_assign(actor=dsl, report=report, assignee=dsl, source="test")
    large = _inbox_queries(client)
    assert large == small


def test_inbox_query_count_is_bounded(client, world, dsl, django_assert_max_num_queries):
    for n in range(60):
        submit_report(world.school_a, category="weapons" if n % 2 else "bullying")
    client.force_login(dsl)
    # session, user, memberships, the schools handled, the count, the page of reports, the
    # unread notifications of the navigation, and the session saved with its savepoints.
    with django_assert_max_num_queries(10):
        assert client.get(INBOX).status_code == 200


def test_the_inbox_is_get_only(client, dsl):
    client.force_login(dsl)
    assert client.post(INBOX).status_code == 405


# One report -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ALLOWED)
def test_report_page_for_handlers(client, world, report, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    page = client.get(report_url(report))
    assert page.status_code == 200
    body = page.content.decode()
    assert f"Report {report.reference}" in body
    assert "Anonymous" in body
    assert "Last Tuesday at lunch" in body
    event = views_of(report).get()
    assert event.actor_id == user.pk
    assert event.source == "web:reporting-report"
    report.refresh_from_db()
    assert report.unread_by_school is False


@pytest.mark.parametrize("who", OUTSIDERS)
def test_report_page_is_404_for_outsiders(client, report, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(report_url(report)).status_code == 404
    assert not views_of(report).exists()
    report.refresh_from_db()
    assert report.unread_by_school is True


def test_a_missing_or_malformed_report_is_404(client, dsl):
    client.force_login(dsl)
    assert client.get("/reports/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/reports/not-a-report/").status_code == 404


def test_what_the_pupil_wrote_is_shown_as_text_with_its_line_breaks(client, dsl, report):
    client.force_login(dsl)
    body = client.get(report_url(report)).content.decode()
    assert "They wrote &lt;b&gt;loser&lt;/b&gt; on my bag<br>and &lt;script&gt;" in body
    assert "<script>alert(1)</script>" not in body


def test_a_named_report_shows_the_name_and_year_group(client, world, dsl):
    named = submit_report(world.school_a, anonymous=False, name="Sam <Okafor>", year_group=9).report
    client.force_login(dsl)
    body = client.get(report_url(named)).content.decode()
    assert "Named: Sam &lt;Okafor&gt;, Year 9" in body


def test_urgency_reasons_and_due_times_are_shown(client, world, dsl):
    urgent = submit_report(
        world.school_a, category="weapons", in_danger=True, description="He has a knife"
    ).report
    client.force_login(dsl)
    body = client.get(report_url(urgent)).content.decode()
    assert (
        "Urgent: Someone is in danger now; Serious category; "
        "Words that call for urgent attention." in body
    )
    assert "Not yet: due by" in body


def test_the_timeline_marks_notes_as_internal(client, world, dsl, report):
    services.report_reply(actor=dsl, report=report, body="Thank you for telling us", source="t")
    services.report_add_note(actor=dsl, report=report, body="Spoke to form tutor", source="t")
    client.force_login(dsl)
    response = client.get(report_url(report))
    body = response.content.decode()
    assert "Thank you for telling us" in body
    assert "Sent to the pupil" in body
    note_at = body.index("Spoke to form tutor")
    assert body.rindex(INTERNAL, 0, note_at) > body.index("Thank you for telling us")
    kinds = [entry.kind for entry in response.context["timeline"]]
    assert kinds == [
        EntryKind.RECEIVED,
        EntryKind.ACKNOWLEDGED,
        EntryKind.SCHOOL_MESSAGE,
        EntryKind.NOTE,
    ]


def test_the_report_page_is_get_only(client, dsl, report):
    client.force_login(dsl)
    assert client.post(report_url(report)).status_code == 405


# Photos -----------------------------------------------------------------------------------


@pytest.fixture
def with_photo(world):
    return submit_report(world.school_a, photos=[png_file()]).report


def test_photos_are_shown_on_the_report_page(client, dsl, with_photo):
    client.force_login(dsl)
    body = client.get(report_url(with_photo)).content.decode()
    assert f'src="{report_url(with_photo, "reporting-photo", 1)}"' in body
    assert 'width="300" height="225"' in body


def test_a_photo_is_served_privately_and_audited(client, dsl, with_photo):
    client.force_login(dsl)
    response = client.get(report_url(with_photo, "reporting-photo", 1))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert Image.open(io.BytesIO(response.content)).size == (640, 480)
    event = views_of(with_photo, photo=1).get()
    assert event.actor_id == dsl.pk
    assert event.source == "web:reporting-photo"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_a_photo_is_404_for_outsiders(client, with_photo, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(report_url(with_photo, "reporting-photo", 1)).status_code == 404
    assert not views_of(with_photo).exists()


@pytest.mark.parametrize("position", [0, 2, 4, 99999])
def test_a_photo_that_is_not_there_is_404(client, dsl, with_photo, position):
    client.force_login(dsl)
    assert client.get(report_url(with_photo, "reporting-photo", position)).status_code == 404


# Steps taken on a report ------------------------------------------------------------------

STEPS = {
    "reporting-acknowledge": {},
    "reporting-assign": {"assignee": "SELF"},
    "reporting-reply": {"body": "We are looking into it."},
    "reporting-note": {"body": "Called parents."},
    "reporting-close": {"outcome": "advice_given"},
    "reporting-link-pupil": {"pupil": "PUPIL"},
}


def _data(step, user, world):
    data = dict(STEPS.get(step, {}))
    if data.get("assignee") == "SELF":
        data["assignee"] = str(user.pk)
    if data.get("pupil") == "PUPIL":
        data["pupil"] = str(world.pupil_a.pk)
    return data


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("who", ALLOWED)
def test_each_step_works_for_handlers(client, world, report, request, who, step):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.post(report_url(report, step), _data(step, user, world))
    assert response.status_code == 302
    assert response["Location"] == report_url(report)
    event = updates_of(report).get()
    assert event.actor_id == user.pk
    assert event.source == f"web:{step}"
    page = client.get(response["Location"])
    assert "govuk-notification-banner--success" in page.content.decode()


@pytest.mark.parametrize("step", [*STEPS, "reporting-reopen"])
@pytest.mark.parametrize("who", OUTSIDERS)
def test_each_step_is_404_for_outsiders(client, world, dsl, report, request, who, step):
    client.force_login(request.getfixturevalue(who))
    before = snapshot(report)
    response = client.post(report_url(report, step), _data(step, dsl, world))
    assert response.status_code == 404
    assert snapshot(report) == before


@pytest.mark.parametrize("step", [*STEPS, "reporting-reopen"])
def test_steps_are_post_only(client, dsl, report, step):
    client.force_login(dsl)
    assert client.get(report_url(report, step)).status_code == 405


def test_a_colleague_given_the_report_can_reply(client, dsl, staff, report):
    services.report_assign(actor=dsl, report=report, assignee=staff, source="test")
    client.force_login(staff)
    response = client.post(report_url(report, "reporting-reply"), {"body": "Hello"})
    assert response.status_code == 302
    assert list(selectors.followup_messages(report=report).values_list("body", flat=True)) == [
        "Hello"
    ]


def test_acknowledge(client, dsl, report):
    client.force_login(dsl)
    client.post(report_url(report, "reporting-acknowledge"))
    report.refresh_from_db()
    assert report.status == Status.ACKNOWLEDGED
    assert report.acknowledged_by == dsl
    assert updates_of(report).get().detail == {"step": "acknowledge"}


def _assert_refused(response, field_text, anchor):
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert f'<a href="#{anchor}">{field_text}</a>' in body
    # The link leads somewhere: the field, or the button of the step refused.
    assert f'id="{anchor}"' in body
    assert "<title>Error: " in body


def test_acknowledging_a_closed_report_is_refused(client, dsl, report):
    services.report_close(actor=dsl, report=report, outcome="advice_given", source="test")
    client.force_login(dsl)
    before = snapshot(report)
    response = client.post(report_url(report, "reporting-acknowledge"))
    _assert_refused(response, "This report is closed", "acknowledge")
    assert snapshot(report) == before
    # The report is shown again, and that showing is a read like any other.
    assert views_of(report).count() == 1


def test_assign_to_a_colleague(client, dsl, staff, report):
    client.force_login(dsl)
    response = client.post(report_url(report, "reporting-assign"), {"assignee": str(staff.pk)})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.assigned_to == staff
    assert staff.notifications.filter(kind="report_assigned").exists()


@pytest.mark.parametrize("value", ["", "not-a-user", "00000000-0000-0000-0000-000000000000"])
def test_assign_with_a_bad_colleague_is_refused(client, dsl, report, value):
    client.force_login(dsl)
    before = snapshot(report)
    response = client.post(report_url(report, "reporting-assign"), {"assignee": value})
    message = (
        "Choose a colleague to assign the report to"
        if not value
        else "Choose a colleague who works at this school"
    )
    _assert_refused(response, message, "assign_assignee")
    assert snapshot(report) == before


def test_assign_to_someone_at_another_school_is_refused(client, dsl, dsl_b, report):
    client.force_login(dsl)
    before = snapshot(report)
    response = client.post(report_url(report, "reporting-assign"), {"assignee": str(dsl_b.pk)})
    _assert_refused(response, "Choose a colleague who works at this school", "assign_assignee")
    assert snapshot(report) == before


def test_reply_reaches_the_pupil_and_acknowledges(client, dsl, report):
    client.force_login(dsl)
    client.post(report_url(report, "reporting-reply"), {"body": "Thank you 🙏\r\nWe will help"})
    report.refresh_from_db()
    assert report.status == Status.ACKNOWLEDGED
    messages = list(selectors.followup_messages(report=report).values_list("body", flat=True))
    assert messages == ["Thank you 🙏\nWe will help"]


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("", "Enter a reply to the pupil"),
        ("   ", "Enter a reply to the pupil"),
        ("x" * 2001, "Use 2,000 characters or fewer (this has 2,001)"),
    ],
)
def test_a_bad_reply_is_refused(client, dsl, report, body, text):
    client.force_login(dsl)
    before = snapshot(report)
    response = client.post(report_url(report, "reporting-reply"), {"body": body})
    _assert_refused(response, text, "reply_body")
    assert snapshot(report) == before


def test_replying_to_a_closed_report_is_refused(client, dsl, report):
    services.report_close(actor=dsl, report=report, outcome="advice_given", source="test")
    client.force_login(dsl)
    before = snapshot(report)
    response = client.post(report_url(report, "reporting-reply"), {"body": "Hello"})
    _assert_refused(response, "Reopen the report to reply: it is closed", "reply_body")
    assert snapshot(report) == before


def test_a_note_is_kept_from_the_pupil(client, dsl, report):
    client.force_login(dsl)
    client.post(report_url(report, "reporting-note"), {"body": "Parents called"})
    assert report.entries.filter(kind=EntryKind.NOTE, body="Parents called").exists()
    assert not selectors.followup_messages(report=report).exists()


def test_an_empty_note_is_refused(client, dsl, report):
    client.force_login(dsl)
    before = snapshot(report)
    response = client.post(report_url(report, "reporting-note"), {"body": ""})
    _assert_refused(response, "Enter the note", "note_body")
    assert snapshot(report) == before


def test_close_with_an_outcome_and_a_note(client, dsl, report):
    client.force_login(dsl)
    response = client.post(
        report_url(report, "reporting-close"),
        {"outcome": "referred", "note": "Referred to CAMHS"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.outcome, report.closed_by) == ("closed", "referred", dsl)
    body = client.get(report_url(report)).content.decode()
    assert "Closed: Referred to an agency" in body
    assert INTERNAL in body
    assert "Reopen the report" in body
    assert "Send the reply" not in body


@pytest.mark.parametrize(
    ("outcome", "text"), [("", "Choose the outcome"), ("won", "Choose one of the outcomes listed")]
)
def test_close_without_a_good_outcome_is_refused(client, dsl, report, outcome, text):
    client.force_login(dsl)
    before = snapshot(report)
    response = client.post(report_url(report, "reporting-close"), {"outcome": outcome})
    _assert_refused(response, text, "close_outcome_0")
    assert snapshot(report) == before


def test_closing_twice_is_refused(client, dsl, report):
    services.report_close(actor=dsl, report=report, outcome="advice_given", source="test")
    client.force_login(dsl)
    before = snapshot(report)
    response = client.post(report_url(report, "reporting-close"), {"outcome": "referred"})
    _assert_refused(response, "This report is already closed", "close_outcome_0")
    assert snapshot(report) == before


def test_reopen(client, dsl, report):
    services.report_close(actor=dsl, report=report, outcome="advice_given", source="test")
    client.force_login(dsl)
    response = client.post(report_url(report, "reporting-reopen"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.ACKNOWLEDGED
    assert report.outcome == ""


def test_reopening_an_open_report_is_refused(client, dsl, report):
    client.force_login(dsl)
    before = snapshot(report)
    response = client.post(report_url(report, "reporting-reopen"))
    _assert_refused(response, "This report is not closed", "reopen")
    assert snapshot(report) == before


# Linking a pupil --------------------------------------------------------------------------


def test_pupil_search_on_the_report_lists_the_schools_pupils_and_audits_them(
    client, world, dsl, report
):
    ada = PupilFactory(school=world.school_a, given_name="Ada", family_name="Lovelace")
    PupilFactory(school=world.school_b, given_name="Ada", family_name="Byron")
    client.force_login(dsl)
    response = client.get(report_url(report), {"pupil_search": "ada"})
    assert response.status_code == 200
    assert response.context["pupil_results"] == [ada]
    body = response.content.decode()
    assert "Lovelace, Ada" in body
    assert "Byron" not in body
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=str(ada.pk), detail={"listing": True}
    ).exists()


def test_link_and_unlink_a_pupil(client, world, dsl, report):
    client.force_login(dsl)
    url = report_url(report, "reporting-link-pupil")
    assert client.post(url, {"pupil": str(world.pupil_a.pk)}).status_code == 302
    report.refresh_from_db()
    assert report.pupil == world.pupil_a
    page = client.get(report_url(report)).content.decode()
    assert reverse("casework-pupil", args=[world.pupil_a.pk]) in page
    assert world.pupil_a.name in page
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=str(world.pupil_a.pk)
    ).exists()
    assert client.post(url, {"unlink": "1"}).status_code == 302
    report.refresh_from_db()
    assert report.pupil is None


@pytest.mark.parametrize("value", ["", "not-a-uuid", "PUPIL_B", "PUPIL_D", None])
def test_linking_a_pupil_of_another_school_or_nobody_is_refused(client, world, dsl, report, value):
    client.force_login(dsl)
    before = snapshot(report)
    pupils = {"PUPIL_B": world.pupil_b.pk, "PUPIL_D": world.pupil_d.pk}
    data = {} if value is None else {"pupil": str(pupils.get(value, value))}
    response = client.post(report_url(report, "reporting-link-pupil"), data)
    _assert_refused(
        response, "Choose a pupil of the school from the search results", "pupil-search"
    )
    assert snapshot(report) == before


def test_the_pupils_record_lists_linked_reports_for_report_handlers(client, world, dsl, report):
    services.report_link_pupil(actor=dsl, report=report, pupil=world.pupil_a, source="test")
    client.force_login(dsl)
    page = client.get(reverse("casework-pupil", args=[world.pupil_a.pk]))
    assert page.context["reports"] == [report]
    assert report_url(report) in page.content.decode()


def test_the_pupils_record_hides_reports_from_other_staff(client, world, dsl, staff, report):
    services.report_link_pupil(actor=dsl, report=report, pupil=world.pupil_a, source="test")
    client.force_login(staff)
    page = client.get(reverse("casework-pupil", args=[world.pupil_a.pk]))
    assert page.status_code == 200
    assert page.context["reports"] is None
    assert report_url(report) not in page.content.decode()


# Counts -----------------------------------------------------------------------------------


def test_counts_for_a_report_handler_show_small_numbers(client, world, dsl):
    for _ in range(2):
        submit_report(world.school_a)
    client.force_login(dsl)
    response = client.get(COUNTS)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Oakwood School" in body
    cells = re.findall(r'govuk-table__cell--numeric">([^<]*)<', body)
    assert cells == ["2"]


@pytest.mark.parametrize("role", [Role.LA_ANALYST, Role.AREA_ADMIN, Role.POLICE_SUPERVISOR])
def test_counts_hide_small_numbers_from_roles_without_personal_data(client, world, persona, role):
    for _ in range(2):
        submit_report(world.school_a)
    for _ in range(6):
        submit_report(world.school_b, category="hate")
    client.force_login(persona(role, world.area))
    response = client.get(COUNTS)
    assert response.status_code == 200
    body = response.content.decode()
    assert "fewer than 5" in body
    assert re.findall(r'govuk-table__cell--numeric">([^<]*)<', body) == ["6", "fewer than 5"]
    assert "a small number can point to a child" in body


def test_counts_for_a_steering_member(client, world, persona):
    submit_report(world.school_a)
    client.force_login(persona(Role.STEERING_MEMBER, world.p))
    response = client.get(COUNTS)
    assert response.status_code == 200
    assert "fewer than 5" in response.content.decode()


def test_counts_by_week(client, world, dsl):
    with time_machine.travel("2025-03-05 12:00:00+00:00", tick=False):
        submit_report(world.school_a)
    client.force_login(dsl)
    response = client.get(COUNTS, {"by": "week"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Week beginning" in body
    assert "2025-03-03" in body
    assert "Spring 2024/25" in client.get(COUNTS).content.decode()


def test_counts_by_a_bad_period_is_a_400(client, dsl):
    client.force_login(dsl)
    response = client.get(COUNTS, {"by": "month"})
    assert response.status_code == 400
    assert "Choose to count by term or by week" in response.content.decode()
    assert "by" in response.context["form"].errors


def test_counts_of_other_areas_are_not_shown(client, world, other_area_dsl):
    submit_report(world.school_a)
    client.force_login(other_area_dsl)
    assert "Oakwood School" not in client.get(COUNTS).content.decode()


def test_counts_are_404_for_an_account_without_a_role(client, db):
    from saferschools.testing.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(COUNTS).status_code == 404


# The area's reporting settings -------------------------------------------------------------


def settings_url(area):
    return reverse("reporting-settings", args=[area.pk])


def test_reporting_settings_for_the_areas_administrators(client, world, area_admin):
    client.force_login(area_admin)
    page = client.get(settings_url(world.area))
    assert page.status_code == 200
    assert "machete" in page.content.decode()
    assert page.context["form"].initial["escalate_after_minutes"] == 15
    assert not ReportingSettings.objects.filter(area=world.area).exists()


@pytest.mark.parametrize(
    "who",
    [
        "dsl",
        "head",
        "officer",
        "staff",
        "practitioner",
        "analyst",
        "other_area_dsl",
        "other_area_admin",
    ],
)
def test_reporting_settings_are_404_for_others(client, world, request, who):
    # A change holds for every school of the area: not for one school's leaders to make.
    client.force_login(request.getfixturevalue(who))
    assert client.get(settings_url(world.area)).status_code == 404
    response = client.post(
        settings_url(world.area), {"cue_words": "x", "escalate_after_minutes": "5"}
    )
    assert response.status_code == 404
    assert not ReportingSettings.objects.filter(area=world.area).exists()


def test_saving_reporting_settings(client, world, area_admin):
    client.force_login(area_admin)
    response = client.post(
        settings_url(world.area),
        {"cue_words": "vape\r\n  knife \r\n\r\nvape", "escalate_after_minutes": "30"},
    )
    assert response.status_code == 302
    saved = ReportingSettings.objects.get(area=world.area)
    assert saved.cue_word_list == ["vape", "knife"]
    assert saved.escalate_after_minutes == 30
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_id=str(saved.pk), actor_id=area_admin.pk
    ).exists()
    assert submit_report(world.school_a, description="someone has a vape").report.urgent


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"cue_words": "x", "escalate_after_minutes": "0"}, "escalate_after_minutes", "from 1"),
        ({"cue_words": "x", "escalate_after_minutes": "241"}, "escalate_after_minutes", "240"),
        ({"cue_words": "x", "escalate_after_minutes": "soon"}, "escalate_after_minutes", "240"),
        ({"cue_words": "x"}, "escalate_after_minutes", "240"),
        ({"cue_words": "y" * 101, "escalate_after_minutes": "5"}, "cue_words", "100 characters"),
    ],
)
def test_bad_reporting_settings_are_refused(client, world, area_admin, data, field, text):
    client.force_login(area_admin)
    response = client.post(settings_url(world.area), data)
    assert response.status_code == 400
    assert text in response.context["form"].errors[field][0]
    assert f'href="#id_{field}"' in response.content.decode()
    assert not ReportingSettings.objects.filter(area=world.area).exists()


# Safety advice ----------------------------------------------------------------------------


def topics_url(area):
    return reverse("reporting-topics", args=[area.pk])


def topic_url(area, category="bullying"):
    return reverse("reporting-edit-topic", args=[area.pk, category])


def test_topic_list_shows_every_category(client, world, dsl):
    SafetyTopic.objects.create(
        area=world.area, category="hate", title="Hate", summary="s", body="b"
    )
    client.force_login(dsl)
    page = client.get(topics_url(world.area))
    assert page.status_code == 200
    topics = page.context["topics"]
    assert len(topics) == 14
    assert [t.category for t in topics if t.customised] == ["hate"]
    body = page.content.decode()
    assert "The area's own" in body
    assert topic_url(world.area, "weapons") in body


@pytest.mark.parametrize(
    "who", ["officer", "staff", "practitioner", "analyst", "other_area_dsl", "other_area_admin"]
)
def test_topic_pages_are_404_for_others(client, world, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(topics_url(world.area)).status_code == 404
    assert client.get(topic_url(world.area)).status_code == 404
    response = client.post(topic_url(world.area), {"title": "t", "summary": "s", "body": "b"})
    assert response.status_code == 404
    assert not SafetyTopic.objects.exists()


def test_topic_edit_is_prefilled_with_the_standard_advice(client, world, area_admin):
    client.force_login(area_admin)
    page = client.get(topic_url(world.area))
    assert page.status_code == 200
    standard = selectors.default_topic("bullying")
    assert page.context["form"].initial["title"] == standard.title
    assert page.context["preview"]
    assert "Use the standard advice" not in page.content.decode()


def test_an_unknown_topic_is_404(client, world, dsl):
    client.force_login(dsl)
    assert client.get(topic_url(world.area, "astrology")).status_code == 404


def test_save_preview_and_reset_a_topic(client, world, dsl):
    client.force_login(dsl)
    data = {
        "title": "Bullying",
        "summary": "What to do",
        "body": "## Help\n\nCall <b>us</b> [now](javascript:alert(1))",
    }
    preview = client.post(topic_url(world.area), {**data, "action": "preview"})
    assert preview.status_code == 200
    assert not SafetyTopic.objects.exists()
    html = str(preview.context["preview"])
    assert '<h2 class="govuk-heading-m">Help</h2>' in html
    assert "<b>" not in html
    assert 'href="javascript' not in html

    saved = client.post(topic_url(world.area), {**data, "action": "save"})
    assert saved.status_code == 302
    topic = SafetyTopic.objects.get(area=world.area, category="bullying")
    assert topic.summary == "What to do"
    assert AuditEvent.objects.filter(object_id=str(topic.pk), action=AuditAction.CREATE).exists()
    assert "Use the standard advice" in client.get(topic_url(world.area)).content.decode()

    reset = client.post(topic_url(world.area), {"action": "reset"})
    assert reset.status_code == 302
    assert not SafetyTopic.objects.exists()
    assert AuditEvent.objects.filter(object_id=str(topic.pk), action=AuditAction.DELETE).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "summary": "s", "body": "b"}, "title"),
        ({"title": "t" * 121, "summary": "s", "body": "b"}, "title"),
        ({"title": "t", "summary": "", "body": "b"}, "summary"),
        ({"title": "t", "summary": "s", "body": "  "}, "body"),
        ({"title": "t", "summary": "s", "body": "b" * 20001}, "body"),
    ],
)
def test_a_bad_topic_is_refused(client, world, dsl, data, field):
    client.force_login(dsl)
    response = client.post(topic_url(world.area), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert f'href="#id_{field}"' in response.content.decode()
    assert not SafetyTopic.objects.exists()


# The landing page -------------------------------------------------------------------------


def test_landing_page_summary_for_a_safeguarding_lead(client, world, dsl):
    submit_report(world.school_a)
    submit_report(world.school_a, in_danger=True)
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        late = submit_report(world.school_a).report
    closed = submit_report(world.school_a).report
    services.report_close(actor=dsl, report=closed, outcome="advice_given", source="test")
    submit_report(world.school_b)
    client.force_login(dsl)
    page = client.get(HOME)
    panel = page.context["reports"]
    assert panel.summary["open"] == 3
    assert panel.summary["urgent"] == 1
    assert panel.summary["overdue"] == 1
    assert [report.pk for report in panel.overdue] == [late.pk]
    body = page.content.decode()
    assert "3 open reports" in body
    assert "1 overdue" in body
    assert report_url(late) in body
    assert f'href="{INBOX}?overdue=1"' in body


def test_landing_page_summary_for_an_officer_has_no_overdue_list(client, world, officer):
    submit_report(world.school_b)
    client.force_login(officer)
    panel = client.get(HOME).context["reports"]
    assert panel.summary["open"] == 1
    assert panel.overdue is None


@pytest.mark.parametrize("who", ["practitioner", "analyst", "staff"])
def test_landing_page_has_no_reports_for_others(client, world, report, request, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(HOME)
    assert page.context["reports"] is None
    assert "Reports from pupils" not in page.content.decode()


def test_landing_page_links_to_the_areas_reporting_pages(client, world, dsl, officer, area_admin):
    client.force_login(area_admin)
    body = client.get(HOME).content.decode()
    assert settings_url(world.area) in body
    assert topics_url(world.area) in body
    # A safeguarding lead edits the advice, not the area's triage.
    client.force_login(dsl)
    body = client.get(HOME).content.decode()
    assert settings_url(world.area) not in body
    assert topics_url(world.area) in body
    client.force_login(officer)
    body = client.get(HOME).content.decode()
    assert settings_url(world.area) not in body
    assert topics_url(world.area) not in body
