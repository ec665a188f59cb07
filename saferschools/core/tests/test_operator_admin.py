import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from saferschools.accounts.models import Membership
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_admin_sign_in_goes_through_the_products_sign_in(client):
    response = client.get(reverse("admin:login") + "?next=/operator/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts-sign-in"))
    assert "next=%2Foperator%2F" in response["Location"]


def test_authenticator_keys_groups_and_task_results_are_not_in_the_admin():
    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(Group)


def test_operator_must_give_a_second_factor_in_production_mode(client, operator, settings):
    settings.REQUIRE_TWO_FACTOR = True
    client.force_login(operator)
    response = client.get("/operator/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts-two-factor"))


def test_memberships_cannot_be_changed_in_the_admin(client, operator, dsl):
    client.force_login(operator)
    page = client.get(reverse("admin:accounts_user_change", args=[dsl.pk]))
    assert page.status_code == 200
    inline = page.context["inline_admin_formsets"][0]
    assert not inline.has_add_permission
    assert not inline.has_delete_permission
    assert Membership.objects.filter(user=dsl).count() == 1


def test_a_partnership_school_added_in_the_admin_is_audited(client, operator, world):
    client.force_login(operator)
    url = reverse("admin:core_partnership_change", args=[world.q.pk])
    data = {
        "area": world.q.area_id,
        "name": world.q.name,
        "stage": world.q.stage,
        "started_on": "",
        "school_links-TOTAL_FORMS": "2",
        "school_links-INITIAL_FORMS": "1",
        "school_links-MIN_NUM_FORMS": "0",
        "school_links-MAX_NUM_FORMS": "1000",
        "school_links-0-id": world.q.school_links.get().pk,
        "school_links-0-partnership": world.q.pk,
        "school_links-0-school": world.school_c.pk,
        "school_links-0-joined_on": "",
        "school_links-1-partnership": world.q.pk,
        "school_links-1-school": world.school_e.pk,
        "school_links-1-joined_on": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    link = world.school_e.__class__.objects.get(pk=world.school_e.pk).partnership_link
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="core.partnershipschool", object_id=str(link.pk)
    ).exists()
