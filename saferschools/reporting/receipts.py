"""Receipt codes: how an anonymous pupil finds their report again.

A receipt is 20 decimal digits from the operating system's cryptographic source (about 66 bits).
The database keeps only an HMAC-SHA256 of it under ``RECEIPT_KEY``, a key the database does not
hold, so that neither a copy of the database nor a log can give a receipt back, and a receipt
cannot be found by hashing guesses without the key.
"""

import hashlib
import hmac
import secrets
import unicodedata

from django.conf import settings

RECEIPT_DIGITS = 20


def receipt_new() -> str:
    """A fresh receipt code, digits only."""
    return f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}"


# Dashes a pupil's keyboard or phone may put between the groups of digits.
_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2212")


def receipt_normalise(text: object) -> str | None:
    """The receipt's digits from what a pupil typed (spaces and dashes allowed), or ``None``
    when it cannot be a receipt.

    Digits typed on any keyboard count as the digits they are (full-width, Arabic-Indic,
    Devanagari…), so that a pupil writing in their own script can still follow up.
    """
    if not isinstance(text, str) or len(text) > 100:
        return None
    digits = []
    for ch in text:
        if ch.isspace() or ch in _DASHES:
            continue
        value = unicodedata.decimal(ch, None)
        if value is None:
            return None
        digits.append(str(value))
    if len(digits) != RECEIPT_DIGITS:
        return None
    return "".join(digits)


def receipt_digest(code: str) -> str:
    """The keyed hash stored for a receipt."""
    key = settings.RECEIPT_KEY.encode()
    return hmac.new(
        key, b"saferschools-receipt:" + code.encode("ascii"), hashlib.sha256
    ).hexdigest()


def receipt_display(code: str) -> str:
    """The receipt in groups of four digits, as pupils read and write it."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))
