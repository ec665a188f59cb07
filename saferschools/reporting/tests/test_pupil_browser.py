"""A pupil on a small phone, in a real headless Chromium: from the help page to a receipt and
back through follow-up, without JavaScript; the pages checked with axe-core."""

import io
import re
from urllib.parse import unquote_plus

import pytest
from PIL import Image
from playwright.sync_api import expect

from saferschools.accounts.models import Role
from saferschools.reporting import services
from saferschools.reporting.models import EntryKind, Report, ReportEntry, ReportPhoto
from saferschools.testing.browser import BROWSER_TEST_MARKS, PHONE, assert_accessible

pytestmark = BROWSER_TEST_MARKS

RECEIPT = re.compile(r"^\d{4}( \d{4}){4}$")
REPLY = "Thank you for telling us. Can you come to the library at break?"


@pytest.fixture
def lead(transactional_db, world, persona):
    return persona(Role.SAFEGUARDING_LEAD, world.school_a, full_name="Dana Lee")


def screenshot_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (30, 90, 160)).save(out, format="PNG")
    return out.getvalue()


def fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def fill_report(page, *, danger: str = "No") -> None:
    page.get_by_label("What happened?").fill("Two pupils keep pushing me on the stairs 😟")
    page.get_by_label("At school").check()
    page.get_by_label("When did it happen?").fill("today at lunch")
    page.get_by_label("It happened to me").check()
    page.get_by_label(danger, exact=True).check()
    page.get_by_label("Stay anonymous").check()


def test_a_pupil_reports_and_follows_up_without_javascript(new_context, world, lead, live_server):
    page = new_context(java_script_enabled=False, viewport=PHONE).new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto(f"/report/{world.school_a.urn}/")
    assert "js-enabled" not in (page.get_attribute("body", "class") or "")
    assert page.get_by_role("heading", level=1).inner_text() == "Help and reporting"
    expect(page.get_by_role("button", name="Exit this page")).to_be_visible()
    page.get_by_role("button", name="Tell us what happened").click()

    # Step 1: what is it about?
    page.get_by_label("Online bullying").check()
    page.get_by_role("button", name="Continue").click()

    # Step 2: the rest, at the same address. Emergency help under "Yes" is on show without
    # JavaScript.
    assert page.url == f"{live_server.url}/report/{world.school_a.urn}/tell/"
    expect(page.get_by_text("Online bullying", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Someone is in danger: get help now")).to_be_visible()
    page.get_by_role("button", name="Send to the school").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Tell us what happened")).to_be_visible()
    assert not Report.objects.exists()

    fill_report(page)
    page.get_by_label("Photos or screenshots (optional)").set_input_files(
        {"name": "screenshot.png", "mimeType": "image/png", "buffer": screenshot_png()}
    )
    page.get_by_role("button", name="Send to the school").click()

    # The receipt, read from the page; printing needs JavaScript, so its button is hidden.
    expect(page.get_by_role("heading", name="Your report has been sent")).to_be_visible()
    receipt = page.locator(".app-receipt__code").inner_text().strip()
    assert RECEIPT.match(receipt), receipt
    expect(page.get_by_role("button", name="Print your receipt")).to_be_hidden()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download your receipt").click()
    saved = download.value.path().read_text(encoding="utf-8")
    assert receipt in saved
    assert "pushing" not in saved

    report = Report.objects.get()
    assert report.category == "online_bullying"
    assert report.description == "Two pupils keep pushing me on the stairs 😟"
    assert ReportPhoto.objects.filter(report=report).count() == 1

    # The school replies; the pupil comes back with the receipt, reads it and writes back.
    services.report_reply(actor=lead, report=report, body=REPLY, source="test")
    page.goto("/report/followup/")
    page.get_by_label("Your receipt").fill(receipt)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text(REPLY)).to_be_visible()
    expect(page.get_by_text("Being looked at")).to_be_visible()
    page.get_by_label("Write back to the school").fill("Yes, I can come at break.")
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_text("Your message has been sent to the school.")).to_be_visible()
    expect(page.get_by_text("Yes, I can come at break.")).to_be_visible()
    assert ReportEntry.objects.get(kind=EntryKind.PUPIL_MESSAGE).body == "Yes, I can come at break."
    assert all(url.startswith(live_server.url) for url in requests), requests


