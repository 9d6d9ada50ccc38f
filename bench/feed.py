"""Figures: desks linked into a network (issue 21, docs/federation.md). Two parts, each beside a baseline
in the same run:

  pull     An office desk with FEED_ACTIONS published actions (the demo UA copied: its four targets, an
           English model letter, two or three translations with their officials), served over HTTP by
           the production web server (`uadesk run`'s granian command, one process); a section desk, in a
           process and a database of its own with its own signing key, subscribed to it
           (federation/services.py), pulls the whole feed (federation/pull.py subscription_pull): each
           page fetched, its signature checked, each action made a draft localised for the section.
             pull_seconds              the whole pull, on the section's desk
             repull_unchanged_seconds  the same pull again from the start: every item fetched and
                                       checked, none newer than what the section holds, nothing written
             feed_serve_seconds        the same pages fetched with plain HTTP (urllib, the token and a
                                       nonce) and parsed: the office's serving alone
             baseline_file_seconds     the same JSON, saved to files and served by the same granian from
                                       its static route (no Python), fetched and parsed by the same client
           The serving and the baseline alternate in rounds, medians. *_vs_baseline: times the
           baseline's seconds.
  reports  The office desk taking reports from REPORT_SECTIONS sections on REPORT_ACTIONS actions: one
           signed POST /federation/reports per section and action (four count lines, as a section desk
           sends them), each section with its own Ed25519 key and access, sent by CLIENTS processes at
           once over keep-alive connections. Baseline: the same bodies, signed the same way, POSTed to
           /bench/accept on the same server, a view added for the benchmark that reads the body, parses
           it as JSON and answers as the real endpoint does, with no database and no signature check.

The office and the section each get their own database, afresh: on PostgreSQL, BENCH_DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/bench_feed, the office's; bench_feed_quick in a quick run)
and the same name with `_section`. The server is pinned to CPU 0 and everything that talks to it (the
section desk, the clients) to CPU 1, as in bench/signatures.py.
--quick (tests/test_bench.py): 30 actions, 3 sections reporting on 10 of them, 2 clients, one round,
no pinning, SQLite when no PostgreSQL answers: that it runs, not how fast.
Run: .venv/bin/python -P bench/feed.py [--quick] [FEED_ACTIONS [REPORT_SECTIONS [REPORT_ACTIONS]]]
"""

import sys
from pathlib import Path

# bench/email.py would stand in for the stdlib's email module: keep this folder off the path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import base64  # noqa: E402
import datetime  # noqa: E402
import hashlib  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import queue  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from urllib.parse import urlencode, urlsplit  # noqa: E402

from bench.common import database_afresh, free_port  # noqa: E402

# The web server imports this file too (for the baseline view), and the section desk runs it with
# --section-desk: only the command line's own arguments count, and only when run as the benchmark.
ARGV = sys.argv[1:] if __name__ == "__main__" else []
QUICK = "--quick" in ARGV
ARGS = [int(arg) for arg in ARGV if not arg.startswith("--")]
FEED_ACTIONS = ARGS[0] if ARGS else 30 if QUICK else 1000
REPORT_SECTIONS = ARGS[1] if len(ARGS) > 1 else 3 if QUICK else 70
REPORT_ACTIONS = min(FEED_ACTIONS, ARGS[2] if len(ARGS) > 2 else 10 if QUICK else 500)
CLIENTS = 2 if QUICK else 4
ROUNDS = 1 if QUICK else 5
# A quick run's databases are not a full run's: `make test` beside a full run must not drop its database.
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/bench_feed{'_quick' if QUICK else ''}"
)
# Pinned like bench/signatures.py: the server on one core, what loads it on the other. A quick run
# only checks that it runs, on whatever cores the machine has.
PINNED = not QUICK and len(os.sched_getaffinity(0)) >= 2
SERVER_CPU, CLIENT_CPU = 0, 1
FILES_ROUTE = "/bench-files"
BASELINE_PATH = "/bench/accept"
BASELINE_WHAT = (
    f"POST {BASELINE_PATH} on the same server: the body read and parsed as JSON, the same answer, "
    "no database, no signature check"
)
RECEIVED = b'{"received": true}'


