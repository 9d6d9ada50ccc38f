"""The shared cache on Redis: Django's own backend, keeping one client per process rather than one a call."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class OneClientRedisCacheClient(RedisCacheClient):
    # Django makes a new redis.Redis for every cache call, and its constructor fills a table of some 170
    # reply parsers: a fifth of a kept page's whole time (docs/benchmarks.md, "Action page"). A client
    # may serve every thread: each command borrows a connection from the pool.
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = OneClientRedisCacheClient
