"""The pupils' pages: the help page and advice, telling the school, the receipt, following up."""

import io
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from saferschools.core.models import AuditEvent
from saferschools.reporting import services
from saferschools.reporting.models import (
    URGENT_CATEGORIES,
    Category,
    EntryKind,
    Report,
    ReportEntry,
    ReportPhoto,
    Status,
)
from saferschools.reporting.receipts import receipt_display
from saferschools.reporting.selectors import default_topic, followup_find
from saferschools.testing.factories import submit_report

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r"\b\d{4}(?: \d{4}){4}\b")
START_AGAIN = "Something went wrong and nothing was sent. Choose what it is about to start again."
NOT_FOUND = "We could not find a report with that receipt. Check the numbers and try again."


def help_url(school):
    return reverse("reporting-help", args=[school.urn])


def tell_url(school):
    return reverse("reporting-tell", args=[school.urn])


def topic_url(school, category):
    return reverse("reporting-topic", args=[school.urn, category])


def followup_url():
    return reverse("reporting-followup")


def reply_url():
    return reverse("reporting-followup-reply")


def download_url():
    return reverse("reporting-receipt-download")


def report_form(**changes):
    data = {
        "step": "send",
        "category": "bullying",
        "description": "Two pupils in year 9 keep taking my bag at lunch.",
        "location": "on_site",
        "occurred": "today at lunch",
        "about": "self",
        "in_danger": "no",
        "anonymous": "yes",
        "name": "",
        "year_group": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def send(client, school, **changes):
    return client.post(tell_url(school), report_form(**changes))


def choose(client, school, category):
    """Step 1: choose what it is about."""
    data = {"step": "category"}
    if category is not None:
        data["category"] = category
    return client.post(tell_url(school), data)


def receipt_on(response) -> str:
    found = RECEIPT.search(response.content.decode())
    assert found, "no receipt on the page"
    return found.group(0).replace(" ", "")


def summary_link(field: str, message: str) -> str:
    """The error summary's link to a field, as the page has it."""
    return f'<a href="#id_{field}">{message}</a>'


def visible_text(response) -> str:
    """The page as read: tags and input values left out, white space made single."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def jpeg_with_location() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "Canon EOS 5D"  # Model
    exif[0x8825] = {  # GPS IFD
        1: "N",
        2: (51.0, 10.0, 30.0),
        3: "W",
        4: (0.0, 9.0, 45.0),
    }
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngInfo()
    info.add_text("Comment", "taken at 12 Acacia Avenue")
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def photo(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_anywhere(text: str) -> list[str]:
    """Every table and column holding ``text``."""
    found = []
    for model in apps.get_models():
        names = [field.attname for field in model._meta.concrete_fields]
        for row in model._default_manager.values_list(*names):
            for name, value in zip(names, row, strict=True):
                haystack = bytes(value) if isinstance(value, bytes | memoryview) else value
                if isinstance(haystack, bytes):
                    if text.encode() in haystack:
                        found.append(f"{model._meta.db_table}.{name}")
                elif text in str(haystack):
                    found.append(f"{model._meta.db_table}.{name}")
    return found


def assert_private(response):
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies, f"cookies set: {list(response.cookies)}"


# The help page and the advice


def test_help_page_has_the_start_follow_up_emergency_help_and_topics(client, world, settings):
    response = client.get(help_url(world.school_a))

    assert response.status_code == 200
    body = response.content.decode()
    assert world.school_a.name in body
    assert "Help and reporting" in body
    assert f'href="{tell_url(world.school_a)}"' in body
    assert "Tell us what happened" in body
    assert f'href="{followup_url()}"' in body
    assert "call 999" in body
    assert "0800&nbsp;1111" in body
    for category in Category.values:
        assert f'href="{topic_url(world.school_a, category)}"' in body
        assert default_topic(category).title in body
    assert_private(response)


def test_help_page_says_how_to_keep_a_visit_private(client, world):
    text = visible_text(client.get(help_url(world.school_a)))

    assert "Keeping your visit private" in text
    assert "This site does not record who you are" in text
    assert "use the “Exit this page” button, or press the Shift key 3 times" in text
    assert "may still be in your browser's history" in text
    assert "use a private or incognito window, or clear your history" in text


def test_every_pupil_page_has_exit_this_page_and_no_staff_links(client, world, settings):
    settings.EXIT_PAGE_URL = "https://www.example.org/weather"
    pages = [
        client.get(help_url(world.school_a)),
        client.get(topic_url(world.school_a, "bullying")),
        client.get(tell_url(world.school_a)),
        client.get(tell_url(world.school_a), {"category": "bullying"}),
        choose(client, world.school_a, "bullying"),
        client.get(followup_url()),
        client.get(help_url(world.school_e)),
    ]
    for response in pages:
        body = response.content.decode()
        assert 'class="govuk-exit-this-page"' in body
        assert 'href="https://www.example.org/weather"' in body
        assert "sign-in" not in body
        assert "Sign out" not in body
        assert "govuk-service-navigation__list" not in body
        assert "Beta" not in body
        assert response["Referrer-Policy"] == "no-referrer"


def test_no_page_loads_anything_from_another_site(client, world):
    for response in [
        client.get(help_url(world.school_a)),
        client.get(topic_url(world.school_a, "weapons")),
        choose(client, world.school_a, "weapons"),
        send(client, world.school_a),
    ]:
        html = response.content.decode()
        sources = re.findall(r'<(?:script|img|link|iframe)\b[^>]*(?:src|href)="([^"]+)"', html)
        assert sources
        assert all(source.startswith("/") for source in sources), sources


@pytest.mark.parametrize("case", ["unknown", "closed", "not in a partnership"])
def test_help_page_is_not_found_for_a_school_not_taking_reports(client, world, case):
    if case == "unknown":
        url = reverse("reporting-help", args=[123])
    elif case == "closed":
        world.school_a.is_open = False
        world.school_a.save()
        url = help_url(world.school_a)
    else:
        url = help_url(world.school_e)

    response = client.get(url)

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert world.school_a.name not in response.content.decode()
    assert client.get(tell_url(world.school_e)).status_code == 404
    assert client.post(tell_url(world.school_e), report_form()).status_code == 404
    assert not Report.objects.exists()


def test_topic_page_shows_the_advice(client, world):
    response = client.get(topic_url(world.school_a, "online_bullying"))

    assert response.status_code == 200
    topic = default_topic("online_bullying")
    body = response.content.decode()
    assert topic.title in body
    assert topic.summary in body
    assert '<h2 class="govuk-heading-m">' in body  # the markdown body, rendered
    assert f'href="{help_url(world.school_a)}"' in body
    assert "Get help now" not in body
    # "Tell us" carries the topic on to step 2 in a post, not in the address.
    assert f'<form method="post" action="{tell_url(world.school_a)}"' in body
    assert '<input type="hidden" name="step" value="category">' in body
    assert '<input type="hidden" name="category" value="online_bullying">' in body
    assert "?category=" not in body


def test_tell_us_from_a_topic_goes_to_step_two_for_it(client, world):
    response = choose(client, world.school_a, "self_harm")

    assert response.status_code == 200
    body = response.content.decode()
    assert '<input type="hidden" name="category" value="self_harm">' in body
    assert ">Get help now</h2>" in body
    assert 'name="description"' in body
    assert not Report.objects.exists()


def test_topic_page_shows_the_area_s_own_advice_as_text(client, world, dsl):
    services.safety_topic_save(
        actor=dsl,
        area=world.area,
        category="bullying",
        title="Bullying at Oakwood",
        summary="What to do <b>now</b>",
        body="Talk to **Mr Khan** in room 4.\n\n<script>alert(1)</script>",
        source="test",
    )

    body = client.get(topic_url(world.school_a, "bullying")).content.decode()

    assert "Bullying at Oakwood" in body
    assert "What to do &lt;b&gt;now&lt;/b&gt;" in body
    assert "<strong>Mr Khan</strong>" in body
    assert "<script>alert(1)</script>" not in body
    # The other area keeps the shipped advice.
    other = client.get(topic_url(world.school_d, "bullying")).content.decode()
    assert default_topic("bullying").title in other


def test_urgent_topics_show_emergency_help(client, world):
    body = client.get(topic_url(world.school_a, "self_harm")).content.decode()
    assert "If you are in danger now" in body


@pytest.mark.parametrize("category", ["nonsense", "Bullying", "1"])
def test_topic_page_is_not_found_for_an_unknown_category(client, world, category):
    assert client.get(topic_url(world.school_a, category)).status_code == 404


def test_topic_page_is_not_found_at_a_school_not_taking_reports(client, world):
    assert client.get(topic_url(world.school_e, "bullying")).status_code == 404


def test_pupil_pages_refuse_other_methods(client, world):
    assert client.post(help_url(world.school_a)).status_code == 405
    assert client.post(topic_url(world.school_a, "bullying")).status_code == 405
    assert client.get(reply_url()).status_code == 405
    assert client.get(download_url()).status_code == 405


# Telling the school: step 1 and step 2


def test_step_one_asks_what_it_is_about_with_every_category(client, world):
    response = client.get(tell_url(world.school_a))

    assert response.status_code == 200
    body = response.content.decode()
    assert "What is it about?" in body
    assert f'<form method="post" action="{tell_url(world.school_a)}" novalidate>' in body
    assert '<input type="hidden" name="step" value="category">' in body
    for value, label in Category.choices:
        assert f'type="radio" value="{value}"' in body
        assert label in body
    assert "checked" not in body
    assert 'name="description"' not in body


def test_step_one_ignores_a_category_in_the_address(client, world):
    # An address someone else made, or one left in the history from before: nothing in it is
    # chosen or shown, and nothing urgent is revealed.
    plain = client.get(tell_url(world.school_a))
    response = client.get(tell_url(world.school_a), {"category": "self_harm"})

    assert response.status_code == 200
    assert_private(response)
    body = response.content.decode()
    assert body == plain.content.decode()
    assert "What is it about?" in body
    assert 'type="radio" value="self_harm" required>' in body
    assert body.count("self_harm") == 1
    assert "checked" not in body
    assert 'name="category" value="self_harm"' not in body
    assert "Get help now" not in body
    assert 'name="description"' not in body
    assert not Report.objects.exists()


@pytest.mark.parametrize("category", ["", "nonsense", None])
def test_step_one_without_a_category_is_an_error(client, world, category):
    response = choose(client, world.school_a, category)

    assert response.status_code == 400
    assert_private(response)
    body = response.content.decode()
    assert summary_link("category_0", "Choose what it is about") in body
    assert "<title>Error: " in body
    assert '<input type="hidden" name="step" value="category">' in body
    assert "checked" not in body
    assert 'name="description"' not in body


def test_step_two_shows_the_chosen_category_and_the_rest_of_the_form(client, world):
    response = choose(client, world.school_a, "online_bullying")

    assert response.status_code == 200
    assert_private(response)
    body = response.content.decode()
    assert "Online bullying" in body
    assert (
        f'<form method="post" action="{tell_url(world.school_a)}" '
        'enctype="multipart/form-data" novalidate>' in body
    )
    assert '<input type="hidden" name="step" value="send">' in body
    assert '<input type="hidden" name="category" value="online_bullying">' in body
    assert f'<a class="govuk-link" href="{tell_url(world.school_a)}">Change' in body
    assert 'enctype="multipart/form-data"' in body
    for field in ["description", "occurred", "name"]:
        assert f'name="{field}"' in body
    for value in ["on_site", "journey", "online", "elsewhere", "self", "someone_else"]:
        assert f'value="{value}"' in body
    assert "For example, today at lunch" in body
    assert 'data-module="govuk-character-count"' in body
    assert 'type="file" multiple accept="image/jpeg,image/png,image/heic"' in body
    assert '<option value="0">Reception</option>' in body
    assert '<option value="13">Year 13</option>' in body
    assert "Nursery" not in body
    # "Yes, someone is in danger" reveals emergency help; it is in the page without JavaScript.
    assert 'data-aria-controls="conditional-id_in_danger_0"' in body
    assert "Someone is in danger: get help now" in body
    # A category that is not urgent has no emergency box at the top.
    assert "Get help now<" not in body


@pytest.mark.parametrize("category", sorted(URGENT_CATEGORIES))
def test_step_two_for_an_urgent_category_shows_emergency_help_first(client, world, category):
    body = choose(client, world.school_a, category).content.decode()

    assert ">Get help now</h2>" in body
    assert body.index(">Get help now</h2>") < body.index('<form method="post"')
    assert "call 999" in body
    assert "0800&nbsp;1111" in body


@pytest.mark.parametrize("step", [None, "", "nonsense", "Send", "category "])
def test_a_post_that_is_neither_step_starts_again_and_stores_nothing(client, world, step):
    audits = AuditEvent.objects.count()
    data = report_form(step=step, category="self_harm", anonymous="no", name="Sam Lee")

    response = client.post(tell_url(world.school_a), {**data, "photos": [photo(png_with_text())]})

    assert response.status_code == 400
    assert_private(response)
    body = response.content.decode()
    assert summary_link("category_0", START_AGAIN) in body
    assert "<title>Error: What is it about?" in body
    assert '<input type="hidden" name="step" value="category">' in body
    # Nothing posted is acted on or shown back.
    assert "checked" not in body
    assert "Get help now" not in body
    assert "Sam Lee" not in body
    assert 'name="description"' not in body
    assert not RECEIPT.search(body)
    assert not Report.objects.exists()
    assert not ReportEntry.objects.exists()
    assert not ReportPhoto.objects.exists()
    assert AuditEvent.objects.count() == audits


def test_no_pupil_page_puts_a_choice_in_an_address(client, world):
    school = world.school_a
    sent = send(client, school)
    pages = [
        client.get(help_url(school)),
        client.get(topic_url(school, "self_harm")),
        client.get(tell_url(school)),
        choose(client, school, "self_harm"),
        choose(client, school, "nonsense"),
        send(client, school, category="self_harm", location=None),
        send(client, school, step="nonsense"),
        sent,
        client.get(followup_url()),
        client.post(followup_url(), {"receipt": receipt_on(sent)}),
    ]

    for response in pages:
        html = response.content.decode()
        assert 'method="get"' not in html.lower()
        addresses = re.findall(r'(?:href|action|src)="(/[^"]*)"', html)
        assert addresses
        for address in addresses:
            assert "?" not in address, address


# Sending a report


def test_sending_a_report_stores_it_and_shows_the_receipt_once(client, world, caplog):
    caplog.set_level(logging.DEBUG)

    with CaptureQueriesContext(connection) as queries:
        response = send(
            client,
            world.school_a,
            category="theft_damage",
            description="Someone broke my bike lock.",
            location="journey",
            occurred="Monday after school",
            about="someone_else",
        )

    assert response.status_code == 200
    assert_private(response)
    receipt = receipt_on(response)
    assert len(receipt) == 20
    report = Report.objects.get()
    assert report.school == world.school_a
    assert report.category == "theft_damage"
    assert report.description == "Someone broke my bike lock."
    assert report.location == "journey"
    assert report.occurred == "Monday after school"
    assert report.about == "someone_else"
    assert report.in_danger is False
    assert report.anonymous is True
    assert report.pupil_name == ""
    assert report.year_group is None
    assert report.urgent is False
    assert followup_find(receipt) == report
    assert AuditEvent.objects.filter(object_id=str(report.pk), source="web:reporting-tell")

    # The receipt is on the page and nowhere else: not stored, not logged, never in a query.
    assert "reporting_report.description" in stored_anywhere("Someone broke my bike lock.")
    for form in (receipt, receipt_display(receipt)):
        assert stored_anywhere(form) == []
        assert form not in caplog.text
        assert not [q for q in queries.captured_queries if form in q["sql"]]
    for model in (Report, ReportEntry, AuditEvent):
        assert model.objects.exists()
    body = response.content.decode()
    assert "Keep your receipt secret and safe" in body
    assert "end of the next school day" in body
    assert "data-app-print" in body
    assert f'action="{download_url()}"' in body
    assert "app-print-receipt" in body
    assert "If you are in danger now" not in body


def test_an_urgent_report_shows_emergency_help_again_on_the_receipt(client, world):
    response = send(client, world.school_a, in_danger="yes")

    assert response.status_code == 200
    body = response.content.decode()
    assert "If you are in danger now" in body
    assert "alerted straight away" in body
    assert Report.objects.get().urgent is True


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"category": None}, "category_0", "Choose what it is about"),
        ({"category": "bogus"}, "category_0", "Choose what it is about"),
        ({"description": "   "}, "description", "Tell us what happened"),
        (
            {"description": "x" * 5001},
            "description",
            "What happened must be 5,000 characters or fewer (it has 5,001)",
        ),
        ({"location": None}, "location_0", "Choose where it happened"),
        ({"location": "moon"}, "location_0", "Choose where it happened"),
        ({"occurred": ""}, "occurred", "Tell us when it happened."),
        ({"about": None}, "about_0", "Choose whether it happened to you or to someone else"),
        (
            {"in_danger": None},
            "in_danger_0",
            "Choose yes if anyone is in danger right now, or no if not",
        ),
        (
            {"anonymous": None},
            "anonymous_0",
            "Choose whether to stay anonymous or give your name",
        ),
        (
            {"anonymous": "no", "name": "  "},
            "name",
            "Enter your name, or choose to stay anonymous",
        ),
        (
            {"anonymous": "no", "name": "Sam", "year_group": "14"},
            "year_group",
            "Choose your year group from the list",
        ),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(client, world, changes, field, message):
    response = send(client, world.school_a, **changes)

    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert f'<a href="#id_{field}">{message}' in body
    assert "<title>Error: " in body
    assert not RECEIPT.search(body)
    assert not Report.objects.exists()
    assert not ReportEntry.objects.exists()


def test_bad_input_keeps_what_the_pupil_typed(client, world):
    response = send(
        client,
        world.school_a,
        description="They said <b>horrible</b> things 😢 — 你好",
        occurred="Friday",
        location=None,
        in_danger="yes",
        anonymous="no",
        name="Sam <i>Lee</i>",
        year_group="9",
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "They said &lt;b&gt;horrible&lt;/b&gt; things 😢 — 你好</textarea>" in body
    assert 'value="Friday"' in body
    assert 'value="Sam &lt;i&gt;Lee&lt;/i&gt;"' in body
    assert '<option value="9" selected>Year 9</option>' in body
    assert 'value="yes" data-aria-controls="conditional-id_in_danger_0" checked' in body
    assert '<input type="hidden" name="category" value="bullying">' in body
    # The chosen answers' reveals are open.
    assert 'class="govuk-radios__conditional" id="conditional-id_in_danger_0"' in body
    assert 'class="govuk-radios__conditional" id="conditional-id_anonymous_1"' in body
    assert "<b>horrible</b>" not in body


def test_photos_must_be_added_again_after_an_error(client, world):
    response = send(client, world.school_a, location=None, photos=[photo(jpeg_with_location())])

    assert response.status_code == 400
    assert "Add your photos again" in response.content.decode()
    assert (
        "Add your photos again" not in send(client, world.school_a, location=None).content.decode()
    )


def test_a_file_that_is_not_an_image_is_refused(client, world):
    text = photo(b"this is not a picture", name="notes.jpg")

    response = send(client, world.school_a, photos=[text])

    assert response.status_code == 400
    assert '<a href="#id_photos">Photo 1 must be a JPEG' in response.content.decode()
    assert not Report.objects.exists()
    assert not ReportPhoto.objects.exists()


def test_a_bad_photo_is_named_along_with_other_problems(client, world):
    text = photo(b"GIF89a not really", name="a.gif", content_type="image/gif")

    body = send(client, world.school_a, location=None, photos=[text]).content.decode()

    assert '<a href="#id_location_0">' in body
    assert '<a href="#id_photos">Photo 1 must be a JPEG' in body


@pytest.mark.parametrize("count", [4, 7])
def test_more_than_three_photos_are_refused(client, world, count):
    photos = [photo(jpeg_with_location(), name=f"p{n}.jpg") for n in range(count)]

    response = send(client, world.school_a, photos=photos)

    assert response.status_code == 400
    assert summary_link("photos", "Add up to 3 photos or screenshots") in response.content.decode()
    assert not Report.objects.exists()
    assert not ReportPhoto.objects.exists()


def test_a_photo_too_large_is_refused(client, world, settings):
    settings.REPORT_PHOTO_MAX_MB = 1
    big = photo(b"\xff\xd8\xff" + b"\0" * (1024 * 1024 + 10), name="big.jpg")

    response = send(client, world.school_a, photos=[big])

    assert response.status_code == 400
    assert summary_link("photos", "Photo 1 is larger than 1 MB") in response.content.decode()
    assert not Report.objects.exists()


def test_photos_never_reach_the_disk(client, world, settings, monkeypatch):
    # However large, a photo is held in memory until its metadata is gone, never in a
    # temporary file.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100

    def refuse(*args, **kwargs):
        raise AssertionError("a photo was written to a temporary file")

    monkeypatch.setattr(TemporaryUploadedFile, "__init__", refuse)

    response = send(client, world.school_a, photos=[photo(jpeg_with_location())])

    assert response.status_code == 200
    assert ReportPhoto.objects.count() == 1


def test_a_photo_is_stored_without_its_location_or_camera(client, world):
    original = jpeg_with_location()
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif().get_ifd(0x8825), "the test photo should carry a GPS position"
        assert check.getexif()[0x010F] == "Canon"

    response = send(client, world.school_a, photos=[photo(original)])

    assert response.status_code == 200
    stored = ReportPhoto.objects.get()
    content = bytes(stored.content)
    assert stored.content_type == "image/jpeg"
    assert (stored.width, stored.height) == (64, 48)
    assert b"Exif" not in content
    assert b"Canon" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0
        assert not image.getexif().get_ifd(0x8825)
        assert "exif" not in image.info


def test_a_screenshot_keeps_no_text(client, world):
    original = png_with_text()
    assert b"tEXt" in original and b"Acacia" in original

    response = send(client, world.school_a, photos=[photo(original, "s.png", "image/png")])

    assert response.status_code == 200
    stored = ReportPhoto.objects.get()
    content = bytes(stored.content)
    assert stored.content_type == "image/png"
    assert b"tEXt" not in content
    assert b"Acacia" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert "Comment" not in image.info


def test_three_photos_are_stored_in_order(client, world):
    photos = [
        photo(jpeg_with_location(), "a.jpg"),
        photo(png_with_text(), "b.png", "image/png"),
        photo(jpeg_with_location(), "c.jpg"),
    ]

    assert send(client, world.school_a, photos=photos).status_code == 200

    stored = list(ReportPhoto.objects.order_by("position"))
    assert [(p.position, p.content_type) for p in stored] == [
        (1, "image/jpeg"),
        (2, "image/png"),
        (3, "image/jpeg"),
    ]


def test_markup_and_any_language_are_stored_as_typed(client, world):
    typed = '<script>alert("hi")</script> <b>bold</b> 😀👍🏽 Ça va? 你好 مرحبا Привет'

    response = send(client, world.school_a, description=typed, occurred="昨天 🕐")

    assert response.status_code == 200
    report = Report.objects.get()
    assert report.description == typed
    assert report.occurred == "昨天 🕐"


def test_staying_anonymous_drops_a_name_typed_before(client, world):
    response = send(client, world.school_a, anonymous="yes", name="Sam Lee", year_group="9")

    assert response.status_code == 200
    report = Report.objects.get()
    assert report.anonymous is True
    assert report.pupil_name == ""
    assert report.year_group is None
    assert stored_anywhere("Sam Lee") == []


@pytest.mark.parametrize(("year_group", "stored"), [("0", 0), ("9", 9), ("13", 13), ("", None)])
def test_giving_a_name_stores_it_with_the_year_group(client, world, year_group, stored):
    response = send(client, world.school_a, anonymous="no", name="Sam Lee", year_group=year_group)

    assert response.status_code == 200
    report = Report.objects.get()
    assert report.anonymous is False
    assert report.pupil_name == "Sam Lee"
    assert report.year_group == stored


def test_a_pupil_journey_makes_no_session_and_sets_no_cookie(client, world, dsl):
    school = world.school_a
    responses = [
        client.get(help_url(school)),
        client.get(topic_url(school, "bullying")),
        client.get(tell_url(school)),
        client.get(tell_url(school), {"category": "bullying"}),
        choose(client, school, "bullying"),
        choose(client, school, "nonsense"),
        send(client, school, location=None),
        send(client, school, step="nonsense"),
    ]
    sent = send(client, school)
    receipt = receipt_on(sent)
    services.report_reply(
        actor=dsl, report=Report.objects.get(), body="Thank you for telling us.", source="test"
    )
    responses += [
        sent,
        client.post(download_url(), {"receipt": receipt}),
        client.get(followup_url()),
        client.post(followup_url(), {"receipt": "1234"}),
        client.post(followup_url(), {"receipt": receipt}),
        client.post(reply_url(), {"receipt": receipt, "body": "Thanks"}),
    ]

    for response in responses:
        assert response.status_code in (200, 400)
        assert "sessionid" not in response.cookies
        assert not response.cookies
        assert response["Referrer-Policy"] == "no-referrer"
    assert not client.cookies
    assert not Session.objects.exists()


# Following up with the receipt


def test_the_right_receipt_shows_the_status_and_the_school_s_replies(client, world, dsl):
    submitted = submit_report(world.school_a, category="online_bullying")
    services.report_reply(
        actor=dsl, report=submitted.report, body="Thank you. Can you tell us more?", source="test"
    )
    services.report_add_note(
        actor=dsl, report=submitted.report, body="Head of year told in confidence", source="test"
    )

    response = client.post(followup_url(), {"receipt": receipt_display(submitted.receipt)})

    assert response.status_code == 200
    assert_private(response)
    body = response.content.decode()
    assert "Being looked at" in body
    assert "Online bullying" in body
    assert "Thank you. Can you tell us more?" in body
    assert ">School</h3>" in body
    assert "Head of year told in confidence" not in body
    assert submitted.report.description not in body
    assert (
        f'<input type="hidden" name="receipt" value="{receipt_display(submitted.receipt)}"' in body
    )
    assert f'action="{reply_url()}"' in body


def test_a_receipt_typed_with_dashes_works(client, world):
    submitted = submit_report(world.school_a)
    typed = receipt_display(submitted.receipt).replace(" ", "-")

    response = client.post(followup_url(), {"receipt": typed})

    assert response.status_code == 200
    assert "Received" in response.content.decode()
    assert "No messages yet" in response.content.decode()


def test_follow_up_form_asks_for_the_receipt(client):
    response = client.get(followup_url())

    assert response.status_code == 200
    assert_private(response)
    body = response.content.decode()
    assert 'name="receipt"' in body
    assert 'inputmode="numeric"' in body
    assert 'autocomplete="off"' in body


def test_an_empty_receipt_asks_for_one(client):
    response = client.post(followup_url(), {"receipt": "  "})

    assert response.status_code == 400
    assert summary_link("receipt", "Enter your receipt") in response.content.decode()


def test_wrong_malformed_and_expired_receipts_get_the_same_answer(client, world, dsl, settings):
    expired = submit_report(world.school_a)
    services.report_close(actor=dsl, report=expired.report, outcome="advice_given", source="test")
    Report.objects.filter(pk=expired.report.pk).update(
        closed_at=timezone.now() - timedelta(days=settings.RECEIPT_DAYS_AFTER_CLOSE + 1)
    )
    wrong = "1234 5678 9012 3456 7890"
    assert followup_find(wrong) is None

    answers = [
        client.post(followup_url(), {"receipt": typed})
        for typed in [wrong, "12345", "abcd efgh", "1" * 200, "<b>1</b>", expired.receipt]
    ]

    for response in answers:
        assert response.status_code == 400
        assert_private(response)
        assert summary_link("receipt", NOT_FOUND) in response.content.decode()
    texts = {visible_text(response) for response in answers}
    assert len(texts) == 1
    assert "<b>1</b>" not in answers[4].content.decode()


def test_a_reply_with_a_wrong_receipt_gets_the_same_answer_and_stores_nothing(client, world):
    submit_report(world.school_a)

    response = client.post(reply_url(), {"receipt": "1111 2222 3333 4444 5555", "body": "Hi"})

    assert response.status_code == 400
    assert summary_link("receipt", NOT_FOUND) in response.content.decode()
    assert not ReportEntry.objects.filter(kind=EntryKind.PUPIL_MESSAGE).exists()


def test_repeated_wrong_receipts_are_throttled_for_that_address_only(client, world, settings):
    submitted = submit_report(world.school_a)
    guesser = {"REMOTE_ADDR": "203.0.113.7"}
    for n in range(settings.RECEIPT_ATTEMPTS):
        wrong = client.post(followup_url(), {"receipt": f"{n:020d}"}, **guesser)
        assert wrong.status_code == 400

    limited = client.post(followup_url(), {"receipt": submitted.receipt}, **guesser)
    limited_reply = client.post(
        reply_url(), {"receipt": submitted.receipt, "body": "Hello"}, **guesser
    )
    other = client.post(followup_url(), {"receipt": submitted.receipt}, REMOTE_ADDR="198.51.100.20")

    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert "Too many tries" in limited.content.decode()
    assert_private(limited)
    assert submitted.report.category not in limited.content.decode()
    assert limited_reply.status_code == 429
    assert not ReportEntry.objects.filter(kind=EntryKind.PUPIL_MESSAGE).exists()
    assert other.status_code == 200
    assert "Received" in other.content.decode()


def test_the_pupil_writes_back_and_reads_their_message(client, world, dsl):
    submitted = submit_report(world.school_a)
    services.report_reply(actor=dsl, report=submitted.report, body="Are you OK?", source="test")
    typed = "Yes, thanks 🙂 <b>really</b>\nIt stopped — 谢谢"

    response = client.post(reply_url(), {"receipt": submitted.receipt, "body": typed})

    assert response.status_code == 200
    assert_private(response)
    body = response.content.decode()
    assert "Your message has been sent to the school." in body
    assert "Yes, thanks 🙂 &lt;b&gt;really&lt;/b&gt;<br>It stopped — 谢谢" in body
    assert ">You</h3>" in body
    assert body.index("Are you OK?") < body.index("Yes, thanks")
    entry = ReportEntry.objects.get(kind=EntryKind.PUPIL_MESSAGE)
    assert entry.report_id == submitted.report.pk
    assert entry.body == typed
    assert entry.actor is None
    # The form is empty again, ready for another message.
    assert "</textarea>" in body and "Yes, thanks 🙂 &lt;b&gt;really&lt;/b&gt;\n" not in body


def test_writing_back_reopens_a_closed_report(client, world, dsl):
    submitted = submit_report(world.school_a)
    services.report_close(
        actor=dsl, report=submitted.report, outcome="resolved_in_school", source="test"
    )
    assert "Closed" in client.post(followup_url(), {"receipt": submitted.receipt}).content.decode()

    response = client.post(reply_url(), {"receipt": submitted.receipt, "body": "It started again"})

    assert response.status_code == 200
    report = Report.objects.get()
    assert report.status != Status.CLOSED
    assert report.outcome == ""
    assert "It started again" in response.content.decode()
    assert "Being looked at" in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Write your message"),
        ("  \n ", "Write your message"),
        ("x" * 2001, "Your message must be 2,000 characters or fewer (it has 2,001)"),
    ],
)
def test_a_bad_message_names_the_field_and_stores_nothing(client, world, typed, message):
    submitted = submit_report(world.school_a)

    response = client.post(reply_url(), {"receipt": submitted.receipt, "body": typed})

    assert response.status_code == 400
    body = response.content.decode()
    assert summary_link("body", message) in body
    assert f'<input type="hidden" name="receipt" value="{submitted.receipt}"' in body
    assert not ReportEntry.objects.filter(kind=EntryKind.PUPIL_MESSAGE).exists()


def test_message_times_are_shown_in_london_time(client, world, dsl):
    submitted = submit_report(world.school_a)
    with time_machine.travel(datetime(2026, 6, 1, 22, 30, tzinfo=UTC), tick=False):
        services.report_reply(actor=dsl, report=submitted.report, body="Hello", source="test")

    body = client.post(followup_url(), {"receipt": submitted.receipt}).content.decode()

    assert "1 June 2026 at 11:30pm" in body
    assert 'datetime="2026-06-01T23:30:00+01:00"' in body


# Saving the receipt


def test_the_receipt_download_holds_the_receipt_and_nothing_of_the_report(client, world, settings):
    settings.BASE_URL = "https://reports.example.org"
    response = send(client, world.school_a, description="My phone was taken in PE")
    receipt = receipt_on(response)

    download = client.post(download_url(), {"receipt": receipt})

    assert download.status_code == 200
    assert_private(download)
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert download["Content-Disposition"] == 'attachment; filename="receipt.txt"'
    text = download.content.decode()
    assert receipt_display(receipt) in text
    assert "https://reports.example.org/report/followup/" in text
    assert timezone.localdate().strftime("%Y") in text
    assert "phone" not in text
    assert world.school_a.name not in text
    assert "bullying" not in text.lower()


@pytest.mark.parametrize("typed", ["", "123", "abc", "1" * 300])
def test_the_receipt_download_refuses_what_is_not_a_receipt(client, typed):
    response = client.post(download_url(), {"receipt": typed})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
