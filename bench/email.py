"""Figure: appeals delivered per second by one task worker to a local SMTP sink, against plain SMTP sends.

The baseline sends the same number of letters straight through one SMTP connection in this
process: the floor that the worker's claims, attempt rows and task queue add to.
The letters give no email: one with an email waits for its owner's confirmation before the desk sends it.
--quick (tests/test_bench.py): 20 letters: that it runs, not how fast.
Run: .venv/bin/python -P bench/email.py [--quick] [COUNT] [lean|aiosmtpd]
"""

import sys
from pathlib import Path

# This file is named email.py: keep its folder off the path, or it would stand in for the stdlib's email.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

from bench.common import free_port, sink_start  # noqa: E402

QUICK = "--quick" in sys.argv
ARGS = [arg for arg in sys.argv[1:] if arg != "--quick"]
COUNT = int(ARGS[0]) if ARGS else 20 if QUICK else 600
# "lean": bench/smtp_sink.py; "aiosmtpd": aiosmtpd's Sink, which itself tops out near 300 a second.
SINK = ARGS[1] if len(ARGS) > 1 else "lean"


PORT = free_port()
os.environ.pop("DATABASE_URL", None)
os.environ.pop("SQLITE_PATH", None)  # its own SQLite database in its own folder, never a test's
os.environ |= {
    "UADESK_DATA_DIR": tempfile.mkdtemp(prefix="uadesk-bench-"),
    "DJANGO_SETTINGS_MODULE": "uadesk.settings",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": str(PORT),
    "LOG_LEVEL": "WARNING",
}

import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.db.models import Max, Min  # noqa: E402

from uadesk.appeals.models import Appeal  # noqa: E402
from uadesk.appeals.services import Writer, appeal_submit  # noqa: E402
from uadesk.delivery.email import EmailTransport  # noqa: E402
from uadesk.ingest.demo import demo_load  # noqa: E402


def main() -> None:
    # The sink is a process of its own, so it competes with neither the baseline nor the worker.
    if SINK == "aiosmtpd":
        command = ["-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{PORT}", "-c", "aiosmtpd.handlers.Sink"]
    else:
        command = None  # bench/smtp_sink.py
    sink = sink_start(PORT, command)
    # Stopped whatever happens: a sink left behind holds the output of whoever ran this (the test's pipe).
    try:
        call_command("migrate", verbosity=0)
        action, _ = demo_load()
        action.max_appeals_per_target_per_hour = COUNT  # one target takes every letter here
        action.save()
        target = action.targets.get(role="primary")

        start = time.perf_counter()
        with EmailTransport() as transport:
            for n in range(COUNT):
                transport.send(
                    Appeal(subject=action.title, body=f"Letter {n}", target=target).outgoing_letter(),
                    to="x@example.org",
                )
        baseline = COUNT / (time.perf_counter() - start)

        for n in range(COUNT):
            appeal_submit(
                action=action, targets=[target], channel="email", language="en", subject=action.title,
                letters={target.pk: f"Dear President Xi Jinping,\n\nLetter {n}.\n\nSupporter {n}"},
                writer=Writer(name=f"Supporter {n}"), key=uuid.uuid4(),
            )  # fmt: skip
        worker = subprocess.run(
            [str(Path(sys.executable).with_name("uadesk")), "worker", "--batch", "--interval=0.05"],
            env=os.environ, capture_output=True, text=True,
        )  # fmt: skip
        assert worker.returncode == 0, worker.stderr[-2000:]
    finally:
        sink.terminate()
        sink.wait()
    span = Appeal.objects.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    sent = Appeal.objects.filter(status="sent").count()
    assert sent == COUNT, sent
    rate = (COUNT - 1) / (span["last"] - span["first"]).total_seconds()
    print(f"appeals: {COUNT}")
    print(f"sink: {SINK}")
    print(f"worker_deliveries_per_second: {rate:.0f}")
    print(f"baseline_smtp_sends_per_second: {baseline:.0f}")
    print(f"worker_cost_vs_baseline: {baseline / rate:.2f}")


if __name__ == "__main__":
    main()
