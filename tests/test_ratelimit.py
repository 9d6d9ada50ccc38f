"""Rate limits hold across processes: counted in the database cache or in the machine's Redis."""

import pytest
from django.core.cache import caches
from django.test import RequestFactory, override_settings

from uadesk import ratelimit

REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/15",
    }
}


def request_from(address, forwarded=""):
    return RequestFactory().get("/", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=forwarded)


@pytest.fixture(params=["database", "redis"])
def cache_backend(request, db):
    if request.param == "redis":
        with override_settings(CACHES=REDIS):
            caches["default"].clear()
            yield
            caches["default"].clear()
    else:
        yield


def test_an_address_is_held_to_its_limit(cache_backend):
    results = [ratelimit.allow("t", "203.0.113.9", limit=3, window=3600) for _ in range(5)]
    assert results == [True, True, True, False, False]
    assert ratelimit.allow("t", "203.0.113.10", limit=3, window=3600)


def test_a_network_shares_one_limit(cache_backend):
    allowed = [
        ratelimit.allow_request(request_from(f"198.51.100.{n}"), "t2", per_address=10, per_network=4)
        for n in range(1, 7)
    ]
    assert allowed == [True, True, True, True, False, False]
    assert ratelimit.allow_request(request_from("198.51.101.1"), "t2", per_address=10, per_network=4)


def test_networks_and_proxies(settings):
    assert ratelimit.network_of("198.51.100.77") == "198.51.100.0/24"
    assert ratelimit.network_of("2001:db8:1234:5678::1") == "2001:db8:1234::/48"
    settings.TRUSTED_PROXY_COUNT = 0
    assert ratelimit.client_address(request_from("10.0.0.1", "6.6.6.6")) == "10.0.0.1"  # a forged header
    settings.TRUSTED_PROXY_COUNT = 1
    assert ratelimit.client_address(request_from("10.0.0.1", "6.6.6.6, 203.0.113.5")) == "203.0.113.5"


def test_the_cache_holds_no_address_in_clear(db):
    from django.db import connection

    ratelimit.allow("t3", "192.0.2.44", limit=5, window=3600)
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM uadesk_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert keys and not any("192.0.2.44" in key for key in keys)