# The section's desk: a process of its own ---------------------------------------------------------------


def section_desk() -> None:
    """Run as `feed.py --section-desk` in the section desk's environment (its database, its key).
    Migrates while the office is being built, then reads its job on stdin: subscribes, pulls the whole
    feed, pulls it again from the start, and prints its figures as one JSON line."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    job = json.loads(sys.stdin.readline())  # waits here until the office desk serves its feed
    if job["cpu"] is not None:
        os.sched_setaffinity(0, {job["cpu"]})
    from uadesk.actions.models import Section
    from uadesk.federation.pull import subscription_pull
    from uadesk.federation.services import subscription_create

    section = Section.objects.create(code=job["section"], name="Bench section", country="DE")
    # As `uadesk federation subscribe` does it: checked by one signed pull of the first page.
    subscription = subscription_create(
        name="Office", feed_url=job["feed_url"], token=job["token"], office_key=job["office_key"],
        section=section,
    )  # fmt: skip
    start = time.perf_counter()
    first = subscription_pull(subscription)
    pull_seconds = time.perf_counter() - start
    # A section that lost its cursor (or an office that served everything again): every item is read
    # and checked, and left as it is since none is newer than what the section holds.
    subscription.cursor = ""
    start = time.perf_counter()
    again = subscription_pull(subscription)
    repull_seconds = time.perf_counter() - start
    result = {
        "pull_seconds": pull_seconds, "created": len(first.created), "pages": first.pages,
        "repull_seconds": repull_seconds, "repull_taken": len(again.created) + len(again.changed),
    }  # fmt: skip
    print(json.dumps(result))


# The office's server ------------------------------------------------------------------------------------


def application_with_baseline():
    """The server process's application: the desk's own URLs plus the reports' baseline view."""
    import django

    django.setup()
    from django.http import JsonResponse
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    import uadesk.urls

    @csrf_exempt
    def accept(request):
        json.loads(request.body)
        response = JsonResponse({"received": True})
        response["Cache-Control"] = "no-store"
        return response

    uadesk.urls.urlpatterns.insert(0, path(BASELINE_PATH.lstrip("/"), accept))
    from uadesk.wsgi import application

    return application


# What the web server imports: this file again, as a module, with the baseline added.
SERVER_APP = f"""
import importlib.util
spec = importlib.util.spec_from_file_location("feed_bench", {str(Path(__file__).resolve())!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
application = module.application_with_baseline()
"""


