"""The school and partnership pages link the casework pages to those who may open them."""

import pytest
from django.urls import reverse

from saferschools.accounts.models import Role

pytestmark = pytest.mark.django_db


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_case_workers_find_the_schools_casework_and_others_do_not(client, world, persona):
    school = world.school_a
    meetings = reverse("casework-meetings", args=[school.urn])
    notifications = reverse("sharing-police-notifications", args=[school.urn])
    record = reverse("sharing-record-police-notification", args=[school.urn])
    log = reverse("sharing-school-disclosure-log", args=[school.urn])
    url = reverse("core-school", args=[school.urn])

    lead = _page(client, persona(Role.SAFEGUARDING_LEAD, school), url)
    assert meetings in lead and notifications in lead and log in lead
    assert record not in lead

    officer = _page(client, persona(Role.SSP_OFFICER, world.p), url)
    assert meetings in officer and record in officer
    assert log not in officer

    for role, where in (
        (Role.SCHOOL_STAFF, school),
        (Role.LA_ANALYST, world.area),
        (Role.AGENCY_PRACTITIONER, world.yot),
    ):
        page = _page(client, persona(role, where), url)
        assert meetings not in page and notifications not in page and log not in page


def test_the_partnership_page_links_agreements_and_the_disclosure_log(client, world, persona):
    url = reverse("core-partnership", args=[world.p.pk])
    agreements = reverse("sharing-agreements", args=[world.p.pk])
    log = reverse("sharing-partnership-disclosure-log", args=[world.p.pk])
    lead = _page(client, persona(Role.HEAD_TEACHER, world.school_a), url)
    assert agreements in lead and log in lead
    steering = _page(client, persona(Role.STEERING_MEMBER, world.p), url)
    assert agreements in steering and log not in steering


def test_the_safety_advice_page_links_the_settings_only_for_administrators(client, world, persona):
    url = reverse("reporting-topics", args=[world.area.pk])
    settings_url = reverse("reporting-settings", args=[world.area.pk])
    assert settings_url not in _page(client, persona(Role.SAFEGUARDING_LEAD, world.school_a), url)
    assert settings_url in _page(client, persona(Role.AREA_ADMIN, world.area), url)
