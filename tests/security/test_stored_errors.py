"""No error the desk stores or logs carries a supporter's address: a mail server that refuses one
(and names it in its reply, as Postfix does) leaves nothing of it in the database or the worker's log."""

import importlib
import subprocess
import traceback

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from uadesk.delivery.email import EmailTransport
from uadesk.delivery.models import Message
from uadesk.delivery.tasks import deliver_messages
from uadesk.delivery.transport import OutgoingLetter, TransportError
from uadesk.petitions.models import Signature
from uadesk.petitions.outbox import petition_email_queue
from uadesk.supporters.models import Supporter

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

LOCAL_PART = "gone-7f3a9c2e"
ADDRESS = f"{LOCAL_PART}@refusing.example.org"


def rows_holding(text: str) -> list[tuple[str, tuple]]:
    """Every row of every table of the desk in which `text` appears, in any case."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (our own tables)
            found += [(table, row) for row in cursor.fetchall() if text.lower() in str(row).lower()]
    return found


def test_a_refused_address_is_in_no_stored_error_nor_the_workers_log(
    smtp_server, petition, worker_env, uadesk_bin
):
    mailbox, _ = smtp_server
    mailbox.refuse[ADDRESS] = f"550 5.1.1 <{ADDRESS}>: Recipient address rejected: User unknown"
    supporter = Supporter.for_email(ADDRESS)
    # The supporter asks for the link to their data, and signs a petition (its confirmation email).
    assert Client().post(reverse("supporters:link"), {"email": ADDRESS}).status_code == 302
    signature = Signature.objects.create(
        petition=petition, supporter=supporter, name="Gone", household_place=1
    )
    petition_email_queue(mail="confirm", petition=petition, supporter=supporter, signature=signature)
    deliver_messages.enqueue()
    worker = subprocess.run(
        [uadesk_bin, "worker", "--batch", "--no-startup-delay", "--interval=0"],
        env=worker_env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert worker.returncode == 0, worker.stderr[-3000:]
    # Both emails were tried and refused: each message failed for good, saying why, and the worker
    # logged both.
    for message in Message.objects.all():
        assert message.status == "failed" and "refused by the mail server" in message.last_error
    log = worker.stdout + worker.stderr
    assert log.count("refused by the mail server") >= 2, log
    assert not mailbox.messages
    for text in (ADDRESS, LOCAL_PART):
        assert rows_holding(text) == []
        assert text not in log, log


def test_an_address_the_server_names_when_refusing_the_letter_itself_is_not_in_the_error(smtp_server):
    """A refusal after the letter's text (SMTP's DATA), with the recipient in the reply: the error,
    and its whole traceback as a failed task would store it, holds the code and not the address."""
    mailbox, _ = smtp_server

    async def refuse_data(server, session, envelope):
        return f"554 5.7.1 <{envelope.rcpt_tos[0]}>: message refused for {envelope.rcpt_tos[0]}"

    mailbox.handle_DATA = refuse_data
    letter = OutgoingLetter(subject="Your data", text="The link to your data.")
    with EmailTransport() as transport, pytest.raises(TransportError) as caught:
        transport.send(letter, to=ADDRESS)
    stored = "".join(traceback.format_exception(caught.value))
    assert "mail server said 554" in stored and caught.value.permanent, stored
    assert LOCAL_PART not in stored, stored


def test_tracebacks_stored_before_the_fix_lose_their_addresses():
    from django.apps import apps

    migration = importlib.import_module("uadesk.migrations.0002_tracebacks_without_addresses")
    old = (
        "Traceback (most recent call last):\n  ...\nsmtplib.SMTPRecipientsRefused: "
        f"{{'{ADDRESS}': (550, b'5.1.1 <{ADDRESS}>: Recipient address rejected')}}\n"
    )
    row = DBTaskResult.objects.create(
        task_path="uadesk.supporters.tasks.send_data_link", args_kwargs={"args": [], "kwargs": {}},
        status="FAILED", traceback=old,
    )  # fmt: skip
    migration.scrub(apps, None)
    row.refresh_from_db()
    assert LOCAL_PART not in row.traceback
    assert "SMTPRecipientsRefused: {'<address>': (550, b'5.1.1 <address>: Recipient" in row.traceback