def server_start(env: dict, work: Path) -> tuple[subprocess.Popen, int, Path]:
    """The office desk as production serves it, with granian's static route on a folder for the pull's
    baseline (granian reads a file when it is asked for it, so the pages can be saved there later)."""
    from uadesk.management.commands.run import web_server_args

    port = free_port()
    app_dir, files = work / "app", work / "files"
    app_dir.mkdir()
    files.mkdir()
    (app_dir / "feed_bench_app.py").write_text(SERVER_APP)
    command = web_server_args("127.0.0.1", port, app="feed_bench_app:application", workers=1)
    static = [f"--static-path-route={FILES_ROUTE}", f"--static-path-mount={files}", "--static-path-expires=0"]
    server = subprocess.Popen(
        [*command[:-1], *static, command[-1]],
        env=env | {"PYTHONPATH": os.pathsep.join([str(app_dir), str(HERE.parent)])},
        preexec_fn=(lambda: os.sched_setaffinity(0, {SERVER_CPU})) if PINNED else None,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as answer:
                assert answer.status == 200
            return server, port, files
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server_stop(server)
                raise
            time.sleep(0.2)


def server_stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# The office's desk: its actions and its sections ----------------------------------------------------------


def _copy(instance, **changes):
    """A new unsaved row with `instance`'s values, `changes` put over them."""
    fields = type(instance)._meta.concrete_fields
    values = {f.attname: getattr(instance, f.attname) for f in fields if not f.primary_key}
    return type(instance)(**values | changes)


def office_make(count: int) -> None:
    """`count` published actions, each a copy of the demo UA (its targets, model letter and person) with
    two or three translations, written with bulk_create: the desk's signals, which move updated_at, do
    not fire, and updated_at is then spread over the last two days as a desk's real changes are."""
    from django.utils import timezone

    from uadesk.actions.models import Action, Individual, ModelLetter, Target, Translation
    from uadesk.ingest.demo import demo_load

    demo, _ = demo_load()
    targets, letters = list(demo.targets.all()), list(demo.letters.all())
    individuals = list(demo.individuals.all())
    batch = 500
    # Each keeps the demo's source document, as an ingested action does; its checksum must be its own
    # (one source document makes one action, a constraint).
    copies = (
        _copy(demo, slug=f"bench-ua-{n}", title=f"{demo.title} ({n})",
              source_sha256=hashlib.sha256(f"bench-ua-{n}".encode()).hexdigest())
        for n in range(count)
    )  # fmt: skip
    actions = Action.objects.bulk_create(copies, batch_size=batch)
    made_targets = Target.objects.bulk_create(
        (_copy(t, action_id=a.pk) for a in actions for t in targets), batch_size=batch
    )
    ModelLetter.objects.bulk_create(
        (_copy(m, action_id=a.pk) for a in actions for m in letters), batch_size=batch
    )
    Individual.objects.bulk_create(
        (_copy(i, action_id=a.pk) for a in actions for i in individuals), batch_size=batch
    )
    targets_of = {}
    for target in made_targets:
        targets_of.setdefault(target.action_id, []).append(target)
    translations = []
    for n, action in enumerate(actions):
        # Two or three languages, each part and each official's title and salutation as long as the English.
        for language in ("fr", "es", "ar")[: 2 + n % 2]:
            parts = {part: f"[{language}] {getattr(action, part)}" for part in Translation.PARTS}
            officials = {
                str(t.pk): {"title": f"[{language}] {t.title}", "salutation": f"[{language}] {t.salutation}"}
                for t in targets_of[action.pk]
            }
            translations.append(Translation(action=action, language=language, officials=officials, **parts))
    Translation.objects.bulk_create(translations, batch_size=batch)
    # bulk_update sets the value given (bulk_create's auto_now wrote "now" on every action).
    first = timezone.now() - datetime.timedelta(days=2)
    for n, action in enumerate(actions):
        action.updated_at = first + datetime.timedelta(seconds=n * 150)
    Action.objects.bulk_update(actions, ["updated_at"], batch_size=batch)
    demo.delete()


def accesses_grant(public_keys: list[str], prefix: str) -> list[str]:
    """A section and its desk's access for each key, as `uadesk federation grant` makes them; the tokens."""
    from uadesk.actions.models import Section
    from uadesk.federation.services import access_grant

    tokens = []
    for n, key in enumerate(public_keys):
        section = Section.objects.create(code=f"{prefix}{n}", name=f"Section {prefix}{n}")
        tokens.append(access_grant(section=section, desk_key=key)[1])
    return tokens


# Part 1: the pull ---------------------------------------------------------------------------------------


def feed_fetch(feed_url: str, token: str) -> list[bytes]:
    """Every page of the feed with plain HTTP, as the section desk asks for them (a fresh nonce each) but
    with no signature checked and nothing written: each page parsed to find the next."""
    from uadesk.federation import signing

    pages, since = [], ""
    while True:
        url = feed_url + ("?" + urlencode({"since": since}) if since else "")
        headers = {"Authorization": f"Bearer {token}", "Uadesk-Nonce": signing.new_nonce()}
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=120) as answer:
            body = answer.read()
        page = json.loads(body)
        pages.append(body)
        if not page["more"]:
            return pages
        since = page["next"]


def files_fetch(files_url: str, count: int) -> list[bytes]:
    """The baseline: the same pages from files, by the same client, each parsed."""
    pages = []
    for n in range(count):
        with urllib.request.urlopen(f"{files_url}/page-{n:04}.json", timeout=120) as answer:
            body = answer.read()
        json.loads(body)
        pages.append(body)
    return pages


