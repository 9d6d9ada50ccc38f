"""Moving to the outbox loses nothing that waited: letters queued or failed, their attempts, webhook
deliveries, news not yet sent, and emails queued as tasks before it become messages."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from uadesk.delivery.models import Attempt, Message

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("appeals", "0006_target_bounce"),
    ("actions", "0008_target_email_bounces_cleared_at"),
    ("petitions", "0002_signature_email_sent_at"),
    ("api", "0003_remove_apiauditentry"),
    ("delivery", "0001_outbox"),
    ("network", None),  # built on later actions migrations: not there yet
    ("federation", None),  # likewise
]
OLD_TASK = "uadesk.{}.tasks.{}"


def latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_what_waited_before_the_outbox_is_in_it_after(open_action):
    from uadesk.supporters.models import Supporter

    ada = Supporter.for_email("ada@example.org")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    touched = {app for app, _ in BEFORE}
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in touched]
    try:
        old = MigrationExecutor(connection).loader.project_state([*(n for n in BEFORE if n[1]), *others]).apps
        Appeal = old.get_model("appeals", "Appeal")
        xi = old.get_model("actions", "Target").objects.get(action_id=open_action.pk, name="Xi Jinping")
        now = timezone.now()

        def appeal(status, **delivery):
            return Appeal.objects.create(
                action_id=open_action.pk, target=xi, channel="email", subject="s", body="Release them.",
                supporter_name="Ada", status=status, **delivery,
            )  # fmt: skip

        queued = appeal("queued", attempts=1, last_error="451 try later", next_attempt_at=now)
        failed = appeal("failed", attempts=2, last_error="550 no such user")
        sending = appeal("sending", attempts=1, claimed_by="dead", claimed_until=now)
        appeal("posted")  # the supporter's own: nothing for the outbox
        DeliveryAttempt = old.get_model("appeals", "DeliveryAttempt")
        for number, outcome in [(1, "retry"), (2, "failed")]:
            DeliveryAttempt.objects.create(
                appeal=failed, number=number, outcome=outcome, detail="550 no such user"
            )
        Outcome = old.get_model("actions", "Outcome")
        told = Outcome.objects.create(
            action_id=open_action.pk, kind="released", happened_on=now.date(), public_note="."
        )
        waiting_news = old.get_model("actions", "OutcomeNotice").objects.create(
            outcome=told, supporter_id=ada.pk
        )
        reminded = old.get_model("actions", "Reminder").objects.create(
            action_id=open_action.pk, supporter_id=ada.pk, sent_at=now
        )
        hook = old.get_model("api", "Webhook").objects.create(name="CRM", url="https://crm.example.org/hook")
        delivery = old.get_model("api", "WebhookDelivery").objects.create(
            webhook=hook, event="appeal.counted", object_id=1, payload={}, status="pending", attempts=1
        )
        old.get_model("api", "WebhookAttempt").objects.create(delivery=delivery, number=1, status_code=503)
        Task = old.get_model("django_tasks_database", "DBTaskResult")
        for path, args in [
            (OLD_TASK.format("supporters", "send_data_link"), {"args": ["f" * 64], "kwargs": {}}),
            (OLD_TASK.format("appeals", "deliver_appeals"), {"args": [], "kwargs": {}}),
        ]:
            Task.objects.create(
                task_path=path, args_kwargs=args, status="READY", priority=0, queue_name="default",
                backend_name="default", run_after=now, enqueued_at=now,
            )  # fmt: skip
    finally:  # forward again whatever happened: the next tests need today's tables
        latest()

    letters = {m.ref: m for m in Message.objects.filter(kind="appeal")}
    assert set(letters) == {queued.pk, failed.pk, sending.pk}
    assert (letters[queued.pk].status, letters[queued.pk].attempts, letters[queued.pk].last_error) == (
        "waiting", 1, "451 try later",
    )  # fmt: skip
    assert letters[sending.pk].status == "waiting"  # its worker's claim dropped: it goes again
    assert letters[failed.pk].status == "failed"
    assert list(Attempt.objects.filter(message=letters[failed.pk]).values_list("number", "outcome")) == [
        (1, "retry"),
        (2, "failed"),
    ]
    assert Message.objects.get(kind="outcome-news").ref == waiting_news.pk
    from uadesk.actions.models import Reminder

    assert Reminder.objects.get(pk=reminded.pk).queued_at == now  # sent before: not queued again
    webhook = Message.objects.get(kind="webhook")
    assert (webhook.ref, webhook.status, webhook.attempts) == (delivery.pk, "waiting", 1)
    assert Message.objects.get(kind="data-link").params == {"email_hash": "f" * 64}
    from django_tasks_db.models import DBTaskResult

    assert not DBTaskResult.objects.filter(task_path__startswith="uadesk.appeals.tasks.deliver").exists()
