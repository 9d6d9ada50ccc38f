"""Issue 9: many supporters write appeals and sign a petition at the desk as production serves it, while
a task worker is killed in the middle of a send and replaced, and the database connections are cut once.
At the end every acknowledged appeal and signature is stored and delivered exactly once, and no request
was answered with a server error.

Issue 16: every kind of message goes through the one outbox, and each is checked here, under the same
faults: the letters, "Confirm your letters", the petition's confirmations, the links to their data
that writers ask for, the news of an outcome recorded in the middle of the load (to every writer who
asked for it and had confirmed by then), a webhook announcing each letter sent, the receipt of each
writer's letters, and the reminders other supporters ask for on the action's page (the deadline is
within REMINDER_DAYS_BEFORE, so the scheduler queues them as they come). Each arrives exactly once.

Issue 19: a mailing of the case to the network's members is sent a quarter of the way in; its
recipients are written by a worker's task while the other worker is killed and the connections are
cut. Every member gets it exactly once.

The desk runs as `uadesk run` starts it (its web server command, `uadesk worker`, `uadesk scheduler`,
the scheduler's periods scaled down), two task workers, on the test database; the letters and the
confirmation emails go to a real SMTP server in this process. Both faults come at the worst moment
for a letter: the worker is killed while the SMTP server holds its reply to an appeal letter (not
accepted: it must go again, once), and the connections are cut while it holds another (accepted just
after: it must not go again). On PostgreSQL the cut terminates every other backend of the database:
the web server's, the workers' and the scheduler's. SQLite has no connection to cut; there another
writer holds the database for a few seconds instead, as a long write would. UADESK_LOAD_SECONDS sets
the time under load (25 s).
"""

import json
import os
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.api.helpers import Receiver
from tests.conftest import StallOnce, free_port, web_server
from tests.load.helpers import Load, apart, crashed_outputs, twice
from uadesk.actions.models import Outcome, OutcomeNotice, Reminder
from uadesk.actions.services import outcome_record
from uadesk.api.models import Webhook
from uadesk.appeals.models import Appeal
from uadesk.delivery.models import Message
from uadesk.management.commands.run import web_server_args, worker_args
from uadesk.network.mailings import mailing_send
from uadesk.network.models import Mailing, Member
from uadesk.petitions.models import Signature, Submission
from uadesk.supporters.models import Supporter

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

SECONDS = float(os.environ.get("UADESK_LOAD_SECONDS") or 25)
WRITERS = SIGNERS = 8  # client threads, each one supporter after another
MEMBERS = 400  # the network's members, who each get the mailing of the case
LOCK_SECONDS = 3
DATA_LINK_SUBJECT = "Your link to the data we hold about you"


class LetterSentTwice(AssertionError):
    pass


