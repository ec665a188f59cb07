"""A partnership's information-sharing agreements: the list with overdue reviews, recording and
changing one (each change a new version), its page and its PDF, and the landing page's list of
agreements due for review."""

import html
from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.sharing import agreement_services
from saferschools.sharing.agreement_services import AgreementInput
from saferschools.sharing.models import InformationSharingAgreement

pytestmark = pytest.mark.django_db

AGREEMENT_TYPE = "sharing.informationsharingagreement"


def list_url(partnership) -> str:
    return f"/partnerships/{partnership.pk}/sharing-agreements/"


def new_url(partnership) -> str:
    return f"/partnerships/{partnership.pk}/sharing-agreements/new/"


def agreement_url(agreement, suffix: str = "") -> str:
    return f"/sharing-agreements/{agreement.pk}/{suffix}"


def text(response) -> str:
    return html.unescape(response.content.decode())


def form_data(world, **overrides) -> dict:
    review = timezone.localdate() + timedelta(days=365)
    data = {
        "title": "Horley SSP and Surrey YOS: prevention referrals",
        "parties": [str(world.yot.pk), str(world.police.pk)],
        "purpose": "Early help for pupils at risk of offending",
        "data_shared": "Names, year groups, attendance and the concerns",
        "lawful_basis": "gdpr_6_1_e",
        "special_condition": "dpa_sch1_18",
        "frequency": "Monthly, at the partnership's case meeting",
        "security": "Sent only within SaferSchools; printed copies shredded",
        "retention": "Two years after the pupil leaves",
        "review_on_day": str(review.day),
        "review_on_month": str(review.month),
        "review_on_year": str(review.year),
    }
    data.update(overrides)
    return data


def make_agreement(world, actor, *, title="Prevention referrals", review_on=None, partnership=None):
    return agreement_services.agreement_create(
        actor=actor,
        partnership=partnership or world.p,
        data=AgreementInput(
            title=title,
            party_ids=[str(world.yot.pk)],
            purpose="Early help",
            data_shared="Names and concerns",
            lawful_basis="gdpr_6_1_e",
            frequency="Monthly",
            security="Within the product",
            retention="Two years",
            review_on=review_on or timezone.localdate() + timedelta(days=200),
        ),
        source="test",
    )


@pytest.fixture
def admin(world, persona):
    return persona(Role.AREA_ADMIN, world.area)


# The list ------------------------------------------------------------------------------------------


def test_the_list_flags_overdue_reviews(client, world, dsl, admin, django_assert_max_num_queries):
    current = make_agreement(world, dsl, title="Current agreement")
    overdue = make_agreement(world, dsl, title="Old agreement")
    InformationSharingAgreement.objects.filter(pk=overdue.pk).update(
        review_on=timezone.localdate() - timedelta(days=1)
    )
    make_agreement(world, admin, title="Woking agreement", partnership=world.q)
    client.force_login(dsl)
    with django_assert_max_num_queries(12):
        page = client.get(list_url(world.p))
    assert page.status_code == 200
    body = text(page)
    assert agreement_url(current) in body
    assert agreement_url(overdue) in body
    assert "Woking agreement" not in body
    assert "1 agreement overdue for review" in body
    assert "Record an agreement" in body


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.SCHOOL_STAFF, "school_a"),
        (Role.AGENCY_PRACTITIONER, "yot"),
        (Role.STEERING_MEMBER, "p"),
        (Role.SSP_OFFICER, "p"),
    ],
    ids=["staff", "practitioner", "steering", "officer"],
)
def test_partners_read_agreements_but_do_not_keep_them(client, world, dsl, persona, role, scope):
    agreement = make_agreement(world, dsl)
    client.force_login(persona(role, getattr(world, scope)))
    page = client.get(list_url(world.p))
    assert page.status_code == 200
    assert "Record an agreement" not in text(page)
    assert client.get(agreement_url(agreement)).status_code == 200
    assert "Change" not in text(client.get(agreement_url(agreement)))
    assert client.get(new_url(world.p)).status_code == 404
    assert client.get(agreement_url(agreement, "edit/")).status_code == 404
    assert client.post(agreement_url(agreement, "edit/"), form_data(world)).status_code == 404
    agreement.refresh_from_db()
    assert agreement.version == 1


def test_outsiders_get_not_found(client, world, dsl, persona):
    agreement = make_agreement(world, dsl)
    client.force_login(persona(Role.SAFEGUARDING_LEAD, world.school_d))
    for url in (
        list_url(world.p),
        new_url(world.p),
        agreement_url(agreement),
        agreement_url(agreement, "edit/"),
        agreement_url(agreement, "pdf/"),
    ):
        assert client.get(url).status_code == 404


# Recording and changing ----------------------------------------------------------------------------


def test_a_school_leader_records_an_agreement(client, world, dsl):
    client.force_login(dsl)
    assert client.get(new_url(world.p)).status_code == 200
    response = client.post(new_url(world.p), form_data(world))
    agreement = InformationSharingAgreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == agreement_url(agreement)
    assert agreement.partnership == world.p
    assert agreement.version == 1
    assert set(agreement.parties.all()) == {world.yot, world.police}
    assert agreement.created_by == dsl
    event = AuditEvent.objects.get(object_type=AGREEMENT_TYPE)
    assert (event.action, event.detail["version"]) == (AuditAction.CREATE, 1)


