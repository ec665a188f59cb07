"""Free text from people: made safe to store and to show, whatever language or emoji it holds."""

import re
import unicodedata

from django.core.exceptions import ValidationError

# Control characters other than tab and newline (C0, DEL and C1), and the Unicode
# "noncharacters"; NUL in particular cannot be stored in PostgreSQL text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")


def text_clean(value: object, *, field: str, max_length: int, required: bool = True) -> str:
    """Text with line endings made ``\\n``, control characters removed and the ends trimmed.

    Markup is kept as written: it is text, and pages escape it when they show it. Raises
    ``ValidationError`` naming ``field`` when the value is missing, not text or too long.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: "Enter text"})
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    # Lone surrogates cannot be encoded to UTF-8 and so cannot be stored.
    text = text.encode("utf-8", "replace").decode("utf-8") if not _encodable(text) else text
    text = unicodedata.normalize("NFC", text).strip()
    if required and not text:
        raise ValidationError({field: "This cannot be empty"})
    if len(text) > max_length:
        raise ValidationError(
            {field: f"Use {max_length:,} characters or fewer (this has {len(text):,})"}
        )
    return text


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
