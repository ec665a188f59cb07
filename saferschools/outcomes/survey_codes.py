"""Survey codes: the single-use slips a school hands out, one to each pupil taking the survey.

A code is ten characters from an alphabet of 31 without those easily mistaken for one another
(no 0 or O, 1 or I or L), drawn from the operating system's cryptographic source: 31^10, nearly
10^15 possible codes (49 bits), so that guessing one stays hopeless even with every wrong guess
the throttle allows. Pupils read it in two groups of five and may type it in either case,
with or without the space or dash.

The database keeps only an HMAC-SHA256 of the code under a key derived from the receipt key
with a context of its own, so that neither a copy of the database nor a log can give a code
back, and a code cannot be found by hashing guesses without the key.
"""

import hashlib
import hmac
import secrets
import unicodedata

from django.conf import settings

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
GROUP = 5
_CONTEXT = b"saferschools-survey-code:"
# Dashes and spaces a pupil's keyboard or phone may put between the groups.
_SEPARATORS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2212")


def code_new() -> str:
    """A fresh code, without its separator."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_normalise(text: object) -> str | None:
    """The code from what a pupil typed (any case, spaces and dashes allowed, full-width
    letters as the letters they are), or ``None`` when it cannot be a code."""
    if not isinstance(text, str) or len(text) > 100:
        return None
    folded = unicodedata.normalize("NFKC", text).upper()
    characters = [ch for ch in folded if not (ch.isspace() or ch in _SEPARATORS)]
    if len(characters) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in characters):
        return None
    return "".join(characters)


def code_digest(code: str) -> str:
    """The keyed hash stored for a code."""
    key = hmac.new(settings.RECEIPT_KEY.encode(), _CONTEXT, hashlib.sha256).digest()
    return hmac.new(key, code.encode("ascii"), hashlib.sha256).hexdigest()


def code_display(code: str) -> str:
    """The code in two groups, as printed on the slip."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
