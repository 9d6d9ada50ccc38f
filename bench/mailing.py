"""Figures: a mailing to a network of MEMBERS members on PostgreSQL. How long planning it takes (the
audience, the allocation for members who chose at most N cases a month, a Recipient and an outbox
message for each), then how many emails a second the outbox sends to bench/smtp_sink.py with 1, 2 and
4 task workers, against plain SMTP sends from as many processes, in the same run.

The network: 30 % of members take every case, the others at most 1, 2 or 4 in 30 days; languages
en/fr/es/ar/zh in mixes; 10 % chose countries. The demo UA is the case. Each worker count sends a fresh
copy of the same mailing in BENCH_ROUNDS rounds (3), each beside its own baseline; medians. The
benchmark makes its own database on the PostgreSQL server (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/uadesk_bench_mailing), afresh each run.
--quick (tests/test_bench.py): 600 members, 1 and 2 workers, SQLite when no PostgreSQL answers: that
it runs, not how fast.
Run: .venv/bin/python -P bench/mailing.py [--quick] [MEMBERS]
(BENCH_SEND: the emails timed with each number of workers, 20,000; 0: the planning alone)
"""

import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from bench.common import database_afresh, free_port, sink_start  # noqa: E402

QUICK = "--quick" in sys.argv
ARGS = [arg for arg in sys.argv[1:] if arg != "--quick"]
MEMBERS = int(ARGS[0]) if ARGS else 600 if QUICK else 100_000
# Emails sent for the rate with each number of workers: the mailing's first SEND, the rest cancelled
# (at a few hundred a second, all 100,000 three times over would take most of an hour).
SEND = 500 if QUICK else int(os.environ.get("BENCH_SEND", 20_000))
# Baseline and workers alternate, ROUNDS times per worker count, medians: one of each drifted by 0.05 in
# their ratio between runs on this shared machine.
ROUNDS = 1 if QUICK else int(os.environ.get("BENCH_ROUNDS", 3))
WORKERS = [1, 2] if QUICK else [1, 2, 4]
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/uadesk_bench_mailing")


PORT = free_port()
os.environ.pop("SQLITE_PATH", None)
os.environ |= {
    "DATABASE_URL": DATABASE_URL,
    "UADESK_DATA_DIR": tempfile.mkdtemp(prefix="uadesk-bench-"),
    "DJANGO_SETTINGS_MODULE": "uadesk.settings",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": str(PORT),
    "LOG_LEVEL": "WARNING",
}
DATABASE = database_afresh(DATABASE_URL, quick=QUICK)

import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Max, Min  # noqa: E402
from django.utils import timezone  # noqa: E402

from uadesk.delivery.email import EmailTransport  # noqa: E402
from uadesk.delivery.models import Attempt, Message  # noqa: E402
from uadesk.ingest.demo import demo_load  # noqa: E402
from uadesk.network import mailings  # noqa: E402
from uadesk.network.models import Mailing, Member, Recipient  # noqa: E402
from uadesk.network.sending import PERSONAL, mailing_letter, personal  # noqa: E402
from uadesk.supporters import crypto  # noqa: E402
from uadesk.supporters.models import Supporter  # noqa: E402

LANGUAGES = ["en", "en", "en", "fr", "fr,en", "es", "es,en", "ar,en", "zh,en", "de,en"]
LIMITS = [None, None, None, 1, 1, 2, 2, 2, 4, 4]


def network_make(count: int) -> None:
    """The members, written in batches: what a network of this size looks like to the desk."""
    batch = 5000
    for start in range(0, count, batch):
        numbers = range(start, min(start + batch, count))
        supporters = Supporter.objects.bulk_create(
            Supporter(
                email_hash=crypto.email_hash(f"m{n}@example.org"),
                email_sealed=crypto.seal(f"m{n}@example.org"),
            )
            for n in numbers
        )
        Member.objects.bulk_create(
            Member(
                supporter=s, status=Member.Status.ACTIVE, languages=LANGUAGES[n % 10],
                most_per_30_days=LIMITS[n % 7],
                countries="CN" if n % 10 == 3 else ("IR" if n % 20 == 7 else ""),
            )
            for n, s in zip(numbers, supporters, strict=True)
        )  # fmt: skip


def mailing_fresh(action) -> Mailing:
    Message.objects.all().delete()
    Recipient.objects.all().delete()
    Mailing.objects.all().delete()
    # "Send now" as mailings.mailing_send leaves it, without the task it queues to plan the mailing: the
    # benchmark plans it here, timed, and that task would plan it again in the workers while they send.
    return Mailing.objects.create(
        action=action, kind=Mailing.Kind.NEW, status=Mailing.Status.SENDING, started_at=timezone.now()
    )


