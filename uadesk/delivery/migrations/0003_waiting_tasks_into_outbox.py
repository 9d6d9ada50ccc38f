"""Emails queued as tasks before the outbox, not yet run, become messages: nothing waiting is lost.
The old delivery runs and outcome-news runs are dropped: the outbox's runs replace them."""

from django.db import migrations

OLD = "uadesk.{}.tasks.{}"


def forwards(apps, schema_editor):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    Message = apps.get_model("delivery", "Message")
    waiting = DBTaskResult.objects.filter(status="READY")
    for task in waiting.filter(task_path=OLD.format("supporters", "send_data_link")):
        [email_hash] = task.args_kwargs["args"]
        Message.objects.create(kind="data-link", ref=0, params={"email_hash": email_hash})
    for task in waiting.filter(task_path=OLD.format("appeals", "send_email_confirmation")):
        [confirmation] = task.args_kwargs["args"]
        Message.objects.create(kind="letters-confirmation", ref=confirmation)
    for task in waiting.filter(task_path=OLD.format("petitions", "signature_mails_send")):
        for mail in task.args_kwargs["kwargs"]["mails"]:
            params = {"mail": mail["kind"], "petition": mail["petition_id"], "supporter": mail["supporter_id"]}
            Message.objects.create(kind="petition-email", ref=mail["signature_id"] or 0, params=params)
    for task in waiting.filter(task_path=OLD.format("actions", "send_outcome_news")):
        if task.args_kwargs["args"]:
            news_of_outcome(apps, task.args_kwargs["args"][0])
    gone = [
        OLD.format(*path)
        for path in [
            ("supporters", "send_data_link"), ("appeals", "send_email_confirmation"),
            ("petitions", "signature_mails_send"), ("appeals", "deliver_appeals"),
            ("actions", "send_outcome_news"), ("actions", "send_reminders"),
        ]
    ]  # fmt: skip
    waiting.filter(task_path__in=gone).delete()


def news_of_outcome(apps, outcome_id: int) -> None:
    """An outcome whose news task had not run: its followers' notices, as actions.services makes them."""
    Outcome = apps.get_model("actions", "Outcome")
    OutcomeNotice = apps.get_model("actions", "OutcomeNotice")
    Appeal = apps.get_model("appeals", "Appeal")
    Signature = apps.get_model("petitions", "Signature")
    Message = apps.get_model("delivery", "Message")
    outcome = Outcome.objects.filter(pk=outcome_id).first()
    if outcome is None:
        return
    followers = set(
        Appeal.objects.filter(action_id=outcome.action_id, wants_updates=True, supporter__isnull=False)
        .values_list("supporter", flat=True)
    ) | set(
        Signature.objects.filter(
            petition__action_id=outcome.action_id, confirmed_at__isnull=False, consent_case_updates=True,
            supporter__isnull=False,
        ).values_list("supporter", flat=True)
    )  # fmt: skip
    for supporter in followers:
        notice, made = OutcomeNotice.objects.get_or_create(outcome=outcome, supporter_id=supporter)
        if made:
            Message.objects.create(kind="outcome-news", ref=notice.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0002_appeals_into_outbox"),
        ("actions", "0009_supporter_emails_in_the_outbox"),
        ("appeals", "0007_deliveries_in_the_outbox"),
        ("petitions", "0003_emails_in_the_outbox"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
