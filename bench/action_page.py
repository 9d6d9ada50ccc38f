"""Figure: action pages a second (and p99) from the production server under a surge, against its health view.

The production web server (`uadesk run`'s command: granian, here one process) serves the desk on
loopback pinned to CPU 0; wrk (Debian's, installed by `make test`) loads it from CPU 1 with 32 keep-alive
connections, as a mailing's readers arriving at once would. Paths, alternating in rounds, medians:
  health    GET /health/ - one SELECT 1, plain text: the baseline
  page      GET /en/actions/<demo>/ - the demo action's public page, kept in the shared cache
            (uadesk/pagecache.py; its forms need no CSRF token, so nothing is filled in)
  uncached  the same page from a second server with PAGE_CACHE_SECONDS=0: every view rendered
Two setups: the embedded default (SQLite, the cache a table in it) and production's (PostgreSQL, Redis).
--quick (tests/test_bench.py): SQLite only, one round of a second, no pinning: that it runs, not how fast.
Run: .venv/bin/python -P bench/action_page.py [--quick] [SECONDS_PER_ROUND]
"""

import sys
from pathlib import Path

# bench/email.py would stand in for the stdlib's email module: keep this folder off the path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

from bench.common import database_afresh, free_port  # noqa: E402

ARGS = [arg for arg in sys.argv[1:] if arg != "--quick"]
QUICK = "--quick" in sys.argv
SECONDS = int(ARGS[0]) if ARGS else 1 if QUICK else 5
ROUNDS = 1 if QUICK else 3
CONNECTIONS = 32
PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/uadesk_bench_action_page")
# A Redis database of the benchmark's own, emptied first (the tests and `uadesk run` use 0).
REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")


def pinned(cpu: int):
    # A quick run only checks that it runs, on whatever cores the machine has.
    return None if QUICK else (lambda: os.sched_setaffinity(0, {cpu}))


def prepare(env: dict) -> str:
    """Migrates, loads the demo action (open), and returns its page's path."""
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from uadesk.ingest.demo import demo_load\n"
        "action, _ = demo_load()\n"
        "print(action.get_absolute_url())\n"
    )
    made = subprocess.run(
        [sys.executable, "-P", "-c", script], env=env, check=True, capture_output=True, text=True
    )
    return made.stdout.strip().splitlines()[-1]


def serve(env: dict) -> tuple[subprocess.Popen, int]:
    from uadesk.management.commands.run import web_server_args

    port = free_port()
    # Its log (a line a request) written to a file, as a supervisor would keep it.
    log = open(Path(env["UADESK_DATA_DIR"]) / "server.log", "a")  # noqa: SIM115 (the server's own)
    server = subprocess.Popen(
        web_server_args("127.0.0.1", port, workers=1), env=env, preexec_fn=pinned(0), stderr=log
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as answer:
                assert answer.status == 200
            return server, port
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.2)


def load(port: int, path: str, seconds: int) -> tuple[float, float]:
    """wrk's requests a second and 99th percentile latency in milliseconds."""
    run = subprocess.run(
        # A page rendered at each view waits over a second behind 31 others: past wrk's 2 s default.
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout=10s", "--latency",
         f"http://127.0.0.1:{port}{path}"],
        check=True, capture_output=True, text=True, preexec_fn=pinned(1),
    )  # fmt: skip
    out = run.stdout
    # Every answer must be the page: an error page answered fast would flatter the figure.
    assert "Non-2xx" not in out and "Socket errors" not in out, out
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE).groups()
    return rate, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def check_page(port: int, path: str) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as answer:
        html = answer.read().decode()
    # The whole page, its reminder form with it; a reader of it gets no cookie (uadesk/security.py).
    assert answer.status == 200 and "Xi Jinping" in html and 'class="remind"' in html, html[:500]
    assert answer.headers["Set-Cookie"] is None, answer.headers["Set-Cookie"]


def measure(env: dict) -> dict[str, tuple[float, float]]:
    path = prepare(env)
    figures: dict[str, list[tuple[float, float]]] = {"health": [], "page": [], "uncached": []}
    server, port = serve(env)
    try:
        check_page(port, path)
        load(port, path, 1)  # warm up: the page kept, the connections open
        load(port, "/health/", 1)
        for _ in range(ROUNDS):
            figures["health"].append(load(port, "/health/", SECONDS))
            figures["page"].append(load(port, path, SECONDS))
    finally:
        server.terminate()
        server.wait()
    server, port = serve(env | {"PAGE_CACHE_SECONDS": "0"})
    try:
        check_page(port, path)
        load(port, path, 1)
        figures["uncached"].append(load(port, path, SECONDS))
    finally:
        server.terminate()
        server.wait()
    return {
        name: (statistics.median(r for r, _ in runs), statistics.median(p for _, p in runs))
        for name, runs in figures.items()
    }


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `make test` installs it (Debian's package wrk)")
    for name in ("DATABASE_URL", "SQLITE_PATH", "REDIS_URL"):  # never a database given to another process
        os.environ.pop(name, None)
    data_dir = tempfile.mkdtemp(prefix="uadesk-bench-")
    os.environ |= {"UADESK_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "uadesk.settings"}
    import django

    django.setup()  # for web_server_args; the servers and the setup run in processes of their own
    base = dict(os.environ)
    setups = {"sqlite": base | {"SQLITE_PATH": str(Path(data_dir) / "bench.sqlite3")}}
    if not QUICK:
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        database_afresh(PG_URL, quick=False)
        setups["postgresql_redis"] = base | {"DATABASE_URL": PG_URL, "REDIS_URL": REDIS_URL}
    results = {name: measure(env) for name, env in setups.items()}
    print(f"{'setup':<17} {'path':<9} {'req/s':>7} {'p99 ms':>7}")
    for setup, figures in results.items():
        for path, (rate, p99) in figures.items():
            print(f"{setup:<17} {path:<9} {rate:>7.0f} {p99:>7.1f}")
    # The headline figures: production's setup (the embedded one in a quick run).
    page, health, uncached = (results[list(results)[-1]][k] for k in ("page", "health", "uncached"))
    print(f"action_page_per_second: {page[0]:.0f}")
    print(f"action_page_p99_ms: {page[1]:.1f}")
    print(f"health_per_second: {health[0]:.0f}")
    print(f"action_page_vs_health: {page[0] / health[0]:.2f}")
    print(f"action_page_uncached_per_second: {uncached[0]:.0f}")


if __name__ == "__main__":
    main()
