import re
import uuid

import pytest
from django.urls import reverse

from saferschools.accounts.models import Role
from saferschools.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

HOME = reverse("core-home")
SIGN_IN = reverse("accounts-sign-in")


def school_url(school):
    return reverse("core-school", args=[school.urn])


def pupils_url(school):
    return reverse("casework-pupils", args=[school.urn])


def partnership_url(partnership):
    return reverse("core-partnership", args=[partnership.pk])


def area_url(area):
    return reverse("core-area", args=[area.pk])


def without_csrf_token(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


@pytest.fixture
def other_dsl(world, persona):
    """The safeguarding lead of school D, in the other area."""
    return persona(Role.SAFEGUARDING_LEAD, world.school_d)


# The landing page


def test_landing_page_for_a_safeguarding_lead(client, dsl, world):
    client.force_login(dsl)
    page = client.get(HOME)
    assert page.status_code == 200
    body = page.content.decode()
    assert f"Hello, {dsl.get_short_name()}" in body
    assert "Safeguarding lead: Oakwood School" in body
    assert f'href="{school_url(world.school_a)}"' in body
    assert f'href="{pupils_url(world.school_a)}"' in body
    assert f'href="{partnership_url(world.p)}"' in body
    # No other school's register; the navigation's search covers the lead's own pupils only.
    assert "/pupils/" not in body.replace(pupils_url(world.school_a), "").replace(
        'href="/pupils/"', ""
    )


def test_landing_page_for_school_staff_links_to_pupils(client, staff, world):
    client.force_login(staff)
    body = client.get(HOME).content.decode()
    assert f'href="{pupils_url(world.school_a)}"' in body


def test_landing_page_for_a_steering_member(client, persona, world):
    client.force_login(persona(Role.STEERING_MEMBER, world.p))
    page = client.get(HOME)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Steering group member: Horley SSP" in body
    assert f'href="{partnership_url(world.p)}"' in body
    assert "/pupils/" not in body


def test_landing_page_for_an_ssp_officer_lists_each_schools_pupils(client, persona, world):
    client.force_login(persona(Role.SSP_OFFICER, world.p))
    body = client.get(HOME).content.decode()
    assert f'href="{pupils_url(world.school_a)}"' in body
    assert f'href="{pupils_url(world.school_b)}"' in body
    assert pupils_url(world.school_c) not in body


def test_landing_page_for_an_la_analyst(client, persona, world):
    client.force_login(persona(Role.LA_ANALYST, world.area))
    page = client.get(HOME)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Local authority analyst: Surrey" in body
    assert f'href="{area_url(world.area)}"' in body
    assert "small numbers suppressed" in body
    assert "/pupils/" not in body


def test_landing_page_for_a_practitioner_notes_sharing(client, practitioner, world):
    client.force_login(practitioner)
    body = client.get(HOME).content.decode()
    assert f'href="{area_url(world.area)}"' in body
    assert "only while a sharing decision grants it to Surrey YOS" in body
    assert "/pupils/" not in body


def test_landing_page_for_a_user_with_no_role(client, db):
    client.force_login(UserFactory())
    page = client.get(HOME)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Your account has no role yet" in body
    assert "govuk-summary-card" not in body


def test_landing_page_shows_every_membership(client, persona, world):
    user = persona(Role.SAFEGUARDING_LEAD, world.school_a)
    other = persona(Role.STEERING_MEMBER, world.q)
    other.memberships.update(user=user)
    client.force_login(user)
    body = client.get(HOME).content.decode()
    assert "Safeguarding lead: Oakwood School" in body
    assert "Steering group member: Woking SSP" in body


# School, partnership and area pages


def test_school_page_for_its_safeguarding_lead(client, dsl, world):
    client.force_login(dsl)
    page = client.get(school_url(world.school_a))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Oakwood School" in body
    assert f'href="{pupils_url(world.school_a)}"' in body
    assert reverse("casework-import-pupils", args=[world.school_a.urn]) in body


def test_school_page_for_staff_has_no_import_link(client, staff, world):
    client.force_login(staff)
    body = client.get(school_url(world.school_a)).content.decode()
    assert f'href="{pupils_url(world.school_a)}"' in body
    assert reverse("casework-import-pupils", args=[world.school_a.urn]) not in body


def test_partnership_colleague_sees_the_school_but_not_its_pupils(client, persona, world):
    client.force_login(persona(Role.SAFEGUARDING_LEAD, world.school_b))
    page = client.get(school_url(world.school_a))
    assert page.status_code == 200
    assert pupils_url(world.school_a) not in page.content.decode()


def test_partnership_page_lists_its_schools(client, dsl, world):
    client.force_login(dsl)
    page = client.get(partnership_url(world.p))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Horley SSP" in body
    assert "Oakwood School" in body
    assert "Langshott Primary" in body
    assert "Woking High" not in body


def test_area_page_lists_what_the_user_may_see(client, dsl, world):
    client.force_login(dsl)
    page = client.get(area_url(world.area))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Surrey" in body
    assert "Horley SSP" in body
    assert "Surrey Police" in body
    assert "Fareham" not in body
    # Accounts and roles are for the area's administrators.
    assert "Accounts and roles" not in body
    assert dsl.email not in body


def test_area_page_shows_accounts_to_the_area_admin(client, persona, dsl, world):
    client.force_login(persona(Role.AREA_ADMIN, world.area))
    body = client.get(area_url(world.area)).content.decode()
    assert "Accounts and roles" in body
    assert dsl.email in body


@pytest.mark.parametrize("page", ["school", "partnership", "area"])
def test_pages_of_another_area_are_404(client, other_dsl, world, page):
    url = {
        "school": school_url(world.school_a),
        "partnership": partnership_url(world.p),
        "area": area_url(world.area),
    }[page]
    client.force_login(other_dsl)
    response = client.get(url)
    assert response.status_code == 404
    assert "Oakwood" not in response.content.decode()
    assert "Horley" not in response.content.decode()


def test_own_pages_are_200_for_the_other_areas_lead(client, other_dsl, world):
    client.force_login(other_dsl)
    assert client.get(school_url(world.school_d)).status_code == 200
    assert client.get(partnership_url(world.r)).status_code == 200
    assert client.get(area_url(world.other_area)).status_code == 200


def test_outside_officer_gets_404_for_another_partnerships_school(client, outside_officer, world):
    client.force_login(outside_officer)
    assert client.get(school_url(world.school_a)).status_code == 404
    assert client.get(partnership_url(world.p)).status_code == 404
    assert client.get(school_url(world.school_c)).status_code == 200
    assert client.get(partnership_url(world.q)).status_code == 200


def test_missing_and_forbidden_look_the_same(client, other_dsl, world):
    client.force_login(other_dsl)
    forbidden = client.get(partnership_url(world.p))
    missing = client.get(reverse("core-partnership", args=[uuid.uuid4()]))
    assert forbidden.status_code == missing.status_code == 404
    # Alike but for the sign-out form's CSRF token.
    assert without_csrf_token(forbidden) == without_csrf_token(missing)
    assert client.get("/schools/999999999/").status_code == 404


def test_user_with_no_role_sees_no_school(client, world):
    client.force_login(UserFactory())
    assert client.get(school_url(world.school_a)).status_code == 404
    assert client.get(partnership_url(world.p)).status_code == 404
    assert client.get(area_url(world.area)).status_code == 404


@pytest.mark.parametrize("page", ["home", "school", "partnership", "area"])
def test_anonymous_is_sent_to_sign_in(client, world, page):
    url = {
        "home": HOME,
        "school": school_url(world.school_a),
        "partnership": partnership_url(world.p),
        "area": area_url(world.area),
    }[page]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?next={url}"


def test_pages_are_get_only(client, dsl, world):
    client.force_login(dsl)
    assert client.post(HOME).status_code == 405
    assert client.post(school_url(world.school_a)).status_code == 405


# Fixed pages and errors


def test_healthz_is_json(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("core-accessibility", "Accessibility statement for SaferSchools"),
        ("core-privacy", "Privacy notice"),
    ],
)
def test_fixed_pages_need_no_sign_in(client, db, name, heading):
    page = client.get(reverse(name))
    assert page.status_code == 200
    assert heading in page.content.decode()


