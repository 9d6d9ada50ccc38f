"""Issue 22: the desk on several machines (docs/deploy.md), under load, loses a web machine and a worker.

Two web processes on two ports stand behind a small reverse proxy (tests/load/helpers.py: Proxy, which
appends X-Forwarded-For and skips a backend that refuses connections, as nginx does); the desk trusts
that one proxy (TRUSTED_PROXY_COUNT=1). Three task workers and two schedulers (the second as a standby
machine would run one: every periodic task is safe to run twice) share one PostgreSQL database and one
Redis (the cache: kept pages, the petition's count). Supporters write appeals, confirm them from the
email, sign the petition and confirm by its email, all through the proxy.

A quarter of the way in, one web machine is lost (SIGKILL to its whole process group, so nothing of it
answers again) while it serves requests; the proxy sends every later request to the other. Only the
requests in flight at the kill fail, with the proxy's 502, and the supporters send them again as they
would press the button again: the same appeal form (the desk takes a form's key once) or the same
signing form (its spent challenge is refused with a fresh one, and the signature of that name and
address is found and emailed no second time). Halfway, the lost machine comes back and a task worker
is SIGKILLed while the SMTP server holds its reply to a letter (which must go again, once).

At the end every acknowledged appeal and signature is stored, confirmed and delivered exactly once,
no email went twice or was not expected, and the desk's counts (the API's outreaches, the petition's
count kept in Redis, from either web process) are exact. It needs PostgreSQL and Redis: on SQLite it
is skipped. UADESK_LOAD_SECONDS sets the time under load (25 s); UADESK_TEST_REDIS_URL the Redis
database it flushes and uses (redis://127.0.0.1:6379/7).
"""

import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tests.conftest import StallOnce, confirm_links, free_port, request
from tests.load.helpers import (
    Load,
    Proxy,
    apart,
    crashed_outputs,
    machine_lost,
    request_from,
    twice,
    web_process,
)
from uadesk.appeals.models import Appeal
from uadesk.delivery.models import Message
from uadesk.management.commands.run import web_server_args, worker_args
from uadesk.petitions.models import Signature, Submission

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

SECONDS = float(os.environ.get("UADESK_LOAD_SECONDS") or 25)
WRITERS = SIGNERS = 8  # client threads, each one supporter after another
WORKERS = 3
REDIS_URL = os.environ.get("UADESK_TEST_REDIS_URL") or "redis://127.0.0.1:6379/7"


@pytest.fixture
def shared_redis():
    """The Redis every machine shares, emptied first: nothing kept by an earlier run is served."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "several machines share one PostgreSQL database and one Redis: "
            "run with DATABASE_URL=postgres://… (and Redis at UADESK_TEST_REDIS_URL)"
        )
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    except redis.RedisError as error:
        pytest.skip(f"needs Redis at {REDIS_URL}: {error}")
    try:
        yield REDIS_URL
    finally:
        client.flushdb()
        client.close()


def confirm_signatures(load: Load, mailbox, stop: threading.Event, confirmed: Counter) -> None:
    """The signers open their email and press its button; an answer lost on the way, they press again."""
    done: set[str] = set()
    while not stop.is_set():
        for message in list(mailbox.messages):
            if not message["To"].startswith("signer.") or message["Message-ID"] in done:
                continue
            [link] = confirm_links([message])
            try:
                answer = request("POST", load.port, link)
            except OSError as error:
                load.note("sign-confirm", type(error).__name__)
                continue
            load.note("sign-confirm", answer.status)
            if answer.status < 500:  # 410 after a lost answer: the lost press confirmed it
                done.add(message["Message-ID"])
                confirmed[answer.status] += 1
        stop.wait(0.2)


def settled(mailbox, load: Load, killed: str) -> bool:
    """Nothing left to take, confirm or send, and the killed worker's task has run again."""
    writers = {m["To"] for m in mailbox.messages if m["Subject"].startswith("Your letters for")}
    return (
        not Submission.objects.filter(taken_at__isnull=True).exists()
        and not Appeal.objects.filter(status__in=["unconfirmed", "queued"]).exists()
        and not Signature.objects.filter(confirmed_at__isnull=True).exists()
        and not Message.objects.filter(status__in=["waiting", "sending"]).exists()
        and not [r for r in DBTaskResult.objects.filter(status="RUNNING") if r.worker_ids[-1] == killed]
        and Signature.objects.count() >= len(load.signers)
        and writers >= set(load.writers)
    )


def in_flight(proxy: Proxy, backend: int) -> int:
    with proxy.lock:
        return sum(1 for e in proxy.exchanges if e.backend == backend and not e.ended)


