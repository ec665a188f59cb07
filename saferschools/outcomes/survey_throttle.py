"""Slowing down whoever guesses survey codes, as the reporting pages slow down those who guess
receipts: wrong codes are counted per (hashed, in-memory) network address in a bucket of their
own, so that a pupil mistyping a receipt and a class mistyping survey codes never use up each
other's allowance.

A whole class usually answers from one school address, all at once: the allowance is set so that
thirty pupils mistyping now and then do not reach it, while guessing stays hopeless (a code has
31^10 possible values, and a school prints at most a few thousand).
"""

from django.http import HttpRequest

from saferschools.reporting.throttle import Throttle, throttle_check, throttle_count

SURVEY_CODE_BUCKET = "survey-code-failures"
SURVEY_CODE_ATTEMPTS = 50
SURVEY_CODE_WINDOW = 15 * 60  # seconds


def survey_code_throttle(request: HttpRequest) -> Throttle:
    """Whether this client has sent too many wrong survey codes lately."""
    return throttle_check(
        request, bucket=SURVEY_CODE_BUCKET, limit=SURVEY_CODE_ATTEMPTS, window=SURVEY_CODE_WINDOW
    )


def survey_code_failed(request: HttpRequest) -> None:
    """Count one wrong survey code against this client."""
    throttle_count(request, bucket=SURVEY_CODE_BUCKET, window=SURVEY_CODE_WINDOW)
