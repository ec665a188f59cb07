"""The whole survey in a real headless Chromium: a head teacher sets up a survey and prints a
sheet of codes, a pupil on a small phone answers with one (without JavaScript, then with it),
and the results are read once the survey has closed; every page checked with axe-core."""

import io
import re
import urllib.request

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from saferschools.accounts.models import Role
from saferschools.outcomes.models import SurveyAnswer, SurveyResponse, SurveyRound
from saferschools.testing.browser import (
    BROWSER_TEST_MARKS,
    PHONE,
    assert_accessible,
    sign_in,
    watch,
)

from .survey_helpers import answer_many, close, question_of

pytestmark = BROWSER_TEST_MARKS

CODE = re.compile(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}\b")


@pytest.fixture(autouse=True)
def _warm_server(live_server):
    """A fresh live server's first page loads every template and module it needs: on a busy
    machine that can take longer than a browser's wait for a page, so it is done here first."""
    for path in ("/account/sign-in/", "/static/css/app.css"):
        with urllib.request.urlopen(f"{live_server.url}{path}", timeout=120):  # noqa: S310
            pass


@pytest.fixture
def head(transactional_db, world, persona):
    return persona(
        Role.HEAD_TEACHER, world.school_a, email="hana@oakwood.example", full_name="Hana Head"
    )


def fits_the_screen(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_a_survey_from_setting_up_to_results(new_context, world, head, password, live_server):
    staff_page = new_context().new_page()
    seen = watch(staff_page)
    sign_in(staff_page, head.email, password)
    staff_page.goto(f"/schools/{world.school_a.urn}/surveys/")
    assert_accessible(staff_page)
    staff_page.get_by_role("button", name="Set up a survey").click()
    assert_accessible(staff_page)
    staff_page.get_by_role("button", name="Set up the survey").click()
    expect(staff_page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(staff_page)

    from django.utils import timezone

    today = timezone.localdate()
    for group, day in (("Opens on", today), ("Closes on", today)):
        fieldset = staff_page.get_by_role("group", name=group)
        fieldset.get_by_label("Day").fill(str(day.day))
        fieldset.get_by_label("Month").fill(str(day.month))
        fieldset.get_by_label("Year").fill(str(day.year))
    staff_page.get_by_role("button", name="Set up the survey").click()
    expect(staff_page.get_by_text("survey is set up")).to_be_visible()
    assert_accessible(staff_page)
    survey = SurveyRound.objects.get()

    staff_page.get_by_label("How many codes").fill("3")
    staff_page.get_by_label("Who the sheet is for (optional)").fill("Year 9")
    with staff_page.expect_download() as download:
        staff_page.get_by_role("button", name="Print the codes").click()
    pdf = download.value.path().read_bytes()
    sheet = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    codes = CODE.findall(sheet)
    assert len(set(codes)) == 3

    # A pupil on a phone, without JavaScript (axe needs it: it checks the same pages below).
    phone = new_context(java_script_enabled=False, viewport=PHONE)
    pupil = phone.new_page()
    pupil.goto(f"/survey/{world.school_a.urn}/")
    expect(pupil.get_by_role("button", name="Exit this page")).to_be_visible()
    assert fits_the_screen(pupil)
    safe = pupil.get_by_role("group", name="I feel safe at school.")
    pupil.get_by_label("Your code").fill("ABCDE-23456")
    safe.get_by_label("Agree", exact=True).check()
    pupil.get_by_role("button", name="Send my answers").click()
    expect(pupil.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(
        pupil.get_by_role("link", name=re.compile("We could not find that code"))
    ).to_be_visible()
    # The answer chosen is still chosen.
    expect(safe.get_by_label("Agree", exact=True)).to_be_checked()
    assert fits_the_screen(pupil)
    pupil.get_by_label("Your code").fill(codes[0].lower())
    pupil.get_by_role("button", name="Send my answers").click()
    expect(pupil.get_by_role("heading", name="Thank you")).to_be_visible()
    assert pupil.url.endswith(f"/survey/{world.school_a.urn}/")
    assert phone.cookies() == []

    # Another, with JavaScript: the same code again is refused; each page checked with axe.
    second = new_context(viewport=PHONE).new_page()
    second.goto(f"/survey/{world.school_a.urn}/")
    assert_accessible(second)
    second.get_by_label("Your code").fill(codes[0])
    second.get_by_role("button", name="Send my answers").click()
    expect(second.get_by_text("This code has already been used.").first).to_be_visible()
    assert fits_the_screen(second)
    assert_accessible(second)
    second.get_by_label("Your code").fill(codes[1])
    bullied = second.get_by_role(
        "group", name=re.compile("In the last four weeks, have you been bullied")
    )
    bullied.get_by_label("I'd rather not say").check()
    second.get_by_role("button", name="Send my answers").click()
    expect(second.get_by_role("heading", name="Thank you")).to_be_visible()
    assert_accessible(second)
    second.goto(f"/survey/{world.school_b.urn}/")
    expect(second.get_by_role("heading", name="There is no survey here just now")).to_be_visible()
    assert_accessible(second)
    assert SurveyResponse.objects.count() == 2
    assert sorted(SurveyAnswer.objects.values_list("value", flat=True)) == [2, 9]

    # More pupils answer; the survey closes; the head teacher reads the results.
    safe = question_of(survey, "survey_safe_at_school")
    answer_many(survey, head, [{safe: 1}] * 10 + [{safe: 3}] * 5)
    staff_page.goto(f"/surveys/{survey.pk}/results/")
    expect(staff_page.get_by_text("have answered so far")).to_be_visible()
    close(survey, head)
    staff_page.reload()
    expect(staff_page.get_by_text("17 pupils answered")).to_be_visible()
    expect(staff_page.get_by_role("table", name="Answers to question 1")).to_be_visible()
    assert_accessible(staff_page)
    staff_page.goto(f"/partnerships/{world.p.pk}/surveys/")
    expect(staff_page.get_by_text("17 pupils' answers are counted together")).to_be_visible()
    assert_accessible(staff_page)
    # The form sent without its dates answers 400, which the browser notes; nothing else.
    assert [e for e in seen.console_errors if "status of 400" not in e] == []
    assert seen.page_errors == []
    assert seen.csp_violations(staff_page) == []


def test_the_area_s_questions_in_a_browser(new_context, world, persona, password):
    admin = persona(Role.AREA_ADMIN, world.area, email="adam@surreycc.example")
    page = new_context().new_page()
    sign_in(page, admin.email, password)
    page.goto(f"/areas/{world.area.pk}/survey-questions/")
    expect(page.get_by_role("heading", name="Pupil survey questions")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Add a question").click()
    assert_accessible(page)
    page.get_by_label("Yes or no: Yes, No").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Question", exact=True).fill("Have you seen a weapon at school this term?")
    page.get_by_label("Indicator it measures (optional)").select_option("")
    assert_accessible(page)
    page.get_by_role("button", name="Add the question").click()
    expect(page.get_by_text("Question added")).to_be_visible()
    expect(page.get_by_text("9. Have you seen a weapon at school this term?")).to_be_visible()
    assert_accessible(page)