def test_a_web_machine_and_a_worker_lost_under_load_lose_nothing_and_send_nothing_twice(
    shared_redis, open_action, petition, desk_env, uadesk_bin, smtp_server
):
    open_action.max_appeals_per_target_per_hour = 1_000_000  # a big campaign: staff raise the limit
    open_action.save()
    mailbox, first_port = smtp_server
    # Each worker has an SMTP port of its own, so the stalled letter tells which worker sends it.
    others = [Controller(mailbox, hostname="127.0.0.1", port=free_port()) for _ in range(WORKERS - 1)]
    for controller in others:
        controller.start()
    smtp_ports = [first_port, *(c.port for c in others)]
    # Installed before the workers connect (a connection keeps the handlers it met), armed later.
    stall = StallOnce(mailbox, "<appeal-", armed=False)
    env = desk_env | {
        "REDIS_URL": shared_redis,
        "TRUSTED_PROXY_COUNT": "1",
        "PETITION_COUNT_SECONDS": "1",
    }
    web_ports = [free_port(), free_port()]
    lost_port = web_ports[1]
    webs: dict[int, tuple] = {}
    processes = []  # (process, log) of the workers and schedulers
    stop = threading.Event()
    signed_confirmations: Counter = Counter()

    def start(args, smtp_port):
        log = tempfile.TemporaryFile()  # noqa: SIM115 - read after the process ends
        process = subprocess.Popen(
            args, env=env | {"EMAIL_PORT": str(smtp_port)}, stdout=subprocess.DEVNULL, stderr=log
        )
        processes.append((process, log))
        return process

    proxy = Proxy(web_ports)
    try:
        for port in web_ports:
            webs[port] = web_process(web_server_args("127.0.0.1", port, workers=1), env, port)
        workers = {port: start([*worker_args(), f"--worker-id=worker-{port}"], port) for port in smtp_ports}
        for _ in range(2):
            start([uadesk_bin, "scheduler", "--scale=0.05"], first_port)

        # The desk takes the client's address from the entry the proxy appended, not from the
        # connection (the proxy's) nor from an entry the client wrote itself.
        trusted = [
            request("GET", proxy.port, "/metrics").status,
            request_from("127.0.0.2", proxy.port, "/metrics").status,
            request_from("127.0.0.2", proxy.port, "/metrics", {"X-Forwarded-For": "127.0.0.1"}).status,
        ]

        began = time.monotonic()
        load = Load(proxy.port, until=began + SECONDS, resubmit=True, ask_links=False)
        confirmers = [
            threading.Thread(target=load.confirm_letters, args=(mailbox, stop)),
            threading.Thread(target=confirm_signatures, args=(load, mailbox, stop, signed_confirmations)),
        ]
        for thread in confirmers:
            thread.start()
        with ThreadPoolExecutor(WRITERS + SIGNERS) as pool:
            clients = [pool.submit(load.write_appeals, n, open_action) for n in range(WRITERS)]
            clients += [pool.submit(load.sign, n, petition) for n in range(SIGNERS)]

            # A quarter of the way in, the machine of one web process is lost while it serves.
            time.sleep(SECONDS / 4)
            waited = time.monotonic() + 5
            while in_flight(proxy, lost_port) < 2 and time.monotonic() < waited:
                time.sleep(0.001)
            lost_at = time.monotonic()
            machine_lost(webs[lost_port][0], lost_port)
            killed_at = time.monotonic()
            webs[lost_port][1].close()

            # Halfway it comes back (a new machine on its address), and a worker dies mid-send.
            time.sleep(max(0.0, began + SECONDS / 2 - time.monotonic()))
            webs[lost_port] = web_process(web_server_args("127.0.0.1", lost_port, workers=1), env, lost_port)
            back_at = time.monotonic()
            stall.armed.set()
            assert stall.stalled.wait(SECONDS), "no worker sent an appeal letter"
            killed = f"worker-{stall.port}"
            workers[stall.port].send_signal(signal.SIGKILL)  # in the middle of an SMTP conversation
            workers[stall.port].wait(timeout=30)
            stall.release.set()
            start([*worker_args(), "--worker-id=replacement"], stall.port)
            for client in clients:
                client.result()
        under_load = time.monotonic() - began

        deadline = time.monotonic() + 120
        while not settled(mailbox, load, killed) and time.monotonic() < deadline:
            time.sleep(0.5)
        drained = time.monotonic() - began - under_load
        # The counts as supporters and partners read them, through the proxy from each web process in
        # turn, once the petition's count kept in Redis (PETITION_COUNT_SECONDS) is counted again.
        time.sleep(1.5)
        outreaches = reverse("api:campaign-outreaches", kwargs={"slug": open_action.slug})
        count_path = reverse("petition_count", kwargs={"slug": petition.slug})
        counted = [
            (
                request("GET", proxy.port, outreaches).body,
                request("GET", proxy.port, count_path).body,
            )
            for _ in range(2)
        ]
        counted_by = {e.backend for e in proxy.exchanges[-4:]}
    finally:
        stop.set()
        stall.release.set()
        for process, _ in processes:
            if process.poll() is None:
                process.terminate()
        for process, _ in processes:
            process.wait(timeout=60)
        for process, log in webs.values():
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
            log.close()
        for controller in others:
            controller.stop()
        proxy.close()

    crashed = crashed_outputs(processes, killed=workers[stall.port])

    appeals = {str(a.submission): a for a in Appeal.objects.all()}
    signatures = {s.supporter.email: s for s in Signature.objects.select_related("supporter")}
    letters = Counter(m["Message-ID"] for m in mailbox.messages if m["Message-ID"].startswith("<appeal-"))
    letter_confirmations = Counter(
        m["To"] for m in mailbox.messages if m["Subject"] == "Confirm your letters"
    )
    receipts = Counter(m["To"] for m in mailbox.messages if m["Subject"].startswith("Your letters for"))
    petition_emails = Counter(m["To"] for m in mailbox.messages if m["To"].startswith("signer."))
    unexpected = [
        (m["Subject"], m["To"])
        for m in mailbox.messages
        if not m["Message-ID"].startswith("<appeal-")
        and m["Subject"] != "Confirm your letters"
        and not m["Subject"].startswith("Your letters for")
        and not m["To"].startswith("signer.")
    ]
    acknowledged = set(load.appeals)
    lost_appeals = [k for k in acknowledged if k not in appeals or not letters[appeals[k].message_id]]
    lost_signatures = [e for e in load.signers if e not in signatures or not petition_emails[e]]
    failed = [e for e in proxy.exchanges if not e.answered]
    served_again = sum(1 for e in proxy.exchanges if e.backend == lost_port and e.began > back_at)
    requests = sum(load.answers.values())
    print(
        f"\nseveral machines on {connection.vendor}: {under_load:.0f} s under load, "
        f"drained {drained:.0f} s later"
        f"\nrequests: {requests} ({requests / under_load:.0f}/s); by kind and answer: "
        + ", ".join(f"{kind} {status}: {n}" for (kind, status), n in sorted(load.answers.items(), key=str))
        + f"\nweb machine lost: {len(failed)} requests in flight failed (502), sent again: "
        f"{Counter(kind for kind, _ in load.lost_answers)}; {proxy.skipped[lost_port]} connections "
        f"refused by it went to the other; {served_again} requests served after it came back"
        f"\nsigning forms sent again after a lost answer that had been taken: {load.replayed}"
        f"\nappeals: {len(acknowledged)} acknowledged, {len(appeals)} stored, {len(letters)} letters, "
        f"{twice(letters)} twice, {len(lost_appeals)} lost"
        f"\nsignatures: {len(load.signers)} acknowledged, {len(signatures)} stored, "
        f"{sum(1 for s in signatures.values() if s.is_confirmed)} confirmed, {len(petition_emails)} emailed, "
        f"{twice(petition_emails)} twice, {len(lost_signatures)} lost"
        f"\nworker killed mid-send ({stall.dropped} letter not accepted)"
    )

    assert trusted == [200, 403, 403]
    # Only the requests in flight on the lost machine failed, each answered 502 by the proxy.
    assert failed
    outside = [
        (e.backend, round(e.began - lost_at, 3), round(e.ended - lost_at, 3))
        for e in failed
        if not (e.backend == lost_port and e.began < killed_at and e.ended >= lost_at)
    ]
    assert outside == [], f"failed outside the kill ({killed_at - lost_at:.3f} s after {lost_at})"
    assert len(load.lost_answers) == len(failed)
    errors = {
        key: n
        for key, n in load.answers.items()
        if not isinstance(key[1], int) or (key[1] >= 500 and key[1] != 502)
    }
    assert errors == {}
    assert sum(n for (_, status), n in load.answers.items() if status == 502) == len(failed)
    assert proxy.skipped[lost_port] > 0 and served_again > 0
    assert crashed == {}
    assert load.answers["appeal", 302] == len(acknowledged) > 0
    assert load.answers["signature", 302] == len(load.signers) > 0
    assert stall.dropped == 1  # the kill came while the SMTP server held its reply
    assert lost_appeals == [] and lost_signatures == []
    # Each comparison names what differs (hundreds of addresses on either side would hide it).
    assert apart(appeals, acknowledged) == (set(), set())  # nothing stored that was not acknowledged
    assert {a.status for a in appeals.values()} == {"sent"}
    assert not twice(letters)
    assert apart(letter_confirmations, load.writers) == (set(), set()) and not twice(letter_confirmations)
    assert apart(receipts, load.writers) == (set(), set()) and not twice(receipts)
    assert apart(signatures, load.signers) == (set(), set())
    assert all(s.is_confirmed for s in signatures.values())
    assert apart(petition_emails, load.signers) == (set(), set()) and not twice(petition_emails)
    assert unexpected == []
    assert not Message.objects.exclude(status="sent").exists()
    assert not DBTaskResult.objects.filter(status="RUNNING").exists()  # the killed worker's task ran again
    # The counts, exact, from both web processes.
    assert counted_by == set(web_ports)
    for total, count in counted:
        assert json.loads(total)["total_outreaches"] == len(acknowledged)
        assert json.loads(count)["count"] == len(load.signers)
