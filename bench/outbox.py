"""Figure: messages the outbox delivers a second on PostgreSQL with 1, 2 and 4 task workers, against plain
SMTP sends from one process, in the same run.

Each worker is a `uadesk worker` process; the letters go to bench/smtp_sink.py. The baseline sends the
same letters straight through one SMTP connection: the floor that claims, attempt rows and the task queue
add to. The benchmark makes a database of its own on the PostgreSQL server (BENCH_DATABASE_URL, by
default postgres://postgres@127.0.0.1:5432/uadesk_bench_outbox), dropped and made afresh for each run.
--quick (tests/test_bench.py): 30 letters, 1 and 2 workers: that it runs, not how fast; with no PostgreSQL
server to reach, on SQLite with one worker. It prints which database it used.
Run: .venv/bin/python -P bench/outbox.py [--quick] [COUNT]
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from bench.common import database_afresh, free_port, sink_start  # noqa: E402

QUICK = "--quick" in sys.argv
ARGS = [arg for arg in sys.argv[1:] if arg != "--quick"]
COUNT = int(ARGS[0]) if ARGS else 30 if QUICK else 2000
WORKERS = [1, 2] if QUICK else [1, 2, 4]
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/uadesk_bench_outbox")


PORT = free_port()
os.environ.pop("SQLITE_PATH", None)  # on SQLite: its own database in its own folder, never a test's
os.environ |= {
    "UADESK_DATA_DIR": tempfile.mkdtemp(prefix="uadesk-bench-"),
    "DJANGO_SETTINGS_MODULE": "uadesk.settings",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": str(PORT),
    "LOG_LEVEL": "WARNING",
}
DATABASE = database_afresh(DATABASE_URL, quick=QUICK)
if DATABASE == "sqlite":
    WORKERS = [1]

import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.db.models import Max, Min  # noqa: E402

from uadesk.appeals.models import Appeal  # noqa: E402
from uadesk.appeals.services import Writer, appeal_submit  # noqa: E402
from uadesk.delivery.email import EmailTransport  # noqa: E402
from uadesk.delivery.models import Message  # noqa: E402
from uadesk.ingest.demo import demo_load  # noqa: E402


def letters_queue(action, target, count: int) -> None:
    Message.objects.all().delete()
    Appeal.objects.all().delete()
    for n in range(count):
        appeal_submit(
            action=action, targets=[target], channel="email", language="en", subject=action.title,
            letters={target.pk: f"Dear President Xi Jinping,\n\nLetter {n}.\n\nSupporter {n}"},
            writer=Writer(name=f"Supporter {n}"), key=uuid.uuid4(),
        )  # fmt: skip


def delivered_per_second(workers: int) -> float:
    """Starts the workers on the queued letters, waits until every one is sent, and times the sends."""
    uadesk = str(Path(sys.executable).with_name("uadesk"))
    command = [uadesk, "worker", "--interval=0.05", "--no-startup-delay"]
    running = [
        subprocess.Popen([*command, f"--worker-id=bench-{n}"], env=os.environ, stderr=subprocess.PIPE)
        for n in range(workers)
    ]
    try:
        deadline = time.monotonic() + 600
        while Message.objects.filter(status="sent").count() < COUNT:
            assert time.monotonic() < deadline, "the workers did not send every letter"
            assert all(w.poll() is None for w in running), [w.stderr.read().decode()[-2000:] for w in running]
            time.sleep(0.2)
    finally:
        for worker in running:
            worker.terminate()
        for worker in running:
            worker.wait(timeout=60)
    span = Message.objects.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    assert Message.objects.filter(status="sent").count() == COUNT
    return (COUNT - 1) / (span["last"] - span["first"]).total_seconds()


def main() -> None:
    sink = sink_start(PORT)
    call_command("migrate", verbosity=0)
    action, _ = demo_load()
    action.max_appeals_per_target_per_hour = COUNT * 10  # one target takes every letter here
    action.save()
    target = action.targets.get(role="primary")
    try:
        start = time.perf_counter()
        with EmailTransport() as transport:
            for n in range(COUNT):
                transport.send(
                    Appeal(subject=action.title, body=f"Letter {n}", target=target).outgoing_letter(),
                    to="x@example.org",
                )
        baseline = COUNT / (time.perf_counter() - start)
        rates = {}
        for workers in WORKERS:
            letters_queue(action, target, COUNT)
            rates[workers] = delivered_per_second(workers)
    finally:
        sink.terminate()
        sink.wait()
    print(f"database: {DATABASE}")
    print(f"messages: {COUNT}")
    print(f"baseline_smtp_sends_per_second: {baseline:.0f}")
    for workers, rate in rates.items():
        print(f"outbox_{workers}_workers_per_second: {rate:.0f}")
        print(f"outbox_{workers}_workers_vs_baseline: {rate / baseline:.2f}")


if __name__ == "__main__":
    main()
