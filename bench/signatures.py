"""Figure: signatures taken per second (and p50/p99) by the production server, against a plain one-row view.

The production web server (`uadesk run`'s command: granian, one process per core, 4 threads) serves the desk
on loopback pinned to CPU 0; the load
generator (asyncio, 32 keep-alive connections) runs pinned to CPU 1. Both paths get the same forms:
  intake    POST /petitions/<slug>/  - the real signing view: form, honeypot, proof of work, one INSERT
  baseline  POST /bench/baseline/    - a plain Django view: the same form validated, one row inserted
on SQLite and on PostgreSQL, in one run. The proof of work is solved beforehand with a bench-only
PETITION_POW_MAX_NUMBER of 50 (the server still checks each one); the rate limits count every form,
set so high that the one address all the load comes from never reaches them. Each figure is the
median of alternating rounds.
--quick (tests/test_bench.py): SQLite only (PostgreSQL untouched), one round of half a second, no
pinning to cores: that it runs, not how fast.
Run: .venv/bin/python -P bench/signatures.py [--quick] [SECONDS_PER_ROUND] [sqlite|postgresql]
"""

import sys
from pathlib import Path

# bench/email.py would stand in for the stdlib's email module: keep this folder off the path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402

# The web server imports this file too: only the command line's own arguments count.
ARGS = sys.argv[1:] if __name__ == "__main__" else []
QUICK = "--quick" in ARGS
ARGS = [arg for arg in ARGS if arg != "--quick"]
SECONDS = float(ARGS[0]) if ARGS else 0.5 if QUICK else 5.0
ONLY = ARGS[1] if len(ARGS) > 1 else "sqlite" if QUICK else None
ROUNDS, CONNECTIONS = (1, 32) if QUICK else (3, 32)
WARM_UP_SECONDS = 0.2 if QUICK else 1.0
PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/uadesk_bench_signatures")
BENCH_ENV = {
    "PETITION_POW_MAX_NUMBER": "50",
    # Counted as in production, but set high: all the load comes from one address.
    "PETITION_RATE_PER_ADDRESS": "1000000000",
    "PETITION_RATE_PER_NETWORK": "1000000000",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "uadesk.settings",
}


def application_with_baseline():
    """The server process's application: the desk's own URLs plus the baseline view."""
    import django

    django.setup()
    from django import forms
    from django.http import HttpResponse, HttpResponseRedirect
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    import uadesk.urls
    from uadesk.petitions.forms import SignForm
    from uadesk.petitions.models import Petition, Submission

    class BaselineForm(forms.Form):
        name = SignForm.base_fields["name"]
        email = SignForm.base_fields["email"]
        country = forms.ChoiceField(choices=SignForm().with_choices().fields["country"].choices)
        consent_case_updates = forms.BooleanField(required=False)
        consent_org_news = forms.BooleanField(required=False)

    @csrf_exempt
    def baseline(request):
        form = BaselineForm(request.POST)
        if not form.is_valid():
            return HttpResponse(status=400)
        data = form.cleaned_data
        petition = Petition.objects.get(slug="bench")
        Submission.objects.create(
            petition=petition, nonce=os.urandom(16).hex(), name=data["name"], country=data["country"],
            email_sealed=data["email"].encode(), expires_at="2100-01-01T00:00:00Z",
        )  # fmt: skip
        return HttpResponseRedirect("/thanks/")

    uadesk.urls.urlpatterns.insert(0, path("bench/baseline/", baseline))
    from uadesk.wsgi import application

    return application


# What the web server imports: this file again, as a module, with the baseline added.
SERVER_APP = f"""
import importlib.util
spec = importlib.util.spec_from_file_location("signatures_bench", {str(Path(__file__).resolve())!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
application = module.application_with_baseline()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(env: dict) -> tuple[str, list[bytes], list[bytes]]:
    """Migrates the database and makes the petition; returns its slug and the two paths' requests."""
    # One process for all of it: each start of Django costs seconds on a busy machine.
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from uadesk.actions.models import Campaign\n"
        "from uadesk.petitions.models import Petition\n"
        "from uadesk.petitions import pow\n"
        "import sys, json\n"
        "c, _ = Campaign.objects.get_or_create(slug='bench', defaults={'name': 'Bench'})\n"
        "p, _ = Petition.objects.get_or_create(\n"
        "    slug='bench', defaults={'campaign': c, 'title': 'B', 'text': 'T'})\n"
        "out = []\n"
        f"for _ in range({int(SECONDS * ROUNDS * 4000)}):\n"
        "    t = pow.challenge_make(scope=f'petition-{p.pk}').token\n"
        "    out.append((t, pow.solve(t)))\n"
        "json.dump(out, sys.stdout)\n"
    )
    made = subprocess.run(
        [sys.executable, "-P", "-c", script], env=env, check=True, capture_output=True, text=True
    )
    challenges = json.loads(made.stdout)
    intake, baseline = [], []
    for n, (token, number) in enumerate(challenges):
        form = {
            "name": f"Signer {n}", "email": f"signer.{n}@example.org", "country": "FR",
            "consent_case_updates": "on", "website": "",
        }  # fmt: skip
        intake.append(request_bytes("/en/petitions/bench/", form | {"challenge": token, "work": str(number)}))
        baseline.append(request_bytes("/bench/baseline/", form))
    return "bench", intake, baseline


