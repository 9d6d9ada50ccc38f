"""Figure: what each saving of a kept action page buys, in process, side by side in one run.

bench/action_page.py measures the page over HTTP; this one takes it apart. Through Django's WSGI handler
(no server), one process, the demo action's kept page is asked for by a newcomer (no cookie) in variants
that each undo one saving, alternating in rounds with the health view as the baseline; the figure is
CPU time a request (time.process_time: a busy neighbour on a shared machine counts less than in wall
time), medians of the rounds:
  shipped        the page as the desk serves it
  read_each_view the pages' generation read from the shared cache at every view (GENERATION_TRUSTED 0)
  read_each_view_client_a_call  and a new Redis client for every cache call, as Django's own backend
                 makes one (Redis only; with the generation trusted, a kept page makes no cache call)
  csrf_token     the page holding a form with a CSRF token, as the language and reminder forms did: a
                 newcomer's secret and token drawn, and the cookie sent
  before         all of them undone: the page as it was served before these savings (2026-12-05)
Setups: PostgreSQL with Redis (production's); --quick: SQLite with its cache table, one short round (that
it runs, not how fast). Each request's log line goes to stderr, as in the server: send it to a file.
Run: .venv/bin/python -P bench/kept_page.py [--quick] [REQUESTS_PER_ROUND] 2>/tmp/kept_page.log
"""

import sys
from pathlib import Path

# bench/email.py would stand in for the stdlib's email module: keep this folder off the path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import functools  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from bench.common import database_afresh  # noqa: E402

ARGS = [arg for arg in sys.argv[1:] if arg != "--quick"]
QUICK = "--quick" in sys.argv
REQUESTS = int(ARGS[0]) if ARGS else 20 if QUICK else 2000
ROUNDS = 1 if QUICK else 7
PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/uadesk_bench_kept_page")
REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")


def setup() -> str:
    """The desk configured, migrated, the demo action loaded (open); returns its page's path."""
    for name in ("DATABASE_URL", "SQLITE_PATH", "REDIS_URL"):  # never a database given to another process
        os.environ.pop(name, None)
    data_dir = tempfile.mkdtemp(prefix="uadesk-bench-")
    # Kept pages live as long as the run: a page's expiry would make some rounds render it afresh.
    os.environ |= {"UADESK_DATA_DIR": data_dir, "PAGE_CACHE_SECONDS": "3600"}
    os.environ["DJANGO_SETTINGS_MODULE"] = "uadesk.settings"
    if not QUICK:
        database_afresh(PG_URL, quick=False)
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        os.environ["REDIS_URL"] = REDIS_URL
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from uadesk.ingest.demo import demo_load

    action, _ = demo_load()
    return action.get_absolute_url()


def main() -> None:
    path = setup()
    from django.core.cache import cache
    from django.core.cache.backends.redis import RedisCacheClient

    from uadesk import pagecache
    from uadesk.wsgi import application

    def ask(path: str) -> None:
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1:8000", "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.multithread": True,
            "wsgi.multiprocess": False, "wsgi.run_once": False,
        }  # fmt: skip
        answer = []
        body = application(environ, lambda status, headers, exc_info=None: answer.append(status))
        b"".join(body)
        body.close()
        assert answer[0].startswith("200"), answer

    shipped_kept, trusted = pagecache._kept, pagecache.GENERATION_TRUSTED
    on_redis = hasattr(getattr(cache, "_cache", None), "_clients")
    own_client = cache._cache.get_client if on_redis else None

    def with_csrf_form(key):
        entry, generation = shipped_kept(key)
        if entry is not None:  # the page's text with a form's token slot, as the two forms had
            entry = (
                *entry[:4],
                entry[4] + f'<input name="csrfmiddlewaretoken" value="{pagecache.SLOT}">',
                entry[5],
            )
        return entry, generation

    # Each variant undoes some savings: the generation read at each view, Django's client a call, the
    # CSRF form. "before" undoes all three: the page as it was served before them.
    variants = {
        "shipped": set(),
        "read_each_view": {"read"},
        "csrf_token": {"csrf"},
    }
    if on_redis:
        variants |= {"read_each_view_client_a_call": {"read", "client"}, "before": {"read", "client", "csrf"}}
    else:
        variants["before"] = {"read", "csrf"}
    django_client = functools.partial(RedisCacheClient.get_client, cache._cache) if on_redis else None
    cost = {name: [] for name in ["health", *variants]}
    for _ in range(50):  # warm: the page kept, the connections open
        ask(path)
        ask("/health/")
    for _ in range(ROUNDS):
        for name in cost:
            undone = variants.get(name, set())
            pagecache._kept = with_csrf_form if "csrf" in undone else shipped_kept
            pagecache.GENERATION_TRUSTED = 0 if "read" in undone else trusted
            if on_redis:
                cache._cache.get_client = django_client if "client" in undone else own_client
            started = time.process_time()
            for _ in range(REQUESTS):
                ask("/health/" if name == "health" else path)
            cost[name].append((time.process_time() - started) / REQUESTS * 1e6)
    pagecache._kept, pagecache.GENERATION_TRUSTED = shipped_kept, trusted
    if on_redis:
        cache._cache.get_client = own_client
    setup_name = "postgresql_redis" if on_redis else "sqlite"
    print(f"{setup_name}: CPU µs a request, median of {ROUNDS} rounds of {REQUESTS}")
    for name, rounds in cost.items():
        print(f"  {name:<28} {statistics.median(rounds):5.0f}  {[round(r) for r in rounds]}")
    health, shipped = statistics.median(cost["health"]), statistics.median(cost["shipped"])
    print(f"kept_page_cpu_us: {shipped:.0f}")
    print(f"kept_page_vs_health_cost: {shipped / health:.2f}")
    for name in variants:
        if name != "shipped":
            print(f"{name}_vs_shipped: {statistics.median(cost[name]) / shipped:.2f}")


if __name__ == "__main__":
    main()
