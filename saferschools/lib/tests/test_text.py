import pytest
from django.core.exceptions import ValidationError

from saferschools.lib.text import text_clean


def clean(value, max_length=100, required=True):
    return text_clean(value, field="body", max_length=max_length, required=required)


def field_error(excinfo) -> str:
    errors = excinfo.value.message_dict
    assert list(errors) == ["body"]
    return errors["body"][0]


def test_ends_are_trimmed_and_line_endings_made_newlines():
    assert clean("  one\r\ntwo\rthree\n  ") == "one\ntwo\nthree"


def test_tabs_and_newlines_inside_are_kept():
    assert clean("a\tb\n\nc") == "a\tb\n\nc"


@pytest.mark.parametrize(
    "character",
    ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f",
     "\ufdd0", "\ufffe", "\uffff"],
)  # fmt: skip
def test_control_characters_and_noncharacters_are_removed(character):
    assert clean(f"before{character}after") == "beforeafter"


def test_lone_surrogates_cannot_break_storage():
    cleaned = clean("a\ud800b")
    cleaned.encode("utf-8")
    assert cleaned.startswith("a") and cleaned.endswith("b")


@pytest.mark.parametrize(
    "text",
    [
        "Someone said 😡 to me 👍🏽 and 👨‍👩‍👧",
        "تعرضت للتنمر في المدرسة",  # Arabic, right to left
        "שלום, אני צריך עזרה",  # Hebrew
        "我在学校被欺负了",  # Chinese
        "学校でいじめられました",  # Japanese
        "Cześć, ktoś mi grozi — proszę o pomoc",
    ],
)
def test_any_language_and_emoji_are_kept(text):
    assert clean(text) == text


def test_markup_is_kept_as_written():
    assert clean("<script>alert(1)</script> & <b>") == "<script>alert(1)</script> & <b>"


def test_text_is_composed_so_that_equal_words_are_equal():
    assert clean("e\u0301") == "\u00e9"


def test_length_is_counted_after_cleaning():
    assert clean("x" * 100) == "x" * 100
    assert clean("  " + "x" * 100 + "\x00\x00  ") == "x" * 100
    with pytest.raises(ValidationError) as error:
        clean("x" * 101)
    assert field_error(error) == "Use 100 characters or fewer (this has 101)"


@pytest.mark.parametrize("value", [None, "", "   ", "\x00\x01", "\n\t\n"])
def test_empty_text_is_refused_when_required(value):
    with pytest.raises(ValidationError) as error:
        clean(value)
    assert field_error(error) == "This cannot be empty"
    assert clean(value, required=False) == ""


@pytest.mark.parametrize("value", [1, 1.5, True, ["a"], {"a": 1}, b"bytes"])
def test_what_is_not_text_is_refused(value):
    with pytest.raises(ValidationError) as error:
        clean(value)
    assert field_error(error) == "Enter text"