def test_no_address_visited_holds_what_the_pupil_chose_or_typed(
    new_context, world, lead, live_server
):
    # A shared family computer keeps every address in its history: none may say what the
    # report is about or hold anything the pupil typed.
    page = new_context(java_script_enabled=False, viewport=PHONE).new_page()
    navigated: list[str] = []
    page.on(
        "framenavigated",
        lambda frame: navigated.append(frame.url) if frame == page.main_frame else None,
    )
    at_each_step: list[str] = []

    def step() -> None:
        at_each_step.append(page.url)

    page.goto(f"/report/{world.school_a.urn}/")
    step()
    page.get_by_role("button", name="Tell us what happened").click()
    step()
    page.get_by_role("button", name="Continue").click()
    step()
    page.get_by_label("Self-harm or thoughts of suicide").check()
    page.get_by_role("button", name="Continue").click()
    step()
    expect(page.get_by_role("heading", name="Get help now", exact=True)).to_be_visible()

    # Sent once with something missing, then again with everything.
    page.get_by_label("What happened?").fill("My sister Jo has been cutting her arms")
    page.get_by_label("Give my name").check()
    page.get_by_label("Your name").fill("Robin Ashworth")
    page.get_by_role("button", name="Send to the school").click()
    step()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    page.get_by_label("Somewhere else").check()
    page.get_by_label("When did it happen?").fill("last Tuesday night")
    page.get_by_label("It happened to someone else").check()
    page.get_by_label("No", exact=True).check()
    page.get_by_label("Your year group (optional)").select_option(label="Year 8")
    page.get_by_role("button", name="Send to the school").click()
    step()
    receipt = page.locator(".app-receipt__code").inner_text().strip()
    assert RECEIPT.match(receipt), receipt
    report = Report.objects.get()
    assert (report.category, report.pupil_name, report.year_group) == (
        "self_harm",
        "Robin Ashworth",
        8,
    )

    services.report_reply(actor=lead, report=report, body=REPLY, source="test")
    page.get_by_role("link", name="Back to help and reporting").click()
    step()
    page.get_by_role("link", name="read our replies and write back").click()
    step()
    page.get_by_label("Your receipt").fill(receipt)
    page.get_by_role("button", name="Continue").click()
    step()
    expect(page.get_by_text(REPLY)).to_be_visible()
    page.get_by_label("Write back to the school").fill("Jo says it is getting worse")
    page.get_by_role("button", name="Send").click()
    step()
    expect(page.get_by_text("Your message has been sent to the school.")).to_be_visible()

    # One page for each step, and each where the browser said it went.
    assert navigated == at_each_step
    assert len(at_each_step) == 10
    addresses = {unquote_plus(url) for url in navigated}
    assert all(url.startswith(live_server.url) for url in addresses), addresses
    assert not [url for url in addresses if "?" in url or "#" in url], addresses
    chosen_or_typed = [
        "self_harm",
        "self-harm",
        "suicide",
        "category",
        "Jo",
        "cutting",
        "Robin",
        "Ashworth",
        "last Tuesday",
        "elsewhere",
        "someone_else",
        "year",
        receipt,
        receipt.replace(" ", ""),
        "worse",
    ]
    for url in addresses:
        for text in chosen_or_typed:
            assert text.lower() not in url.lower(), (text, url)


def test_pupil_pages_are_accessible_on_a_phone(new_context, world, lead):
    page = new_context(viewport=PHONE).new_page()
    urn = world.school_a.urn

    def check(path: str | None = None) -> None:
        if path:
            page.goto(path)
        assert_accessible(page)
        assert fits_the_screen(page), f"wider than the screen: {page.url}"

    check(f"/report/{urn}/")
    check(f"/report/{urn}/tell/")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check()

    # "Tell us" from an urgent topic: step 2 for it, with emergency help first.
    check(f"/report/{urn}/topics/weapons/")
    page.get_by_role("button", name="Tell us what happened").click()
    expect(page.get_by_role("heading", name="Get help now", exact=True)).to_be_visible()
    expect(page.get_by_text("Weapons or knives", exact=True)).to_be_visible()
    check()

    page.get_by_role("button", name="Send to the school").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check()

    fill_report(page, danger="Yes")
    page.get_by_role("button", name="Send to the school").click()
    receipt = page.locator(".app-receipt__code").inner_text().strip()
    assert RECEIPT.match(receipt)
    check()

    check("/report/followup/")
    page.get_by_label("Your receipt").fill("1234 5678 9012 3456 7890")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    check()

    services.report_reply(actor=lead, report=Report.objects.get(), body=REPLY, source="test")
    page.get_by_label("Your receipt").fill(receipt)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text(REPLY)).to_be_visible()
    check()


def test_with_javascript_yes_reveals_emergency_help_and_nothing_leaves_the_site(
    new_context, world, live_server
):
    page = new_context(viewport=PHONE).new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto(f"/report/{world.school_a.urn}/tell/")
    page.get_by_label("Bullying (in person)").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Tell us what happened", level=1)).to_be_visible()
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    danger_help = page.get_by_role("heading", name="Someone is in danger: get help now")
    name = page.get_by_label("Your name")
    expect(danger_help).to_be_hidden()
    expect(name).to_be_hidden()

    page.get_by_label("Yes", exact=True).check()
    expect(danger_help).to_be_visible()
    page.get_by_label("No", exact=True).check()
    expect(danger_help).to_be_hidden()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("Give my name").check()
    expect(name).to_be_visible()

    page.get_by_label("What happened?").fill("Someone in my class has a knife in their bag")
    page.get_by_label("At school").check()
    page.get_by_label("When did it happen?").fill("this morning")
    page.get_by_label("It happened to someone else").check()
    name.fill("Alex")
    page.get_by_label("Your year group (optional)").select_option(label="Year 10")
    page.get_by_role("button", name="Send to the school").click()

    expect(page.get_by_role("heading", name="Your report has been sent")).to_be_visible()
    expect(page.get_by_role("heading", name="If you are in danger now")).to_be_visible()
    expect(page.get_by_role("button", name="Print your receipt")).to_be_visible()
    report = Report.objects.get()
    assert (report.in_danger, report.urgent, report.pupil_name, report.year_group) == (
        True,
        True,
        "Alex",
        10,
    )

    # Printing shows the receipt alone.
    page.emulate_media(media="print")
    expect(page.locator(".app-receipt__code")).to_be_visible()
    expect(page.locator("header")).to_be_hidden()
    expect(page.locator("footer")).to_be_hidden()
    expect(page.get_by_role("button", name="Exit this page")).to_be_hidden()
    expect(page.get_by_role("heading", name="Save your receipt")).to_be_hidden()
    expect(page.get_by_role("heading", name="If you are in danger now")).to_be_hidden()

    assert requests
    assert all(url.startswith(live_server.url) for url in requests), requests
