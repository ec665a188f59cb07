"""The protocol's pages: the latest version in full with each partner's sign-off, earlier
versions, the PDF, writing a new version, and signing for a partner."""

import html
import io
from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone
from pypdf import PdfReader

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.planning import protocol_views
from saferschools.planning.models import Protocol, ProtocolPartner

from .test_protocol_services import agreement, save, sign

pytestmark = pytest.mark.django_db


def url(partnership, suffix: str = "") -> str:
    return f"/partnerships/{partnership.pk}/protocol/{suffix}"


def text(response) -> str:
    return html.unescape(response.content.decode())


def form_data(world, *, agencies=("police", "yot"), **overrides) -> dict:
    review = timezone.localdate() + timedelta(days=365)
    data = {
        "purpose": "Keep pupils safe on the way to and from school",
        "line_management": "The neighbourhood sergeant; the head teachers set objectives",
        "deployment": "part_time",
        "days_per_school": "Monday at Oakwood",
        "room_and_equipment": "",
        "resources_and_funding": "The force pays the officer",
        "communication": "A letter to parents",
        "governance": "A steering group each term",
        "sharing_agreement": "",
        "review_on_day": str(review.day),
        "review_on_month": str(review.month),
        "review_on_year": str(review.year),
        "change_note": "",
    }
    for school in (world.school_a, world.school_b):
        data[f"school_{school.pk.hex}_brings"] = f"{school.name} gives a room"
        data[f"school_{school.pk.hex}_responsibilities"] = "Sets objectives"
    for name in agencies:
        agency = getattr(world, name)
        data[f"agency_{agency.pk.hex}_include"] = "on"
        data[f"agency_{agency.pk.hex}_brings"] = f"{agency.name} brings an officer"
        data[f"agency_{agency.pk.hex}_responsibilities"] = "Patrols and lessons"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def head(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_a, full_name="Hana Head")


@pytest.fixture
def head_b(world, persona):
    return persona(Role.HEAD_TEACHER, world.school_b, full_name="Bea Brown")


@pytest.fixture
def sergeant(world, persona):
    return persona(Role.POLICE_SUPERVISOR, world.police, full_name="Sam Sergeant")


# Reading -----------------------------------------------------------------------------------------


def test_without_a_protocol_the_page_says_so_and_governors_are_offered_to_write_it(
    client, world, head, staff
):
    client.force_login(staff)
    page = client.get(url(world.p))
    assert page.status_code == 200
    body = text(page)
    assert "The partnership has no protocol yet." in body
    assert "Write the protocol" not in body
    client.force_login(head)
    body = text(client.get(url(world.p)))
    assert "Write the protocol" in body
    assert url(world.p, "edit/") in body


def test_the_latest_version_is_shown_in_full(
    client, world, head, sergeant, django_assert_max_num_queries
):
    shared = agreement(world, head, world.p)
    protocol = save(world, head, sharing_agreement_id=str(shared.pk), change_note="First")
    sign(protocol, sergeant, agency=world.police)
    client.force_login(head)
    with django_assert_max_num_queries(16):
        page = client.get(url(world.p))
    assert page.status_code == 200
    body = text(page)
    for words in (
        "Protocol, version 1",
        "Keep pupils safe on the way to and from school",
        "The neighbourhood sergeant; the head teachers set objectives",
        "Part time",
        "Monday at Oakwood, Thursday at Langshott",
        "A room beside reception",
        "The force pays the officer; the schools the room",
        "A letter to parents each September",
        "A steering group each term, reporting to the governors",
        "Oakwood School gives the officer a room and a timetable slot",
        "Surrey YOS brings an officer two days a week",
        "Signed</strong> by Sam Sergeant",
        "Not signed yet",
        "Not in force yet",
        "Surrey YOS to sign version 1 of the protocol",
        "Write a new version",
        "First",
    ):
        assert words in body, words
    assert f'href="/sharing-agreements/{shared.pk}/"' in body
    assert url(world.p, "v1.pdf") in body
    # The author signs for school A, right here.
    assert "Sign for Oakwood School" in body
    assert "I confirm that Oakwood School agrees version 1 of this protocol." in body
    assert "Sign for Surrey Police" not in body
    assert "Sign for Langshott Primary" not in body


