import re

import pytest
from django.utils.safestring import SafeString

from saferschools.lib.markdown import markdown_render


def tags_of(html: str) -> set[str]:
    return {name.lower() for name in re.findall(r"<\s*([a-zA-Z][a-zA-Z0-9]*)", html)}


def test_markdown_becomes_styled_html():
    html = markdown_render(
        "# Who can help\n\nTalk to **someone you trust**.\n\n- Childline\n- Your teacher\n\n"
        "1. Stop\n2. Tell\n\n> You are not alone\n\nCall [Childline](tel:08001111) or "
        "[write](https://www.childline.org.uk/) or [e-mail](mailto:help@school.example)."
    )
    assert isinstance(html, SafeString)
    # The page has its own h1: a heading in the text becomes an h2.
    assert '<h2 class="govuk-heading-m">Who can help</h2>' in html
    assert "<h1" not in html
    assert '<p class="govuk-body">' in html
    assert "<strong>someone you trust</strong>" in html
    assert '<ul class="govuk-list govuk-list--bullet">' in html
    assert '<ol class="govuk-list govuk-list--number">' in html
    assert '<blockquote class="govuk-inset-text">' in html
    assert '<a href="tel:08001111" class="govuk-link" rel="noopener noreferrer">' in html
    assert 'href="https://www.childline.org.uk/"' in html
    assert 'href="mailto:help@school.example"' in html


def test_plain_text_is_paragraphs():
    assert markdown_render("Hello\n\nWorld") == (
        '<p class="govuk-body">Hello</p>\n<p class="govuk-body">World</p>\n'
    )
    assert markdown_render("") == ""


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">click</a>',
        '<iframe src="https://evil.example"></iframe>',
        "<style>body{display:none}</style>",
        '<div onclick="alert(1)">x</div>',
        "<svg onload=alert(1)>",
    ],
)
def test_raw_html_is_shown_as_text(text):
    html = markdown_render(text)
    assert tags_of(html) == {"p"}
    assert "&lt;" in html


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<javascript:alert(1)>",
        "[click][ref]\n\n[ref]: javascript:alert(1)",
    ],
)
def test_dangerous_links_are_not_links(text):
    html = markdown_render(text)
    assert "<a" not in html
    assert 'href="javascript' not in html.lower()
    assert 'href="data' not in html.lower()


@pytest.mark.parametrize(
    "text", ["![a cat](https://tracker.example/cat.png)", '<img src="https://tracker.example/x">']
)
def test_images_are_never_loaded(text):
    html = markdown_render(text)
    assert "img" not in tags_of(html)
    assert " src=" not in html.replace("&lt;img src=", "")


def test_code_is_shown_as_text():
    html = markdown_render("`<b onclick=x>`")
    assert html == '<p class="govuk-body"><code>&lt;b onclick=x&gt;</code></p>\n'
