"""Wrong receipts are counted per address for a while, without the address being kept."""

import pickle
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import caches
from django.test import RequestFactory

from saferschools.reporting.throttle import CACHE_ALIAS, receipt_failed, receipt_throttle

START = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
ADDRESS = "203.0.113.77"
OTHER = "198.51.100.9"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.RECEIPT_ATTEMPTS = 3
    settings.RECEIPT_ATTEMPT_WINDOW_MINUTES = 10
    settings.BEHIND_TLS_PROXY = False


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def request_from(address: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": address}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/report/followup/", **extra)


def fail(address: str, times: int, forwarded: str | None = None) -> None:
    for _ in range(times):
        receipt_failed(request_from(address, forwarded))


def test_nobody_is_limited_at_first(clock):
    throttle = receipt_throttle(request_from(ADDRESS))
    assert (throttle.limited, throttle.retry_after) == (False, 0)


def test_wrong_receipts_count_up_to_the_limit(clock):
    fail(ADDRESS, 2)
    assert not receipt_throttle(request_from(ADDRESS)).limited
    fail(ADDRESS, 1)
    throttle = receipt_throttle(request_from(ADDRESS))
    assert throttle.limited
    assert throttle.retry_after == 600


def test_other_addresses_are_not_limited(clock):
    fail(ADDRESS, 5)
    assert receipt_throttle(request_from(ADDRESS)).limited
    assert not receipt_throttle(request_from(OTHER)).limited
    fail(OTHER, 2)
    assert not receipt_throttle(request_from(OTHER)).limited


def test_the_limit_lifts_when_the_window_ends(clock):
    fail(ADDRESS, 3)
    clock.shift(timedelta(minutes=4))
    throttle = receipt_throttle(request_from(ADDRESS))
    assert throttle.limited and throttle.retry_after == 360
    # More wrong receipts do not stretch the window.
    fail(ADDRESS, 3)
    clock.shift(timedelta(minutes=5, seconds=59))
    assert receipt_throttle(request_from(ADDRESS)).limited
    clock.shift(timedelta(seconds=2))
    assert not receipt_throttle(request_from(ADDRESS)).limited


def test_counting_starts_again_after_the_window(clock):
    fail(ADDRESS, 2)
    clock.shift(timedelta(minutes=11))
    fail(ADDRESS, 2)
    assert not receipt_throttle(request_from(ADDRESS)).limited
    fail(ADDRESS, 1)
    assert receipt_throttle(request_from(ADDRESS)).limited


def test_the_address_is_not_in_the_cache(clock):
    fail(ADDRESS, 2)
    fail("2001:db8::1", 1)
    stored = caches[CACHE_ALIAS]._cache  # the local-memory cache's own dictionary
    assert len(stored) == 2
    for key, value in stored.items():
        assert key.startswith(":1:receipt-failures:")
        for address in (ADDRESS, "2001:db8::1", "203.0.113", "2001:db8"):
            assert address not in key
            assert address.encode() not in value
        assert pickle.loads(value)[0] in (1, 2)  # noqa: S301 - our own cache entry


def test_without_a_proxy_the_forwarded_header_is_ignored(clock):
    # Anyone can send the header: without a proxy it must not split one sender's count.
    for n in range(3):
        fail(ADDRESS, 1, forwarded=f"10.0.0.{n}")
    assert receipt_throttle(request_from(ADDRESS, forwarded="10.0.0.99")).limited


def test_behind_a_proxy_the_address_it_saw_counts(clock, settings):
    settings.BEHIND_TLS_PROXY = True
    proxy = "10.1.1.1"
    # What the client claims comes first; the proxy appends the address it saw.
    for n in range(3):
        fail(proxy, 1, forwarded=f"192.0.2.{n}, {ADDRESS}")
    assert receipt_throttle(request_from(proxy, forwarded=ADDRESS)).limited
    assert not receipt_throttle(request_from(proxy, forwarded=OTHER)).limited
