"""Webhooks: a real worker process POSTs signed events to a real HTTP server on loopback, retries failures
with backoff and logs every attempt; payloads carry names only where the webhook may have them."""

import datetime
import hashlib
import hmac
import json
import subprocess
import time
import uuid

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.api.helpers import Receiver, counted_appeal
from uadesk.api.models import Webhook, WebhookDelivery
from uadesk.delivery.models import Message
from uadesk.delivery.tasks import deliver_messages
from uadesk.delivery.webhook import is_public

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def receiver():
    made = []

    def make(answers=()):
        made.append(Receiver(answers))
        return made[-1]

    yield make
    for server in made:
        server.close()


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """What a receiver does: recompute the HMAC over "t.body" and compare in constant time."""
    parts = dict(item.split("=", 1) for item in headers["X-Uadesk-Signature"].split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - int(parts["t"])) < 300


def run_worker(uadesk_bin, env):
    worker = subprocess.run(
        [uadesk_bin, "worker", "--batch", "--interval=0.1"], env=env, capture_output=True, timeout=120
    )
    assert worker.returncode == 0, worker.stderr.decode()[-3000:]


@pytest.fixture
def worker_env(process_env):
    # The receivers listen on loopback, which a desk's webhooks may reach only when this allows it.
    return process_env | {
        "WEBHOOK_RETRY_BASE_SECONDS": "0",
        "WEBHOOK_MAX_ATTEMPTS": "3",
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1",
    }


def test_a_counted_appeal_reaches_the_receiver_signed_and_without_names(
    open_action, receiver, uadesk_bin, worker_env
):
    server = receiver()
    hook = Webhook.objects.create(name="Porto CRM", url=server.url)
    appeal = counted_appeal(open_action, name="Ana Lima", email="ana@example.org")
    run_worker(uadesk_bin, worker_env)
    [(headers, body)] = server.requests
    assert verify(hook.secret, headers, body)
    assert not verify("another secret", headers, body)
    assert headers["X-Uadesk-Event"] == "appeal.counted"
    payload = json.loads(body)
    assert payload["event"] == "appeal.counted"
    assert payload["data"] == payload["data"] | {
        "appeal_id": appeal.pk, "action": open_action.slug, "channel": "post", "total_outreaches": 1,
    }  # fmt: skip
    assert "person" not in payload["data"] and b"Ana" not in body and b"example.org" not in body
    delivery = WebhookDelivery.objects.get()
    message = delivery.message()
    assert (message.status, message.attempts) == ("sent", 1)
    assert [a.detail for a in message.attempt_log.all()] == ["HTTP 200"]
    assert headers["X-Uadesk-Delivery"] == str(delivery.pk)
    # Saved again, the appeal makes no second delivery.
    appeal.save()
    run_worker(uadesk_bin, worker_env)
    assert len(server.requests) == 1 and WebhookDelivery.objects.count() == 1


def test_a_failing_receiver_is_retried_with_each_attempt_logged(
    open_action, receiver, uadesk_bin, worker_env
):
    flaky, broken = receiver(answers=[500, 503]), receiver(answers=[500, 500, 500, 500])
    Webhook.objects.create(name="Flaky", url=flaky.url, personal_data=True)
    Webhook.objects.create(name="Broken", url=broken.url)
    counted_appeal(open_action, name="Ana Lima")
    run_worker(uadesk_bin, worker_env)
    recovered = WebhookDelivery.objects.get(webhook__name="Flaky").message()
    assert (recovered.status, recovered.attempts) == ("sent", 3)
    assert [(a.number, a.detail) for a in recovered.attempt_log.all()] == [
        (1, "HTTP 500 Internal Server Error"),
        (2, "HTTP 503 Service Unavailable"),
        (3, "HTTP 200"),
    ]
    assert json.loads(flaky.requests[-1][1])["data"]["person"] == {"name": "Ana Lima", "country": "PT"}
    # The same event, the same body and delivery id on every try: the receiver can tell a repeat.
    assert len({body for _, body in flaky.requests}) == 1
    failed = WebhookDelivery.objects.get(webhook__name="Broken").message()
    assert (failed.status, failed.attempts, failed.last_error) == (
        "failed",
        3,
        "HTTP 500 Internal Server Error",
    )
    assert [a.detail for a in failed.attempt_log.all()] == ["HTTP 500 Internal Server Error"] * 3
    assert len(broken.requests) == 3


def test_an_unreachable_receiver_is_logged_as_an_error(open_action, uadesk_bin, worker_env):
    Webhook.objects.create(name="Gone", url="http://127.0.0.1:9/nothing-listens")
    counted_appeal(open_action)
    run_worker(uadesk_bin, worker_env)
    message = WebhookDelivery.objects.get().message()
    assert message.status == "failed" and "refused" in message.last_error.lower()


