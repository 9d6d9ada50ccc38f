"""Figure: how fast the desk renders the seed's action page, against a bare database-backed response.

Both are requested through the full middleware stack in one process, alternating in
rounds, so that a noisy machine slows both alike and the ratio stays meaningful.
--quick (tests/test_bench.py): 2 rounds of 20 requests: that it runs, not how fast.
Run: .venv/bin/python bench/action_page.py [--quick]
"""

import sys
from pathlib import Path

# bench/email.py would stand in for the stdlib's email module: keep this folder off the path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

QUICK = "--quick" in sys.argv
os.environ.pop("DATABASE_URL", None)
os.environ.pop("SQLITE_PATH", None)  # its own SQLite database in its own folder, never a test's
os.environ["UADESK_DATA_DIR"] = tempfile.mkdtemp(prefix="uadesk-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "uadesk.settings")

import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from uadesk.ingest.demo import demo_load  # noqa: E402

ROUNDS, PER_ROUND = (2, 20) if QUICK else (5, 200)


def per_second(client: Client, url: str) -> float:
    start = time.perf_counter()
    for _ in range(PER_ROUND):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    return PER_ROUND / (time.perf_counter() - start)


def main() -> None:
    call_command("migrate", verbosity=0)
    action, _ = demo_load()
    client = Client(HTTP_HOST="127.0.0.1")
    page, baseline = [], []
    for _ in range(ROUNDS):
        baseline.append(per_second(client, "/health/"))
        page.append(per_second(client, action.get_absolute_url()))
    page_rate, baseline_rate = statistics.median(page), statistics.median(baseline)
    print(f"action_page_per_second: {page_rate:.0f}")
    print(f"baseline_health_per_second: {baseline_rate:.0f}")
    print(f"action_page_cost_vs_baseline: {baseline_rate / page_rate:.2f}")


if __name__ == "__main__":
    main()