def cut_connections(stall: StallOnce) -> int:
    """PostgreSQL: every other connection to the database ends, as in a server restart. SQLite: another
    writer holds the database for a few seconds. The stalled letter is accepted in the meantime."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            ended = sum(1 for (ended,) in cursor.fetchall() if ended)
        stall.release.set()
        return ended
    holder = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
    try:
        holder.execute("BEGIN IMMEDIATE")
        stall.release.set()
        time.sleep(LOCK_SECONDS)
        holder.rollback()
    finally:
        holder.close()
    return 0


def settled(mailbox, load: Load, killed: str, receiver) -> bool:
    """Nothing left to take or send, every letter sent announced, and the killed worker's task has run
    again."""
    return (
        not Submission.objects.filter(taken_at__isnull=True).exists()
        and not Appeal.objects.filter(status__in=["unconfirmed", "queued"]).exists()
        and not Signature.objects.filter(emailed_at__isnull=True).exists()
        and not Message.objects.filter(status__in=["waiting", "sending"]).exists()
        and not Reminder.objects.filter(queued_at__isnull=True).exists()
        and not Mailing.objects.filter(status="sending", queued_all_at__isnull=True).exists()
        and not [r for r in DBTaskResult.objects.filter(status="RUNNING") if r.worker_ids[-1] == killed]
        and len(mailbox.messages) >= len(load.appeals) + len(load.signers)
        and len(receiver.requests) >= Appeal.objects.filter(status="sent").count()
    )


def test_under_load_a_killed_worker_and_a_cut_database_lose_nothing_and_send_nothing_twice(
    open_action, petition, desk_env, uadesk_bin, smtp_server
):
    open_action.max_appeals_per_target_per_hour = 1_000_000  # a big campaign: staff raise the limit
    open_action.save()
    members = {f"member.{n}@example.org" for n in range(MEMBERS)}
    for email in members:
        Member.objects.create(supporter=Supporter.for_email(email), status="active", languages="en")
    mailing = Mailing.objects.get(action=open_action, kind="new")
    mailbox, first_port = smtp_server
    receiver = Receiver()
    Webhook.objects.create(name="CRM", url=receiver.url, appeals=True, signatures=False)
    # Each worker has an SMTP port of its own, so the stalled letter tells which worker sends it.
    second = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    second.start()
    # Installed before the workers connect (a connection keeps the handlers it met), armed later.
    stall = StallOnce(mailbox, "<appeal-", armed=False)
    held = StallOnce(mailbox, "<appeal-", armed=False)
    web_port = free_port()
    processes = []
    stop_confirming = threading.Event()

    def start(args, smtp_port):
        log = tempfile.TemporaryFile()  # noqa: SIM115 - read after the process ends
        env = desk_env | {"EMAIL_PORT": str(smtp_port)}
        process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=log)
        processes.append((process, log))
        return process

    try:
        with web_server(web_server_args("127.0.0.1", web_port), desk_env, web_port):
            workers = {
                port: start([*worker_args(), f"--worker-id=worker-{port}"], port)
                for port in (first_port, second.port)
            }
            start([uadesk_bin, "scheduler", "--scale=0.05"], first_port)
            began = time.monotonic()
            load = Load(web_port, until=began + SECONDS)
            confirmer = threading.Thread(target=load.confirm_letters, args=(mailbox, stop_confirming))
            confirmer.start()
            with ThreadPoolExecutor(WRITERS + SIGNERS + 1) as pool:
                clients = [pool.submit(load.write_appeals, n, open_action) for n in range(WRITERS)]
                clients += [pool.submit(load.sign, n, petition) for n in range(SIGNERS)]
                clients.append(pool.submit(load.ask_reminders, open_action))

                time.sleep(SECONDS / 4)
                mailing_send(mailing)  # staff press "Send now": a worker's task writes its recipients

                time.sleep(max(0.0, began + SECONDS / 3 - time.monotonic()))
                stall.armed.set()
                assert stall.stalled.wait(SECONDS), "no worker sent an appeal letter"
                killed = f"worker-{stall.port}"
                workers[stall.port].send_signal(signal.SIGKILL)  # in the middle of an SMTP conversation
                workers[stall.port].wait(timeout=30)
                stall.release.set()
                start([*worker_args(), "--worker-id=replacement"], stall.port)

                # Halfway: staff record an outcome; its news goes to each writer who asked and has confirmed.
                time.sleep(max(0.0, began + SECONDS / 2 - time.monotonic()))
                outcome = outcome_record(
                    # News that is not the end of the case: the action still asks for letters.
                    Outcome(action=open_action, individual=open_action.individuals.first(),
                            kind="transferred", happened_on=timezone.localdate(), public_note="Moved.")
                )  # fmt: skip
                followers = {
                    n.supporter.email
                    for n in OutcomeNotice.objects.filter(outcome=outcome).select_related("supporter")
                }

                time.sleep(max(0.0, began + 2 * SECONDS / 3 - time.monotonic()))
                held.armed.set()
                assert held.stalled.wait(SECONDS), "no worker sent an appeal letter"
                cut = cut_connections(held)
                for client in clients:
                    client.result()
            under_load = time.monotonic() - began

            deadline = time.monotonic() + 180
            while not settled(mailbox, load, killed, receiver) and time.monotonic() < deadline:
                time.sleep(0.5)
            drained = time.monotonic() - began - under_load
    finally:
        stop_confirming.set()
        stall.release.set()
        held.release.set()
        for process, _ in processes:
            if process.poll() is None:
                process.terminate()
        for process, _ in processes:
            process.wait(timeout=60)
        second.stop()
        receiver.close()

    crashed = crashed_outputs(processes, killed=workers[stall.port])

    appeals = {str(a.submission): a for a in Appeal.objects.all()}
    letters = Counter(m["Message-ID"] for m in mailbox.messages if m["Message-ID"].startswith("<appeal-"))
    signatures = {s.supporter.email: s for s in Signature.objects.select_related("supporter")}
    # Writers who gave their email confirm it before their letters go (a worker cut off mid-task may
    # send it twice: the newer link works, the older one answers 410).
    letter_confirmations = Counter(
        m["To"] for m in mailbox.messages if m["Subject"] == "Confirm your letters"
    )
    data_links = Counter(m["To"] for m in mailbox.messages if m["Subject"] == DATA_LINK_SUBJECT)
    news = Counter(m["To"] for m in mailbox.messages if m["Subject"].startswith("News of the case"))
    receipts = Counter(m["To"] for m in mailbox.messages if m["Subject"].startswith("Your letters for"))
    reminders = Counter(m["To"] for m in mailbox.messages if m["Subject"].startswith("A few days left"))
    mailed = Counter(m["To"] for m in mailbox.messages if m["Subject"].startswith("Urgent Action:"))
    announced = Counter(json.loads(body)["data"]["appeal_id"] for _, body in receiver.requests)
    confirmations = Counter(
        m["To"]
        for m in mailbox.messages
        if not m["Message-ID"].startswith("<appeal-")
        and m["Subject"] not in ("Confirm your letters", DATA_LINK_SUBJECT)
        and not m["Subject"].startswith(
            ("News of the case", "Your letters for", "A few days left", "Urgent Action:")
        )
    )
    acknowledged = set(load.appeals)
    lost_appeals = [k for k in acknowledged if k not in appeals or not letters[appeals[k].message_id]]
    lost_signatures = [e for e in load.signers if e not in signatures or not confirmations[e]]
    requests = sum(load.answers.values())
    print(
        f"\nload and faults on {connection.vendor}: {under_load:.0f} s under load, "
        f"drained {drained:.0f} s later"
        f"\nrequests: {requests} ({requests / under_load:.0f}/s); by kind and answer: "
        + ", ".join(f"{kind} {status}: {n}" for (kind, status), n in sorted(load.answers.items(), key=str))
        + f"\nappeals: {len(acknowledged)} acknowledged, {len(appeals)} stored, "
        f"{sum(1 for a in appeals.values() if a.status == 'sent')} sent, {len(letters)} letters received, "
        f"{sum(n - 1 for n in letters.values())} twice, {len(lost_appeals)} lost"
        f"\nsignatures: {len(load.signers)} acknowledged, {len(signatures)} stored, "
        f"{len(confirmations)} confirmation emails, {sum(n - 1 for n in confirmations.values())} twice, "
        f"{len(lost_signatures)} lost"
        f"\ndata links: {len(load.linked)} asked, {len(data_links)} sent, {twice(data_links)} twice"
        f"\nnews of the outcome: {len(followers)} followers, {len(news)} told, {twice(news)} twice"
        f"\nwebhooks: {len(announced)} appeals announced, {twice(announced)} twice"
        f"\nreceipts: {len(receipts)} writers, {twice(receipts)} twice"
        f"\nreminders: {len(load.reminded)} asked, {len(reminders)} sent, {twice(reminders)} twice"
        f"\nmailing: {len(members)} members, {len(mailed)} mailed, {twice(mailed)} twice"
        f"\nfaults: worker killed mid-send ({stall.dropped} letter not accepted), "
        + (
            f"{cut} connections cut"
            if connection.vendor == "postgresql"
            else f"database held {LOCK_SECONDS} s"
        )
    )

    errors = {key: n for key, n in load.answers.items() if not isinstance(key[1], int) or key[1] >= 500}
    assert errors == {}
    assert crashed == {}
    assert load.answers["appeal", 302] == len(acknowledged) > 0
    assert load.answers["signature", 302] == len(load.signers) > 0
    assert stall.dropped == 1  # the kill came while the SMTP server held its reply
    assert lost_appeals == [] and lost_signatures == []
    assert set(confirmations.values()) == {1}
    # Each comparison names what differs (hundreds of addresses on either side would hide it).
    assert apart(letter_confirmations, load.writers) == (set(), set())
    assert apart(appeals, acknowledged) == (set(), set())  # nothing stored that was not acknowledged
    assert apart(signatures, load.signers) == (set(), set())
    assert {a.status for a in appeals.values()} == {"sent"}
    # Every other kind of message, exactly once too.
    assert load.linked and apart(data_links, load.linked) == (set(), set()) and not twice(data_links)
    assert followers and apart(news, followers) == (set(), set()) and not twice(news)
    assert apart(announced, {a.pk for a in appeals.values()}) == (set(), set()) and not twice(announced)
    assert apart(receipts, load.writers) == (set(), set()) and not twice(receipts)
    assert load.reminded and apart(reminders, load.reminded) == (set(), set()) and not twice(reminders)
    assert apart(mailed, members) == (set(), set()) and not twice(mailed)
    assert not Message.objects.exclude(status__in=["sent", "cancelled"]).exists()
    # The killed worker's task ran again, and no other was left marked running.
    running = DBTaskResult.objects.filter(status="RUNNING").values_list(
        "task_path", "worker_ids", "started_at"
    )
    assert not running, list(running)
    if letters_twice := sorted(message_id for message_id, n in letters.items() if n > 1):
        raise LetterSentTwice(letters_twice)
