"""The safety advice shipped for every category: its format, its safety and its helplines."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from saferschools.lib.markdown import markdown_render
from saferschools.lib.text import text_clean
from saferschools.reporting.models import Category, SafetyTopic
from saferschools.reporting.selectors import TOPICS_DIR, default_topic

SECTIONS = ["What it is", "What you can do", "Who can help", "Helplines"]
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}

# Every telephone number the shipped advice gives, checked against each service's own pages.
# A number not listed here is a typo or a new service that needs checking before it ships.
CHECKED_NUMBERS = {
    "999": "Emergency services",
    "101": "Police non-emergency",
    "111": "NHS 111",
    "08001111": "Childline",
    "08088005000": "NSPCC helpline",
    "116123": "Samaritans",
    "08000684141": "Papyrus HOPELINE247",
    "0800555111": "Crimestoppers",
    "0800405040": "British Transport Police",
    "08001381625": "Stop Hate UK",
    "08000113764": "ACT Early support line",
    "0800789321": "Anti-Terrorist Hotline",
    "03001236600": "FRANK",
    "08082000247": "National Domestic Abuse Helpline",
    "08081689111": "Victim Support",
    "08003583456": "Nacoa",
    "08085002222": "Rape Crisis support line",
    "08000121700": "Modern Slavery and Exploitation Helpline",
}

# A UK telephone number written out: a leading 0 and at least seven more digits.
PHONE_NUMBER = re.compile(r"(?<!\d)0\d(?: ?\d){6,}(?!\d)")
MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\([^)]*\)")

CATEGORIES = pytest.mark.parametrize("category", Category.values)


class _Page(HTMLParser):
    """The links (href and text) and the headings (level and text) of a rendered body."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.headings: list[tuple[str, str]] = []
        self.tags: set[str] = set()
        self._href: str | None = None
        self._heading: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = []
        elif tag in {"h1", "h2", "h3", "h4"}:
            self._heading = tag
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None
        elif tag == self._heading:
            self.headings.append((tag, "".join(self._text).strip()))
            self._heading = None

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def rendered(category: str) -> _Page:
    page = _Page()
    page.feed(str(markdown_render(default_topic(category).body)))
    return page


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def section(body: str, heading: str) -> str:
    """The markdown under ``## heading``, up to the next second-level heading."""
    _, _, rest = body.partition(f"## {heading}\n")
    return rest.split("\n## ", 1)[0]


def test_every_category_has_a_file_and_no_file_is_left_over():
    shipped = {path.stem for path in TOPICS_DIR.glob("*.md")}

    assert shipped == set(Category.values)


@CATEGORIES
def test_file_has_title_and_summary_lines_then_a_blank_line(category):
    lines = (TOPICS_DIR / f"{category}.md").read_text(encoding="utf-8").split("\n")

    assert lines[0].startswith("title: ")
    assert lines[1].startswith("summary: ")
    assert lines[2] == ""
    assert lines[3].strip(), "the body starts straight after the blank line"


@CATEGORIES
def test_title_and_summary_fit_the_editable_topic(category):
    topic = default_topic(category)

    assert topic.category == category
    assert 0 < len(topic.title) <= SafetyTopic._meta.get_field("title").max_length
    assert 0 < len(topic.summary) <= SafetyTopic._meta.get_field("summary").max_length
    assert topic.title != category, "the title is written for pupils, not the code"
    assert topic.summary.endswith((".", "!", "?"))
    assert "tbd" not in topic.summary.lower()


@CATEGORIES
def test_body_fits_the_editable_topic_and_stays_short(category):
    body = default_topic(category).body

    assert len(body) <= SafetyTopic._meta.get_field("body").max_length
    assert 150 <= len(body.split()) <= 500


@CATEGORIES
def test_shipped_text_is_stored_unchanged_when_staff_save_it_as_it_is(category):
    topic = default_topic(category)

    for field in ("title", "summary", "body"):
        value = getattr(topic, field)
        limit = SafetyTopic._meta.get_field(field).max_length
        assert text_clean(value, field=field, max_length=limit) == value


@CATEGORIES
def test_body_has_the_four_sections_in_order(category):
    headings = rendered(category).headings

    assert headings == [("h2", name) for name in SECTIONS]


@CATEGORIES
def test_body_tells_pupils_to_call_999_in_danger(category):
    body = default_topic(category).body
    links = rendered(category).links

    assert "999" in body
    assert "in danger right now" in body.split("## ")[0], (
        "the emergency line comes before the first section"
    )
    assert ("tel:999", "999") in links


@CATEGORIES
def test_body_says_pupils_can_tell_us_here_anonymously(category):
    what_you_can_do = section(default_topic(category).body, "What you can do")

    assert "Tell us on this website." in what_you_can_do
    assert "anonymous" in what_you_can_do


@CATEGORIES
def test_rendered_body_has_no_script_no_image_and_only_safe_links(category):
    body = default_topic(category).body
    html = str(markdown_render(body))
    page = rendered(category)

    assert "<" not in body, "no raw HTML in the source"
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "![" not in body, "no images in the source"
    assert not page.tags & {"script", "img", "iframe", "style", "h1"}
    assert page.links
    for href, _ in page.links:
        assert urlsplit(href).scheme in ALLOWED_SCHEMES, href


@CATEGORIES
def test_web_links_are_https_and_their_text_names_the_site_they_open(category):
    for href, text in rendered(category).links:
        if href.startswith("tel:"):
            continue
        url = urlsplit(href)
        assert url.scheme == "https", href
        host = text.split("/")[0]
        assert url.hostname is not None
        assert url.hostname == host or url.hostname.endswith(f".{host}"), (href, text)


@CATEGORIES
def test_phone_links_are_tel_links_that_dial_the_number_shown(category):
    for href, text in rendered(category).links:
        looks_like_a_number = bool(re.fullmatch(r"[\d ]+", text))
        if href.startswith("tel:") or looks_like_a_number:
            assert href.startswith("tel:"), (href, text)
            assert looks_like_a_number, (href, text)
            assert digits(href) == digits(text), (href, text)
            assert href == f"tel:{digits(text)}", "tel links hold digits only"


@CATEGORIES
def test_every_phone_number_is_a_link(category):
    body = default_topic(category).body
    outside_links = MARKDOWN_LINK.sub("", body)

    assert PHONE_NUMBER.findall(outside_links) == []


@CATEGORIES
def test_every_number_dialled_is_a_checked_helpline(category):
    dialled = {digits(href) for href, _ in rendered(category).links if href.startswith("tel:")}

    assert dialled - set(CHECKED_NUMBERS) == set()


@CATEGORIES
def test_helplines_include_childline(category):
    helplines = section(default_topic(category).body, "Helplines")

    assert "[0800 1111](tel:08001111)" in helplines
    assert "(https://www.childline.org.uk" in helplines


def test_the_checks_catch_a_wrong_number_and_an_unlinked_one():
    wrong = _Page()
    wrong.feed(str(markdown_render("Call [0800 1111](tel:08001112).")))
    ((href, text),) = wrong.links

    assert digits(href) != digits(text)
    assert PHONE_NUMBER.findall(MARKDOWN_LINK.sub("", "Call 0808 800 5000 now.")) == [
        "0808 800 5000"
    ]
    assert PHONE_NUMBER.findall("Text SHOUT to 85258 or call 116 123.") == []