def request_bytes(path: str, form: dict) -> bytes:
    body = urllib.parse.urlencode(form).encode()
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def one_connection(port, requests, stop_at, latencies, statuses):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while time.perf_counter() < stop_at and requests:
        data = requests.pop()
        start = time.perf_counter()
        writer.write(data)
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        if length:
            await reader.readexactly(length)
        latencies.append(time.perf_counter() - start)
        location = next((line for line in head.split(b"\r\n") if line.lower().startswith(b"location:")), b"")
        statuses.append((int(head.split(b" ", 2)[1]), location.rstrip()))
        if b"connection: close" in head.lower():
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()


async def load(port, requests, seconds):
    latencies, statuses = [], []
    start = time.perf_counter()
    await asyncio.gather(
        *(one_connection(port, requests, start + seconds, latencies, statuses) for _ in range(CONNECTIONS))
    )
    elapsed = time.perf_counter() - start
    # Taken means sent on to the thanks page; any other answer, a redirect to another URL included, fails.
    bad = [s for s in statuses if s[0] != 302 or not s[1].endswith(b"/thanks/")]
    assert not bad, f"{len(bad)} requests failed, e.g. {bad[0]}"
    return len(latencies) / elapsed, latencies


def pin(cpu: int) -> None:
    # A quick run only checks that it runs, on whatever cores the machine has.
    if not QUICK:
        os.sched_setaffinity(0, {cpu})


def measure(name: str, env: dict) -> dict:
    _, intake, baseline = prepare(env)
    import django

    # The run command's module imports models, so it needs the desk's settings (this process's own
    # environment, as the servers': it never opens the database).
    django.setup()
    from uadesk.management.commands.run import web_server_args

    port = free_port()
    app_dir = tempfile.mkdtemp(prefix="uadesk-bench-app-")
    Path(app_dir, "signatures_bench_app.py").write_text(SERVER_APP)
    server = subprocess.Popen(
        # As in production, a process per core the server may use: here the one it is pinned to.
        web_server_args("127.0.0.1", port, app="signatures_bench_app:application", workers=1),
        env=env | {"PYTHONPATH": os.pathsep.join([app_dir, str(HERE.parent)])},
        preexec_fn=lambda: pin(0),
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    results = {"intake": [], "baseline": []}
    lat = {"intake": [], "baseline": []}
    try:
        asyncio.run(load(port, baseline, WARM_UP_SECONDS))  # warm up both paths
        asyncio.run(load(port, intake, WARM_UP_SECONDS))
        for _ in range(ROUNDS):
            for path, requests in (("baseline", baseline), ("intake", intake)):
                rate, latencies = asyncio.run(load(port, requests, SECONDS))
                results[path].append(rate)
                lat[path] += latencies
    finally:
        server.terminate()
        server.wait()
    out = {}
    for path in results:
        q = statistics.quantiles(lat[path], n=100)
        out[path] = (statistics.median(results[path]), q[49] * 1000, q[98] * 1000)
    return out


def main() -> None:
    pin(1)  # the load generator on the other core
    data_dir = tempfile.mkdtemp(prefix="uadesk-bench-")
    for name in ("DATABASE_URL", "SQLITE_PATH"):  # never a database given to another process (a test's)
        os.environ.pop(name, None)
    os.environ |= BENCH_ENV | {"UADESK_DATA_DIR": data_dir}
    base = dict(os.environ)
    if ONLY in (None, "postgresql"):
        import psycopg

        admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
        dbname = PG_URL.rsplit("/", 1)[1]
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
            conn.execute(f'CREATE DATABASE "{dbname}"')
    databases = {
        "sqlite": base | {"SQLITE_PATH": str(Path(data_dir) / "bench.sqlite3")},
        "postgresql": base | {"DATABASE_URL": PG_URL},
    }
    figures = {name: measure(name, env) for name, env in databases.items() if ONLY in (None, name)}
    print(f"{'database':<11} {'path':<9} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}")
    for db, paths in figures.items():
        for path, (rate, p50, p99) in paths.items():
            print(f"{db:<11} {path:<9} {rate:>7.0f} {p50:>7.1f} {p99:>7.1f}")
    for db, paths in figures.items():
        print(f"{db}_intake_per_second: {paths['intake'][0]:.0f}")
        print(f"{db}_baseline_per_second: {paths['baseline'][0]:.0f}")
        print(f"{db}_intake_p99_ms: {paths['intake'][2]:.1f}")
        print(f"{db}_intake_vs_baseline: {paths['intake'][0] / paths['baseline'][0]:.2f}")


if __name__ == "__main__":
    main()