def test_the_page_costs_the_same_queries_however_many_versions(
    client, world, head, django_assert_max_num_queries
):
    for version in range(6):
        save(world, head, based_on=version or None)
    client.force_login(head)
    with django_assert_max_num_queries(16):
        page = client.get(url(world.p))
    assert page.status_code == 200
    body = text(page)
    assert "Protocol, version 6" in body
    for version in range(1, 6):
        assert url(world.p, f"v{version}/") in body


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.SCHOOL_STAFF, "school_a"),
        (Role.SSP_OFFICER, "p"),
        (Role.LA_ANALYST, "area"),
        (Role.AGENCY_PRACTITIONER, "yot"),
    ],
    ids=["staff", "officer", "analyst", "practitioner"],
)
def test_partners_read_the_protocol_but_do_not_write_it(client, world, head, persona, role, scope):
    save(world, head)
    client.force_login(persona(role, getattr(world, scope)))
    page = client.get(url(world.p))
    assert page.status_code == 200
    assert "Write a new version" not in text(page)
    assert client.get(url(world.p, "v1/")).status_code == 200
    assert client.get(url(world.p, "v1.pdf")).status_code == 200
    assert client.get(url(world.p, "edit/")).status_code == 404
    assert client.post(url(world.p, "edit/"), form_data(world, version="1")).status_code == 404
    assert Protocol.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.HEAD_TEACHER, "school_d"),
        (Role.SSP_OFFICER, "q"),
        (Role.POLICE_SUPERVISOR, "other_police"),
    ],
    ids=["other-area-head", "other-partnership-officer", "other-force"],
)
def test_outsiders_get_not_found(client, world, head, persona, role, scope):
    save(world, head)
    client.force_login(persona(role, getattr(world, scope)))
    for address in (
        url(world.p),
        url(world.p, "v1/"),
        url(world.p, "v1.pdf"),
        url(world.p, "edit/"),
    ):
        assert client.get(address).status_code == 404, address
    assert client.post(url(world.p, "edit/"), form_data(world)).status_code == 404
    response = client.post(
        url(world.p, "sign/"), {"version": "1", "agency": str(world.other_police.pk)}
    )
    assert response.status_code == 404
    assert Protocol.objects.count() == 1
    assert not ProtocolPartner.objects.filter(signed_at__isnull=False).exists()


def test_earlier_versions_are_kept_and_shown_as_replaced(client, world, head, sergeant):
    first = save(world, head, purpose="The first purpose")
    sign(first, sergeant, agency=world.police)
    save(world, head, based_on=1, purpose="The second purpose")
    client.force_login(sergeant)
    latest = text(client.get(url(world.p)))
    assert "The second purpose" in latest
    assert url(world.p, "v1/") in latest
    old = client.get(url(world.p, "v1/"))
    assert old.status_code == 200
    body = text(old)
    assert "Protocol, version 1" in body
    assert "The first purpose" in body
    assert "This version has been replaced" in body
    assert "Signed</strong> by Sam Sergeant" in body
    # Nobody signs a replaced version, nor writes from it.
    assert "Sign for" not in body
    assert "Write a new version" not in body
    assert client.get(url(world.p, "v3/")).status_code == 404
    assert client.get(url(world.p, "v0/")).status_code == 404
    assert client.get(url(world.p, f"v{10**30}/")).status_code == 404


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_holds_the_version_its_partners_and_their_sign_offs(client, world, head, sergeant):
    protocol = save(world, head)
    sign(protocol, sergeant, agency=world.police)
    client.force_login(head)
    response = client.get(url(world.p, "v1.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="protocol-v1.pdf"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF")
    words = " ".join(pdf_text(content).split())
    for name in ("Oakwood School", "Langshott Primary", "Surrey Police", "Surrey YOS"):
        assert name in words
    assert "Sam Sergeant" in words
    assert "Not signed yet" in words
    assert "Horley SSP" in words
    assert "Version 1" in words
    event = AuditEvent.objects.filter(object_id=str(protocol.pk)).latest("seq")
    assert (event.action, event.detail) == (AuditAction.EXPORT, {"format": "pdf", "version": 1})
    assert client.get(url(world.p, "v2.pdf")).status_code == 404


def test_a_replaced_version_still_prints_with_its_own_sign_offs(client, world, head, sergeant):
    first = save(world, head, purpose="The first purpose")
    sign(first, sergeant, agency=world.police)
    save(world, head, based_on=1, purpose="The second purpose")
    client.force_login(sergeant)
    old = client.get(url(world.p, "v1.pdf"))
    assert old.status_code == 200
    words = " ".join(
        pdf_text(b"".join(old.streaming_content) if old.streaming else old.content).split()
    )
    assert "The first purpose" in words
    assert "This version has been replaced by version 2." in words
    assert "Sam Sergeant" in words
    latest = client.get(url(world.p, "v2.pdf"))
    words = " ".join(
        pdf_text(b"".join(latest.streaming_content) if latest.streaming else latest.content).split()
    )
    assert "The second purpose" in words
    # The new version's sign-offs start afresh.
    assert "Sam Sergeant" not in words
    assert "Not in force yet" in words


# Writing -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "scope"),
    [(Role.HEAD_TEACHER, "school_a"), (Role.STEERING_MEMBER, "p"), (Role.AREA_ADMIN, "area")],
    ids=["head", "steering", "admin"],
)
def test_governors_write_the_first_version(client, world, persona, role, scope):
    client.force_login(persona(role, getattr(world, scope)))
    form = client.get(url(world.p, "edit/"))
    assert form.status_code == 200
    body = text(form)
    assert "Write the protocol" in body
    for name in ("Oakwood School", "Langshott Primary", "Surrey Police", "Surrey YOS"):
        assert f"What {name} brings" in body
    assert "Hampshire Police" not in body
    response = client.post(url(world.p, "edit/"), form_data(world))
    assert response.status_code == 302
    assert response["Location"] == url(world.p)
    protocol = Protocol.objects.get()
    assert protocol.version == 1
    assert protocol.partners.count() == 4
    assert "Version 1 of the protocol is saved." in text(client.get(url(world.p)))


