"""Rate limits: exact within a web process, shared by all of them through one table each second."""

import threading
import time

import pytest
from django.db import connection
from django.test import RequestFactory

from uadesk import ratelimit
from uadesk.models import RateCount


def request_from(address, forwarded=""):
    return RequestFactory().get("/", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=forwarded)


def test_an_address_is_held_to_its_limit(db):
    results = [ratelimit.allow("t", "203.0.113.9", limit=3, window=3600) for _ in range(5)]
    assert results == [True, True, True, False, False]
    assert ratelimit.allow("t", "203.0.113.10", limit=3, window=3600)


def test_a_network_shares_one_limit(db):
    allowed = [
        ratelimit.allow_request(request_from(f"198.51.100.{n}"), "t2", per_address=10, per_network=4)
        for n in range(1, 7)
    ]
    assert allowed == [True, True, True, True, False, False]
    assert ratelimit.allow_request(request_from("198.51.101.1"), "t2", per_address=10, per_network=4)


def test_a_new_window_starts_from_nothing(db):
    while time.time() % 1 > 0.5:  # the three calls fall in one window of a second
        time.sleep(0.05)
    assert [ratelimit.allow("t", "203.0.113.9", limit=2, window=1) for _ in range(3)] == [True, True, False]
    time.sleep(1)
    assert ratelimit.allow("t", "203.0.113.9", limit=2, window=1)


def test_processes_learn_each_others_counts_at_their_next_flush(db):
    first, second = ratelimit.Counter(), ratelimit.Counter()
    expires = time.time() + 3600
    assert [first.allow("k", limit=3, expires=expires) for _ in range(3)] == [True, True, True]
    first.flush()
    # The second process has not heard of "k" yet: it lets one through, and its flush tells it the total.
    assert second.allow("k", limit=3, expires=expires)
    second.flush()
    assert not second.allow("k", limit=3, expires=expires)
    assert RateCount.objects.get(key="k").count == 4


@pytest.mark.django_db(transaction=True)
def test_no_count_is_lost_when_processes_add_theirs_at_once():
    processes = [ratelimit.Counter(), ratelimit.Counter()]
    expires = time.time() + 3600
    start = threading.Barrier(8)

    def events(counter, n):
        start.wait()
        for i in range(300):
            counter.allow("shared", limit=10**9, expires=expires)
            counter.allow(f"own-{n}-{i % 7}", limit=10**9, expires=expires)
            if i % 50 == 0:
                counter.flush()
        counter.flush()
        connection.close()

    threads = [threading.Thread(target=events, args=(processes[n % 2], n)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = dict(RateCount.objects.values_list("key", "count"))
    assert counts.pop("shared") == 8 * 300
    assert sum(counts.values()) == 8 * 300 and len(counts) == 8 * 7


def test_networks_and_proxies(settings):
    assert ratelimit.network_of("198.51.100.77") == "198.51.100.0/24"
    assert ratelimit.network_of("2001:db8:1234:5678::1") == "2001:db8:1234::/48"
    settings.TRUSTED_PROXY_COUNT = 0
    assert ratelimit.client_address(request_from("10.0.0.1", "6.6.6.6")) == "10.0.0.1"  # a forged header
    settings.TRUSTED_PROXY_COUNT = 1
    assert ratelimit.client_address(request_from("10.0.0.1", "6.6.6.6, 203.0.113.5")) == "203.0.113.5"


def test_the_table_holds_no_address_in_clear(db):
    ratelimit.allow("t3", "192.0.2.44", limit=5, window=3600)
    ratelimit.counter.flush()
    keys = list(RateCount.objects.values_list("key", flat=True))
    assert keys and not any("192.0.2.44" in key for key in keys)


def test_counts_of_ended_windows_are_deleted(db):
    ended = ratelimit.Counter()
    ended.allow("old", limit=5, expires=time.time() - 10)
    ended.flush()  # the first flush of a process also deletes what has ended, this one included
    assert not RateCount.objects.filter(key="old").exists()