def timed(function, *args) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


# Part 2: the reports ------------------------------------------------------------------------------------


def report_body(action_id: int, target_ids: list[int], section: int, counted_at: str) -> bytes:
    """A section's report on one action as docs/federation.md shows one: count lines to two of the
    office's officials, one made off the desk, one to an official of the section's own."""
    return json.dumps({
        "action_id": action_id, "counted_at": counted_at, "final": False,
        "members_mailed": 1000 + section, "signatures": 300 + section,
        "counts": [
            {"channel": "email", "on_desk": True, "target_id": target_ids[0], "official": "", "count": 80},
            {"channel": "fax", "on_desk": True, "target_id": target_ids[1], "official": "", "count": 7},
            {"channel": "post", "on_desk": False, "target_id": None, "official": "", "count": 12},
            {"channel": "email", "on_desk": True, "target_id": None, "official": "Embassy of X in Y",
             "count": 9},
        ],
    }).encode()  # fmt: skip


def reports_send(port, path, jobs, keys, tokens, barrier, results) -> None:
    """One client process: its sections' reports, one after another over one keep-alive connection,
    each signed just before it goes (a signature is good for five minutes)."""
    from uadesk.federation.signing import sign

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    failed, example = 0, None
    barrier.wait(timeout=600)
    for section, body in jobs:
        headers = {
            "Authorization": f"Bearer {tokens[section]}",
            "Content-Type": "application/json",
            "Uadesk-Signature": sign(keys[section], method="POST", target=path, body=body),
        }
        try:
            connection.request("POST", path, body=body, headers=headers)
            answer = connection.getresponse()
            status, text = answer.status, answer.read()
        except (http.client.HTTPException, OSError) as error:
            connection.close()  # connects again with the next request
            status, text = 0, repr(error).encode()
        if status != 200 or text != RECEIVED:
            failed += 1
            example = example or (status, text[:300])
    connection.close()
    results.put((len(jobs), failed, example))


def reports_run(port: int, path: str, jobs: list[tuple[int, bytes]], keys: list, tokens: list[str]) -> float:
    """Seconds for CLIENTS processes to send every job to `path`, timed from the moment all are ready;
    every answer must be 200 {"received": true}."""
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(CLIENTS + 1), context.Queue()
    # Each client sends the reports of its own sections, as each section's desk sends its own.
    shares = [[job for job in jobs if job[0] % CLIENTS == n] for n in range(CLIENTS)]
    clients = [
        context.Process(target=reports_send, args=(port, path, share, keys, tokens, barrier, results))
        for share in shares
    ]
    try:
        for client in clients:
            client.start()
        barrier.wait(timeout=120)
        start = time.perf_counter()
        outcomes = []
        while len(outcomes) < CLIENTS:
            try:
                outcomes.append(results.get(timeout=1))
            except queue.Empty:
                dead = [c.exitcode for c in clients if c.exitcode not in (None, 0)]
                assert not dead, f"a client sending to {path} died: exit status {dead}"
        seconds = time.perf_counter() - start
    finally:
        for client in clients:
            client.join(timeout=5)
            if client.is_alive():
                client.kill()
                client.join()
    sent, failed = sum(o[0] for o in outcomes), sum(o[1] for o in outcomes)
    assert sent == len(jobs) and not failed, (
        f"{failed} of {sent} requests to {path} failed, e.g. {next(o[2] for o in outcomes if o[2])}"
    )
    return seconds


def report_check(port: int, key, token: str, body: bytes) -> None:
    """One report before the timed ones: that the endpoint takes them (and its code is loaded)."""
    from uadesk.federation.signing import sign

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {
            "Authorization": f"Bearer {token}", "Content-Type": "application/json",
            "Uadesk-Signature": sign(key, method="POST", target="/federation/reports", body=body),
        }  # fmt: skip
        connection.request("POST", "/federation/reports", body=body, headers=headers)
        answer = connection.getresponse()
        status, text = answer.status, answer.read()
    finally:
        connection.close()
    if status == 501:
        sys.exit(f"/federation/reports is not ready on this desk yet (501): {text[:200].decode()}")
    assert (status, text) == (200, RECEIVED), (status, text[:500])


