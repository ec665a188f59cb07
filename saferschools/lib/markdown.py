"""Markdown written by staff, rendered to HTML that is safe to show to anyone.

Raw HTML in the source is shown as text, never passed through; the rendered HTML is then
cleaned against a short allow-list, links may only go to web, mail and telephone addresses, and
no image is ever loaded (pupils' pages make no request beyond this site).
"""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MARKDOWN.disable("image")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote", "code",
    "pre", "hr",
}  # fmt: skip
_CLASSES = {
    "p": "govuk-body",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "a": "govuk-link",
    "h2": "govuk-heading-m",
    "h3": "govuk-heading-s",
    "h4": "govuk-heading-s",
    "blockquote": "govuk-inset-text",
}


def markdown_render(text: str) -> SafeString:
    """HTML for ``text`` (plain text or markdown), styled for the pages and safe to show."""
    html = _MARKDOWN.render(text or "")
    # A top-level heading in the text becomes a second-level one: the page has its own h1.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
        set_tag_attribute_values={tag: {"class": value} for tag, value in _CLASSES.items()},
    )
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 against the allow-list above
