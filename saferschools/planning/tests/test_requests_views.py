"""Requests that a school consider a partnership: the public page (no sign-in, no address kept,
throttled), the school leaders' list, recording and answering a request, their audit trail and
notifications, and the landing page's count of those awaiting a response."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from saferschools.accounts.models import Membership, Role
from saferschools.core import access
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.planning import needs_services
from saferschools.planning.models import SspRequest
from saferschools.testing.factories import SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"


def public_url(school):
    return reverse("planning-request-public", args=[school.urn])


def list_url(school):
    return reverse("planning-requests", args=[school.urn])


def record_url(school):
    return reverse("planning-request-record", args=[school.urn])


def detail_url(ssp_request):
    return reverse("planning-request", args=[ssp_request.pk])


def public_form(**changes):
    data = {
        "requester": "parent",
        "name": "Ann Parent",
        "contact": "ann@example.com",
        "reason": "Older boys wait by the gate with knives at home time.",
    }
    data.update(changes)
    return data


def date_fields(name, day):
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def record_form(**changes):
    data = {
        "requester": "governor",
        "name": "Gil Governor",
        "contact": "01632 960 001",
        "reason": "Raised at the governors' meeting.",
        **date_fields("received_on", timezone.localdate() - timedelta(days=3)),
    }
    data.update(changes)
    return data


def submitted(school, name="Ann Parent", **changes):
    values = {
        "requester": "parent",
        "name": name,
        "contact": "",
        "reason": "Knives at the gate.",
        "source": "test",
    }
    values.update(changes)
    return needs_services.ssp_request_submit(school=school, **values)


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a, full_name="Hana Head")


@pytest.fixture
def officer(world, persona):
    return persona(Role.SSP_OFFICER, world.p)


@pytest.fixture
def steering(world, persona):
    return persona(Role.STEERING_MEMBER, world.p)


@pytest.fixture
def analyst(world, persona):
    return persona(Role.LA_ANALYST, world.area)


@pytest.fixture
def far_lead(world, persona):
    return persona(Role.SAFEGUARDING_LEAD, world.school_d)


# The public page ------------------------------------------------------------------------------


def test_anyone_can_ask_without_signing_in(client, world, dsl, head):
    page = client.get(public_url(world.school_a))
    assert page.status_code == 200
    assert "We do not keep your internet (IP) address" in page.content.decode()
    # A pupil asks through the reporting page, not here.
    assert 'value="pupil"' not in page.content.decode()

    response = client.post(public_url(world.school_a), public_form(), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302
    assert response["Location"] == reverse("planning-request-sent", args=[world.school_a.urn])
    request = SspRequest.objects.get()
    assert (request.school, request.requester, request.name) == (
        world.school_a,
        "parent",
        "Ann Parent",
    )
    assert request.received_on == timezone.localdate()
    assert request.recorded_by is None
    assert request.status == SspRequest.Status.OPEN
    sent = client.get(response["Location"])
    assert sent.status_code == 200
    assert "Request sent" in sent.content.decode()


def test_the_schools_leaders_are_told_without_the_name_in_the_title(
    client, world, dsl, head, staff
):
    client.post(public_url(world.school_a), public_form())
    request = SspRequest.objects.get()
    notices = Notification.objects.filter(object_id=str(request.pk))
    assert {notice.user for notice in notices} == {dsl, head}
    for notice in notices:
        assert "Ann" not in notice.title
        assert world.school_a.name in notice.title
        assert notice.url == detail_url(request)


def test_a_school_with_no_leader_to_read_it_tells_the_areas_administrators(client, world, persona):
    admin = persona(Role.AREA_ADMIN, world.area)
    client.post(public_url(world.school_e), public_form())
    request = SspRequest.objects.get()
    notice = Notification.objects.get(object_id=str(request.pk))
    assert notice.user == admin
    assert "no head teacher or safeguarding lead" in notice.title
    assert "Ann" not in notice.title


def test_the_sender_is_told_who_reads_the_request(client, world, dsl):
    sent = client.post(public_url(world.school_a), public_form(), follow=True)
    assert "The head teacher and the safeguarding lead have been told" in sent.content.decode()

    sent = client.post(public_url(world.school_e), public_form(reason="Another."), follow=True)
    body = sent.content.decode()
    assert "The head teacher and the safeguarding lead have been told" not in body
    assert "does not use SaferSchools yet, so nobody at the school has been told" in body


def test_the_public_page_keeps_no_address_and_audits_the_request_without_an_actor(
    client, world, dsl
):
    client.post(
        public_url(world.school_a),
        public_form(),
        REMOTE_ADDR=ADDRESS,
        HTTP_USER_AGENT="Mozilla/5.0 (Test browser)",
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    request = SspRequest.objects.get()
    stored = " ".join(str(value) for value in SspRequest.objects.values().get().values())
    event = AuditEvent.objects.get(object_id=str(request.pk))
    kept = stored + str(event.detail) + event.source + event.actor_email
    for trace in (ADDRESS, "198.51.100.9", "Mozilla"):
        assert trace not in kept
    assert event.actor_id is None
    assert event.action == AuditAction.CREATE
    assert event.detail == {"school": world.school_a.urn, "requester": "parent", "public": True}
    assert event.source == "web:planning-request-public"


def test_an_unknown_or_closed_school_is_not_found(client, world):
    assert client.get(reverse("planning-request-public", args=[999999999])).status_code == 404
    closed = SchoolFactory(area=world.area, is_open=False)
    assert client.get(public_url(closed)).status_code == 404
    assert client.post(public_url(closed), public_form()).status_code == 404
    assert client.get(reverse("planning-request-sent", args=[closed.urn])).status_code == 404
    assert not SspRequest.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": " "}, "name", "Enter your name"),
        ({"reason": ""}, "reason", "Enter why the school should consider a partnership"),
        (
            {"reason": "x" * 5001},
            "reason",
            "Use 5,000 characters or fewer for why the school should consider a partnership",
        ),
        ({"requester": "pupil"}, "requester", "Choose who is asking from the list"),
        ({"requester": ""}, "requester", "Choose who is asking"),
        ({"contact": "ann@"}, "contact", "Enter an e-mail address like name@example.com"),
        ({"contact": "call me"}, "contact", "Enter a phone number like 01632 960 001"),
        ({"contact": "12"}, "contact", "Enter a phone number like 01632 960 001"),
        ({"name": "x" * 201}, "name", "Use 200 characters or fewer for your name"),
        ({"name": "\x01\x02"}, "name", "This cannot be empty"),
    ],
)
def test_bad_input_on_the_public_page_is_refused_and_nothing_is_sent(
    client, world, dsl, changes, field, message
):
    response = client.post(public_url(world.school_a), public_form(**changes))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'href="#id_{field}' in page
    assert not SspRequest.objects.exists()
    assert not Notification.objects.exists()


def test_a_phone_number_is_accepted_as_contact(client, world):
    response = client.post(public_url(world.school_a), public_form(contact="+44 (0)1632 960-001"))
    assert response.status_code == 302
    assert SspRequest.objects.get().contact == "+44 (0)1632 960-001"


def test_the_public_page_checks_the_csrf_token(world):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(public_url(world.school_a), public_form()).status_code == 403
    page = strict.get(public_url(world.school_a))
    token = page.cookies["csrftoken"].value
    form = {**public_form(), "csrfmiddlewaretoken": token}
    assert strict.post(public_url(world.school_a), form).status_code == 302
    assert SspRequest.objects.count() == 1


def test_the_same_request_sent_twice_is_received_and_announced_once(client, world, dsl):
    client.post(public_url(world.school_a), public_form())
    client.post(public_url(world.school_a), public_form())
    assert SspRequest.objects.count() == 1
    assert Notification.objects.count() == 1


def test_many_requests_from_one_address_are_throttled_for_that_address_only(
    client, world, settings
):
    settings.SSP_REQUESTS_PER_HOUR = 3
    for n in range(3):
        form = public_form(reason=f"Reason number {n}")
        assert client.post(public_url(world.school_a), form, REMOTE_ADDR=ADDRESS).status_code == 302
    limited = client.post(public_url(world.school_a), public_form(), REMOTE_ADDR=ADDRESS)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert "Too many requests" in limited.content.decode()
    assert SspRequest.objects.count() == 3
    other = client.post(public_url(world.school_a), public_form(), REMOTE_ADDR="198.51.100.20")
    assert other.status_code == 302
    assert SspRequest.objects.count() == 4


def test_a_form_with_errors_does_not_count_against_the_address(client, world, settings):
    settings.SSP_REQUESTS_PER_HOUR = 2
    for _ in range(3):
        assert client.post(public_url(world.school_a), public_form(name="")).status_code == 400
    assert client.post(public_url(world.school_a), public_form()).status_code == 302


def test_requests_do_not_use_up_the_pupils_allowance_of_wrong_receipts(client, world, settings):
    from saferschools.reporting.throttle import receipt_throttle

    settings.SSP_REQUESTS_PER_HOUR = 10
    settings.RECEIPT_ATTEMPTS = 2
    for n in range(3):
        form = public_form(reason=f"Reason number {n}")
        assert client.post(public_url(world.school_a), form, REMOTE_ADDR=ADDRESS).status_code == 302
    pupil = RequestFactory().get("/", REMOTE_ADDR=ADDRESS)
    assert not receipt_throttle(pupil).limited


# The leaders' list ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dsl", "head"])
def test_the_schools_leaders_read_the_requests_and_the_listing_is_audited(
    client, world, request, who
):
    user = request.getfixturevalue(who)
    first = submitted(world.school_a, "Ann Parent")
    second = submitted(world.school_a, "Bob Parent")
    submitted(world.school_c, "Cai Elsewhere")
    client.force_login(user)
    page = client.get(list_url(world.school_a))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ann Parent" in text and "Bob Parent" in text
    assert "Cai Elsewhere" not in text
    listed = AuditEvent.objects.filter(action=AuditAction.VIEW, actor_id=user.pk)
    assert {event.object_id for event in listed} == {str(first.pk), str(second.pk)}
    assert all(event.detail == {"listing": True} for event in listed)
    assert all(event.source == "web:planning-requests" for event in listed)


@pytest.mark.parametrize("who", ["staff", "officer", "steering", "analyst", "far_lead"])
def test_others_do_not_reach_the_requests(client, world, request, who):
    ssp_request = submitted(world.school_a)
    client.force_login(request.getfixturevalue(who))
    assert client.get(list_url(world.school_a)).status_code == 404
    assert client.get(record_url(world.school_a)).status_code == 404
    assert client.post(record_url(world.school_a), record_form()).status_code == 404
    assert client.get(detail_url(ssp_request)).status_code == 404
    assert client.post(detail_url(ssp_request), {"response": "No."}).status_code == 404
    assert SspRequest.objects.count() == 1
    assert SspRequest.objects.get().status == SspRequest.Status.OPEN
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_the_staff_pages_need_signing_in(client, world):
    ssp_request = submitted(world.school_a)
    for url in (list_url(world.school_a), record_url(world.school_a), detail_url(ssp_request)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/account/sign-in/" in response["Location"]


def test_a_malformed_or_unknown_request_is_not_found(client, world, dsl):
    client.force_login(dsl)
    assert client.get("/ssp-requests/not-a-uuid/").status_code == 404
    assert client.get("/ssp-requests/3f1a9a52-8d3c-4a47-9a51-2d4b0c0d8a11/").status_code == 404


def list_queries(client, school):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(list_url(school)).status_code == 200
    return len(queries)


def test_the_list_reads_in_a_constant_number_of_queries(
    client, world, dsl, head, django_assert_max_num_queries
):
    submitted(world.school_a, "Ann Parent")
    client.force_login(dsl)
    with django_assert_max_num_queries(20):
        client.get(list_url(world.school_a))
    before = list_queries(client, world.school_a)
    for n in range(6):
        submitted(world.school_a, f"Parent {n}")
    recorded = needs_services.ssp_request_submit(
        school=world.school_a,
        requester="governor",
        name="Gil",
        contact="",
        reason="Asked at the meeting.",
        received_on=timezone.localdate(),
        actor=head,
        source="test",
    )
    needs_services.ssp_request_answer(actor=head, request=recorded, response="Yes.", source="t")
    assert list_queries(client, world.school_a) == before


# Recording a request --------------------------------------------------------------------------


def test_a_leader_records_a_request_received_by_letter(client, world, dsl, head):
    client.force_login(dsl)
    assert client.get(record_url(world.school_a)).status_code == 200
    response = client.post(record_url(world.school_a), record_form(requester="pupil", name=""))
    request = SspRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(request)
    assert request.recorded_by == dsl
    assert request.requester == "pupil"
    assert request.name == ""
    assert request.received_on == timezone.localdate() - timedelta(days=3)
    # The other leaders are told; the one who recorded it is not.
    assert [notice.user for notice in Notification.objects.all()] == [head]
    event = AuditEvent.objects.get(object_id=str(request.pk), action=AuditAction.CREATE)
    assert event.actor_id == dsl.pk
    assert event.detail["public"] is False


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            date_fields("received_on", timezone.localdate() + timedelta(days=1)),
            "received_on",
            "must be today or in the past",
        ),
        (
            date_fields("received_on", timezone.localdate() - timedelta(days=6 * 366)),
            "received_on",
            "must be in the last 5 years",
        ),
        (
            {"received_on_day": "31", "received_on_month": "2", "received_on_year": "2026"},
            "received_on",
            "must be a real date",
        ),
        (
            {"received_on_day": "", "received_on_month": "", "received_on_year": ""},
            "received_on",
            "Enter the date the request was received",
        ),
        ({"requester": "mayor"}, "requester", "Choose who is asking from the list"),
        ({"reason": " "}, "reason", "Enter why the school should consider a partnership"),
        ({"contact": "not an address @"}, "contact", "Enter an e-mail address"),
    ],
)
def test_bad_input_when_recording_is_refused_naming_the_field(
    client, world, dsl, changes, field, message
):
    client.force_login(dsl)
    response = client.post(record_url(world.school_a), record_form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert f'href="#id_{field}' in response.content.decode()
    assert not SspRequest.objects.exists()


# Reading and answering one --------------------------------------------------------------------


def test_a_leader_reads_a_request_and_the_read_is_audited(client, world, dsl):
    ssp_request = submitted(world.school_a, contact="ann@example.com")
    client.force_login(dsl)
    page = client.get(detail_url(ssp_request))
    assert page.status_code == 200
    assert "ann@example.com" in page.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.object_id, event.actor_id) == (str(ssp_request.pk), dsl.pk)


def test_a_leader_records_the_schools_response(client, world, dsl, head):
    ssp_request = submitted(world.school_a)
    client.force_login(head)
    response = client.post(detail_url(ssp_request), {"response": "The governors agreed."})
    assert response.status_code == 302
    ssp_request.refresh_from_db()
    assert ssp_request.status == SspRequest.Status.ANSWERED
    assert ssp_request.response == "The governors agreed."
    assert ssp_request.answered_by == head
    assert ssp_request.answered_at is not None
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.detail["fields"] == ["response", "status"]
    assert "governors" not in str(event.detail)
    page = client.get(detail_url(ssp_request)).content.decode()
    assert "The governors agreed." in page
    assert "Record the response" not in page


def test_an_empty_response_is_refused(client, world, dsl):
    ssp_request = submitted(world.school_a)
    client.force_login(dsl)
    response = client.post(detail_url(ssp_request), {"response": "  "})
    assert response.status_code == 400
    assert "Enter how the school responded" in response.content.decode()
    ssp_request.refresh_from_db()
    assert ssp_request.status == SspRequest.Status.OPEN


def test_a_request_answered_already_keeps_its_answer(client, world, dsl, head):
    ssp_request = submitted(world.school_a)
    needs_services.ssp_request_answer(
        actor=head, request=ssp_request, response="First answer.", source="test"
    )
    client.force_login(dsl)
    response = client.post(detail_url(ssp_request), {"response": "Second answer."})
    assert response.status_code == 400
    assert "This request has been answered already" in response.content.decode()
    ssp_request.refresh_from_db()
    assert (ssp_request.response, ssp_request.answered_by) == ("First answer.", head)


def test_the_same_response_sent_twice_is_recorded_once_without_an_error(client, world, head):
    ssp_request = submitted(world.school_a)
    client.force_login(head)

    responses = [
        client.post(detail_url(ssp_request), {"response": "The governors agreed."})
        for _ in range(2)
    ]

    assert [response.status_code for response in responses] == [302, 302]
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == 1
    # The same words from another leader are still an answer given already.
    other = UserFactory()
    Membership.objects.create(user=other, role=Role.SAFEGUARDING_LEAD, school=world.school_a)
    client.force_login(other)
    response = client.post(detail_url(ssp_request), {"response": "The governors agreed."})
    assert response.status_code == 400


# The landing page -----------------------------------------------------------------------------


def test_leaders_see_the_requests_awaiting_a_response_on_their_landing_page(
    client, world, dsl, head, staff
):
    client.force_login(dsl)
    assert "Requests for a partnership" not in client.get("/").content.decode()
    submitted(world.school_a, "Ann Parent")
    submitted(world.school_a, "Bob Parent")
    answered = submitted(world.school_a, "Cai Parent")
    needs_services.ssp_request_answer(actor=head, request=answered, response="No.", source="t")
    submitted(world.school_c, "Dee Elsewhere")
    page = client.get("/").content.decode()
    assert "2 requests that a school consider a Safer School Partnership await a response" in page
    assert list_url(world.school_a) in page
    assert list_url(world.school_c) not in page
    # Counts name nobody: nothing is audited.
    assert "Ann Parent" not in page
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()
    client.force_login(staff)
    assert "Requests for a partnership" not in client.get("/").content.decode()


def test_the_landing_panel_reads_in_one_query(rf, world, dsl, django_assert_num_queries):
    from saferschools.accounts.models import Membership
    from saferschools.planning.needs_views import landing_panel

    Membership.objects.create(user=dsl, role=Role.SAFEGUARDING_LEAD, school=world.school_b)
    for school in (world.school_a, world.school_b):
        for n in range(3):
            submitted(school, f"Parent {n}")
    request = rf.get("/")
    request.user = dsl
    # The user's memberships are read once per request, before any panel.
    access.memberships_of(dsl)
    with django_assert_num_queries(1):
        panel = landing_panel(request)
    assert panel is not None
    assert panel["total"] == 6
    assert [row.school_name for row in panel["schools"]] == sorted(
        [world.school_a.name, world.school_b.name]
    )


def test_the_public_page_says_when_the_school_is_already_in_a_partnership(client, world):
    inside = client.get(public_url(world.school_a)).content.decode()
    assert "is already part of Horley SSP" in inside
    outside = client.get(public_url(world.school_e)).content.decode()
    assert "is already part of" not in outside