# The run ------------------------------------------------------------------------------------------------


def seed_text(seed: bytes) -> str:
    """A desk's DESK_SIGNING_KEY: its 32 bytes in base64url."""
    return base64.urlsafe_b64encode(seed).rstrip(b"=").decode()


def named(url: str, suffix: str) -> str:
    parts = urlsplit(url)
    return parts._replace(path=parts.path + suffix).geturl()


def desk_env(base: dict, name: str, url: str, seed: bytes, work: Path) -> tuple[dict, str]:
    """A desk's environment: its own database made afresh (on SQLite in its folder when a quick run
    finds no PostgreSQL), its own data folder, secret key and signing key."""
    where = database_afresh(url, quick=QUICK)
    # database_afresh points this process at it; each desk's database goes in that desk's environment only.
    os.environ.pop("DATABASE_URL", None)
    folder = work / name
    folder.mkdir()
    env = base | {
        "UADESK_DATA_DIR": str(folder),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DESK_SIGNING_KEY": seed_text(seed),
    }
    if where == "postgresql":
        return env | {"DATABASE_URL": url}, where
    return env | {"SQLITE_PATH": str(folder / "desk.sqlite3")}, where


def main() -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from uadesk.federation import signing  # no Django in it

    work = Path(tempfile.mkdtemp(prefix="uadesk-bench-"))
    # Never a database, cache or key given to another process (a test's): each desk gets its own.
    for name in ("DATABASE_URL", "SQLITE_PATH", "REDIS_URL", "SECRET_KEY", "SECRET_KEY_FILE",
                 "DESK_SIGNING_KEY", "DESK_SIGNING_KEY_FILE"):  # fmt: skip
        os.environ.pop(name, None)
    os.environ |= {"DJANGO_SETTINGS_MODULE": "uadesk.settings", "LOG_LEVEL": "WARNING"}
    base = dict(os.environ)
    office_seed, section_seed = os.urandom(32), os.urandom(32)
    section_env, _ = desk_env(base, "section", named(DATABASE_URL, "_section"), section_seed, work)
    office_env, database = desk_env(base, "office", DATABASE_URL, office_seed, work)
    section_key = signing.public_text(signing.private_key_from_seed(section_seed))
    office_key = signing.public_text(signing.private_key_from_seed(office_seed))
    # One key per reporting section, and one more for the check before the timed reports.
    report_keys = [Ed25519PrivateKey.generate() for _ in range(REPORT_SECTIONS + 1)]

    # The section's desk migrates its database while the office's is built.
    section = subprocess.Popen(
        [sys.executable, "-P", str(Path(__file__).resolve()), "--section-desk"],
        env=section_env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    server = None
    try:
        os.environ |= office_env
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from uadesk.actions.models import Action, Target
        from uadesk.federation.models import SectionCount, SectionReport

        call_command("migrate", verbosity=0)
        office_make(FEED_ACTIONS)
        pull_token = accesses_grant([section_key], "pull")[0]
        report_tokens = accesses_grant([signing.public_text(k) for k in report_keys], "s")
        reported = list(Action.objects.filter(slug__startswith="bench-ua-").order_by("pk")[:REPORT_ACTIONS])
        targets_of = {}
        office_targets = Target.objects.filter(action__in=reported, localisation=None)
        for action_id, pk in office_targets.order_by("action", "position", "pk").values_list("action", "pk"):
            targets_of.setdefault(action_id, []).append(pk)
        connection.close()  # the clients are forked from this process

        server, port, files = server_start(office_env, work)
        if PINNED:
            os.sched_setaffinity(0, {CLIENT_CPU})
        feed_url = f"http://127.0.0.1:{port}/federation/feed"
        files_url = f"http://127.0.0.1:{port}{FILES_ROUTE}"

        # Part 1. A first fetch warms the server, and gives the baseline its files.
        pages = feed_fetch(feed_url, pull_token)
        for n, body in enumerate(pages):
            (files / f"page-{n:04}.json").write_bytes(body)
        assert sum(len(json.loads(page)["items"]) for page in pages) == FEED_ACTIONS
        job = {"section": "de", "feed_url": feed_url, "token": pull_token, "office_key": office_key,
               "cpu": CLIENT_CPU if PINNED else None}  # fmt: skip
        out, _ = section.communicate(json.dumps(job) + "\n", timeout=3600)
        assert section.returncode == 0, f"the section desk failed (exit status {section.returncode})"
        pulled = json.loads(out.strip().splitlines()[-1])
        assert pulled["created"] == FEED_ACTIONS and pulled["repull_taken"] == 0, pulled
        serve, baseline = [], []
        for _ in range(ROUNDS):
            seconds, fetched = timed(feed_fetch, feed_url, pull_token)
            assert fetched == pages  # the same JSON every time: the baseline serves what the desk does
            serve.append(seconds)
            seconds, fetched = timed(files_fetch, files_url, len(pages))
            assert fetched == pages
            baseline.append(seconds)

        # Part 2. The same bodies to both paths; each (section, action) reported once, so each report
        # is a new one on the office's desk, as on an action's first day.
        counted_at = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)).isoformat()
        report_check(
            port, report_keys[-1], report_tokens[-1],
            report_body(reported[0].pk, targets_of[reported[0].pk], REPORT_SECTIONS, counted_at),
        )  # fmt: skip
        jobs = [
            (s, report_body(a.pk, targets_of[a.pk], s, counted_at))
            for s in range(REPORT_SECTIONS)
            for a in reported
        ]
        baseline_report_seconds = reports_run(port, BASELINE_PATH, jobs, report_keys, report_tokens)
        report_seconds = reports_run(port, "/federation/reports", jobs, report_keys, report_tokens)
        assert SectionReport.objects.count() == len(jobs) + 1
        assert SectionCount.objects.count() == 4 * (len(jobs) + 1)
    finally:
        if section.poll() is None:
            section.kill()
            section.wait()
        if server is not None:
            server_stop(server)
        shutil.rmtree(work, ignore_errors=True)  # the feed's pages: 25 MB in a full run

    serve_seconds, file_seconds = statistics.median(serve), statistics.median(baseline)
    print(f"database: {database}")
    print(f"feed_actions: {FEED_ACTIONS}")
    print(f"feed_pages: {len(pages)}")
    print(f"feed_megabytes: {sum(map(len, pages)) / 2**20:.1f}")
    print(f"pull_seconds: {pulled['pull_seconds']:.2f}")
    print(f"repull_unchanged_seconds: {pulled['repull_seconds']:.2f}")
    print(f"feed_serve_seconds: {serve_seconds:.3f}")
    print(f"baseline_file_seconds: {file_seconds:.3f}")
    print(f"pull_vs_baseline: {pulled['pull_seconds'] / file_seconds:.0f}")
    print(f"feed_serve_vs_baseline: {serve_seconds / file_seconds:.1f}")
    print(f"report_sections: {REPORT_SECTIONS}")
    print(f"report_actions: {REPORT_ACTIONS}")
    print(f"reports: {len(jobs)}")
    print(f"report_clients: {CLIENTS}")
    print(f"report_seconds: {report_seconds:.2f}")
    print(f"reports_per_second: {len(jobs) / report_seconds:.0f}")
    print(f"baseline_endpoint: {BASELINE_WHAT}")
    print(f"baseline_report_seconds: {baseline_report_seconds:.2f}")
    print(f"baseline_reports_per_second: {len(jobs) / baseline_report_seconds:.0f}")
    print(f"reports_vs_baseline: {report_seconds / baseline_report_seconds:.1f}")


if __name__ == "__main__":
    if "--section-desk" in ARGV:
        section_desk()
    else:
        main()