def test_appeals_the_worker_sends_are_announced(open_action, receiver, uadesk_bin, worker_env, smtp_server):
    # The send is recorded by an UPDATE: the appeals app's appeals_counted signal, inside that transaction,
    # makes the webhook's message, which the run the commit kicks sends.
    from uadesk.appeals.services import Writer, appeal_submit

    mailbox, port = smtp_server
    server = receiver()
    Webhook.objects.create(name="CRM", url=server.url)
    xi = open_action.targets.get(name="Xi Jinping")
    [appeal] = appeal_submit(
        action=open_action, targets=[xi], channel="email", language="en", subject="Release them",
        letters={xi.pk: "Dear President Xi Jinping,\n\nRelease them.\n\nAna, Porto"},
        writer=Writer(name="Ana"), key=uuid.uuid4(),
    )  # fmt: skip
    run_worker(uadesk_bin, worker_env | {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port)})
    assert len(mailbox.wait_for(1)) == 1
    [(_, body)] = server.requests
    assert json.loads(body)["data"]["appeal_id"] == appeal.pk


def webhook_messages() -> list[tuple[str, int]]:
    return [
        (d.event, d.object_id)
        for d in WebhookDelivery.objects.all()
        if Message.objects.filter(kind="webhook", ref=d.pk, status="waiting").exists()
    ]


@pytest.mark.parametrize(("channel", "status"), [("mailto", "sent_by_supporter"), ("post", "posted")])
def test_an_appeal_the_supporter_sent_has_its_webhook_message_in_the_same_transaction(
    open_action, channel, status
):
    Webhook.objects.create(name="CRM", url="https://crm.example.org/hook")
    appeal = counted_appeal(open_action, status="awaiting", channel=channel)
    assert WebhookDelivery.objects.count() == 0
    DBTaskResult.objects.all().delete()
    # The change rolled back takes its message with it.
    with pytest.raises(RuntimeError), transaction.atomic():
        assert appeal.confirm_sent_by_supporter()
        assert webhook_messages() == [("appeal.counted", appeal.pk)]
        raise RuntimeError("the request fails after counting")
    appeal.refresh_from_db()
    assert appeal.status == "awaiting" and WebhookDelivery.objects.count() == Message.objects.count() == 0
    # Committed: the message is there at once; no task had to run for it.
    assert appeal.confirm_sent_by_supporter() and appeal.status == status
    assert webhook_messages() == [("appeal.counted", appeal.pk)]
    assert not DBTaskResult.objects.exclude(task_path="uadesk.delivery.tasks.deliver_messages").exists()


def test_an_appeal_the_desk_sent_has_its_webhook_message_in_the_same_transaction(open_action, smtp_server):
    from uadesk.appeals.services import Writer, appeal_submit

    Webhook.objects.create(name="CRM", url="https://crm.example.org/hook")
    xi = open_action.targets.get(name="Xi Jinping")
    [appeal] = appeal_submit(
        action=open_action, targets=[xi], channel="email", language="en", subject="Release them",
        letters={xi.pk: "Dear President Xi Jinping,\n\nRelease them.\n\nAna, Porto"},
        writer=Writer(name="Ana"), key=uuid.uuid4(),
    )  # fmt: skip
    assert deliver_messages.call() == 1
    appeal.refresh_from_db()
    assert appeal.status == "sent"
    # Recorded with the send: the message waits for the next run; no sweep nor fan-out task made it.
    assert webhook_messages() == [("appeal.counted", appeal.pk)]