def test_the_form_starts_from_the_latest_version_and_saving_makes_the_next(
    client, world, head, sergeant
):
    shared = agreement(world, head, world.p)
    first = save(world, head, agencies=("police",), sharing_agreement_id=str(shared.pk))
    sign(first, sergeant, agency=world.police)
    client.force_login(head)
    page = client.get(url(world.p, "edit/"))
    form = page.context["form"]
    assert form["version"].value() == 1
    assert form["purpose"].value() == "Keep pupils safe on the way to and from school"
    assert form["sharing_agreement"].value() == str(shared.pk)
    assert form[f"agency_{world.police.pk.hex}_include"].value() is True
    assert not form[f"agency_{world.yot.pk.hex}_include"].value()
    assert "Write version 2 of the protocol" in text(page)
    data = form_data(world, version="1", purpose="A sharper purpose", change_note="Sharper")
    response = client.post(url(world.p, "edit/"), data)
    assert response.status_code == 302
    second = Protocol.objects.get(version=2)
    assert second.purpose == "A sharper purpose"
    assert second.change_note == "Sharper"
    assert not second.partners.filter(signed_at__isnull=False).exists()
    assert second.partners.filter(agency=world.yot).exists()
    assert first.partners.get(agency=world.police).signed_by == sergeant


def test_a_stale_form_is_refused_and_saving_again_replaces_the_latest(client, world, head, persona):
    save(world, head)
    save(world, persona(Role.STEERING_MEMBER, world.p), based_on=1, purpose="Theirs")
    client.force_login(head)
    response = client.post(url(world.p, "edit/"), form_data(world, version="1", purpose="Mine"))
    assert response.status_code == 400
    body = text(response)
    assert "Someone saved version 2 of the protocol while you were changing version 1" in body
    assert Protocol.objects.count() == 2
    assert 'name="version" value="2"' in response.content.decode()
    again = client.post(url(world.p, "edit/"), form_data(world, version="2", purpose="Mine"))
    assert again.status_code == 302
    assert Protocol.objects.get(version=3).purpose == "Mine"


def test_a_first_version_written_by_two_people_at_once_is_refused_the_second_time(
    client, world, head, persona
):
    client.force_login(persona(Role.STEERING_MEMBER, world.p))
    assert client.post(url(world.p, "edit/"), form_data(world)).status_code == 302
    client.force_login(head)
    response = client.post(url(world.p, "edit/"), form_data(world))
    assert response.status_code == 400
    assert "Someone wrote the protocol while you were writing yours" in text(response)
    assert Protocol.objects.count() == 1