def test_api_404_is_json(client, db):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_page_404_is_html(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# Response headers


@pytest.mark.parametrize(
    ("page", "signed_in"),
    [
        ("sign-in", False),
        ("accessibility", False),
        ("privacy", False),
        ("missing", False),
        ("home", True),
        ("school", True),
        ("pupils", True),
    ],
)
def test_html_responses_carry_a_content_security_policy(client, dsl, world, page, signed_in):
    url = {
        "sign-in": SIGN_IN,
        "accessibility": reverse("core-accessibility"),
        "privacy": reverse("core-privacy"),
        "missing": "/no-such-page/",
        "home": HOME,
        "school": school_url(world.school_a),
        "pupils": pupils_url(world.school_a),
    }[page]
    if signed_in:
        client.force_login(dsl)
    response = client.get(url)
    assert response["Content-Type"].startswith("text/html")
    policy = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert "script-src 'self'" in policy
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("page", ["home", "school", "pupils", "pupil", "missing"])
def test_signed_in_pages_are_not_cached(client, dsl, world, page):
    url = {
        "home": HOME,
        "school": school_url(world.school_a),
        "pupils": pupils_url(world.school_a),
        "pupil": reverse("casework-pupil", args=[world.pupil_a.pk]),
        "missing": school_url(world.school_d),
    }[page]
    client.force_login(dsl)
    response = client.get(url)
    assert response["Cache-Control"] == "no-store"


def test_public_pages_for_anonymous_visitors_may_be_cached(client, db):
    assert "no-store" not in client.get("/accessibility/").get("Cache-Control", "")


def test_the_area_page_counts_every_school_of_a_partnership(client, world, persona):
    # A school's staff reach the partnership through their own school: the count is still of all.
    client.force_login(persona(Role.SCHOOL_STAFF, world.school_a))
    page = client.get(f"/areas/{world.area.pk}/")
    assert page.status_code == 200
    assert "Horley SSP</a> \u2013 2 schools" in page.content.decode()