@pytest.mark.parametrize("hooks", [0, 1])
def test_a_batch_of_letters_asks_once_whether_a_webhook_wants_them(open_action, smtp_server, hooks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from uadesk.appeals.services import Writer, appeal_submit

    if hooks:
        Webhook.objects.create(name="CRM", url="https://crm.example.org/hook")
    xi = open_action.targets.get(name="Xi Jinping")
    open_action.max_appeals_per_target_per_hour = 10
    open_action.save()
    appeals = [
        appeal_submit(
            action=open_action, targets=[xi], channel="email", language="en", subject="Release them",
            letters={xi.pk: f"Dear President Xi Jinping,\n\nRelease them.\n\nWriter {n}"},
            writer=Writer(name=f"Writer {n}"), key=uuid.uuid4(),
        )[0]
        for n in range(5)
    ]  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        assert deliver_messages.call() == 5
    asked = [q["sql"] for q in queries.captured_queries if 'FROM "api_webhook"' in q["sql"]]
    # Without a webhook, one question for the batch; with one, that question and each letter's own.
    assert len(asked) == 1 + 5 * hooks
    assert sorted(webhook_messages()) == sorted(("appeal.counted", a.pk) for a in appeals[: 5 * hooks])


def test_without_webhooks_no_task_is_queued(open_action):
    before = DBTaskResult.objects.count()
    counted_appeal(open_action)
    assert DBTaskResult.objects.count() == before
    Webhook.objects.create(name="Off", url="http://127.0.0.1:9/", active=False)
    counted_appeal(open_action, email="other@example.org")
    assert DBTaskResult.objects.count() == before


def test_webhooks_made_after_an_event_do_not_hear_of_it(open_action, receiver, uadesk_bin, worker_env):
    appeal = counted_appeal(open_action)
    server = receiver()
    Webhook.objects.create(name="Late", url=server.url)
    appeal.save()
    appeal.confirm_sent_by_supporter()  # counted already: changes nothing
    run_worker(uadesk_bin, worker_env)
    assert server.requests == [] and not WebhookDelivery.objects.exists()


def test_confirmed_signatures_are_announced(open_action, receiver, settings):
    from uadesk.api.services import webhook_deliveries_create
    from uadesk.petitions.models import Petition, Signature

    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the receiver is on loopback
    server = receiver()
    hook = Webhook.objects.create(name="CRM", url=server.url, personal_data=True)
    petition = Petition.objects.create(
        action=open_action, slug="free-them", title="Free them", text="We ask."
    )
    signature = Signature.objects.create(
        petition=petition, name="Ana Lima", country="FR", household_place=1, confirmed_at=timezone.now()
    )
    assert webhook_messages() == [("signature.confirmed", signature.pk)]
    assert webhook_deliveries_create(event="signature.confirmed", object_id=signature.pk) == 0  # once
    assert deliver_messages.call() == 1
    [(headers, body)] = server.requests
    assert verify(hook.secret, headers, body)
    data = json.loads(body)["data"]
    assert (data["signature_id"], data["petition"], data["action"]) == (
        signature.pk,
        "free-them",
        open_action.slug,
    )
    assert data["total_signatures"] == 1
    assert data["person"] == {"name": "Ana Lima", "country": "FR"}
    # Confirmed by its link (an UPDATE): its message is written in that transaction, or not at all.
    later = Signature.objects.create(petition=petition, name="Bo Chen", country="FR", household_place=1)
    token = later.new_link_token()
    with pytest.raises(RuntimeError), transaction.atomic():
        assert Signature.confirm(token) is not None
        assert ("signature.confirmed", later.pk) in webhook_messages()
        raise RuntimeError("the request fails after confirming")
    assert not WebhookDelivery.objects.filter(object_id=later.pk).exists()
    assert Signature.confirm(token) is not None
    assert webhook_messages() == [("signature.confirmed", later.pk)]


def test_a_delivery_whose_worker_died_mid_send_goes_on_a_later_run(
    open_action, receiver, uadesk_bin, worker_env
):
    server = receiver()
    hook = Webhook.objects.create(name="CRM", url=server.url)
    appeal = counted_appeal(open_action)
    DBTaskResult.objects.all().delete()  # the queued run is lost, as if the worker's database went away
    lost = WebhookDelivery.objects.get(webhook=hook, event="appeal.counted", object_id=appeal.pk)
    # Its message taken by a worker that died before its answer: the lease runs out.
    Message.objects.filter(kind="webhook", ref=lost.pk).update(
        status="sending", claimed_by="dead", claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    deliver_messages.enqueue()  # as the scheduler does every minute
    run_worker(uadesk_bin, worker_env)
    assert lost.message().status == "sent" and len(server.requests) == 1


def test_a_webhook_into_the_desks_own_network_is_never_called(open_action, receiver, uadesk_bin, worker_env):
    server = receiver()
    Webhook.objects.create(name="Inside", url=server.url)
    # The same name, resolving to loopback: as a rebinding name would, after the check of a form.
    Webhook.objects.create(name="Rebound", url=server.url.replace("127.0.0.1", "localhost"))
    counted_appeal(open_action)
    run_worker(uadesk_bin, worker_env | {"WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "0"})
    assert server.requests == []
    for delivery in WebhookDelivery.objects.all():
        message = delivery.message()
        assert message.status == "failed" and "private network" in message.last_error


@pytest.mark.parametrize(
    ("address", "public"),
    [("93.184.216.34", True), ("2606:4700::1111", True), ("127.0.0.1", False), ("10.1.2.3", False),
     ("169.254.169.254", False), ("100.64.0.1", False), ("::1", False), ("::ffff:127.0.0.1", False),
     ("fd00::1", False), ("224.0.0.1", False), ("0.0.0.0", False), ("not an address", False)],  # noqa: S104
)  # fmt: skip
def test_only_internet_addresses_are_public(address, public):
    assert is_public(address) is public
