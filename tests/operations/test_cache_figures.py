"""Cache hits and misses come from Redis, which counts them; the database cache counts nothing. And the
desk's Redis backend (uadesk/cache.py): one client for every call and thread."""

import shutil
import socket
import subprocess
import threading
import time

import pytest
from django.core.cache import cache

from uadesk.operations.figures import cache_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_url():
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_database_cache_gives_no_figure():
    assert cache_figures() == []


def test_redis_counts_hits_and_misses(settings, redis_url):
    settings.CACHES = {"default": {"BACKEND": "uadesk.cache.RedisCache", "LOCATION": redis_url}}
    cache.set("petition-count:1", 5)
    cache.get("petition-count:1")
    cache.get("petition-count:1")
    cache.get("petition-count:2")
    hits, misses = cache_figures()
    assert (hits.name, hits.kind, hits.samples) == ("uadesk_cache_hits_total", "counter", [({}, 2)])
    assert (misses.name, misses.samples) == ("uadesk_cache_misses_total", [({}, 1)])


def test_the_desks_redis_cache_keeps_one_client_that_serves_every_thread(settings, redis_url):
    settings.CACHES = {"default": {"BACKEND": "uadesk.cache.RedisCache", "LOCATION": redis_url}}
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    cache.set("counted", 0)

    def count():
        for _ in range(200):
            cache.incr("counted")

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get("counted") == 1600
    assert cache.get_many(["counted", "none"]) == {"counted": 1600}
