"""Slowing down whoever guesses receipts (or floods a public form), without recording who they
are. Each kind of event counts in a bucket of its own: wrong receipts, requests for a
partnership, wrong survey codes.

Wrong receipts are counted per network address in the cache, for a short window. The cache
keys are keyed hashes of the address under a random key that lives only in this process's
memory, so nothing written anywhere (database, disk or log) holds a pupil's address. Only wrong
receipts count, and only against the address that sent them: other pupils are not locked out.

Pupils at one school usually share one address. The limit is therefore set so that a class of
pupils mistyping now and then does not reach it, while guessing stays hopeless: a receipt has
10^20 possible values.
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

_PROCESS_KEY = secrets.token_bytes(32)
CACHE_ALIAS = "throttle"


@dataclass(frozen=True)
class Throttle:
    limited: bool
    retry_after: int  # seconds


def _client_key(request: HttpRequest, bucket: str) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_TLS_PROXY:
        # The proxy appends the address it saw; anything before it is the client's own claim.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            address = forwarded.split(",")[-1].strip()
    digest = hmac.new(_PROCESS_KEY, address.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{bucket}:{digest}"


def throttle_check(request: HttpRequest, *, bucket: str, limit: int, window: int) -> Throttle:
    """Whether this client has been counted ``limit`` times in ``bucket`` within the last
    ``window`` seconds (a window starts at the first count)."""
    record = caches[CACHE_ALIAS].get(_client_key(request, bucket))
    if not record:
        return Throttle(False, 0)
    count, started = record
    retry_after = max(1, int(started + window - time.time()))
    return Throttle(count >= limit, retry_after)


def throttle_count(request: HttpRequest, *, bucket: str, window: int) -> None:
    """Count one event against this client in ``bucket``. Each bucket counts on its own: a
    parent's requests never use up the pupils' allowance of wrong receipts."""
    cache = caches[CACHE_ALIAS]
    key = _client_key(request, bucket)
    record = cache.get(key)
    now = time.time()
    if not record or record[1] + window <= now:
        record = (0, now)
    count, started = record
    cache.set(key, (count + 1, started), timeout=max(1, int(started + window - now)))


RECEIPT_BUCKET = "receipt-failures"


def _window() -> int:
    return settings.RECEIPT_ATTEMPT_WINDOW_MINUTES * 60


def receipt_throttle(request: HttpRequest) -> Throttle:
    """Whether this client has sent too many wrong receipts lately."""
    return throttle_check(
        request, bucket=RECEIPT_BUCKET, limit=settings.RECEIPT_ATTEMPTS, window=_window()
    )


def receipt_failed(request: HttpRequest) -> None:
    """Count one wrong receipt against this client."""
    throttle_count(request, bucket=RECEIPT_BUCKET, window=_window())