def planned_seconds(mailing: Mailing) -> float:
    start = time.perf_counter()
    mailings.mailing_queue_recipients(mailing)
    return time.perf_counter() - start


def planning_peak_mb(mailing: Mailing) -> float:
    """The most memory Python held at once while planning the mailing, beyond what it held before: a
    second planning of the same mailing, traced (tracemalloc slows it, so it is not the timed one)."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    mailings.mailing_queue_recipients(mailing)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - before) / 2**20


def tables_tidied() -> None:
    """VACUUM ANALYZE of the outbox's and the mailing's tables. Each fresh copy of the mailing deletes the
    last one's 40,000 messages and recipients and cancels half its own: dead rows a real mailing never
    starts with, which autovacuum would otherwise clean while the workers are timed."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (Message, Attempt, Recipient, Mailing):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def delivered_per_second(workers: int, count: int) -> float:
    """Starts the workers on the queued emails, waits until every one is sent, and times the sends."""
    uadesk = str(Path(sys.executable).with_name("uadesk"))
    command = [uadesk, "worker", "--interval=0.05", "--no-startup-delay"]
    connection.close()
    running = [
        subprocess.Popen([*command, f"--worker-id=bench-{n}"], env=os.environ, stderr=subprocess.PIPE)
        for n in range(workers)
    ]
    try:
        from uadesk.delivery.tasks import runs_kick

        runs_kick()
        deadline = time.monotonic() + 3600
        while Message.objects.filter(status="sent").count() < count:
            assert time.monotonic() < deadline, "the workers did not send every email"
            assert all(w.poll() is None for w in running), [w.stderr.read().decode()[-2000:] for w in running]
            time.sleep(0.5)
    finally:
        for worker in running:
            worker.terminate()
        for worker in running:
            worker.wait(timeout=60)
    span = Message.objects.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    return (count - 1) / (span["last"] - span["first"]).total_seconds()


def _send(letter, count: int) -> None:
    with EmailTransport() as transport:
        for n in range(count):
            transport.send(letter, to=f"m{n}@example.org")


def baseline_per_second(letter, processes: int, count: int) -> float:
    """The same email sent straight through SMTP by as many processes, one connection each."""
    connection.close()
    context = multiprocessing.get_context("fork")
    share = count // processes
    start = time.perf_counter()
    children = [context.Process(target=_send, args=(letter, share)) for _ in range(processes)]
    for child in children:
        child.start()
    for child in children:
        child.join()
    return share * processes / (time.perf_counter() - start)


def main() -> None:
    sink = sink_start(PORT)
    call_command("migrate", verbosity=0)
    action, _ = demo_load()
    network_make(MEMBERS)
    try:
        seconds = planned_seconds(mailing_fresh(action))
        peak_mb = planning_peak_mb(mailing_fresh(action))
        mailing = Mailing.objects.get()
        emails = Message.objects.filter(kind=Message.Kind.MAILING).count()
        letter = personal(mailing_letter(mailing, "en"), dict.fromkeys(PERSONAL, "http://127.0.0.1/x/"))
        rates, baselines, ratios = {}, {}, {}
        for workers in WORKERS if SEND else []:
            for _ in range(ROUNDS):
                baseline = baseline_per_second(letter, workers, min(SEND, emails))
                mailing = mailing_fresh(action)
                mailings.mailing_queue_recipients(mailing)
                kept = Message.objects.filter(kind=Message.Kind.MAILING).order_by("pk").values("pk")[:SEND]
                Message.objects.filter(kind=Message.Kind.MAILING).exclude(pk__in=kept).update(
                    status="cancelled"
                )
                tables_tidied()
                rate = delivered_per_second(workers, min(SEND, emails))
                baselines.setdefault(workers, []).append(baseline)
                rates.setdefault(workers, []).append(rate)
                ratios.setdefault(workers, []).append(rate / baseline)
    finally:
        sink.terminate()
        sink.wait()
    print(f"database: {DATABASE}")
    print(f"members: {MEMBERS}")
    print(f"emails_in_mailing: {emails}")
    print(f"emails_sent_per_run: {min(SEND, emails)}")
    print(f"allocation_seconds: {seconds:.2f}")
    print(f"planning_peak_memory_mb: {peak_mb:.1f}")
    print(f"rounds: {ROUNDS}")
    for workers in WORKERS if SEND else []:
        print(f"workers: {workers}")
        print(f"emails_per_second: {statistics.median(rates[workers]):.0f}")
        print(f"baseline_emails_per_second: {statistics.median(baselines[workers]):.0f}")
        print(f"vs_baseline: {statistics.median(ratios[workers]):.2f}")
        print("rounds_vs_baseline: " + " ".join(f"{ratio:.2f}" for ratio in ratios[workers]))


if __name__ == "__main__":
    main()