def test_the_same_form_sent_twice_saves_one_version(client, world, head, sergeant):
    # The button pressed twice (no script to stop it): the second lands on the version the
    # first saved, rather than being told someone else wrote it.
    client.force_login(head)
    assert client.post(url(world.p, "edit/"), form_data(world)).status_code == 302
    before = (AuditEvent.objects.count(), Notification.objects.count())
    again = client.post(url(world.p, "edit/"), form_data(world))
    assert again.status_code == 302
    assert again["Location"] == url(world.p)
    assert Protocol.objects.count() == 1
    assert (AuditEvent.objects.count(), Notification.objects.count()) == before
    # The same person sending other words over a version they did not start from is refused.
    changed = client.post(url(world.p, "edit/"), form_data(world, purpose="Another purpose"))
    assert changed.status_code == 400
    assert Protocol.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"purpose": ""}, "purpose", "Say what the partnership is for"),
        ({"line_management": " "}, "line_management", "Say how the officer is line managed"),
        (
            {"deployment": None},
            "deployment",
            "Choose whether the officer is deployed full time or part time",
        ),
        ({"deployment": "weekends"}, "deployment", "Choose full time or part time"),
        (
            {"governance": "x" * 5001},
            "governance",
            "Use 5,000 characters or fewer to say how the partnership is governed",
        ),
        (
            {"review_on_day": "", "review_on_month": "", "review_on_year": ""},
            "review_on",
            "Enter the date of the next review",
        ),
        (
            {"review_on_day": "31", "review_on_month": "2", "review_on_year": "2030"},
            "review_on",
            "The date of the next review must be a real date",
        ),
        ({"review_on_year": "2001"}, "review_on", "The next review must be after today"),
        (
            {"sharing_agreement": "nonsense"},
            "sharing_agreement",
            "Choose an agreement from the list",
        ),
        (
            {"change_note": "x" * 501},
            "change_note",
            "Use 500 characters or fewer to say what changed",
        ),
        ({"version": "two"}, "version", "Enter a whole number."),
    ],
)
def test_bad_input_is_named_and_changes_nothing(client, world, head, changes, field, message):
    client.force_login(head)
    response = client.post(url(world.p, "edit/"), form_data(world, **changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors.get(field) == [message] or errors.get("__all__") == [message], errors
    assert "There is a problem" in text(response)
    assert not Protocol.objects.exists()


def test_each_partner_is_named_in_its_own_errors(client, world, head):
    client.force_login(head)
    school_field = f"school_{world.school_a.pk.hex}_brings"
    yot_include = f"agency_{world.yot.pk.hex}_include"
    police_field = f"agency_{world.police.pk.hex}_responsibilities"
    data = form_data(world, **{school_field: "", yot_include: None, police_field: ""})
    response = client.post(url(world.p, "edit/"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors[school_field] == ["Say what Oakwood School brings"]
    assert errors[police_field] == ["Say the roles and responsibilities of Surrey Police"]
    assert errors[yot_include] == [
        "Tick “Name Surrey YOS as a partner” to include it, or clear what it brings and its "
        "responsibilities"
    ]
    assert f'href="#id_{school_field}"' in response.content.decode()
    assert not Protocol.objects.exists()


def test_an_agency_left_out_is_not_a_partner(client, world, head):
    client.force_login(head)
    data = form_data(world, agencies=("yot",))
    assert client.post(url(world.p, "edit/"), data).status_code == 302
    protocol = Protocol.objects.get()
    assert not protocol.partners.filter(agency=world.police).exists()
    assert "Name the police force as a partner in the protocol" in text(client.get(url(world.p)))


def test_the_people_who_sign_are_told_a_new_version_awaits_them(client, world, head, sergeant):
    client.force_login(head)
    client.post(url(world.p, "edit/"), form_data(world))
    note = Notification.objects.get(user=sergeant)
    assert note.title == "Version 1 of the Horley SSP protocol awaits your sign-off"
    assert not Notification.objects.filter(user=head).exists()


# Signing -----------------------------------------------------------------------------------------


def test_a_yot_practitioner_signs_for_the_yot(client, world, head, practitioner):
    protocol = save(world, head)
    client.force_login(practitioner)
    page = text(client.get(url(world.p)))
    assert "Sign for Surrey YOS" in page
    assert "I confirm that Surrey YOS agrees version 1 of this protocol." in page
    assert "Sign for Surrey Police" not in page
    response = client.post(url(world.p, "sign/"), {"version": "1", "agency": str(world.yot.pk)})
    assert response.status_code == 302
    assert response["Location"] == url(world.p)
    partner = protocol.partners.get(agency=world.yot)
    assert partner.signed_by == practitioner
    body = text(client.get(url(world.p)))
    assert "You signed version 1 of the protocol for Surrey YOS." in body
    assert "Sign for Surrey YOS" not in body
    event = AuditEvent.objects.filter(object_id=str(protocol.pk)).latest("seq")
    assert (event.action, event.source) == (AuditAction.UPDATE, "web:planning-protocol-sign")


def test_a_practitioner_may_not_sign_for_the_police(client, world, head, practitioner):
    save(world, head)
    client.force_login(practitioner)
    response = client.post(url(world.p, "sign/"), {"version": "1", "agency": str(world.police.pk)})
    assert response.status_code == 400
    body = text(response)
    assert "There is a problem" in body
    assert "You cannot sign for Surrey Police" in body
    assert response.context["protocol"].version == 1
    assert not ProtocolPartner.objects.filter(signed_at__isnull=False).exists()


def test_a_head_teacher_signs_only_for_their_school(client, world, head):
    protocol = save(world, head)
    client.force_login(head)
    page = text(client.get(url(world.p)))
    assert "Sign for Oakwood School" in page and "Sign for Langshott Primary" not in page
    refused = client.post(url(world.p, "sign/"), {"version": "1", "school": str(world.school_b.pk)})
    assert refused.status_code == 400
    assert "You cannot sign for Langshott Primary" in text(refused)
    signed = client.post(url(world.p, "sign/"), {"version": "1", "school": str(world.school_a.pk)})
    assert signed.status_code == 302
    assert protocol.partners.get(school=world.school_a).signed_by == head
    assert protocol.partners.filter(signed_at__isnull=False).count() == 1


def test_signing_again_is_refused(client, world, head, practitioner):
    protocol = save(world, head)
    sign(protocol, practitioner, agency=world.yot)
    client.force_login(practitioner)
    response = client.post(url(world.p, "sign/"), {"version": "1", "agency": str(world.yot.pk)})
    assert response.status_code == 400
    assert "Surrey YOS signed version 1 already" in text(response)


def test_a_version_replaced_since_the_page_was_opened_is_not_signed(
    client, world, head, practitioner
):
    save(world, head)
    save(world, head, based_on=1)
    client.force_login(practitioner)
    response = client.post(url(world.p, "sign/"), {"version": "1", "agency": str(world.yot.pk)})
    assert response.status_code == 400
    assert "Version 1 of the protocol has been replaced by version 2" in text(response)
    assert response.context["protocol"].version == 2
    assert not ProtocolPartner.objects.filter(signed_at__isnull=False).exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"version": "1"},
        {"version": "x", "agency": "y"},
        {"version": "1", "agency": "not-an-id"},
        {"agency": "{yot}"},
        {"version": "1", "agency": "{yot}", "school": "{school_a}"},
        {"version": "1", "agency": "{other_police}"},
        {"version": "1", "school": "{school_c}"},
    ],
    ids=[
        "empty",
        "no-partner",
        "bad-version",
        "bad-id",
        "no-version",
        "both",
        "other-area",
        "not-partner",
    ],
)
def test_bad_sign_offs_are_refused_and_change_nothing(client, world, head, data):
    save(world, head)
    client.force_login(head)
    values = {
        key: value.format(
            yot=world.yot.pk,
            school_a=world.school_a.pk,
            other_police=world.other_police.pk,
            school_c=world.school_c.pk,
        )
        for key, value in data.items()
    }
    response = client.post(url(world.p, "sign/"), values)
    assert response.status_code == 400
    assert "There is a problem" in text(response)
    assert not ProtocolPartner.objects.filter(signed_at__isnull=False).exists()


def test_signing_where_there_is_no_protocol_is_not_found(client, world, head):
    client.force_login(head)
    response = client.post(
        url(world.p, "sign/"), {"version": "1", "school": str(world.school_a.pk)}
    )
    assert response.status_code == 404


def test_signing_is_a_post(client, world, head):
    save(world, head)
    client.force_login(head)
    assert client.get(url(world.p, "sign/")).status_code == 405


def test_governors_are_told_when_the_last_partner_signs(
    client, world, head, head_b, sergeant, practitioner
):
    protocol = save(world, head)
    sign(protocol, head, school=world.school_a)
    sign(protocol, head_b, school=world.school_b)
    sign(protocol, sergeant, agency=world.police)
    client.force_login(practitioner)
    client.post(url(world.p, "sign/"), {"version": "1", "agency": str(world.yot.pk)})
    assert Notification.objects.filter(kind="protocol_in_force", user=head).exists()
    client.force_login(head)
    body = text(client.get(url(world.p)))
    assert "In force" in body
    assert "Every partner has signed version 1." in body


# The landing page -------------------------------------------------------------------------------


def test_the_landing_panel_lists_what_awaits_the_users_signature(
    world, head, practitioner, staff, django_assert_max_num_queries
):
    save(world, head)
    request = RequestFactory().get("/")
    request.user = practitioner
    with django_assert_max_num_queries(4):
        panel = protocol_views.landing_panel(request)
    assert [partner.name for partner in panel["partners"]] == ["Surrey YOS"]
    request.user = staff
    assert protocol_views.landing_panel(request) is None
