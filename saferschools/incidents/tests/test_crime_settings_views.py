"""The area administrator's page for how crime near schools is counted."""

import pytest
from django.urls import reverse

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.incidents.models.crime import CrimeSettings


def url(area):
    return reverse("incidents-crime-settings", args=[area.pk])


@pytest.fixture
def admin(world, persona):
    return persona(Role.AREA_ADMIN, world.area)


def test_the_administrator_sees_the_defaults_without_anything_stored(client, world, admin):
    client.force_login(admin)
    page = client.get(url(world.area))
    assert page.status_code == 200
    assert page.context["form"].initial == {"radius_m": 500, "force": ""}
    assert "Surrey Police" in page.content.decode()  # the area's police force agency
    assert not CrimeSettings.objects.exists()


def test_saving_changes_the_radius_and_force_and_is_audited(client, world, admin):
    client.force_login(admin)
    response = client.post(url(world.area), {"radius_m": "750", "force": " Surrey  Police "})
    assert response.status_code == 302
    saved = CrimeSettings.objects.get(area=world.area)
    assert (saved.radius_m, saved.force) == (750, "Surrey Police")
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.UPDATE, actor_id=admin.pk, object_id=str(saved.pk)
        ).exists()
        or AuditEvent.objects.filter(actor_id=admin.pk, object_id=str(saved.pk)).exists()
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"radius_m": "49"}, "radius_m"),
        ({"radius_m": "5001"}, "radius_m"),
        ({"radius_m": "far"}, "radius_m"),
        ({"radius_m": ""}, "radius_m"),
        ({"radius_m": "500", "force": "x" * 121}, "force"),
    ],
)
def test_bad_input_is_refused_naming_the_field(client, world, admin, data, field):
    client.force_login(admin)
    response = client.post(url(world.area), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert f'href="#id_{field}"' in response.content.decode()
    assert not CrimeSettings.objects.exists()


@pytest.mark.parametrize("role", [Role.SAFEGUARDING_LEAD, Role.SSP_OFFICER, Role.LA_ANALYST])
def test_others_get_not_found(client, world, persona, role):
    scope = {Role.SAFEGUARDING_LEAD: world.school_a, Role.SSP_OFFICER: world.p}.get(
        role, world.area
    )
    client.force_login(persona(role, scope))
    assert client.get(url(world.area)).status_code == 404
    assert client.post(url(world.area), {"radius_m": "900"}).status_code == 404
    assert not CrimeSettings.objects.exists()


def test_another_areas_administrator_gets_not_found(client, world, persona):
    client.force_login(persona(Role.AREA_ADMIN, world.other_area))
    assert client.get(url(world.area)).status_code == 404


def test_the_landing_page_links_to_it_for_the_administrator(client, world, admin, dsl):
    client.force_login(admin)
    assert url(world.area) in client.get(reverse("core-home")).content.decode()
    client.force_login(dsl)
    assert url(world.area) not in client.get(reverse("core-home")).content.decode()
