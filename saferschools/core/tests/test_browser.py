"""Sign-in and the landing page in a real headless Chromium, checked with axe-core."""

from urllib.parse import urlsplit

import pytest

from saferschools.accounts.models import Role
from saferschools.testing.browser import (
    BROWSER_TEST_MARKS,
    PHONE,
    SIGN_IN,
    assert_accessible,
    axe_violations,
    describe,
    sign_in,
    watch,
)

pytestmark = BROWSER_TEST_MARKS


@pytest.fixture
def lead(transactional_db, world, persona):
    """The safeguarding lead of Oakwood School, with a name to greet."""
    return persona(
        Role.SAFEGUARDING_LEAD, world.school_a, email="dana@oakwood.example", full_name="Dana Lee"
    )


# (a)


def test_sign_in_page_is_accessible(page):
    response = page.goto(SIGN_IN)

    assert response.status == 200
    assert page.title() == "Sign in \N{EN DASH} SaferSchools"
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in to SaferSchools"
    assert_accessible(page)


def test_the_axe_check_does_find_problems(page):
    # Guards against a check that passes because it checks nothing.
    page.goto(SIGN_IN)
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend', '<input type="text" id="unlabelled">');
            const faint = document.createElement('p');
            faint.textContent = 'faint';
            faint.style.color = '#ccc';  // the policy refuses style attributes in markup
            main.append(faint);
        }"""
    )

    found = {violation["id"] for violation in axe_violations(page)}

    assert {"label", "color-contrast"} <= found
    assert "label" in describe(axe_violations(page))


# (b)


def test_sign_in_through_the_form_lands_on_an_accessible_landing_page(
    page, lead, password, live_server
):
    sign_in(page, lead.email, password)

    assert page.url == f"{live_server.url}/"
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Dana"
    assert page.get_by_role("heading", name="Safeguarding lead: Oakwood School").is_visible()
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert_accessible(page)


def test_sign_in_returns_to_the_page_asked_for(page, lead, password, live_server, world):
    school_page = f"/schools/{world.school_a.urn}/"
    page.goto(school_page)
    assert urlsplit(page.url).path == SIGN_IN

    page.get_by_label("E-mail address").fill(lead.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    assert page.url == f"{live_server.url}{school_page}"


def test_landing_page_screenshot(page, lead, password, tmp_path):
    sign_in(page, lead.email, password)

    shot = tmp_path / "landing.png"
    page.screenshot(path=shot, full_page=True)

    assert shot.stat().st_size > 1000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# (c)


def test_sign_in_and_landing_page_work_without_javascript(new_context, lead, password, live_server):
    page = new_context(java_script_enabled=False).new_page()

    sign_in(page, lead.email, password)

    assert "js-enabled" not in (page.get_attribute("body", "class") or "")
    assert page.url == f"{live_server.url}/"
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Dana"
    assert page.get_by_role("heading", name="Safeguarding lead: Oakwood School").is_visible()


def test_sign_out_works_without_javascript(new_context, lead, password, live_server):
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, lead.email, password)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    assert urlsplit(page.url).path == SIGN_IN
    page.goto("/")
    assert urlsplit(page.url).path == SIGN_IN


# (d)


def test_wrong_password_shows_an_accessible_error_summary(page, lead):
    page.goto(SIGN_IN)
    page.get_by_label("E-mail address").fill(lead.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert summary.get_by_role("heading", name="There is a problem").is_visible()
    message = summary.get_by_role("link", name="Enter a correct e-mail address and password.")
    assert message.is_visible()
    # GOV.UK Frontend moves focus to the summary, so a screen reader announces it.
    assert summary.evaluate("(element) => element === document.activeElement")
    assert page.title().startswith("Error: ")
    assert urlsplit(page.url).path == SIGN_IN
    assert page.get_by_label("E-mail address").input_value() == lead.email
    assert page.get_by_label("Password").input_value() == ""
    assert_accessible(page)


def test_empty_form_shows_each_missing_field(page, world):
    page.goto(SIGN_IN)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()

    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link", name="Enter your e-mail address").is_visible()
    assert summary.get_by_role("link", name="Enter your password").is_visible()
    assert_accessible(page)


# (e)


def test_sign_in_page_fits_a_small_phone(new_context):
    page = new_context(viewport=PHONE, device_scale_factor=2).new_page()

    page.goto(SIGN_IN)

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_landing_page_fits_a_small_phone(new_context, lead, password):
    page = new_context(viewport=PHONE, device_scale_factor=2).new_page()

    sign_in(page, lead.email, password)

    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Dana"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


# (f) and (g)


def test_landing_page_has_no_console_errors_or_policy_violations(page, lead, password):
    seen = watch(page)

    sign_in(page, lead.email, password)
    page.wait_for_load_state("networkidle")

    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Dana"
    # Both scripts ran: init.js marks the body, and GOV.UK Frontend's module (app.mjs and the
    # bundle it imports) marks each component it starts.
    assert "govuk-frontend-supported" in page.get_attribute("body", "class")
    assert page.locator("[data-govuk-skip-link-init]").count() == 1
    assert seen.console_errors == []
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []


def test_sign_in_page_has_no_console_errors_or_policy_violations(page, world):
    seen = watch(page)

    page.goto(SIGN_IN)
    page.wait_for_load_state("networkidle")

    assert seen.console_errors == []
    assert seen.page_errors == []
    assert seen.csp_violations(page) == []


def test_no_request_leaves_the_live_server(page, lead, password, live_server):
    seen = watch(page)

    sign_in(page, lead.email, password)
    page.wait_for_load_state("networkidle")

    origin = urlsplit(live_server.url)
    assert seen.requests, "the browser made no request at all"
    elsewhere = [
        url
        for url in seen.requests
        if urlsplit(url).scheme != "data"
        and (urlsplit(url).scheme, urlsplit(url).netloc) != (origin.scheme, origin.netloc)
    ]
    assert elsewhere == []
    paths = {urlsplit(url).path for url in seen.requests}
    assert {SIGN_IN, "/", "/static/css/app.css", "/static/js/app.mjs"} <= paths


def test_the_pupil_register_pages_are_accessible(page, lead, password, world):
    sign_in(page, lead.email, password)
    for path in (
        f"/schools/{world.school_a.urn}/",
        f"/partnerships/{world.p.pk}/",
        f"/schools/{world.school_a.urn}/pupils/",
        f"/pupils/{world.pupil_a.pk}/",
        f"/schools/{world.school_a.urn}/pupils/import/",
        "/accessibility/",
        "/privacy/",
        "/no-such-page/",
    ):
        page.goto(path)
        assert_accessible(page)


def test_a_failed_pupil_import_is_accessible(page, lead, password, world, tmp_path):
    bad = tmp_path / "pupils.csv"
    bad.write_text("Adno,Legal Forename,Legal Surname,DOB,Year\n1,Amy,,31/02/2012,Year 8\n")
    sign_in(page, lead.email, password)
    page.goto(f"/schools/{world.school_a.urn}/pupils/import/")
    page.get_by_label("Pupil export (CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Import pupils").click()
    page.wait_for_load_state()
    assert page.get_by_text("There is a problem").is_visible()
    assert page.get_by_text("Line 2:").first.is_visible()
    assert_accessible(page)


def test_an_administrator_gives_a_role_through_accessible_pages(page, persona, world, password):
    admin = persona(Role.AREA_ADMIN, world.area, email="admin@area.example")
    sign_in(page, admin.email, password)
    page.goto(f"/areas/{world.area.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Give someone a role").click()
    page.get_by_role("button", name="Give the role").click()
    page.wait_for_load_state()
    assert page.get_by_text("Enter the person's e-mail address").first.is_visible()
    assert_accessible(page)
    page.get_by_label("E-mail address").fill("new.teacher@school.example")
    page.get_by_label("Full name").fill("New Teacher")
    page.get_by_label("Role").select_option("school_staff")
    page.get_by_label("Over").select_option(label=world.school_a.name)
    page.get_by_role("button", name="Give the role").click()
    page.wait_for_load_state()
    assert page.get_by_text("new.teacher@school.example now has the role").is_visible()


def test_two_factor_enrolment_page_is_accessible(page, lead, password, settings):
    settings.REQUIRE_TWO_FACTOR = True
    sign_in(page, lead.email, password)
    assert page.get_by_role("heading", name="Set up two-factor sign-in").is_visible()
    assert page.locator("svg title").first.text_content() == "QR code for your authenticator app"
    assert_accessible(page)


def test_pupil_search_narrows_the_list_as_one_types(page, lead, password, world):
    sign_in(page, lead.email, password)
    page.goto(f"/schools/{world.school_a.urn}/pupils/")
    page.get_by_label("Find a pupil").fill("no such pupil")
    page.get_by_text("No pupil matches").wait_for()
    page.get_by_label("Find a pupil").fill(world.pupil_a.family_name)
    page.get_by_role("link", name=world.pupil_a.family_name).wait_for()
    # The page was not reloaded: htmx swapped the results and kept the address in step.
    assert f"q={world.pupil_a.family_name}" in page.url
    assert_accessible(page)