def test_the_areas_administrator_records_one_too(client, world, admin):
    client.force_login(admin)
    assert client.post(new_url(world.q), form_data(world)).status_code == 302
    assert InformationSharingAgreement.objects.get().partnership == world.q


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Enter the agreement's title"),
        ({"parties": []}, "Choose at least one agency that is party to the agreement"),
        ({"parties": ["not-an-agency"]}, "Choose agencies from the list"),
        ({"purpose": ""}, "Say what the sharing is for"),
        ({"lawful_basis": "gdpr_6_1_z"}, "Choose a lawful basis from the list"),
        (
            {"review_on_day": "", "review_on_month": "", "review_on_year": ""},
            "Enter the date of the next review",
        ),
        ({"review_on_year": "2020"}, "The next review must be after today"),
        ({"review_on_year": "2035"}, "Review the agreement within three years"),
        ({"review_on_month": "99999"}, "must be a real date"),
        ({"security": "\x01\x02"}, "This cannot be empty"),
    ],
    ids=[
        "no-title",
        "no-parties",
        "unknown-party",
        "no-purpose",
        "unknown-basis",
        "no-review",
        "review-passed",
        "review-far-ahead",
        "review-huge-month",
        "security-control-characters",
    ],
)
def test_bad_input_comes_back_with_the_error_and_changes_nothing(
    client, world, dsl, overrides, message
):
    client.force_login(dsl)
    response = client.post(new_url(world.p), form_data(world, **overrides))
    assert response.status_code == 400
    assert message in text(response)
    assert not InformationSharingAgreement.objects.exists()


def test_an_agency_of_another_area_cannot_be_a_party(world, dsl):
    with pytest.raises(Exception) as caught:
        agreement_services.agreement_create(
            actor=dsl,
            partnership=world.p,
            data=AgreementInput(
                title="Cross-border",
                party_ids=[str(world.other_police.pk)],
                purpose="x",
                data_shared="x",
                lawful_basis="gdpr_6_1_e",
                frequency="x",
                security="x",
                retention="x",
                review_on=timezone.localdate() + timedelta(days=10),
            ),
            source="test",
        )
    assert caught.value.message_dict == {"party_ids": ["Choose agencies of the partnership's area"]}


def test_each_change_is_a_new_version(client, world, dsl):
    agreement = make_agreement(world, dsl)
    client.force_login(dsl)
    page = client.get(agreement_url(agreement, "edit/"))
    assert page.status_code == 200
    assert "Prevention referrals" in text(page)
    response = client.post(
        agreement_url(agreement, "edit/"), form_data(world, title="Prevention referrals v2")
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.version, agreement.title) == (2, "Prevention referrals v2")
    event = AuditEvent.objects.filter(object_id=str(agreement.pk)).order_by("-seq").first()
    assert (event.action, event.detail["version"]) == (AuditAction.UPDATE, 2)
    assert "version 2" in text(client.get(agreement_url(agreement)))


def test_an_overdue_agreement_can_be_changed_keeping_its_review_date(client, world, dsl):
    with time_machine.travel(timezone.now() - timedelta(days=30)):
        agreement = make_agreement(world, dsl, review_on=timezone.localdate() + timedelta(days=10))
    assert agreement.review_overdue
    client.force_login(dsl)
    review = agreement.review_on
    response = client.post(
        agreement_url(agreement, "edit/"),
        form_data(
            world,
            review_on_day=str(review.day),
            review_on_month=str(review.month),
            review_on_year=str(review.year),
        ),
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.version == 2


# Its page and its PDF ----------------------------------------------------------------------------


def test_the_page_says_everything(client, world, dsl):
    agreement = make_agreement(world, dsl)
    client.force_login(dsl)
    body = text(client.get(agreement_url(agreement)))
    for expected in (
        "Prevention referrals",
        "The schools of Horley SSP",
        "Surrey YOS",
        "UK GDPR Article 6(1)(e): public task",
        "Monthly",
        "Two years",
        "Download it to print (PDF)",
        "Change",
    ):
        assert expected in body


def test_the_pdf_is_a_document_and_its_download_is_audited(client, world, dsl, persona):
    agreement = make_agreement(world, dsl)
    client.force_login(persona(Role.AGENCY_PRACTITIONER, world.yot))
    response = client.get(agreement_url(agreement, "pdf/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert 'filename="sharing-agreement-v1.pdf"' in response["Content-Disposition"]
    assert AuditEvent.objects.filter(
        object_id=str(agreement.pk), action=AuditAction.EXPORT
    ).exists()


# The landing page -----------------------------------------------------------------------------------


def test_keepers_see_agreements_due_for_review_on_their_landing_page(client, world, dsl, staff):
    with time_machine.travel("2026-01-10 09:00:00+00:00", tick=False):
        overdue = make_agreement(world, dsl, title="Overdue one", review_on=date(2026, 2, 1))
        soon = make_agreement(world, dsl, title="Due soon", review_on=date(2026, 3, 20))
        later = make_agreement(world, dsl, title="Later one", review_on=date(2026, 9, 1))
    with time_machine.travel("2026-03-01 09:00:00+00:00", tick=False):
        client.force_login(dsl)
        body = text(client.get("/"))
        assert "Information-sharing agreements to review" in body
        assert agreement_url(overdue) in body
        assert agreement_url(soon) in body
        assert agreement_url(later) not in body
        assert "1 overdue for review" in body
        client.force_login(staff)
        assert "Information-sharing agreements to review" not in text(client.get("/"))


def test_the_landing_page_shows_nothing_when_no_review_is_due(client, world, dsl):
    make_agreement(world, dsl, review_on=timezone.localdate() + timedelta(days=300))
    client.force_login(dsl)
    assert "Information-sharing agreements to review" not in text(client.get("/"))
